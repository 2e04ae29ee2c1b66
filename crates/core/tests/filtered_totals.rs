//! A search or a group filtered further (a status, a group) is counted on
//! SQLite from the fewer of the search's hits and the group's members,
//! each tested by the search's rule, and from at most 10,000 of them:
//! exact where it read every candidate, a lower bound ("more than N")
//! where it stopped, and counted in full where it stopped having found
//! none. A page's own count reads at most 1,000 and says "more than" what
//! it found past them, its full count asked for beside it; on PostgreSQL
//! a frequent search's page filtered by a status or a large group is
//! walked to and says "more than" its own rows. Every page is still
//! exactly the rows the filters find.

mod support;

use roster_core::domain::{Description, GroupId, GroupName, PermissionSet, Status};
use roster_core::model::User;
use roster_core::password::{Hasher, PlainPassword};
use roster_core::store::{
    statement_log, Direction, SortField, StatusFilter, Store, Total, TxMode, UserQuery, COUNT_CAP,
};
use support::*;

/// Writes `people` straight into the store (one shared hash, every fourth
/// disabled), each in `group` when given, all in one transaction.
async fn write_people(store: &dyn Store, people: &[(String, Option<GroupId>)]) {
    let hash = Hasher::fast_for_bench_only()
        .hash(&PlainPassword::new("filtered totals test password"))
        .expect("hash");
    let now = chrono::Utc::now();
    let mut tx = store.begin(TxMode::Write).await.expect("begin");
    let mut memberships = Vec::new();
    for (n, (name, group)) in people.iter().enumerate() {
        let local = name.to_lowercase().replace(' ', ".");
        let fields = crowd_fields(n, name, &format!("{local}@firm.test"));
        let id = tx.insert_user(&fields, &hash, now).await.expect("insert");
        memberships.extend(group.map(|group| (id, group)));
    }
    tx.add_memberships(&memberships).await.expect("memberships");
    tx.commit().await.expect("commit");
}

async fn new_group(store: &dyn Store, name: &str) -> GroupId {
    let mut tx = store.begin(TxMode::Write).await.expect("begin");
    let id = tx
        .insert_group(
            &GroupName::parse(name).expect("group name"),
            &Description::default(),
            &PermissionSet::default(),
            chrono::Utc::now(),
        )
        .await
        .expect("group");
    tx.commit().await.expect("commit");
    id
}

