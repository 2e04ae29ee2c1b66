//! Screenshots of every screen for people to review (nothing is asserted
//! about pixels): `target/e2e-screenshots/screen-*.png`.

use crate::steps::{authenticator_code, current_step, fresh_code, NewUser, ADMIN};
use crate::Session;

/// The password Carla is given by the reset (and must change at sign-in).
const CARLA_RESET: &str = "ember-quarry-willow-84";

/// Tess signs in with an authenticator app.
const TESS: NewUser<'static> = NewUser {
    name: "Tess Token",
    email: "tess.token@example.com",
    groups: &["Administrators"],
    password: "saffron-beacon-pebble-58",
};

fn shoot(s: &Session, theme: &str, name: &str) {
    s.settle();
    let path = s.screenshot(&format!("screen-{theme}-{name}"));
    eprintln!("saved {}", path.display());
}

#[test]
fn every_screen_is_captured_for_review() {
    walk_every_screen(&Session::start(), "light");
}

#[test]
fn every_screen_is_captured_in_the_dark_theme() {
    walk_every_screen(&Session::start_dark(), "dark");
}

fn walk_every_screen(s: &Session, theme: &str) {
    s.wait_for_heading("Set up Roster");
    shoot(s, theme, "01-first-run");
    s.fill("Name", ADMIN.name);
    s.fill("Email", ADMIN.email);
    s.fill("Password", ADMIN.password);
    s.fill("Confirm password", ADMIN.password);
    s.wait_for_text("Strength");
    shoot(s, theme, "02-first-run-filled");
    s.click_button("Create administrator");
    s.wait_for_heading("Set up your authenticator app");
    s.wait_for_text("2. Enter the 6-digit code it shows:");
    shoot(s, theme, "02b-first-run-authenticator");
    s.enrol_authenticator();
    s.wait_for_heading("Users");

    s.create_user(&NewUser {
        name: "Carla Clerk",
        email: "carla.clerk@example.com",
        groups: &["Administrators"],
        password: "granite-tulip-saddle-21",
    });
    s.go_to_users();
    s.wait_for_row("Carla Clerk");
    // Carla is an administrator without a second factor.
    s.wait_for_text("An administrator has no second factor:");
    shoot(s, theme, "03-users");

    s.click_button("New user");
    s.wait_for_heading("New user");
    s.fill("Name", "Dora Desk");
    s.fill("Email", "carla.clerk@example.com");
    s.wait_for_field_message("Email", "This email address is already in use.");
    s.choose_suggestion("Supervisor", "Carla", "Carla Clerk");
    s.fill("Password", "short");
    s.wait_for_text("Strength");
    shoot(s, theme, "04-new-user");
    s.click_button("Cancel");

    s.wait_for_heading("Users");
    s.click_row("Carla Clerk");
    s.wait_for_heading("Carla Clerk");
    s.wait_for_heading("History");
    shoot(s, theme, "05-user-detail");

    s.click_button("Edit");
    s.wait_for_heading("Edit user");
    shoot(s, theme, "06-edit-user");
    s.click_button("Cancel");

    s.wait_for_heading("Carla Clerk");
    s.click_button("Reset password");
    s.wait_for_heading("Reset password");
    s.click_button("Generate");
    s.wait_for_text("Strength");
    shoot(s, theme, "07-reset-password");
    // A known password, flagged for a change: Carla's first screen below.
    s.fill("New password", CARLA_RESET);
    s.wait_for_text("This password meets the policy.");
    s.click_button("Set password");
    s.wait_for_heading("Hand over the credentials");
    shoot(s, theme, "07b-handover");
    s.close_handover();
    s.wait_for_text("Password changed.");

    s.click_button("Delete");
    s.eventually("waiting for the native dialog", || {
        if s.native_window_open("Delete user") {
            Ok(())
        } else {
            Err("not open".to_string())
        }
    });
    shoot(s, theme, "08-delete-dialog");
    s.cancel_native_dialog("Delete user");

    s.go_to_groups();
    shoot(s, theme, "09-groups");
    s.click_row("Administrators Built-in");
    s.wait_for_heading("Members");
    shoot(s, theme, "10-group-administrators");
    s.click_button("New group");
    s.wait_for_heading("New group");
    shoot(s, theme, "11-new-group");

    s.navigate("Settings");
    s.wait_for_heading("Settings");
    shoot(s, theme, "16-settings");
    s.click_button("Lock");
    s.wait_for_heading("Roster is locked");
    shoot(s, theme, "15-locked");
    s.fill("Password", ADMIN.password);
    s.click_button("Unlock");
    s.wait_for_heading("Settings");
    s.create_totp_user(&TESS);

    s.sign_out();
    shoot(s, theme, "12-sign-in");
    s.try_sign_in(ADMIN.email, "not-the-password-at-all");
    s.alert();
    shoot(s, theme, "13-sign-in-failed");

    s.try_sign_in("carla.clerk@example.com", CARLA_RESET);
    s.wait_for_heading("Change your password");
    s.fill("Current password", CARLA_RESET);
    s.fill("New password", "granite-tulip-saddle-22");
    s.fill("Confirm new password", "granite-tulip-saddle-22");
    s.wait_for_text("This password meets the policy.");
    shoot(s, theme, "14-change-password");
    s.sign_out();

    s.try_sign_in(TESS.email, TESS.password);
    s.wait_for_heading("Set up your authenticator app");
    let secret = s.fact("Key");
    let step = current_step();
    s.fill("Code", &authenticator_code(&secret, step));
    shoot(s, theme, "17-totp-enrol");
    s.click_button("Confirm");
    s.wait_for_heading("Save your recovery codes");
    s.check("I have saved these codes");
    shoot(s, theme, "18-recovery-codes");
    s.click_button("Continue");
    s.wait_for_heading("Users");
    s.sign_out();

    s.try_sign_in(TESS.email, TESS.password);
    s.wait_for_heading("Two-step verification");
    shoot(s, theme, "19-second-factor");
    let (code, _) = fresh_code(&secret, step);
    s.fill("Code", &code);
    s.click_button("Verify");
    s.wait_for_heading("Users");
}
