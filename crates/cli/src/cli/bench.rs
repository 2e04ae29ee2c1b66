//! `roster bench`'s flags (a hidden command, for measuring).

use std::ffi::OsString;
use std::path::PathBuf;

use clap::Args;
use roster_core::bench::Profile;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// How many users to seed.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub users: usize,
    /// How many clients to seed and measure the clients overview on (none by default).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub clients: usize,
    /// How many audit events to seed and measure the audit page, export
    /// and verification on (none by default; the figure is 10000000).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub audit_events: usize,
    /// The people to seed: realistic (thousands of first names and tens of
    /// thousands of surnames of many languages, a few very common and most
    /// rare, at a few hundred company domains) or harsh (624 distinct names,
    /// every address at example.com: the worst case for broad searches).
    #[arg(long, value_name = "PROFILE", default_value = "realistic", value_parser = parse_profile)]
    pub profile: Profile,
    /// A file of searches to time, one a line (blank lines and lines
    /// starting with # are skipped): each is run --queries times on the
    /// users overview and, with --clients, on the clients overview, and
    /// reported with its p50, p95, max and hits.
    #[arg(long, value_name = "FILE")]
    pub queries_file: Option<PathBuf>,
    /// How many times to run each kind of query.
    #[arg(long, value_name = "N", default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..))]
    pub queries: u64,
    /// A new SQLite file to seed and keep (default: a temporary file), or a
    /// postgres:// URL: a new schema of that database is seeded (as with
    /// --postgres).
    #[arg(long, value_name = "STORE")]
    pub store: Option<OsString>,
    /// Seed a new schema (roster_bench_…) of this PostgreSQL database instead
    /// of a SQLite file; it is dropped afterwards unless --keep is given.
    #[arg(long, value_name = "URL", conflicts_with = "store")]
    pub postgres: Option<String>,
    /// Keep the seeded store afterwards and print where it is (a temporary
    /// SQLite file, or the PostgreSQL schema).
    #[arg(long)]
    pub keep: bool,
    /// Measure again the store an earlier run seeded and kept (--store
    /// FILE, or --store postgres://…?schema=NAME): nothing is seeded (a
    /// PostgreSQL schema is analysed again), the users and clients it holds
    /// are counted and measured (its clients, if any, too), and so is the
    /// team lead an earlier run made (the one member of its group "Bench
    /// team leads"). The report names no profile.
    #[arg(long, requires = "store", conflicts_with_all = ["postgres", "users", "profile", "clients", "audit_events"])]
    pub again: bool,
    /// Rows of a users file to check with a dry run (none by default).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub dry_run_rows: usize,
    /// Users to import for real, each with a generated password (none by default).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub import_users: usize,
    /// Disable every enabled user at once, as one bulk action, and time it.
    #[arg(long)]
    pub bulk_disable: bool,
    /// Measure a backup of the seeded SQLite store (unencrypted and
    /// encrypted) and checking it, beside the store's size.
    #[arg(long)]
    pub backup: bool,
}

fn parse_profile(value: &str) -> Result<Profile, String> {
    value.parse().map_err(|e: roster_core::Error| e.to_string())
}
