//! Users in bulk, as an office does it: a spreadsheet of new people checked
//! (one bad line found, fixed, checked again), imported with its progress,
//! the credentials sheet saved through the native dialog, then everyone who
//! matches a search chosen across pages and disabled in one confirmation
//! (the operator, who matches too, is left out and said so first), and the
//! overview exported and read back.

use std::fs;
use std::path::{Path, PathBuf};

use crate::steps::ADMIN;
use crate::Session;

/// More than one page of the overview (50 rows), so that "every matching
/// user" is more than the page.
const PEOPLE: usize = 60;

/// The line of the file (the header is line 1) whose email is broken in
/// the first version of the file.
const BAD_LINE: usize = 4;

fn email(n: usize) -> String {
    format!("bulk.person{n:02}@example.com")
}

fn name(n: usize) -> String {
    format!("Bulk Person {n:02}")
}

/// The group every new user joins (a user needs one).
const TEAM: &str = "New team";

/// The users file: `PEOPLE` rows; with `broken`, one email is not an address.
fn write_people(path: &Path, broken: bool) {
    let mut csv = String::from("name,email,groups\n");
    for n in 1..=PEOPLE {
        let address = if broken && n + 1 == BAD_LINE {
            "not-an-email".to_owned()
        } else {
            email(n)
        };
        csv.push_str(&format!("{},{},{TEAM}\n", name(n), address));
    }
    fs::write(path, csv).expect("write the users file");
}

fn beside_data(s: &Session, file: &str) -> PathBuf {
    s.data_dir()
        .parent()
        .expect("the data folder has a parent")
        .join(file)
}

#[cfg(unix)]
fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    fs::metadata(path)
        .expect("the file exists")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn a_team_is_imported_from_a_spreadsheet_disabled_together_and_exported() {
    let s = Session::start();
    s.set_up();
    s.go_to_groups();
    s.click_button("New group");
    s.wait_for_heading("New group");
    s.fill("Name", TEAM);
    s.click_button("Save group");
    s.wait_for_text(&format!("{TEAM} was created."));
    s.go_to_users();

    // The check finds the broken line and imports nothing.
    let people = beside_data(&s, "new-team.csv");
    write_people(&people, true);
    s.click_button("Import users…");
    s.save_in_native_dialog("Import users", &people);
    s.wait_for_heading("Import users");
    s.wait_for_text(&format!("{PEOPLE} rows, 1 problem"));
    let problems = s.list_items("Import problems");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(&format!("Line {BAD_LINE}, column email: ")),
        "{problems:?}"
    );
    assert!(!s.has_button(&format!("Import {PEOPLE} users")));
    s.settle();
    s.screenshot("users-import-report");

    // Fixed in the spreadsheet, checked again (the same file), imported.
    write_people(&people, false);
    s.click_button("Check again");
    s.wait_for_text(&format!("{PEOPLE} rows, 0 problems"));
    s.click_button(&format!("Import {PEOPLE} users"));
    s.wait_for_heading("Users imported");
    s.wait_for_text(&format!("Created {PEOPLE} users."));
    s.settle();
    s.screenshot("users-import-result");

    // The credentials sheet, through the save dialog, for this user only.
    let sheet = beside_data(&s, "credentials.csv");
    s.select("Sheet format", "CSV");
    s.click_button("Save credentials sheet…");
    s.save_in_native_dialog("Save the credentials sheet", &sheet);
    s.wait_for_text(&format!("Credentials sheet saved to {}.", sheet.display()));
    #[cfg(unix)]
    assert_eq!(mode_of(&sheet), 0o600, "the sheet is private");
    let written = fs::read_to_string(&sheet).expect("the sheet was written");
    let lines: Vec<&str> = written.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines.len(),
        PEOPLE + 1,
        "a header and one line each:\n{written}"
    );
    for n in 1..=PEOPLE {
        let line = lines
            .iter()
            .find(|line| line.contains(&email(n)))
            .unwrap_or_else(|| panic!("{} is on the sheet:\n{written}", email(n)));
        assert!(line.contains(&name(n)), "{line}");
    }
    assert!(
        !s.visible_text_now()
            .contains(lines[1].rsplit(',').next().unwrap_or("-")),
        "no password is shown in the window"
    );
    s.click_button("Done");
    s.wait_for_text_gone("Users imported");

    // Everyone at example.com: the team, and the administrator herself.
    s.search_users("example.com");
    s.wait_for_row(&name(1));
    assert_eq!(
        s.table().headers.first().map(String::as_str),
        Some("Select all on this page")
    );

    // The keyboard: Space on a row, Shift+Space for a range, Escape clears.
    s.click_checkbox(&format!("Select {}", ADMIN.name));
    s.wait_for_text("1 user selected.");
    s.press("\u{E015}\u{E015}");
    s.press("\u{E008} \u{E000}");
    s.wait_for_text("3 users selected.");
    s.press("\u{E00C}");
    s.wait_for_text_gone("users selected.");

    // The whole page, then every matching user beyond it.
    assert!(s.click_checkbox("Select all on this page"));
    s.wait_for_text("50 users selected.");
    s.settle();
    s.screenshot("users-selection-bar");
    s.click_button(&format!("Select all {} matching", PEOPLE + 1));
    s.wait_for_text(&format!("All {} matching users are selected.", PEOPLE + 1));

    // Disable: the administrator is left out first, the others are disabled.
    s.click_button("Disable");
    s.wait_for_heading(&format!("Disable {} users?", PEOPLE + 1));
    let left_out = s.list_items("Left out");
    assert_eq!(left_out.len(), 1, "{left_out:?}");
    assert!(left_out[0].starts_with(ADMIN.name), "{left_out:?}");
    s.settle();
    s.screenshot("users-bulk-confirmation");
    s.click_button(&format!("Apply to the other {PEOPLE}"));
    s.wait_for_text(&format!("Disabled {PEOPLE} users."));

    s.select("Status", "Disabled");
    s.wait_for_text(&format!("{PEOPLE} users"));
    s.wait_for_no_row(ADMIN.name);

    // The export holds exactly what the overview shows: the disabled team.
    let out = beside_data(&s, "disabled.csv");
    s.select("File format", "CSV");
    s.click_button("Export…");
    s.save_in_native_dialog("Export users", &out);
    s.wait_for_text(&format!("Exported to {}.", out.display()));
    let exported = fs::read_to_string(&out).expect("the export was written");
    let rows: Vec<&str> = exported.lines().skip(1).filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), PEOPLE, "{exported}");
    for n in 1..=PEOPLE {
        let row = rows
            .iter()
            .find(|row| row.contains(&email(n)))
            .unwrap_or_else(|| panic!("{} is exported:\n{exported}", email(n)));
        assert!(row.contains("disabled"), "{row}");
    }
    assert!(!exported.contains(ADMIN.email), "{exported}");
}
