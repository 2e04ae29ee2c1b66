//! The start-up section of `cargo xtask bench` (issue 19): how long Roster
//! takes from the process's start to its first screen drawn and usable,
//! and how much memory its processes hold after 10 s idle, beside an empty
//! Tauri 2 window (`xtask/empty-window`, the same Tauri) measured the same
//! way in the same run.
//!
//! How "drawn and usable" is detected: each page calls its process's
//! `first_screen_drawn` command two animation frames after its first screen
//! is in the document (Roster: the sign-in form, on a store made by
//! `roster init` beforehand; the empty window: its empty page), so the frame
//! holding it has been painted; with `ROSTER_STARTUP_PROBE` set the process
//! then writes `SCREEN NANOS` (wall clock) to that file. The time is that
//! clock minus the wall clock just before the process was spawned.
//!
//! Memory: 10 s after the probe, the proportional set size (PSS, from
//! `/proc/PID/smaps_rollup`) and the resident set size of the process and
//! all its descendants (WebKitWebProcess, WebKitNetworkProcess, …) added
//! up. PSS shares the libraries both apps map between the processes that
//! map them, so it is the fairer sum; RSS is printed too.
//!
//! Each app runs `runs` times, the two alternating, on an Xvfb display of
//! their own with `WEBKIT_DISABLE_DMABUF_RENDERER=1`. Linux only.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};

use crate::system;
use crate::tasks::Session;

/// Runs of each app when `--runs` is not given.
pub const DEFAULT_RUNS: u32 = 10;

/// The variable naming the probe file (read by both apps).
const PROBE_ENV: &str = "ROSTER_STARTUP_PROBE";

/// How long the processes idle before their memory is read.
const IDLE: Duration = Duration::from_secs(10);

/// How long a start may take before the run counts as failed.
const START_LIMIT: Duration = Duration::from_secs(90);

/// One start of one app.
#[derive(Debug, Clone, PartialEq)]
struct Run {
    /// What the page said it drew ("sign-in", "empty").
    screen: String,
    startup_ms: f64,
    pss_kb: u64,
    rss_kb: u64,
    processes: usize,
}

/// Builds both apps in release mode as the bundler does, prepares a store
/// with a first administrator, runs each app `runs` times and returns the
/// section's JSON object.
pub fn bench_startup(session: &mut Session, runs: u32) -> Result<String> {
    if !cfg!(target_os = "linux") {
        bail!("the start-up bench reads /proc and starts Xvfb: it runs on Linux only");
    }
    session.step("check system prerequisites", |_| {
        system::ensure_prerequisites(&["xvfb"])
    })?;
    let roster_app = build_release_app(session)?;
    session.cargo_step(&["build", "--release", "-p", "roster-cli"], "")?;
    crate::dist::build_empty_window(session)?;
    let roster_cli = session.binary("release", "roster");
    let empty = session.binary("release", "empty-window");

    let work = std::env::temp_dir().join(format!("roster-startup-bench-{}", std::process::id()));
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(&work).with_context(|| format!("cannot create {}", work.display()))?;
    let result = (|| {
        let data = work.join("data");
        session.step("make a store with roster init", |_| {
            init_store(&roster_cli, &data)
        })?;
        let display = session.step("start Xvfb", |_| Xvfb::start())?;
        let (roster, empty) = session.step(
            &format!("start each app {runs} times, 10 s idle each"),
            |_| {
                let mut roster = Vec::new();
                let mut blank = Vec::new();
                for run in 1..=runs {
                    let probe = work.join(format!("probe-{run}"));
                    let measured = measure(&roster_app, &display.name, &data, &probe)?;
                    eprintln!("    Roster       #{run}: {}", describe(&measured));
                    if measured.screen != "sign-in" {
                        bail!(
                            "Roster's first screen was `{}`, not the sign-in form",
                            measured.screen
                        );
                    }
                    roster.push(measured);
                    let measured = measure(&empty, &display.name, &data, &probe)?;
                    eprintln!("    empty window #{run}: {}", describe(&measured));
                    blank.push(measured);
                }
                Ok((roster, blank))
            },
        )?;
        drop(display);
        Ok::<_, anyhow::Error>(report(runs, &roster, &empty))
    })();
    let _ = fs::remove_dir_all(&work);
    result
}

