//! The first start: choosing the store and creating the first administrator.

use crate::steps::ADMIN;
use crate::Session;

#[test]
fn first_run_creates_the_administrator_and_signs_in() {
    let s = Session::start();
    s.wait_for_heading("Set up Roster");
    assert!(
        s.is_checked("Local — on this computer"),
        "the local store is the default"
    );
    // The store offered is the one in this test's data folder.
    let store = s.data_dir().join("roster.sqlite3");
    s.wait_for_text(&store.display().to_string());

    s.fill("Name", ADMIN.name);
    s.fill("Email", ADMIN.email);
    // "Generate" fills both password fields and shows what it chose.
    s.click_button("Generate");
    let generated = s.eventually("waiting for a generated password", || {
        let value = s.value_of("Password");
        if value.is_empty() {
            Err("the password is empty".to_string())
        } else {
            Ok(value)
        }
    });
    assert_eq!(s.value_of("Confirm password"), generated);
    assert!(s.is_checked("Show password"));
    assert_eq!(s.field_type("Password"), "text");
    s.uncheck("Show password");
    assert_eq!(s.field_type("Password"), "password");
    assert_eq!(s.field_type("Confirm password"), "password");

    s.click_button("Create administrator");

    s.wait_for_heading("Users");
    let table = s.wait_for_row(ADMIN.name);
    assert_eq!(
        table.headers,
        [
            "Name",
            "Email",
            "Groups",
            "Supervisor",
            "Status",
            "2FA",
            "Masked",
            "Last sign-in",
            "Created"
        ]
    );
    assert_eq!(table.rows.len(), 1, "only the administrator exists");
    assert_eq!(
        table.cell(ADMIN.name, "Email").as_deref(),
        Some(ADMIN.email)
    );
    assert_eq!(
        table.cell(ADMIN.name, "Groups").as_deref(),
        Some("Administrators")
    );
    assert_eq!(table.cell(ADMIN.name, "Status").as_deref(), Some("Enabled"));
    // Signed in as the administrator, with every right.
    assert!(s.has_button("Sign out"));
    assert!(s.has_button("New user"));
    assert!(s.has_nav("Groups"));
    assert!(
        s.store_exists(),
        "the directory is kept in the test's data folder"
    );
}

impl Session {
    fn store_exists(&self) -> bool {
        self.data_dir().join("roster.sqlite3").is_file()
    }
}
