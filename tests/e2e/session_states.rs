//! The session's states as people meet them: a forced password change at
//! the first sign-in, an account locked by failed sign-ins and unlocked by
//! an administrator, and the lock screen over an unsaved form.

use crate::steps::{NewUser, ADMIN};
use crate::Session;

/// Ctrl+L, as WebDriver spells it (Control held for the "l", then released).
const CTRL_L: &str = "\u{E009}l\u{E000}";

#[test]
fn a_flagged_user_must_change_their_password_first() {
    let s = Session::start();
    s.set_up();

    // The administrator creates Fiona with a known password, flagged for a change.
    s.go_to_users();
    s.click_button("New user");
    s.wait_for_heading("New user");
    s.fill("Name", "Fiona First");
    s.fill("Email", "fiona.first@example.com");
    s.check("Administrators");
    s.fill("Password", "meadow-copper-lantern-62");
    s.fill("Confirm password", "meadow-copper-lantern-62");
    s.wait_for_text("This password meets the policy.");
    s.check("Force password change at first sign-in");
    s.select("Two-factor method", "Off");
    s.click_button("Create user");
    s.close_handover();
    s.wait_for_heading("Fiona First");
    s.wait_for_fact("Must change password", "Yes");
    s.sign_out();

    // Fiona signs in: only the password change is offered.
    s.try_sign_in("fiona.first@example.com", "meadow-copper-lantern-62");
    s.wait_for_heading("Change your password");
    s.wait_for_text("Your administrator asks you to choose a new password before you continue.");
    assert!(
        !s.has_nav("Users"),
        "nothing but the change before it is made"
    );
    assert!(!s.has_nav("Groups"));
    assert!(s.has_button("Sign out"));

    // A confirmation that differs is pointed out beside it.
    s.fill("Current password", "meadow-copper-lantern-62");
    s.fill("New password", "harvest-pepper-glacier-93");
    s.fill("Confirm new password", "harvest-pepper-glacier-39");
    s.wait_for_text("This password meets the policy.");
    s.click_button("Change password");
    s.wait_for_field_message("Confirm new password", "The passwords do not match.");

    // A wrong current password is refused beside its field.
    s.fill("Current password", "not-my-old-password-11");
    s.fill("Confirm new password", "harvest-pepper-glacier-93");
    s.click_button("Change password");
    s.wait_for_field_message("Current password", "The current password is not correct.");
    assert_eq!(s.heading(), "Change your password");

    // The right one changes it and opens the app.
    s.fill("Current password", "meadow-copper-lantern-62");
    s.click_button("Change password");
    s.wait_for_heading("Users");
    s.wait_for_text("Your password was changed.");
    assert!(s.has_nav("Users"));

    // The old password no longer works; the new one does, without a change.
    s.sign_out();
    s.try_sign_in("fiona.first@example.com", "meadow-copper-lantern-62");
    s.alert();
    s.try_sign_in("fiona.first@example.com", "harvest-pepper-glacier-93");
    s.wait_for_heading("Users");
}

