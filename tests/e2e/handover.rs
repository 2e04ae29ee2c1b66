//! Handing credentials over: without a mail server, the hand-over panel
//! after creating a user or resetting a password (shown once, saved through
//! the native save dialog, gone when closed); with one set up in Settings →
//! Mail, credentials and sign-in codes arrive by email.

#[path = "../../crates/core/tests/smtp_sink/mod.rs"]
mod smtp_sink;

use std::fs;

use serde_json::json;

use crate::steps::ADMIN;
use crate::Session;

/// Whether `text` is anywhere in the page: its markup, or a field's value.
fn in_the_page(s: &Session, text: &str) -> bool {
    s.eval(
        "const [text] = arguments; \
         return document.documentElement.outerHTML.includes(text) \
           || [...document.querySelectorAll('input, textarea')].some((i) => i.value.includes(text));",
        vec![json!(text)],
    )
    .expect("the page answers")
    .as_bool()
    .unwrap_or(true)
}

/// Whether the option `option` of the drop-down labelled `label` can be chosen.
fn option_enabled(s: &Session, label: &str, option: &str) -> bool {
    s.eval(
        "const [label, option] = arguments; \
         const l = [...document.querySelectorAll('label')].find((l) => visible(l) && norm(l.textContent) === label); \
         const o = l && l.control ? [...l.control.options].find((o) => norm(o.text) === option) : null; \
         return o ? !o.disabled : null;",
        vec![json!(label), json!(option)],
    )
    .expect("the page answers")
    .as_bool()
    .unwrap_or_else(|| panic!("no option {option:?} in {label:?}"))
}

#[test]
fn without_mail_the_credentials_are_handed_over_once() {
    let s = Session::start_with_env(&[("ROSTER_KEYCHAIN", "mock")]);
    s.set_up();

    s.go_to_users();
    s.click_button("New user");
    s.wait_for_heading("New user");
    s.fill("Name", "Hana Hand");
    s.fill("Email", "hana.hand@example.com");
    s.check("Administrators");
    s.click_button("Generate");
    let password = s.eventually("waiting for a generated password", || {
        Some(s.value_of("Password"))
            .filter(|p| !p.is_empty())
            .ok_or_else(|| "empty".to_string())
    });
    s.check("Force password change at first sign-in");
    assert!(
        !s.is_enabled("Send credentials by email"),
        "no mail server: credentials cannot be emailed"
    );
    assert!(s
        .description_of("Send credentials by email")
        .contains("No mail server is configured"));
    assert!(
        !option_enabled(&s, "Two-factor method", "Email code"),
        "no mail server: email codes are not offered"
    );
    s.click_button("Create user");

    // The panel shows the credentials once.
    s.wait_for_heading("Hand over the credentials");
    s.wait_for_text("Hana Hand was created.");
    assert_eq!(s.fact("Email"), "hana.hand@example.com");
    assert_eq!(s.fact("Password"), password);
    s.wait_for_text("They will be asked to choose a new password at first sign-in.");
    assert!(s.has_button("Print"));
    s.settle();
    s.screenshot("handover-panel");

    // Saved through the native save dialog.
    let sheet = s
        .data_dir()
        .parent()
        .expect("the data folder has a parent")
        .join("hana-sheet.txt");
    s.click_button("Save to a file…");
    s.save_in_native_dialog("Save the sign-in details", &sheet);
    s.wait_for_text(&format!("Saved to {}.", sheet.display()));
    let text = fs::read_to_string(&sheet).expect("the sheet was written");
    assert!(
        text.contains("Email address: hana.hand@example.com"),
        "{text}"
    );
    assert!(text.contains(&password), "{text}");
    assert!(text.contains("You will be asked to choose a new password at first sign-in."));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = fs::metadata(&sheet).expect("metadata").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "only its owner may read the sheet");
    }

    // Copied, for a minute.
    s.click_button("Copy password");
    s.wait_for_text("Copied. The clipboard is cleared in 60 seconds.");

    // Closed: the password is gone from the page.
    s.click_button("Done");
    s.wait_for_heading("Hana Hand");
    s.wait_for_text("Hana Hand was created.");
    assert!(!s.visible_text_now().contains(&password));
    assert!(!in_the_page(&s, &password), "the password left the page");

    // A reset hands the new password over the same way.
    s.click_button("Reset password");
    s.wait_for_heading("Reset password");
    assert!(!s.is_enabled("Send credentials by email"));
    let reset = "copper-meadow-lantern-93";
    s.fill("New password", reset);
    s.wait_for_text("This password meets the policy.");
    s.click_button("Set password");
    s.wait_for_heading("Hand over the credentials");
    assert_eq!(s.fact("Password"), reset);
    s.press("\u{E00C}"); // Escape closes it too.
    s.wait_for_text_gone("Hand over the credentials");
    s.wait_for_text("Password changed.");
    assert!(!in_the_page(&s, reset), "the password left the page");
}

