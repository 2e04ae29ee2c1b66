//! The first start: choosing the store, creating the first administrator
//! and setting up their authenticator app; and the notice while an
//! administrator has no second factor.

use crate::steps::{authenticator_code, current_step, wrong_code, NewUser, ADMIN};
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

    // The administrator holds every right: like anyone with the
    // authenticator app, they set it up before the app opens.
    s.wait_for_heading("Set up your authenticator app");
    s.wait_for_text("1. Scan this QR code with an authenticator app (or enter the key by hand).");
    assert!(!s.has_nav("Users"), "no app before the second factor");
    let secret = s.fact("Key");
    s.screenshot("first-run-authenticator");
    s.fill("Code", &wrong_code(&secret));
    s.click_button("Confirm");
    assert!(!s.code_error().is_empty());
    assert!(!s.has_nav("Users"), "a wrong code opens nothing");
    // A reload comes back to the set-up, not into the app.
    s.reload();
    s.wait_for_heading("Set up your authenticator app");
    let secret = s.fact("Key");
    s.fill("Code", &authenticator_code(&secret, current_step()));
    s.click_button("Confirm");
    s.wait_for_heading("Save your recovery codes");
    assert_eq!(s.list_items("Recovery codes").len(), 10);
    s.check("I have saved these codes");
    s.click_button("Continue");

    s.wait_for_heading("Users");
    let table = s.wait_for_row(ADMIN.name);
    assert_eq!(
        table.headers,
        [
            "Select all on this page",
            "Name",
            "Email",
            "Groups",
            "Supervisor",
            "Status",
            "2FA",
            "Masked",
            "Last sign-in",
            "Password set",
            "Failed sign-ins",
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
    assert_eq!(
        table.cell(ADMIN.name, "2FA").as_deref(),
        Some("Authenticator app")
    );
    assert!(
        !s.visible_text_now().contains("no second factor"),
        "every administrator has a second factor"
    );
    // Signed in as the administrator, with every right.
    assert!(s.has_button("Sign out"));
    assert!(s.has_button("New user"));
    assert!(s.has_nav("Groups"));
    assert!(
        s.store_exists(),
        "the directory is kept in the test's data folder"
    );
}

#[test]
fn an_administrator_without_a_second_factor_is_pointed_out() {
    let s = Session::start();
    s.set_up();
    s.create_user(&NewUser {
        name: "Olaf Open",
        email: "olaf.open@example.com",
        groups: &["Administrators"],
        password: "copper-meadow-lantern-36",
    });

    // The overview names him, with a link to his page.
    s.go_to_users();
    s.wait_for_row("Olaf Open");
    s.wait_for_heading("An administrator has no second factor:");
    s.wait_for_text("Olaf Open (olaf.open@example.com)");
    s.wait_for_text("Whoever learns their password can sign in with every right.");
    s.screenshot("admin-without-second-factor-users");

    // So does Settings.
    s.navigate("Settings");
    s.wait_for_heading("Settings");
    s.wait_for_heading("An administrator has no second factor:");
    s.wait_for_text("Olaf Open (olaf.open@example.com)");
    s.screenshot("admin-without-second-factor-settings");

    // Once he has a second factor, the notice is gone.
    s.go_to_users();
    s.click_row("Olaf Open");
    s.wait_for_heading("Olaf Open");
    s.click_button("Edit");
    s.wait_for_heading("Edit user");
    s.select("Two-factor method", "Authenticator app (TOTP)");
    s.click_button("Save changes");
    s.wait_for_heading("Olaf Open");
    s.wait_for_fact("Two-factor method", "Authenticator app");
    s.go_to_users();
    s.wait_for_row("Olaf Open");
    s.settle();
    assert!(
        !s.visible_text_now().contains("no second factor"),
        "the notice stays after the administrator got a second factor"
    );
}

impl Session {
    fn store_exists(&self) -> bool {
        self.data_dir().join("roster.sqlite3").is_file()
    }
}
