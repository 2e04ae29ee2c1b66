//! A real `roster` process killed with SIGKILL while it updates the schema
//! of a store made by an older Roster: a SQLite file brought up to schema
//! V5 only, by the core's own migration files, holding enough users and
//! audit events that its update (V6's columns and indexes, V7, V8's index,
//! V11's column and index, V12's tables and column, V13's table of the
//! supervisor tree, V14's sort keys in it, V15's tables of words, then
//! the chaining of the old events) takes a
//! measurable time. After each
//! kill the store opens, passes SQLite's checks, and is wholly at the old
//! schema or wholly at the new one with every row kept; the backup made
//! before the update is whole or was never finished (and its partial file
//! is removed by the next backup).

mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension};
use support::*;

mod old_schema {
    refinery::embed_migrations!("../core/src/store/sqlite/migrations");
}

/// The schema the old store is at.
const OLD: i64 = 5;
const STAFF: i64 = 5_000;
const EVENTS: i64 = 150_000;

/// What the old store holds, counted.
#[derive(Debug, PartialEq, Eq)]
struct Counts {
    users: i64,
    groups: i64,
    memberships: i64,
    events: i64,
}

fn counts(connection: &Connection) -> Counts {
    let count = |table: &str| -> i64 {
        connection
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                row.get(0)
            })
            .expect("a count")
    };
    Counts {
        users: count("users"),
        groups: count("groups"),
        memberships: count("memberships"),
        events: count("audit_events"),
    }
}

const EXPECTED: Counts = Counts {
    users: STAFF + 1,
    groups: 2,
    memberships: STAFF + 1,
    events: EVENTS,
};

/// A store at schema V5 (refinery's runner stopped there, as that Roster
/// left it), with the administrator, a group of staff and their audit trail.
fn old_store(path: &Path) {
    let mut connection = Connection::open(path).expect("a new file");
    old_schema::migrations::runner()
        .set_target(refinery::Target::Version(OLD as i32))
        .run(&mut connection)
        .expect("migrated to V5");
    connection
        .execute_batch(&format!(
            "BEGIN;
             INSERT INTO groups (id, name, name_normalized, created_at, updated_at)
                 VALUES (2, 'Staff', 'staff', 1700000000000, 1700000000000);
             INSERT INTO users (id, name, name_key, email, email_normalized, status,
                                password_hash, created_at, updated_at)
                 VALUES (1, 'Ada Admin', 'ada admin', '{ADMIN}', '{ADMIN}', 'enabled',
                         'not a hash', 1700000000000, 1700000000000);
             INSERT INTO memberships (user_id, group_id) VALUES (1, 1);
             WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < {last_user})
             INSERT INTO users (id, name, name_key, email, email_normalized, status,
                                password_hash, created_at, updated_at)
                 SELECT i, 'Staff ' || i, 'staff ' || i, 'staff' || i || '@example.com',
                        'staff' || i || '@example.com', 'enabled', 'not a hash',
                        1700000000000 + i, 1700000000000 + i FROM n;
             INSERT INTO memberships (user_id, group_id) SELECT id, 2 FROM users WHERE id > 1;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {EVENTS})
             INSERT INTO audit_events (id, at, operator_id, operator_label, action, target_kind,
                                       target_id, target_label, target_label_normalized, changes)
                 SELECT i, 1700000000000 + i * 1000, 1, 'Ada Admin', 'user.update', 'user',
                        2 + i % {STAFF}, 'Staff ' || (2 + i % {STAFF}),
                        'staff ' || (2 + i % {STAFF}),
                        '[{{\"field\":\"name\",\"before\":\"Old\",\"after\":\"New\"}}]' FROM n;
             COMMIT;",
            last_user = STAFF + 1
        ))
        .expect("the old store's rows");
    assert_eq!(counts(&connection), EXPECTED);
}