/// Builds Roster in release mode with the features `tauri build` gives it
/// (assets served from the binary), so the build is the one `cargo xtask
/// dist` bundles; returns its path.
pub fn build_release_app(session: &mut Session) -> Result<std::path::PathBuf> {
    session.cargo_step(
        &[
            "build",
            "--release",
            "-p",
            "roster-desktop",
            "--features",
            "tauri/custom-protocol",
        ],
        "",
    )?;
    Ok(session.binary("release", "roster-desktop"))
}

/// A SQLite store with a first administrator (no second factor), so the
/// app opens at the sign-in form.
fn init_store(roster: &Path, data: &Path) -> Result<()> {
    fs::create_dir_all(data)?;
    let output = Command::new(roster)
        .arg("--store")
        .arg(data.join("roster.sqlite3"))
        .args([
            "init",
            "--name",
            "Ada Admin",
            "--email",
            "ada@example.com",
            "--generate",
            "--two-factor",
            "off",
        ])
        .env("ROSTER_KEYCHAIN", "mock")
        .output()
        .with_context(|| format!("could not run {} init", roster.display()))?;
    if !output.status.success() {
        bail!(
            "`roster init` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// Starts `app` once, waits for its probe, idles, reads its memory, stops it.
fn measure(app: &Path, display: &str, data: &Path, probe: &Path) -> Result<Run> {
    let _ = fs::remove_file(probe);
    let mut command = Command::new(app);
    command
        .env("DISPLAY", display)
        .env_remove("WAYLAND_DISPLAY")
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        .env("ROSTER_DATA_DIR", data)
        .env("ROSTER_KEYCHAIN", "mock")
        .env(PROBE_ENV, probe)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let before = unix_nanos(SystemTime::now());
    let child = command
        .spawn()
        .with_context(|| format!("could not start {}", app.display()))?;
    let mut running = Running(child);
    let (screen, drawn) = wait_for_probe(&mut running.0, probe)?;
    thread::sleep(IDLE);
    let pids = descendants_and_self(running.0.id());
    let (pss_kb, rss_kb) = pids.iter().fold((0, 0), |(pss, rss), pid| {
        let (p, r) = memory_kb(*pid);
        (pss + p, rss + r)
    });
    drop(running);
    Ok(Run {
        screen,
        startup_ms: drawn.saturating_sub(before) as f64 / 1e6,
        pss_kb,
        rss_kb,
        processes: pids.len(),
    })
}

/// The process group of a started app, stopped when dropped (TERM, then
/// KILL after 5 s), so no run leaves a web process behind.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                break;
            }
            thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.wait();
    }
}

/// Waits for the probe file; returns the screen and the time it names.
fn wait_for_probe(child: &mut Child, probe: &Path) -> Result<(String, u128)> {
    let started = Instant::now();
    loop {
        if let Ok(text) = fs::read_to_string(probe) {
            return parse_probe(&text)
                .with_context(|| format!("the probe file holds {text:?}, not `SCREEN NANOS`"));
        }
        if let Some(status) = child.try_wait()? {
            let mut said = String::new();
            if let Some(stderr) = child.stderr.as_mut() {
                let _ = std::io::Read::read_to_string(stderr, &mut said);
            }
            bail!(
                "the app exited ({status}) before drawing its first screen: {}",
                said.trim()
            );
        }
        if started.elapsed() > START_LIMIT {
            bail!(
                "the app drew no first screen within {} s (no probe at {})",
                START_LIMIT.as_secs(),
                probe.display()
            );
        }
        thread::sleep(Duration::from_millis(2));
    }
}

/// `SCREEN NANOS`.
fn parse_probe(text: &str) -> Option<(String, u128)> {
    let (screen, nanos) = text.trim().split_once(' ')?;
    Some((screen.to_owned(), nanos.parse().ok()?))
}

fn unix_nanos(time: SystemTime) -> u128 {
    time.duration_since(UNIX_EPOCH)
        .map(|since| since.as_nanos())
        .unwrap_or_default()
}

/// `root` and every process below it, from each process's parent in
/// `/proc/PID/stat`.
fn descendants_and_self(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            Some((pid, parent_in_stat(&stat)?))
        })
        .collect();
    tree(root, &parents)
}

/// The fourth field of `/proc/PID/stat`, after the name in parentheses
/// (which may itself hold spaces and parentheses).
fn parent_in_stat(stat: &str) -> Option<u32> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

