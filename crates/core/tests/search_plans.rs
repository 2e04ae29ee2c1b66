//! SQLite plans each search per query (a rare one read from its index and
//! sorted, a frequent one found by walking the sort's index, one whose
//! hits mostly start the sort key read as that range beside the index's
//! other hits): whichever plan it takes, in every sort and direction, with
//! and without a status filter, every page is exactly what the rule,
//! applied by hand to every user, says. PostgreSQL, which plans by itself,
//! is held to the same pages.

mod support;

use roster_core::domain::{Status, UserId, ValidUntil};
use roster_core::model::{User, UserFields};
use roster_core::password::{Hasher, PlainPassword};
use roster_core::store::{
    statement_log, Direction, SortField, StatusFilter, Store, Total, TxMode, UserPage, UserQuery,
    COUNT_CAP,
};
use support::*;

/// The rule, by hand: three characters or more anywhere in the lowercased
/// name or email as typed; fewer at the start of a word
/// of the name, of the email's local part, or of the domain without its
/// dots and hyphens, words splitting at ASCII space and punctuation.
/// PostgreSQL matches its trigram index of the normalised email instead, so
/// an international domain there in its IDNA form.
fn matches(user: &User, text: &str, backend: Backend) -> bool {
    let name = user.name.as_str().to_lowercase();
    let email = user.email.normalized();
    if text.chars().count() >= 3 {
        let typed = match backend {
            Backend::Sqlite => user.email.as_str().to_lowercase(),
            Backend::Postgres => email.to_owned(),
        };
        return name.contains(text) || typed.contains(text);
    }
    starts_a_word(&name, email, text)
}

