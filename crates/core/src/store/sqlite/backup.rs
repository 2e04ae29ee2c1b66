//! What backups need from a local file: a consistent copy of the store made
//! while it is in use (`VACUUM INTO` in one read transaction, never a copy
//! of the live file), a summary of a copy read without opening it as a
//! store (schema version, counts, newest audit event, after SQLite's
//! integrity check), and the replacement of the store's content by a copy.
//!
//! The replacement goes through SQLite's online backup API into the store's
//! own connection, in one write transaction: a kill at any moment leaves the
//! old content (the transaction's frames in the WAL are not committed) or
//! the new one, never a mix, and the `-wal` file of the live store can never
//! be replayed onto a file renamed in its place.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::{configure, ensure_roster_file, fold_missing_names, latest_migration, migrate};
use super::{opened_by, SqliteStore};
use crate::store::StoreError;

/// What a copy of a store holds, read without opening it as a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    /// The highest schema version applied to it.
    pub schema: i64,
    /// The Roster version that last opened it, when it recorded one.
    pub opened_by: Option<String>,
    pub users: i64,
    pub groups: i64,
    pub last_event: Option<LastEvent>,
}

/// The newest audit event of a copy: where it stands in the chain, when,
/// and what was done (never whom to: a summary may be kept unencrypted).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LastEvent {
    pub seq: Option<i64>,
    pub at: DateTime<Utc>,
    pub action: String,
}

/// The newest schema version this Roster knows.
pub fn known_schema() -> i64 {
    latest_migration()
}

fn failed(what: &str, error: &dyn std::fmt::Display) -> StoreError {
    StoreError::Internal {
        detail: format!("{what}: {error}"),
    }
}

/// Writes a consistent copy of the file at `store` into `destination`
/// (which must not exist), without opening it as a store: no migration, no
/// write. Used before a migration, when the store is not open yet.
pub fn copy_file(store: &Path, destination: &Path) -> Result<(), StoreError> {
    let connection = Connection::open_with_flags(
        store,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|error| StoreError::Open {
        reason: format!("{} cannot be opened ({error}).", store.display()),
    })?;
    connection
        .busy_timeout(std::time::Duration::from_secs(5))
        .map_err(|error| failed("busy timeout", &error))?;
    ensure_roster_file(&connection, store)?;
    vacuum_into(&connection, destination)
}

/// True when the existing store at `path` has a schema older than this
/// Roster's, so opening it will migrate it (read without writing).
pub fn needs_migration(path: &Path) -> Result<bool, StoreError> {
    if !path.is_file() {
        return Ok(false);
    }
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|error| StoreError::Open {
        reason: format!("{} cannot be opened ({error}).", path.display()),
    })?;
    ensure_roster_file(&connection, path)?;
    Ok(super::applied_migration(&connection, path)?
        .is_some_and(|applied| applied < latest_migration()))
}

fn vacuum_into(connection: &Connection, destination: &Path) -> Result<(), StoreError> {
    let target = destination.to_str().ok_or_else(|| StoreError::Open {
        reason: format!(
            "the backup's path {} is not valid text.",
            destination.display()
        ),
    })?;
    connection
        .execute("VACUUM INTO ?1", [target])
        .map(drop)
        .map_err(super::internal)
}

impl SqliteStore {
    /// Writes a consistent copy of the store into `destination` (which must
    /// not exist) while it stays open and in use: one read transaction on a
    /// connection of its own, so the copy is the state of one moment (its
    /// last commit), while the store's connection goes on answering (the
    /// store is in WAL mode: a reader and a writer do not wait for each
    /// other). On the store's connection, the day's automatic backup of a
    /// million users (3 GB) held every question until it was done: the
    /// app's first screen of the day waited for it.
    pub async fn copy_into(&self, destination: &Path) -> Result<(), StoreError> {
        let (store, destination) = (self.path.clone(), destination.to_owned());
        tokio::task::spawn_blocking(move || copy_file(&store, &destination))
            .await
            .map_err(|error| failed("copy", &error))?
    }

    /// Replaces the store's whole content by the copy at `source` (checked
    /// with [`summarize`] first), in one transaction, then brings its schema
    /// up to date. The caller keeps a backup of the state it replaces.
    pub async fn replace_with(&self, source: &Path) -> Result<(), StoreError> {
        summarize(source)?;
        let from = Connection::open_with_flags(
            source,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|error| failed("open the copy", &error))?;
        {
            let mut connection = self.connection.lock().await;
            {
                let backup = rusqlite::backup::Backup::new(&from, &mut connection)
                    .map_err(super::internal)?;
                // All pages in one step: one write transaction on the store.
                match backup.step(-1).map_err(super::internal)? {
                    rusqlite::backup::StepResult::Done => {}
                    rusqlite::backup::StepResult::Busy | rusqlite::backup::StepResult::Locked => {
                        return Err(StoreError::Busy)
                    }
                    _ => return Err(failed("replace", &"the copy did not finish in one step")),
                }
            }
            configure(&connection).map_err(|error| failed("configure", &error))?;
            migrate(&mut connection, &self.path)?;
            fold_missing_names(&mut connection)
                .and_then(|()| super::search_keys::key_pending_names(&mut connection))
                .map_err(|error| failed("fold names", &error))?;
        }
        self.chain_existing_audit()
    }
}

