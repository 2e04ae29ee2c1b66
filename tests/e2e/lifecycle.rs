//! An account's "valid until" day, as an administrator sets it in the form
//! and its user meets it at the sign-in.

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Duration};

use crate::steps::{NewUser, ADMIN};
use crate::Session;

/// Today (in UTC, as Roster counts days) moved by `offset` days, as YYYY-MM-DD.
fn day(offset: i64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs();
    let today = DateTime::from_timestamp(i64::try_from(now).expect("in range"), 0)
        .expect("a valid time")
        .date_naive();
    (today + Duration::days(offset))
        .format("%Y-%m-%d")
        .to_string()
}

#[test]
fn an_account_past_its_valid_until_day_is_expired_until_the_date_is_extended() {
    let s = Session::start();
    let mut admin = s.set_up();
    let cy = NewUser {
        name: "Cy Contractor",
        email: "cy.contractor@example.com",
        groups: &["Administrators"],
        password: "copper-meadow-lantern-83",
    };
    s.create_user(&cy);
    assert_eq!(s.fact("Valid until"), "No end");

    // Ended yesterday: saved with a warning, and shown as expired.
    s.click_button("Edit");
    s.wait_for_heading("Edit user");
    assert_eq!(s.value_of("Valid until"), "");
    s.fill("Valid until", &day(-1));
    s.click_button("Save changes");
    s.wait_for_heading(cy.name);
    s.wait_for_text("which has passed, so the account is expired and cannot sign in.");
    s.wait_for_fact("Status", "Expired");
    assert_eq!(s.fact("Valid until"), day(-1));

    // In the overview, and alone under the "Expired" filter.
    s.go_to_users();
    let table = s.wait_for_row(cy.name);
    assert_eq!(table.cell(cy.name, "Status").as_deref(), Some("Expired"));
    assert_eq!(table.cell(ADMIN.name, "Status").as_deref(), Some("Enabled"));
    s.select("Status", "Expired");
    s.wait_for_no_row(ADMIN.name);
    let table = s.wait_for_row(cy.name);
    assert_eq!(table.rows.len(), 1);
    s.screenshot("users-expired-filter");

    // Their sign-in fails with the one message of every failed sign-in.
    s.sign_out();
    s.try_sign_in(cy.email, "not-the-right-password-1");
    let wrong_password = s.alert();
    s.try_sign_in(cy.email, cy.password);
    let expired = s.alert();
    assert_eq!(expired, wrong_password, "an expiry reads like any failure");
    assert!(!expired.to_lowercase().contains("expire"));
    assert_eq!(s.heading(), "Sign in to Roster");

    // Extended: they sign in again.
    s.sign_in_with_second_factor(ADMIN.email, ADMIN.password, &mut admin);
    s.wait_for_heading("Users");
    s.wait_for_row(cy.name);
    s.click_row(cy.name);
    s.wait_for_heading(cy.name);
    s.click_button("Edit");
    s.wait_for_heading("Edit user");
    assert_eq!(s.value_of("Valid until"), day(-1));
    s.fill("Valid until", &day(7));
    s.click_button("Save changes");
    s.wait_for_text("Changes saved.");
    s.wait_for_fact("Status", "Enabled");
    s.sign_out();
    s.try_sign_in(cy.email, cy.password);
    s.wait_for_heading("Users");
    assert!(s.has_button("Sign out"));
}

#[test]
fn a_deleted_user_is_restored_from_deleted_users_and_signs_in_again() {
    let s = Session::start();
    let _admin = s.set_up();
    let cy = NewUser {
        name: "Cy Contractor",
        email: "cy.contractor@example.com",
        groups: &["Administrators"],
        password: "copper-meadow-lantern-83",
    };
    s.create_user(&cy);

    // Never signed in: found by the sign-in filter, the administrator not.
    s.go_to_users();
    s.select("Sign-in", "Never signed in");
    s.wait_for_no_row(ADMIN.name);
    let table = s.wait_for_row(cy.name);
    assert_eq!(table.rows.len(), 1);
    s.select("Sign-in", "Any");
    s.wait_for_row(ADMIN.name);

    // Deleted: gone from the overview, kept in Deleted users.
    s.click_row(cy.name);
    s.wait_for_heading(cy.name);
    s.click_button("Delete");
    s.accept_native_dialog("Delete user");
    s.wait_for_heading("Users");
    s.wait_for_text("Cy Contractor was deleted.");
    s.wait_for_no_row(cy.name);
    s.navigate("Deleted users");
    s.wait_for_heading("Deleted users");
    s.wait_for_text("Deleted users are kept for 30 days");
    let table = s.wait_for_row(cy.name);
    assert_eq!(table.cell(cy.name, "Email").as_deref(), Some(cy.email));
    assert_eq!(
        table.cell(cy.name, "Groups").as_deref(),
        Some("Administrators")
    );
    assert_eq!(
        table.cell(cy.name, "Deleted by").as_deref(),
        Some(ADMIN.email)
    );
    s.screenshot("deleted-users");

    // Restored from its row: back with its groups, and it signs in again.
    s.click_row(cy.name);
    s.wait_for_heading(cy.name);
    s.click_button("Restore");
    s.wait_for_text("Cy Contractor was restored.");
    s.wait_for_fact("Groups", "Administrators");
    s.wait_for_fact("Status", "Enabled");
    s.wait_for_text("Restored");
    s.go_to_users();
    s.wait_for_row(cy.name);
    s.navigate("Deleted users");
    s.wait_for_heading("Deleted users");
    s.wait_for_text("No deleted users are kept.");
    s.sign_out();
    s.try_sign_in(cy.email, cy.password);
    s.wait_for_heading("Users");
    assert!(s.has_button("Sign out"));
}
