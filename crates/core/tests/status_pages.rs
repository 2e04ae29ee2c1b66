//! The overview's status filters, on both stores, whichever way a store
//! finds a status: SQLite by its status index; PostgreSQL, which keeps no
//! index of the status in `users` (so that a change of status is made in
//! place), by walking its `user_statuses` table in name order, and in
//! another sort by walking the sort index for a frequent status or from
//! that table for a rare one. Every page, in several sorts, is exactly the
//! unfiltered listing's users of that status, and so is the whole selection
//! read without totals (bulk actions, exports); and on PostgreSQL that table
//! follows every change of a status or a name, with the store check
//! finding and repairing it when edited by hand.

mod support;

use roster_core::directory::{BulkAction, BulkSelection, RestoreOptions, UserChanges};
use roster_core::domain::{Status, UserId};
use roster_core::model::User;
use roster_core::store::{Direction, SortField, StatusFilter, TxMode, UserQuery};
use support::*;

/// Every user of `query` as a whole selection is read (bulk actions,
/// exports): `limit` at a time, without totals.
async fn read_whole(world: &World, query: &UserQuery, limit: u32) -> Vec<UserId> {
    let mut tx = world
        .directory
        .store()
        .begin(TxMode::Read)
        .await
        .expect("begin");
    let mut query = query.clone();
    let mut ids = Vec::new();
    loop {
        let (users, next) = tx.read_users(&query, limit).await.expect("read");
        ids.extend(users.iter().map(|u| u.id));
        match next {
            Some(next) => query.after = Some(next),
            None => return ids,
        }
    }
}

/// Rows of the users' statuses and of PostgreSQL's status table that the
/// other lacks ("0" on SQLite, which has no such table).
async fn stray_statuses(world: &World) -> String {
    if world.backend != Backend::Postgres {
        return "0".into();
    }
    world
        .query_raw(
            "SELECT CAST((SELECT count(*) FROM (SELECT status, name_key, id FROM users \
               EXCEPT SELECT status, name_key, user_id FROM user_statuses) missing) + \
             (SELECT count(*) FROM (SELECT status, name_key, user_id FROM user_statuses \
               EXCEPT SELECT status, name_key, id FROM users) extra) AS TEXT)",
        )
        .await
}

/// Pages each status filter in several sorts and compares them with the
/// unfiltered listing in the same order, and their totals.
async fn filters_page_as_the_listing_says(world: &World, moment: &str) {
    for (sort, direction) in [
        (SortField::Name, Direction::Asc),
        (SortField::Name, Direction::Desc),
        (SortField::Email, Direction::Asc),
        (SortField::Created, Direction::Desc),
        (SortField::LastSignIn, Direction::Asc),
    ] {
        let query = UserQuery {
            sort,
            direction,
            ..UserQuery::default()
        };
        let (everyone, _) = world.every_page(query.clone(), 250).await;
        let ids = |users: &[User]| users.iter().map(|u| u.id).collect::<Vec<UserId>>();
        for (filter, keeps) in [
            (
                StatusFilter::Enabled,
                (|u: &User| u.may_sign_in()) as fn(&User) -> bool,
            ),
            (StatusFilter::Disabled, |u: &User| {
                u.status == Status::Disabled
            }),
        ] {
            let expected: Vec<User> = everyone.iter().filter(|u| keeps(u)).cloned().collect();
            let (seen, total) = world
                .every_page(
                    UserQuery {
                        status: Some(filter),
                        ..query.clone()
                    },
                    250,
                )
                .await;
            let what = format!("{moment}: {filter:?} by {sort:?} {direction:?}");
            assert_eq!(ids(&seen), ids(&expected), "{what}");
            let filtered = UserQuery {
                status: Some(filter),
                ..query.clone()
            };
            assert_eq!(
                read_whole(world, &filtered, 777).await,
                ids(&expected),
                "{what}"
            );
            assert_eq!(total, expected.len() as u64, "{what}");
        }
    }
}

