//! `roster bench` (hidden): seeds a fresh store with generated users and
//! measures how long the users overview takes to answer its usual
//! questions, printing one JSON document (`"store"`: `"sqlite"` or
//! `"postgres"`).
//!
//! SQLite: a new file (temporary unless `--store PATH`). PostgreSQL
//! (`--postgres URL` or `--store postgres://…`): a new schema
//! `roster_bench_…` of that database, analysed once seeded (as autovacuum
//! would soon do) and dropped afterwards unless `--keep`.
//!
//! Every figure is the latency of one `list_users` call for one page of 50,
//! through the same service the desktop app uses (rights check included).
//! With `--clients N`, N generated clients are seeded too and the clients
//! overview (`list_clients`) is measured the same way (a `"clients"` section).
//!
//! `--profile` picks the people seeded (realistic by default, or harsh; see
//! [`roster_core::bench::Profile`]); `--queries-file` times a file of
//! searches one by one (a `"queries_file"` section, see `bench_queries`).
//! `disk_bytes` is the seeded store's size: the SQLite file and its WAL, or
//! the PostgreSQL schema's tables, indexes and TOAST.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::bail;
use roster_core::domain::{GroupId, Status};
use roster_core::store::postgres::{PgConfig, PostgresStore};
use roster_core::store::sqlite::SqliteStore;
use roster_core::store::{
    Cursor, Direction, SortField, StatusFilter, Store, StoreError, UserQuery,
};
use roster_core::{Directory, Operator};
use serde::Serialize;

use super::bench_queries::QueriesFile;
use crate::cli::BenchArgs;
use crate::output;
use crate::store_arg::StoreArg;

/// Users written per transaction while seeding.
const SQLITE_SEED_BATCH: usize = 5000;
const POSTGRES_SEED_BATCH: usize = 5000;
pub(super) const PAGE: u32 = 50;
pub(super) const DEEP_PAGE_FOLLOWS: usize = 20;

/// Searches of three or more characters, matched anywhere in names and emails.
const LONG_SEARCHES: &[&str] = &[
    "mar", "jensen", "ann", "schmidt", "olga", "weber", "zhang", "müller", "dubois", "rosa",
    "tanaka", "example",
];
/// The sorts the overview offers for a search, both ways.
const ANY_SORT: [(SortField, Direction); 8] = [
    (SortField::Name, Direction::Asc),
    (SortField::Name, Direction::Desc),
    (SortField::Email, Direction::Asc),
    (SortField::Email, Direction::Desc),
    (SortField::Created, Direction::Asc),
    (SortField::Created, Direction::Desc),
    (SortField::LastSignIn, Direction::Asc),
    (SortField::LastSignIn, Direction::Desc),
];
/// Searches of one or two characters, matched at the start.
pub(super) const SHORT_SEARCHES: &[&str] = &["a", "zh", "b", "ma", "s", "k", "ol", "e", "ve", "t"];

#[derive(Serialize)]
struct Report {
    /// "sqlite" or "postgres".
    store: &'static str,
    /// The server's version, for PostgreSQL.
    #[serde(skip_serializing_if = "Option::is_none")]
    server: Option<String>,
    users: usize,
    /// The people seeded: "realistic" or "harsh" (not known to `--again`).
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<&'static str>,
    /// How many distinct names (first and last together) the users have.
    distinct_names: usize,
    seed_seconds: f64,
    /// The seeded store's size, bytes, before any query is timed.
    disk_bytes: u64,
    /// PostgreSQL: how long gathering the planner's statistics took after
    /// seeding (`VACUUM (ANALYZE)`, as autovacuum would), before any query is timed.
    #[serde(skip_serializing_if = "Option::is_none")]
    analyze_seconds: Option<f64>,
    queries: BTreeMap<&'static str, Latency>,
    /// The searches of `--queries-file`, one by one.
    #[serde(skip_serializing_if = "Option::is_none")]
    queries_file: Option<super::bench_queries::QueriesReport>,
    /// The clients overview, when `--clients` asked for clients.
    #[serde(skip_serializing_if = "Option::is_none")]
    clients: Option<ClientsReport>,
    /// The audit page, export and verification, when `--audit-events` asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    audit: Option<super::bench_audit::AuditReport>,
    /// A team lead's overview: their team only (`users.view:team`).
    #[serde(skip_serializing_if = "Option::is_none")]
    team: Option<super::bench_team::TeamReport>,
    /// Bulk work on users, when `--dry-run-rows`, `--import-users` or
    /// `--bulk-disable` asked for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    bulk: Option<super::bench_bulk::BulkReport>,
    /// A backup of the SQLite store, when `--backup` asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    backup: Option<super::bench_backup::BackupReport>,
}

