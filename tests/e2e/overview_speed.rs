//! The users overview in the real window at scale (issue 19): the time
//! from the last keystroke of a search to its first page drawn. A bench,
//! not a test of speed: nothing is asserted about time, only that each page
//! measured is the search's own. `cargo xtask bench --window FILE` runs it
//! (and `cargo xtask bench` on the SQLite store it seeds) on a store that
//! `roster bench --store FILE` seeded and kept; it writes its figures as
//! JSON to the file [`OUT_ENV`] names.
//!
//! The store is copied into the app's data folder (the original is left as
//! it was; the app's first start backs the copy up in the background, and
//! the test waits for that backup before it types), and its first
//! administrator, the one the bench acts as, gets
//! no second factor and no forced change, so the window signs in with the
//! seed's password. Each search is typed into "Search users" one character
//! at a time, [`GAP_ENV`] milliseconds apart (a fast typist), by setting the
//! box's value and firing the `input` event a keystroke fires. The page is
//! in the table at the first animation frame at which the table is no
//! longer busy after the last keystroke (`in_table_ms`: a frame late at
//! most), and visible two frames later, its frame painted (`visible_ms`).
//! The rows shown are then asked for again and must be the search's own
//! page, and put in the table again, timed to their frame painted the
//! same way: this machine's own limit (`paint_ms`; under Xvfb WebKitGTK
//! paints in software). Times are the page's own clock
//! (`performance.now()`), so WebDriver's round trips are not in them.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use roster_core::model::UserFields;
use roster_core::store::sqlite::SqliteStore;
use roster_core::store::{Store, TxMode};
use roster_core::Directory;
use serde_json::{json, Value};

use crate::Session;

/// The SQLite store to measure (required).
pub const STORE_ENV: &str = "ROSTER_WINDOW_BENCH_STORE";
/// Where the JSON figures go (required).
pub const OUT_ENV: &str = "ROSTER_WINDOW_BENCH_OUT";
/// A file of searches, one a line (`#` and blank lines skipped).
pub const QUERIES_ENV: &str = "ROSTER_WINDOW_BENCH_QUERIES";
/// Times each search is typed (default 5).
pub const RUNS_ENV: &str = "ROSTER_WINDOW_BENCH_RUNS";
/// Milliseconds between keystrokes (default 120).
pub const GAP_ENV: &str = "ROSTER_WINDOW_BENCH_GAP_MS";

/// The seed's password for every user (`roster_core::bench`).
const SEED_PASSWORD: &str = "bench-only password";

/// Typed when no file is given: two-letter surnames, a frequent and a rare
/// name, an address part.
const DEFAULT_SEARCHES: [&str; 6] = ["li", "ng", "smith", "jennifer", "lidwina", "j.smith@"];

/// One typed search: its first page's timings, or why it was not measured.
const TYPE_AND_TIME: &str = r#"
const [text, gapMs, settleMs] = arguments;
window.__rosterBenchResult = null;
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
const box = document.querySelector('input[type="search"]');
// The overview's results: busy from a page's question to its answer shown.
const results = document.querySelector('.results');
const busy = () => results.getAttribute('aria-busy') === 'true';
const type = (value) => {
  box.value = value;
  box.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: value.slice(-1) }));
};
// Until the page asked last is shown: a search asks at once (one at a
// time, the last text last), in a task of its own, so once the microtasks
// queued by the keystroke have run the table is busy until its answer.
const shown = async () => {
  await Promise.resolve();
  await Promise.resolve();
  while (busy()) await new Promise((done) => requestAnimationFrame(() => done()));
};
(async () => {
  type('');
  await sleep(50);
  await shown();
  await sleep(settleMs);
  let last = 0;
  for (let i = 1; i <= text.length; i += 1) {
    if (i > 1) await sleep(gapMs);
    last = performance.now();
    type(text.slice(0, i));
  }
  await shown();
  const inTable = performance.now();
  await frame();
  await frame();
  const visible = performance.now();
  const rows = [...results.querySelectorAll('tbody tr[data-id]')].map((row) => row.dataset.id);
  // The page shown is the search's own: the same rows asked again.
  const page = await window.__TAURI__.core.invoke('list_users', {
    query: { search: text.trim(), sort: 'name', direction: 'asc', limit: 50 },
  });
  const ids = page.users.map((user) => String(user.id));
  const own = rows.length === ids.length && rows.every((id, i) => id === ids[i]);
  // This machine's own limit: the same rows put in the table again (no
  // question asked), until their frame is painted.
  const body = results.querySelector('tbody');
  const again = performance.now();
  body.replaceChildren(...[...body.children].map((row) => row.cloneNode(true)));
  await frame();
  await frame();
  const painted = performance.now();
  window.__rosterBenchResult = {
    in_table_ms: inTable - last,
    visible_ms: visible - last,
    paint_ms: painted - again,
    rows: rows.length,
    own,
  };
})().catch((error) => { window.__rosterBenchResult = { error: String(error) }; });
return true;
"#;

