//! The tasks: `run`, `test` and `bench`.
//!
//! Each task is a list of steps. A step prints `==> what` when it starts
//! and its duration when it ends, and the first failing step stops the task
//! with a message saying what to do; a summary of the durations closes every
//! task, successful or not. Progress goes to stderr so that a task's real
//! output (the bench's JSON) can be piped from stdout.

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::{database, system};

/// Users the benchmark creates when `--users` is not given.
pub const DEFAULT_BENCH_USERS: u64 = 100_000;

/// Set for the test run so end-to-end tests fail, instead of skipping, when
/// their WebDriver (`tauri-driver`) or display is missing.
const REQUIRE_E2E_ENV: &str = "ROSTER_REQUIRE_E2E";

/// `cargo xtask run [ARGS]`: prerequisites, build, then the app itself with
/// ARGS; its exit code becomes ours.
pub fn run(app_args: Vec<String>) -> Result<ExitCode> {
    let mut session = Session::new();
    let built = (|| {
        session.step("check system prerequisites", |_| {
            system::ensure_prerequisites(&[])
        })?;
        session.cargo_step(&["build", "-p", "roster-desktop"], "")?;
        Ok::<_, anyhow::Error>(session.binary("debug", "roster-desktop"))
    })();
    session.summary(built.is_ok());
    let app = built?;

    let mut command = Command::new(&app);
    command.args(&app_args).current_dir(&session.root);
    eprintln!("==> {}", system::describe(&command));
    let status = command
        .status()
        .with_context(|| format!("could not start {}", app.display()))?;
    Ok(exit_code(status))
}

/// `cargo xtask test`: what CI runs (`.ci/run`).
pub fn test() -> Result<ExitCode> {
    let mut session = Session::new();
    let result = test_steps(&mut session);
    session.summary(result.is_ok());
    result.map(|()| ExitCode::SUCCESS)
}

fn test_steps(session: &mut Session) -> Result<()> {
    // The machine first: a missing package, driver or database is not a
    // code problem, and there is no point linting for minutes before saying so.
    session.step("check system prerequisites", |_| {
        system::ensure_prerequisites(system::TEST_PACKAGES)
    })?;
    let driver_dir = session.step("check tauri-driver", ensure_tauri_driver)?;
    session.step("check PostgreSQL", |_| {
        let endpoint = database::check_reachable()?;
        eprintln!("    reachable at {endpoint}");
        Ok(())
    })?;

    session.cargo_step(
        &["fmt", "--all", "--", "--check"],
        "run `cargo fmt --all` and commit the result",
    )?;
    session.cargo_step(
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        "fix the warnings above",
    )?;

    let test_commands: Vec<Vec<&str>> = if has_nextest() {
        // nextest does not run doc tests, so those go through `cargo test`,
        // first: the run's closing line is then nextest's summary of all tests.
        vec![
            vec!["test", "--workspace", "--doc"],
            vec!["nextest", "run", "--workspace"],
        ]
    } else {
        vec![vec!["test", "--workspace"]]
    };
    for args in test_commands {
        let mut command = session.cargo(&args);
        command.env(REQUIRE_E2E_ENV, "1");
        if let Some(dir) = &driver_dir {
            command.env("PATH", path_with(dir)?);
        }
        let command = headless(command);
        session.command_step(command, "see the failing tests above")?;
    }
    Ok(())
}

/// Where `cargo xtask bench` finds PostgreSQL, before `ROSTER_TEST_DATABASE_URL`.
pub const BENCH_DATABASE_URL_ENV: &str = "ROSTER_BENCH_DATABASE_URL";

/// The local test server, when neither variable is set.
const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// What `cargo xtask bench` is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchOptions {
    /// Users each store is seeded with.
    pub users: u64,
    /// Audit events seeded (0: that part is left out).
    pub audit_events: u64,
    /// Starts of each app in the start-up section.
    pub runs: u32,
    /// Only the start-up section (`--startup`).
    pub startup_only: bool,
    /// Only the window section, on this kept store (`--window FILE`).
    pub window_only: Option<PathBuf>,
}

/// The searches every bench times one by one, relative to the workspace.
pub(crate) const BENCH_QUERIES_FILE: &str = "bench/queries.txt";