#[derive(Serialize)]
struct ClientsReport {
    clients: usize,
    distinct_names: usize,
    seed_seconds: f64,
    queries: BTreeMap<&'static str, Latency>,
}

#[derive(Serialize)]
pub(super) struct Latency {
    p50_ms: f64,
    p95_ms: f64,
    max_ms: f64,
    runs: usize,
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    // A bad file is refused before anything is seeded.
    let file = match &args.queries_file {
        Some(path) => Some(QueriesFile::read(path)?),
        None => None,
    };
    let file = file.as_ref();
    let report = match (&args.postgres, &args.store) {
        (Some(url), _) => match StoreArg::parse(OsStr::new(url))? {
            StoreArg::Postgres(config) => postgres(config, &args, file).await?,
            StoreArg::Sqlite(_) => bail!("--postgres needs a postgres:// URL."),
        },
        (None, Some(store)) => match StoreArg::parse(store)? {
            StoreArg::Sqlite(path) => sqlite(Some(path), &args, file).await?,
            StoreArg::Postgres(config) => postgres(config, &args, file).await?,
        },
        (None, None) => sqlite(None, &args, file).await?,
    };
    output::json(&report)
}

/// Seeds a new SQLite file (`path`, else a temporary one) and measures it.
async fn sqlite(
    path: Option<PathBuf>,
    args: &BenchArgs,
    file: Option<&QueriesFile>,
) -> anyhow::Result<Report> {
    let temporary = tempfile::tempdir()?;
    let path = match path {
        Some(path) if args.again && !path.exists() => {
            bail!(
                "{} does not exist: there is nothing to measure again.",
                path.display()
            )
        }
        Some(path) if path.exists() && !args.again => {
            bail!(
                "{} already exists; the benchmark seeds a new file.",
                path.display()
            )
        }
        Some(path) => path,
        None => temporary.path().join("bench.sqlite3"),
    };
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path)?);
    let seeding = Seeding {
        kind: "sqlite",
        server: None,
        batch: SQLITE_SEED_BATCH,
        analyze: None,
        file: Some(path.clone()),
    };
    let report = measure(store, seeding, args, file).await?;
    if path.starts_with(temporary.path()) && args.keep {
        let _kept = temporary.keep();
    }
    if args.keep || args.store.is_some() {
        eprintln!("Kept the seeded store: {}", path.display());
    }
    Ok(report)
}

/// Seeds a new schema `roster_bench_…` of the database `config` names,
/// measures it, and drops the schema again unless `--keep` is given; with
/// `--again`, measures the kept schema the URL names, and keeps it.
async fn postgres(
    config: PgConfig,
    args: &BenchArgs,
    file: Option<&QueriesFile>,
) -> anyhow::Result<Report> {
    match (&config.schema, args.again) {
        (Some(_), false) => bail!(
            "The benchmark seeds a new schema of its own; leave schema= out of the URL \
             (or measure a kept one again with --again)."
        ),
        (None, true) => bail!("--again measures a kept schema: name it with schema= in the URL."),
        _ => {}
    }
    let (mut config, _) = StoreArg::postgres_config(&config).await;
    let server = PostgresStore::test_connection(&config).await?;
    let schema = match &config.schema {
        Some(kept) => kept.clone(),
        None => {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|elapsed| elapsed.as_nanos())
                .unwrap_or_default();
            format!("roster_bench_{}_{:x}", std::process::id(), nanos)
        }
    };
    config.schema = Some(schema.clone());
    // (Connecting creates a schema that is not there.)
    if args.again && roster_core::bench::postgres_schema_bytes(&config).await? == 0 {
        bail!("There is no schema {schema} to measure again.");
    }

    let result = async {
        let store: Arc<dyn Store> = Arc::new(PostgresStore::connect(config.clone()).await?);
        let seeding = Seeding {
            kind: "postgres",
            server: Some(server),
            batch: POSTGRES_SEED_BATCH,
            analyze: Some(config.clone()),
            file: None,
        };
        measure(store, seeding, args, file).await
    }
    .await;

    // A schema measured again is kept as it was found.
    if args.keep && !args.again {
        eprintln!("Kept the seeded schema: {}", config.display_url());
    } else if args.again {
        eprintln!("Measured the kept schema again: {}", config.display_url());
    } else if let Err(error) = roster_core::bench::drop_postgres_schema(&config).await {
        let detail = match error {
            StoreError::Internal { detail } => detail,
            other => other.to_string(),
        };
        eprintln!(
            "roster: warning: the benchmark schema {schema} could not be dropped ({detail}); \
             drop it yourself."
        );
    }
    result
}

