//! The mail commands through Tauri's own IPC (mock runtime, the app's real
//! configuration and capability), against a real SMTP server on loopback:
//! the mail settings and their password in the keychain, the test message,
//! credentials sent on create and reset, and what happens without a mail
//! server.

#[path = "support/ipc.rs"]
mod ipc;

use ipc::Desktop;
#[path = "../crates/core/tests/smtp_sink/mod.rs"]
mod smtp_sink;

use roster_core::store::ADMINISTRATORS;
use roster_desktop::state::AppState;
use secrecy::ExposeSecret;
use serde_json::{json, Value};
use smtp_sink::{closed_port, Mode, Security, Sink, PASSWORD, USER};
use tauri::Manager;

const ADMIN_PASSWORD: &str = "violet-harbour-lantern-42";
const USER_PASSWORD: &str = "quiet-meadow-window-19";

impl Desktop {
    /// First run done: the administrator, signed in; no mail server yet.
    fn signed_in() -> Self {
        let desktop = Self::new();
        desktop.first_run("Ada Admin", "ada@example.com", ADMIN_PASSWORD);
        desktop
    }

    /// What this computer's (mock) keychain holds under `name`.
    fn keychain(&self, name: &str) -> Option<String> {
        self.app
            .state::<AppState>()
            .keychain()
            .get(name)
            .expect("the mock keychain answers")
            .map(|secret| secret.expose_secret().to_owned())
    }

    fn mail_configured(&self) -> bool {
        self.ok("app_status", json!({}))["mail_configured"]
            .as_bool()
            .expect("mail_configured")
    }

    /// Saves mail settings for the sink at `port` (no encryption: a relay on
    /// this computer), signing in as the sink's user.
    fn configure_mail(&self, port: u16, password: Option<&str>) -> Value {
        self.ok(
            "update_mail_settings",
            json!({"settings": settings(port, "none"), "password": password}),
        )
    }

    fn create_user(&self, email: &str, send_credentials: Option<bool>) -> Result<Value, Value> {
        let mut args = json!({"user": {
            "name": "Ann Lee", "email": email, "group_ids": [ADMINISTRATORS], "supervisor_id": null,
            "status": "enabled", "password": USER_PASSWORD, "must_change_password": true,
            "mask_client_data": false, "two_factor": "off"
        }});
        if let Some(send) = send_credentials {
            args["send_credentials"] = json!(send);
        }
        self.call("create_user", args)
    }
}

fn settings(port: u16, security: &str) -> Value {
    json!({
        "host": "127.0.0.1", "port": port, "security": security, "user": USER,
        "sender_address": "roster@example.com", "sender_name": "Roster at Example",
    })
}

fn keychain_name(port: u16) -> String {
    format!("smtp:{USER}@127.0.0.1:{port}")
}

#[test]
fn the_mail_password_is_kept_in_the_keychain_and_never_returned() {
    let desktop = Desktop::signed_in();
    let sink = Sink::accepting();
    assert_eq!(
        desktop.ok("mail_settings", json!({})),
        json!({"settings": null, "has_password": false})
    );
    assert!(!desktop.mail_configured());

    let saved = desktop.configure_mail(sink.port(), Some(PASSWORD));
    assert_eq!(saved["has_password"], true);
    assert_eq!(saved["settings"]["user"], USER);
    assert_eq!(saved["settings"]["security"], "none");
    assert!(!saved.to_string().contains(PASSWORD), "{saved}");
    assert_eq!(
        desktop.keychain(&keychain_name(sink.port())).as_deref(),
        Some(PASSWORD)
    );
    assert!(desktop.mail_configured());

    // null keeps the password; the page reads it back without it.
    let mut changed = settings(sink.port(), "none");
    changed["sender_name"] = json!("Roster");
    let kept = desktop.ok(
        "update_mail_settings",
        json!({"settings": changed, "password": null}),
    );
    assert_eq!(kept["has_password"], true);
    assert_eq!(kept["settings"]["sender_name"], "Roster");
    let read = desktop.ok("mail_settings", json!({}));
    assert_eq!(read, kept);
    assert!(!read.to_string().contains(PASSWORD));

    // Another account with no password kept or given is refused beside the password.
    let mut other = settings(sink.port(), "none");
    other["user"] = json!("someone-else");
    let error = desktop.refused(
        "update_mail_settings",
        json!({"settings": other, "password": null}),
    );
    assert_eq!(error["code"], "invalid_mail_setting");
    assert_eq!(error["field"], "password");

    // Bad values are placed beside their fields.
    let mut bad = settings(sink.port(), "none");
    bad["sender_address"] = json!("not an address");
    let error = desktop.refused(
        "update_mail_settings",
        json!({"settings": bad, "password": null}),
    );
    assert_eq!(error["field"], "sender_address");
    let mut bad = settings(sink.port(), "none");
    bad["host"] = json!("smtp.example.com");
    let error = desktop.refused(
        "update_mail_settings",
        json!({"settings": bad, "password": PASSWORD}),
    );
    assert_eq!(error["field"], "security", "no password over plain text");

    // Removing the mail server forgets its password.
    let removed = desktop.ok(
        "update_mail_settings",
        json!({"settings": null, "password": null}),
    );
    assert_eq!(removed, json!({"settings": null, "has_password": false}));
    assert_eq!(desktop.keychain(&keychain_name(sink.port())), None);
    assert!(!desktop.mail_configured());
}

