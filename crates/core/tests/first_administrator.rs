//! The first administrator holds every right, so they get a second factor
//! like anyone else: the method that works here unless "off" is asked for
//! (and then audited), and while any enabled administrator has none, the
//! directory says so to those who may hear it.

mod support;

use std::sync::Arc;

use chrono::Utc;
use roster_core::directory::SignIn;
use roster_core::domain::{Permission, Status, TwoFactor};
use roster_core::mail::{MailError, Mailer, Message};
use roster_core::model::{AuditEvent, AuditQuery};
use roster_core::password::PlainPassword;
use roster_core::two_factor::current_code;
use roster_core::{Directory, Error, Operator};
use support::*;

const ADA: &str = "ada@example.com";

/// Accepts every message: a directory that can send mail.
struct Discard;

#[async_trait::async_trait]
impl Mailer for Discard {
    async fn send(&self, _: &Message) -> Result<(), MailError> {
        Ok(())
    }
}

async fn sign_in(directory: &Directory) -> SignIn {
    directory
        .sign_in(ADA, &PlainPassword::new(GOOD_PASSWORD))
        .await
        .expect("password accepted")
}

async fn every_event(directory: &Directory) -> Vec<AuditEvent> {
    let admin = directory
        .act_as(ADA)
        .await
        .expect("act as the administrator");
    directory
        .audit_events(
            &admin,
            &AuditQuery {
                limit: 1000,
                ..AuditQuery::default()
            },
        )
        .await
        .expect("audit")
}

fn now() -> u64 {
    u64::try_from(Utc::now().timestamp()).expect("after 1970")
}

every_store!(the_first_administrator_sets_up_the_authenticator_app_before_signing_in);
async fn the_first_administrator_sets_up_the_authenticator_app_before_signing_in(backend: Backend) {
    let empty = EmptyDirectory::on(backend).await;
    let directory = &empty.directory;
    let created = directory
        .initialize("Ada Admin", ADA, password(GOOD_PASSWORD), None)
        .await
        .expect("initialize");
    assert_eq!(created.user.two_factor, TwoFactor::Totp);

    let SignIn::TotpEnrolment(pending) = sign_in(directory).await else {
        panic!("the first administrator signed in without setting up a second factor");
    };
    let enrolment = directory.begin_totp_enrolment(&pending).await.unwrap();
    assert!(
        enrolment.uri.starts_with("otpauth://totp/"),
        "{}",
        enrolment.uri
    );
    let code = current_code(&enrolment.secret, now()).unwrap();
    let (operator, recovery_codes) = directory
        .finish_totp_enrolment(&pending, &code)
        .await
        .expect("the first code confirms the set-up");
    assert_eq!(operator.id(), created.user.id);
    assert_eq!(recovery_codes.len(), 10);
    // From now on the password alone is not enough.
    assert!(matches!(sign_in(directory).await, SignIn::SecondFactor(_)));

    let events = every_event(directory).await;
    let setup = events
        .iter()
        .find(|e| e.action == "directory.initialize")
        .expect("the set-up is audited");
    assert!(
        setup
            .changes
            .iter()
            .any(|c| c.field == "two_factor" && c.after == "totp"),
        "{setup:?}"
    );
    assert!(!events
        .iter()
        .any(|e| e.action == "directory.initialize_without_two_factor"));
}

every_store!(with_mail_the_first_administrator_gets_email_codes);
async fn with_mail_the_first_administrator_gets_email_codes(backend: Backend) {
    let empty = EmptyDirectory::on(backend).await;
    empty.directory.set_mailer(Some(Arc::new(Discard)));
    let created = empty
        .directory
        .initialize("Ada Admin", ADA, password(GOOD_PASSWORD), None)
        .await
        .expect("initialize");
    assert_eq!(created.user.two_factor, TwoFactor::EmailCode);
    assert!(matches!(
        sign_in(&empty.directory).await,
        SignIn::EmailCode(_)
    ));
}

