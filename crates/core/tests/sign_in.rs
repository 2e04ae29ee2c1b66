//! Sign-in security in the core: lockout with a growing delay, unlocking,
//! changing one's own password, and the settings that govern them.

mod support;

use chrono::{Duration, Utc};
use roster_core::directory::{NewUser, Settings};
use roster_core::domain::Permission;
use roster_core::password::PlainPassword;
use roster_core::Error;
use support::*;

fn pw(text: &str) -> PlainPassword {
    PlainPassword::new(text)
}

async fn with_lockout(world: &World, threshold: u32, minutes: u32) {
    let settings = Settings {
        lockout_threshold: threshold,
        lockout_minutes: minutes,
        ..world.directory.settings(&world.admin).await.unwrap()
    };
    world
        .directory
        .update_settings(&world.admin, &settings)
        .await
        .unwrap();
}

#[test]
fn the_lock_delay_doubles_past_the_threshold_up_to_a_day() {
    let settings = Settings {
        lockout_threshold: 5,
        lockout_minutes: 5,
        ..Settings::default()
    };
    assert_eq!(settings.lock_duration(4), None);
    assert_eq!(settings.lock_duration(5), Some(Duration::minutes(5)));
    assert_eq!(settings.lock_duration(6), Some(Duration::minutes(10)));
    assert_eq!(settings.lock_duration(7), Some(Duration::minutes(20)));
    assert_eq!(settings.lock_duration(60), Some(Duration::minutes(24 * 60)));
}

every_store!(repeated_failures_lock_the_account_even_against_the_right_password);
async fn repeated_failures_lock_the_account_even_against_the_right_password(backend: Backend) {
    let world = World::on(backend).await;
    with_lockout(&world, 3, 5).await;
    let sales = world.group("Sales", &[]).await;
    let ann = world.user_in("Ann Lee", &[sales.id]).await;
    for _ in 0..3 {
        let wrong = world
            .directory
            .sign_in("ann.lee@example.com", &pw("not-her-password"))
            .await;
        assert!(matches!(wrong, Err(Error::SignInFailed)), "{wrong:?}");
    }
    let locked = world.reload(&ann).await;
    assert_eq!(locked.failed_sign_ins, 3);
    let until = locked.locked_until.expect("locked after three failures");
    let expected = Utc::now() + Duration::minutes(5);
    assert!((until - expected).num_seconds().abs() < 30, "{until}");

    let right = world
        .directory
        .sign_in("ann.lee@example.com", &pw(GOOD_PASSWORD))
        .await;
    assert!(matches!(right, Err(Error::SignInFailed)), "{right:?}");
    // The same words as for an unknown account.
    let unknown = world
        .directory
        .sign_in("nobody@example.com", &pw(GOOD_PASSWORD))
        .await;
    assert_eq!(
        right.unwrap_err().to_string(),
        unknown.unwrap_err().to_string()
    );

    let actions: Vec<String> = world
        .audit(Some("ann.lee@example.com"))
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "auth.sign_in_failed")
            .count(),
        3
    );
    assert!(actions.contains(&"auth.sign_in_refused_locked".to_owned()));

    // An administrator unlocks; the right password works again and is audited.
    let unlocked = world
        .directory
        .unlock_user(&world.admin, ann.id)
        .await
        .unwrap();
    assert_eq!((unlocked.failed_sign_ins, unlocked.locked_until), (0, None));
    world
        .directory
        .sign_in("ann.lee@example.com", &pw(GOOD_PASSWORD))
        .await
        .unwrap();
    let latest = world.audit(Some("ann.lee@example.com")).await;
    assert_eq!(latest[0].action, "auth.sign_in");
    assert_eq!(latest[1].action, "user.unlock");
}

every_store!(unlocking_needs_the_credentials_right);
async fn unlocking_needs_the_credentials_right(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[]).await;
    let ann = world.user_in("Ann Lee", &[sales.id]).await;
    let (_, viewer) = world
        .operator_with("Vic View", &[Permission::UsersView, Permission::UsersEdit])
        .await;
    let refused = world.directory.unlock_user(&viewer, ann.id).await;
    assert!(
        matches!(
            refused,
            Err(Error::PermissionDenied {
                permission: Permission::UsersCredentials
            })
        ),
        "{refused:?}"
    );
}