/// The schema the file says it is at, and whether each thing the update
/// adds is there: all of them at the new version, none at the old one.
fn schema_state(connection: &Connection) -> (i64, Vec<(&'static str, bool)>) {
    let version: i64 = connection
        .query_row(
            "SELECT max(version) FROM refinery_schema_history",
            [],
            |row| row.get(0),
        )
        .expect("the schema's history");
    let exists = |kind: &str, name: &str| -> bool {
        connection
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = ?1 AND name = ?2",
                [kind, name],
                |_| Ok(()),
            )
            .optional()
            .expect("the schema")
            .is_some()
    };
    let seq_column = connection
        .prepare("SELECT seq FROM audit_events LIMIT 0")
        .is_ok();
    let valid_until_column = connection
        .prepare("SELECT valid_until FROM users LIMIT 0")
        .is_ok();
    let password_changed_column = connection
        .prepare("SELECT password_changed_at FROM users LIMIT 0")
        .is_ok();
    let scope_column = connection
        .prepare("SELECT scope FROM group_permissions LIMIT 0")
        .is_ok();
    let parts = vec![
        ("V6 audit_events.seq", seq_column),
        ("V6 audit_chain", exists("table", "audit_chain")),
        ("V6 audit_events_at", exists("index", "audit_events_at")),
        (
            "V6 audit_events_operator_prefix",
            exists("index", "audit_events_operator_prefix"),
        ),
        ("V7 store_opened_by", exists("table", "store_opened_by")),
        (
            "V8 audit_events_target_at",
            exists("index", "audit_events_target_at"),
        ),
        ("V11 users.valid_until", valid_until_column),
        (
            "V11 users_valid_until",
            exists("index", "users_valid_until"),
        ),
        ("V12 deleted_users", exists("table", "deleted_users")),
        ("V12 users.password_changed_at", password_changed_column),
        (
            "V12 users_password_changed_at",
            exists("index", "users_password_changed_at"),
        ),
        ("V13 group_permissions.scope", scope_column),
        ("V13 user_ancestors", exists("table", "user_ancestors")),
        (
            "V13 user_ancestors_move",
            exists("trigger", "user_ancestors_move"),
        ),
        (
            "V14 user_ancestors_name",
            exists("index", "user_ancestors_name"),
        ),
        (
            "V14 user_ancestors_keys",
            exists("trigger", "user_ancestors_keys"),
        ),
        ("V15 users_words", exists("table", "users_words")),
        (
            "V15 clients_words_update",
            exists("trigger", "clients_words_update"),
        ),
    ];
    (version, parts)
}

/// Starts `roster users list` on `store` (which backs it up, then updates
/// its schema) and kills it with SIGKILL after `delay`; true when it was
/// still running then.
fn kill_after(store: &Path, delay: Duration) -> bool {
    let mut command = roster_on(store);
    command
        .args(["users", "list", "--limit", "1"])
        .env("ROSTER_AS", ADMIN)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = command.spawn().expect("roster starts");
    std::thread::sleep(delay);
    let running = child.try_wait().expect("status").is_none();
    child.kill().ok();
    child.wait().expect("reaped");
    running
}

/// The files in the backup folder beside `store`: whole backups, and
/// partial files of a backup that was killed.
fn backup_files(store: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let folder = store.with_file_name("backups");
    let mut whole = Vec::new();
    let mut partial = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&folder) {
        for entry in entries {
            let path = entry.expect("an entry").path();
            let name = path.file_name().expect("a name").to_string_lossy();
            if name.ends_with(".partial") {
                partial.push(path);
            } else if name.ends_with(".roster-backup") {
                whole.push(path);
            }
        }
    }
    (whole, partial)
}

fn run_on(store: &Path, args: &[&str]) -> Run {
    let mut command = roster_on(store);
    command.args(args).env("ROSTER_AS", ADMIN);
    finish(command, None)
}

/// How a round ended, as seen in the file before Roster opens it again.
#[derive(Debug, Default)]
struct Tally {
    killed: usize,
    old: usize,
    new: usize,
    /// Old schema with a whole backup beside it: killed during the update.
    during_update: usize,
}

