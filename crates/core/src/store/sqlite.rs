//! The local store: one SQLite file (rusqlite, bundled SQLite), WAL journal,
//! foreign keys on, schema versioned by refinery migrations.
//!
//! One connection serves the app: SQLite allows one writer at a time anyway,
//! and a desktop has one operator. Calls are short and run on the caller's
//! task. Write transactions use `BEGIN IMMEDIATE`, so a service's checks and
//! its change see no interleaved writer.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{
    params, params_from_iter, Connection, ErrorCode, OpenFlags, OptionalExtension, Row,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::opened_by;
use super::sql::{self, Cell, ColumnType, Dialect, RowRef, Sql, SqlError, SqlRow};
use super::{AuditTx, Store, StoreError, Tx, TxMode};
use crate::sealing::StoreSealing;
use crate::secrets::Secrets;

mod embedded {
    refinery::embed_migrations!("src/store/sqlite/migrations");
}

pub mod backup;
mod sealed;
mod search_keys;
pub(crate) mod word_start;

pub struct SqliteStore {
    connection: Arc<Mutex<Connection>>,
    path: PathBuf,
    /// Seals authenticator secrets at rest; `None` keeps them as they are
    /// (tests, and a computer without a keychain).
    sealing: Option<Arc<StoreSealing>>,
    /// Opened for writing (SQLite falls back to reading only when the OS
    /// refuses to let this process write the file).
    writable: bool,
}

