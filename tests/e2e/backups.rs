//! Settings → Backups in the real app: back up now, make a change, restore
//! the backup (after seeing what it holds and confirming), sign in again:
//! the change is gone and a backup of the replaced state is listed.

use crate::steps::{NewUser, ADMIN};
use crate::Session;

#[test]
fn a_restored_backup_undoes_a_later_change_and_keeps_the_replaced_state() {
    let s = Session::start();
    let mut enrolled = s.set_up();
    s.navigate("Settings");
    s.wait_for_heading("Backups");
    s.wait_for_text("Backups are not encrypted");
    s.click_button("Back up now");
    s.wait_for_text("Backed up: 1 user");
    s.wait_for_row("Backed up now");

    s.go_to_users();
    s.create_user(&NewUser {
        name: "Lena Later",
        email: "lena.later@example.com",
        groups: &["Administrators"],
        password: "violet-harbour-lantern-42",
    });
    s.wait_for_text("Lena Later was created.");

    s.navigate("Settings");
    let table = s.wait_for_row("Backed up now");
    let row = table.row_with("Backed up now").expect("the backup's row");
    assert!(
        row.iter()
            .any(|(header, value)| header == "Users" && value == "1"),
        "{row:?}"
    );
    // Each row's "Restore…" is named after its file.
    let manual = std::fs::read_dir(s.data_dir().join("backups"))
        .expect("the backup folder")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .find(|name| name.ends_with("-manual.roster-backup"))
        .expect("the backup made now");
    s.click_button(&format!("Restore {manual}"));
    s.wait_for_text("holds 1 user, 1 group");
    s.accept_native_dialog("Restore this backup?");
    s.wait_for_text("The backup was restored");

    s.sign_in_with_second_factor(ADMIN.email, ADMIN.password, &mut enrolled);
    s.go_to_users();
    s.search_users("lena");
    s.wait_for_text("No users match.");

    s.navigate("Settings");
    s.wait_for_row("Before a restore");
    s.click_button("Check the store");
    s.wait_for_text("The store is sound");
}