/// The people profiles every bench seeds: the first one's SQLite store is
/// kept for the window section as seeded, the last one also measures the
/// bulk work (and the audit log), which do not depend on names and change
/// the store (an import, every user disabled).
const BENCH_PROFILES: [&str; 2] = ["realistic", "harsh"];

/// `cargo xtask bench [--users N] [--audit-events N] [--runs N]`: builds
/// `roster` optimised and runs `roster bench` with N users and N clients,
/// both profiles, on a SQLite file and then on a new schema of the
/// PostgreSQL database, timing [`BENCH_QUERIES_FILE`] too; then the
/// start-up section (`startup.rs`). Prints one JSON document
/// `{"sqlite": {"realistic": {...}, "harsh": {...}}, "postgres": {...},
/// "startup": {...}}` (each store's object is `roster bench`'s report).
/// With `--startup`, only `{"startup": {...}}`. Progress goes to stderr.
pub fn bench(options: BenchOptions) -> Result<ExitCode> {
    let mut session = Session::new();
    if options.startup_only {
        let startup = crate::startup::bench_startup(&mut session, options.runs);
        session.summary(startup.is_ok());
        println!("{{\n  \"startup\": {}\n}}", indent(&startup?));
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(store) = &options.window_only {
        let window = crate::window::bench_window(&mut session, store);
        session.summary(window.is_ok());
        println!("{{\n  \"window\": {}\n}}", indent(&window?));
        return Ok(ExitCode::SUCCESS);
    }
    let BenchOptions {
        users,
        audit_events,
        runs,
        ..
    } = options;
    let (url, source) = bench_database_url();
    // The realistic SQLite store is kept for the window section, then removed.
    let work = env::temp_dir().join(format!("roster-bench-{}", std::process::id()));
    let window_store = work.join("realistic.sqlite3");
    let mut windows = Vec::new();
    let reports = (|| {
        session.step("check PostgreSQL", |_| {
            let endpoint = database::check_url_reachable(&url, &source)?;
            eprintln!("    reachable at {endpoint}");
            Ok(())
        })?;
        session.cargo_step(&["build", "--release", "-p", "roster-cli"], "")?;
        let roster = session.binary("release", "roster");
        let mut bulk: Vec<String> = bulk_bench_args(users)
            .into_iter()
            .map(str::to_owned)
            .collect();
        if audit_events > 0 {
            bulk.extend(["--audit-events".to_owned(), audit_events.to_string()]);
        }
        let users = users.to_string();
        // The password, if the URL has one, goes in PGPASSWORD: a command
        // line is visible to every user of the machine.
        let (url, password) = database::split_password(&url);
        std::fs::create_dir_all(&work)
            .with_context(|| format!("cannot create {}", work.display()))?;
        let mut reports = Vec::new();
        for postgres in [false, true] {
            let mut by_profile = Vec::new();
            for (index, profile) in BENCH_PROFILES.into_iter().enumerate() {
                let mut command = Command::new(&roster);
                command.args([
                    "bench",
                    "--users",
                    &users,
                    "--clients",
                    &users,
                    "--profile",
                    profile,
                    "--queries-file",
                    BENCH_QUERIES_FILE,
                ]);
                if index == BENCH_PROFILES.len() - 1 {
                    command.args(&bulk);
                }
                let store = if postgres {
                    command.args(["--postgres", &url]);
                    if let Some(password) = &password {
                        command.env("PGPASSWORD", password);
                    }
                    "PostgreSQL"
                } else {
                    if index == 0 {
                        command.arg("--store").arg(&window_store);
                    }
                    "SQLite"
                };
                let report = session.report_step(&format!("bench {store}, {profile}"), command)?;
                by_profile.push((profile, report));
            }
            reports.push(by_profile);
            if !postgres {
                let window = crate::window::bench_window(&mut session, &window_store);
                let _ = std::fs::remove_dir_all(&work);
                windows.push(window?);
            }
        }
        let startup = crate::startup::bench_startup(&mut session, runs)?;
        Ok::<_, anyhow::Error>((reports, startup))
    })();
    let _ = std::fs::remove_dir_all(&work);
    session.summary(reports.is_ok());
    let (reports, startup) = reports?;
    let mut stores: Vec<String> = ["sqlite", "postgres"]
        .into_iter()
        .zip(reports)
        .map(|(store, by_profile)| {
            let profiles: Vec<String> = by_profile
                .iter()
                .map(|(profile, report)| format!("    \"{profile}\": {}", indent(&indent(report))))
                .collect();
            format!("  \"{store}\": {{\n{}\n  }}", profiles.join(",\n"))
        })
        .collect();
    for window in windows {
        stores.push(format!("  \"window\": {}", indent(&window)));
    }
    stores.push(format!("  \"startup\": {}", indent(&startup)));
    println!("{{\n{}\n}}", stores.join(",\n"));
    Ok(ExitCode::SUCCESS)
}

/// The bulk section of each store's bench (issue 13's figures): a dry run
/// of a 100,000-row users file, a real import of 10,000 users with
/// generated passwords, and one bulk action disabling every enabled seeded
/// user, which is measured only up to 200,000 users (the seeded store's
/// users are the selection).
fn bulk_bench_args(users: u64) -> Vec<&'static str> {
    let mut args = vec!["--dry-run-rows", "100000", "--import-users", "10000"];
    if users <= 200_000 {
        args.push("--bulk-disable");
    }
    args
}