impl SqliteStore {
    /// Opens the store at `path`, creating the file and its folder when
    /// absent (the desktop's first run, `roster init`), and brings the
    /// schema up to date. A file that is not a Roster store is refused and
    /// left as it is.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        check_path(path)?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|error| StoreError::Open {
                reason: format!(
                    "the folder {} cannot be created ({error}).",
                    parent.display()
                ),
            })?;
        }
        Self::open_with(path, OpenFlags::SQLITE_OPEN_CREATE)
    }

    /// Opens the store at `path` only when the file exists: creates no file
    /// and no folder (commands that read, or change an existing directory).
    pub fn open_existing(path: &Path) -> Result<Self, StoreError> {
        check_path(path)?;
        if !path.is_file() {
            return Err(StoreError::Open {
                reason: format!("{} does not exist.", path.display()),
            });
        }
        Self::open_with(path, OpenFlags::empty())
    }

    fn open_with(path: &Path, create: OpenFlags) -> Result<Self, StoreError> {
        // No URI interpretation: a path is a path.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | create;
        let mut connection =
            Connection::open_with_flags(path, flags).map_err(|error| StoreError::Open {
                reason: format!("{} cannot be opened ({error}).", path.display()),
            })?;
        let cannot_configure = |error: rusqlite::Error| StoreError::Open {
            reason: format!("{} cannot be configured ({error}).", path.display()),
        };
        // A search of one or two characters tests each row with it.
        word_start::register(&connection).map_err(cannot_configure)?;
        connection
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(cannot_configure)?;
        // Before anything writes to it (switching to WAL rewrites the header).
        ensure_roster_file(&connection, path)?;
        let writable = !connection
            .is_readonly(rusqlite::MAIN_DB)
            .map_err(cannot_configure)?;
        if writable {
            configure_when_free(&connection).map_err(cannot_configure)?;
            migrate(&mut connection, path)?;
            fold_missing_names(&mut connection)
                .and_then(|()| search_keys::key_pending_names(&mut connection))
                .map_err(|error| StoreError::Open {
                    reason: format!("its names cannot be prepared for search ({error})."),
                })?;
        } else {
            connection
                .pragma_update(None, "foreign_keys", "ON")
                .map_err(cannot_configure)?;
            ensure_current_schema(&connection, path)?;
        }
        let store = Self {
            connection: Arc::new(Mutex::new(connection)),
            path: path.to_owned(),
            sealing: None,
            writable,
        };
        if writable {
            store.chain_existing_audit()?;
        }
        Ok(store)
    }

    /// Chains the audit events written before the chain existed (schema
    /// V6), once, in one write transaction. SQLite's calls never wait, so
    /// the shared (async) statements run to completion here at once.
    fn chain_existing_audit(&self) -> Result<(), StoreError> {
        use futures_util::FutureExt;
        let failed = |detail: String| StoreError::Open {
            reason: format!("its audit log cannot be chained ({detail})."),
        };
        let connection = self
            .connection
            .clone()
            .try_lock_owned()
            .map_err(|error| failed(error.to_string()))?;
        let chained: bool = connection
            .query_row("SELECT chained FROM audit_chain WHERE id = 1", [], |row| {
                row.get(0)
            })
            .map_err(|error| failed(error.to_string()))?;
        if chained {
            return Ok(());
        }
        connection
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(internal)?;
        let mut tx = Box::new(SqliteTx {
            connection,
            open: true,
            sealing: None,
        });
        let pending = || failed("a statement did not finish".into());
        tx.chain_existing_events()
            .now_or_never()
            .ok_or_else(pending)??;
        tx.commit().now_or_never().ok_or_else(pending)?
    }

    /// Seals authenticator secrets written from now on with a key kept in
    /// `secrets` (the OS keychain), and opens those sealed before.
    pub fn with_sealing(mut self, secrets: Arc<dyn Secrets>) -> Self {
        self.sealing = Some(Arc::new(StoreSealing::new(secrets)));
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// An empty path would make SQLite open a private temporary database.
fn check_path(path: &Path) -> Result<(), StoreError> {
    if path.as_os_str().is_empty() {
        return Err(StoreError::Open {
            reason: "no file was named (the path is empty).".into(),
        });
    }
    Ok(())
}

/// Refuses a file that is not a Roster store: not SQLite at all, or a
/// SQLite database holding other tables. An empty database is a new store.
fn ensure_roster_file(connection: &Connection, path: &Path) -> Result<(), StoreError> {
    let not_roster = || StoreError::Open {
        reason: format!(
            "{} is not a Roster store; it was left unchanged.",
            path.display()
        ),
    };
    let tables = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .and_then(|mut statement| {
            statement
                .query_map([], |row| row.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<String>>>()
        });
    let tables = match tables {
        Ok(tables) => tables,
        Err(error) => {
            return Err(match error.sqlite_error_code() {
                Some(ErrorCode::NotADatabase) => not_roster(),
                Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
                _ => StoreError::Open {
                    reason: format!("{} cannot be read ({error}).", path.display()),
                },
            })
        }
    };
    let has = |name: &str| tables.iter().any(|table| table == name);
    if tables.is_empty() || (has("refinery_schema_history") && has("users")) {
        Ok(())
    } else {
        Err(not_roster())
    }
}

/// Brings the schema up to date inside one `BEGIN IMMEDIATE` transaction:
/// two processes opening a new file at once do not both apply the same
/// migration (the second waits, then finds nothing left to do), and a
/// migration that fails leaves the file as it was.
fn migrate(connection: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let failed = |error: &dyn std::fmt::Display| StoreError::Open {
        reason: format!(
            "the schema of {} cannot be brought up to date ({error}).",
            path.display()
        ),
    };
    connection
        .execute_batch("BEGIN IMMEDIATE")
        .map_err(|error| match error.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
            _ => failed(&error),
        })?;
    let migrated = ensure_roster_file(connection, path)
        .and_then(|()| ensure_known_schema(connection, path))
        .and_then(|()| {
            embedded::migrations::runner()
                .run(&mut InTransaction(connection))
                .map(drop)
                .map_err(|error| failed(&error))
        })
        .and_then(|()| {
            connection
                .execute(opened_by::RECORD, [opened_by::ROSTER_VERSION])
                .map(drop)
                .map_err(|error| failed(&error))
        });
    match migrated {
        Ok(()) => connection
            .execute_batch("COMMIT")
            .map_err(|error| failed(&error)),
        Err(error) => {
            let _ = connection.execute_batch("ROLLBACK");
            Err(error)
        }
    }
}

/// The newest schema version this Roster knows.
fn latest_migration() -> i64 {
    embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|migration| i64::from(migration.version()))
        .max()
        .unwrap_or(0)
}

