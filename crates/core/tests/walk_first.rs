//! SQLite tries a bounded walk of the sort's index first for a search it
//! would read from its index and sort, where spread hits are met soon; a
//! page the walk leaves short (hits clustered past its bound) is read from
//! the index after all. Among the disabled or a large group, the index's
//! hits are kept by the disabled users' index and the group's memberships
//! before they are looked up. Whichever way a page is read, in every sort
//! and direction, alone or filtered, page after page, it is exactly what
//! the rule says; PostgreSQL is held to the same pages.

mod support;

use roster_core::domain::{
    Description, GroupId, GroupName, PermissionSet, Status, UserId, ValidUntil,
};
use roster_core::model::{User, UserFields};
use roster_core::password::{Hasher, PasswordHash, PlainPassword};
use roster_core::store::{
    statement_log, Direction, SortField, StatusFilter, Store, Tx, TxMode, UserQuery,
};
use support::*;

/// Users in all; the page the walks are asked for.
const PEOPLE: usize = 3_000;
const PAGE: u32 = 20;

/// A writing transaction that has made the group "Large"; the password
/// hash the users get, and the time.
async fn begin_with_group(
    store: &dyn Store,
) -> (
    Box<dyn Tx>,
    GroupId,
    PasswordHash,
    chrono::DateTime<chrono::Utc>,
) {
    let hash = Hasher::fast_for_bench_only()
        .hash(&PlainPassword::new("walk first test password"))
        .expect("hash");
    let now = chrono::Utc::now();
    let mut tx = store.begin(TxMode::Write).await.expect("begin");
    let group = tx
        .insert_group(
            &GroupName::parse("Large").expect("group name"),
            &Description::default(),
            &PermissionSet::default(),
            now,
        )
        .await
        .expect("group");
    (tx, group, hash, now)
}

/// Writes the crowd (every fourth disabled, by `crowd_fields`, and one in
/// nine expired): one in ten
/// of the first 2,700 a "Qxa" (half of them disabled), spread through
/// every sort; the last 300 "Zz Vy…", last by name, by address and by
/// creation. Every user but each seventh is in a large group. Returns the
/// group and its members.
async fn write_crowd(store: &dyn Store) -> (GroupId, Vec<UserId>) {
    let (mut tx, group, hash, now) = begin_with_group(store).await;
    let mut members = Vec::new();
    for n in 0..PEOPLE {
        let letter = char::from(b'a' + (n % 25) as u8);
        let (name, email) = match n {
            _ if n >= 2_700 => (format!("Zz Vy{n}"), format!("zz.vy{n}@firm.test")),
            _ if n % 10 == 4 => (
                format!("{letter}{n} Qxa"),
                format!("{letter}{n}.qxa@firm.test"),
            ),
            _ => (
                format!("{letter}{n} Filler"),
                format!("{letter}{n}@firm.test"),
            ),
        };
        let created = now + chrono::Duration::seconds(n as i64);
        // One in nine has expired: the enabled filter leaves them out.
        let fields = UserFields {
            valid_until: (n % 9 == 2).then(|| ValidUntil::parse("2001-02-03").expect("date")),
            ..crowd_fields(n, &name, &email)
        };
        let id = tx
            .insert_user(&fields, &hash, created)
            .await
            .expect("insert");
        if n % 7 != 0 {
            members.push(id);
        }
    }
    let pairs: Vec<_> = members.iter().map(|&id| (id, group)).collect();
    tx.add_memberships(&pairs).await.expect("memberships");
    tx.commit().await.expect("commit");
    (group, members)
}

