//! Project automation for Roster, run as `cargo xtask <task>` (an alias in
//! `.cargo/config.toml`).
//!
//! Plain Rust instead of shell scripts so the same entry points work on
//! Linux, macOS and Windows, and CI (`.ci/run`) runs exactly what a developer
//! runs. This file only dispatches; the tasks are in `tasks.rs`, the checks of
//! the machine in `system.rs` and `database.rs`.

mod database;
mod dist;
mod startup;
mod system;
mod tasks;
mod window;

use std::process::ExitCode;

use anyhow::{bail, Context, Result};

const USAGE: &str = "\
Usage: cargo xtask <task> [options]

Tasks:
  run [-- ARGS...]   Install missing system packages (Debian/Ubuntu), build
                     the desktop app and start it; ARGS go to the app.
  test               Install what the tests need, then run, stopping at the
                     first failure: cargo fmt --check, cargo clippy
                     -D warnings, the workspace tests (nextest if installed)
                     and the doc tests. Needs a reachable PostgreSQL server
                     (ROSTER_TEST_DATABASE_URL, default 127.0.0.1:5432).
  bench [--users N] [--audit-events N] [--runs N]
  bench --startup [--runs N]
  bench --window FILE
                     Build `roster` in release mode and run `roster bench
                     --users N --clients N` (default 100000) with both
                     profiles of people (realistic: thousands of names of
                     many languages, Zipf-like, company domains; harsh: 624
                     names) and the searches of bench/queries.txt, on a new
                     SQLite file, then on a new schema of a PostgreSQL
                     database (dropped afterwards); then the window
                     section (alone with --window FILE, a store `roster
                     bench --store FILE` kept): the realistic SQLite
                     store's users overview in the real window, Roster
                     built in release mode, each search of the file typed
                     5 times a key every 120 ms, timed from the last key
                     to its first page drawn; then the start-up
                     section (alone with --startup): Roster and an empty
                     Tauri 2 window built in release mode, each started N
                     times (default 10) under Xvfb, timed from spawn to the
                     first screen drawn (for Roster the sign-in form of a
                     store made with `roster init`) and their processes'
                     memory (PSS) summed after 10 s idle; p50 and max of
                     each (and the fastest start), and Roster's ratios
                     of the medians and of the fastest starts. The database is
                     ROSTER_BENCH_DATABASE_URL, else ROSTER_TEST_DATABASE_URL,
                     else postgres://postgres@127.0.0.1:5432/test; a password
                     in the URL is passed on in PGPASSWORD. Prints one JSON
                     document to stdout, {\"sqlite\": {\"realistic\": REPORT,
                     \"harsh\": REPORT}, \"postgres\": {...}, \"window\":
                     FIGURES, \"startup\": FIGURES}, each REPORT being `roster bench`'s (seed time,
                     disk size, p50/p95/max ms per query and per search of
                     the file; with the harsh profile, bulk work: a dry
                     run of 100,000 rows, an import of 10,000 users beside
                     this machine's hashing limit, a bulk disable of every
                     enabled user up to 200,000; with --audit-events N, N
                     audit events seeded and the audit page's first pages,
                     a million-event export and a whole verification timed);
                     progress goes to stderr.
  dist [--bundles LIST]
                     Build Roster in release mode and make its installers
                     with Tauri's bundler (installs tauri-cli 2 when missing):
                     on Linux a .deb, an .rpm and an AppImage (LIST, e.g.
                     `deb,rpm`, picks some; the AppImage's tools are
                     downloaded from GitHub), on Windows an MSI and an NSIS
                     setup, on macOS an .app in a .dmg. The `roster` command
                     ships in each. Prints each installer's size and path.
  test-dist [--appimage]
                     Debian/Ubuntu, as root or with sudo: make the .deb,
                     install it with apt-get, run the installed `roster
                     --version`, start the installed app under Xvfb and reach
                     its first run over WebDriver, then purge the package and
                     check that only the user's data is left. With
                     --appimage, also make the AppImage and start it the
                     same way. Not part of `test` (see ARCHITECTURE.md).
  sidecar [--target TRIPLE]
                     Build `roster` in release mode and stage it where
                     tauri.dist.conf.json's externalBin finds it, for a
                     `cargo tauri build --config tauri.dist.conf.json` run
                     elsewhere (the release workflow).
  help               Show this text.

Builds go to $CARGO_TARGET_DIR, or to ~/.cache/roster-target when it is not
set, so fresh clones (CI) reuse one build cache.
";