/// The highest schema version applied to the file (`None` for a new file).
fn applied_migration(connection: &Connection, path: &Path) -> Result<Option<i64>, StoreError> {
    let has_history = connection
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'refinery_schema_history'",
            [],
            |row| row.get::<_, i64>(0),
        )
        .map_err(|error| cannot_read(path, &error))?;
    if has_history == 0 {
        return Ok(None);
    }
    connection
        .query_row(opened_by::APPLIED, [], |row| row.get(0))
        .optional()
        .map(Option::flatten)
        .map_err(|error| cannot_read(path, &error))
}

fn cannot_read(path: &Path, error: &dyn std::fmt::Display) -> StoreError {
    StoreError::Open {
        reason: format!("{} cannot be read ({error}).", path.display()),
    }
}

/// Refuses a file migrated by a newer Roster, before anything touches it.
fn ensure_known_schema(connection: &Connection, path: &Path) -> Result<(), StoreError> {
    let applied = applied_migration(connection, path)?;
    let opened_by = match applied {
        Some(applied) if applied > latest_migration() => connection
            .query_row(opened_by::READ, [], |row| row.get::<_, String>(0))
            .ok(),
        _ => None,
    };
    opened_by::ensure_known_schema(applied, latest_migration(), opened_by)
}

/// A file this process may only read cannot be migrated: it must already
/// have every migration this version of Roster knows, and no later one.
fn ensure_current_schema(connection: &Connection, path: &Path) -> Result<(), StoreError> {
    ensure_known_schema(connection, path)?;
    let applied = applied_migration(connection, path)?;
    if applied.unwrap_or(0) >= latest_migration() {
        Ok(())
    } else {
        Err(StoreError::Open {
            reason: format!(
                "{} can only be read, and its schema is older than this version of Roster; open it once where it can be written.",
                path.display()
            ),
        })
    }
}

/// refinery's runner over a connection whose transaction is already open:
/// statements run as they come, and the caller commits or rolls back.
struct InTransaction<'c>(&'c Connection);

impl refinery_core::traits::sync::Transaction for InTransaction<'_> {
    type Error = rusqlite::Error;

    fn execute<'a, T: Iterator<Item = &'a str>>(
        &mut self,
        queries: T,
    ) -> Result<usize, Self::Error> {
        let mut count = 0;
        for query in queries {
            self.0.execute_batch(query)?;
            count += 1;
        }
        Ok(count)
    }
}

impl refinery_core::traits::sync::Query<Vec<refinery::Migration>> for InTransaction<'_> {
    fn query(&mut self, query: &str) -> Result<Vec<refinery::Migration>, Self::Error> {
        let mut statement = self.0.prepare(query)?;
        let mut rows = statement.query([])?;
        let mut applied = Vec::new();
        while let Some(row) = rows.next()? {
            let applied_on: String = row.get(2)?;
            let applied_on = time::OffsetDateTime::parse(
                &applied_on,
                &time::format_description::well_known::Rfc3339,
            )
            .map_err(|error| corrupt_history(2, error))?;
            let checksum: String = row.get(3)?;
            let checksum = checksum
                .parse::<u64>()
                .map_err(|error| corrupt_history(3, error))?;
            applied.push(refinery::Migration::applied(
                row.get(0)?,
                row.get(1)?,
                applied_on,
                checksum,
            ));
        }
        Ok(applied)
    }
}

impl refinery::Migrate for InTransaction<'_> {}

fn corrupt_history(
    column: usize,
    error: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(error))
}

