//! Two-factor sign-in with codes sent by email: a fresh six-digit code per
//! sign-in, valid ten minutes, accepted once, void after five wrong attempts,
//! resent no more than twice a minute; offered only where mail can be sent.

mod support;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{Duration, Utc};
use roster_core::directory::{NewUser, PendingSignIn, SignIn};
use roster_core::domain::TwoFactor;
use roster_core::mail::{MailError, Mailer, Message};
use roster_core::password::PlainPassword;
use roster_core::store::TxMode;
use roster_core::{Error, Operator};
use support::*;

/// Keeps every message instead of sending it.
#[derive(Default)]
struct Outbox {
    sent: Mutex<Vec<Message>>,
}

#[async_trait]
impl Mailer for Outbox {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        self.sent.lock().unwrap().push(message.clone());
        Ok(())
    }
}

impl Outbox {
    fn count(&self) -> usize {
        self.sent.lock().unwrap().len()
    }

    /// The six-digit code in the last message.
    fn last_code(&self) -> String {
        let sent = self.sent.lock().unwrap();
        let message = sent.last().expect("a message was sent");
        message
            .text
            .split_whitespace()
            .find(|word| word.len() == 6 && word.bytes().all(|b| b.is_ascii_digit()))
            .expect("a code in the message")
            .to_owned()
    }
}

/// Refuses every message, like a mail server that is down.
struct Unreachable;

#[async_trait]
impl Mailer for Unreachable {
    async fn send(&self, _: &Message) -> Result<(), MailError> {
        Err(MailError::Unreachable {
            server: "mail.example.com:587".into(),
            detail: "connection refused".into(),
        })
    }
}

/// A world whose mail goes to an outbox, with an email-code user Ann Lee.
async fn world_with_mail(backend: Backend) -> (World, Arc<Outbox>) {
    let world = World::on(backend).await;
    let outbox = Arc::new(Outbox::default());
    world.directory.set_mailer(Some(outbox.clone()));
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
        .expect("email-code users can be created where mail works");
    (world, outbox)
}

const ANN: &str = "ann.lee@example.com";

async fn sign_in(world: &World) -> PendingSignIn {
    match world
        .directory
        .sign_in(ANN, &PlainPassword::new(GOOD_PASSWORD))
        .await
        .expect("password accepted")
    {
        SignIn::EmailCode(pending) => pending,
        other => panic!("expected an emailed code, got {other:?}"),
    }
}

async fn verify(world: &World, pending: &PendingSignIn, code: &str) -> Result<Operator, Error> {
    world.directory.verify_second_factor(pending, code).await
}

