//! What the scenario tests share: running the built `roster` binary with
//! no store, operator or user taken from the environment, what a run left
//! behind, and a temporary store with its first administrator.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use tempfile::TempDir;

pub const ADMIN: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "Granite-Lantern-Orbit-93";
pub const GOOD_PASSWORD: &str = "Tulip-Harbour-Quartz-58";

/// `roster init` for Ada Admin, the password on standard input
/// ([`admin_password_line`]).
pub const INIT: &[&str] = &[
    "init",
    "--name",
    "Ada Admin",
    "--email",
    ADMIN,
    "--password-stdin",
];

/// [`INIT`] without a second factor, for tests that sign Ada in from the
/// command line, which cannot set up an authenticator app.
pub const INIT_WITHOUT_SECOND_FACTOR: &[&str] = &[
    "init",
    "--name",
    "Ada Admin",
    "--email",
    ADMIN,
    "--two-factor",
    "off",
    "--password-stdin",
];

/// The administrator's password as one line of standard input.
pub fn admin_password_line() -> String {
    format!("{ADMIN_PASSWORD}\n")
}

/// What one run of `roster` left behind.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub pid: u32,
}

impl Run {
    pub fn ok(self) -> Self {
        assert_eq!(self.code, 0, "expected success, got {self:#?}");
        self
    }

    /// Asserts a refusal: exit status 1 and exactly one `roster: …` line
    /// containing `text`.
    pub fn refused(self, text: &str) -> Self {
        assert_eq!(self.code, 1, "expected a refusal, got {self:#?}");
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "expected one error line: {self:#?}");
        assert!(lines[0].starts_with("roster: "), "{self:#?}");
        assert!(lines[0].contains(text), "expected {text:?} in {self:#?}");
        self
    }

    /// Asserts a refusal: exit status 1 and a last `roster: …` line
    /// containing `text` (warnings may come before it).
    pub fn refused_in_last_line(self, text: &str) -> Self {
        assert_eq!(self.code, 1, "expected a refusal, got {self:#?}");
        let last = self.stderr.lines().last().unwrap_or_default();
        assert!(last.starts_with("roster: "), "{self:#?}");
        assert!(last.contains(text), "expected {text:?} in {self:#?}");
        self
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:#?}"))
    }
}

/// The built `roster` with no store, operator or user from the environment.
pub fn roster() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_roster"));
    command
        .env_remove("ROSTER_STORE")
        .env_remove("ROSTER_AS")
        .env_remove("ROSTER_USER");
    command
}

/// [`roster`] with `--store STORE` first.
pub fn roster_on(store: impl AsRef<OsStr>) -> Command {
    let mut command = roster();
    command.arg("--store").arg(store);
    command
}

/// Without `--as` or `--user` first in `args`, the command acts as the
/// administrator through the recovery path (`ROSTER_AS`), which scenarios
/// on a local file may use.
pub fn acting_as_admin(command: &mut Command, args: &[&str]) {
    if !matches!(args.first(), Some(&"--as" | &"--user")) {
        command.env("ROSTER_AS", ADMIN);
    }
}

/// Runs `command` to its end, standard input closed unless `stdin` is
/// given, and returns what it left behind.
pub fn output(command: Command, stdin: Option<&str>) -> Output {
    spawn(command, stdin).1
}

/// [`output`] as a [`Run`] (the output must be UTF-8).
pub fn finish(command: Command, stdin: Option<&str>) -> Run {
    let (pid, output) = spawn(command, stdin);
    Run {
        code: output.status.code().expect("exit code"),
        stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
        pid,
    }
}

fn spawn(mut command: Command, stdin: Option<&str>) -> (u32, Output) {
    command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("roster starts");
    let pid = child.id();
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        // A refusal may close standard input before all of it is read; the
        // exit code and the output tell what happened.
        let _ = pipe.write_all(text.as_bytes());
    }
    (pid, child.wait_with_output().expect("roster finishes"))
}

/// A temporary folder and the path of a store file in it (not created).
pub fn temp_store() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = dir.path().join("roster.sqlite3");
    (dir, store)
}

/// Every file in `dir` with its bytes, sorted by path.
pub fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("read the folder")
        .map(|entry| {
            let path = entry.expect("an entry").path();
            let bytes = std::fs::read(&path).expect("read a file");
            (path, bytes)
        })
        .collect();
    files.sort();
    files
}

/// One temporary store and the commands run against it, each acting as
/// the administrator unless it names someone ([`acting_as_admin`]).
pub struct World {
    pub dir: TempDir,
    pub store: PathBuf,
}

impl World {
    /// An empty store.
    pub fn empty() -> Self {
        let (dir, store) = temp_store();
        Self { dir, store }
    }

    /// A store with its first administrator.
    pub fn new() -> Self {
        let world = Self::empty();
        world.run_with_stdin(INIT, &admin_password_line()).ok();
        world
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.execute(args, None)
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Run {
        self.execute(args, Some(stdin))
    }

    /// Runs `roster --store STORE ARGS`, as the administrator unless ARGS
    /// name someone.
    pub fn execute(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let mut command = roster_on(&self.store);
        command.args(args);
        acting_as_admin(&mut command, args);
        finish(command, stdin)
    }

    /// A file in the store's temporary folder holding `text`.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("file written");
        path
    }
}
