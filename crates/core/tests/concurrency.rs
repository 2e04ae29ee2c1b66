//! Races between Roster instances that share one directory: two desktops on
//! one PostgreSQL schema, or two processes on one SQLite file. Each instance
//! is a `Directory` over a store of its own (its own connection pool, or its
//! own file handle), and the racing calls run on separate threads, released
//! together by a barrier. Each race runs many rounds, so a lucky
//! interleaving cannot hide a bug.
//!
//! Also here: what the database guarantees by itself, beneath the services'
//! checks (unique indexes, rollback of a dropped transaction).

mod support;

use std::sync::Arc;

use roster_core::directory::{NewUser, UserChanges};
use roster_core::domain::{Email, Status, TwoFactor, UserName};
use roster_core::model::UserFields;
use roster_core::password::{Hasher, PlainPassword};
use roster_core::store::{StoreError, TxMode, ADMINISTRATORS};
use roster_core::{Directory, Error, Operator};
use support::*;
use tokio::sync::Barrier;

const ROUNDS: usize = 25;

/// Runs `a` and `b` on two tasks of the multi-threaded runtime, released at
/// the same moment, and returns both results.
async fn race<A, B, T, U>(a: A, b: B) -> (T, U)
where
    A: std::future::Future<Output = T> + Send + 'static,
    B: std::future::Future<Output = U> + Send + 'static,
    T: Send + 'static,
    U: Send + 'static,
{
    let barrier = Arc::new(Barrier::new(2));
    let first = {
        let barrier = barrier.clone();
        tokio::spawn(async move {
            barrier.wait().await;
            a.await
        })
    };
    let second = tokio::spawn(async move {
        barrier.wait().await;
        b.await
    });
    (
        first.await.expect("first racer"),
        second.await.expect("second racer"),
    )
}

/// Two more instances of the world's directory, for the racers.
async fn two_instances(world: &World) -> (Arc<Directory>, Arc<Directory>) {
    (
        Arc::new(world.another_instance().await),
        Arc::new(world.another_instance().await),
    )
}

every_store!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    two_administrators_adding_the_same_email_at_once_add_one_user
);
async fn two_administrators_adding_the_same_email_at_once_add_one_user(backend: Backend) {
    let world = World::on(backend).await;
    let (_, bea) = world.second_admin("Bea Admin").await;
    let (one, two) = two_instances(&world).await;
    for round in 0..ROUNDS {
        let email = format!("same.{round}@example.com");
        let new = |name: &str| NewUser {
            email: email.clone(),
            ..new_user(name, &[ADMINISTRATORS])
        };
        let (first, second) = race(
            {
                let (one, new, ada) = (one.clone(), new("Ann First"), world.admin);
                async move { one.create_user(&ada, new).await }
            },
            {
                let (two, new) = (two.clone(), new("Ann Second"));
                async move { two.create_user(&bea, new).await }
            },
        )
        .await;
        let (created, refused) = match (first, second) {
            (Ok(created), Err(refused)) | (Err(refused), Ok(created)) => (created, refused),
            (first, second) => panic!(
                "round {round}: expected exactly one success, got {:?} and {:?}",
                first.map(|c| c.user.id),
                second.map(|c| c.user.id)
            ),
        };
        assert!(
            matches!(refused, Error::EmailTaken { .. }),
            "round {round}: {refused:?}"
        );
        let owner = world
            .directory
            .user_by_email(&world.admin, &email)
            .await
            .expect("the address has its user");
        assert_eq!(owner.id, created.user.id, "round {round}");
    }
    let everyone = world.snapshot().await.users;
    assert_eq!(everyone.len(), 2 + ROUNDS);
}

