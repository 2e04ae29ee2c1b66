//! Mail through a real SMTP conversation: the services send credentials,
//! notices, sign-in codes and test messages through `SmtpMailer` to a small
//! SMTP server on loopback (`smtp_sink`), and every way sending can fail
//! becomes a sentence a person can act on, without undoing the change.

mod smtp_sink;
mod support;

use std::sync::Arc;

use roster_core::directory::{NewUser, PasswordChoice, SignIn};
use roster_core::domain::{Email, Permission, Status, TwoFactor};
use roster_core::mail::{self, Delivery, MailError, Mailer};
use roster_core::password::{GeneratorOptions, PlainPassword};
use roster_core::smtp::{MailSecurity, MailSettings, SmtpMailer};
use roster_core::Error;
use secrecy::SecretString;
use smtp_sink::{closed_port, Mode, Received, Security, Sink, PASSWORD, USER};
use support::*;

const ANN: &str = "ann.lee@example.com";
const SENDER: &str = "roster@example.com";

fn secret(text: &str) -> Option<SecretString> {
    Some(SecretString::from(text.to_owned()))
}

/// Settings for a server on loopback at `port`, signing in as the sink's user.
fn settings(port: u16, security: MailSecurity) -> MailSettings {
    MailSettings {
        host: "127.0.0.1".into(),
        port,
        security,
        user: Some(USER.into()),
        sender_address: Email::parse(SENDER).unwrap(),
        sender_name: "Roster at Example".into(),
    }
}

fn mailer(port: u16, security: MailSecurity, password: &str) -> SmtpMailer {
    SmtpMailer::new(settings(port, security), secret(password)).expect("a mailer")
}

/// A directory whose mail settings name a server at `port` and whose
/// mailer signs in there with the sink's password.
async fn world_sending_to(port: u16) -> World {
    let world = World::new().await;
    let saved = world
        .directory
        .update_mail_settings(&world.admin, Some(settings(port, MailSecurity::None)))
        .await
        .expect("mail settings saved")
        .expect("settings");
    let mailer = SmtpMailer::new(saved, secret(PASSWORD)).expect("a mailer");
    world.directory.set_mailer(Some(Arc::new(mailer)));
    world
}

/// A test message to Ann, for calling a mailer directly.
fn hello() -> mail::Message {
    mail::test_message(&Email::parse(ANN).unwrap(), "ada@example.com")
}

/// The password line of a credentials email.
fn password_in(text: &str) -> String {
    text.lines()
        .find_map(|line| line.trim().strip_prefix("Password:"))
        .expect("a password line")
        .trim()
        .to_owned()
}

/// The six-digit code of a sign-in code email.
fn code_in(text: &str) -> String {
    text.split_whitespace()
        .find(|word| word.len() == 6 && word.bytes().all(|b| b.is_ascii_digit()))
        .expect("a code")
        .to_owned()
}

fn text_of(message: &Received) -> String {
    message.part("text/plain").expect("a plain-text part")
}

fn html_of(message: &Received) -> String {
    message.part("text/html").expect("an HTML part")
}

fn generate() -> PasswordChoice {
    PasswordChoice::Generate(GeneratorOptions::default())
}