fn main() -> ExitCode {
    match dispatch(std::env::args().skip(1).collect()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("\nxtask: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: Vec<String>) -> Result<ExitCode> {
    let Some((task, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return Ok(ExitCode::from(2));
    };
    match task.as_str() {
        "run" => tasks::run(app_args(rest)?),
        "test" => {
            no_options(task, rest)?;
            tasks::test()
        }
        "bench" => tasks::bench(bench_options(rest)?),
        "dist" => dist::dist(dist_bundles(rest)?),
        "test-dist" => dist::test_dist(test_dist_appimage(rest)?),
        "sidecar" => dist::sidecar(sidecar_target(rest)?),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => bail!("unknown task `{other}`; see `cargo xtask help`"),
    }
}

/// `run` forwards what follows `--` to the app (a bare list is accepted too).
fn app_args(rest: &[String]) -> Result<Vec<String>> {
    match rest.first().map(String::as_str) {
        Some("--") => Ok(rest[1..].to_vec()),
        Some(flag) if flag.starts_with('-') => {
            bail!("unknown option `{flag}` for run; put the app's own options after `--`")
        }
        _ => Ok(rest.to_vec()),
    }
}

fn no_options(task: &str, rest: &[String]) -> Result<()> {
    match rest.first() {
        Some(arg) => bail!("`{task}` takes no arguments, got `{arg}`"),
        None => Ok(()),
    }
}

/// Parses `[--bundles LIST | --bundles=LIST]`, LIST separated by commas.
fn dist_bundles(rest: &[String]) -> Result<Option<Vec<String>>> {
    let mut bundles = None;
    let mut args = rest.iter();
    while let Some(arg) = args.next() {
        let value = if arg == "--bundles" {
            args.next()
                .context("`--bundles` needs a list such as deb,rpm")?
        } else if let Some(value) = arg.strip_prefix("--bundles=") {
            value
        } else {
            bail!("unknown option `{arg}` for dist; expected `--bundles LIST`");
        };
        let list: Vec<String> = value
            .split(',')
            .map(|b| b.trim().to_owned())
            .filter(|b| !b.is_empty())
            .collect();
        if list.is_empty() {
            bail!("`--bundles` needs at least one bundle, such as deb");
        }
        bundles = Some(list);
    }
    Ok(bundles)
}

/// Parses `[--target TRIPLE]`.
fn sidecar_target(rest: &[String]) -> Result<Option<String>> {
    match rest {
        [] => Ok(None),
        [flag, triple] if flag == "--target" && !triple.starts_with('-') => {
            Ok(Some(triple.clone()))
        }
        [other, ..] => bail!("`sidecar` takes only `--target TRIPLE`, got `{other}`"),
    }
}

/// Parses `[--appimage]`.
fn test_dist_appimage(rest: &[String]) -> Result<bool> {
    match rest {
        [] => Ok(false),
        [flag] if flag == "--appimage" => Ok(true),
        [other, ..] => bail!("unknown option `{other}` for test-dist; expected `--appimage`"),
    }
}

/// Parses `[--users N | --users=N]`.
#[cfg(test)]
fn bench_users(rest: &[String]) -> Result<u64> {
    Ok(bench_options(rest)?.users)
}

/// Parses `[--startup] [--users N] [--audit-events N] [--runs N]` (each
/// number also as `--name=N`): the users, the audit events (0, none,
/// unless asked), the start-up runs of each app, and whether only the
/// start-up section runs.
fn bench_options(rest: &[String]) -> Result<tasks::BenchOptions> {
    let mut options = tasks::BenchOptions {
        users: tasks::DEFAULT_BENCH_USERS,
        audit_events: 0,
        runs: startup::DEFAULT_RUNS,
        startup_only: false,
        window_only: None,
    };
    let mut args = rest.iter();
    while let Some(arg) = args.next() {
        if arg == "--startup" {
            options.startup_only = true;
            continue;
        }
        if let Some(store) = arg.strip_prefix("--window=") {
            options.window_only = Some(store.into());
            continue;
        }
        if arg == "--window" {
            let store = args
                .next()
                .filter(|store| !store.starts_with("--"))
                .context("`--window` needs a store file")?;
            options.window_only = Some(store.into());
            continue;
        }
        let (name, value) = match arg.split_once('=') {
            Some((name, value)) => (name, value),
            None if ["--users", "--audit-events", "--runs"].contains(&arg.as_str()) => (
                arg.as_str(),
                args.next()
                    .map(String::as_str)
                    .with_context(|| format!("`{arg}` needs a number"))?,
            ),
            None => bail!(
                "unknown option `{arg}` for bench; expected `--startup`, `--users N`, \
                 `--audit-events N` or `--runs N`"
            ),
        };
        let number = value
            .parse()
            .ok()
            .filter(|&n: &u64| n > 0)
            .with_context(|| format!("`{name}` needs a positive number, got `{value}`"))?;
        match name {
            "--users" => options.users = number,
            "--audit-events" => options.audit_events = number,
            "--runs" => {
                options.runs = u32::try_from(number)
                    .ok()
                    .filter(|&runs| runs <= 1000)
                    .with_context(|| format!("`--runs` takes at most 1000, got `{value}`"))?
            }
            _ => bail!(
                "unknown option `{name}` for bench; expected `--startup`, `--users N`, \
                 `--audit-events N` or `--runs N`"
            ),
        }
    }
    if options.window_only.is_some()
        && (options.startup_only
            || options.users != tasks::DEFAULT_BENCH_USERS
            || options.audit_events > 0
            || options.runs != startup::DEFAULT_RUNS)
    {
        bail!("`--window FILE` measures only the window on a kept store: it takes no other option");
    }
    if options.startup_only
        && (options.users != tasks::DEFAULT_BENCH_USERS || options.audit_events > 0)
    {
        bail!("`--startup` measures only the start-up: it takes `--runs N`, not `--users` or `--audit-events`");
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|arg| arg.to_string()).collect()
    }

    #[test]
    fn bench_users_defaults_and_parses_both_spellings() {
        assert_eq!(bench_users(&[]).unwrap(), tasks::DEFAULT_BENCH_USERS);
        assert_eq!(bench_users(&strings(&["--users", "500"])).unwrap(), 500);
        assert_eq!(bench_users(&strings(&["--users=7"])).unwrap(), 7);
    }

    #[test]
    fn bench_users_rejects_nonsense() {
        assert!(bench_users(&strings(&["--users"])).is_err());
        assert!(bench_users(&strings(&["--users", "0"])).is_err());
        assert!(bench_users(&strings(&["--users", "many"])).is_err());
        assert!(bench_users(&strings(&["--fast"])).is_err());
    }

    #[test]
    fn bench_takes_audit_events_beside_users() {
        let counts = |args: &[&str]| {
            bench_options(&strings(args)).map(|options| (options.users, options.audit_events))
        };
        assert_eq!(counts(&[]).unwrap(), (tasks::DEFAULT_BENCH_USERS, 0));
        assert_eq!(
            counts(&["--audit-events", "10000000", "--users=9"]).unwrap(),
            (9, 10_000_000)
        );
        assert!(bench_options(&strings(&["--audit-events"])).is_err());
        assert!(bench_options(&strings(&["--audit-events=0"])).is_err());
    }

    #[test]
    fn bench_startup_alone_or_with_the_stores() {
        let all = bench_options(&[]).unwrap();
        assert!(!all.startup_only);
        assert_eq!(all.runs, startup::DEFAULT_RUNS);
        let only = bench_options(&strings(&["--startup", "--runs", "3"])).unwrap();
        assert!(only.startup_only);
        assert_eq!(only.runs, 3);
        assert_eq!(bench_options(&strings(&["--runs=5"])).unwrap().runs, 5);
        assert!(bench_options(&strings(&["--runs", "0"])).is_err());
        assert!(bench_options(&strings(&["--runs", "5000"])).is_err());
        assert!(bench_options(&strings(&["--startup", "--users", "5"])).is_err());
    }

    #[test]
    fn bench_window_takes_a_store_and_nothing_else() {
        assert_eq!(bench_options(&[]).unwrap().window_only, None);
        let spaced = bench_options(&strings(&["--window", "kept.sqlite3"])).unwrap();
        assert_eq!(spaced.window_only, Some("kept.sqlite3".into()));
        let joined = bench_options(&strings(&["--window=kept.sqlite3"])).unwrap();
        assert_eq!(joined.window_only, Some("kept.sqlite3".into()));
        assert!(bench_options(&strings(&["--window"])).is_err());
        assert!(bench_options(&strings(&["--window", "--users", "5"])).is_err());
        assert!(bench_options(&strings(&["--window", "a", "--users", "5"])).is_err());
        assert!(bench_options(&strings(&["--window", "a", "--startup"])).is_err());
        assert!(bench_options(&strings(&["--window", "a", "--runs", "3"])).is_err());
    }

    #[test]
    fn dist_takes_a_list_of_bundles() {
        assert_eq!(dist_bundles(&[]).unwrap(), None);
        assert_eq!(
            dist_bundles(&strings(&["--bundles", "deb,rpm"])).unwrap(),
            Some(strings(&["deb", "rpm"]))
        );
        assert_eq!(
            dist_bundles(&strings(&["--bundles=deb"])).unwrap(),
            Some(strings(&["deb"]))
        );
        assert!(dist_bundles(&strings(&["--bundles", ","])).is_err());
        assert!(dist_bundles(&strings(&["--bundles"])).is_err());
        assert!(dist_bundles(&strings(&["--fast"])).is_err());
        assert!(test_dist_appimage(&strings(&["--appimage"])).unwrap());
        assert!(!test_dist_appimage(&[]).unwrap());
        assert!(test_dist_appimage(&strings(&["--deb"])).is_err());
    }

    #[test]
    fn run_forwards_what_follows_the_separator() {
        assert_eq!(
            app_args(&strings(&["--", "--x"])).unwrap(),
            strings(&["--x"])
        );
        assert_eq!(app_args(&strings(&["a"])).unwrap(), strings(&["a"]));
        assert!(app_args(&strings(&["--x"])).is_err());
    }
}