every_store!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    two_edits_from_the_same_version_let_one_win_and_write_nothing_of_the_other
);
async fn two_edits_from_the_same_version_let_one_win_and_write_nothing_of_the_other(
    backend: Backend,
) {
    let world = World::on(backend).await;
    let (_, bea) = world.second_admin("Bea Admin").await;
    let (one, two) = two_instances(&world).await;
    let sales = world.group("Sales", &[]).await;
    let target = world.user_in("Tom Target", &[sales.id]).await;
    for round in 0..ROUNDS {
        let before = world.reload(&target).await;
        let rename = |name: String| UserChanges {
            version: before.version,
            name: Some(name),
            ..UserChanges::default()
        };
        let (first, second) = race(
            {
                let (one, changes, ada) =
                    (one.clone(), rename(format!("First {round}")), world.admin);
                async move { one.update_user(&ada, target.id, changes).await }
            },
            {
                let (two, changes) = (two.clone(), rename(format!("Second {round}")));
                async move { two.update_user(&bea, target.id, changes).await }
            },
        )
        .await;
        let (winner, loser) = match (first, second) {
            (Ok(winner), Err(loser)) | (Err(loser), Ok(winner)) => (winner, loser),
            (first, second) => panic!(
                "round {round}: expected exactly one success, got {:?} and {:?}",
                first.map(|u| u.name),
                second.map(|u| u.name)
            ),
        };
        assert!(
            matches!(loser, Error::ChangedBySomeoneElse),
            "round {round}: {loser:?}"
        );
        let after = world.reload(&target).await;
        assert_eq!(
            after.name, winner.name,
            "round {round}: the loser's name was written"
        );
        assert_eq!(after.version, before.version + 1, "round {round}");
        let edits = world
            .audit(Some(target.email.as_str()))
            .await
            .into_iter()
            .filter(|event| event.action == "user.update")
            .count();
        assert_eq!(
            edits,
            round + 1,
            "round {round}: one audit event per applied edit"
        );
    }
}

every_store!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    the_last_two_administrators_disabling_each_other_at_once_leave_one
);
async fn the_last_two_administrators_disabling_each_other_at_once_leave_one(backend: Backend) {
    let world = World::on(backend).await;
    let (one, two) = two_instances(&world).await;
    // Whoever is left enabled from the last round sets up the next.
    let mut keeper: Operator = world.admin;
    for round in 0..ROUNDS {
        let (x, x_operator) = admin(&world, &keeper, &format!("Xena {round}")).await;
        let (y, y_operator) = admin(&world, &keeper, &format!("Yuri {round}")).await;
        // Exactly two enabled administrators: X disables every other one.
        for other in enabled_administrators(&world, &x_operator).await {
            if other.id != x.id && other.id != y.id {
                world
                    .directory
                    .set_status(&x_operator, other.id, Status::Disabled, other.version)
                    .await
                    .expect("disable another administrator");
            }
        }
        assert_eq!(count_enabled_administrators(&world).await, 2);

        let (x_result, y_result) = race(
            {
                let (one, y) = (one.clone(), y.clone());
                async move {
                    one.set_status(&x_operator, y.id, Status::Disabled, y.version)
                        .await
                }
            },
            {
                let (two, x) = (two.clone(), x.clone());
                async move {
                    two.set_status(&y_operator, x.id, Status::Disabled, x.version)
                        .await
                }
            },
        )
        .await;
        let remaining = count_enabled_administrators(&world).await;
        assert!(
            remaining >= 1,
            "round {round}: no enabled administrator is left ({x_result:?}, {y_result:?})"
        );
        keeper = match (&x_result, &y_result) {
            (Ok(_), Err(refused)) | (Err(refused), Ok(_)) => {
                assert!(
                    matches!(
                        refused,
                        Error::LastAdministrator | Error::OperatorInvalid
                    ),
                    "round {round}: {refused:?}"
                );
                assert_eq!(remaining, 1, "round {round}");
                if x_result.is_ok() {
                    x_operator
                } else {
                    y_operator
                }
            }
            _ => panic!(
                "round {round}: expected one success and one refusal, got {x_result:?} and {y_result:?}"
            ),
        };
    }
}

/// A new enabled administrator, created by `by`, and its operator.
async fn admin(world: &World, by: &Operator, name: &str) -> (roster_core::model::User, Operator) {
    let user = world
        .directory
        .create_user(by, new_user(name, &[ADMINISTRATORS]))
        .await
        .expect("create administrator")
        .user;
    let operator = world
        .directory
        .act_as(user.email.as_str())
        .await
        .expect("act as");
    (user, operator)
}