#[test]
#[ignore = "a bench on a seeded store: `cargo xtask bench --window FILE` runs it"]
fn the_first_page_after_the_last_keystroke() {
    let store =
        PathBuf::from(env::var_os(STORE_ENV).unwrap_or_else(|| {
            panic!("set {STORE_ENV} to a store `roster bench --store FILE` kept")
        }));
    let out = PathBuf::from(
        env::var_os(OUT_ENV).unwrap_or_else(|| panic!("set {OUT_ENV} to a file for the figures")),
    );
    let searches = searches();
    let runs = number(RUNS_ENV, 5);
    let gap = number(GAP_ENV, 120);

    let mut admin = None;
    let s = Session::start_prepared(&[], |data| {
        admin = Some(prepare_store(&store, data));
    });
    let (email, users) = admin.expect("the store was prepared");
    // A first start makes the day's automatic backup in the background (at
    // a million users a copy of gigabytes): measured beside it, the pages
    // would share the disk and a core with it.
    let backups = s.data_dir().join("backups");
    let deadline = Instant::now() + Duration::from_secs(900);
    while !backed_up(&backups) {
        assert!(Instant::now() < deadline, "the day's backup never ended");
        thread::sleep(Duration::from_secs(1));
    }
    s.try_sign_in(&email, SEED_PASSWORD);
    s.go_to_users();
    s.wait_for_text("Page 1");

    let mut measured = Vec::new();
    for search in &searches {
        let mut visible = Vec::new();
        let mut in_table = Vec::new();
        let mut paint = Vec::new();
        let mut rows = 0;
        for _ in 0..runs {
            let result = type_and_time(&s, search, gap);
            assert_eq!(
                result["own"],
                json!(true),
                "the table shows another page than {search:?}'s: {result}"
            );
            visible.push(millis(&result, "visible_ms"));
            in_table.push(millis(&result, "in_table_ms"));
            paint.push(millis(&result, "paint_ms"));
            rows = result["rows"].as_u64().unwrap_or_default();
        }
        measured.push((search.clone(), visible, in_table, paint, rows));
    }
    let every: Vec<f64> = measured.iter().flat_map(|m| m.1.iter().copied()).collect();
    let every_paint: Vec<f64> = measured.iter().flat_map(|m| m.3.iter().copied()).collect();
    let report = json!({
        "store": store.display().to_string(),
        "users": users,
        "runs": runs,
        "keystroke_gap_ms": gap,
        "visible_ms": summary(&every),
        "paint_ms": summary(&every_paint),
        "searches": measured.iter().map(|(search, visible, in_table, paint, rows)| json!({
            "search": search,
            "visible_ms": summary(visible),
            "in_table_ms": summary(in_table),
            "paint_ms": summary(paint),
            "rows": rows,
        })).collect::<Vec<_>>(),
    });
    let text = serde_json::to_string_pretty(&report).expect("JSON");
    fs::write(&out, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
    s.screenshot("overview_speed");
}

/// Copies `store` into the data folder as the app's local store and lets
/// its first administrator sign in with the seed's password alone;
/// returns their address and the store's users.
fn prepare_store(store: &Path, data: &Path) -> (String, u64) {
    let copy = data.join(roster_core::paths::LOCAL_STORE_FILE);
    fs::copy(store, &copy)
        .unwrap_or_else(|e| panic!("cannot copy {} into the data folder: {e}", store.display()));
    // What its write-ahead log holds is the store's too.
    let wal = |path: &Path| {
        let mut name = path.as_os_str().to_owned();
        name.push("-wal");
        PathBuf::from(name)
    };
    if wal(store).is_file() {
        fs::copy(wal(store), wal(&copy)).unwrap_or_else(|e| panic!("cannot copy its log: {e}"));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let opened = SqliteStore::open_existing(&copy).expect("the copied store opens");
        let store: std::sync::Arc<dyn Store> = std::sync::Arc::new(opened);
        let directory = Directory::new(store.clone());
        let admin = directory
            .first_administrator()
            .await
            .expect("the store has an administrator");
        let mut tx = store.begin(TxMode::Write).await.expect("a transaction");
        let user = tx
            .user(admin.id())
            .await
            .expect("the administrator is read")
            .expect("the administrator exists");
        let mut fields = UserFields::of(&user);
        fields.two_factor = roster_core::domain::TwoFactor::Off;
        fields.must_change_password = false;
        tx.update_user_settings(user.id, user.version, &fields, chrono::Utc::now())
            .await
            .expect("the administrator is updated");
        let users = tx.count_users().await.expect("the users are counted");
        tx.commit().await.expect("the change is committed");
        (user.email.as_str().to_owned(), users)
    })
}