#[test]
fn a_schema_update_killed_at_any_moment_leaves_the_old_or_the_new_schema_never_a_mix() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let pristine = dir.path().join("old.sqlite3");
    old_store(&pristine);

    // How long opening (backing up, then updating) takes here, whole.
    let timing = dir.path().join("timing").join("roster.sqlite3");
    std::fs::create_dir_all(timing.parent().expect("a folder")).expect("folder");
    std::fs::copy(&pristine, &timing).expect("copy");
    let started = Instant::now();
    let opened = run_on(&timing, &["users", "list", "--limit", "1"]).ok();
    let whole = started.elapsed();
    assert!(
        opened.stderr.contains("its state before was backed up"),
        "{opened:#?}"
    );
    let latest = schema_state(&Connection::open(&timing).expect("open")).0;
    assert!(latest > OLD);
    eprintln!("opening the old store (a backup, then the update) takes {whole:?}");

    let mut tally = Tally::default();
    for percent in [5u32, 20, 35, 50, 65, 80, 95] {
        let round = dir.path().join(format!("round-{percent}"));
        std::fs::create_dir_all(&round).expect("folder");
        let store = round.join("roster.sqlite3");
        std::fs::copy(&pristine, &store).expect("copy");
        if kill_after(&store, whole * percent / 100) {
            tally.killed += 1;
        }

        // The file as the killed process left it (a hot journal is rolled
        // back or a WAL replayed by this open, as by any open).
        let connection = Connection::open(&store).expect("opens");
        let integrity: String = connection
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .expect("integrity check");
        assert_eq!(integrity, "ok", "at {percent} %");
        let dangling: Option<String> = connection
            .query_row("PRAGMA foreign_key_check", [], |row| row.get(0))
            .optional()
            .expect("foreign key check");
        assert_eq!(dangling, None, "at {percent} %");
        let (version, parts) = schema_state(&connection);
        let expected = version == latest;
        assert!(
            version == OLD || version == latest,
            "at {percent} %: schema V{version}"
        );
        for (part, present) in &parts {
            assert_eq!(
                *present, expected,
                "a mix at {percent} %: V{version} but {part} present: {present}"
            );
        }
        let found = counts(&connection);
        // A process killed after its update may have written its own
        // event (acting through the recovery path), never more.
        let acted = i64::from(version == latest && found.events == EVENTS + 1);
        assert_eq!(
            found,
            Counts {
                events: EVENTS + acted,
                ..EXPECTED
            },
            "at {percent} %"
        );
        drop(connection);

        let (whole_backups, partials) = backup_files(&store);
        assert!(whole_backups.len() <= 1, "{whole_backups:?}");
        if version == OLD {
            tally.old += 1;
            if !whole_backups.is_empty() {
                tally.during_update += 1;
            }
        } else {
            tally.new += 1;
            // The update starts only once its backup is whole.
            assert_eq!(whole_backups.len(), 1, "at {percent} %: {partials:?}");
        }

        // Roster opens it, finishes what is left, and it is sound.
        run_on(&store, &["store", "check"]).ok();
        run_on(&store, &["audit", "verify"]).ok();
        let connection = Connection::open(&store).expect("opens");
        let (version, parts) = schema_state(&connection);
        assert_eq!(version, latest);
        assert!(parts.iter().all(|(_, present)| *present), "{parts:?}");
        let now = counts(&connection);
        assert_eq!(now.users, EXPECTED.users);
        // Each run acting through the recovery path adds its own event.
        assert!(now.events > EXPECTED.events, "{now:?}");
        drop(connection);

        // The backup of the old state is whole: it holds schema V5 and
        // every user, and checks out completely.
        let listed = run_on(&store, &["backup", "list", "--json"]).ok().json();
        let before: Vec<&serde_json::Value> = listed
            .as_array()
            .expect("a list")
            .iter()
            .filter(|backup| backup["manifest"]["reason"] == "before_migration")
            .collect();
        assert_eq!(before.len(), 1, "at {percent} %: {listed:#}");
        assert_eq!(before[0]["manifest"]["schema"], OLD);
        assert_eq!(before[0]["manifest"]["users"], EXPECTED.users);
        let name = before[0]["name"].as_str().expect("a name");
        run_on(&store, &["backup", "verify", name]).ok();
        // A partial file a kill left is gone after the next backup.
        run_on(&store, &["backup", "create"]).ok();
        let (_, partials) = backup_files(&store);
        assert!(partials.is_empty(), "at {percent} %: {partials:?}");
        std::fs::remove_dir_all(&round).expect("the round's folder removed");
    }
    eprintln!("opening the old store takes {whole:?}: {tally:?}");
    assert!(tally.killed > 0, "no update was killed while running");
    assert!(
        tally.during_update > 0,
        "no kill fell between the backup and the end of the update: {tally:?}"
    );
}