every_store!(a_forced_change_needs_the_current_password_and_a_new_different_one);
async fn a_forced_change_needs_the_current_password_and_a_new_different_one(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[]).await;
    let ann = world
        .directory
        .create_user(
            &world.admin,
            NewUser {
                must_change_password: true,
                ..new_user("Ann Lee", &[sales.id])
            },
        )
        .await
        .unwrap()
        .user;
    let operator = world
        .directory
        .sign_in("ann.lee@example.com", &pw(GOOD_PASSWORD))
        .await
        .unwrap()
        .operator()
        .expect("signed in");
    let before = world.snapshot().await;

    let wrong = world
        .directory
        .change_own_password(
            &operator,
            &pw("not-the-current"),
            &pw("a-brand-new-passphrase-7"),
        )
        .await;
    assert!(
        matches!(wrong, Err(Error::CurrentPasswordIncorrect)),
        "{wrong:?}"
    );
    let same = world
        .directory
        .change_own_password(&operator, &pw(GOOD_PASSWORD), &pw(GOOD_PASSWORD))
        .await;
    assert!(matches!(same, Err(Error::PasswordUnchanged)), "{same:?}");
    let weak = world
        .directory
        .change_own_password(&operator, &pw(GOOD_PASSWORD), &pw("password"))
        .await;
    assert!(matches!(weak, Err(Error::Password(_))), "{weak:?}");
    assert_eq!(world.snapshot().await, before);

    let me = world
        .directory
        .change_own_password(
            &operator,
            &pw(GOOD_PASSWORD),
            &pw("a-brand-new-passphrase-7"),
        )
        .await
        .unwrap();
    assert!(!me.user.must_change_password);
    assert_eq!(me.user.id, ann.id);
    world
        .directory
        .sign_in("ann.lee@example.com", &pw("a-brand-new-passphrase-7"))
        .await
        .unwrap();
    let old = world
        .directory
        .sign_in("ann.lee@example.com", &pw(GOOD_PASSWORD))
        .await;
    assert!(matches!(old, Err(Error::SignInFailed)));
}

every_store!(settings_out_of_range_are_refused_and_change_nothing);
async fn settings_out_of_range_are_refused_and_change_nothing(backend: Backend) {
    let world = World::on(backend).await;
    let current = world.directory.settings(&world.admin).await.unwrap();
    assert_eq!(current, Settings::default());
    for bad in [
        Settings {
            lockout_threshold: 2,
            ..Settings::default()
        },
        Settings {
            lockout_minutes: 0,
            ..Settings::default()
        },
        Settings {
            idle_timeout_minutes: 481,
            ..Settings::default()
        },
        Settings {
            password_min_length: 7,
            ..Settings::default()
        },
    ] {
        let result = world.directory.update_settings(&world.admin, &bad).await;
        assert!(
            matches!(result, Err(Error::InvalidSetting { .. })),
            "{bad:?}: {result:?}"
        );
    }
    assert_eq!(
        world.directory.settings(&world.admin).await.unwrap(),
        current
    );

    let changed = Settings {
        idle_timeout_minutes: 5,
        ..current
    };
    world
        .directory
        .update_settings(&world.admin, &changed)
        .await
        .unwrap();
    assert_eq!(world.directory.idle_timeout_minutes().await.unwrap(), 5);
    let event = &world.audit(Some("settings")).await[0];
    assert_eq!(event.action, "settings.update");
    assert_eq!(event.changes.len(), 1);
    assert_eq!(event.changes[0].field, "idle_timeout_minutes");
}

every_store!(the_company_name_is_refused_in_passwords_once_set);
async fn the_company_name_is_refused_in_passwords_once_set(backend: Backend) {
    let world = World::on(backend).await;
    let password = "Zephyrwidgets-Lantern-2026";
    let verdict = world
        .directory
        .check_password(&PlainPassword::new(password), "Bo Chen", "bo@example.com")
        .await
        .unwrap();
    assert!(verdict.is_acceptable(), "{verdict:?}");

    let current = world.directory.settings(&world.admin).await.unwrap();
    let saved = world
        .directory
        .update_settings(
            &world.admin,
            &Settings {
                company_name: "  Zephyr Widgets  ".into(),
                ..current.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(saved.company_name, "Zephyr Widgets");
    assert_eq!(
        world
            .directory
            .settings(&world.admin)
            .await
            .unwrap()
            .company_name,
        "Zephyr Widgets"
    );
    let verdict = world
        .directory
        .check_password(&PlainPassword::new(password), "Bo Chen", "bo@example.com")
        .await
        .unwrap();
    assert!(!verdict.is_acceptable(), "{verdict:?}");

    // A name that hides characters, or a very long one, changes nothing.
    for bad in [
        "Zephyr\u{202E}Widgets".to_owned(),
        "Zephyr\tWidgets".to_owned(),
        "Zephyr\u{1b}[2JWidgets".to_owned(),
        "x".repeat(101),
    ] {
        let refused = world
            .directory
            .update_settings(
                &world.admin,
                &Settings {
                    company_name: bad,
                    ..current.clone()
                },
            )
            .await;
        assert!(
            matches!(refused, Err(Error::InvalidSetting { .. })),
            "{refused:?}"
        );
    }
    assert_eq!(
        world
            .directory
            .settings(&world.admin)
            .await
            .unwrap()
            .company_name,
        "Zephyr Widgets"
    );
}
