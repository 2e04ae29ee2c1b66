//! SQLite plans each search per query (a rare one read from its index and
//! sorted, a frequent one found by walking the sort's index, one whose
//! hits mostly start the sort key read as that range beside the index's
//! other hits): whichever plan it takes, in every sort and direction, with
//! and without a status filter, every page is exactly what the rule,
//! applied by hand to every user, says. PostgreSQL, which plans by itself,
//! is held to the same pages.

mod support;

use roster_core::domain::{Status, ValidUntil};
use roster_core::model::User;
use roster_core::store::{Direction, SortField, StatusFilter, Store, Total, UserQuery, COUNT_CAP};
use support::plans::{matches, write_users};
use support::*;

every_store!(every_plan_pages_exactly_as_the_rule_says);
async fn every_plan_pages_exactly_as_the_rule_says(backend: Backend) {
    let world = World::on(backend).await;
    let store: &dyn Store = world.directory.store().as_ref();
    world.seed_realistic(15_000).await;
    // 1,500 people whose name and address start with Zhang, 150 whose
    // surname it is, and a few whose name or address starts with
    // punctuation before it (the words index sees "zhang" as their first
    // word; their key starts with "(" or "_"). All at corp.test.
    let mut people = Vec::new();
    for n in 0..1_500 {
        people.push((format!("Zhang P{n}"), format!("zhang.p{n}@corp.test")));
    }
    for n in 0..150 {
        people.push((format!("Mia{n} Zhang"), format!("mia{n}@corp.test")));
    }
    for n in 0..20 {
        people.push((format!("(Zhang) Q{n}"), format!("_zhang.q{n}@corp.test")));
    }
    // 30 whose address starts with "zhang" and whose name does not: other
    // hits of a split by name (PostgreSQL finds them by the address's start).
    for n in 0..30 {
        people.push((format!("Wei{n} Li"), format!("zhang.w{n}@mail.test")));
    }
    // Names that go on after U+10FFFF: past "zhang\u{10FFFF}", but still in
    // the range of the keys that start with "zhang".
    for n in 0..3 {
        people.push((format!("Zhang\u{10FFFF}R{n}"), format!("r{n}@other.test")));
    }
    // 700 Büchers at an international domain typed in capitals: found by
    // the name's key, without accents, typed with them or not (an address
    // is matched as typed, or normalised: not with its accents dropped),
    // and on SQLite never by the IDNA form (xn--bcher-kva.de), which
    // PostgreSQL matches.
    for n in 0..700 {
        people.push((format!("Ines{n} Bücher"), format!("ines{n}@BÜCHER.de")));
    }
    // More than the count's cap whose surname is Vargaz, their names
    // spread through the name sort: a total of "more than 10,000", or
    // filtered a count stopped early.
    for n in 0..(COUNT_CAP as usize + 50) {
        let initial = char::from(b'a' + (n % 26) as u8);
        people.push((format!("{initial}{n} Vargaz"), format!("v{n}@vargaz.test")));
    }
    write_users(store, &people, |_| None).await;

    let (everyone, _) = world.every_page(UserQuery::default(), 1_000).await;
    // The most hits read from the index and sorted: √(100 × users) for a
    // word start, √(10 × users) for a longer search.
    let limit = |text: &str| {
        let per = if text.chars().count() < 3 {
            100.0
        } else {
            10.0
        };
        (per * everyone.len() as f64).sqrt() as usize
    };
    let hits = |text: &str| {
        everyone
            .iter()
            .filter(|u| matches(u, text, backend))
            .count()
    };
    // Hits whose name does not start with the search: the ones a split
    // reads from the index.
    let others = |text: &str| {
        everyone
            .iter()
            .filter(|u| matches(u, text, backend) && !u.name.sort_key().starts_with(text))
            .count()
    };
    // The plans are SQLite's: its counts put each search where it is meant.
    let regimes = if backend == Backend::Sqlite {
        &[
            ("zhang", true, true),
            ("zh", true, true),
            ("corp", true, false),
            ("bücher", true, false),
            ("c", true, false),
        ][..]
    } else {
        &[]
    };
    for &(text, frequent, clustered) in regimes {
        assert_eq!(
            hits(text) > limit(text),
            frequent,
            "{text}: {} hits",
            hits(text)
        );
        assert_eq!(
            others(text) <= limit(text),
            clustered,
            "{text}: {}",
            others(text)
        );
    }
    // PostgreSQL reads the ids of a search with at most √(50 × users) hits
    // and sorts them (the rare ones below, each within SQLite's smaller
    // limit), as it does a more frequent one's by email when most of them
    // start the key ("zhang"), splits it by name (the range of the Zhangs'
    // names beside the other hits, read by id), and plans another itself
    // ("corp"; "zhang" by creation; "vargaz", more than the count's cap).
    if backend == Backend::Postgres {
        let by_ids = (50.0 * everyone.len() as f64).sqrt() as usize;
        assert!(hits("zhang") > by_ids && hits("corp") > by_ids);
        assert!(hits("vargaz") as u64 > COUNT_CAP);
    }
    let rare: Vec<&str> = [
        "müller", "garcía", "smith", "jensen", "xu", "ng", "wu", "li",
    ]
    .into_iter()
    .filter(|t| (1..=limit(t)).contains(&hits(t)))
    .collect();
    assert!(
        rare.iter().any(|t| t.len() >= 3) && rare.iter().any(|t| t.len() < 3),
        "{rare:?}"
    );

    let ids = |users: &[User]| users.iter().map(|u| u.id).collect::<Vec<_>>();
    for (sort, direction, status) in [
        (SortField::Name, Direction::Asc, None),
        (SortField::Name, Direction::Desc, None),
        (SortField::Email, Direction::Asc, None),
        (SortField::Email, Direction::Desc, Some(Status::Enabled)),
        (SortField::Name, Direction::Asc, Some(Status::Disabled)),
        (SortField::Created, Direction::Desc, None),
        (SortField::LastSignIn, Direction::Asc, Some(Status::Enabled)),
        (SortField::LastSignIn, Direction::Desc, None),
    ] {
        let query = UserQuery {
            sort,
            direction,
            status: status.map(Into::into),
            ..UserQuery::default()
        };
        let (all, _) = world.every_page(query.clone(), 1_000).await;
        for text in ["zhang", "zh", "corp", "c", "bücher", "xn--", "vargaz"]
            .iter()
            .chain(&rare)
        {
            let search = UserQuery {
                search: Some(text.to_uppercase()),
                ..query.clone()
            };
            // The crowd past the cap 500 at a time (the most a page holds).
            let per_page = if *text == "vargaz" { 500 } else { 100 };
            let (found, total) = world.every_page(search.clone(), per_page).await;
            let expected: Vec<&User> = all.iter().filter(|u| matches(u, text, backend)).collect();
            let case = format!("{text} {sort:?} {direction:?} {status:?}");
            let expected_ids: Vec<_> = expected.iter().map(|u| u.id).collect();
            let found_ids = ids(&found);
            if let Some(at) = (0..found_ids.len().max(expected_ids.len()))
                .find(|&n| found_ids.get(n) != expected_ids.get(n))
            {
                panic!(
                    "{case}: {} found, {} expected; first difference at {at}: {:?} against {:?}",
                    found_ids.len(),
                    expected_ids.len(),
                    found_ids.get(at),
                    expected_ids.get(at)
                );
            }
            if total != (expected.len() as u64).min(COUNT_CAP) {
                // SQLite's full count of the crowd with a status, stopped
                // after 10,001 of its hits (49 unread): "more than" the
                // round number below what it found (`Total::at_least`).
                let first = world
                    .directory
                    .count_users(&world.admin, &search)
                    .await
                    .expect("count");
                let page_total = |limit| {
                    let query = UserQuery {
                        limit,
                        ..search.clone()
                    };
                    let directory = &world.directory;
                    let admin = &world.admin;
                    async move {
                        directory
                            .list_users(admin, &query)
                            .await
                            .expect("list")
                            .total
                    }
                };
                // The same whatever the page's size, but a first page
                // that SQLite counts by its rows where its own count would
                // stop early: "more than" a full page, a true lower bound
                // either way.
                let (one, many) = (page_total(1).await, page_total(per_page).await);
                assert!(
                    one == many
                        || (backend == Backend::Sqlite
                            && (one, many)
                                == (
                                    Total::at_least(2).expect("some"),
                                    Total::at_least(u64::from(per_page) + 1).expect("some")
                                )
                            && many.count < first.count),
                    "{case}: {one:?}, {many:?} of {first:?}"
                );
                assert!(
                    backend == Backend::Sqlite
                        && status.is_some()
                        && *text == "vargaz"
                        && total == first.count
                        && Some(first) == Total::at_least(expected.len() as u64),
                    "{case}: {total}, {first:?} for {} hits",
                    expected.len()
                );
            }
        }
    }
}