every_store!(a_page_walked_first_or_read_after_all_is_the_rule_s);
async fn a_page_walked_first_or_read_after_all_is_the_rule_s(backend: Backend) {
    let world = World::on(backend).await;
    let store: &dyn Store = world.directory.store().as_ref();
    let (group, members) = write_crowd(store).await;
    // Last sign-ins that repeat and interleave, through every hit's place.
    world
        .execute_raw("UPDATE users SET last_sign_in_at = (id * 7919) % 997 * 1000")
        .await;
    let filters: [(&str, Option<StatusFilter>, Option<GroupId>); 5] = [
        ("alone", None, None),
        ("enabled", Some(StatusFilter::Enabled), None),
        ("disabled", Some(StatusFilter::Disabled), None),
        ("group", None, Some(group)),
        ("group, disabled", Some(StatusFilter::Disabled), Some(group)),
    ];
    for sort in [
        SortField::Name,
        SortField::Email,
        SortField::Created,
        SortField::LastSignIn,
    ] {
        for direction in [Direction::Asc, Direction::Desc] {
            for (filter, status, in_group) in &filters {
                let query = UserQuery {
                    sort,
                    direction,
                    status: *status,
                    group: *in_group,
                    ..UserQuery::default()
                };
                let (all, _) = world.every_page(query.clone(), 500).await;
                for text in ["qx", "vy"] {
                    let expected: Vec<UserId> =
                        all.iter().filter(|u| hit(u, text)).map(|u| u.id).collect();
                    let case = format!("{text} {sort:?} {direction:?} {filter}");
                    search_pages_are(&world, (&query, text), &expected, &case).await;
                    assert!(!expected.is_empty(), "{case}");
                }
            }
        }
    }
    // The crowd is what it is meant to be: hundreds of hits, some of
    // them disabled, most in the group.
    let (everyone, _) = world.every_page(UserQuery::default(), 500).await;
    for (text, found, disabled) in [("qx", 270, 135), ("vy", 300, 75)] {
        let hits: Vec<&User> = everyone.iter().filter(|u| hit(u, text)).collect();
        assert_eq!(hits.len(), found, "{text}");
        let off = hits.iter().filter(|u| u.status == Status::Disabled);
        assert_eq!(off.count(), disabled, "{text}");
        let in_group = hits.iter().filter(|u| members.contains(&u.id));
        assert!(in_group.count() > found * 4 / 5, "{text}");
    }
    if backend == Backend::Sqlite {
        sqlite_reads_each_page_as_planned(&world, group).await;
    }
}

/// Whether `user` is a hit of the word start `text`.
fn hit(user: &User, text: &str) -> bool {
    starts_a_word(user.name.as_str(), user.email.normalized(), text)
}

/// The statements of SQLite's first page of `text` by creation, `direction`,
/// with `status` and `group`.
/// Every page of `text` searched among `query`'s users, and its total
/// counted as the overview does, are `expected`.
async fn search_pages_are(
    world: &World,
    (query, text): (&UserQuery, &str),
    expected: &[UserId],
    case: &str,
) {
    let search = UserQuery {
        search: Some(text.to_uppercase()),
        ..query.clone()
    };
    let (found, total) = world.every_page(search, PAGE).await;
    let found: Vec<UserId> = found.iter().map(|u| u.id).collect();
    assert_eq!(found, expected, "{case}");
    assert_eq!(total, expected.len() as u64, "{case}");
}

async fn statements(
    world: &World,
    text: &str,
    direction: Direction,
    (status, group): (Option<StatusFilter>, Option<GroupId>),
) -> String {
    let query = UserQuery {
        search: Some(text.into()),
        sort: SortField::Created,
        direction,
        status,
        group,
        limit: PAGE,
        ..UserQuery::default()
    };
    statement_log::open();
    let page = world.directory.list_users(&world.admin, &query).await;
    let statements = statement_log::close().join("\n");
    assert_eq!(page.expect("list").users.len(), PAGE as usize);
    statements
}

/// The plans the pages above were meant to take: the walk's bound, the
/// page walked, and where it leaves a page short its read from the index,
/// kept by the disabled users' index or the group's memberships.
async fn sqlite_reads_each_page_as_planned(world: &World, group: GroupId) {
    let bounded = " LIMIT 1 OFFSET ";
    let read = "u.id IN (SELECT rowid FROM users_words";
    // Spread hits: walked, never read.
    let spread = statements(world, "qx", Direction::Asc, (None, None)).await;
    assert!(
        spread.contains(bounded) && !spread.contains(read),
        "{spread}"
    );
    // Clustered last: walked and read in that order; walked alone from the end.
    let clustered = statements(world, "vy", Direction::Asc, (None, None)).await;
    let walked = clustered.find(bounded).expect("walked");
    assert!(
        clustered.find(read).is_some_and(|at| at > walked),
        "{clustered}"
    );
    let from_the_end = statements(world, "vy", Direction::Desc, (None, None)).await;
    assert!(!from_the_end.contains(read), "{from_the_end}");
    // A large group: clustered hits read from the index kept by it first.
    let in_group = statements(world, "vy", Direction::Asc, (None, Some(group))).await;
    assert!(
        in_group.contains(bounded)
            && in_group.contains("JOIN memberships gm ON gm.user_id = users_words.rowid"),
        "{in_group}"
    );
    // The disabled (a quarter: a walk would read too far): read, kept by
    // their index first.
    let disabled = Some(StatusFilter::Disabled);
    let rare = statements(world, "qx", Direction::Asc, (disabled, None)).await;
    assert!(
        !rare.contains(bounded) && rare.contains("INDEXED BY users_disabled"),
        "{rare}"
    );
}

