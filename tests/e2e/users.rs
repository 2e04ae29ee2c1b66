//! One user's whole life, as an administrator goes through it.

use crate::steps::ADMIN;
use crate::Session;

#[test]
fn a_user_is_created_found_edited_disabled_reset_and_deleted() {
    let s = Session::start();
    s.set_up();

    // A group to put the new user in.
    s.go_to_groups();
    s.click_button("New group");
    s.wait_for_heading("New group");
    s.fill("Name", "Sales");
    s.fill("Description", "The sales back office");
    s.check("view users");
    s.check("view clients");
    s.click_button("Save group");
    s.wait_for_text("Sales was created.");

    // "New user", with every field.
    s.go_to_users();
    s.click_button("New user");
    s.wait_for_heading("New user");
    s.fill("Name", "Bruno Sales");
    // An address in use is pointed out while typing.
    s.fill("Email", ADMIN.email);
    s.wait_for_field_message("Email", "This email address is already in use.");
    s.fill("Email", "bruno.sales@example.com");
    s.eventually("waiting for the email to be accepted", || {
        if s.description_of("Email").contains("already in use") {
            Err("still marked as in use".to_string())
        } else {
            Ok(())
        }
    });
    s.check("Sales");
    s.choose_suggestion("Supervisor", "Ada", ADMIN.name);
    assert_eq!(s.value_of("Supervisor"), ADMIN.name);
    assert_eq!(s.selected_option("Status"), "Enabled", "Enabled by default");
    s.select("Status", "Enabled");
    s.click_button("Generate");
    let password = s.eventually("waiting for a generated password", || {
        Some(s.value_of("Password"))
            .filter(|p| !p.is_empty())
            .ok_or_else(|| "empty".to_string())
    });
    assert_eq!(s.value_of("Confirm password"), password);
    s.check("Force password change at first sign-in");
    s.check("Mask client data");
    s.select("Two-factor method", "Authenticator app (TOTP)");
    assert!(
        !s.is_enabled("Send credentials by email"),
        "no mail server: credentials cannot be emailed"
    );
    assert!(s
        .description_of("Send credentials by email")
        .contains("No mail server is configured"));
    s.click_button("Create user");
    s.close_handover();

    s.wait_for_heading("Bruno Sales");
    s.wait_for_text("Bruno Sales was created.");
    assert_eq!(s.fact("Email"), "bruno.sales@example.com");
    assert_eq!(s.fact("Groups"), "Sales");
    assert!(s.fact("Supervisor").starts_with(ADMIN.name));
    assert_eq!(s.fact("Status"), "Enabled");
    assert_eq!(s.fact("Two-factor method"), "Authenticator app");
    assert_eq!(s.fact("Mask client data"), "Yes");
    assert_eq!(s.fact("Must change password"), "Yes");

    // Found by search, by name and by email.
    s.go_to_users();
    s.search_users("bruno");
    let table = s.wait_for_row("Bruno Sales");
    assert_eq!(table.rows.len(), 1);
    let cell = |header| table.cell("Bruno Sales", header).unwrap_or_default();
    assert_eq!(cell("Email"), "bruno.sales@example.com");
    assert_eq!(cell("Groups"), "Sales");
    assert_eq!(cell("Supervisor"), ADMIN.name);
    assert_eq!(cell("Status"), "Enabled");
    assert_eq!(cell("2FA"), "Authenticator app");
    assert_eq!(cell("Masked"), "Yes");
    assert_eq!(cell("Last sign-in"), "Never");
    s.search_users("nobody-like-this");
    s.wait_for_text("No users match.");
    s.search_users("bruno.sales@");
    s.wait_for_row("Bruno Sales");

    // Opened from the list, then renamed.
    s.click_row("Bruno Sales");
    s.wait_for_heading("Bruno Sales");
    s.click_button("Edit");
    s.wait_for_heading("Edit user");
    assert_eq!(s.value_of("Name"), "Bruno Sales");
    assert!(s.is_checked("Sales"));
    assert_eq!(
        s.selected_option("Two-factor method"),
        "Authenticator app (TOTP)"
    );
    s.fill("Name", "Bruno Seller");
    s.click_button("Save changes");
    s.wait_for_heading("Bruno Seller");
    s.wait_for_text("Changes saved.");

    // Disabled.
    s.click_button("Disable");
    s.wait_for_text("Bruno Seller was disabled.");
    s.wait_for_fact("Status", "Disabled");
    assert!(s.has_button("Enable"));

    // Password reset, with a forced change at the next sign-in.
    s.click_button("Reset password");
    s.wait_for_heading("Reset password");
    s.click_button("Generate");
    s.eventually("waiting for a generated password", || {
        Some(s.value_of("New password"))
            .filter(|p| !p.is_empty() && *p != password)
            .map(|_| ())
            .ok_or_else(|| "no new password".to_string())
    });
    assert!(s.is_checked("Force password change at next sign-in"));
    s.click_button("Set password");
    s.close_handover();
    s.wait_for_text("Password changed.");
    s.wait_for_text_gone("New password");
    s.wait_for_fact("Must change password", "Yes");
    s.wait_for_heading("History");

    // Deleted, once the native confirmation is accepted.
    s.click_button("Delete");
    s.accept_native_dialog("Delete user");
    s.wait_for_heading("Users");
    s.wait_for_text("Bruno Seller was deleted.");
    s.search_users("bruno");
    s.wait_for_text("No users match.");
    s.wait_for_no_row("Bruno Seller");
}

#[test]
fn a_company_name_set_in_settings_is_refused_in_new_passwords() {
    let s = Session::start();
    let _admin = s.set_up();
    s.navigate("Settings");
    s.wait_for_heading("Settings");
    assert_eq!(s.value_of("Company name"), "");
    s.fill("Company name", "Zephyr Widgets");
    s.click_button("Save settings");
    s.wait_for_text("Settings saved.");

    s.go_to_users();
    s.navigate("Settings");
    s.wait_for_heading("Settings");
    assert_eq!(s.value_of("Company name"), "Zephyr Widgets");

    s.go_to_users();
    s.click_button("New user");
    s.wait_for_heading("New user");
    s.fill("Name", "Bo Chen");
    s.fill("Email", "bo.chen@example.com");
    s.fill("Password", "Zephyrwidgets-Lantern-2026");
    s.wait_for_text("The password must not contain the company's name or the word Roster.");
}