/// A code that is not `code`.
fn other_than(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

/// Moves the outstanding code's times back by `by`, as if time had passed.
async fn age_code(world: &World, pending: &PendingSignIn, by: Duration) {
    let id = pending.user_id();
    let mut tx = world.directory.store().begin(TxMode::Write).await.unwrap();
    let mut code = tx
        .email_code(id)
        .await
        .unwrap()
        .expect("an outstanding code");
    code.created_at -= by;
    code.expires_at -= by;
    tx.store_email_code(id, &code).await.unwrap();
    tx.commit().await.unwrap();
}

every_store!(an_emailed_code_finishes_the_sign_in_once);
async fn an_emailed_code_finishes_the_sign_in_once(backend: Backend) {
    let (world, outbox) = world_with_mail(backend).await;
    let pending = sign_in(&world).await;
    assert_eq!(outbox.count(), 1);
    let message = outbox.sent.lock().unwrap()[0].clone();
    assert_eq!(message.to.as_str(), ANN);
    let code = outbox.last_code();
    assert!(!message.subject.contains(&code), "{}", message.subject);
    assert!(message.html.contains(&code));

    let wrong = verify(&world, &pending, &other_than(&code)).await;
    assert!(matches!(wrong, Err(Error::SecondFactorFailed)), "{wrong:?}");
    let operator = verify(&world, &pending, &code).await.expect("right code");
    let me = world.directory.me(&operator).await.unwrap();
    assert_eq!(me.user.email.as_str(), ANN);
    assert_eq!(me.user.failed_sign_ins, 0);

    // Used once: the same code does not finish another sign-in.
    let again = verify(&world, &pending, &code).await;
    assert!(matches!(again, Err(Error::EmailCodeExpired)), "{again:?}");
    let next = sign_in(&world).await;
    assert_eq!(outbox.count(), 2);
    let old = verify(&world, &next, &code).await;
    assert!(
        matches!(old, Err(Error::SecondFactorFailed)) || outbox.last_code() == code,
        "{old:?}"
    );
}

every_store!(a_code_expires_after_ten_minutes);
async fn a_code_expires_after_ten_minutes(backend: Backend) {
    let (world, outbox) = world_with_mail(backend).await;
    let pending = sign_in(&world).await;
    let code = outbox.last_code();
    age_code(&world, &pending, Duration::minutes(9)).await;
    // Still good at nine minutes: prove it on a second code so this one stays unused.
    let mut tx = world.directory.store().begin(TxMode::Read).await.unwrap();
    let kept = tx.email_code(pending.user_id()).await.unwrap().unwrap();
    drop(tx);
    assert!(kept.expires_at > Utc::now());
    assert!(kept.expires_at <= Utc::now() + Duration::minutes(1));

    age_code(&world, &pending, Duration::minutes(1)).await;
    let late = verify(&world, &pending, &code).await;
    assert!(matches!(late, Err(Error::EmailCodeExpired)), "{late:?}");
    assert_eq!(late.unwrap_err().field(), Some("code"));
}

every_store!(the_fifth_wrong_attempt_voids_the_code);
async fn the_fifth_wrong_attempt_voids_the_code(backend: Backend) {
    let (world, outbox) = world_with_mail(backend).await;
    // Keep the account's own lockout out of the way of the code's limit.
    let mut settings = world.directory.settings(&world.admin).await.unwrap();
    settings.lockout_threshold = 20;
    world
        .directory
        .update_settings(&world.admin, &settings)
        .await
        .unwrap();
    let pending = sign_in(&world).await;
    let code = outbox.last_code();
    for _ in 0..5 {
        let wrong = verify(&world, &pending, &other_than(&code)).await;
        assert!(matches!(wrong, Err(Error::SecondFactorFailed)), "{wrong:?}");
    }
    let right_but_void = verify(&world, &pending, &code).await;
    assert!(
        matches!(right_but_void, Err(Error::EmailCodeExpired)),
        "{right_but_void:?}"
    );
    // Wrong codes counted toward the account's lockout too.
    let ann = world
        .directory
        .user_by_email(&world.admin, ANN)
        .await
        .unwrap();
    assert_eq!(ann.failed_sign_ins, 5);
}

every_store!(wrong_codes_lock_the_account_like_wrong_passwords);
async fn wrong_codes_lock_the_account_like_wrong_passwords(backend: Backend) {
    let (world, outbox) = world_with_mail(backend).await;
    let pending = sign_in(&world).await;
    let code = outbox.last_code();
    for _ in 0..5 {
        let _ = verify(&world, &pending, &other_than(&code)).await;
    }
    let ann = world
        .directory
        .user_by_email(&world.admin, ANN)
        .await
        .unwrap();
    assert!(ann.locked_until.is_some_and(|until| until > Utc::now()));
    let locked = verify(&world, &pending, &code).await;
    assert!(matches!(locked, Err(Error::SignInFailed)), "{locked:?}");
}

every_store!(a_new_code_waits_half_a_minute_and_replaces_the_old_one);
async fn a_new_code_waits_half_a_minute_and_replaces_the_old_one(backend: Backend) {
    let (world, outbox) = world_with_mail(backend).await;
    let pending = sign_in(&world).await;
    let first = outbox.last_code();
    let soon = world.directory.resend_email_code(&pending).await;
    assert!(
        matches!(soon, Err(Error::EmailCodeTooSoon { seconds }) if seconds > 0 && seconds <= 30),
        "{soon:?}"
    );
    assert_eq!(outbox.count(), 1);

    age_code(&world, &pending, Duration::seconds(31)).await;
    world.directory.resend_email_code(&pending).await.unwrap();
    assert_eq!(outbox.count(), 2);
    let second = outbox.last_code();
    if second != first {
        let old = verify(&world, &pending, &first).await;
        assert!(matches!(old, Err(Error::SecondFactorFailed)), "{old:?}");
    }
    verify(&world, &pending, &second)
        .await
        .expect("the newest code works");
}

every_store!(a_failed_send_says_so_and_keeps_no_usable_secret_in_the_audit);
async fn a_failed_send_says_so_and_keeps_no_usable_secret_in_the_audit(backend: Backend) {
    let (world, outbox) = world_with_mail(backend).await;
    world.directory.set_mailer(Some(Arc::new(Unreachable)));
    let failed = world
        .directory
        .sign_in(ANN, &PlainPassword::new(GOOD_PASSWORD))
        .await;
    match failed {
        Err(error @ Error::MailFailed { .. }) => {
            assert_eq!(error.code(), "mail_failed");
            assert!(error.to_string().contains("mail.example.com"), "{error}");
        }
        other => panic!("expected MailFailed, got {other:?}"),
    }

    world.directory.set_mailer(Some(outbox.clone()));
    let pending = sign_in(&world).await;
    let code = outbox.last_code();
    verify(&world, &pending, &code).await.unwrap();
    let audit = serde_json::to_string(&world.audit(Some(ANN)).await).unwrap();
    assert!(audit.contains("auth.email_code_sent"));
    assert!(!audit.contains(&code), "the code leaked into the audit log");
}

every_store!(without_mail_email_codes_are_neither_offered_nor_usable);
async fn without_mail_email_codes_are_neither_offered_nor_usable(backend: Backend) {
    let (world, _outbox) = world_with_mail(backend).await;
    world.directory.set_mailer(None);
    assert!(!world.directory.mail_configured());
    let refused = world
        .directory
        .sign_in(ANN, &PlainPassword::new(GOOD_PASSWORD))
        .await;
    assert!(
        matches!(refused, Err(Error::TwoFactorUnavailable)),
        "{refused:?}"
    );
    let sales = world
        .directory
        .group_by_name(&world.admin, "Sales")
        .await
        .unwrap();
    let create = world
        .directory
        .create_user(
            &world.admin,
            NewUser {
                two_factor: Some(TwoFactor::EmailCode),
                ..new_user("Bob Ray", &[sales.id])
            },
        )
        .await;
    assert!(
        matches!(create, Err(Error::EmailCodesNeedMail)),
        "{create:?}"
    );
}

every_store!(new_users_default_to_email_codes_only_where_mail_works);
async fn new_users_default_to_email_codes_only_where_mail_works(backend: Backend) {
    let (world, outbox) = world_with_mail(backend).await;
    let sales = world
        .directory
        .group_by_name(&world.admin, "Sales")
        .await
        .unwrap();
    let defaulted = |name: &str| NewUser {
        two_factor: None,
        ..new_user(name, &[sales.id])
    };
    let with_mail = world
        .directory
        .create_user(&world.admin, defaulted("Cy Twombly"))
        .await
        .unwrap()
        .user;
    assert_eq!(with_mail.two_factor, TwoFactor::EmailCode);
    assert_eq!(
        world
            .directory
            .settings(&world.admin)
            .await
            .unwrap()
            .default_two_factor,
        TwoFactor::EmailCode
    );

    // Chosen explicitly in settings, email codes still give way without mail.
    let mut settings = world.directory.settings(&world.admin).await.unwrap();
    settings.default_two_factor = TwoFactor::EmailCode;
    world
        .directory
        .update_settings(&world.admin, &settings)
        .await
        .unwrap();
    world.directory.set_mailer(None);
    let without_mail = world
        .directory
        .create_user(&world.admin, defaulted("Di Prima"))
        .await
        .unwrap()
        .user;
    assert_eq!(without_mail.two_factor, TwoFactor::Totp);

    // An explicit choice of the authenticator app stands where mail works.
    world.directory.set_mailer(Some(outbox));
    settings.default_two_factor = TwoFactor::Totp;
    world
        .directory
        .update_settings(&world.admin, &settings)
        .await
        .unwrap();
    let chosen = world
        .directory
        .create_user(&world.admin, defaulted("Ed Ruscha"))
        .await
        .unwrap()
        .user;
    assert_eq!(chosen.two_factor, TwoFactor::Totp);
}

every_store!(an_administrators_reset_voids_an_outstanding_code);
async fn an_administrators_reset_voids_an_outstanding_code(backend: Backend) {
    let (world, outbox) = world_with_mail(backend).await;
    let pending = sign_in(&world).await;
    let code = outbox.last_code();
    world
        .directory
        .reset_two_factor(&world.admin, pending.user_id())
        .await
        .unwrap();
    let void = verify(&world, &pending, &code).await;
    assert!(matches!(void, Err(Error::EmailCodeExpired)), "{void:?}");
}

every_store!(unlocking_the_screen_asks_for_the_password_and_sends_no_code);
async fn unlocking_the_screen_asks_for_the_password_and_sends_no_code(backend: Backend) {
    let (world, outbox) = world_with_mail(backend).await;
    let pending = sign_in(&world).await;
    let operator = verify(&world, &pending, &outbox.last_code()).await.unwrap();
    let sent = outbox.count();
    world
        .directory
        .confirm_password(&operator, &PlainPassword::new(GOOD_PASSWORD))
        .await
        .expect("the right password unlocks");
    let wrong = world
        .directory
        .confirm_password(&operator, &PlainPassword::new("not-the-password"))
        .await;
    assert!(matches!(wrong, Err(Error::SignInFailed)), "{wrong:?}");
    assert_eq!(outbox.count(), sent, "no code is emailed to unlock");
    let ann = world
        .directory
        .user_by_email(&world.admin, ANN)
        .await
        .unwrap();
    assert_eq!(
        ann.failed_sign_ins, 1,
        "a wrong password counts toward lockout"
    );
}