#[test]
fn repeated_failures_lock_the_account_and_an_administrator_unlocks_it() {
    let s = Session::start();
    let mut admin = s.set_up();

    // Three failures lock an account.
    s.navigate("Settings");
    s.wait_for_heading("Settings");
    assert_eq!(s.value_of("Failed sign-ins before an account locks"), "5");
    assert!(s
        .description_of("First lock duration (minutes)")
        .contains("Each further failure doubles it, up to a day."));
    // A value out of range is refused as Rust words it, and nothing is saved.
    s.fill("Failed sign-ins before an account locks", "2");
    s.click_button("Save settings");
    let refusal = s.alert();
    assert!(refusal.contains("between 3 and 100"), "{refusal}");
    s.fill("Failed sign-ins before an account locks", "3");
    s.click_button("Save settings");
    s.wait_for_text("Settings saved.");

    s.create_user(&NewUser {
        name: "Gus Guess",
        email: "gus.guess@example.com",
        groups: &["Administrators"],
        password: "thimble-orchard-basalt-17",
    });
    s.sign_out();

    // Three wrong passwords; then the right one is refused the same way.
    s.try_sign_in("gus.guess@example.com", "wrong-password-number-1");
    let refused = s.alert();
    for attempt in 2..=3 {
        s.try_sign_in(
            "gus.guess@example.com",
            &format!("wrong-password-number-{attempt}"),
        );
        assert_eq!(s.alert(), refused);
    }
    s.try_sign_in("gus.guess@example.com", "thimble-orchard-basalt-17");
    assert_eq!(
        s.alert(),
        refused,
        "a locked account reads like a wrong password"
    );
    assert_eq!(s.heading(), "Sign in to Roster");

    // The administrator sees the lock and lifts it.
    s.sign_in_with_second_factor(ADMIN.email, ADMIN.password, &mut admin);
    s.wait_for_heading("Users");
    s.click_row("Gus Guess");
    s.wait_for_heading("Gus Guess");
    assert_ne!(s.fact("Failed sign-ins"), "0");
    assert!(!s.fact("Locked until").is_empty());
    s.click_button("Unlock");
    s.wait_for_text("Gus Guess was unlocked.");
    s.wait_for_fact("Failed sign-ins", "0");
    assert!(!s.has_button("Unlock"), "nothing left to unlock");
    s.sign_out();

    // Gus's right password works again.
    s.try_sign_in("gus.guess@example.com", "thimble-orchard-basalt-17");
    s.wait_for_heading("Users");
}

#[test]
fn the_lock_screen_keeps_an_unsaved_form() {
    let s = Session::start();
    s.set_up();

    s.go_to_users();
    s.click_button("New user");
    s.wait_for_heading("New user");
    s.fill("Name", "Hanna Half-typed");
    s.fill("Email", "hanna.half@example.com");

    // Ctrl+L locks at once; the form is out of sight and out of reach.
    s.press(CTRL_L);
    s.wait_for_heading("Roster is locked");
    s.wait_for_text(&format!(
        "Signed in as {} ({}). Enter your password to continue.",
        ADMIN.name, ADMIN.email
    ));
    assert_eq!(s.headings_now(), vec!["Roster is locked".to_string()]);
    assert!(!s.has_nav("Users"), "the app underneath is hidden");
    let inert = s
        .eval(
            "return document.getElementById('app').inert === true;",
            vec![],
        )
        .expect("reading inert");
    assert_eq!(inert, true, "the app underneath is inert");
    // Rust refuses commands meanwhile, whatever the page does.
    let refused = s
        .eval(
            "return window.__TAURI__.core.invoke('list_users', { query: {} })\n\
               .then(() => 'allowed', (e) => e.code);",
            vec![],
        )
        .expect("calling list_users");
    assert_eq!(refused, "session_locked");

    // A wrong password is refused; the right one brings the form back as it was.
    s.fill("Password", "certainly-not-it-00");
    s.click_button("Unlock");
    let refusal = s.alert();
    assert!(!refusal.is_empty());
    assert_eq!(s.heading(), "Roster is locked");
    s.fill("Password", ADMIN.password);
    s.click_button("Unlock");
    s.wait_for_heading("New user");
    s.wait_for_text_gone("Roster is locked");
    assert_eq!(s.value_of("Name"), "Hanna Half-typed");
    assert_eq!(s.value_of("Email"), "hanna.half@example.com");
    assert_eq!(
        s.focused_value(),
        "hanna.half@example.com",
        "the focus is back in the field typed in last"
    );
    // Locked with nothing focused (as when the view underneath was still
    // loading), unlocking puts the focus in the view's first field.
    s.eval("document.activeElement.blur(); return null;", vec![])
        .expect("leaving the field");
    s.press(CTRL_L);
    s.wait_for_heading("Roster is locked");
    s.fill("Password", ADMIN.password);
    s.click_button("Unlock");
    s.wait_for_text_gone("Roster is locked");
    assert_eq!(
        s.focused_value(),
        "Hanna Half-typed",
        "the focus is in the first field"
    );

    // The header's "Lock" does the same; signing out from there ends the session.
    s.click_button("Lock");
    s.wait_for_heading("Roster is locked");
    s.click_button("Sign out");
    s.wait_for_heading("Sign in to Roster");
}