/// What differs between the stores while seeding.
struct Seeding {
    /// "sqlite" or "postgres".
    kind: &'static str,
    /// The server's version, for PostgreSQL.
    server: Option<String>,
    /// Users written per transaction.
    batch: usize,
    /// The PostgreSQL schema whose statistics to gather once it is seeded
    /// (and whose size to report).
    analyze: Option<PgConfig>,
    /// The SQLite file, whose size to report.
    file: Option<PathBuf>,
}

impl Seeding {
    /// The seeded store's size, bytes.
    async fn disk_bytes(&self) -> anyhow::Result<u64> {
        if let Some(config) = &self.analyze {
            return Ok(roster_core::bench::postgres_schema_bytes(config).await?);
        }
        Ok(self
            .file
            .iter()
            .flat_map(|path| {
                let mut wal = path.clone().into_os_string();
                wal.push("-wal");
                [path.clone(), PathBuf::from(wal)]
            })
            .filter_map(|path| std::fs::metadata(path).ok())
            .map(|metadata| metadata.len())
            .sum())
    }
}

/// Seeds `store` with `--users` users and times the overview's queries.
async fn measure(
    store: Arc<dyn Store>,
    seeding: Seeding,
    args: &BenchArgs,
    file: Option<&QueriesFile>,
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let users = args.users;
    let profile = args.profile;
    let on_terminal = std::io::stderr().is_terminal();
    let seeded = if args.again {
        roster_core::bench::Seeded {
            distinct_names: 0,
            team_lead: None,
            account_managers: Vec::new(),
        }
    } else {
        roster_core::bench::seed_profile(&*store, users, profile, seeding.batch, |written| {
            if on_terminal {
                eprint!("\rSeeded {written} of {users} users ({profile})");
            } else if written.is_multiple_of(seeding.batch * 20) || written == users {
                eprintln!("Seeded {written} of {users} users ({profile})");
            }
        })
        .await?
    };
    if on_terminal && !args.again {
        eprintln!();
    }
    let seed_seconds = round(started.elapsed().as_secs_f64());
    let clients = args.clients;
    let (client_seed_seconds, client_names) = if clients > 0 {
        let started = Instant::now();
        let seeded = roster_core::bench::seed_clients_profile(
            &*store,
            clients,
            (profile, &seeded.account_managers),
            seeding.batch,
            |written| {
                if on_terminal {
                    eprint!("\rSeeded {written} of {clients} clients");
                } else if written.is_multiple_of(seeding.batch * 20) || written == clients {
                    eprintln!("Seeded {written} of {clients} clients");
                }
            },
        )
        .await?;
        if on_terminal {
            eprintln!();
        }
        (
            round(started.elapsed().as_secs_f64()),
            seeded.distinct_names,
        )
    } else {
        (0.0, 0)
    };
    let audit_seeded = if args.audit_events > 0 {
        Some(super::bench_audit::seed(&*store, args.audit_events, seeding.batch).await?)
    } else {
        None
    };
    let analyze_seconds = match &seeding.analyze {
        Some(config) => {
            // What autovacuum would do soon after such a bulk load; without
            // statistics the first plans are blind (and a server with
            // autovacuum off would never have any).
            let started = Instant::now();
            roster_core::bench::analyze_postgres_schema(config).await?;
            let analyzed = round(started.elapsed().as_secs_f64());
            if let Err(error) = roster_core::bench::checkpoint_postgres(config).await {
                eprintln!(
                    "roster: warning: no checkpoint after seeding ({error}); the figures \
                     below may include writing out the seed."
                );
            }
            Some(analyzed)
        }
        None => None,
    };
    let disk_bytes = seeding.disk_bytes().await?;

    let directory = Directory::new(store);
    let operator = directory.first_administrator().await?;
    let bench = Bench {
        directory: &directory,
        operator: &operator,
        runs: args.queries as usize,
    };
    // A store measured again has the users and clients it was seeded with,
    // not the arguments' (whose defaults were never seeded there).
    let (users, clients) = if args.again {
        let users = UserQuery {
            limit: 1,
            ..UserQuery::default()
        };
        let clients = roster_core::clients::ClientQuery {
            limit: 1,
            ..Default::default()
        };
        (
            usize::try_from(directory.list_users(&operator, &users).await?.total.count)?,
            usize::try_from(
                directory
                    .list_clients(&operator, &clients)
                    .await?
                    .total
                    .count,
            )?,
        )
    } else {
        (users, clients)
    };
    let groups: Vec<GroupId> = directory
        .groups(&operator)
        .await?
        .into_iter()
        .filter(|g| !g.builtin)
        .map(|g| g.id)
        .collect();
    let deep_cursors = [
        bench
            .cursor_after_pages(SortField::Name, Direction::Asc)
            .await?,
        bench
            .cursor_after_pages(SortField::Created, Direction::Desc)
            .await?,
    ];

    let mut queries = BTreeMap::new();
    queries.insert("name", bench.measure(|_| page()).await?);
    queries.insert(
        "created_desc",
        bench
            .measure(|_| UserQuery {
                sort: SortField::Created,
                direction: Direction::Desc,
                ..page()
            })
            .await?,
    );
    queries.insert(
        "status",
        bench
            .measure(|run| UserQuery {
                status: Some(if run % 2 == 0 {
                    Status::Disabled.into()
                } else {
                    Status::Enabled.into()
                }),
                ..page()
            })
            .await?,
    );
    queries.insert(
        "expired",
        bench
            .measure(|_| UserQuery {
                status: Some(StatusFilter::Expired),
                ..page()
            })
            .await?,
    );
    queries.insert(
        "group",
        bench
            .measure(|run| UserQuery {
                group: groups.get(run % groups.len().max(1)).copied(),
                ..page()
            })
            .await?,
    );
    queries.insert(
        "search_3plus",
        bench
            .measure(|run| UserQuery {
                search: Some(if run % 3 == 2 {
                    format!(".{}@", (run * 7919) % users.max(1))
                } else {
                    LONG_SEARCHES[run % LONG_SEARCHES.len()].to_owned()
                }),
                ..page()
            })
            .await?,
    );
    queries.insert(
        "search_1_2",
        bench
            .measure(|run| UserQuery {
                search: Some(SHORT_SEARCHES[run % SHORT_SEARCHES.len()].to_owned()),
                ..page()
            })
            .await?,
    );
    // The same searches in every sort the overview offers, both ways,
    // and with a status or group filter.
    for (name, searches) in [
        ("search_3plus_any_sort", LONG_SEARCHES),
        ("search_1_2_any_sort", SHORT_SEARCHES),
    ] {
        queries.insert(
            name,
            bench
                .measure(|run| {
                    let (sort, direction) = ANY_SORT[run % ANY_SORT.len()];
                    UserQuery {
                        search: Some(searches[(run / ANY_SORT.len()) % searches.len()].to_owned()),
                        sort,
                        direction,
                        ..page()
                    }
                })
                .await?,
        );
    }
    queries.insert(
        "status_any_sort",
        bench
            .measure(|run| {
                let (sort, direction) = ANY_SORT[run % ANY_SORT.len()];
                let status = if (run / ANY_SORT.len()).is_multiple_of(2) {
                    Status::Disabled
                } else {
                    Status::Enabled
                };
                UserQuery {
                    status: Some(status.into()),
                    sort,
                    direction,
                    ..page()
                }
            })
            .await?,
    );
    queries.insert(
        "search_filtered",
        bench
            .measure(|run| {
                let (sort, direction) = ANY_SORT[run % ANY_SORT.len()];
                let all: Vec<&str> = LONG_SEARCHES
                    .iter()
                    .chain(SHORT_SEARCHES)
                    .copied()
                    .collect();
                let (status, group) = match run % 3 {
                    0 => (Some(Status::Enabled.into()), None),
                    1 => (Some(Status::Disabled.into()), None),
                    _ => (None, groups.get(run % groups.len().max(1)).copied()),
                };
                UserQuery {
                    search: Some(all[(run / 3) % all.len()].to_owned()),
                    sort,
                    direction,
                    status,
                    group,
                    ..page()
                }
            })
            .await?,
    );
    queries.insert(
        "deep_page",
        bench
            .measure(|run| {
                let cursor = &deep_cursors[run % deep_cursors.len()];
                UserQuery {
                    sort: cursor.as_ref().map_or(SortField::Name, |c| c.sort),
                    direction: cursor.as_ref().map_or(Direction::Asc, |c| c.direction),
                    after: cursor.clone(),
                    ..page()
                }
            })
            .await?,
    );

    let team = super::bench_team::measure(
        &directory,
        &operator,
        bench.runs,
        (seeded.team_lead.as_ref(), args.again),
    )
    .await?;

    let queries_file = match file {
        Some(file) => Some(
            file.measure(&directory, &operator, bench.runs, clients > 0)
                .await?,
        ),
        None => None,
    };
    let clients = if clients > 0 {
        Some(ClientsReport {
            clients,
            distinct_names: client_names,
            seed_seconds: client_seed_seconds,
            queries: super::bench_clients::measure(&bench, clients).await?,
        })
    } else {
        None
    };

    let audit = match audit_seeded {
        Some(seeded) => Some(
            super::bench_audit::measure(
                &directory,
                &operator,
                bench.runs,
                args.audit_events,
                seeded,
            )
            .await?,
        ),
        None => None,
    };
    let bulk = super::bench_bulk::measure(&directory, &operator, args).await?;
    let backup = super::bench_backup::measure(&directory, &operator, args).await?;

    Ok(Report {
        store: seeding.kind,
        server: seeding.server,
        users,
        profile: (!args.again).then(|| profile.as_str()),
        distinct_names: seeded.distinct_names,
        seed_seconds,
        disk_bytes,
        analyze_seconds,
        queries,
        queries_file,
        clients,
        team,
        audit,
        bulk,
        backup,
    })
}