/// The line after `label` in a message's text, trimmed (the password after
/// "Password:", the code after "sign-in code is:").
fn value_after(text: &str, label: &str) -> String {
    let at = text
        .find(label)
        .unwrap_or_else(|| panic!("{label:?} is not in {text:?}"));
    text[at + label.len()..]
        .split_whitespace()
        .next()
        .expect("a value after the label")
        .to_owned()
}

#[test]
fn with_mail_set_up_credentials_and_sign_in_codes_arrive_by_email() {
    let sink = smtp_sink::Sink::accepting();
    let s = Session::start_with_env(&[("ROSTER_KEYCHAIN", "mock")]);
    s.set_up();

    // Settings → Mail, pointing at the SMTP server on this computer.
    s.navigate("Settings");
    s.wait_for_heading("Mail");
    s.fill("SMTP host", "127.0.0.1");
    s.select("Security", "None — local relay only");
    s.fill("SMTP port", &sink.port().to_string());
    s.fill("SMTP user", smtp_sink::USER);
    s.fill("SMTP password", smtp_sink::PASSWORD);
    s.fill("Sender address", "roster@example.com");
    s.fill("Sender name", "Roster at Example");
    s.click_button("Save mail settings");
    s.wait_for_text("Mail settings saved.");
    assert_eq!(
        s.value_of("SMTP password"),
        "",
        "the form forgets the password"
    );
    assert!(!in_the_page(&s, smtp_sink::PASSWORD));

    s.click_button("Send test email");
    s.wait_for_text(&format!("Test email sent to {}.", ADMIN.email));
    assert_eq!(sink.only().to, vec![ADMIN.email.to_owned()]);
    s.settle();
    s.screenshot("mail-settings");

    // A new user signing in with email codes, their credentials emailed.
    s.go_to_users();
    s.click_button("New user");
    s.wait_for_heading("New user");
    s.fill("Name", "Emil Post");
    s.fill("Email", "emil.post@example.com");
    s.check("Administrators");
    s.click_button("Generate");
    s.wait_for_text("This password meets the policy.");
    s.select("Two-factor method", "Email code");
    s.check("Send credentials by email");
    s.click_button("Create user");
    s.wait_for_heading("Emil Post");
    s.wait_for_text("Emil Post was created. Credentials sent to emil.post@example.com.");
    assert!(!s.has_button("Done"), "no hand-over panel once emailed");

    let credentials = s.eventually("waiting for the credentials email", || {
        sink.received()
            .into_iter()
            .find(|m| m.to == vec!["emil.post@example.com".to_owned()])
            .ok_or_else(|| "not received".to_string())
    });
    let text = credentials.part("text/plain").expect("a text part");
    let password = value_after(&text, "Password:");

    // Emil signs in with that password and the code emailed to him.
    s.sign_out();
    s.try_sign_in("emil.post@example.com", &password);
    s.wait_for_heading("Two-step verification");
    s.wait_for_text("We emailed you a 6-digit code.");
    let code_message = s.eventually("waiting for the sign-in code", || {
        sink.received()
            .into_iter()
            .filter(|m| m.to == vec!["emil.post@example.com".to_owned()])
            .find(|m| m.header("Subject").as_deref() == Some("Your Roster sign-in code"))
            .ok_or_else(|| "not received".to_string())
    });
    let code = value_after(
        &code_message.part("text/plain").expect("a text part"),
        "sign-in code is:",
    );
    s.fill("Code", &code);
    s.click_button("Verify");
    s.wait_for_heading("Users");
    assert!(s.has_button("Sign out"));
}
