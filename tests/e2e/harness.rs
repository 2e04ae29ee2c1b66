//! The end-to-end harness: one [`Session`] per test is one real Roster
//! window, driven through WebDriver the way a person would use it.
//!
//! A session starts, in this order:
//! 1. its own X server (`Xvfb`, display number chosen by Xvfb itself with
//!    `-displayfd`), so that parallel tests never share focus, native
//!    dialogs or screenshots. Set `ROSTER_E2E_DISPLAY=inherit` to use
//!    `$DISPLAY` instead (to watch the tests on your desktop); without Xvfb
//!    `$DISPLAY` is used when set;
//! 2. `tauri-driver` on two free ports, in its own process group, with
//!    `ROSTER_DATA_DIR` pointing at a fresh temporary folder (the app inherits
//!    tauri-driver's environment through WebKitWebDriver);
//! 3. a WebDriver session whose capabilities launch the app binary with
//!    `--data-dir` set to that same folder.
//!
//! Dropping the session closes the app and kills the whole process group and
//! the X server. When the test is failing (the thread is panicking), a
//! screenshot is saved first as `target/e2e-screenshots/<test-name>.png`,
//! and the tail of the driver's log (which includes the app's stderr) is
//! printed.
//!
//! Missing tools (tauri-driver, WebKitWebDriver, an X server) always fail the
//! test with a message saying what to install: a missing driver is never a
//! silent skip, with or without `ROSTER_REQUIRE_E2E` (which `cargo xtask
//! test` sets).
//!
//! The helpers find things by what a person sees: a `<label>`'s exact text,
//! a button's text, a heading, text on the screen. Only visible elements
//! count, and two visible matches are an error (a person could not tell them
//! apart either). Every lookup retries until [`Session::timeout`] (10 s, or
//! `ROSTER_E2E_TIMEOUT` seconds) because the UI answers asynchronously.

#![allow(dead_code)] // Not every test file uses every helper.

use std::env;
use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use fantoccini::elements::{Element, ElementRef};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Map, Value};
use tempfile::TempDir;
use tokio::runtime::Runtime;

/// The app under test, built by cargo for this test target.
pub const APP: &str = env!("CARGO_BIN_EXE_roster-desktop");

/// Names another program to start instead of [`APP`]: the installed one,
/// which `cargo xtask test-dist` tests (`/usr/bin/roster-desktop`, or an
/// AppImage).
pub const APP_ENV: &str = "ROSTER_E2E_APP";

/// Arguments put before the app's own when [`APP_ENV`] is set, separated by
/// spaces (an AppImage's `--appimage-extract-and-run`).
pub const APP_ARGS_ENV: &str = "ROSTER_E2E_APP_ARGS";

/// The program the sessions start, and the arguments that go first.
fn app_under_test() -> (String, Vec<String>) {
    match env::var(APP_ENV).ok().filter(|app| !app.is_empty()) {
        Some(app) => {
            let args = env::var(APP_ARGS_ENV).unwrap_or_default();
            (app, args.split_whitespace().map(str::to_owned).collect())
        }
        None => (APP.to_owned(), Vec::new()),
    }
}

/// Variable that `cargo xtask test` sets: the end-to-end tests must run.
/// Missing tools fail the tests either way; this only changes the wording.
pub const REQUIRE_E2E_ENV: &str = "ROSTER_REQUIRE_E2E";

/// The W3C WebDriver key of an element reference in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Shared by every script: text as a person reads it, and visibility.
const JS_PRELUDE: &str = r#"
const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
const visible = (el) => !!el && el.getClientRects().length > 0
  && getComputedStyle(el).visibility !== 'hidden';
"#;

/// `arguments[0]`: a label's exact text. Returns the visible labels with that
/// text and the control of the first (its `for` target or nested control).
const JS_FIND_LABEL: &str = r#"
const [text] = arguments;
const labels = [...document.querySelectorAll('label')]
  .filter((l) => visible(l) && norm(l.textContent) === text);
const label = labels[0] || null;
return { count: labels.length, label, control: label ? label.control : null,
  kind: label && label.control ? (label.control.type || label.control.tagName) : null };
"#;

/// `arguments[0]`: a checkbox's accessible name given by `aria-label` (the
/// selection's boxes in a table, which have no visible label).
const JS_FIND_NAMED_CHECKBOX: &str = r#"
const [name] = arguments;
const hits = [...document.querySelectorAll('input[type=checkbox][aria-label]')]
  .filter((c) => visible(c) && norm(c.getAttribute('aria-label')) === name);
return { count: hits.length, el: hits[0] || null, checked: hits.length ? hits[0].checked : null };
"#;

/// `arguments[0]`: a button's text (or, for icon buttons, its aria-label).
const JS_FIND_BUTTON: &str = r#"
const [text] = arguments;
const hits = [...document.querySelectorAll(
    'button, input[type=submit], input[type=button], input[type=reset], [role=button]')]
  .filter((b) => visible(b) && (norm(b.innerText || b.value) === text
    || norm(b.getAttribute('aria-label')) === text));
const el = hits[0] || null;
return { count: hits.length, el,
  enabled: el ? !(el.disabled || el.getAttribute('aria-disabled') === 'true') : false };
"#;

/// `arguments[0]`: the text of a navigation item: a link, or a button inside
/// a `<nav>`.
const JS_FIND_NAV: &str = r#"
const [text] = arguments;
const hits = [...document.querySelectorAll('a, [role=link], [role=tab], nav button')]
  .filter((b) => visible(b) && (norm(b.innerText) === text
    || norm(b.getAttribute('aria-label')) === text));
return { count: hits.length, el: hits[0] || null };
"#;

/// The visible text of the page, as a person reads it.
const JS_TEXT: &str = r#"return document.body ? document.body.innerText : '';"#;

/// The visible headings (`h1`, `h2`), in document order.
const JS_HEADINGS: &str = r#"
return [...document.querySelectorAll('h1, h2')].filter(visible).map((h) => norm(h.innerText));
"#;

/// Every visible table: its column headers and its visible body rows.
const JS_TABLES: &str = r#"
return [...document.querySelectorAll('table')].filter(visible).map((t) => ({
  // A header's name, without decorations hidden from screen readers (sort
  // arrows); a header holding only a named control (the selection's
  // checkbox) is called by that control's name.
  headers: [...t.querySelectorAll('thead th')].map((th) => {
    const copy = th.cloneNode(true);
    copy.querySelectorAll('[aria-hidden=true]').forEach((n) => n.remove());
    return norm(copy.textContent) || norm(th.querySelector('[aria-label]')?.getAttribute('aria-label'));
  }),
  rows: [...t.querySelectorAll('tbody tr')].filter(visible)
    .map((tr) => [...tr.cells].map((c) => norm(c.innerText))),
}));
"#;

