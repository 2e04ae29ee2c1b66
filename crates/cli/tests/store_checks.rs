//! `--store` is checked before it is used: only `roster init` creates a
//! store; an empty value, a file that is not a Roster store and
//! PostgreSQL's own schemas are refused in one line, changing nothing; and
//! several processes creating the same new file at once do not trip over
//! each other's migrations.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use support::{ADMIN, ADMIN_PASSWORD, INIT};

/// `roster --store STORE ARGS` with nothing from the environment, standard
/// input closed unless `stdin` is given.
fn roster(store: &std::ffi::OsStr, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = support::roster_on(store);
    command.args(args).env("ROSTER_KEYCHAIN", "mock");
    support::output(command, stdin)
}

/// Asserts exit status 1 with one `roster: …` line containing `text`.
fn assert_refused(output: &Output, text: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("roster: "), "{stderr}");
    assert!(stderr.contains(text), "expected {text:?} in {stderr}");
}

fn init(store: &Path) -> Output {
    roster(
        store.as_os_str(),
        INIT,
        Some(&support::admin_password_line()),
    )
}

/// Every command that only reads, signed in or on the recovery path.
const READS: &[&[&str]] = &[
    &["--as", ADMIN, "users", "list"],
    &["--as", ADMIN, "users", "show", ADMIN],
    &["--as", ADMIN, "groups", "list"],
    &["--as", ADMIN, "audit", "list"],
    &["--as", ADMIN, "clients", "list"],
    &["--as", ADMIN, "settings", "show"],
    &["--as", ADMIN, "mail", "show"],
    &["--user", ADMIN, "users", "list"],
    &["store", "test"],
    &["store", "show"],
];

#[test]
fn a_read_command_creates_no_folder_and_no_file() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let missing_folder = dir.path().join("not-there");
    let store = missing_folder.join("roster.sqlite3");
    for args in READS {
        let output = roster(
            store.as_os_str(),
            args,
            Some(&format!("{ADMIN_PASSWORD}\n")),
        );
        if args == &["store", "show"] {
            assert_eq!(output.status.code(), Some(0), "{args:?}");
        } else {
            assert_refused(&output, "does not exist");
        }
        assert!(
            !missing_folder.exists(),
            "{args:?} created {missing_folder:?}"
        );
    }
    // In an existing folder, no file appears either.
    let store = dir.path().join("roster.sqlite3");
    for args in READS {
        roster(
            store.as_os_str(),
            args,
            Some(&format!("{ADMIN_PASSWORD}\n")),
        );
        let left: Vec<PathBuf> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|entry| entry.expect("entry").path())
            .collect();
        assert!(left.is_empty(), "{args:?} left {left:?}");
    }
    // init is the one command that creates the store.
    assert_eq!(
        init(&missing_folder.join("roster.sqlite3")).status.code(),
        Some(0)
    );
    assert!(missing_folder.join("roster.sqlite3").is_file());
}

#[test]
fn an_empty_store_is_refused() {
    for empty in ["", " "] {
        let output = roster(
            std::ffi::OsStr::new(empty),
            &["--as", ADMIN, "users", "list"],
            None,
        );
        assert_refused(&output, "The store is empty");
        let output = roster(std::ffi::OsStr::new(empty), &["store", "show"], None);
        assert_refused(&output, "The store is empty");
    }
}

fn assert_foreign_file_refused(dir: &Path, file: &Path) {
    let before = support::files(dir);
    assert_refused(&init(file), "is not a Roster store");
    for args in READS.iter().filter(|args| args != &&["store", "show"]) {
        let output = roster(file.as_os_str(), args, Some(&format!("{ADMIN_PASSWORD}\n")));
        assert_refused(&output, "is not a Roster store");
    }
    assert_eq!(support::files(dir), before, "the file was changed");
}

#[test]
fn a_sqlite_file_of_another_application_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("other.db");
    {
        let connection = rusqlite::Connection::open(&file).expect("create");
        connection
            .execute_batch(
                "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL);
                 INSERT INTO invoices (total) VALUES (12.5);",
            )
            .expect("fill");
    }
    assert_foreign_file_refused(dir.path(), &file);
}

#[test]
fn a_text_file_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("notes.txt");
    std::fs::write(
        &file,
        "Shopping: milk, bread, a new password manager.\n".repeat(200),
    )
    .expect("write");
    assert_foreign_file_refused(dir.path(), &file);
}

#[test]
fn processes_creating_the_same_new_store_at_once_do_not_race_on_migrations() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = dir.path().join("new").join("roster.sqlite3");
    let runs: Vec<Output> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..6).map(|_| scope.spawn(|| init(&store))).collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("init ran"))
            .collect()
    });
    let succeeded = runs.iter().filter(|run| run.status.success()).count();
    assert_eq!(succeeded, 1, "exactly one first administrator");
    for run in runs.iter().filter(|run| !run.status.success()) {
        assert_refused(run, "already set up");
    }
    let users = roster(
        store.as_os_str(),
        &["--as", ADMIN, "users", "list", "--json"],
        None,
    );
    assert_eq!(users.status.code(), Some(0));
}

#[test]
fn postgresql_system_schemas_are_refused() {
    for schema in ["information_schema", "pg_catalog", "pg_toast"] {
        let url = format!("postgres://postgres@127.0.0.1:5432/test?schema={schema}");
        let output = roster(
            std::ffi::OsStr::new(&url),
            &["--user", ADMIN, "users", "list"],
            Some(&format!("{ADMIN_PASSWORD}\n")),
        );
        assert_refused(&output, "belongs to PostgreSQL itself");
        let output = roster(std::ffi::OsStr::new(&url), &["store", "test"], None);
        assert_refused(&output, "belongs to PostgreSQL itself");
    }
}