/// Writes `name_folded` for clients stored before it existed (schema V5).
fn fold_missing_names(connection: &mut Connection) -> rusqlite::Result<()> {
    let transaction = connection.transaction()?;
    {
        let missing: Vec<(i64, String)> = transaction
            .prepare("SELECT id, name FROM clients WHERE name_folded IS NULL")?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut update =
            transaction.prepare("UPDATE clients SET name_folded = ?1 WHERE id = ?2")?;
        for (id, name) in missing {
            update.execute(params![crate::domain::fold_name(&name), id])?;
        }
    }
    transaction.commit()
}

/// [`configure`], tried again while another connection holds the file:
/// switching a new file to WAL can answer "database is locked" at once,
/// without waiting out the busy timeout, while another process or thread
/// opens (and migrates) the same new file.
fn configure_when_free(connection: &Connection) -> rusqlite::Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match configure(connection) {
            Err(rusqlite::Error::SqliteFailure(error, _))
                if error.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            done => return done,
        }
    }
}

/// How much of the store SQLite reads through a memory map.
const MMAP_BYTES: i64 = 2 << 30;

fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    // Deleted rows (a removed user's password hash, a client's data) are
    // overwritten with zeros, not left readable in free pages of the file.
    connection.pragma_update(None, "secure_delete", "ON")?;
    // Pages read through a memory map, not a system call and a copy each
    // (SQLite caps it at about 2 GiB): at a million users a search's
    // thousands of look-ups ran 1.5-2 times as fast. (WAL already keeps the
    // store off network file systems, where a map is unsafe.)
    connection.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    Ok(())
}

#[async_trait]
impl Store for SqliteStore {
    async fn begin(&self, mode: TxMode) -> Result<Box<dyn Tx>, StoreError> {
        let connection = self.connection.clone().lock_owned().await;
        let statement = match mode {
            TxMode::Read => "BEGIN DEFERRED",
            TxMode::Write | TxMode::Stage => "BEGIN IMMEDIATE",
        };
        connection.execute_batch(statement).map_err(internal)?;
        Ok(Box::new(SqliteTx {
            connection,
            open: true,
            sealing: self.sealing.clone(),
        }))
    }

    fn describe(&self) -> String {
        format!("SQLite file {}", self.path.display())
    }

    fn is_writable_local_file(&self) -> bool {
        self.writable
    }

    fn as_local_file(&self) -> Option<&SqliteStore> {
        Some(self)
    }
}

struct SqliteTx {
    connection: OwnedMutexGuard<Connection>,
    open: bool,
    sealing: Option<Arc<StoreSealing>>,
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        if self.open {
            // Nothing to report to: the caller has already returned its error.
            let _ = self.connection.execute_batch("ROLLBACK");
        }
    }
}

/// Maps a rusqlite error to a store error people can read. Busy and locked
/// databases say so; anything else keeps its detail out of the message.
fn internal(error: rusqlite::Error) -> StoreError {
    match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
        _ => StoreError::Internal {
            detail: error.to_string(),
        },
    }
}

/// The unique index a failed statement ran into, if that is why it failed.
fn unique_violation(error: &rusqlite::Error) -> Option<String> {
    match error {
        rusqlite::Error::SqliteFailure(failure, Some(message))
            if failure.code == ErrorCode::ConstraintViolation && message.contains("UNIQUE") =>
        {
            Some(message.clone())
        }
        _ => None,
    }
}

fn sql_error(error: rusqlite::Error) -> SqlError {
    match unique_violation(&error) {
        Some(index) => SqlError::Unique(index),
        None => SqlError::Store(internal(error)),
    }
}

impl rusqlite::ToSql for sql::Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            sql::Value::Null => ToSqlOutput::Owned(rusqlite::types::Value::Null),
            sql::Value::Int(n) => ToSqlOutput::Owned(rusqlite::types::Value::Integer(*n)),
            sql::Value::Bool(b) => {
                ToSqlOutput::Owned(rusqlite::types::Value::Integer(i64::from(*b)))
            }
            sql::Value::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
            sql::Value::Ints(_) | sql::Value::Texts(_) => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    "a list parameter on SQLite (use Params::any_of)".into(),
                ))
            }
        })
    }
}