/// `arguments[0]`: a cell's exact text. The visible body cells with it.
const JS_FIND_CELL: &str = r#"
const [text] = arguments;
const hits = [...document.querySelectorAll('table tbody td, table tbody th')]
  .filter((c) => visible(c) && norm(c.innerText) === text);
return { count: hits.length, el: hits[0] || null };
"#;

/// The visible alerts' texts.
const JS_ALERTS: &str = r#"
return [...document.querySelectorAll('[role=alert]')].filter(visible)
  .map((a) => norm(a.innerText)).filter((t) => t !== '');
"#;

/// `arguments[0]`: a control. The text of its `aria-describedby` elements.
const JS_DESCRIPTION: &str = r#"
const [control] = arguments;
return (control.getAttribute('aria-describedby') || '').split(/\s+/)
  .map((id) => document.getElementById(id)).filter((el) => el && visible(el))
  .map((el) => norm(el.innerText)).filter((t) => t !== '').join(' | ');
"#;

/// `arguments[0]`: part of an option's text. The visible suggestions
/// (`role="option"`) that contain it.
const JS_FIND_OPTION: &str = r#"
const [text] = arguments;
const hits = [...document.querySelectorAll('[role=option]')]
  .filter((o) => visible(o) && norm(o.innerText).includes(text));
return { count: hits.length, el: hits[0] || null };
"#;

/// `arguments[0]`: a term of a description list. The text of its `<dd>`.
const JS_FACT: &str = r#"
const [term] = arguments;
const hits = [...document.querySelectorAll('dt')].filter((dt) => visible(dt) && norm(dt.innerText) === term);
if (hits.length !== 1) return { count: hits.length, text: null };
const dd = hits[0].nextElementSibling;
return { count: 1, text: dd ? norm(dd.innerText) : '' };
"#;

/// `arguments[0]`: a list's accessible name (`aria-label`). Returns the
/// visible lists with that name and the items of the first.
const JS_LIST: &str = r#"
const [name] = arguments;
const hits = [...document.querySelectorAll('ul, ol')]
  .filter((l) => visible(l) && norm(l.getAttribute('aria-label')) === name);
return { count: hits.length,
  items: hits.length ? [...hits[0].children].map((li) => norm(li.innerText)) : [] };
"#;

/// Whether anything on the page is still loading (`aria-busy="true"`).
const JS_BUSY: &str = r#"
return [...document.querySelectorAll('[aria-busy=true]')].some(visible);
"#;

/// A form control found through its label.
struct Labelled {
    label: Element,
    control: Element,
    kind: String,
}

/// A table as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The cells of column `header`, top to bottom.
    pub fn column(&self, header: &str) -> Vec<String> {
        let index = self
            .headers
            .iter()
            .position(|h| h == header)
            .unwrap_or_else(|| panic!("no column {header:?} in {:?}", self.headers));
        self.rows
            .iter()
            .map(|row| row.get(index).cloned().unwrap_or_default())
            .collect()
    }

    /// The first row with a cell whose text is exactly `cell`, as
    /// (header, text) pairs.
    pub fn row_with(&self, cell: &str) -> Option<Vec<(String, String)>> {
        self.rows
            .iter()
            .find(|row| row.iter().any(|c| c == cell))
            .map(|row| {
                self.headers
                    .iter()
                    .cloned()
                    .zip(row.iter().cloned())
                    .collect()
            })
    }

    /// The text of column `header` in the row that has a cell `cell`.
    pub fn cell(&self, cell: &str, header: &str) -> Option<String> {
        self.row_with(cell)?
            .into_iter()
            .find(|(h, _)| h == header)
            .map(|(_, text)| text)
    }
}

/// Where the X server comes from.
enum Display {
    /// Our own Xvfb, stopped with the session.
    Own { server: Child, name: String },
    /// `$DISPLAY` (shared with whatever else runs there).
    Shared(String),
    /// No X (Windows).
    NotNeeded,
}

impl Display {
    fn name(&self) -> Option<&str> {
        match self {
            Display::Own { name, .. } | Display::Shared(name) => Some(name),
            Display::NotNeeded => None,
        }
    }
}

/// One running app, driven through WebDriver; see the module documentation.
pub struct Session {
    name: String,
    runtime: Runtime,
    client: Option<Client>,
    driver: Option<Child>,
    display: Display,
    /// Holds `data/` (the app's data folder) and `driver.log`.
    scratch: TempDir,
    data_dir: PathBuf,
    driver_log: PathBuf,
    timeout: Duration,
    /// Extra environment for the driver and the app (e.g. a dark GTK theme).
    env: Vec<(String, String)>,
}

impl Session {
    /// Starts the app with an empty data folder (so it shows its first run).
    ///
    /// # Panics
    /// When a tool is missing or the app does not start; the message says why.
    pub fn start() -> Session {
        Self::start_with_env(&[])
    }

    /// Starts the app in GTK's dark theme, so `prefers-color-scheme: dark` applies.
    pub fn start_dark() -> Session {
        Self::start_with_env(&[("GTK_THEME", "Adwaita:dark")])
    }

    /// Starts the app with extra environment variables.
    pub fn start_with_env(env: &[(&str, &str)]) -> Session {
        Self::start_prepared(env, |_| {})
    }

