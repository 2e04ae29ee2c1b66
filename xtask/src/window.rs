//! The window section of `cargo xtask bench` (issue 19): the users
//! overview in the real window, Roster built in release mode, on a store
//! `roster bench` seeded: from a search's last keystroke to its first page
//! drawn. The end-to-end test `overview_speed` (tests/e2e/overview_speed.rs)
//! types and measures in the page; this builds the app, runs that test with
//! the searches of `bench/queries.txt` and returns the JSON it writes.

use std::fs;
use std::path::Path;
use std::process::Stdio;

use anyhow::{bail, Context, Result};

use crate::system;
use crate::tasks::{self, Session};

/// Times each search is typed.
pub const RUNS: u32 = 5;

/// The test that measures, run by its full name alone.
const TEST: &str = "overview_speed::the_first_page_after_the_last_keystroke";

/// Measures the overview of `store` (a SQLite file) in the real window;
/// returns the test's JSON report.
pub fn bench_window(session: &mut Session, store: &Path) -> Result<String> {
    if cfg!(target_os = "macos") {
        bail!("the window bench drives the app over WebDriver, which macOS's web view lacks");
    }
    if !store.is_file() {
        bail!(
            "{} is not a store file: make one with `roster bench --store FILE`",
            store.display()
        );
    }
    let store =
        fs::canonicalize(store).with_context(|| format!("cannot find {}", store.display()))?;
    session.step("check system prerequisites", |_| {
        system::ensure_prerequisites(system::TEST_PACKAGES)
    })?;
    let driver_dir = session.step("check tauri-driver", tasks::ensure_tauri_driver)?;
    let app = crate::startup::build_release_app(session)?;
    let out = std::env::temp_dir().join(format!("roster-window-bench-{}.json", std::process::id()));
    let _ = fs::remove_file(&out);
    let mut command = tasks::ignored_e2e_test(session, TEST, &app, driver_dir.as_deref())?;
    command
        .arg("--nocapture")
        .env("ROSTER_WINDOW_BENCH_STORE", &store)
        .env("ROSTER_WINDOW_BENCH_OUT", &out)
        .env("ROSTER_WINDOW_BENCH_RUNS", RUNS.to_string())
        .env(
            "ROSTER_WINDOW_BENCH_QUERIES",
            session.root.join(tasks::BENCH_QUERIES_FILE),
        )
        // The bench's JSON is this task's standard output: the test's goes
        // with the progress.
        .stdout(Stdio::from(std::io::stderr()));
    let report = session
        .command_step(command, "see the failure above")
        .and_then(|()| {
            fs::read_to_string(&out)
                .with_context(|| format!("the window bench wrote no figures to {}", out.display()))
        });
    let _ = fs::remove_file(&out);
    report
}