#[tokio::test]
async fn a_new_users_credentials_arrive_by_email_and_work() {
    let sink = Sink::accepting();
    let world = world_sending_to(sink.port()).await;
    let sales = world.group("Sales", &[]).await;
    let created = world
        .directory
        .create_user_and_send(
            &world.admin,
            NewUser {
                password: generate(),
                must_change_password: true,
                ..new_user("Ann Lee", &[sales.id])
            },
            true,
        )
        .await
        .expect("created");
    assert_eq!(created.delivery, Delivery::Sent);
    assert!(
        created.generated_password.is_none(),
        "an emailed password is not handed out again"
    );

    let message = sink.only();
    assert_eq!(message.to, vec![ANN.to_owned()]);
    assert_eq!(message.from, SENDER);
    assert_eq!(message.user.as_deref(), Some(USER));
    assert_eq!(
        message.header("From").as_deref(),
        Some("\"Roster at Example\" <roster@example.com>")
    );
    assert_eq!(
        message.header("To").as_deref(),
        Some("\"Ann Lee\" <ann.lee@example.com>")
    );
    let subject = message.header("Subject").expect("a subject");
    assert_eq!(subject, "Your Roster account");
    assert!(message
        .header("Content-Type")
        .unwrap()
        .starts_with("multipart/alternative"));

    let text = text_of(&message);
    let html = html_of(&message);
    let password = password_in(&text);
    assert!(!subject.contains(&password));
    assert!(html.contains(&mail::escape_html(&password)), "{html}");
    assert!(text.contains(&format!("Email address: {ANN}")), "{text}");
    assert!(text.contains("asked to choose a new password"), "{text}");

    // The emailed password signs in (and must be changed).
    let signed_in = world
        .directory
        .sign_in(ANN, &PlainPassword::new(password.clone()))
        .await
        .expect("the emailed password works");
    assert!(matches!(signed_in, SignIn::Complete(_)));
    assert!(world.reload(&created.user).await.must_change_password);
    let audit = serde_json::to_string(&world.audit(Some(ANN)).await).unwrap();
    assert!(
        !audit.contains(&password),
        "the password leaked into the audit"
    );
}

#[tokio::test]
async fn a_reset_password_arrives_by_email() {
    let sink = Sink::accepting();
    let world = world_sending_to(sink.port()).await;
    let sales = world.group("Sales", &[]).await;
    let ann = world.user_in("Ann Lee", &[sales.id]).await;
    let reset = world
        .directory
        .reset_password_and_send(&world.admin, ann.id, generate(), true, true)
        .await
        .expect("reset");
    assert_eq!(reset.delivery, Delivery::Sent);
    assert!(reset.generated_password.is_none());
    assert!(reset.user.must_change_password);
    assert!(reset.user.version > ann.version);

    let message = sink.only();
    assert_eq!(message.to, vec![ANN.to_owned()]);
    assert_eq!(
        message.header("Subject").unwrap(),
        "Your new Roster password"
    );
    let password = password_in(&text_of(&message));
    assert!(world
        .directory
        .sign_in(ANN, &PlainPassword::new(password))
        .await
        .is_ok());
    let old = world
        .directory
        .sign_in(ANN, &PlainPassword::new(GOOD_PASSWORD))
        .await;
    assert!(matches!(old, Err(Error::SignInFailed)), "{old:?}");
}