every_store!(email_codes_for_the_first_administrator_need_mail);
async fn email_codes_for_the_first_administrator_need_mail(backend: Backend) {
    let empty = EmptyDirectory::on(backend).await;
    let refused = empty
        .directory
        .initialize(
            "Ada Admin",
            ADA,
            password(GOOD_PASSWORD),
            Some(TwoFactor::EmailCode),
        )
        .await;
    assert!(
        matches!(refused, Err(Error::EmailCodesNeedMail)),
        "{refused:?}"
    );
    assert!(!empty.directory.is_initialized().await.unwrap());
}

every_store!(a_first_administrator_without_a_second_factor_is_asked_for_and_audited);
async fn a_first_administrator_without_a_second_factor_is_asked_for_and_audited(backend: Backend) {
    let empty = EmptyDirectory::on(backend).await;
    let directory = &empty.directory;
    let created = directory
        .initialize(
            "Ada Admin",
            ADA,
            password(GOOD_PASSWORD),
            Some(TwoFactor::Off),
        )
        .await
        .expect("initialize");
    assert_eq!(created.user.two_factor, TwoFactor::Off);
    assert!(matches!(sign_in(directory).await, SignIn::Complete(_)));

    let events = every_event(directory).await;
    let choice = events
        .iter()
        .find(|e| e.action == "directory.initialize_without_two_factor")
        .expect("the choice of no second factor is audited");
    assert_eq!(choice.target_id, Some(created.user.id.0));
    assert!(
        choice
            .changes
            .iter()
            .any(|c| c.field == "two_factor" && c.after == "off"),
        "{choice:?}"
    );

    let admin = directory.act_as(ADA).await.unwrap();
    let warning = directory
        .administrators_without_second_factor(&admin)
        .await
        .unwrap();
    assert_eq!(warning.count, 1);
    let names: Vec<&str> = warning
        .administrators
        .iter()
        .flatten()
        .map(|a| a.email.as_str())
        .collect();
    assert_eq!(names, vec![ADA]);
}

every_store!(only_enabled_administrators_without_a_second_factor_are_reported);
async fn only_enabled_administrators_without_a_second_factor_are_reported(backend: Backend) {
    let world = World::on(backend).await;
    let report = |operator: &Operator| {
        let operator = *operator;
        let directory = &world.directory;
        async move {
            directory
                .administrators_without_second_factor(&operator)
                .await
        }
    };
    // The first administrator has the authenticator app; fixture users in
    // other groups have no second factor, and do not count.
    let sales = world.group("Sales", &[]).await;
    world.user_in("Nora Normal", &[sales.id]).await;
    let none = report(&world.admin).await.unwrap();
    assert!(!none.any());
    assert_eq!(none.administrators, Some(Vec::new()));

    // A second administrator without one does.
    let (olaf, _) = world.second_admin("Olaf Open").await;
    assert_eq!(olaf.two_factor, TwoFactor::Off);
    let one = report(&world.admin).await.unwrap();
    assert!(one.any());
    assert_eq!(one.count, 1);
    let named: Vec<&str> = one
        .administrators
        .iter()
        .flatten()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(named, vec!["Olaf Open"]);

    // Who may hear it: users.view sees names, settings.manage only the count,
    // anyone else nothing.
    let (_, viewer) = world
        .operator_with("Vera Viewer", &[Permission::UsersView])
        .await;
    assert_eq!(report(&viewer).await.unwrap(), one);
    let (_, manager) = world
        .operator_with("Sid Settings", &[Permission::SettingsManage])
        .await;
    let counted = report(&manager).await.unwrap();
    assert_eq!(counted.count, 1);
    assert_eq!(counted.administrators, None);
    let (_, clerk) = world
        .operator_with("Cleo Clerk", &[Permission::ClientsView])
        .await;
    let refused = report(&clerk).await;
    assert!(
        matches!(refused, Err(Error::PermissionDenied { .. })),
        "{refused:?}"
    );

    // A disabled administrator cannot sign in, so is no longer reported.
    let olaf = world.reload(&olaf).await;
    world
        .directory
        .set_status(&world.admin, olaf.id, Status::Disabled, olaf.version)
        .await
        .expect("disable");
    assert!(!report(&world.admin).await.unwrap().any());
}