#[test]
fn a_test_message_arrives_at_the_mail_server() {
    let desktop = Desktop::signed_in();
    let sink = Sink::accepting();
    desktop.configure_mail(sink.port(), Some(PASSWORD));
    desktop.ok("send_test_email", json!({"to": "bea@example.com"}));
    let message = sink.only();
    assert_eq!(message.to, vec!["bea@example.com".to_owned()]);
    assert_eq!(message.user.as_deref(), Some(USER));
    assert_eq!(
        message.header("Subject").as_deref(),
        Some("Roster test message")
    );
    let error = desktop.refused("send_test_email", json!({"to": "not an address"}));
    assert_eq!(error["field"], "email");
}

#[test]
fn a_failed_test_message_says_why() {
    let desktop = Desktop::signed_in();
    let failure = |port: u16, security: &str, password: &str| {
        desktop.ok(
            "update_mail_settings",
            json!({"settings": settings(port, security), "password": password}),
        );
        let error = desktop.refused("send_test_email", json!({"to": "bea@example.com"}));
        assert_eq!(error["code"], "mail_failed", "{error}");
        error["message"].as_str().unwrap_or_default().to_owned()
    };

    let refused = failure(closed_port(), "none", PASSWORD);
    assert!(refused.contains("refused the connection"), "{refused}");

    let sink = Sink::accepting();
    let wrong = failure(sink.port(), "none", "not-the-password");
    assert!(
        wrong.contains("did not accept the user name and password"),
        "{wrong}"
    );
    assert!(!wrong.contains("not-the-password"));

    let self_signed = Sink::start(Mode::Accept, Security::StartTls);
    let untrusted = failure(self_signed.port(), "starttls", PASSWORD);
    assert!(untrusted.contains("certificate"), "{untrusted}");
    assert!(
        self_signed.sign_ins().is_empty(),
        "no password is sent to an untrusted server"
    );
}

#[test]
fn credentials_are_emailed_on_create_and_on_reset_when_asked() {
    let desktop = Desktop::signed_in();
    let sink = Sink::accepting();
    desktop.configure_mail(sink.port(), Some(PASSWORD));

    let created = desktop
        .create_user("ann@example.com", Some(true))
        .expect("created");
    assert_eq!(created["delivery"], json!({"status": "sent"}));
    assert_eq!(created["generated_password"], Value::Null);
    assert_eq!(created["email"], "ann@example.com", "the user's fields");
    let message = sink.only();
    assert_eq!(message.to, vec!["ann@example.com".to_owned()]);
    assert!(message.part("text/plain").unwrap().contains(USER_PASSWORD));

    let reset = desktop.ok(
        "reset_password",
        json!({"id": created["id"], "password": "amber-river-candle-88",
               "must_change_password": true, "send_credentials": true}),
    );
    assert_eq!(reset["delivery"], json!({"status": "sent"}));
    let received = sink.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[1].to, vec!["ann@example.com".to_owned()]);
    assert!(received[1]
        .part("text/plain")
        .unwrap()
        .contains("amber-river-candle-88"));

    // Without the argument (older clients) nothing is sent.
    let quiet = desktop
        .create_user("bea@example.com", None)
        .expect("created");
    assert_eq!(quiet["delivery"], json!({"status": "not_requested"}));
    assert_eq!(quiet["name"], "Ann Lee");
    assert_eq!(sink.received().len(), 2);
}