/// Whether `folder` holds a finished backup (one being written is named
/// `.NAME.partial` until it is whole).
fn backed_up(folder: &Path) -> bool {
    fs::read_dir(folder).is_ok_and(|entries| {
        let names: Vec<String> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        names.iter().any(|name| !name.starts_with('.'))
            && !names.iter().any(|name| name.ends_with(".partial"))
    })
}

/// Types `search` and waits for its first page; the page's own figures.
fn type_and_time(s: &Session, search: &str, gap: u64) -> Value {
    s.eval(TYPE_AND_TIME, vec![json!(search), json!(gap), json!(1000)])
        .unwrap_or_else(|e| panic!("typing {search:?}: {e}"));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let result = s
            .eval("return window.__rosterBenchResult;", vec![])
            .unwrap_or_else(|e| panic!("reading {search:?}'s figures: {e}"));
        if !result.is_null() {
            assert!(result.get("error").is_none(), "typing {search:?}: {result}");
            return result;
        }
        assert!(Instant::now() < deadline, "{search:?}'s page never came");
        thread::sleep(Duration::from_millis(20));
    }
}

fn searches() -> Vec<String> {
    match env::var_os(QUERIES_ENV) {
        Some(file) => fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", Path::new(&file).display()))
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(str::to_owned)
            .collect(),
        None => DEFAULT_SEARCHES.iter().map(|s| s.to_string()).collect(),
    }
}

fn number(name: &str, default: u64) -> u64 {
    env::var(name)
        .ok()
        .map(|value| {
            value
                .parse()
                .unwrap_or_else(|_| panic!("{name} is not a number: {value}"))
        })
        .unwrap_or(default)
}

fn millis(result: &Value, key: &str) -> f64 {
    result[key]
        .as_f64()
        .unwrap_or_else(|| panic!("no {key} in {result}"))
}

/// p50, p95 and max of `values`, in ms to a tenth.
fn summary(values: &[f64]) -> Value {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let index = ((sorted.len() as f64 * q).ceil() as usize).saturating_sub(1);
        sorted.get(index).copied().unwrap_or_default()
    };
    json!({
        "p50": round(at(0.50)),
        "p95": round(at(0.95)),
        "max": round(sorted.last().copied().unwrap_or_default()),
    })
}

fn round(ms: f64) -> f64 {
    (ms * 10.0).round() / 10.0
}