/// The benchmark's database URL and where it came from (for messages; the
/// URL itself is never printed).
fn bench_database_url() -> (String, String) {
    for name in [BENCH_DATABASE_URL_ENV, database::DATABASE_URL_ENV] {
        if let Some(url) = env::var(name).ok().filter(|url| !url.trim().is_empty()) {
            return (url, format!("from {name}"));
        }
    }
    (
        DEFAULT_DATABASE_URL.to_owned(),
        format!(
            "the default {DEFAULT_DATABASE_URL}; set {BENCH_DATABASE_URL_ENV} or {} to use another",
            database::DATABASE_URL_ENV
        ),
    )
}

/// A JSON document indented to sit as a value inside another.
fn indent(json: &str) -> String {
    json.trim().lines().collect::<Vec<_>>().join("\n  ")
}

/// Makes sure `tauri-driver` (the WebDriver bridge the end-to-end tests use)
/// is installed; returns the folder to add to PATH when it is installed but
/// that folder is not on PATH (typical for `~/.cargo/bin` in CI shells).
///
/// There is no WebDriver for macOS's WKWebView, so it is not installed there.
pub(crate) fn ensure_tauri_driver(session: &Session) -> Result<Option<PathBuf>> {
    if cfg!(target_os = "macos") {
        eprintln!(
            "    note: tauri-driver does not support macOS; end-to-end tests cannot run here"
        );
        return Ok(None);
    }
    if let Some(path) = system::find_on_path("tauri-driver") {
        eprintln!("    found {}", path.display());
        return Ok(None);
    }
    let bin_dir = cargo_install_bin_dir()?;
    let installed = bin_dir.join(format!("tauri-driver{}", env::consts::EXE_SUFFIX));
    if !installed.is_file() {
        let mut command = session.cargo(&["install", "tauri-driver", "--locked"]);
        eprintln!("==> {}", system::describe(&command));
        let status = command.status().context("could not start cargo install")?;
        if !status.success() {
            bail!("`cargo install tauri-driver --locked` failed ({status})");
        }
        if !installed.is_file() {
            bail!(
                "cargo install finished but {} is missing",
                installed.display()
            );
        }
    }
    eprintln!(
        "    using {} (added to PATH for the tests)",
        installed.display()
    );
    Ok(Some(bin_dir))
}

/// `cargo test` of the one ignored end-to-end test `test` (its full name)
/// against the program `app`, with `driver_dir` (where tauri-driver is)
/// on PATH when it is not there already.
pub(crate) fn ignored_e2e_test(
    session: &Session,
    test: &str,
    app: &Path,
    driver_dir: Option<&Path>,
) -> Result<Command> {
    let mut command = session.cargo(&[
        "test",
        "-p",
        "roster-desktop",
        "--test",
        "e2e",
        "--",
        "--ignored",
        "--exact",
        test,
    ]);
    command.env("ROSTER_E2E_APP", app).env(REQUIRE_E2E_ENV, "1");
    if let Some(dir) = driver_dir {
        command.env("PATH", path_with(dir)?);
    }
    Ok(command)
}