/// `root` and its descendants in a list of `(pid, parent)`.
fn tree(root: u32, parents: &[(u32, u32)]) -> Vec<u32> {
    let mut found = vec![root];
    let mut index = 0;
    while index < found.len() {
        let parent = found[index];
        found.extend(
            parents
                .iter()
                .filter(|(pid, ppid)| *ppid == parent && !found.contains(pid))
                .map(|(pid, _)| *pid)
                .collect::<Vec<_>>(),
        );
        index += 1;
    }
    found
}

/// PSS and RSS in kB from `/proc/PID/smaps_rollup` (0 for a process gone).
fn memory_kb(pid: u32) -> (u64, u64) {
    fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .map(|text| (rollup_field(&text, "Pss:"), rollup_field(&text, "Rss:")))
        .unwrap_or((0, 0))
}

fn rollup_field(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(name))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
        .unwrap_or(0)
}

fn describe(run: &Run) -> String {
    format!(
        "{} drawn after {:.0} ms; after 10 s idle {} processes, PSS {:.1} MB, RSS {:.1} MB",
        run.screen,
        run.startup_ms,
        run.processes,
        run.pss_kb as f64 / 1024.0,
        run.rss_kb as f64 / 1024.0
    )
}

/// The minimum, the median (the lower middle of an even count) and the
/// maximum.
fn min_p50_max(values: &[f64]) -> (f64, f64, f64) {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => (0.0, 0.0, 0.0),
        n => (sorted[0], sorted[(n - 1) / 2], sorted[n - 1]),
    }
}

/// An app's figures as JSON, with its fastest and median start and its
/// median PSS, for the ratios.
fn app_json(runs: &[Run]) -> (String, (f64, f64), f64) {
    let startup: Vec<f64> = runs.iter().map(|r| r.startup_ms).collect();
    let pss: Vec<f64> = runs.iter().map(|r| r.pss_kb as f64 / 1024.0).collect();
    let rss: Vec<f64> = runs.iter().map(|r| r.rss_kb as f64 / 1024.0).collect();
    let processes = runs.iter().map(|r| r.processes).max().unwrap_or(0);
    let screen = runs.first().map(|r| r.screen.as_str()).unwrap_or("");
    let (startup_min, startup_p50, startup_max) = min_p50_max(&startup);
    let (_, pss_p50, pss_max) = min_p50_max(&pss);
    let (_, rss_p50, rss_max) = min_p50_max(&rss);
    let json = format!(
        "{{\"first_screen\": \"{screen}\", \"startup_ms\": {{\"min\": {startup_min:.0}, \"p50\": {startup_p50:.0}, \"max\": {startup_max:.0}}}, \
         \"pss_mb\": {{\"p50\": {pss_p50:.1}, \"max\": {pss_max:.1}}}, \
         \"rss_mb\": {{\"p50\": {rss_p50:.1}, \"max\": {rss_max:.1}}}, \"processes\": {processes}}}"
    );
    (json, (startup_min, startup_p50), pss_p50)
}

/// The section's JSON object: each app's figures and Roster's ratios to
/// the empty window's medians (the goal is at most 1.2 on both), and of
/// their fastest starts: the start least disturbed by whatever else the
/// machine was doing, which on a shared machine moves a median of ten
/// starts by more than a change of 15 ms.
fn report(runs: u32, roster: &[Run], empty: &[Run]) -> String {
    let (roster_json, (roster_fastest, roster_startup), roster_pss) = app_json(roster);
    let (empty_json, (empty_fastest, empty_startup), empty_pss) = app_json(empty);
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    format!(
        "{{\n  \"runs\": {runs},\n  \"roster\": {roster_json},\n  \"empty_window\": {empty_json},\n  \
         \"ratio_p50\": {{\"startup\": {:.2}, \"pss\": {:.2}}},\n  \
         \"ratio_min\": {{\"startup\": {:.2}}},\n  \
         \"detected_by\": \"the page calls first_screen_drawn two animation frames after its first screen is in the document; time from spawn (wall clock); memory: PSS of the process tree after 10 s idle\"\n}}",
        ratio(roster_startup, empty_startup),
        ratio(roster_pss, empty_pss),
        ratio(roster_fastest, empty_fastest),
    )
}

/// An Xvfb server of our own, stopped when dropped.
struct Xvfb {
    server: Child,
    name: String,
}