thread_local! {
    /// Statements as SQLite receives them (`?n`), by their text as written
    /// (`$n`): most are sent again and again, so each is rewritten once.
    static SQLITE_TEXT: std::cell::RefCell<std::collections::HashMap<Box<str>, std::rc::Rc<str>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Statements with more distinct texts than this (long `IN` lists) are
/// rewritten each time rather than kept.
const SQLITE_TEXT_CAP: usize = 4_096;

/// `statement` with SQLite's placeholders, rewritten once per thread.
fn sqlite_text(statement: &str) -> std::rc::Rc<str> {
    SQLITE_TEXT.with(|cache| {
        if let Some(text) = cache.borrow().get(statement) {
            return text.clone();
        }
        let text: std::rc::Rc<str> = sql::sqlite_placeholders(statement).into();
        let mut cache = cache.borrow_mut();
        if cache.len() >= SQLITE_TEXT_CAP {
            cache.clear();
        }
        cache.insert(statement.into(), text.clone());
        text
    })
}

impl RowRef for Row<'_> {
    fn opt_int(&self, index: usize) -> Result<Option<i64>, StoreError> {
        match self.get_ref(index).map_err(internal)? {
            ValueRef::Null => Ok(None),
            ValueRef::Integer(n) => Ok(Some(n)),
            _ => Err(sql::corrupt(
                "column",
                &format!("{index} (an integer expected)"),
            )),
        }
    }

    fn opt_text(&self, index: usize) -> Result<Option<String>, StoreError> {
        match self.get_ref(index).map_err(internal)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(bytes) => std::str::from_utf8(bytes)
                .map(|text| Some(text.to_owned()))
                .map_err(|_| sql::corrupt("column", &format!("{index} (not UTF-8)"))),
            _ => Err(sql::corrupt("column", &format!("{index} (text expected)"))),
        }
    }

    fn bool(&self, index: usize) -> Result<bool, StoreError> {
        Ok(self.int(index)? != 0)
    }
}

fn read_row(row: &Row<'_>) -> rusqlite::Result<SqlRow> {
    let columns = row.as_ref().column_count();
    let mut cells = Vec::with_capacity(columns);
    for index in 0..columns {
        cells.push(match row.get_ref(index)? {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(n) => Cell::Int(n),
            ValueRef::Text(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => Cell::Text(text.to_owned()),
                Err(_) => Cell::Other("text that is not UTF-8".into()),
            },
            ValueRef::Real(x) => Cell::Other(format!("real {x}")),
            ValueRef::Blob(_) => Cell::Other("blob".into()),
        });
    }
    Ok(SqlRow(cells))
}

impl SqliteTx {
    /// `statement` prepared once per connection (as SQLite reads it, `?n`),
    /// and noted for the golden tests.
    fn prepared(&self, statement: &str) -> Result<rusqlite::CachedStatement<'_>, SqlError> {
        let statement = sqlite_text(statement);
        super::statement_log::note(&statement);
        self.connection
            .prepare_cached(&statement)
            .map_err(sql_error)
    }
}

#[async_trait]
impl Sql for SqliteTx {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    async fn execute(&mut self, statement: &str, params: &[sql::Value]) -> Result<u64, SqlError> {
        let mut prepared = self.prepared(statement)?;
        let changed = prepared
            .execute(params_from_iter(params.iter()))
            .map_err(sql_error)?;
        Ok(u64::try_from(changed).unwrap_or(u64::MAX))
    }

