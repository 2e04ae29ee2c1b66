//! Two-factor sign-in with an authenticator app: enrolment, codes accepted
//! once, recovery codes, lockout, the administrator's reset, and methods
//! this installation cannot carry out.

mod support;

use chrono::Utc;
use roster_core::directory::{NewUser, PendingSignIn, SignIn};
use roster_core::domain::TwoFactor;
use roster_core::password::PlainPassword;
use roster_core::two_factor::current_code;
use roster_core::Error;
use support::*;

async fn sign_in(world: &World, email: &str) -> SignIn {
    world
        .directory
        .sign_in(email, &PlainPassword::new(GOOD_PASSWORD))
        .await
        .expect("password accepted")
}

fn pending(outcome: SignIn) -> PendingSignIn {
    match outcome {
        SignIn::SecondFactor(p) | SignIn::TotpEnrolment(p) | SignIn::EmailCode(p) => p,
        SignIn::Complete(_) => panic!("expected a pending sign-in"),
    }
}

fn now() -> u64 {
    u64::try_from(Utc::now().timestamp()).expect("after 1970")
}

every_store!(a_totp_user_enrols_then_signs_in_with_a_code_or_a_recovery_code);
async fn a_totp_user_enrols_then_signs_in_with_a_code_or_a_recovery_code(backend: Backend) {
    let world = World::on(backend).await;
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

    let first = sign_in(&world, "ann.lee@example.com").await;
    assert!(matches!(first, SignIn::TotpEnrolment(_)), "{first:?}");
    let first = pending(first);
    let enrolment = world.directory.begin_totp_enrolment(&first).await.unwrap();
    assert!(enrolment.uri.contains("Roster"));
    let wrong = world
        .directory
        .finish_totp_enrolment(&first, "000000")
        .await;
    assert!(
        matches!(wrong, Err(Error::SecondFactorFailed))
            || current_code(&enrolment.secret, now()).unwrap() == "000000"
    );
    let code = current_code(&enrolment.secret, now()).unwrap();
    let (operator, recovery) = world
        .directory
        .finish_totp_enrolment(&first, &code)
        .await
        .unwrap();
    assert_eq!(world.directory.me(&operator).await.unwrap().user.id, ann.id);
    assert_eq!(recovery.len(), 10);

    // The next sign-in owes a code; the enrolment's code is not accepted twice.
    let second = sign_in(&world, "ann.lee@example.com").await;
    assert!(matches!(second, SignIn::SecondFactor(_)), "{second:?}");
    let second = pending(second);
    let reused = world.directory.verify_second_factor(&second, &code).await;
    assert!(
        matches!(reused, Err(Error::SecondFactorFailed)),
        "{reused:?}"
    );
    // A recovery code works once, in any case and without the hyphen.
    let spoken = recovery[3].to_lowercase().replace('-', "");
    world
        .directory
        .verify_second_factor(&second, &spoken)
        .await
        .unwrap();
    let third = pending(sign_in(&world, "ann.lee@example.com").await);
    let again = world
        .directory
        .verify_second_factor(&third, &recovery[3])
        .await;
    assert!(matches!(again, Err(Error::SecondFactorFailed)), "{again:?}");
    world
        .directory
        .verify_second_factor(&third, &recovery[4])
        .await
        .unwrap();

    let actions: Vec<String> = world
        .audit(Some("ann.lee@example.com"))
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"user.enrol_totp".to_owned()));
    assert!(actions.contains(&"auth.second_factor_failed".to_owned()));
    assert_eq!(actions.iter().filter(|a| *a == "auth.sign_in").count(), 3);
    let log = serde_json::to_string(&world.audit(None).await).unwrap();
    assert!(
        !log.contains(&enrolment.secret) && !log.contains(&recovery[0]),
        "a secret reached the audit log"
    );
}

every_store!(wrong_codes_lock_the_account_and_a_reset_means_enrolling_again);
async fn wrong_codes_lock_the_account_and_a_reset_means_enrolling_again(backend: Backend) {
    let world = World::on(backend).await;
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
    let first = pending(sign_in(&world, "ann.lee@example.com").await);
    let enrolment = world.directory.begin_totp_enrolment(&first).await.unwrap();
    let code = current_code(&enrolment.secret, now()).unwrap();
    world
        .directory
        .finish_totp_enrolment(&first, &code)
        .await
        .unwrap();

    let next = pending(sign_in(&world, "ann.lee@example.com").await);
    for _ in 0..5 {
        let wrong = world.directory.verify_second_factor(&next, "12345x").await;
        assert!(matches!(wrong, Err(Error::SecondFactorFailed)), "{wrong:?}");
    }
    assert!(world
        .reload(&ann)
        .await
        .locked_until
        .is_some_and(|until| until > Utc::now()));
    let locked = world
        .directory
        .sign_in("ann.lee@example.com", &PlainPassword::new(GOOD_PASSWORD))
        .await;
    assert!(matches!(locked, Err(Error::SignInFailed)), "{locked:?}");

    world
        .directory
        .unlock_user(&world.admin, ann.id)
        .await
        .unwrap();
    world
        .directory
        .reset_two_factor(&world.admin, ann.id)
        .await
        .unwrap();
    let after_reset = sign_in(&world, "ann.lee@example.com").await;
    assert!(
        matches!(after_reset, SignIn::TotpEnrolment(_)),
        "{after_reset:?}"
    );
}

every_store!(email_codes_are_refused_while_no_mail_server_exists);
async fn email_codes_are_refused_while_no_mail_server_exists(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[]).await;
    let before = world.snapshot().await;
    let result = world
        .directory
        .create_user(
            &world.admin,
            NewUser {
                two_factor: Some(TwoFactor::EmailCode),
                ..new_user("Ann Lee", &[sales.id])
            },
        )
        .await;
    match result {
        Err(error @ Error::EmailCodesNeedMail) => assert_eq!(error.field(), Some("two_factor")),
        other => panic!("expected EmailCodesNeedMail, got {other:?}"),
    }
    assert_eq!(world.snapshot().await, before);
}

every_store!(new_users_get_the_authenticator_app_unless_another_method_is_chosen);
async fn new_users_get_the_authenticator_app_unless_another_method_is_chosen(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[]).await;
    let defaulted = world
        .directory
        .create_user(
            &world.admin,
            NewUser {
                two_factor: None,
                ..new_user("Dee Default", &[sales.id])
            },
        )
        .await
        .unwrap()
        .user;
    assert_eq!(defaulted.two_factor, TwoFactor::Totp);
    let first = world
        .directory
        .sign_in(
            "dee.default@example.com",
            &PlainPassword::new(GOOD_PASSWORD),
        )
        .await
        .unwrap();
    assert!(matches!(first, SignIn::TotpEnrolment(_)), "{first:?}");
}
