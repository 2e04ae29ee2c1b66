//! PostgreSQL's plans of a search whose keys crowd where it starts a
//! text sort, or whose hits are too many for a split: the crowd's read,
//! the walks before it, the split of a short search, the sample of the
//! other hits. Each first page reads what its plan says, and every page,
//! both ways, alone and filtered, is exactly what the rule says.

mod support;

use roster_core::domain::UserId;
use roster_core::store::{
    statement_log, Direction, SortField, StatusFilter, Store, Total, UserPage, UserQuery, COUNT_CAP,
};
use support::plans::{matches, searched, write_users};
use support::*;

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
    let query = searched(text, (sort, direction, status));
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

/// A surname more than a page's own count reads hold (1,500 "Quorra"s),
/// late in the name sort and written last, so that neither the short walk
/// nor the creation order's sample meets them, and the longer walk fails:
/// among the enabled, its hits are read with their keys and the first in
/// the page's order that the status keeps are its page, looked up and
/// tested a part at a time (one part here: three in four are enabled),
/// where the page read and tested every hit's row to sort them. It
/// says "more than" its page and counts in full beside it; every page,
/// among either status and both ways, is what the rule says.
#[tokio::test]
async fn postgres_keeps_a_filtered_pages_hits_in_its_order() {
    let world = World::on(Backend::Postgres).await;
    let store: &dyn Store = world.directory.store().as_ref();
    world.seed_realistic(10_000).await;
    let people: Vec<(String, String)> = (0..1_500)
        .map(|n| (format!("Zz{n} Quorra"), format!("zz{n}.quorra@corp.test")))
        .collect();
    write_users(store, &people, |_| None).await;

    for (direction, status) in [
        (Direction::Asc, StatusFilter::Enabled),
        (Direction::Asc, StatusFilter::Disabled),
        (Direction::Desc, StatusFilter::Enabled),
    ] {
        let asked = (SortField::Name, direction, Some(status));
        let (page, statements, found, expected) = search_pages(&world, "quorra", asked).await;
        let case = format!("{direction:?} {status:?}");
        assert_eq!(page.users.len(), 50, "{case}");
        totals_agree(
            &world,
            "quorra",
            asked,
            (&page, &statements),
            expected.len(),
        )
        .await;
        assert!(
            found == expected,
            "{case}: {} found, {} expected",
            found.len(),
            expected.len()
        );
        if (direction, status) != (Direction::Asc, StatusFilter::Enabled) {
            // (First in the name sort the other way, and among the
            // disabled a walk as long as a quarter of them needs covers
            // this small a store: a walk finds them.)
            continue;
        }
        let hits_read = statements
            .iter()
            .any(|s| s.starts_with("WITH hits AS MATERIALIZED (SELECT u.id, u.name_key FROM"));
        let parts = statements
            .iter()
            .filter(|s| {
                s.starts_with("SELECT u.id FROM users u WHERE u.id = ANY(")
                    && s.contains(&format!("u.status = '{status:?}'").to_lowercase())
            })
            .count();
        assert!(hits_read && parts == 1, "{case}: {statements:#?}");
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
            .filter(|s| s.starts_with("SELECT w.id FROM"))
            .count();
        assert_eq!(walks, 2, "{status:?}: {statements:#?}");
        // Filtered, the short walk's hits are counted without a look-up
        // where its page is not full (it looks up each only for its page).
        let counted_walks = statements
            .iter()
            .filter(|s| {
                s.starts_with("SELECT count(*) FROM (SELECT u.id, u.email_normalized AS key")
            })
            .count();
        assert_eq!(
            counted_walks,
            usize::from(status.is_some()),
            "{statements:#?}"
        );
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