    async fn query(
        &mut self,
        statement: &str,
        params: &[sql::Value],
    ) -> Result<Vec<SqlRow>, SqlError> {
        let mut prepared = self.prepared(statement)?;
        let rows = prepared
            .query_map(params_from_iter(params.iter()), read_row)
            .map_err(sql_error)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql_error)
    }

    async fn query_each(
        &mut self,
        statement: &str,
        params: &[sql::Value],
        each: &mut (dyn for<'r> FnMut(&'r (dyn RowRef + 'r)) -> Result<(), StoreError> + Send),
    ) -> Result<(), SqlError> {
        let mut prepared = self.prepared(statement)?;
        let mut rows = prepared
            .query(params_from_iter(params.iter()))
            .map_err(sql_error)?;
        while let Some(row) = rows.next().map_err(sql_error)? {
            each(row)?;
        }
        Ok(())
    }

    async fn for_each(
        &mut self,
        statement: &str,
        params: &[sql::Value],
        each: &mut (dyn FnMut(SqlRow) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError> {
        let statement = sql::sqlite_placeholders(statement);
        super::statement_log::note(&statement);
        let mut prepared = self.connection.prepare(&statement).map_err(internal)?;
        let mut rows = prepared
            .query(params_from_iter(params.iter()))
            .map_err(internal)?;
        while let Some(row) = rows.next().map_err(internal)? {
            each(read_row(row).map_err(internal)?)?;
        }
        Ok(())
    }

    async fn insert_rows(
        &mut self,
        table: &str,
        columns: &[(&str, ColumnType)],
        rows: Vec<Vec<sql::Value>>,
    ) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
        let placeholders: Vec<String> = (1..=columns.len()).map(|n| format!("?{n}")).collect();
        let statement = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            placeholders.join(", ")
        );
        super::statement_log::note(&statement);
        let mut prepared = self
            .connection
            .prepare_cached(&statement)
            .map_err(internal)?;
        for row in rows {
            prepared
                .execute(params_from_iter(row.iter()))
                .map_err(internal)?;
        }
        Ok(())
    }

    fn seal_secret(&mut self, user: i64, secret: &str) -> Result<String, StoreError> {
        sealed::seal(&self.connection, self.sealing.as_deref(), user, secret)
    }

    fn open_secret(&mut self, user: i64, stored: String) -> Result<String, StoreError> {
        sealed::open(&self.connection, self.sealing.as_deref(), user, stored)
    }
}

#[async_trait]
impl Tx for SqliteTx {
    async fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        self.connection.execute_batch("COMMIT").map_err(internal)?;
        self.open = false;
        Ok(())
    }

    async fn lock_writer(&mut self) -> Result<(), StoreError> {
        Ok(())
    }

    async fn lock_administrators(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_opening_the_same_new_file_at_once_all_get_the_same_store() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("new").join("roster.sqlite3");
        let opened: Vec<Result<SqliteStore, StoreError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| SqliteStore::open(&path)))
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().expect("the thread finished"))
                .collect()
        });
        for store in &opened {
            assert!(store.is_ok(), "{:?}", store.as_ref().err());
        }
        let connection = Connection::open(&path).expect("open");
        let applied: i64 = connection
            .query_row("SELECT count(*) FROM refinery_schema_history", [], |row| {
                row.get(0)
            })
            .expect("history");
        assert_eq!(
            applied as usize,
            embedded::migrations::runner().get_migrations().len()
        );
    }

    #[test]
    fn open_existing_creates_nothing_and_an_empty_path_is_refused() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let missing = dir.path().join("not-there").join("roster.sqlite3");
        assert!(SqliteStore::open_existing(&missing).is_err());
        assert!(!dir.path().join("not-there").exists());
        assert!(SqliteStore::open(Path::new("")).is_err());
        assert!(SqliteStore::open_existing(Path::new("")).is_err());
    }

    #[test]
    fn a_file_of_another_application_is_refused_and_left_as_it_was() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("other.db");
        Connection::open(&path)
            .and_then(|c| c.execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY);"))
            .expect("another application's file");
        let before = std::fs::read(&path).expect("read");
        let error = SqliteStore::open(&path).err().expect("refused");
        assert!(
            error.to_string().contains("is not a Roster store"),
            "{error}"
        );
        assert_eq!(std::fs::read(&path).expect("read"), before);
        let store = SqliteStore::open(&dir.path().join("roster.sqlite3")).expect("a new store");
        assert!(store.is_writable_local_file());
    }
}