#[test]
fn a_failed_send_leaves_the_user_created_and_says_why() {
    let desktop = Desktop::signed_in();
    desktop.configure_mail(closed_port(), Some(PASSWORD));
    let created = desktop
        .create_user("ann@example.com", Some(true))
        .expect("created although the email failed");
    assert_eq!(created["delivery"]["status"], "failed");
    assert!(created["delivery"]["reason"]
        .as_str()
        .unwrap()
        .contains("refused the connection"));
    let found = desktop.ok("get_user", json!({"id": created["id"]}));
    assert_eq!(found["email"], "ann@example.com");
    // Beside the user, what the administrator may do to them.
    assert_eq!(
        found["rights"],
        json!({"edit": true, "disable": true, "credentials": true, "delete": true})
    );
}

#[test]
fn without_a_mail_server_nothing_is_emailed_and_nothing_changes() {
    let desktop = Desktop::signed_in();
    let sink = Sink::accepting();
    desktop.configure_mail(sink.port(), Some(PASSWORD));
    desktop.ok(
        "update_mail_settings",
        json!({"settings": null, "password": null}),
    );
    assert!(!desktop.mail_configured());

    let error = desktop
        .create_user("ann@example.com", Some(true))
        .expect_err("no mail server to send through");
    assert_eq!(error["code"], "mail_not_configured");
    assert_eq!(
        desktop.ok("email_available", json!({"email": "ann@example.com"})),
        true,
        "the user was not created"
    );
    let error = desktop.refused("send_test_email", json!({"to": "bea@example.com"}));
    assert_eq!(error["code"], "mail_not_configured");

    let created = desktop
        .create_user("ann@example.com", Some(false))
        .expect("created");
    assert_eq!(created["delivery"], json!({"status": "not_requested"}));
    let error = desktop.refused(
        "reset_password",
        json!({"id": created["id"], "password": "amber-river-candle-88",
               "must_change_password": true, "send_credentials": true}),
    );
    assert_eq!(error["code"], "mail_not_configured");
    assert!(sink.received().is_empty());
}

#[test]
fn handing_over_needs_an_active_session() {
    let desktop = Desktop::signed_in();
    let sheet = json!({"name": "Ann Lee", "email": "ann@example.com",
                       "password": USER_PASSWORD, "must_change_password": true});
    desktop.ok("lock_session", json!({}));
    for (command, args) in [
        ("copy_secret", json!({"text": USER_PASSWORD})),
        ("save_credentials_sheet", sheet.clone()),
    ] {
        assert_eq!(
            desktop.refused(command, args)["code"],
            "session_locked",
            "{command}"
        );
    }
    desktop.ok("sign_out", json!({}));
    for (command, args) in [
        ("copy_secret", json!({"text": USER_PASSWORD})),
        ("save_credentials_sheet", sheet),
    ] {
        assert_eq!(
            desktop.refused(command, args)["code"],
            "not_signed_in",
            "{command}"
        );
    }
}

#[test]
fn a_disabled_user_and_a_reset_two_factor_are_told_by_email() {
    let desktop = Desktop::signed_in();
    let sink = Sink::accepting();
    desktop.configure_mail(sink.port(), Some(PASSWORD));
    let created = desktop
        .create_user("ann@example.com", None)
        .expect("created");
    let reset = desktop.ok("reset_two_factor", json!({"id": created["id"]}));
    desktop.ok(
        "set_user_status",
        json!({"id": created["id"], "status": "disabled", "version": reset["version"]}),
    );
    let subjects: Vec<String> = sink
        .received()
        .iter()
        .inspect(|message| assert_eq!(message.to, vec!["ann@example.com".to_owned()]))
        .filter_map(|message| message.header("Subject"))
        .collect();
    assert_eq!(
        subjects,
        [
            "Your Roster two-factor sign-in was reset",
            "Your Roster account was disabled"
        ]
    );
}