every_store!(status_filters_page_as_the_listing_says_through_every_change_of_status);
async fn status_filters_page_as_the_listing_says_through_every_change_of_status(backend: Backend) {
    let world = World::on(backend).await;
    world.seed_realistic(2_000).await;
    assert_eq!(stray_statuses(&world).await, "0");
    // Among 2,001 users a status held by more than √(100 × 2,001) = 447 is
    // frequent (PostgreSQL walks the sort index), one held by fewer rare
    // (read from `user_statuses`): enabled users are frequent, disabled
    // ones rare, then the other way round after the bulk disable below.
    let (everyone, _) = world.every_page(UserQuery::default(), 250).await;
    let disabled = everyone
        .iter()
        .filter(|u| u.status == Status::Disabled)
        .count();
    assert!((1..=447).contains(&disabled), "{disabled} disabled");
    filters_page_as_the_listing_says(&world, "as seeded").await;

    // A bulk disable of all but 300 of the enabled, one statement for
    // hundreds of users.
    let enabled: Vec<UserId> = everyone
        .iter()
        .filter(|u| u.status == Status::Enabled && u.id != world.admin_id)
        .map(|u| u.id)
        .collect();
    let (disable, keep) = enabled.split_at(enabled.len() - 300);
    let report = world
        .directory
        .apply_bulk(
            &world.admin,
            &BulkSelection::Ids(disable.to_vec()),
            BulkAction::Disable,
        )
        .await
        .expect("bulk disable");
    assert_eq!(report.applied, disable.len() as u64);
    assert_eq!(stray_statuses(&world).await, "0");
    filters_page_as_the_listing_says(&world, "after a bulk disable").await;

    // One enabled again in the form's way, one more disabled, and one of
    // each deleted, then one of them restored from the recycle bin.
    world
        .directory
        .apply_bulk(
            &world.admin,
            &BulkSelection::Ids(vec![disable[0]]),
            BulkAction::Enable,
        )
        .await
        .expect("enable one");
    world
        .directory
        .apply_bulk(
            &world.admin,
            &BulkSelection::Ids(vec![keep[0]]),
            BulkAction::Disable,
        )
        .await
        .expect("disable one");
    world
        .directory
        .apply_bulk(
            &world.admin,
            &BulkSelection::Ids(vec![disable[1], keep[1]]),
            BulkAction::Delete,
        )
        .await
        .expect("delete two");
    assert_eq!(stray_statuses(&world).await, "0");
    world
        .directory
        .restore_user(&world.admin, disable[1], RestoreOptions::default())
        .await
        .expect("restore");
    assert_eq!(stray_statuses(&world).await, "0");
    // A new name moves the user in name order.
    let renamed = everyone
        .iter()
        .find(|u| u.id == keep[3])
        .expect("kept user");
    let renamed = world.reload(renamed).await;
    world
        .directory
        .update_user(
            &world.admin,
            renamed.id,
            UserChanges {
                version: renamed.version,
                name: Some("Aaron Aalto".into()),
                ..UserChanges::default()
            },
        )
        .await
        .expect("rename");
    assert_eq!(stray_statuses(&world).await, "0");
    filters_page_as_the_listing_says(&world, "after single changes").await;
    // The kept counts per status agree (the totals above read them too).
    world.assert_sound().await;

    // Someone edits PostgreSQL's status table by hand: the check names it
    // and rebuilds it.
    if backend == Backend::Postgres {
        world
            .execute_raw(&format!(
                "DELETE FROM user_statuses WHERE user_id = {}; \
                 INSERT INTO user_statuses (status, name_key, user_id) VALUES ('enabled', 'a', {});",
                keep[2].0, disable[2].0
            ))
            .await;
        assert_eq!(stray_statuses(&world).await, "2");
        world.check_finds_and_repairs().await;
        assert_eq!(stray_statuses(&world).await, "0");
    }
}
