//! Two-factor sign-in with an authenticator app: setting it up at the first
//! sign-in, signing in with its codes or a recovery code, and an
//! administrator making someone set it up again.

use crate::steps::{fresh_code, wrong_code, NewUser, ADMIN};
use crate::Session;

const TESS: NewUser<'static> = NewUser {
    name: "Tess Token",
    email: "tess.token@example.com",
    groups: &["Administrators"],
    password: "saffron-beacon-pebble-58",
};

#[test]
fn a_user_with_an_authenticator_app_enrols_then_signs_in_with_a_code() {
    let s = Session::start();
    s.set_up();
    s.create_totp_user(&TESS);
    assert_eq!(s.fact("Two-factor method"), "Authenticator app");
    s.sign_out();

    // The first sign-in sets up the app before anything else.
    s.try_sign_in(TESS.email, TESS.password);
    s.wait_for_heading("Set up your authenticator app");
    s.wait_for_text("1. Scan this QR code with an authenticator app (or enter the key by hand).");
    s.wait_for_text("2. Enter the 6-digit code it shows:");
    assert!(!s.has_nav("Users"), "no app before the set-up");
    let qr = s
        .eval(
            "const img = [...document.querySelectorAll('img')].find((i) => visible(i) \
             && i.alt === 'QR code for your authenticator app'); \
             return img ? { src: img.src.slice(0, 26), drawn: img.complete && img.naturalWidth > 0 } : null;",
            vec![],
        )
        .expect("the page answers");
    assert_eq!(qr["src"], "data:image/svg+xml;base64,", "{qr}");
    // A reload (or a restarted web view) comes back to the set-up.
    s.reload();
    s.wait_for_heading("Set up your authenticator app");
    let enrolled = s.enrol_authenticator();
    assert_eq!(enrolled.recovery_codes.len(), 10);
    for code in &enrolled.recovery_codes {
        let groups: Vec<&str> = code.split('-').collect();
        assert!(
            groups.len() == 4 && groups.iter().all(|g| g.len() == 4),
            "a recovery code reads XXXX-XXXX-XXXX-XXXX (80 bits), not {code:?}"
        );
    }
    s.wait_for_heading("Users");
    assert!(s.has_button("Sign out"));

    // From now on, the password is followed by a code.
    s.sign_out();
    s.try_sign_in(TESS.email, TESS.password);
    s.wait_for_heading("Two-step verification");
    s.wait_for_text(
        "Enter the 6-digit code from your authenticator app, or one of your recovery codes.",
    );
    assert!(!s.has_nav("Users"), "no app before the code");
    s.reload();
    s.wait_for_heading("Two-step verification");

    s.fill("Code", &wrong_code(&enrolled.secret));
    s.click_button("Verify");
    let refusal = s.code_error();
    assert!(!refusal.is_empty());
    assert_eq!(s.heading(), "Two-step verification");
    assert_eq!(s.value_of("Code"), "", "the code is cleared");

    // The set-up's code was used; the next step's code signs in.
    let (code, _) = fresh_code(&enrolled.secret, enrolled.step);
    s.fill("Code", &code);
    s.click_button("Verify");
    s.wait_for_heading("Users");
    assert!(s.has_nav("Users"));

    // A recovery code does too, once.
    s.sign_out();
    s.try_sign_in(TESS.email, TESS.password);
    s.wait_for_heading("Two-step verification");
    s.fill("Code", &enrolled.recovery_codes[0]);
    s.click_button("Verify");
    s.wait_for_heading("Users");

    s.sign_out();
    s.try_sign_in(TESS.email, TESS.password);
    s.wait_for_heading("Two-step verification");
    s.fill("Code", &enrolled.recovery_codes[0]);
    s.click_button("Verify");
    s.code_error();
    assert_eq!(s.heading(), "Two-step verification");

    // "Cancel" goes back to the sign-in.
    s.click_button("Cancel");
    s.wait_for_heading("Sign in to Roster");
}

#[test]
fn an_administrator_resets_two_factor() {
    let s = Session::start();
    let mut admin = s.set_up();
    s.create_totp_user(&TESS);
    s.sign_out();
    s.try_sign_in(TESS.email, TESS.password);
    let enrolled = s.enrol_authenticator();
    s.wait_for_heading("Users");
    s.sign_out();

    // The administrator resets it, once the native dialog is accepted.
    s.sign_in_with_second_factor(ADMIN.email, ADMIN.password, &mut admin);
    s.wait_for_heading("Users");
    s.click_row(TESS.name);
    s.wait_for_heading(TESS.name);
    s.click_button("Reset two-factor");
    s.accept_native_dialog("Reset two-factor");
    s.wait_for_text(&format!("{}'s two-factor was reset.", TESS.name));
    s.sign_out();

    // Tess sets up the app again, with a new key.
    s.try_sign_in(TESS.email, TESS.password);
    s.wait_for_heading("Set up your authenticator app");
    assert_ne!(s.fact("Key"), enrolled.secret, "a new key");
    let again = s.enrol_authenticator();
    assert_eq!(again.recovery_codes.len(), 10);
    s.wait_for_heading("Users");
}