/// Writes 2,400 fillers, then 600 users holding "zqv" (in the group, every
/// fourth disabled), last by address and by creation and together by
/// name: more hits than SQLite reads from the index for a page, so its
/// plan walks, and clustered where a walk from the start meets them last.
async fn write_late_cluster(store: &dyn Store) -> GroupId {
    let (mut tx, group, hash, now) = begin_with_group(store).await;
    let mut members = Vec::new();
    for n in 0..PEOPLE {
        let letter = char::from(b'a' + (n % 25) as u8);
        let (name, email) = if n < 2_400 {
            (
                format!("{letter}{n} Filler"),
                format!("{letter}{n}@firm.test"),
            )
        } else {
            (format!("Mo{n} Zqvist"), format!("zz{n}@firm.test"))
        };
        let created = now + chrono::Duration::seconds(n as i64);
        let id = tx
            .insert_user(&crowd_fields(n, &name, &email), &hash, created)
            .await
            .expect("insert");
        if n % 7 != 0 {
            members.push((id, group));
        }
    }
    tx.add_memberships(&members).await.expect("memberships");
    tx.commit().await.expect("commit");
    group
}

every_store!(a_frequent_search_clustered_late_is_read_and_sorted_s);
async fn a_frequent_search_clustered_late_is_read_and_sorted_s(backend: Backend) {
    let world = World::on(backend).await;
    let store: &dyn Store = world.directory.store().as_ref();
    let group = write_late_cluster(store).await;
    let filters: [(&str, Option<StatusFilter>, Option<GroupId>); 4] = [
        ("alone", None, None),
        ("enabled", Some(StatusFilter::Enabled), None),
        ("disabled", Some(StatusFilter::Disabled), None),
        ("group", None, Some(group)),
    ];
    for sort in [SortField::Name, SortField::Email, SortField::Created] {
        for direction in [Direction::Asc, Direction::Desc] {
            for (filter, status, in_group) in &filters {
                let query = UserQuery {
                    sort,
                    direction,
                    status: *status,
                    group: *in_group,
                    ..UserQuery::default()
                };
                let (all, _) = world.every_page(query.clone(), 500).await;
                // Anywhere, and a word start (whose plan walks too).
                for text in ["zqv", "zq"] {
                    let expected: Vec<UserId> = all
                        .iter()
                        .filter(|u| match text.len() {
                            2 => hit(u, text),
                            _ => {
                                u.name.sort_key().contains(text)
                                    || u.email.normalized().contains(text)
                            }
                        })
                        .map(|u| u.id)
                        .collect();
                    let case = format!("{text} {sort:?} {direction:?} {filter}");
                    search_pages_are(&world, (&query, text), &expected, &case).await;
                    assert!(expected.len() >= 150, "{case}");
                }
            }
        }
    }
    if backend == Backend::Sqlite {
        let first_page = |direction, status| {
            let query = UserQuery {
                search: Some("zqv".into()),
                sort: SortField::Email,
                direction,
                status,
                limit: PAGE,
                ..UserQuery::default()
            };
            let world = &world;
            async move {
                statement_log::open();
                let page = world.directory.list_users(&world.admin, &query).await;
                let statements = statement_log::close().join("\n");
                assert_eq!(page.expect("list").users.len(), PAGE as usize);
                statements
            }
        };
        let counted = "users_search MATCH ?1 LIMIT 20001";
        let bounded = " LIMIT 1 OFFSET ";
        let sorted = "ORDER BY (u.email_normalized || '') ASC";
        // From the start: the walk bounded (it meets none), then every
        // hit read and sorted (the plan counted them: no count again).
        let late = first_page(Direction::Asc, None).await;
        let walked = late.find(bounded).expect("walked");
        assert!(!late.contains(counted), "{late}");
        assert!(late.find(sorted).is_some_and(|at| at > walked), "{late}");
        // From the end: walked, and the walk gives the page.
        let early = first_page(Direction::Desc, None).await;
        assert!(
            early.contains(bounded) && !early.contains("|| ''"),
            "{early}"
        );
        // Among the disabled: read kept by their index first.
        let disabled = first_page(Direction::Asc, Some(StatusFilter::Disabled)).await;
        assert!(
            disabled.contains("INDEXED BY users_disabled") && disabled.contains(sorted),
            "{disabled}"
        );
    }
}