#[tokio::test]
async fn without_a_request_nothing_is_sent_and_the_password_is_returned() {
    let sink = Sink::accepting();
    let world = world_sending_to(sink.port()).await;
    let sales = world.group("Sales", &[]).await;
    let created = world
        .directory
        .create_user_and_send(
            &world.admin,
            NewUser {
                password: generate(),
                ..new_user("Ann Lee", &[sales.id])
            },
            false,
        )
        .await
        .unwrap();
    assert_eq!(created.delivery, Delivery::NotRequested);
    assert!(created.generated_password.is_some());
    let reset = world
        .directory
        .reset_password_and_send(&world.admin, created.user.id, generate(), false, false)
        .await
        .unwrap();
    assert_eq!(reset.delivery, Delivery::NotRequested);
    assert!(reset.generated_password.is_some());
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn a_disabled_user_is_told() {
    let sink = Sink::accepting();
    let world = world_sending_to(sink.port()).await;
    let sales = world.group("Sales", &[]).await;
    let ann = world.user_in("Ann Lee", &[sales.id]).await;
    world
        .directory
        .set_status(&world.admin, ann.id, Status::Disabled, ann.version)
        .await
        .unwrap();
    let message = sink.only();
    assert_eq!(message.to, vec![ANN.to_owned()]);
    assert_eq!(
        message.header("Subject").unwrap(),
        "Your Roster account was disabled"
    );
    assert!(text_of(&message).contains("can no longer sign in"));

    // Enabling again sends nothing.
    let ann = world.reload(&ann).await;
    world
        .directory
        .set_status(&world.admin, ann.id, Status::Enabled, ann.version)
        .await
        .unwrap();
    assert_eq!(sink.received().len(), 1);
}

#[tokio::test]
async fn a_user_whose_two_factor_was_reset_is_told() {
    let sink = Sink::accepting();
    let world = world_sending_to(sink.port()).await;
    let sales = world.group("Sales", &[]).await;
    let ann = world
        .directory
        .create_user(
            &world.admin,
            NewUser {
                two_factor: Some(TwoFactor::Totp),
                ..new_user("Ann Lee", &[sales.id])
            },
        )
        .await
        .unwrap()
        .user;
    world
        .directory
        .reset_two_factor(&world.admin, ann.id)
        .await
        .unwrap();
    let message = sink.only();
    assert_eq!(message.to, vec![ANN.to_owned()]);
    assert_eq!(
        message.header("Subject").unwrap(),
        "Your Roster two-factor sign-in was reset"
    );
    assert!(text_of(&message).contains("authenticator app"));
}

#[tokio::test]
async fn a_notice_that_cannot_be_sent_does_not_fail_the_change() {
    let world = world_sending_to(closed_port()).await;
    let sales = world.group("Sales", &[]).await;
    let ann = world.user_in("Ann Lee", &[sales.id]).await;
    let disabled = world
        .directory
        .set_status(&world.admin, ann.id, Status::Disabled, ann.version)
        .await
        .expect("disabled although the notice failed");
    assert_eq!(disabled.status, Status::Disabled);
    let audit = world.audit(Some(ANN)).await;
    let failed = audit
        .iter()
        .find(|event| event.action == "mail.failed")
        .expect("the failure is in the audit log");
    let fields: Vec<&str> = failed.changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["message", "reason"]);
    assert_eq!(failed.changes[0].after, "account_disabled");
    let reason = failed.changes[1].after.as_str().unwrap();
    assert!(
        reason.contains("refused the connection or could not be reached"),
        "{reason}"
    );
}

#[tokio::test]
async fn an_emailed_sign_in_code_arrives_over_smtp_and_signs_in() {
    let sink = Sink::accepting();
    let world = world_sending_to(sink.port()).await;
    let sales = world.group("Sales", &[]).await;
    world
        .directory
        .create_user(
            &world.admin,
            NewUser {
                two_factor: Some(TwoFactor::EmailCode),
                ..new_user("Ann Lee", &[sales.id])
            },
        )
        .await
        .unwrap();
    let pending = match world
        .directory
        .sign_in(ANN, &PlainPassword::new(GOOD_PASSWORD))
        .await
        .unwrap()
    {
        SignIn::EmailCode(pending) => pending,
        other => panic!("expected an emailed code, got {other:?}"),
    };
    let message = sink.only();
    assert_eq!(message.to, vec![ANN.to_owned()]);
    let code = code_in(&text_of(&message));
    assert!(!message.header("Subject").unwrap().contains(&code));
    assert!(html_of(&message).contains(&code));
    let operator = world
        .directory
        .verify_second_factor(&pending, &code)
        .await
        .expect("the emailed code signs in");
    assert_eq!(
        world
            .directory
            .me(&operator)
            .await
            .unwrap()
            .user
            .email
            .as_str(),
        ANN
    );
}

#[tokio::test]
async fn an_unreachable_server_leaves_the_user_created_with_the_password_to_hand_over() {
    let world = world_sending_to(closed_port()).await;
    let sales = world.group("Sales", &[]).await;
    let created = world
        .directory
        .create_user_and_send(
            &world.admin,
            NewUser {
                password: generate(),
                ..new_user("Ann Lee", &[sales.id])
            },
            true,
        )
        .await
        .expect("created although the mail failed");
    let Delivery::Failed { reason } = &created.delivery else {
        panic!("expected a failed delivery, got {:?}", created.delivery);
    };
    assert!(
        reason.contains("refused the connection or could not be reached"),
        "{reason}"
    );
    assert!(reason.contains("127.0.0.1"), "{reason}");
    let password = created
        .generated_password
        .as_ref()
        .expect("the generated password, for the hand-over");
    let found = world
        .directory
        .user_by_email(&world.admin, ANN)
        .await
        .expect("the user exists");
    assert_eq!(found.id, created.user.id);
    assert!(world.directory.sign_in(ANN, password).await.is_ok());

    let audit = serde_json::to_string(&world.audit(Some(ANN)).await).unwrap();
    assert!(audit.contains("mail.failed"), "{audit}");
    assert!(audit.contains("credentials"), "{audit}");
    assert!(!audit.contains(password.expose()), "the password leaked");
}