    /// Starts the app with extra environment variables, once `prepare` has
    /// put what it needs in the (empty) data folder: a store, say.
    pub fn start_prepared(env: &[(&str, &str)], prepare: impl FnOnce(&Path)) -> Session {
        let name = test_name();
        let tools = Tools::find();
        let scratch = tempfile::Builder::new()
            .prefix("roster-e2e-")
            .tempdir()
            .expect("cannot create a temporary folder");
        let data_dir = scratch.path().join("data");
        fs::create_dir_all(&data_dir).expect("cannot create the data folder");
        prepare(&data_dir);
        let driver_log = scratch.path().join("driver.log");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("cannot start a tokio runtime");
        let display = start_display(&tools);
        let mut session = Session {
            name,
            runtime,
            client: None,
            driver: None,
            display,
            scratch,
            data_dir,
            driver_log,
            timeout: timeout_from_env(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        session.start_driver_and_app(&tools);
        session
    }

    /// The app's data folder (temporary, removed with the session).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// How long each lookup waits for the UI.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The X display the app runs on (e.g. `:3`), if any.
    pub fn display(&self) -> Option<&str> {
        self.display.name()
    }

    fn start_driver_and_app(&mut self, tools: &Tools) {
        let mut last_failure = String::new();
        // A free port can be taken by another test between our probe and
        // tauri-driver's bind: try again with new ports.
        for _attempt in 0..3 {
            let (port, native_port) = free_ports();
            let mut command = Command::new(&tools.tauri_driver);
            command
                .arg("--port")
                .arg(port.to_string())
                .arg("--native-port")
                .arg(native_port.to_string());
            if let Some(webkit) = &tools.native_driver {
                command.arg("--native-driver").arg(webkit);
            }
            command
                .env("ROSTER_DATA_DIR", &self.data_dir)
                .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
                .env("NO_AT_BRIDGE", "1")
                .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .stdin(Stdio::null());
            if let Some(display) = self.display.name() {
                command.env("DISPLAY", display);
            }
            if matches!(self.display, Display::Own { .. }) {
                command
                    .env("GDK_BACKEND", "x11")
                    .env_remove("WAYLAND_DISPLAY");
            }
            let log = File::create(&self.driver_log).expect("cannot create the driver log");
            command
                .stdout(log.try_clone().expect("cannot share the driver log"))
                .stderr(log);
            own_process_group(&mut command);
            let driver = command.spawn().unwrap_or_else(|error| {
                panic!("cannot start {}: {error}", tools.tauri_driver.display())
            });
            self.driver = Some(driver);
            match self.wait_for_ports(port, native_port) {
                Ok(()) => {}
                Err(failure) => {
                    last_failure = failure;
                    self.stop_driver();
                    continue;
                }
            }
            match self.connect(port) {
                Ok(client) => {
                    self.client = Some(client);
                    return;
                }
                Err(failure) => {
                    last_failure = failure;
                    self.stop_driver();
                }
            }
        }
        panic!(
            "the app did not start under tauri-driver: {last_failure}\n--- driver log ---\n{}",
            self.driver_log_tail(60)
        );
    }

    /// Waits until tauri-driver and WebKitWebDriver both accept connections.
    fn wait_for_ports(&mut self, port: u16, native_port: u16) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self
                .driver
                .as_mut()
                .and_then(|driver| driver.try_wait().ok().flatten())
            {
                return Err(format!(
                    "tauri-driver exited ({status}):\n{}",
                    self.driver_log_tail(30)
                ));
            }
            let up = |p: u16| TcpStream::connect((Ipv4Addr::LOCALHOST, p)).is_ok();
            if up(port) && up(native_port) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "tauri-driver did not listen on ports {port} and {native_port} within 30 s"
                ));
            }
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// Opens the WebDriver session, which launches the app.
    fn connect(&self, port: u16) -> Result<Client, String> {
        let (application, mut args) = app_under_test();
        args.push("--data-dir".into());
        args.push(self.data_dir.display().to_string());
        let mut capabilities = Map::new();
        capabilities.insert(
            "tauri:options".into(),
            json!({
                "application": application,
                "args": args,
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        self.runtime.block_on(async {
            let mut builder = ClientBuilder::new(HttpConnector::new());
            let connecting = builder.capabilities(capabilities).connect(&url);
            match tokio::time::timeout(Duration::from_secs(60), connecting).await {
                Ok(Ok(client)) => Ok(client),
                Ok(Err(error)) => Err(format!("WebDriver session refused: {error}")),
                Err(_) => Err("no WebDriver session within 60 s".to_string()),
            }
        })
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("the WebDriver session is open")
    }

    fn block<T>(&self, future: impl std::future::Future<Output = T>) -> T {
        self.runtime.block_on(future)
    }

    /// Runs `script` (after [`JS_PRELUDE`]) in the page and returns its value.
    pub fn eval(&self, script: &str, args: Vec<Value>) -> Result<Value, String> {
        let source = format!("{JS_PRELUDE}\n{script}");
        self.block(self.client().execute(&source, args))
            .map_err(|error| format!("script failed: {error}"))
    }

    fn element(&self, value: &Value) -> Option<Element> {
        let id = value.get(ELEMENT_KEY)?.as_str()?;
        Some(Element::from_element_id(
            self.client().clone(),
            ElementRef::from(id.to_string()),
        ))
    }

    /// Retries `attempt` until it succeeds or the timeout passes; then fails
    /// the test with `what`, the last reason and what the screen shows.
    pub fn eventually<T>(&self, what: &str, mut attempt: impl FnMut() -> Result<T, String>) -> T {
        let deadline = Instant::now() + self.timeout;
        loop {
            let last = match attempt() {
                Ok(value) => return value,
                Err(reason) => reason,
            };
            if Instant::now() > deadline {
                panic!(
                    "{what}: {last} (after {} s)\n--- the screen shows ---\n{}",
                    self.timeout.as_secs(),
                    self.visible_text_now()
                );
            }
            thread::sleep(Duration::from_millis(100));
        }
    }

    // ---- reading the screen -------------------------------------------

    /// The visible text of the page right now.
    pub fn visible_text_now(&self) -> String {
        self.eval(JS_TEXT, vec![])
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// Waits until `text` is visible somewhere on the page.
    pub fn wait_for_text(&self, text: &str) {
        self.eventually(&format!("waiting for the text {text:?}"), || {
            if self.visible_text_now().contains(text) {
                Ok(())
            } else {
                Err("not visible".into())
            }
        });
    }

    /// Waits until `text` is no longer visible anywhere on the page.
    pub fn wait_for_text_gone(&self, text: &str) {
        self.eventually(&format!("waiting for {text:?} to disappear"), || {
            if self.visible_text_now().contains(text) {
                Err("still visible".into())
            } else {
                Ok(())
            }
        });
    }

    /// The visible headings (`h1`, `h2`) right now, in page order.
    pub fn headings_now(&self) -> Vec<String> {
        self.eval(JS_HEADINGS, vec![])
            .ok()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }

    /// The screen's main heading: the first visible `h1`/`h2` (waits for one).
    pub fn heading(&self) -> String {
        self.eventually("waiting for a heading", || {
            self.headings_now()
                .into_iter()
                .next()
                .ok_or_else(|| "no visible heading".to_string())
        })
    }

    /// Waits until a visible `h1`/`h2` reads exactly `text`.
    pub fn wait_for_heading(&self, text: &str) {
        self.eventually(&format!("waiting for the heading {text:?}"), || {
            let headings = self.headings_now();
            if headings.iter().any(|h| h == text) {
                Ok(())
            } else {
                Err(format!("the headings are {headings:?}"))
            }
        });
    }

    /// Every visible table right now.
    pub fn tables_now(&self) -> Vec<Table> {
        let value = self.eval(JS_TABLES, vec![]).unwrap_or(Value::Null);
        value
            .as_array()
            .map(|tables| {
                tables
                    .iter()
                    .map(|t| Table {
                        headers: serde_json::from_value(t["headers"].clone()).unwrap_or_default(),
                        rows: serde_json::from_value(t["rows"].clone()).unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The one visible table (waits for it).
    pub fn table(&self) -> Table {
        self.eventually("waiting for a table", || {
            let mut tables = self.tables_now();
            match tables.len() {
                1 => Ok(tables.remove(0)),
                n => Err(format!("{n} visible tables")),
            }
        })
    }

    /// Waits until the table has a cell that reads exactly `cell`; returns it.
    pub fn wait_for_row(&self, cell: &str) -> Table {
        self.eventually(&format!("waiting for a table row with {cell:?}"), || {
            let tables = self.tables_now();
            tables
                .into_iter()
                .find(|t| t.row_with(cell).is_some())
                .ok_or_else(|| "no such row".to_string())
        })
    }

    /// Waits until no visible table has a cell that reads exactly `cell`.
    pub fn wait_for_no_row(&self, cell: &str) {
        self.eventually(&format!("waiting for the row with {cell:?} to go"), || {
            if self.tables_now().iter().any(|t| t.row_with(cell).is_some()) {
                Err("still there".into())
            } else {
                Ok(())
            }
        });
    }

    /// The texts of the visible alerts (`role="alert"`, e.g. a form's error)
    /// right now.
    pub fn alerts_now(&self) -> Vec<String> {
        self.eval(JS_ALERTS, vec![])
            .ok()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }

    /// Waits for a visible alert and returns its text.
    pub fn alert(&self) -> String {
        self.eventually("waiting for an alert", || {
            self.alerts_now()
                .into_iter()
                .next()
                .ok_or_else(|| "no visible alert".to_string())
        })
    }

    /// What a screen reader says about the field labelled `label` besides
    /// its name: the visible text of its `aria-describedby` elements (hint,
    /// error), joined with " | ".
    pub fn description_of(&self, label: &str) -> String {
        self.eventually(&format!("reading the description of {label:?}"), || {
            let field = self.find_labelled(label)?;
            let value = self.eval(
                JS_DESCRIPTION,
                vec![serde_json::to_value(&field.control).map_err(|e| e.to_string())?],
            )?;
            Ok(value.as_str().unwrap_or_default().to_string())
        })
    }

    /// Waits until the description of the field `label` (its hint and
    /// error, see [`Session::description_of`]) contains `text`.
    pub fn wait_for_field_message(&self, label: &str, text: &str) {
        self.eventually(&format!("waiting for {text:?} beside {label:?}"), || {
            let description = self.description_of(label);
            if description.contains(text) {
                Ok(())
            } else {
                Err(format!("it says {description:?}"))
            }
        });
    }

    /// The value shown for `term` in a description list (e.g. "Status" on
    /// a user's page), waiting for it to appear.
    pub fn fact(&self, term: &str) -> String {
        self.eventually(&format!("reading the fact {term:?}"), || {
            let found = self.eval(JS_FACT, vec![json!(term)])?;
            match (found["count"].as_u64(), found["text"].as_str()) {
                (Some(1), Some(text)) => Ok(text.to_string()),
                (count, _) => Err(format!("{} visible terms {term:?}", count.unwrap_or(0))),
            }
        })
    }

    /// Reloads the window's page (as after a crash of the web view, or
    /// Ctrl+R) and waits until the new page has replaced the old one; the
    /// app then starts again from app_status.
    pub fn reload(&self) {
        self.eval(
            "window.__rosterBeforeReload = true; setTimeout(() => location.reload(), 0); return null;",
            vec![],
        )
        .expect("the page answers");
        self.eventually("waiting for the page to reload", || {
            match self
                .eval("return window.__rosterBeforeReload === true;", vec![])?
                .as_bool()
            {
                Some(false) => Ok(()),
                _ => Err("still the old page".into()),
            }
        });
    }

    /// The items of the visible list named `name` (its `aria-label`), e.g.
    /// "Recovery codes", waiting for it to appear.
    pub fn list_items(&self, name: &str) -> Vec<String> {
        self.eventually(&format!("reading the list {name:?}"), || {
            let found = self.eval(JS_LIST, vec![json!(name)])?;
            match found["count"].as_u64() {
                Some(1) => {
                    serde_json::from_value(found["items"].clone()).map_err(|e| e.to_string())
                }
                count => Err(format!("{} visible lists {name:?}", count.unwrap_or(0))),
            }
        })
    }

    /// Waits until the fact `term` reads exactly `value`.
    pub fn wait_for_fact(&self, term: &str, value: &str) {
        self.eventually(&format!("waiting for {term:?} to read {value:?}"), || {
            let now = self.fact(term);
            if now == value {
                Ok(())
            } else {
                Err(format!("it reads {now:?}"))
            }
        });
    }

    /// Waits until nothing visible is marked busy, then a moment more for
    /// the screen to paint (for screenshots).
    pub fn settle(&self) {
        self.eventually("waiting for the page to finish loading", || {
            match self.eval(JS_BUSY, vec![])?.as_bool() {
                Some(false) => Ok(()),
                _ => Err("something is still loading".into()),
            }
        });
        thread::sleep(Duration::from_millis(400));
    }

    // ---- acting -------------------------------------------------------

    /// Scrolls `element` to the middle of the window, as a person would
    /// before using it, and checks that it stands still: a click on
    /// something that is still moving (the layout shifting as an answer
    /// arrives) would land elsewhere.
    fn steady(&self, element: &Element) -> Result<(), String> {
        let reference = serde_json::to_value(element).map_err(|e| e.to_string())?;
        self.eval(
            "arguments[0].scrollIntoView({ block: 'center', inline: 'nearest' }); return null;",
            vec![reference],
        )?;
        let before = self.block(element.rectangle()).map_err(|e| e.to_string())?;
        thread::sleep(Duration::from_millis(100));
        let after = self.block(element.rectangle()).map_err(|e| e.to_string())?;
        if before == after {
            Ok(())
        } else {
            Err("it is still moving".into())
        }
    }

    /// Clicks `element` once it stands still (see [`Session::steady`]).
    fn click_steady(&self, element: &Element) -> Result<(), String> {
        self.steady(element)?;
        self.block(element.click()).map_err(|e| e.to_string())
    }

    fn find_labelled(&self, label: &str) -> Result<Labelled, String> {
        let found = self.eval(JS_FIND_LABEL, vec![json!(label)])?;
        match found["count"].as_u64() {
            Some(1) => {}
            Some(0) => return Err(format!("no visible label {label:?}")),
            Some(n) => return Err(format!("{n} visible labels {label:?}")),
            None => return Err(format!("unexpected answer {found}")),
        }
        let control = self
            .element(&found["control"])
            .ok_or_else(|| format!("the label {label:?} belongs to no control"))?;
        let label = self.element(&found["label"]).ok_or("label vanished")?;
        Ok(Labelled {
            label,
            control,
            kind: found["kind"].as_str().unwrap_or_default().to_lowercase(),
        })
    }

    /// Types `value` into the field labelled `label`, replacing its content.
    pub fn fill(&self, label: &str, value: &str) {
        self.eventually(&format!("filling {label:?}"), || {
            let field = self.find_labelled(label)?;
            self.block(async {
                field.control.clear().await?;
                if !value.is_empty() {
                    field.control.send_keys(value).await?;
                }
                field.control.prop("value").await
            })
            .map_err(|e| e.to_string())
            .and_then(|now| {
                if now.as_deref() == Some(value) {
                    Ok(())
                } else {
                    Err(format!("the field holds {now:?}"))
                }
            })
        });
    }

    /// Types `text` at the end of the field labelled `label`, key by key,
    /// without clearing it first (for fields that react to typing).
    pub fn type_into(&self, label: &str, text: &str) {
        let field = self.eventually(&format!("finding {label:?}"), || self.find_labelled(label));
        self.block(field.control.send_keys(text))
            .unwrap_or_else(|e| panic!("typing into {label:?}: {e}"));
    }

    /// The current value of the field labelled `label`.
    pub fn value_of(&self, label: &str) -> String {
        self.eventually(&format!("reading {label:?}"), || {
            let field = self.find_labelled(label)?;
            self.block(field.control.prop("value"))
                .map_err(|e| e.to_string())
                .map(Option::unwrap_or_default)
        })
    }

    /// The value of the element that has the focus now (null when it has
    /// none, as the page's body has).
    pub fn focused_value(&self) -> Value {
        self.eval("return document.activeElement.value;", vec![])
            .expect("reading the focus")
    }

    /// The `type` of the control labelled `label` (e.g. "password", "text").
    pub fn field_type(&self, label: &str) -> String {
        self.eventually(&format!("reading the type of {label:?}"), || {
            self.find_labelled(label).map(|field| field.kind)
        })
    }

    /// Whether the checkbox or radio button labelled `label` is checked.
    pub fn is_checked(&self, label: &str) -> bool {
        self.eventually(&format!("reading {label:?}"), || {
            let field = self.find_labelled(label)?;
            self.block(field.control.is_selected())
                .map_err(|e| e.to_string())
        })
    }

    /// Whether the control labelled `label` can be used (not disabled).
    pub fn is_enabled(&self, label: &str) -> bool {
        self.eventually(&format!("reading {label:?}"), || {
            let field = self.find_labelled(label)?;
            self.block(field.control.is_enabled())
                .map_err(|e| e.to_string())
        })
    }

    fn set_checked(&self, label: &str, wanted: bool) {
        self.eventually(&format!("setting {label:?} to {wanted}"), || {
            let field = self.find_labelled(label)?;
            let now = self
                .block(field.control.is_selected())
                .map_err(|e| e.to_string())?;
            if now == wanted {
                return Ok(());
            }
            if !self
                .block(field.control.is_enabled())
                .map_err(|e| e.to_string())?
            {
                return Err(format!("{label:?} is disabled"));
            }
            // A person clicks the label (the box itself may be styled away).
            self.click_steady(&field.label)?;
            let after = self
                .block(field.control.is_selected())
                .map_err(|e| e.to_string())?;
            if after == wanted {
                Ok(())
            } else {
                Err("clicking the label did not change it".into())
            }
        });
    }

    /// Ticks the checkbox (or chooses the radio button) labelled `label`.
    pub fn check(&self, label: &str) {
        self.set_checked(label, true);
    }

    /// Unticks the checkbox labelled `label`.
    pub fn uncheck(&self, label: &str) {
        self.set_checked(label, false);
    }

    /// Clicks the visible checkbox named `name` by its `aria-label` (a row's
    /// box in a table, or the header's "Select all on this page"); returns
    /// whether it is ticked afterwards.
    pub fn click_checkbox(&self, name: &str) -> bool {
        self.eventually(&format!("clicking the checkbox {name:?}"), || {
            let found = self.eval(JS_FIND_NAMED_CHECKBOX, vec![json!(name)])?;
            match (found["count"].as_u64(), self.element(&found["el"])) {
                (Some(1), Some(checkbox)) => self.click_steady(&checkbox),
                (Some(n), _) => Err(format!("{n} visible checkboxes {name:?}")),
                _ => Err(format!("unexpected answer {found}")),
            }
        });
        self.eval(JS_FIND_NAMED_CHECKBOX, vec![json!(name)])
            .ok()
            .and_then(|found| found["checked"].as_bool())
            .unwrap_or(false)
    }

    /// Chooses `option` (its visible text) in the drop-down labelled `label`.
    pub fn select(&self, label: &str, option: &str) {
        self.eventually(&format!("choosing {option:?} in {label:?}"), || {
            let field = self.find_labelled(label)?;
            self.steady(&field.control)?;
            self.block(field.control.select_by_label(option))
                .map_err(|e| e.to_string())?;
            let chosen = self.selected_option_of(&field.control)?;
            if chosen == option {
                Ok(())
            } else {
                Err(format!("{chosen:?} is selected"))
            }
        });
    }

    /// The visible text of the option chosen in the drop-down `label`.
    pub fn selected_option(&self, label: &str) -> String {
        self.eventually(&format!("reading {label:?}"), || {
            let field = self.find_labelled(label)?;
            self.selected_option_of(&field.control)
        })
    }

    fn selected_option_of(&self, select: &Element) -> Result<String, String> {
        let value = self.eval(
            "const [s] = arguments; const o = s.selectedOptions[0]; return o ? norm(o.text) : null;",
            vec![serde_json::to_value(select).map_err(|e| e.to_string())?],
        )?;
        value
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| "nothing selected".to_string())
    }

    fn find_button(&self, text: &str) -> Result<(Option<Element>, u64, bool), String> {
        let found = self.eval(JS_FIND_BUTTON, vec![json!(text)])?;
        Ok((
            self.element(&found["el"]),
            found["count"].as_u64().unwrap_or(0),
            found["enabled"].as_bool().unwrap_or(false),
        ))
    }

    /// Clicks the visible, enabled button whose text is exactly `text`.
    pub fn click_button(&self, text: &str) {
        self.eventually(&format!("clicking the button {text:?}"), || {
            let (button, count, enabled) = self.find_button(text)?;
            match (button, count) {
                (_, 0) | (None, _) => Err(format!("no visible button {text:?}")),
                (Some(button), 1) => {
                    if !enabled {
                        return Err(format!("the button {text:?} is disabled"));
                    }
                    self.click_steady(&button)
                }
                (_, n) => Err(format!("{n} visible buttons {text:?}")),
            }
        });
    }

    /// Types `typed` into the field `label` (a combobox such as the
    /// supervisor picker), then clicks the suggestion containing `option`.
    pub fn choose_suggestion(&self, label: &str, typed: &str, option: &str) {
        self.fill(label, typed);
        self.eventually(
            &format!("choosing the suggestion {option:?} in {label:?}"),
            || {
                let found = self.eval(JS_FIND_OPTION, vec![json!(option)])?;
                match (found["count"].as_u64(), self.element(&found["el"])) {
                    (Some(1), Some(choice)) => {
                        self.block(choice.click()).map_err(|e| e.to_string())
                    }
                    (Some(n), _) => Err(format!("{n} visible suggestions with {option:?}")),
                    _ => Err(format!("unexpected answer {found}")),
                }
            },
        );
    }

    /// Whether a visible button reads `text` right now (no waiting: wait for
    /// the screen first, e.g. with [`Session::wait_for_heading`]).
    pub fn has_button(&self, text: &str) -> bool {
        self.find_button(text)
            .map(|(_, count, _)| count > 0)
            .unwrap_or(false)
    }

    /// Whether the visible button `text` is enabled (waits for the button).
    pub fn button_enabled(&self, text: &str) -> bool {
        self.eventually(&format!("finding the button {text:?}"), || {
            match self.find_button(text)? {
                (Some(_), 1, enabled) => Ok(enabled),
                (_, n, _) => Err(format!("{n} visible buttons {text:?}")),
            }
        })
    }

    /// Clicks the link (or navigation button) whose text is exactly `text`.
    pub fn navigate(&self, text: &str) {
        self.eventually(&format!("clicking the navigation item {text:?}"), || {
            let found = self.eval(JS_FIND_NAV, vec![json!(text)])?;
            match (found["count"].as_u64(), self.element(&found["el"])) {
                (Some(1), Some(link)) => self.click_steady(&link),
                (Some(n), _) => Err(format!("{n} visible navigation items {text:?}")),
                _ => Err(format!("unexpected answer {found}")),
            }
        });
    }

    /// Whether a visible link or navigation button reads `text` right now.
    pub fn has_nav(&self, text: &str) -> bool {
        self.eval(JS_FIND_NAV, vec![json!(text)])
            .ok()
            .and_then(|found| found["count"].as_u64())
            .is_some_and(|count| count > 0)
    }

    /// Clicks the table cell that reads exactly `text` (e.g. a user's name
    /// in the list, which opens that user).
    pub fn click_row(&self, text: &str) {
        self.eventually(&format!("clicking the row {text:?}"), || {
            let found = self.eval(JS_FIND_CELL, vec![json!(text)])?;
            match (found["count"].as_u64(), self.element(&found["el"])) {
                (Some(1), Some(cell)) => self.click_steady(&cell),
                (Some(n), _) => Err(format!("{n} visible cells {text:?}")),
                _ => Err(format!("unexpected answer {found}")),
            }
        });
    }

    /// Presses a key (e.g. `"\u{E007}"` for Enter) in the focused element.
    pub fn press(&self, keys: &str) {
        self.block(async {
            let focused = self.client().active_element().await?;
            focused.send_keys(keys).await
        })
        .unwrap_or_else(|e| panic!("pressing {keys:?}: {e}"));
    }

    // ---- native dialogs and screenshots ---------------------------------

    /// Accepts the native (GTK) dialog whose window title is `title` by
    /// pressing its first button, the OK one (e.g. "Delete"). WebDriver
    /// cannot see native dialogs, so this uses `xdotool` on the session's X
    /// display: find the window, give it the keyboard focus, press Return
    /// (GTK's message dialogs focus their first button, the OK one).
    pub fn accept_native_dialog(&self, title: &str) {
        self.answer_native_dialog(title, "Return");
    }

    /// Cancels the native dialog titled `title` (Escape).
    pub fn cancel_native_dialog(&self, title: &str) {
        self.answer_native_dialog(title, "Escape");
    }

    fn answer_native_dialog(&self, title: &str, key: &str) {
        let xdotool = require_tool(
            "xdotool",
            "it answers native dialogs, which WebDriver cannot reach: `apt-get install xdotool`",
        );
        let display = self
            .display
            .name()
            .expect("native dialogs are answered on an X display");
        let pattern = format!("^{}$", regex_escape(title));
        let window = self.eventually(&format!("waiting for the dialog {title:?}"), || {
            self.native_windows(&xdotool, display, &pattern)
                .into_iter()
                .next()
                .ok_or_else(|| "no such window".to_string())
        });
        self.eventually(&format!("answering the dialog {title:?}"), || {
            let status = Command::new(&xdotool)
                .env("DISPLAY", display)
                .args([
                    "windowfocus",
                    "--sync",
                    &window,
                    "key",
                    "--clearmodifiers",
                    key,
                ])
                .status()
                .map_err(|e| e.to_string())?;
            if !status.success() {
                return Err(format!("xdotool failed ({status})"));
            }
            // Wait a little for the dialog to close; press again if it did not.
            let until = Instant::now() + Duration::from_secs(2);
            while Instant::now() < until {
                if !self
                    .native_windows(&xdotool, display, &pattern)
                    .contains(&window)
                {
                    return Ok(());
                }
                thread::sleep(Duration::from_millis(100));
            }
            Err("the dialog is still open".into())
        });
    }

    /// Answers the native (GTK) save dialog titled `title` with `path`:
    /// focuses it, replaces the file name (GTK's name field accepts a full
    /// path) and presses Return, then waits for the dialog to close.
    pub fn save_in_native_dialog(&self, title: &str, path: &Path) {
        let xdotool = require_tool(
            "xdotool",
            "it answers native dialogs, which WebDriver cannot reach: `apt-get install xdotool`",
        );
        let display = self
            .display
            .name()
            .expect("native dialogs are answered on an X display");
        let pattern = format!("^{}$", regex_escape(title));
        // GTK keeps a closed dialog's window around unmapped: only shown ones count.
        let shown = || self.shown_native_windows(&xdotool, display, &pattern);
        self.eventually(
            &format!("waiting for the dialog {title:?}"),
            || match shown().is_empty() {
                true => Err("no such window".to_string()),
                false => Ok(()),
            },
        );
        let path = path.to_str().expect("a UTF-8 path");
        let xdotool_run = |args: &[&str]| -> Result<(), String> {
            let status = Command::new(&xdotool)
                .env("DISPLAY", display)
                .args(args)
                .status()
                .map_err(|e| e.to_string())?;
            if status.success() {
                Ok(())
            } else {
                Err(format!("xdotool {args:?} failed ({status})"))
            }
        };
        self.eventually(
            &format!("saving {path:?} through the dialog {title:?}"),
            || {
                let windows = shown();
                let window = windows
                    .iter()
                    .find(|window| xdotool_run(&["windowfocus", "--sync", window]).is_ok())
                    .ok_or_else(|| format!("none of the windows {windows:?} takes the focus"))?
                    .clone();
                // Ctrl+L focuses the location field, in an open dialog too,
                // wherever the focus was (a button's Return would cancel:
                // one CI run's open dialog closed without a file); the save
                // dialog's field holds the proposed name.
                thread::sleep(Duration::from_millis(300));
                xdotool_run(&["key", "--clearmodifiers", "ctrl+l"])?;
                thread::sleep(Duration::from_millis(200));
                xdotool_run(&["key", "--clearmodifiers", "ctrl+a"])?;
                xdotool_run(&["type", "--clearmodifiers", "--delay", "20", path])?;
                thread::sleep(Duration::from_millis(300));
                // What the dialog held when it was answered, if a step after fails.
                let _ = self.try_screenshot(&format!("{}-dialog", test_name()));
                xdotool_run(&["key", "--clearmodifiers", "Return"])?;
                let until = Instant::now() + Duration::from_secs(3);
                while Instant::now() < until {
                    if !shown().contains(&window) {
                        return Ok(());
                    }
                    thread::sleep(Duration::from_millis(100));
                }
                Err("the dialog is still open".into())
            },
        );
    }

    /// [`Session::native_windows`] that are shown (mapped) right now.
    fn shown_native_windows(&self, xdotool: &Path, display: &str, pattern: &str) -> Vec<String> {
        match self.display {
            Display::Own { .. } => xdotool_search(xdotool, display, &["--onlyvisible"], pattern),
            _ => self
                .app_pids()
                .into_iter()
                .flat_map(|pid| {
                    let pid = pid.to_string();
                    xdotool_search(xdotool, display, &["--onlyvisible", "--pid", &pid], pattern)
                })
                .collect(),
        }
    }

    /// Whether a native window titled exactly `title` is open right now.
    pub fn native_window_open(&self, title: &str) -> bool {
        let Some(xdotool) = find_on_path("xdotool") else {
            return false;
        };
        let Some(display) = self.display.name() else {
            return false;
        };
        !self
            .native_windows(&xdotool, display, &format!("^{}$", regex_escape(title)))
            .is_empty()
    }

    /// The app's X windows whose title matches `pattern`. On a display of
    /// our own every window is the app's; on a shared one (another test's
    /// dialog may be open there) only the windows of our app's processes.
    fn native_windows(&self, xdotool: &Path, display: &str, pattern: &str) -> Vec<String> {
        match self.display {
            Display::Own { .. } => xdotool_search(xdotool, display, &[], pattern),
            _ => self
                .app_pids()
                .into_iter()
                .flat_map(|pid| {
                    xdotool_search(xdotool, display, &["--pid", &pid.to_string()], pattern)
                })
                .collect(),
        }
    }

    /// The app's processes: those named `roster-desktop` in tauri-driver's
    /// process group (WebKitWebDriver starts the app in it).
    pub fn app_pids(&self) -> Vec<u32> {
        let Some(group) = self.driver.as_ref().map(Child::id) else {
            return Vec::new();
        };
        let Ok(entries) = fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .filter_map(|entry| {
                let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
                let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
                // "pid (comm) state ppid pgrp …": comm may hold spaces.
                let (head, rest) = stat.rsplit_once(')')?;
                let comm = head.split_once('(')?.1;
                let pgrp: u32 = rest.split_whitespace().nth(2)?.parse().ok()?;
                (pgrp == group && comm == "roster-desktop").then_some(pid)
            })
            .collect()
    }

    /// Saves a screenshot of the session's display as
    /// `target/e2e-screenshots/<name>.png` and returns its path.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        self.try_screenshot(name)
            .unwrap_or_else(|failure| panic!("screenshot {name:?}: {failure}"))
    }

    fn try_screenshot(&self, name: &str) -> Result<PathBuf, String> {
        let import = find_on_path("import")
            .ok_or("ImageMagick's `import` is missing: `apt-get install imagemagick`")?;
        let display = self.display.name().ok_or("no X display")?;
        let dir = screenshots_dir();
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let path = dir.join(format!("{name}.png"));
        // WebDriver's own screenshot call hangs under Xvfb: grab the X screen.
        let mut child = Command::new(import)
            .env("DISPLAY", display)
            .args(["-window", "root"])
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run import: {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match child.try_wait() {
                Ok(Some(status)) if status.success() => return Ok(path),
                Ok(Some(status)) => return Err(format!("import failed ({status})")),
                Ok(None) if Instant::now() > deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err("import took more than 20 s".into());
                }
                Ok(None) => thread::sleep(Duration::from_millis(50)),
                Err(e) => return Err(e.to_string()),
            }
        }
    }

    // ---- shutting down ----------------------------------------------------

    /// The last `lines` lines of tauri-driver's log (WebKitWebDriver's and
    /// the app's stderr included).
    pub fn driver_log_tail(&self, lines: usize) -> String {
        let log = fs::read_to_string(&self.driver_log).unwrap_or_default();
        let all: Vec<&str> = log.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    fn stop_driver(&mut self) {
        if let Some(mut driver) = self.driver.take() {
            kill_group(&mut driver);
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if thread::panicking() {
            match self.try_screenshot(&self.name) {
                Ok(path) => eprintln!("screenshot of the failure: {}", path.display()),
                Err(failure) => eprintln!("no screenshot of the failure: {failure}"),
            }
            eprintln!(
                "--- tauri-driver log (end) ---\n{}\n--- end of log ---",
                self.driver_log_tail(40)
            );
        }
        if let Some(client) = self.client.take() {
            // Ends the WebDriver session, which closes the app.
            let _ = self.runtime.block_on(async {
                tokio::time::timeout(Duration::from_secs(5), client.close()).await
            });
        }
        self.stop_driver();
        if let Display::Own { server, .. } = &mut self.display {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

// ---- tools and processes ---------------------------------------------------

/// The programs a session needs, found or explained.
struct Tools {
    tauri_driver: PathBuf,
    /// WebKitWebDriver on Linux; `None` lets tauri-driver find its default.
    native_driver: Option<PathBuf>,
    xvfb: Option<PathBuf>,
}

impl Tools {
    fn find() -> Tools {
        if cfg!(target_os = "macos") {
            fail_setup(
                "tauri-driver does not support macOS (there is no WebDriver for WKWebView); \
                 the end-to-end tests run on Linux and Windows",
            );
        }
        if !Path::new(APP).is_file() {
            fail_setup(&format!(
                "the app binary {APP} is missing: build it with cargo"
            ));
        }
        let tauri_driver = find_on_path("tauri-driver")
            .or_else(|| {
                cargo_home()
                    .map(|home| home.join("bin").join(exe("tauri-driver")))
                    .filter(|path| path.is_file())
            })
            .unwrap_or_else(|| {
                fail_setup(
                    "`tauri-driver` was not found on PATH nor in ~/.cargo/bin. Install it with \
                     `cargo install tauri-driver --locked` (or run `cargo xtask test`, which \
                     installs everything the tests need)",
                )
            });
        let native_driver = if cfg!(target_os = "linux") {
            Some(find_on_path("WebKitWebDriver").unwrap_or_else(|| {
                fail_setup(
                    "`WebKitWebDriver` was not found on PATH. Install it with \
                     `apt-get install webkit2gtk-driver` (or run `cargo xtask test`)",
                )
            }))
        } else {
            None
        };
        let xvfb = if cfg!(target_os = "linux") {
            find_on_path("Xvfb")
        } else {
            None
        };
        Tools {
            tauri_driver,
            native_driver,
            xvfb,
        }
    }
}

/// Fails the test because the machine lacks something.
fn fail_setup(what: &str) -> ! {
    let context = if env::var_os(REQUIRE_E2E_ENV).is_some_and(|v| !v.is_empty()) {
        format!("{REQUIRE_E2E_ENV} is set, so the end-to-end tests must run")
    } else {
        "end-to-end tests never skip silently".to_string()
    };
    panic!("cannot run the end-to-end test: {what}. ({context})");
}

fn require_tool(name: &str, why: &str) -> PathBuf {
    find_on_path(name).unwrap_or_else(|| fail_setup(&format!("`{name}` is missing; {why}")))
}

fn start_display(tools: &Tools) -> Display {
    if !cfg!(target_os = "linux") {
        return Display::NotNeeded;
    }
    let inherited = env::var("DISPLAY").ok().filter(|d| !d.is_empty());
    let wants_inherited = env::var("ROSTER_E2E_DISPLAY").is_ok_and(|v| v == "inherit");
    match (&tools.xvfb, inherited) {
        (_, Some(display)) if wants_inherited => Display::Shared(display),
        (Some(xvfb), _) => start_xvfb(xvfb),
        (None, Some(display)) => Display::Shared(display),
        (None, None) => fail_setup(
            "there is no X display (DISPLAY is not set) and `Xvfb` is not installed: \
             `apt-get install xvfb` (or run `cargo xtask test`)",
        ),
    }
}

/// Starts `Xvfb`, letting it pick a free display number (`-displayfd`
/// writes the number it took to our pipe once it is ready for clients).
fn start_xvfb(xvfb: &Path) -> Display {
    let mut command = Command::new(xvfb);
    command
        .args(["-displayfd", "1", "-screen", "0", "1280x1024x24"])
        .args(["-nolisten", "tcp", "-noreset"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    die_with_parent(&mut command);
    let mut server = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", xvfb.display()));
    let stdout = server.stdout.take().expect("Xvfb's stdout is piped");
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    match receiver.recv_timeout(Duration::from_secs(20)) {
        Ok(line) if !line.trim().is_empty() => Display::Own {
            server,
            name: format!(":{}", line.trim()),
        },
        outcome => {
            let _ = server.kill();
            let _ = server.wait();
            panic!("Xvfb did not start (it said {outcome:?})");
        }
    }
}

/// Two distinct ports that were free a moment ago.
fn free_ports() -> (u16, u16) {
    let bind = || TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("cannot bind a local port");
    let (a, b) = (bind(), bind());
    let port = |l: &TcpListener| l.local_addr().expect("a bound port").port();
    (port(&a), port(&b))
}

/// Puts the child in its own process group, so that the app and
/// WebKitWebDriver (which inherit it) can be stopped together; and makes
/// it die with the test thread if the test process is killed.
fn own_process_group(command: &mut Command) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    die_with_parent(command);
}

/// On Linux, the child gets SIGKILL when the thread that started it ends
/// (the test's thread), so a killed test leaves no X server behind.
fn die_with_parent(command: &mut Command) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl is async-signal-safe and touches no memory of ours.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = command;
}

/// Stops `child` and everything in its process group (TERM, then KILL).
fn kill_group(child: &mut Child) {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(child.id()) else {
            let _ = child.kill();
            let _ = child.wait();
            return;
        };
        // SAFETY: plain system calls on a process group we created.
        unsafe {
            libc::kill(-pid, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if matches!(child.try_wait(), Ok(Some(_))) {
                break;
            }
            thread::sleep(Duration::from_millis(50));
        }
        // The leader may be gone while others in the group are not.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The ids of the X windows whose title matches `pattern`.
fn xdotool_search(xdotool: &Path, display: &str, filters: &[&str], pattern: &str) -> Vec<String> {
    Command::new(xdotool)
        .env("DISPLAY", display)
        .arg("search")
        .args(filters)
        .args(["--all", "--name", pattern])
        .stderr(Stdio::null())
        .output()
        .map(|out| {
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$".contains(c);
            special
                .then_some('\\')
                .into_iter()
                .chain(std::iter::once(c))
        })
        .collect()
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(exe(name)))
        .find(|candidate| candidate.is_file())
}

fn exe(name: &str) -> String {
    format!("{name}{}", env::consts::EXE_SUFFIX)
}

fn cargo_home() -> Option<PathBuf> {
    env::var_os("CARGO_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            env::var_os("HOME")
                .or_else(|| env::var_os("USERPROFILE"))
                .filter(|v| !v.is_empty())
                .map(|home| PathBuf::from(home).join(".cargo"))
        })
}

fn timeout_from_env() -> Duration {
    let seconds = env::var("ROSTER_E2E_TIMEOUT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    Duration::from_secs(seconds)
}

/// `target/e2e-screenshots` in the workspace (or `ROSTER_E2E_SCREENSHOTS`).
pub fn screenshots_dir() -> PathBuf {
    env::var_os("ROSTER_E2E_SCREENSHOTS")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target")
                .join("e2e-screenshots")
        })
}

/// The running test's name without its module path: libtest (and nextest,
/// which runs libtest) names each test's thread after the test.
fn test_name() -> String {
    thread::current()
        .name()
        .and_then(|name| name.rsplit("::").next())
        .filter(|name| !name.is_empty() && *name != "main")
        .unwrap_or("e2e")
        .to_string()
}