async fn enabled_administrators(
    world: &World,
    operator: &Operator,
) -> Vec<roster_core::model::User> {
    let query = roster_core::store::UserQuery {
        group: Some(ADMINISTRATORS),
        status: Some(Status::Enabled.into()),
        limit: 500,
        ..Default::default()
    };
    world
        .directory
        .list_users(operator, &query)
        .await
        .expect("list administrators")
        .users
}

async fn count_enabled_administrators(world: &World) -> u64 {
    let mut tx = world
        .directory
        .store()
        .begin(TxMode::Read)
        .await
        .expect("read");
    tx.count_enabled_members(ADMINISTRATORS)
        .await
        .expect("count")
}

fn fields(name: &str, email: &str) -> UserFields {
    UserFields {
        name: UserName::parse(name).unwrap(),
        email: Email::parse(email).unwrap(),
        status: Status::Enabled,
        supervisor: None,
        must_change_password: false,
        mask_client_data: false,
        two_factor: TwoFactor::Off,
        valid_until: None,
    }
}

every_store!(the_unique_indexes_back_up_the_checks_across_instances);
async fn the_unique_indexes_back_up_the_checks_across_instances(backend: Backend) {
    let world = World::on(backend).await;
    let other = world.another_instance().await;
    let hash = Hasher::fast_for_bench_only()
        .hash(&PlainPassword::new("store-level test password"))
        .unwrap();
    let now = chrono::Utc::now();

    let mut tx = world.directory.store().begin(TxMode::Write).await.unwrap();
    tx.insert_user(&fields("Uma Unique", "uma@example.com"), &hash, now)
        .await
        .unwrap();
    let name = roster_core::domain::GroupName::parse("Unique Group").unwrap();
    tx.insert_group(&name, &Default::default(), &Default::default(), now)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // The other instance writes past the services' checks, straight into
    // the store: the database itself refuses, and nothing is written.
    let mut tx = other.store().begin(TxMode::Write).await.unwrap();
    let duplicate = tx
        .insert_user(&fields("Uma Again", "UMA@Example.com"), &hash, now)
        .await;
    assert!(
        matches!(duplicate, Err(StoreError::DuplicateEmail { ref email }) if email == "UMA@Example.com"),
        "{duplicate:?}"
    );
    drop(tx);
    // So does an import's statement of many users, naming the one taken.
    let mut tx = other.store().begin(TxMode::Write).await.unwrap();
    let duplicate = tx
        .insert_users(&[
            (fields("Vic Vale", "vic@example.com"), &hash, now),
            (fields("Uma Again", "uma@EXAMPLE.com"), &hash, now),
            (fields("Wyn West", "wyn@example.com"), &hash, now),
        ])
        .await;
    assert!(
        matches!(duplicate, Err(StoreError::DuplicateEmail { ref email }) if email == "uma@EXAMPLE.com"),
        "{duplicate:?}"
    );
    drop(tx);
    let mut tx = other.store().begin(TxMode::Write).await.unwrap();
    let same_name = roster_core::domain::GroupName::parse("UNIQUE group").unwrap();
    let duplicate = tx
        .insert_group(&same_name, &Default::default(), &Default::default(), now)
        .await;
    assert!(
        matches!(duplicate, Err(StoreError::DuplicateGroupName { .. })),
        "{duplicate:?}"
    );
    drop(tx);

    let snapshot = world.snapshot().await;
    assert_eq!(snapshot.users.len(), 2);
    assert_eq!(
        snapshot
            .groups
            .iter()
            .filter(|g| g.name.as_str().eq_ignore_ascii_case("unique group"))
            .count(),
        1
    );
}

