//! The clients overview's part of `roster bench`: its usual questions, one
//! page of 50 each through `list_clients` (rights check included), in
//! every sort it offers for a search, both ways.

use std::collections::BTreeMap;
use std::time::Instant;

use roster_core::clients::{ClientQuery, ClientSort};
use roster_core::store::Direction;

use super::bench::{summarise, Bench, Latency, PAGE, SHORT_SEARCHES};

/// Searches of three or more characters on clients: names, email parts,
/// and phone digits (matched against the stored E.164 number).
const CLIENT_LONG_SEARCHES: &[&str] = &[
    "mar",
    "jensen",
    "ann",
    "schmidt",
    "olga",
    "weber",
    "zhang",
    "müller",
    "dubois",
    "rosa",
    "tanaka",
    "example",
    "212 555",
    "+44 20 79",
    "0161",
];

/// The sorts the clients overview offers for a search, both ways.
const ANY_SORT: [(ClientSort, Direction); 4] = [
    (ClientSort::Name, Direction::Asc),
    (ClientSort::Name, Direction::Desc),
    (ClientSort::Created, Direction::Asc),
    (ClientSort::Created, Direction::Desc),
];

/// Times the clients overview's usual questions among `clients` clients.
pub(super) async fn measure(
    bench: &Bench<'_>,
    clients: usize,
) -> anyhow::Result<BTreeMap<&'static str, Latency>> {
    let deep_cursors = [
        cursor_after_pages(bench, ClientSort::Name, Direction::Asc).await?,
        cursor_after_pages(bench, ClientSort::Created, Direction::Desc).await?,
    ];
    let long = |run: usize| {
        if run % 3 == 2 {
            format!(".c{}@", (run * 7919) % clients.max(1))
        } else {
            CLIENT_LONG_SEARCHES[run % CLIENT_LONG_SEARCHES.len()].to_owned()
        }
    };
    let mut queries = BTreeMap::new();
    queries.insert("name", time(bench, |_| page()).await?);
    queries.insert(
        "created_desc",
        time(bench, |_| ClientQuery {
            sort: ClientSort::Created,
            direction: Direction::Desc,
            ..page()
        })
        .await?,
    );
    queries.insert(
        "deep_page",
        time(bench, |run| {
            let (sort, direction, after) = &deep_cursors[run % deep_cursors.len()];
            ClientQuery {
                sort: *sort,
                direction: *direction,
                after: after.clone(),
                ..page()
            }
        })
        .await?,
    );
    queries.insert(
        "search_1_2",
        time(bench, |run| ClientQuery {
            search: Some(SHORT_SEARCHES[run % SHORT_SEARCHES.len()].to_owned()),
            ..page()
        })
        .await?,
    );
    queries.insert(
        "search_3plus",
        time(bench, |run| ClientQuery {
            search: Some(long(run)),
            ..page()
        })
        .await?,
    );
    // The same searches in every sort the overview offers, both ways.
    queries.insert(
        "search_1_2_any_sort",
        time(bench, |run| {
            let (sort, direction) = ANY_SORT[run % ANY_SORT.len()];
            let search = SHORT_SEARCHES[(run / ANY_SORT.len()) % SHORT_SEARCHES.len()];
            ClientQuery {
                search: Some(search.to_owned()),
                sort,
                direction,
                ..page()
            }
        })
        .await?,
    );
    queries.insert(
        "search_3plus_any_sort",
        time(bench, |run| {
            let (sort, direction) = ANY_SORT[run % ANY_SORT.len()];
            ClientQuery {
                search: Some(long(run / ANY_SORT.len())),
                sort,
                direction,
                ..page()
            }
        })
        .await?,
    );
    Ok(queries)
}

fn page() -> ClientQuery {
    ClientQuery {
        limit: PAGE,
        ..ClientQuery::default()
    }
}

/// Runs the clients query `make(run)` builds once per run and summarises
/// the latencies.
async fn time(bench: &Bench<'_>, make: impl Fn(usize) -> ClientQuery) -> anyhow::Result<Latency> {
    let mut millis = Vec::with_capacity(bench.runs);
    for run in 0..bench.runs {
        let query = make(run);
        let started = Instant::now();
        bench.directory.list_clients(bench.operator, &query).await?;
        millis.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(summarise(millis))
}

/// The sort and the `next` token reached by following it from the first
/// page `DEEP_PAGE_FOLLOWS` times (`None` when the list is shorter).
async fn cursor_after_pages(
    bench: &Bench<'_>,
    sort: ClientSort,
    direction: Direction,
) -> anyhow::Result<(ClientSort, Direction, Option<String>)> {
    let mut after = None;
    for _ in 0..super::bench::DEEP_PAGE_FOLLOWS {
        let query = ClientQuery {
            sort,
            direction,
            after,
            ..page()
        };
        after = bench
            .directory
            .list_clients(bench.operator, &query)
            .await?
            .next;
        if after.is_none() {
            break;
        }
    }
    Ok((sort, direction, after))
}
