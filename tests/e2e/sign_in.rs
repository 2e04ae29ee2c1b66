//! Signing out and in again, and what a failed sign-in tells (and does not).

use crate::steps::ADMIN;
use crate::Session;

#[test]
fn sign_out_and_sign_in_again() {
    let s = Session::start();
    let mut admin = s.set_up();

    s.sign_out();
    s.wait_for_text("You are signed out.");
    // The version, under the product name and in About.
    s.wait_for_text(&format!("Version {}", roster_core::VERSION));
    s.click_button("About");
    s.wait_for_heading("About Roster");
    assert_eq!(s.fact("Version"), roster_core::VERSION);
    s.click_button("Close");
    s.wait_for_text_gone("About Roster");
    assert!(!s.has_button("Sign out"));
    assert!(!s.has_nav("Users"), "no navigation before signing in");

    // A wrong password and an unknown email get the same answer, so the
    // message does not tell whether an account exists.
    s.try_sign_in(ADMIN.email, "not-the-right-password-1");
    let wrong_password = s.alert();
    assert_eq!(s.heading(), "Sign in to Roster");
    assert_eq!(s.value_of("Password"), "", "the password is cleared");
    s.try_sign_in("nobody.here@example.com", ADMIN.password);
    let unknown_email = s.alert();
    assert_eq!(
        wrong_password, unknown_email,
        "a wrong password and an unknown email must read the same"
    );
    assert!(!wrong_password.is_empty());
    assert!(!wrong_password.contains(ADMIN.email));
    assert!(!unknown_email.contains("nobody.here"));
    // No field is singled out as the culprit either.
    assert_eq!(s.description_of("Email"), "");
    assert_eq!(s.description_of("Password"), "");

    s.sign_in_with_second_factor(ADMIN.email, ADMIN.password, &mut admin);
    s.wait_for_heading("Users");
    assert!(s.has_button("Sign out"));
    let table = s.wait_for_row(ADMIN.name);
    assert_ne!(
        table.cell(ADMIN.name, "Last sign-in").as_deref(),
        Some("Never"),
        "the sign-in is recorded"
    );
}