impl Xvfb {
    /// Starts Xvfb on a display number it picks (`-displayfd` writes it to
    /// our pipe once it accepts clients).
    fn start() -> Result<Xvfb> {
        let mut server = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1280x1024x24"])
            .args(["-nolisten", "tcp", "-noreset"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("could not start Xvfb (apt-get install xvfb)")?;
        let stdout = server.stdout.take().context("Xvfb's output is not piped")?;
        let (sender, receiver) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        match receiver.recv_timeout(Duration::from_secs(20)) {
            Ok(line) if !line.trim().is_empty() => {
                let name = format!(":{}", line.trim());
                eprintln!("    display {name}");
                Ok(Xvfb { server, name })
            }
            outcome => {
                let _ = server.kill();
                let _ = server.wait();
                bail!("Xvfb did not start (it said {outcome:?})")
            }
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first window's `"width"` and `"height"` in a Tauri config.
    fn window_size(config: &str) -> (u32, u32) {
        let number = |field: &str| {
            let at = config.find(&format!("\"{field}\":")).expect(field) + field.len() + 3;
            let digits: String = config[at..]
                .trim_start()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().expect(field)
        };
        (number("width"), number("height"))
    }

    #[test]
    fn the_empty_window_is_as_large_as_roster_s() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let read = |path: &str| fs::read_to_string(root.join(path)).expect(path);
        let roster = window_size(&read("tauri.conf.json"));
        assert_eq!(roster, (1200, 800));
        assert_eq!(
            window_size(&read("xtask/empty-window/tauri.conf.json")),
            roster
        );
    }

    #[test]
    fn the_probe_names_a_screen_and_a_time() {
        assert_eq!(
            parse_probe("sign-in 1764520000123456789\n"),
            Some(("sign-in".to_owned(), 1_764_520_000_123_456_789))
        );
        assert_eq!(parse_probe("sign-in"), None);
        assert_eq!(parse_probe("sign-in soon"), None);
    }

    #[test]
    fn the_parent_is_read_after_a_name_with_spaces_and_parentheses() {
        let stat = "4242 (Web Content (x)) S 4200 4242 4242 0 -1 4194560";
        assert_eq!(parent_in_stat(stat), Some(4200));
        assert_eq!(parent_in_stat("garbage"), None);
    }

    #[test]
    fn the_tree_holds_descendants_only() {
        let parents = [(10, 1), (11, 10), (12, 11), (13, 1), (14, 10)];
        let mut found = tree(10, &parents);
        found.sort();
        assert_eq!(found, [10, 11, 12, 14]);
    }

    #[test]
    fn the_rollup_gives_pss_and_rss() {
        let text = "55d0-7ffd ---p 00000000 00:00 0 [rollup]\nRss:  120 kB\nPss:   80 kB\nPss_Anon: 40 kB\n";
        assert_eq!(rollup_field(text, "Pss:"), 80);
        assert_eq!(rollup_field(text, "Rss:"), 120);
        assert_eq!(rollup_field(text, "Swap:"), 0);
    }

    #[test]
    fn the_report_gives_the_ratios_of_the_medians_and_of_the_fastest_starts() {
        let run = |screen: &str, startup_ms: f64, pss_mb: u64| Run {
            screen: screen.to_owned(),
            startup_ms,
            pss_kb: pss_mb * 1024,
            rss_kb: pss_mb * 2048,
            processes: 3,
        };
        let roster = [
            run("sign-in", 420.0, 220),
            run("sign-in", 330.0, 220),
            run("sign-in", 900.0, 220),
        ];
        let empty = [
            run("empty", 300.0, 200),
            run("empty", 275.0, 200),
            run("empty", 800.0, 200),
        ];
        let json = report(3, &roster, &empty);
        assert!(json.contains(r#""startup_ms": {"min": 330, "p50": 420, "max": 900}"#));
        assert!(json.contains(r#""ratio_p50": {"startup": 1.40, "pss": 1.10}"#));
        assert!(json.contains(r#""ratio_min": {"startup": 1.20}"#));
    }

    #[test]
    fn the_minimum_median_and_maximum() {
        assert_eq!(min_p50_max(&[3.0, 1.0, 2.0]), (1.0, 2.0, 3.0));
        assert_eq!(min_p50_max(&[4.0, 1.0, 3.0, 2.0]), (1.0, 2.0, 4.0));
        assert_eq!(min_p50_max(&[]), (0.0, 0.0, 0.0));
    }
}