fn page() -> UserQuery {
    UserQuery {
        limit: PAGE,
        ..UserQuery::default()
    }
}

pub(super) struct Bench<'a> {
    pub(super) directory: &'a Directory,
    pub(super) operator: &'a Operator,
    pub(super) runs: usize,
}

impl Bench<'_> {
    /// Runs the query `make(run)` builds once per run and summarises the latencies.
    async fn measure(&self, make: impl Fn(usize) -> UserQuery) -> anyhow::Result<Latency> {
        let mut millis = Vec::with_capacity(self.runs);
        for run in 0..self.runs {
            let query = make(run);
            let started = Instant::now();
            self.directory.list_users(self.operator, &query).await?;
            millis.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        Ok(summarise(millis))
    }

    /// The cursor reached by following `next` from the first page
    /// [`DEEP_PAGE_FOLLOWS`] times (`None` when the list is shorter).
    async fn cursor_after_pages(
        &self,
        sort: SortField,
        direction: Direction,
    ) -> anyhow::Result<Option<Cursor>> {
        let mut after = None;
        for _ in 0..DEEP_PAGE_FOLLOWS {
            let query = UserQuery {
                sort,
                direction,
                after,
                ..page()
            };
            after = self.directory.list_users(self.operator, &query).await?.next;
            if after.is_none() {
                break;
            }
        }
        Ok(after)
    }
}

pub(super) fn summarise(mut millis: Vec<f64>) -> Latency {
    millis.sort_by(f64::total_cmp);
    Latency {
        p50_ms: round(percentile(&millis, 0.50)),
        p95_ms: round(percentile(&millis, 0.95)),
        max_ms: round(millis.last().copied().unwrap_or(0.0)),
        runs: millis.len(),
    }
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (fraction * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub(super) fn round(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 0.50), 50.0);
        assert_eq!(percentile(&values, 0.95), 95.0);
        assert_eq!(percentile(&[7.0], 0.95), 7.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}