/// Checks the SQLite file at `path` (a copy being made or restored): a
/// Roster store, SQLite's integrity and foreign-key checks clean, a schema
/// this Roster knows; and reads what it holds.
pub fn summarize(path: &Path) -> Result<FileSummary, StoreError> {
    let damaged = |detail: String| StoreError::Open {
        reason: format!("the copy is damaged ({detail})."),
    };
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|error| damaged(error.to_string()))?;
    ensure_roster_file(&connection, path)?;
    let tables: i64 = connection
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |row| row.get(0),
        )
        .map_err(|error| damaged(error.to_string()))?;
    if tables == 0 {
        return Err(StoreError::Open {
            reason: format!("{} is not a Roster store.", path.display()),
        });
    }
    let integrity: String = connection
        .query_row("PRAGMA integrity_check(1)", [], |row| row.get(0))
        .map_err(|error| damaged(error.to_string()))?;
    if integrity != "ok" {
        return Err(damaged(integrity));
    }
    let dangling: Option<String> = connection
        .query_row("PRAGMA foreign_key_check", [], |row| row.get(0))
        .optional()
        .map_err(|error| damaged(error.to_string()))?;
    if let Some(table) = dangling {
        return Err(damaged(format!("a row of {table} points to nothing")));
    }
    let schema: i64 = connection
        .query_row(opened_by::APPLIED, [], |row| row.get::<_, Option<i64>>(0))
        .map_err(|error| damaged(error.to_string()))?
        .unwrap_or(0);
    let opened_by_version: Option<String> = connection
        .query_row(opened_by::READ, [], |row| row.get(0))
        .optional()
        .ok()
        .flatten();
    opened_by::ensure_known_schema(Some(schema), known_schema(), opened_by_version.clone())?;
    let count = |statement: &str| -> Result<i64, StoreError> {
        connection
            .query_row(statement, [], |row| row.get(0))
            .map_err(|error| damaged(error.to_string()))
    };
    let users = count("SELECT count(*) FROM users")?;
    let groups = count("SELECT count(*) FROM groups")?;
    let has_seq = connection
        .prepare("SELECT seq FROM audit_events LIMIT 0")
        .is_ok();
    let newest = if has_seq {
        "SELECT seq, at, action FROM audit_events ORDER BY seq DESC, id DESC LIMIT 1"
    } else {
        "SELECT NULL, at, action FROM audit_events ORDER BY id DESC LIMIT 1"
    };
    let last_event = connection
        .query_row(newest, [], |row| {
            Ok((
                row.get::<_, Option<i64>>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, String>(2)?,
            ))
        })
        .optional()
        .map_err(|error| damaged(error.to_string()))?
        .map(|(seq, at, action)| {
            crate::store::sql::time(at).map(|at| LastEvent { seq, at, action })
        })
        .transpose()?;
    Ok(FileSummary {
        schema,
        opened_by: opened_by_version,
        users,
        groups,
        last_event,
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::domain::{Description, GroupName, PermissionSet};
    use crate::store::{Store, TxMode};

    #[tokio::test]
    async fn a_copy_is_made_while_the_store_is_writing_and_holds_its_last_commit() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let store = SqliteStore::open(&folder.path().join("roster.sqlite3")).expect("store");
        let mut writing = store.begin(TxMode::Write).await.expect("write");
        writing
            .insert_group(
                &GroupName::parse("Uncommitted").expect("name"),
                &Description::default(),
                &PermissionSet::default(),
                Utc::now(),
            )
            .await
            .expect("an uncommitted change");
        let copy = folder.path().join("copy.sqlite3");
        // On the store's own connection the copy waited for the writer.
        tokio::time::timeout(Duration::from_secs(20), store.copy_into(&copy))
            .await
            .expect("the copy does not wait for the store's writer")
            .expect("copied");
        drop(writing);
        let copied = Connection::open(&copy).expect("the copy opens");
        let uncommitted: i64 = copied
            .query_row(
                "SELECT count(*) FROM groups WHERE name = 'Uncommitted'",
                [],
                |row| row.get(0),
            )
            .expect("counted");
        assert_eq!(uncommitted, 0, "the copy holds the last commit only");
    }
}
