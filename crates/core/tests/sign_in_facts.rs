//! Password and sign-in facts, on both stores: when the password was last
//! set (creation, an administrator's reset, the user's own change), the
//! overview's filters on them (never signed in, password older than a
//! year, failed sign-ins, locked now) and its sorts by them, paged, each
//! page equal to the whole list filtered and sorted by hand.

mod support;

use chrono::{Duration, Utc};
use roster_core::domain::UserId;
use roster_core::model::User;
use roster_core::password::PlainPassword;
use roster_core::store::{Direction, FactFilter, SortField, UserQuery, ADMINISTRATORS};
use support::*;

async fn all(world: &World, query: UserQuery) -> Vec<User> {
    let mut query = UserQuery { limit: 2, ..query };
    let mut users = Vec::new();
    loop {
        let page = world
            .directory
            .list_users(&world.admin, &query)
            .await
            .expect("list");
        users.extend(page.users);
        match page.next {
            Some(next) => query.after = Some(next),
            None => return users,
        }
    }
}

fn ids(users: &[User]) -> Vec<UserId> {
    users.iter().map(|u| u.id).collect()
}

async fn fail_sign_in(world: &World, user: &User, times: usize) {
    for _ in 0..times {
        let _ = world
            .directory
            .sign_in(
                user.email.as_str(),
                &PlainPassword::new("not-the-password-0"),
            )
            .await;
    }
}

every_store!(the_password_age_is_kept_from_creation_reset_and_change);
async fn the_password_age_is_kept_from_creation_reset_and_change(backend: Backend) {
    let world = World::on(backend).await;
    let started = Utc::now() - Duration::seconds(1);
    let ann = world.user_in("Ann Lee", &[ADMINISTRATORS]).await;
    assert!(ann.password_changed_at >= started);
    assert_eq!(ann.password_changed_at, ann.created_at);
    world
        .execute_raw(&format!(
            "UPDATE users SET password_changed_at = password_changed_at - 40000000000 WHERE id = {}",
            ann.id.0
        ))
        .await;
    let old = world.reload(&ann).await;
    assert!(old.password_changed_at < Utc::now() - Duration::days(365));
    let found = all(
        &world,
        UserQuery {
            facts: Some(FactFilter::PasswordOlderThanYear),
            ..UserQuery::default()
        },
    )
    .await;
    assert_eq!(ids(&found), vec![ann.id]);
    world
        .directory
        .reset_password(
            &world.admin,
            ann.id,
            password("a-brand-new-passphrase-7"),
            false,
        )
        .await
        .expect("reset");
    let reset = world.reload(&ann).await;
    assert!(reset.password_changed_at >= started);
    let found = all(
        &world,
        UserQuery {
            facts: Some(FactFilter::PasswordOlderThanYear),
            ..UserQuery::default()
        },
    )
    .await;
    assert!(found.is_empty());
}

every_store!(the_overview_filters_and_sorts_by_sign_in_facts);
async fn the_overview_filters_and_sorts_by_sign_in_facts(backend: Backend) {
    let world = World::on(backend).await;
    let mut people = Vec::new();
    for name in ["Ann Lee", "Bo Chan", "Cy Diaz", "Di Eke", "Ed Fox"] {
        people.push(world.user_in(name, &[ADMINISTRATORS]).await);
    }
    // Ann signs in; Bo fails twice; Cy fails until locked; Di and Ed never try.
    world
        .directory
        .sign_in(people[0].email.as_str(), &PlainPassword::new(GOOD_PASSWORD))
        .await
        .expect("sign in");
    fail_sign_in(&world, &people[1], 2).await;
    fail_sign_in(&world, &people[2], 6).await;

    let everyone = all(&world, UserQuery::default()).await;
    let reloaded: Vec<User> = everyone.clone();
    let with = |keep: &dyn Fn(&User) -> bool| -> Vec<UserId> {
        let mut kept: Vec<&User> = reloaded.iter().filter(|u| keep(u)).collect();
        kept.sort_by(|a, b| {
            a.name
                .sort_key()
                .cmp(&b.name.sort_key())
                .then(a.id.cmp(&b.id))
        });
        kept.iter().map(|u| u.id).collect()
    };
    let now = Utc::now();
    for (facts, expected) in [
        (
            FactFilter::NeverSignedIn,
            with(&|u| u.last_sign_in_at.is_none()),
        ),
        (FactFilter::FailedSignIns, with(&|u| u.failed_sign_ins > 0)),
        (
            FactFilter::Locked,
            with(&|u| u.locked_until.is_some_and(|at| at > now)),
        ),
    ] {
        let found = all(
            &world,
            UserQuery {
                facts: Some(facts),
                ..UserQuery::default()
            },
        )
        .await;
        assert_eq!(ids(&found), expected, "{facts:?}");
        let page = world
            .directory
            .list_users(
                &world.admin,
                &UserQuery {
                    facts: Some(facts),
                    ..UserQuery::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(page.total.count, expected.len() as u64, "{facts:?}");
    }
    assert!(with(&|u| u.last_sign_in_at.is_none()).contains(&people[3].id));
    assert!(!with(&|u| u.last_sign_in_at.is_none()).contains(&people[0].id));
    assert_eq!(
        with(&|u| u.locked_until.is_some_and(|at| at > now)),
        vec![people[2].id]
    );

    // Sorted by failed sign-ins, most first, then by id: paged alike.
    let mut by_failures = everyone.clone();
    by_failures.sort_by(|a, b| {
        b.failed_sign_ins
            .cmp(&a.failed_sign_ins)
            .then(b.id.cmp(&a.id))
    });
    let found = all(
        &world,
        UserQuery {
            sort: SortField::FailedSignIns,
            direction: Direction::Desc,
            ..UserQuery::default()
        },
    )
    .await;
    assert_eq!(ids(&found), ids(&by_failures));
    assert_eq!(found[0].id, people[2].id);

    let mut by_password = everyone;
    by_password.sort_by(|a, b| {
        a.password_changed_at
            .cmp(&b.password_changed_at)
            .then(a.id.cmp(&b.id))
    });
    let found = all(
        &world,
        UserQuery {
            sort: SortField::PasswordChanged,
            ..UserQuery::default()
        },
    )
    .await;
    assert_eq!(ids(&found), ids(&by_password));
}