/// Where `cargo install` puts binaries (ignoring `install.root` in config
/// files, which this project does not use).
pub(crate) fn cargo_install_bin_dir() -> Result<PathBuf> {
    if let Some(root) = non_empty_var("CARGO_INSTALL_ROOT") {
        return Ok(PathBuf::from(root).join("bin"));
    }
    if let Some(home) = non_empty_var("CARGO_HOME") {
        return Ok(PathBuf::from(home).join("bin"));
    }
    Ok(home_dir()
        .context("cannot find the home folder (HOME is not set)")?
        .join(".cargo")
        .join("bin"))
}

fn has_nextest() -> bool {
    Command::new(cargo_program())
        .args(["nextest", "--version"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// On Linux without a display (CI), runs `command` inside `xvfb-run` so the
/// end-to-end tests get a virtual X server, and disables WebKitGTK's DMA-BUF
/// renderer, which fails without a GPU.
fn headless(command: Command) -> Command {
    if !cfg!(target_os = "linux") {
        return command;
    }
    let has_display =
        non_empty_var("DISPLAY").is_some() || non_empty_var("WAYLAND_DISPLAY").is_some();
    let mut command = if has_display {
        command
    } else if let Some(xvfb_run) = system::find_on_path("xvfb-run") {
        let mut wrapped = Command::new(xvfb_run.file_name().unwrap_or(xvfb_run.as_os_str()));
        wrapped
            .args(["--auto-servernum", "--server-args=-screen 0 1280x1024x24"])
            .arg(command.get_program())
            .args(command.get_args())
            .current_dir(command.get_current_dir().unwrap_or(Path::new(".")));
        for (key, value) in command.get_envs() {
            match value {
                Some(value) => wrapped.env(key, value),
                None => wrapped.env_remove(key),
            };
        }
        wrapped
    } else {
        eprintln!("    note: no display and no xvfb-run; end-to-end tests will fail");
        command
    };
    command.env("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
    command
}

/// The state of one task: where things are, and how long each step took.
pub(crate) struct Session {
    /// The workspace root; every command runs there.
    pub(crate) root: PathBuf,
    /// `CARGO_TARGET_DIR` for every cargo command (see [`target_dir`]).
    pub(crate) target_dir: PathBuf,
    steps: Vec<(String, Duration, bool)>,
    started: Instant,
}

impl Session {
    pub(crate) fn new() -> Self {
        let root = workspace_root();
        let target_dir = target_dir(&root);
        eprintln!("    target dir: {}", target_dir.display());
        Session {
            root,
            target_dir,
            steps: Vec::new(),
            started: Instant::now(),
        }
    }

    /// A cargo command in the workspace root, building into our target dir.
    pub(crate) fn cargo(&self, args: &[&str]) -> Command {
        let mut command = Command::new(cargo_program());
        command
            .args(args)
            .current_dir(&self.root)
            .env("CARGO_TARGET_DIR", &self.target_dir);
        command
    }

    /// Path of a binary built with `profile` ("debug" or "release").
    pub(crate) fn binary(&self, profile: &str, name: &str) -> PathBuf {
        self.target_dir
            .join(profile)
            .join(format!("{name}{}", env::consts::EXE_SUFFIX))
    }

    /// Runs one step: announces it, times it, records the outcome.
    pub(crate) fn step<T>(
        &mut self,
        label: &str,
        work: impl FnOnce(&Self) -> Result<T>,
    ) -> Result<T> {
        eprintln!("==> {label}");
        let started = Instant::now();
        let result = work(self);
        let elapsed = started.elapsed();
        let ok = result.is_ok();
        eprintln!(
            "    {} in {}",
            if ok { "done" } else { "FAILED" },
            seconds(elapsed)
        );
        self.steps.push((label.to_string(), elapsed, ok));
        result
    }

    /// Runs `command` in the workspace root as a step, stderr inherited,
    /// and returns its standard output, which must be one JSON object.
    pub(crate) fn report_step(&mut self, label: &str, mut command: Command) -> Result<String> {
        command
            .current_dir(&self.root)
            .stdout(std::process::Stdio::piped());
        let described = system::describe(&command);
        self.step(label, |_| {
            eprintln!("    {described}");
            let output = command
                .output()
                .with_context(|| format!("could not start `{described}`"))?;
            if !output.status.success() {
                bail!("`{described}` failed ({})", output.status);
            }
            let report = String::from_utf8(output.stdout)
                .with_context(|| format!("`{described}` printed something that is not text"))?;
            if !report.trim_start().starts_with('{') || !report.trim_end().ends_with('}') {
                bail!("`{described}` did not print a JSON object");
            }
            Ok(report)
        })
    }

    pub(crate) fn cargo_step(&mut self, args: &[&str], hint: &str) -> Result<()> {
        let command = self.cargo(args);
        self.command_step(command, hint)
    }

    /// Runs `command` as a step, inheriting stdio; a non-zero exit stops the
    /// task with `hint`.
    pub(crate) fn command_step(&mut self, mut command: Command, hint: &str) -> Result<()> {
        let label = system::describe(&command);
        self.step(&label, |_| {
            let status = command
                .status()
                .with_context(|| format!("could not start `{label}`"))?;
            if status.success() {
                Ok(())
            } else if hint.is_empty() {
                bail!("`{label}` failed ({status})")
            } else {
                bail!("`{label}` failed ({status}): {hint}")
            }
        })
    }

    pub(crate) fn summary(&self, ok: bool) {
        eprintln!();
        eprintln!(
            "Steps{}:",
            if ok {
                ""
            } else {
                " (stopped at the first failure)"
            }
        );
        for (label, elapsed, ok) in &self.steps {
            let mark = if *ok { "" } else { "  FAILED" };
            eprintln!("{:>9}  {label}{mark}", seconds(*elapsed));
        }
        eprintln!("{:>9}  total", seconds(self.started.elapsed()));
    }
}

/// The cargo that started us (`$CARGO`), so nested builds use the same
/// toolchain; plain `cargo` when run some other way.
pub fn cargo_program() -> OsString {
    env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in a folder of the workspace root")
        .to_path_buf()
}

/// `$CARGO_TARGET_DIR` when set; otherwise `~/.cache/roster-target`, outside
/// the checkout, so that every fresh clone (each CI run) reuses one build
/// cache instead of compiling Tauri from scratch. `./target` only when
/// there is no home folder.
fn target_dir(root: &Path) -> PathBuf {
    if let Some(dir) = non_empty_var("CARGO_TARGET_DIR") {
        // Cargo reads a relative CARGO_TARGET_DIR against the current folder.
        let cwd = env::current_dir().unwrap_or_else(|_| root.to_path_buf());
        return cwd.join(dir);
    }
    match home_dir() {
        Some(home) => home.join(".cache").join("roster-target"),
        None => root.join("target"),
    }
}

fn home_dir() -> Option<PathBuf> {
    non_empty_var("HOME")
        .or_else(|| non_empty_var("USERPROFILE"))
        .map(PathBuf::from)
}

pub(crate) fn non_empty_var(name: &str) -> Option<OsString> {
    env::var_os(name).filter(|value| !value.is_empty())
}

/// PATH with `dir` in front.
pub(crate) fn path_with(dir: &Path) -> Result<OsString> {
    let current = env::var_os("PATH").unwrap_or_default();
    let dirs = std::iter::once(dir.to_path_buf()).chain(env::split_paths(&current));
    env::join_paths(dirs).context("cannot build PATH")
}

/// A child's exit status as ours: its code when it has one (clamped to what
/// an exit code can hold), 128 + the signal when a signal ended it.
fn exit_code(status: ExitStatus) -> ExitCode {
    if let Some(code) = status.code() {
        return match u8::try_from(code) {
            Ok(code) => ExitCode::from(code),
            Err(_) => ExitCode::FAILURE,
        };
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return ExitCode::from(128u8.saturating_add(signal as u8));
        }
    }
    ExitCode::FAILURE
}

fn seconds(elapsed: Duration) -> String {
    format!("{:.1}s", elapsed.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_are_indented_to_nest_in_the_combined_document() {
        assert_eq!(indent("{\n  \"a\": 1\n}\n"), "{\n    \"a\": 1\n  }");
    }
}