#[tokio::test]
async fn a_refused_password_says_so() {
    let sink = Sink::accepting();
    let wrong = mailer(sink.port(), MailSecurity::None, "not-the-password");
    let error = wrong.send(&hello()).await.unwrap_err();
    assert!(matches!(error, MailError::Credentials { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!(
            "The mail server 127.0.0.1:{} did not accept the user name and password.",
            sink.port()
        )
    );
    assert!(!format!("{error} {error:?}").contains("not-the-password"));
    assert!(matches!(
        wrong.test_connection().await,
        Err(MailError::Credentials { .. })
    ));

    let refusing = Sink::start(Mode::RefuseAuth, Security::Plain);
    let right = mailer(refusing.port(), MailSecurity::None, PASSWORD);
    assert!(matches!(
        right.send(&hello()).await,
        Err(MailError::Credentials { .. })
    ));
    assert!(refusing.received().is_empty());
}

#[tokio::test]
async fn a_refused_recipient_carries_the_servers_words() {
    let sink = Sink::start(Mode::RejectRecipient, Security::Plain);
    let error = mailer(sink.port(), MailSecurity::None, PASSWORD)
        .send(&hello())
        .await
        .unwrap_err();
    match &error {
        MailError::Refused { detail, .. } => {
            assert!(detail.contains("550"), "{detail}");
            assert!(detail.contains("Recipient address rejected"), "{detail}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_self_signed_certificate_is_refused_before_any_password_is_sent() {
    for (security, sink_security) in [
        (MailSecurity::StartTls, Security::StartTls),
        (MailSecurity::Tls, Security::ImplicitTls),
    ] {
        let sink = Sink::start(Mode::Accept, sink_security);
        let error = mailer(sink.port(), security, PASSWORD)
            .send(&hello())
            .await
            .unwrap_err();
        match &error {
            MailError::Certificate { detail, .. } => {
                assert!(detail.contains("self-signed"), "{security}: {detail}");
            }
            other => panic!("{security}: expected a certificate error, got {other:?}"),
        }
        assert!(error.to_string().contains("cannot be trusted"), "{error}");
        assert!(sink.sign_ins().is_empty(), "{security}: signed in anyway");
        assert!(sink.received().is_empty());
    }
}

#[tokio::test]
async fn starttls_is_required_when_chosen() {
    // A server that does not offer STARTTLS gets no password in the clear.
    let sink = Sink::accepting();
    let error = mailer(sink.port(), MailSecurity::StartTls, PASSWORD)
        .send(&hello())
        .await
        .unwrap_err();
    assert!(matches!(error, MailError::Settings { .. }), "{error:?}");
    assert!(error.to_string().contains("STARTTLS"), "{error}");
    assert!(sink.sign_ins().is_empty());
}

#[tokio::test]
async fn the_test_message_goes_to_the_address_given() {
    let sink = Sink::accepting();
    let world = world_sending_to(sink.port()).await;
    world
        .directory
        .send_test_email(&world.admin, "it@example.com")
        .await
        .expect("sent");
    let message = sink.only();
    assert_eq!(message.to, vec!["it@example.com".to_owned()]);
    assert_eq!(message.header("Subject").unwrap(), "Roster test message");
    assert!(text_of(&message).contains("ada@example.com"));

    let bad = world
        .directory
        .send_test_email(&world.admin, "nobody")
        .await;
    assert!(matches!(bad, Err(Error::InvalidEmail { .. })), "{bad:?}");
    let (_, viewer) = world
        .operator_with("Val Viewer", &[Permission::UsersView])
        .await;
    let refused = world
        .directory
        .send_test_email(&viewer, "it@example.com")
        .await;
    assert!(
        matches!(refused, Err(Error::PermissionDenied { .. })),
        "{refused:?}"
    );
    assert_eq!(sink.received().len(), 1);
}

#[tokio::test]
async fn a_failed_test_message_says_why() {
    let world = world_sending_to(closed_port()).await;
    let failed = world
        .directory
        .send_test_email(&world.admin, "it@example.com")
        .await;
    match failed {
        Err(error @ Error::MailFailed { .. }) => {
            assert_eq!(error.code(), "mail_failed");
            assert!(
                error
                    .to_string()
                    .contains("refused the connection or could not be reached"),
                "{error}"
            );
        }
        other => panic!("expected MailFailed, got {other:?}"),
    }
    let sink = Sink::accepting();
    assert!(mailer(sink.port(), MailSecurity::None, PASSWORD)
        .test_connection()
        .await
        .is_ok());
    assert_eq!(sink.sign_ins(), vec![USER.to_owned()]);
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn without_a_mail_server_sending_is_refused_and_nothing_changes() {
    let world = World::new().await;
    let sales = world.group("Sales", &[]).await;
    let ann = world.user_in("Ann Lee", &[sales.id]).await;
    let before = world.snapshot().await;

    let refused = world
        .directory
        .create_user_and_send(&world.admin, new_user("Bob Ray", &[sales.id]), true)
        .await;
    match refused {
        Err(error @ Error::MailNotConfigured { .. }) => {
            assert_eq!(error.code(), "mail_not_configured");
            assert_eq!(
                error.to_string(),
                "No mail server is configured; hand the credentials over in person."
            );
        }
        other => panic!("expected MailNotConfigured, got {other:?}"),
    }
    let refused = world
        .directory
        .reset_password_and_send(&world.admin, ann.id, generate(), true, true)
        .await;
    assert!(
        matches!(refused, Err(Error::MailNotConfigured { .. })),
        "{refused:?}"
    );
    let refused = world
        .directory
        .send_test_email(&world.admin, "it@example.com")
        .await;
    assert!(
        matches!(refused, Err(Error::MailNotConfigured { .. })),
        "{refused:?}"
    );
    assert_eq!(world.snapshot().await, before);
    assert!(world
        .directory
        .sign_in(ANN, &PlainPassword::new(GOOD_PASSWORD))
        .await
        .is_ok());
}

#[tokio::test]
async fn mail_settings_are_checked_kept_and_audited_without_a_password() {
    let world = World::new().await;
    assert_eq!(
        world.directory.mail_settings(&world.admin).await.unwrap(),
        None
    );
    assert_eq!(world.directory.load_mail_settings().await.unwrap(), None);

    let bad = |change: fn(&mut MailSettings)| {
        let mut settings = settings(587, MailSecurity::StartTls);
        change(&mut settings);
        settings
    };
    for (wrong, field) in [
        (bad(|s| s.host = String::new()), "host"),
        (bad(|s| s.host = "smtp example.com".into()), "host"),
        (bad(|s| s.port = 0), "port"),
        (
            bad(|s| s.sender_name = "Roster\nBcc: all@example.com".into()),
            "sender_name",
        ),
        (
            bad(|s| {
                s.host = "smtp.example.com".into();
                s.security = MailSecurity::None;
            }),
            "security",
        ),
    ] {
        let error = world
            .directory
            .update_mail_settings(&world.admin, Some(wrong))
            .await
            .unwrap_err();
        assert_eq!(error.code(), "invalid_mail_setting", "{error}");
        assert_eq!(error.field(), Some(field), "{error}");
    }
    assert_eq!(world.directory.load_mail_settings().await.unwrap(), None);

    let wanted = MailSettings {
        host: " smtp.example.com ".into(),
        ..settings(587, MailSecurity::StartTls)
    };
    let saved = world
        .directory
        .update_mail_settings(&world.admin, Some(wanted))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(saved.host, "smtp.example.com");
    assert_eq!(
        world.directory.mail_settings(&world.admin).await.unwrap(),
        Some(saved.clone())
    );
    assert_eq!(
        world.directory.load_mail_settings().await.unwrap(),
        Some(saved.clone())
    );
    assert_eq!(
        saved.keychain_name(),
        format!("smtp:{USER}@smtp.example.com:587")
    );

    let moved = MailSettings {
        port: 465,
        security: MailSecurity::Tls,
        ..saved.clone()
    };
    world
        .directory
        .update_mail_settings(&world.admin, Some(moved))
        .await
        .unwrap();
    let events = world.audit(Some("mail")).await;
    let mail_events: Vec<_> = events
        .iter()
        .filter(|e| e.action == "settings.mail")
        .collect();
    assert_eq!(mail_events.len(), 2);
    // Newest first: the move changed only the port and the security.
    let fields: Vec<&str> = mail_events[0]
        .changes
        .iter()
        .map(|c| c.field.as_str())
        .collect();
    assert_eq!(fields, ["port", "security"]);
    assert_eq!(mail_events[0].changes[0].before, 587);
    assert_eq!(mail_events[0].changes[0].after, 465);
    let first: Vec<&str> = mail_events[1]
        .changes
        .iter()
        .map(|c| c.field.as_str())
        .collect();
    assert_eq!(
        first,
        [
            "host",
            "port",
            "security",
            "user",
            "sender_address",
            "sender_name"
        ]
    );
    let audit = serde_json::to_string(&events).unwrap().to_lowercase();
    assert!(!audit.contains("password"), "{audit}");

    let (_, viewer) = world
        .operator_with("Val Viewer", &[Permission::UsersView])
        .await;
    assert!(matches!(
        world.directory.mail_settings(&viewer).await,
        Err(Error::PermissionDenied { .. })
    ));
    assert!(matches!(
        world.directory.update_mail_settings(&viewer, None).await,
        Err(Error::PermissionDenied { .. })
    ));
}

#[tokio::test]
async fn mail_cannot_be_removed_while_users_sign_in_with_email_codes() {
    let sink = Sink::accepting();
    let world = world_sending_to(sink.port()).await;
    let sales = world.group("Sales", &[]).await;
    let ann = world
        .directory
        .create_user(
            &world.admin,
            NewUser {
                two_factor: Some(TwoFactor::EmailCode),
                ..new_user("Ann Lee", &[sales.id])
            },
        )
        .await
        .unwrap()
        .user;
    let refused = world
        .directory
        .update_mail_settings(&world.admin, None)
        .await;
    match refused {
        Err(error @ Error::MailNeededForEmailCodes { .. }) => {
            assert_eq!(error.code(), "mail_needed_for_email_codes");
            assert!(error
                .to_string()
                .starts_with("1 user(s) sign in with email codes"));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(world.directory.mail_configured());
    assert!(world
        .directory
        .load_mail_settings()
        .await
        .unwrap()
        .is_some());

    world
        .directory
        .update_user(
            &world.admin,
            ann.id,
            roster_core::directory::UserChanges {
                version: ann.version,
                two_factor: Some(TwoFactor::Totp),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let removed = world
        .directory
        .update_mail_settings(&world.admin, None)
        .await
        .unwrap();
    assert_eq!(removed, None);
    assert_eq!(world.directory.load_mail_settings().await.unwrap(), None);
    assert!(!world.directory.mail_configured());
    let event = world
        .audit(Some("mail"))
        .await
        .into_iter()
        .find(|e| e.action == "settings.mail")
        .unwrap();
    assert!(event
        .changes
        .iter()
        .all(|c| c.after.is_null() && !c.before.is_null()));
}

#[tokio::test]
async fn a_mailer_without_stored_settings_still_guards_email_code_users() {
    let sink = Sink::accepting();
    let world = World::new().await;
    world.directory.set_mailer(Some(Arc::new(mailer(
        sink.port(),
        MailSecurity::None,
        PASSWORD,
    ))));
    let sales = world.group("Sales", &[]).await;
    world
        .directory
        .create_user(
            &world.admin,
            NewUser {
                two_factor: Some(TwoFactor::EmailCode),
                ..new_user("Ann Lee", &[sales.id])
            },
        )
        .await
        .unwrap();
    let refused = world
        .directory
        .update_mail_settings(&world.admin, None)
        .await;
    assert!(
        matches!(refused, Err(Error::MailNeededForEmailCodes { users: 1 })),
        "{refused:?}"
    );
    assert!(world.directory.mail_configured());
}