/// A query, the users it finds, and whether SQLite counts them exactly.
type Case = (&'static str, UserQuery, Box<dyn Fn(&User) -> bool>, bool);

every_store!(a_filtered_total_is_exact_or_a_true_lower_bound);
async fn a_filtered_total_is_exact_or_a_true_lower_bound(backend: Backend) {
    let world = World::on(backend).await;
    let store: &dyn Store = world.directory.store().as_ref();
    // 12,000 Kais (more hits than a count reads), five of them in a small
    // group, 3,000 in a larger one, and the last 1,000 among 11,000 others
    // in a group of their own: a count driven from "kai"'s hits finds none
    // of that group's members among the 10,001 it reads. Both smaller
    // groups hold a few who are not Kais (the rule must leave them out),
    // and four Zeds (fewer hits than the small group's members), one in it.
    let (small, large, others) = (
        new_group(store, "Five").await,
        new_group(store, "Three thousand").await,
        new_group(store, "Others").await,
    );
    let mut people: Vec<(String, Option<GroupId>)> = (0..12_000)
        .map(|n| {
            let group = match n {
                0..5 => Some(small),
                5..3_005 => Some(large),
                11_000.. => Some(others),
                _ => None,
            };
            (format!("Kai K{n}"), group)
        })
        .collect();
    people.extend((0..11_000).map(|n| (format!("Other O{n}"), Some(others))));
    people.extend((0..3).map(|n| (format!("Lee L{n}"), Some(small))));
    people.extend((3..203).map(|n| (format!("Lee L{n}"), Some(large))));
    people.extend((1..5).map(|n| (format!("Zed Z{n}"), (n == 4).then_some(small))));
    write_people(store, &people).await;

    let (everyone, _) = world.every_page(UserQuery::default(), 1_000).await;
    let kai = |u: &User| u.name.as_str().starts_with("Kai ");
    let in_group = |u: &User, group: GroupId| u.groups.iter().any(|g| g.id == group);
    let disabled = |u: &User| u.status == Status::Disabled;
    let cases: Vec<Case> = vec![
        // The search's 12,000 hits drive; 10,000 read hold 2,500 disabled.
        (
            "kai, disabled",
            UserQuery {
                search: Some("kai".into()),
                status: Some(StatusFilter::Disabled),
                ..UserQuery::default()
            },
            Box::new(move |u| kai(u) && disabled(u)),
            false,
        ),
        (
            "k (word start), disabled",
            UserQuery {
                search: Some("K".into()),
                status: Some(StatusFilter::Disabled),
                ..UserQuery::default()
            },
            Box::new(move |u| kai(u) && disabled(u)),
            false,
        ),
        // The group's members are fewer: every one is read.
        (
            "kai, small group",
            UserQuery {
                search: Some("kai".into()),
                group: Some(small),
                ..UserQuery::default()
            },
            Box::new(move |u| kai(u) && in_group(u, small)),
            true,
        ),
        // The search's four hits are fewer: each is asked for the group.
        (
            "zed, small group",
            UserQuery {
                search: Some("zed".into()),
                group: Some(small),
                ..UserQuery::default()
            },
            Box::new(move |u| u.name.as_str().starts_with("Zed ") && in_group(u, small)),
            true,
        ),
        (
            "kai, large group, enabled",
            UserQuery {
                search: Some("kai".into()),
                group: Some(large),
                status: Some(StatusFilter::Enabled),
                ..UserQuery::default()
            },
            Box::new(move |u| kai(u) && in_group(u, large) && !disabled(u)),
            true,
        ),
        (
            "large group, disabled",
            UserQuery {
                group: Some(large),
                status: Some(StatusFilter::Disabled),
                ..UserQuery::default()
            },
            Box::new(move |u| in_group(u, large) && disabled(u)),
            true,
        ),
        // Neither is fewer than the budget, and the hits read find none:
        // counted in full instead.
        (
            "kai, others",
            UserQuery {
                search: Some("kai".into()),
                group: Some(others),
                ..UserQuery::default()
            },
            Box::new(move |u| kai(u) && in_group(u, others)),
            true,
        ),
        // A rare search: every hit read.
        (
            "k1236, disabled",
            UserQuery {
                search: Some("k1236".into()),
                status: Some(StatusFilter::Disabled),
                ..UserQuery::default()
            },
            Box::new(move |u| u.name.as_str().to_lowercase().contains("k1236") && disabled(u)),
            true,
        ),
    ];
    // Pages whose own count stopped early ("more than"), counted in full
    // beside them.
    let mut quick = 0;
    for (case, query, wanted, exact_on_sqlite) in &cases {
        let expected: Vec<_> = everyone
            .iter()
            .filter(|u| wanted(u))
            .map(|u| u.id)
            .collect();
        let (found, _) = world.every_page(query.clone(), 1_000).await;
        let found: Vec<_> = found.iter().map(|u| u.id).collect();
        assert_eq!(found, expected, "{case}: the pages");
        statement_log::open();
        let page = world
            .directory
            .list_users(&world.admin, query)
            .await
            .expect("list");
        let page_statements = statement_log::close();
        // SQLite reads a first page of more hits than its own count reads
        // first, and counts it by its rows: "more than" a full page,
        // without reading 1,001 of them for "more than 900".
        if backend == Backend::Sqlite && *case == "kai, disabled" {
            assert_eq!(
                (page.total, page.counting, page.users.len()),
                (Total::at_least(51).expect("some"), true, 50),
                "{case}"
            );
            assert!(
                !page_statements.iter().any(|s| s.contains("sum(matched)")),
                "{case}: {page_statements:#?}"
            );
        }
        statement_log::open();
        let total = world
            .directory
            .count_users(&world.admin, query)
            .await
            .expect("count");
        // A count in full reads no page: a frequent search's first row in
        // a sort left to the server may lie past most of its index.
        let statements = statement_log::close();
        assert!(
            !statements
                .iter()
                .any(|s| s.contains("u.must_change_password") && s.contains(" ORDER BY ")),
            "{case}: {statements:#?}"
        );
        let n = expected.len() as u64;
        // A page's own count on SQLite reads at most 1,000 candidates, and
        // PostgreSQL's stops at a frequent search's page walked to: past
        // them its total is a true lower bound, below the full count's.
        if page.counting {
            quick += 1;
            assert!(
                !page.total.exact
                    && page.total.count < n.min(COUNT_CAP)
                    && page.total.count <= total.count,
                "{case}: {:?} read quickly, {total:?} in full, of {n}",
                page.total
            );
        } else {
            assert_eq!(page.total, total, "{case}");
        }
        let truth = if n > COUNT_CAP {
            Total::capped(n)
        } else {
            Total::exact(n)
        };
        match (backend, *exact_on_sqlite) {
            (Backend::Sqlite, false) => {
                assert!(!total.exact, "{case}: {total:?} of {n}");
                assert!(total.count < n, "{case}: {total:?} of {n}");
                // 10,000 hits read hold a quarter of them disabled.
                assert!(total.count >= n / 2, "{case}: {total:?} of {n}");
            }
            _ => assert_eq!(total, truth, "{case}"),
        }
    }
    // The search's thousands of hits, and the large group's 3,203 members,
    // are more than a page's count reads (SQLite); a page of "kai" among
    // the disabled is walked to (PostgreSQL).
    assert!(quick > 0, "{quick}");

    // In every other sort, both ways (PostgreSQL walks each sort's index
    // for a filtered page, from each page's cursor), the pages are still
    // exactly the rows the filters find, and the totals counted in full
    // are true where exact (`every_page` holds a quick one below them).
    for (sort, direction) in [
        (SortField::Email, Direction::Desc),
        (SortField::Created, Direction::Asc),
        (SortField::Created, Direction::Desc),
        (SortField::LastSignIn, Direction::Desc),
    ] {
        let sorted = UserQuery {
            sort,
            direction,
            ..UserQuery::default()
        };
        let (all, _) = world.every_page(sorted, 1_000).await;
        let filtered = cases.iter().filter(|(case, ..)| {
            [
                "kai, disabled",
                "k (word start), disabled",
                "kai, large group, enabled",
                "kai, others",
            ]
            .contains(case)
        });
        for (case, query, wanted, exact_on_sqlite) in filtered {
            let query = UserQuery {
                sort,
                direction,
                ..query.clone()
            };
            let expected: Vec<_> = all.iter().filter(|u| wanted(u)).map(|u| u.id).collect();
            let (found, total) = world.every_page(query, 200).await;
            let found: Vec<_> = found.iter().map(|u| u.id).collect();
            let case = format!("{case} {sort:?} {direction:?}");
            assert_eq!(found, expected, "{case}: the pages");
            // (SQLite's full count of "kai"'s disabled stops early, as above.)
            if backend == Backend::Postgres || *exact_on_sqlite {
                assert_eq!(total, (expected.len() as u64).min(COUNT_CAP), "{case}");
            }
        }
    }
}

every_store!(a_count_in_full_that_says_less_leaves_the_first_page_s_bound);
async fn a_count_in_full_that_says_less_leaves_the_first_page_s_bound(backend: Backend) {
    let world = World::on(backend).await;
    let store: &dyn Store = world.directory.store().as_ref();
    // 10,100 Kais. The first 10,001 written (the candidates SQLite's count
    // in full reads, in their index's order) hold 26 disabled; the last 60,
    // all disabled, are named to come first by name.
    let hash = Hasher::fast_for_bench_only()
        .hash(&PlainPassword::new("filtered totals test password"))
        .expect("hash");
    let now = chrono::Utc::now();
    let mut tx = store.begin(TxMode::Write).await.expect("begin");
    for n in 0..10_100 {
        let disabled = (n <= 10_000 && n % 400 == 0) || n >= 10_040;
        let name = if n >= 10_040 {
            format!("Kai Aa{n}")
        } else {
            format!("Kai K{n}")
        };
        let email = format!("{}@firm.test", name.to_lowercase().replace(' ', "."));
        let fields = crowd_fields(usize::from(!disabled), &name, &email);
        tx.insert_user(&fields, &hash, now).await.expect("insert");
    }
    tx.commit().await.expect("commit");
    let query = UserQuery {
        search: Some("kai".into()),
        status: Some(StatusFilter::Disabled),
        ..UserQuery::default()
    };
    let page = world
        .directory
        .list_users(&world.admin, &query)
        .await
        .expect("list");
    let full = world
        .directory
        .count_users(&world.admin, &query)
        .await
        .expect("count");
    let shown = page.total.counted_in_full(full);
    // 86 disabled Kais: whatever is shown is the truth or below it.
    assert!(
        (shown.exact && shown.count == 86) || (!shown.exact && (50..86).contains(&shown.count)),
        "{:?} then {full:?}: {shown:?}",
        page.total
    );
    if backend == Backend::Sqlite {
        // The page found its 50 first by name; the count in full found 26
        // among the 10,001 it read: "more than 20", which does not replace
        // the page's "more than 50".
        assert_eq!(
            (page.total, page.counting, full),
            (
                Total::at_least(51).expect("some"),
                true,
                Total::at_least(26).expect("some")
            )
        );
        assert_eq!(shown, page.total);
    }
    let (found, _) = world.every_page(query, 50).await;
    assert_eq!(found.len(), 86);
    assert!(found[..60]
        .iter()
        .all(|u| u.name.as_str().starts_with("Kai Aa")));
}