every_store!(a_dropped_transaction_writes_nothing_and_frees_its_connection);
async fn a_dropped_transaction_writes_nothing_and_frees_its_connection(backend: Backend) {
    let world = World::on(backend).await;
    let hash = Hasher::fast_for_bench_only()
        .hash(&PlainPassword::new("store-level test password"))
        .unwrap();
    let before = world.snapshot().await;
    // More rounds than a pool has connections: each dropped transaction
    // must give its connection back (or replace it).
    for round in 0..20 {
        let mut tx = world.directory.store().begin(TxMode::Write).await.unwrap();
        tx.insert_user(
            &fields("Dee Dropped", &format!("dee.{round}@example.com")),
            &hash,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        tx.set_setting("lockout.threshold", "3").await.unwrap();
        drop(tx);
        // A read right after sees none of it.
        let mut tx = world.directory.store().begin(TxMode::Read).await.unwrap();
        assert_eq!(
            tx.user_id_by_email(&format!("dee.{round}@example.com"))
                .await
                .unwrap(),
            None
        );
    }
    assert_eq!(world.snapshot().await, before);
    let settings = world.directory.settings(&world.admin).await.unwrap();
    assert_ne!(settings.lockout_threshold, 3);
}

every_store!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    parallel_wrong_passwords_lock_the_account_and_are_not_all_tried
);
/// 32 wrong passwords sent at once from four instances: the account ends
/// locked, and no more than the threshold + 1 of them were checked against
/// the hash (each checked attempt leaves `auth.sign_in_failed`; the rest are
/// refused as locked without a check).
async fn parallel_wrong_passwords_lock_the_account_and_are_not_all_tried(backend: Backend) {
    const ATTEMPTS: usize = 32;
    const THRESHOLD: u32 = 5;
    let world = World::on(backend).await;
    let settings = roster_core::directory::Settings {
        lockout_threshold: THRESHOLD,
        ..world
            .directory
            .settings(&world.admin)
            .await
            .expect("settings")
    };
    world
        .directory
        .update_settings(&world.admin, &settings)
        .await
        .expect("update settings");
    let sales = world.group("Sales", &[]).await;
    let ann = world.user_in("Ann Lee", &[sales.id]).await;
    let mut instances = Vec::new();
    for _ in 0..4 {
        instances.push(Arc::new(world.another_instance().await));
    }
    let barrier = Arc::new(Barrier::new(ATTEMPTS));
    let attempts: Vec<_> = (0..ATTEMPTS)
        .map(|i| {
            let (directory, barrier) = (instances[i % 4].clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                directory
                    .sign_in(
                        "ann.lee@example.com",
                        &PlainPassword::new("not-her-password"),
                    )
                    .await
            })
        })
        .collect();
    for attempt in attempts {
        let result = attempt.await.expect("attempt");
        assert!(matches!(result, Err(Error::SignInFailed)), "{result:?}");
    }
    let after = world.reload(&ann).await;
    assert!(after.locked_until.is_some(), "not locked: {after:?}");
    let checked = world
        .audit(Some("ann.lee@example.com"))
        .await
        .into_iter()
        .filter(|e| e.action == "auth.sign_in_failed")
        .count();
    assert!(
        checked <= THRESHOLD as usize + 1,
        "{checked} of {ATTEMPTS} parallel attempts were checked against the hash"
    );
}

every_store!(a_right_password_takes_back_the_failure_counted_in_advance);
/// The attempt is counted before the password is checked; the right password
/// takes that count back, but earlier failures stay (they still lead to a
/// lock if the second factor is then guessed wrong).
async fn a_right_password_takes_back_the_failure_counted_in_advance(backend: Backend) {
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
        .expect("create Ann")
        .user;
    let wrong = world
        .directory
        .sign_in(
            "ann.lee@example.com",
            &PlainPassword::new("not-her-password"),
        )
        .await;
    assert!(matches!(wrong, Err(Error::SignInFailed)), "{wrong:?}");
    assert_eq!(world.reload(&ann).await.failed_sign_ins, 1);
    // Ann's second factor is owed (authenticator app): the count stays at 1.
    let right = world
        .directory
        .sign_in("ann.lee@example.com", &PlainPassword::new(GOOD_PASSWORD))
        .await
        .expect("right password");
    assert!(right.operator().is_none(), "second factor owed");
    let after = world.reload(&ann).await;
    assert_eq!((after.failed_sign_ins, after.locked_until), (1, None));
}