every_store!(many_expired_users_page_as_their_days_say);
async fn many_expired_users_page_as_their_days_say(backend: Backend) {
    let world = World::on(backend).await;
    let store: &dyn Store = world.directory.store().as_ref();
    // 3,000 people, 1,500 of them past their day (more than SQLite reads
    // from their index and sorts among 3,001: √(100 × 3,001) = 547, so it
    // walks the sort's index), a quarter of those disabled (not expired
    // but disabled), and 300 with a day to come.
    let people: Vec<(String, String)> = (0..3_000)
        .map(|n| (format!("Temp {n:04}"), format!("temp{n}@agency.test")))
        .collect();
    let today = chrono::Utc::now().date_naive();
    write_users(store, &people, |n| match n % 10 {
        0..=4 => Some(ValidUntil::of(
            today - chrono::Duration::days(1 + n as i64 % 300),
        )),
        5 => Some(ValidUntil::of(
            today + chrono::Duration::days(1 + n as i64 % 30),
        )),
        _ => None,
    })
    .await;
    let now = chrono::Utc::now();
    let expired =
        |u: &User| u.status == Status::Enabled && u.valid_until.is_some_and(|d| d.has_passed(now));
    let ids = |users: Vec<&User>| users.iter().map(|u| u.id).collect::<Vec<_>>();
    for (sort, direction) in [
        (SortField::Name, Direction::Asc),
        (SortField::Email, Direction::Desc),
        (SortField::Created, Direction::Desc),
        (SortField::LastSignIn, Direction::Asc),
    ] {
        let query = UserQuery {
            sort,
            direction,
            ..UserQuery::default()
        };
        let (all, _) = world.every_page(query.clone(), 1_000).await;
        let past = all.iter().filter(|u| expired(u)).count();
        assert!(past > 547, "{past} expired");
        for (filter, wanted) in [
            (
                StatusFilter::Expired,
                all.iter().filter(|u| expired(u)).collect::<Vec<_>>(),
            ),
            (
                StatusFilter::Enabled,
                all.iter()
                    .filter(|u| u.status == Status::Enabled && !expired(u))
                    .collect(),
            ),
        ] {
            let (found, total) = world
                .every_page(
                    UserQuery {
                        status: Some(filter),
                        ..query.clone()
                    },
                    100,
                )
                .await;
            let case = format!("{filter:?} {sort:?} {direction:?}");
            assert_eq!(ids(found.iter().collect()), ids(wanted.clone()), "{case}");
            assert_eq!(total, wanted.len() as u64, "{case}");
        }
    }
}