/// Writes users straight into the store (no audit, one shared hash): the
/// crowds that put each plan to work. Every fourth is disabled; the `n`th
/// gets `valid_until(n)`.
async fn write_users(
    store: &dyn Store,
    people: &[(String, String)],
    valid_until: impl Fn(usize) -> Option<ValidUntil>,
) {
    let hash = Hasher::fast_for_bench_only()
        .hash(&PlainPassword::new("search plan test password"))
        .expect("hash");
    let now = chrono::Utc::now();
    let mut tx = store.begin(TxMode::Write).await.expect("begin");
    for (n, (name, email)) in people.iter().enumerate() {
        let fields = UserFields {
            valid_until: valid_until(n),
            ..crowd_fields(n, name, email)
        };
        let created = now - chrono::Duration::minutes((n as i64 * 7_919) % 100_000);
        tx.insert_user(&fields, &hash, created)
            .await
            .expect("insert");
    }
    tx.commit().await.expect("commit");
}

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
    // 700 addresses at an international domain typed in capitals: found by
    // the domain as typed (as its index folds it), and on SQLite never by
    // its IDNA form (xn--bcher-kva.de), which PostgreSQL matches.
    for n in 0..700 {
        people.push((format!("Ines{n} Vogel"), format!("ines{n}@BÜCHER.de")));
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
            .filter(|u| {
                matches(u, text, backend) && !u.name.as_str().to_lowercase().starts_with(text)
            })
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

/// PostgreSQL: a search of more hits than the count's cap whose addresses
/// start with it, late in the email sort, where no walk finds its first
/// page, and too many others for a split: every hit is read and sorted (the server walked the email's index
/// to them past everyone before, 4–10 s for "michael" at a million users);
/// among the enabled, the first of them in the page's order that the
/// filter keeps. Every page is still the rule's, both ways and among the
/// enabled.
#[tokio::test]
async fn postgres_sorts_every_hit_of_a_crowd_that_starts_late_addresses() {
    let world = World::on(Backend::Postgres).await;
    let store: &dyn Store = world.directory.store().as_ref();
    world.seed_realistic(10_000).await;
    // Their names start with their surname's initial, spread through the
    // name sort; their addresses with "yarrow", late in the email sort.
    let people: Vec<(String, String)> = (0..COUNT_CAP as usize + 100)
        .map(|n| {
            let initial = char::from(b'a' + (n % 26) as u8);
            (
                format!("{initial}{n} Yarrow"),
                format!("yarrow.{initial}{n}@corp.test"),
            )
        })
        .collect();
    // And after them in the email sort, so that no walk from either end
    // meets them soon; and more whose names start with it than a split by
    // email reads by id (which would read the addresses' range alone).
    let people: Vec<(String, String)> = people
        .into_iter()
        .chain((0..2_000).map(|n| (format!("Zed{n} Quill"), format!("zz.quill{n}@corp.test"))))
        .chain((0..2_100).map(|n| (format!("Yarrowby{n} Oak"), format!("oak{n}@corp.test"))))
        .collect();
    write_users(store, &people, |_| None).await;

    let first = UserQuery {
        search: Some("Yarrow".into()),
        sort: SortField::Email,
        limit: 50,
        ..UserQuery::default()
    };
    statement_log::open();
    let page = world
        .directory
        .list_users(&world.admin, &first)
        .await
        .expect("list");
    let statements = statement_log::close();
    assert_eq!(page.users.len(), 50);
    assert_eq!(page.total, Total::capped(COUNT_CAP + 1));
    let sorted = statements
        .iter()
        .filter(|s| s.contains("ORDER BY (u.email_normalized || '') ASC"))
        .count();
    assert_eq!(sorted, 1, "{statements:#?}");
    // Alone, its hits were read with their keys from the indexes (the
    // crowd's read), not each row read to the cap.
    assert!(
        statements.iter().any(|s| is_crowd_read(s)),
        "{statements:#?}"
    );
    assert!(
        !statements
            .iter()
            .any(|s| s.contains("WITH hits AS MATERIALIZED")),
        "{statements:#?}"
    );

    for (direction, status) in [
        (Direction::Asc, None),
        (Direction::Desc, None),
        (Direction::Asc, Some(StatusFilter::Enabled)),
    ] {
        // Its first page read so, in this direction and filter too.
        let (page, statements, found, expected) =
            search_pages(&world, "yarrow", (SortField::Email, direction, status)).await;
        let order = format!("ORDER BY (u.email_normalized || '') {direction:?}").to_uppercase();
        assert!(
            statements.iter().any(|s| s.to_uppercase().contains(&order)),
            "{direction:?} {status:?}: {statements:#?}"
        );
        // Filtered, its hits are found by the crowd's read too, more than
        // the cap: the first in the page's order that the filter keeps are
        // its page, their rows tested a part at a time, and it counts
        // nothing (the overview counts in full beside it).
        assert!(
            statements.iter().any(|s| is_crowd_read(s)),
            "{statements:#?}"
        );
        if status.is_some() {
            assert!(page.counting, "{direction:?}");
            assert!(
                statements.iter().any(|s| s
                    .starts_with("SELECT u.id FROM users u WHERE u.id = ANY(")
                    && s.contains("u.status = 'enabled'")),
                "{direction:?} {status:?}: {statements:#?}"
            );
            assert!(
                !statements
                    .iter()
                    .any(|s| s.ends_with(") counted") && s.contains("strpos(")),
                "{direction:?} {status:?}: {statements:#?}"
            );
        }
        assert!(expected.len() > COUNT_CAP as usize / 2);
        assert!(
            found == expected,
            "{direction:?} {status:?}: {} found, {} expected",
            found.len(),
            expected.len()
        );
    }
}

/// A search for `text` in a sort and direction (among a status): its
/// first page of 50 and the statements that read it, with the ids of every
/// page in turn and those the rule keeps of every user in that order, by
/// hand.
async fn search_pages(
    world: &World,
    text: &str,
    (sort, direction, status): (SortField, Direction, Option<StatusFilter>),
) -> (UserPage, Vec<String>, Vec<UserId>, Vec<UserId>) {
    let query = UserQuery {
        sort,
        direction,
        status,
        ..UserQuery::default()
    };
    let (all, _) = world.every_page(query.clone(), 1_000).await;
    let search = UserQuery {
        search: Some(text.to_uppercase()),
        ..query
    };
    statement_log::open();
    let page = world
        .directory
        .list_users(
            &world.admin,
            &UserQuery {
                limit: 50,
                ..search.clone()
            },
        )
        .await
        .expect("list");
    let statements = statement_log::close();
    let (found, _) = world.every_page(search, 500).await;
    let expected = all
        .iter()
        .filter(|u| matches(u, text, Backend::Postgres))
        .map(|u| u.id)
        .collect();
    (
        page,
        statements,
        found.iter().map(|u| u.id).collect(),
        expected,
    )
}

/// A first page's total of `text` (in a sort and direction, among a
/// status) whose plan read its `expected` hits exactly: alone, the count
/// of them; filtered, counted by its rows, where a count would read each
/// hit's row again for its status ("more than" its page, counting), and
/// the count in full beside it is theirs.
async fn totals_agree(
    world: &World,
    text: &str,
    (sort, direction, status): (SortField, Direction, Option<StatusFilter>),
    (page, statements): (&UserPage, &[String]),
    expected: usize,
) {
    let exact = Total::capped(expected as u64);
    let case = format!("{text} {sort:?} {direction:?} {status:?}");
    if status.is_none() {
        assert_eq!(page.total, exact, "{case}");
        return;
    }
    assert!(page.counting, "{case}: {:?}", page.total);
    assert_eq!(page.total, Total::at_least(51).expect("some"), "{case}");
    // (The plan's own counts of the keys that start with it test none.)
    assert!(
        !statements
            .iter()
            .any(|s| s.starts_with("SELECT count(*)") && s.contains("u.status")),
        "{case}: {statements:#?}"
    );
    let query = UserQuery {
        search: Some(text.into()),
        sort,
        direction,
        status,
        ..UserQuery::default()
    };
    let total = world.directory.count_users(&world.admin, &query).await;
    assert_eq!(total.expect("count"), exact, "{case}");
}

/// Whether `statement` is the read of a crowded search's hits with their
/// keys: its three parts, the last the rows that hold it past their start.
fn is_crowd_read(statement: &str) -> bool {
    statement.matches(" UNION ALL ").count() == 2
        && statement.contains("2::int8")
        && statement.contains("substr(u.name_key, 2) LIKE")
}

/// A search whose names mostly start with it late in the name sort, and
/// more hold it past their start than a split reads by id: its first page
/// reads every hit with its key (the crowd's read), alone and among the
/// enabled (then counted by its rows, and in full beside it), and every
/// page in either direction is what the rule says.
#[tokio::test]
async fn postgres_reads_a_crowd_of_names_and_its_tails_with_their_keys() {
    let world = World::on(Backend::Postgres).await;
    let store: &dyn Store = world.directory.store().as_ref();
    world.seed_realistic(10_000).await;
    let crowd = (0..4_000).map(|n| (format!("Yarrow{n} Smith"), format!("ys{n}@corp.test")));
    // Past their start, after the crowd in the name sort; then others,
    // so that no walk from either end meets them soon.
    let tails = (0..2_500).map(|n| (format!("Yb{n} Yarrow"), format!("yb{n}@corp.test")));
    let after = (0..2_000).map(|n| (format!("Zed{n} Quill"), format!("zz.quill{n}@corp.test")));
    let people: Vec<(String, String)> = crowd.chain(tails).chain(after).collect();
    write_users(store, &people, |_| None).await;

    for (direction, status) in [
        (Direction::Asc, None),
        (Direction::Desc, None),
        (Direction::Asc, Some(StatusFilter::Enabled)),
    ] {
        let (page, statements, found, expected) =
            search_pages(&world, "yarrow", (SortField::Name, direction, status)).await;
        assert_eq!(page.users.len(), 50);
        let asked = (SortField::Name, direction, status);
        totals_agree(
            &world,
            "yarrow",
            asked,
            (&page, &statements),
            expected.len(),
        )
        .await;
        // The crowd's read, alone and filtered, and no hits read to the cap.
        assert!(
            statements.iter().any(|s| is_crowd_read(s))
                && !statements
                    .iter()
                    .any(|s| s.contains("WITH hits AS MATERIALIZED")),
            "{direction:?} {status:?}: {statements:#?}"
        );
        assert!(expected.len() > 4_000, "{}", expected.len());
        assert!(
            found == expected,
            "{direction:?} {status:?}: {} found, {} expected",
            found.len(),
            expected.len()
        );
    }
}

/// A search more than the count's cap hold past their start ("yarrow" in
/// 10,100 addresses such as "1234.yarrow@…"), too many for a split and
/// which the crowd's read would give up on, beside a crowd of addresses
/// that start with it: its first page by email is found by a longer walk
/// of the sort's index (its first entries, which the short walk read,
/// hold none of it), not by reading every hit (nor the crowd's keys) and
/// leaving the page to the server, alone and among the enabled; alone it
/// totals at least the crowd's start and the others read, filtered at
/// least its page, each counted in full beside it. Every page in either
/// direction is what the rule says.
#[tokio::test]
async fn postgres_walks_further_for_a_search_too_common_for_the_crowds_read() {
    let world = World::on(Backend::Postgres).await;
    let store: &dyn Store = world.directory.store().as_ref();
    world.seed_realistic(10_000).await;
    // First in the email sort, past the short walk's entries and within
    // the longer one's; then the tails; the crowd late.
    let padding = (0..150).map(|n| (format!("Pad{n} Oak"), format!("0pad{n}@corp.test")));
    let tails =
        (0..COUNT_CAP + 100).map(|n| (format!("Tail{n} Oak"), format!("1{n}.yarrow@corp.test")));
    let crowd = (0..1_000).map(|n| (format!("Crowd{n} Pine"), format!("yarrow.{n}@corp.test")));
    let people: Vec<(String, String)> = padding.chain(tails).chain(crowd).collect();
    write_users(store, &people, |_| None).await;

    for (direction, status) in [
        (Direction::Asc, None),
        (Direction::Asc, Some(StatusFilter::Enabled)),
        (Direction::Desc, None),
    ] {
        let (page, statements, found, expected) =
            search_pages(&world, "yarrow", (SortField::Email, direction, status)).await;
        // (Every fourth written is disabled.)
        let most = if status.is_some() { 8_000 } else { COUNT_CAP };
        assert!(expected.len() > most as usize, "{}", expected.len());
        assert!(
            found == expected,
            "{direction:?} {status:?}: {} found, {} expected",
            found.len(),
            expected.len()
        );
        assert_eq!(page.users.len(), 50, "{status:?}");
        if direction == Direction::Desc {
            continue;
        }
        let walks = statements
            .iter()
            .filter(|s| s.starts_with("SELECT w.id,"))
            .count();
        assert_eq!(walks, 2, "{status:?}: {statements:#?}");
        assert!(
            !statements
                .iter()
                .any(|s| s.contains("WITH hits AS MATERIALIZED")),
            "{status:?}: {statements:#?}"
        );
        assert!(
            !statements.iter().any(|s| is_crowd_read(s)),
            "{statements:#?}"
        );
        assert!(page.counting && !page.total.exact, "{:?}", page.total);
        if status.is_none() {
            assert!(page.total.count >= 2_000, "{:?}", page.total);
        } else {
            assert_eq!(page.total, Total::at_least(51).expect("some"));
        }
    }
}

/// A two-letter search whose names mostly start with it late in the name
/// sort (3,000 Vyras), beside its other hits, in the middle of it: a
/// later word of the name,
/// the address's start under another name, a later word of the local
/// part, the domain, and a name and an address that start with
/// punctuation before it; and names that hold it inside a word, which it
/// does not find. Its first page by name or by email, either way, alone
/// and among the enabled, reads the range of the keys that start with it
/// beside its other hits by id (found through the words past each first,
/// V23), never every hit (filtered, counted by its rows, in full beside
/// it); every page is what the rule says.
#[tokio::test]
async fn postgres_splits_a_short_search_clustered_late_in_the_names() {
    let world = World::on(Backend::Postgres).await;
    let store: &dyn Store = world.directory.store().as_ref();
    world.seed_realistic(10_000).await;
    let people = |count: usize, person: &dyn Fn(usize) -> (String, String)| {
        (0..count).map(person).collect::<Vec<_>>()
    };
    let groups = [
        people(3_000, &|n| {
            (format!("Vyra{n} Smith"), format!("vyra.{n}@corp.test"))
        }),
        people(40, &|n| {
            (format!("Mo{n} Vyborg"), format!("mo.b{n}@corp.test"))
        }),
        people(30, &|n| {
            (format!("Mei{n} Li"), format!("vy.m{n}@mail.test"))
        }),
        people(30, &|n| {
            (format!("Mu{n} Park"), format!("mu.vyx{n}@corp.test"))
        }),
        people(30, &|n| (format!("Mi{n} Oak"), format!("mi{n}@vyco.test"))),
        people(20, &|n| {
            (format!("(Vy) Q{n}"), format!("_vy.q{n}@corp.test"))
        }),
        people(30, &|n| {
            (format!("Avy{n} Tree"), format!("avy{n}@corp.test"))
        }),
    ];
    write_users(store, &groups.concat(), |_| None).await;

    for (sort, direction, status) in [
        (SortField::Name, Direction::Asc, None),
        (SortField::Name, Direction::Desc, None),
        (SortField::Name, Direction::Asc, Some(StatusFilter::Enabled)),
        (SortField::Email, Direction::Asc, None),
        (
            SortField::Email,
            Direction::Desc,
            Some(StatusFilter::Enabled),
        ),
    ] {
        let (page, statements, found, expected) =
            search_pages(&world, "vy", (sort, direction, status)).await;
        let case = format!("{sort:?} {direction:?} {status:?}");
        // The crowd, and every other hit but the Avys (some disabled).
        let most = if status.is_some() {
            3_150 * 3 / 4
        } else {
            3_150
        };
        assert!(expected.len() >= most, "{case}: {}", expected.len());
        assert!(
            found == expected,
            "{case}: {} found, {} expected",
            found.len(),
            expected.len()
        );
        assert_eq!(page.users.len(), 50, "{case}");
        let asked = (sort, direction, status);
        totals_agree(&world, "vy", asked, (&page, &statements), expected.len()).await;
        assert!(
            statements
                .iter()
                .any(|s| s.contains("regexp_replace(regexp_replace(u.name_key"))
                && !statements
                    .iter()
                    .any(|s| s.contains("WITH hits AS MATERIALIZED") || s.contains("2::int8")),
            "{case}: {statements:#?}"
        );
    }
}

/// A search whose addresses crowd the start of the email sort's range
/// for it (1,000 "yarrow.…@"), and whose other hits (6,000 "….yarrow@",
/// written first) a sample of the creation order finds many times too
/// many for a split: its first page by email is walked to without its
/// other hits read (nor every hit, nor the crowd's keys), and totals at
/// least the crowd's start, counted in full beside it. Every page in
/// either direction is what the rule says.
#[tokio::test]
async fn postgres_samples_a_crowds_other_hits_before_it_reads_them() {
    let world = World::on(Backend::Postgres).await;
    let store: &dyn Store = world.directory.store().as_ref();
    let tails = (0..6_000).map(|n| (format!("Tail{n} Oak"), format!("1{n}.yarrow@corp.test")));
    let padding = (0..150).map(|n| (format!("Pad{n} Oak"), format!("0pad{n}@corp.test")));
    let filler = (0..5_000).map(|n| (format!("Fill{n} Elm"), format!("f{n}@corp.test")));
    let crowd = (0..1_000).map(|n| (format!("Crowd{n} Pine"), format!("yarrow.{n}@corp.test")));
    let people: Vec<(String, String)> = tails.chain(padding).chain(filler).chain(crowd).collect();
    write_users(store, &people, |_| None).await;

    for direction in [Direction::Asc, Direction::Desc] {
        let (page, statements, found, expected) =
            search_pages(&world, "yarrow", (SortField::Email, direction, None)).await;
        assert_eq!(expected.len(), 7_000);
        assert!(found == expected, "{direction:?}: {} found", found.len());
        assert_eq!(page.users.len(), 50, "{direction:?}");
        // (Descending, the crowd comes first: the short walk finds it.)
        if direction == Direction::Desc {
            continue;
        }
        assert!(
            statements
                .iter()
                .any(|s| s.contains("AS other FROM users u ORDER BY u.created_at")),
            "{direction:?}: {statements:#?}"
        );
        assert!(
            !statements
                .iter()
                .any(|s| s.contains("LIMIT 2001) UNION ALL")
                    || s.contains("WITH hits AS MATERIALIZED")
                    || is_crowd_read(s)),
            "{direction:?}: {statements:#?}"
        );
        assert!(page.counting && !page.total.exact, "{:?}", page.total);
    }
}
