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
use chrono::{DateTime, TimeZone, Utc};
use rusqlite::types::Value;
use rusqlite::{
    params, params_from_iter, Connection, ErrorCode, OpenFlags, OptionalExtension, Row,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::{
    copy::{self, Snapshot},
    ClientCursor, ClientListing, ClientMatch, ClientQuery, ClientRow, ClientRows, ClientSort,
    Cursor, Direction, EmailCode, SortField, SortKey, Store, StoreError, Total, TotpEnrolment, Tx,
    TxMode, UserPage, UserQuery, WholeValues, ADMINISTRATORS, COUNT_CAP,
};
use crate::domain::{
    ClientId, ClientName, Country, Description, Email, GroupId, GroupName, Permission,
    PermissionSet, Phone, Status, TwoFactor, UserId, UserName,
};
use crate::model::{
    AuditEvent, AuditQuery, ClientFields, FieldChange, Group, GroupRef, NewAuditEvent, TargetKind,
    User, UserFields, UserRef,
};
use crate::password::PasswordHash;
use crate::sealing::StoreSealing;
use crate::secrets::Secrets;

mod embedded {
    refinery::embed_migrations!("src/store/sqlite/migrations");
}

mod sealed;

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
        connection
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(cannot_configure)?;
        // Before anything writes to it (switching to WAL rewrites the header).
        ensure_roster_file(&connection, path)?;
        let writable = !connection
            .is_readonly(rusqlite::MAIN_DB)
            .map_err(cannot_configure)?;
        if writable {
            configure(&connection).map_err(cannot_configure)?;
            migrate(&mut connection, path)?;
            fold_missing_names(&mut connection).map_err(|error| StoreError::Open {
                reason: format!("its client names cannot be prepared for search ({error})."),
            })?;
        } else {
            connection
                .pragma_update(None, "foreign_keys", "ON")
                .map_err(cannot_configure)?;
            ensure_current_schema(&connection, path)?;
        }
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
            path: path.to_owned(),
            sealing: None,
            writable,
        })
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
    let migrated = ensure_roster_file(connection, path).and_then(|()| {
        embedded::migrations::runner()
            .run(&mut InTransaction(connection))
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

/// A file this process may only read cannot be migrated: it must already
/// have every migration this version of Roster knows.
fn ensure_current_schema(connection: &Connection, path: &Path) -> Result<(), StoreError> {
    let latest = embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|migration| i64::from(migration.version()))
        .max()
        .unwrap_or(0);
    let applied: Option<i64> = connection
        .query_row(
            "SELECT max(version) FROM refinery_schema_history",
            [],
            |row| row.get(0),
        )
        .optional()
        .map_err(|error| StoreError::Open {
            reason: format!("{} cannot be read ({error}).", path.display()),
        })?
        .flatten();
    if applied.unwrap_or(0) >= latest {
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

fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    // Deleted rows (a removed user's password hash, a client's data) are
    // overwritten with zeros, not left readable in free pages of the file.
    connection.pragma_update(None, "secure_delete", "ON")?;
    Ok(())
}

#[async_trait]
impl Store for SqliteStore {
    async fn begin(&self, mode: TxMode) -> Result<Box<dyn Tx>, StoreError> {
        let connection = self.connection.clone().lock_owned().await;
        let statement = match mode {
            TxMode::Read => "BEGIN DEFERRED",
            TxMode::Write => "BEGIN IMMEDIATE",
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

    async fn export(&self) -> Result<Snapshot, StoreError> {
        let connection = self.connection.clone().lock_owned().await;
        connection
            .execute_batch("BEGIN DEFERRED")
            .map_err(internal)?;
        let snapshot = export(&connection).map_err(internal).and_then(|snapshot| {
            sealed::unseal_snapshot(&connection, self.sealing.as_deref(), snapshot)
        });
        let _ = connection.execute_batch("ROLLBACK");
        snapshot
    }

    async fn import(&self, snapshot: &Snapshot) -> Result<(), StoreError> {
        let connection = self.connection.clone().lock_owned().await;
        connection
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(internal)?;
        let written = export(&connection).map_err(internal).and_then(|existing| {
            if existing.is_empty() {
                import(&connection, snapshot)?;
                sealed::seal_imported(&connection, self.sealing.as_deref(), snapshot)
            } else {
                Err(StoreError::NotEmpty {
                    target: self.describe(),
                })
            }
        });
        match written {
            Ok(()) => connection.execute_batch("COMMIT").map_err(internal),
            Err(error) => {
                let _ = connection.execute_batch("ROLLBACK");
                Err(error)
            }
        }
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

fn is_unique_violation(error: &rusqlite::Error, index: &str) -> bool {
    match error {
        rusqlite::Error::SqliteFailure(failure, Some(message)) => {
            failure.code == ErrorCode::ConstraintViolation
                && (message.contains(index) || message.contains("UNIQUE"))
        }
        _ => false,
    }
}

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn time(millis: i64) -> Result<DateTime<Utc>, StoreError> {
    Utc.timestamp_millis_opt(millis)
        .single()
        .ok_or_else(|| StoreError::Corrupt {
            detail: format!("time {millis}"),
        })
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt {
        detail: format!("{what} “{value}”"),
    }
}

const USER_COLUMNS: &str = "u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, \
     u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, \
     u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version";

/// A users row before its groups and supervisor are attached.
struct UserRow {
    id: i64,
    name: String,
    email: String,
    email_normalized: String,
    status: String,
    supervisor_id: Option<i64>,
    must_change_password: bool,
    mask_client_data: bool,
    two_factor: String,
    created_at: i64,
    updated_at: i64,
    last_sign_in_at: i64,
    failed_sign_ins: i64,
    locked_until: Option<i64>,
    version: i64,
}

impl UserRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            name: row.get(1)?,
            email: row.get(2)?,
            email_normalized: row.get(3)?,
            status: row.get(4)?,
            supervisor_id: row.get(5)?,
            must_change_password: row.get(6)?,
            mask_client_data: row.get(7)?,
            two_factor: row.get(8)?,
            created_at: row.get(9)?,
            updated_at: row.get(10)?,
            last_sign_in_at: row.get(11)?,
            failed_sign_ins: row.get(12)?,
            locked_until: row.get(13)?,
            version: row.get(14)?,
        })
    }

    fn into_user(
        self,
        groups: Vec<GroupRef>,
        supervisor: Option<UserRef>,
    ) -> Result<User, StoreError> {
        let status = match self.status.as_str() {
            "enabled" => Status::Enabled,
            "disabled" => Status::Disabled,
            other => return Err(corrupt("status", other)),
        };
        let two_factor = match self.two_factor.as_str() {
            "off" => TwoFactor::Off,
            "email_code" => TwoFactor::EmailCode,
            "totp" => TwoFactor::Totp,
            other => return Err(corrupt("two-factor method", other)),
        };
        Ok(User {
            id: UserId(self.id),
            name: UserName::from_stored(self.name),
            email: Email::from_stored(self.email, self.email_normalized),
            status,
            groups,
            supervisor,
            must_change_password: self.must_change_password,
            mask_client_data: self.mask_client_data,
            two_factor,
            created_at: time(self.created_at)?,
            updated_at: time(self.updated_at)?,
            last_sign_in_at: match self.last_sign_in_at {
                0 => None,
                at => Some(time(at)?),
            },
            failed_sign_ins: u32::try_from(self.failed_sign_ins).unwrap_or(u32::MAX),
            locked_until: self.locked_until.map(time).transpose()?,
            version: self.version,
        })
    }
}

impl SqliteTx {
    /// Attaches groups and supervisors to rows with two queries for the whole batch.
    fn complete_users(&self, rows: Vec<UserRow>) -> Result<Vec<User>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Value> = rows.iter().map(|r| Value::Integer(r.id)).collect();
        let placeholders = vec!["?"; ids.len()].join(",");
        let mut groups_of: std::collections::HashMap<i64, Vec<GroupRef>> = Default::default();
        {
            let sql = format!(
                "SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id \
                 WHERE m.user_id IN ({placeholders}) ORDER BY g.name_normalized"
            );
            super::statement_log::note(&sql);
            let mut statement = self.connection.prepare_cached(&sql).map_err(internal)?;
            let mut result = statement
                .query(params_from_iter(ids.iter()))
                .map_err(internal)?;
            while let Some(row) = result.next().map_err(internal)? {
                let user: i64 = row.get(0).map_err(internal)?;
                groups_of.entry(user).or_default().push(GroupRef {
                    id: GroupId(row.get(1).map_err(internal)?),
                    name: GroupName::from_stored(row.get(2).map_err(internal)?),
                });
            }
        }
        let supervisor_ids: Vec<Value> = rows
            .iter()
            .filter_map(|r| r.supervisor_id.map(Value::Integer))
            .collect();
        let mut supervisors: std::collections::HashMap<i64, UserRef> = Default::default();
        if !supervisor_ids.is_empty() {
            let sql = format!(
                "SELECT id, name, email, email_normalized FROM users WHERE id IN ({})",
                vec!["?"; supervisor_ids.len()].join(",")
            );
            super::statement_log::note(&sql);
            let mut statement = self.connection.prepare_cached(&sql).map_err(internal)?;
            let mut result = statement
                .query(params_from_iter(supervisor_ids.iter()))
                .map_err(internal)?;
            while let Some(row) = result.next().map_err(internal)? {
                let id: i64 = row.get(0).map_err(internal)?;
                supervisors.insert(
                    id,
                    UserRef {
                        id: UserId(id),
                        name: UserName::from_stored(row.get(1).map_err(internal)?),
                        email: Email::from_stored(
                            row.get(2).map_err(internal)?,
                            row.get(3).map_err(internal)?,
                        ),
                    },
                );
            }
        }
        rows.into_iter()
            .map(|row| {
                let groups = groups_of.remove(&row.id).unwrap_or_default();
                let supervisor = row
                    .supervisor_id
                    .and_then(|id| supervisors.get(&id).cloned());
                row.into_user(groups, supervisor)
            })
            .collect()
    }

    fn query_user_rows(&self, sql: &str, values: &[Value]) -> Result<Vec<UserRow>, StoreError> {
        super::statement_log::note(sql);
        let mut statement = self.connection.prepare_cached(sql).map_err(internal)?;
        let rows = statement
            .query_map(params_from_iter(values.iter()), UserRow::read)
            .map_err(internal)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(internal)
    }

    fn group_permissions(&self, id: i64, builtin: bool) -> Result<PermissionSet, StoreError> {
        if builtin {
            return Ok(PermissionSet::all());
        }
        let mut statement = self
            .connection
            .prepare_cached("SELECT permission FROM group_permissions WHERE group_id = ?1")
            .map_err(internal)?;
        let codes = statement
            .query_map([id], |row| row.get::<_, String>(0))
            .map_err(internal)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(internal)?;
        codes
            .iter()
            .map(|code| {
                code.parse::<Permission>()
                    .map_err(|_| corrupt("permission", code))
            })
            .collect()
    }

    fn write_group_permissions(
        &self,
        id: GroupId,
        permissions: &PermissionSet,
    ) -> Result<(), StoreError> {
        self.connection
            .execute("DELETE FROM group_permissions WHERE group_id = ?1", [id.0])
            .map_err(internal)?;
        let mut statement = self
            .connection
            .prepare_cached("INSERT INTO group_permissions (group_id, permission) VALUES (?1, ?2)")
            .map_err(internal)?;
        for permission in permissions.iter() {
            statement
                .execute(params![id.0, permission.code()])
                .map_err(internal)?;
        }
        Ok(())
    }

    fn read_groups(&self, filter: Option<i64>) -> Result<Vec<Group>, StoreError> {
        let sql = "SELECT g.id, g.name, g.description, g.builtin, g.created_at, g.updated_at, g.version, \
                   g.member_count FROM groups g WHERE (?1 IS NULL OR g.id = ?1) ORDER BY g.name_normalized";
        let mut statement = self.connection.prepare_cached(sql).map_err(internal)?;
        let rows = statement
            .query_map([filter], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, bool>(3)?,
                    row.get::<_, i64>(4)?,
                    row.get::<_, i64>(5)?,
                    row.get::<_, i64>(6)?,
                    row.get::<_, i64>(7)?,
                ))
            })
            .map_err(internal)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(internal)?;
        rows.into_iter()
            .map(
                |(id, name, description, builtin, created, updated, version, members)| {
                    Ok(Group {
                        id: GroupId(id),
                        name: GroupName::from_stored(name),
                        description: Description::from_stored(description),
                        builtin,
                        permissions: self.group_permissions(id, builtin)?,
                        member_count: u64::try_from(members).unwrap_or(0),
                        created_at: time(created)?,
                        updated_at: time(updated)?,
                        version,
                    })
                },
            )
            .collect()
    }

    /// The id a one-key look-up finds, if any.
    fn find_id(&self, sql: &str, key: &str) -> Result<Option<i64>, StoreError> {
        self.connection
            .query_row(sql, [key], |row| row.get(0))
            .optional()
            .map_err(internal)
    }

    fn count(&self, sql: &str, values: &[Value]) -> Result<u64, StoreError> {
        super::statement_log::note(sql);
        let n: i64 = self
            .connection
            .query_row(sql, params_from_iter(values.iter()), |row| row.get(0))
            .map_err(internal)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// Groups up to this size are listed by sorting their members; larger ones
/// by walking the sort index.
const SMALL_GROUP: u64 = 2_000;

/// Quotes `text` as one FTS5 phrase: with the trigram tokenizer a phrase
/// matches wherever it occurs as a substring.
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// The first string after every string that starts with `prefix`.
fn prefix_upper_bound(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

fn sort_column(sort: SortField) -> &'static str {
    match sort {
        SortField::Name => "u.name_key",
        SortField::Email => "u.email_normalized",
        SortField::Created => "u.created_at",
        SortField::LastSignIn => "u.last_sign_in_at",
    }
}

fn sort_key_of(row: &UserRow, sort: SortField) -> SortKey {
    match sort {
        SortField::Name => SortKey::Text(row.name.to_lowercase()),
        SortField::Email => SortKey::Text(row.email_normalized.clone()),
        SortField::Created => SortKey::Integer(row.created_at),
        SortField::LastSignIn => SortKey::Integer(row.last_sign_in_at),
    }
}

const CLIENT_COLUMNS: &str =
    "c.id, c.name, c.email, c.email_normalized, c.phone, c.country, c.created_at, c.updated_at, c.version";

/// The raw columns of a clients row, in [`CLIENT_COLUMNS`] order.
type RawClient = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    i64,
    i64,
);

fn read_raw_client(row: &Row<'_>) -> rusqlite::Result<RawClient> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
        row.get(8)?,
    ))
}

fn client_row(raw: RawClient) -> Result<ClientRow, StoreError> {
    let (id, name, email, email_normalized, phone, country, created_at, updated_at, version) = raw;
    let country = match country {
        Some(code) => Some(Country::parse(&code).map_err(|_| corrupt("country", &code))?),
        None => None,
    };
    Ok(ClientRow {
        id: ClientId(id),
        name: ClientName::from_stored(name),
        email: email.map(|email| {
            let normalized = email_normalized.unwrap_or_else(|| email.to_lowercase());
            Email::from_stored(email, normalized)
        }),
        phone: phone.map(Phone::from_stored),
        country,
        created_at: time(created_at)?,
        updated_at: time(updated_at)?,
        version,
    })
}

fn client_sort_column(sort: ClientSort) -> &'static str {
    match sort {
        ClientSort::Name => "c.name_key",
        ClientSort::Created => "c.created_at",
    }
}

/// The WHERE conditions of a clients listing, and their values.
fn client_conditions(matching: Option<&ClientMatch>) -> (Vec<String>, Vec<Value>) {
    let mut conditions: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    match matching {
        None => {}
        Some(ClientMatch::Whole(whole)) => {
            let (condition, whole_values) = whole_values_condition(whole);
            conditions.push(condition);
            values.extend(whole_values);
        }
        Some(ClientMatch::Substring { text, digits }) if text.chars().count() >= 3 => {
            conditions.push(
                "c.id IN (SELECT rowid FROM clients_search WHERE clients_search MATCH ?)".into(),
            );
            values.push(Value::Text(client_match(text, digits.as_deref())));
        }
        Some(ClientMatch::Substring { text, digits }) => {
            let mut alternatives = vec![
                "(c.name_key >= ? AND c.name_key < ?)",
                "(c.email_normalized >= ? AND c.email_normalized < ?)",
            ];
            let upper = prefix_upper_bound(text);
            values.extend([
                Value::Text(text.clone()),
                Value::Text(upper.clone()),
                Value::Text(text.clone()),
                Value::Text(upper),
            ]);
            if let Some(digits) = digits {
                alternatives.push("(c.phone >= ? AND c.phone < ?)");
                let prefix = format!("+{digits}");
                values.push(Value::Text(prefix.clone()));
                values.push(Value::Text(prefix_upper_bound(&prefix)));
            }
            conditions.push(format!("({})", alternatives.join(" OR ")));
        }
    }
    (conditions, values)
}

/// The condition of a whole-value search: equality on indexed columns only
/// (`1 = 0` when no value was given).
fn whole_values_condition(whole: &WholeValues) -> (String, Vec<Value>) {
    let mut alternatives = Vec::new();
    let mut values = Vec::new();
    if let Some(id) = whole.id {
        alternatives.push("c.id = ?");
        values.push(Value::Integer(id));
    }
    for (column, value) in [
        ("c.email_normalized = ?", &whole.email),
        ("c.phone = ?", &whole.phone),
        ("c.name_folded = ?", &whole.name),
    ] {
        if let Some(value) = value {
            alternatives.push(column);
            values.push(Value::Text(value.clone()));
        }
    }
    if alternatives.is_empty() {
        return ("1 = 0".into(), values);
    }
    (format!("({})", alternatives.join(" OR ")), values)
}

/// The FTS5 query for a client search of three or more characters: the
/// text anywhere, or (a phone-like search) its digits in the phone.
fn client_match(text: &str, digits: Option<&str>) -> String {
    match digits {
        Some(digits) if digits.len() >= 3 && digits != text => {
            format!("{} OR phone : {}", fts_phrase(text), fts_phrase(digits))
        }
        _ => fts_phrase(text),
    }
}

impl SqliteTx {
    fn query_clients(&self, sql: &str, values: &[Value]) -> Result<Vec<ClientRow>, StoreError> {
        super::statement_log::note(sql);
        let mut statement = self.connection.prepare_cached(sql).map_err(internal)?;
        let raw = statement
            .query_map(params_from_iter(values.iter()), read_raw_client)
            .map_err(internal)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(internal)?;
        raw.into_iter().map(client_row).collect()
    }
}

#[async_trait]
impl Tx for SqliteTx {
    async fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        self.connection.execute_batch("COMMIT").map_err(internal)?;
        self.open = false;
        Ok(())
    }

    async fn insert_user(
        &mut self,
        fields: &UserFields,
        password: &PasswordHash,
        now: DateTime<Utc>,
    ) -> Result<UserId, StoreError> {
        let result = self.connection.execute(
            "INSERT INTO users (name, name_key, email, email_normalized, status, supervisor_id, \
             password_hash, must_change_password, mask_client_data, two_factor, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
            params![
                fields.name.as_str(),
                fields.name.sort_key(),
                fields.email.as_str(),
                fields.email.normalized(),
                fields.status.as_str(),
                fields.supervisor.map(|s| s.0),
                password.as_str(),
                fields.must_change_password,
                fields.mask_client_data,
                fields.two_factor.as_str(),
                millis(now),
            ],
        );
        match result {
            Ok(_) => Ok(UserId(self.connection.last_insert_rowid())),
            Err(error) if is_unique_violation(&error, "email_normalized") => {
                Err(StoreError::DuplicateEmail {
                    email: fields.email.as_str().to_owned(),
                })
            }
            Err(error) => Err(internal(error)),
        }
    }

    async fn update_user(
        &mut self,
        id: UserId,
        expected_version: i64,
        fields: &UserFields,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let result = self.connection.execute(
            "UPDATE users SET name = ?1, name_key = ?2, email = ?3, email_normalized = ?4, status = ?5, \
             supervisor_id = ?6, must_change_password = ?7, mask_client_data = ?8, two_factor = ?9, \
             updated_at = ?10, version = version + 1 WHERE id = ?11 AND version = ?12",
            params![
                fields.name.as_str(),
                fields.name.sort_key(),
                fields.email.as_str(),
                fields.email.normalized(),
                fields.status.as_str(),
                fields.supervisor.map(|s| s.0),
                fields.must_change_password,
                fields.mask_client_data,
                fields.two_factor.as_str(),
                millis(now),
                id.0,
                expected_version,
            ],
        );
        match result {
            Ok(changed) => Ok(changed == 1),
            Err(error) if is_unique_violation(&error, "email_normalized") => {
                Err(StoreError::DuplicateEmail {
                    email: fields.email.as_str().to_owned(),
                })
            }
            Err(error) => Err(internal(error)),
        }
    }

    async fn delete_user(&mut self, id: UserId) -> Result<bool, StoreError> {
        let deleted = self
            .connection
            .execute("DELETE FROM users WHERE id = ?1", [id.0])
            .map_err(internal)?;
        Ok(deleted == 1)
    }

    async fn user(&mut self, id: UserId) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?1");
        let rows = self.query_user_rows(&sql, &[Value::Integer(id.0)])?;
        Ok(self.complete_users(rows)?.into_iter().next())
    }

    async fn user_id_by_email(&mut self, normalized: &str) -> Result<Option<UserId>, StoreError> {
        Ok(self
            .find_id(
                "SELECT id FROM users WHERE email_normalized = ?1",
                normalized,
            )?
            .map(UserId))
    }

    async fn set_memberships(&mut self, id: UserId, groups: &[GroupId]) -> Result<(), StoreError> {
        self.connection
            .execute("DELETE FROM memberships WHERE user_id = ?1", [id.0])
            .map_err(internal)?;
        let mut statement = self
            .connection
            .prepare_cached("INSERT OR IGNORE INTO memberships (user_id, group_id) VALUES (?1, ?2)")
            .map_err(internal)?;
        for group in groups {
            statement.execute([id.0, group.0]).map_err(internal)?;
        }
        Ok(())
    }

    async fn password_hash(&mut self, id: UserId) -> Result<Option<PasswordHash>, StoreError> {
        let stored: Option<String> = self
            .connection
            .query_row(
                "SELECT password_hash FROM users WHERE id = ?1",
                [id.0],
                |row| row.get(0),
            )
            .optional()
            .map_err(internal)?;
        stored
            .map(|phc| {
                PasswordHash::from_phc(phc).map_err(|_| StoreError::Corrupt {
                    detail: format!("password hash of user {id}"),
                })
            })
            .transpose()
    }

    async fn set_password(
        &mut self,
        id: UserId,
        password: &PasswordHash,
        must_change_password: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.connection
            .execute(
                "UPDATE users SET password_hash = ?1, must_change_password = ?2, failed_sign_ins = 0, \
                 locked_until = NULL, updated_at = ?3, version = version + 1 WHERE id = ?4",
                params![password.as_str(), must_change_password, millis(now), id.0],
            )
            .map_err(internal)?;
        Ok(())
    }

    async fn supervisor_of(&mut self, id: UserId) -> Result<Option<UserId>, StoreError> {
        self.connection
            .query_row(
                "SELECT supervisor_id FROM users WHERE id = ?1",
                [id.0],
                |row| row.get::<_, Option<i64>>(0),
            )
            .optional()
            .map(|found| found.flatten().map(UserId))
            .map_err(internal)
    }

    async fn subordinates(&mut self, id: UserId) -> Result<Vec<UserRef>, StoreError> {
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT id, name, email, email_normalized FROM users WHERE supervisor_id = ?1 ORDER BY name_key, id",
            )
            .map_err(internal)?;
        let rows = statement
            .query_map([id.0], |row| {
                Ok(UserRef {
                    id: UserId(row.get(0)?),
                    name: UserName::from_stored(row.get(1)?),
                    email: Email::from_stored(row.get(2)?, row.get(3)?),
                })
            })
            .map_err(internal)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(internal)
    }

    async fn release_subordinates(
        &mut self,
        id: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.connection
            .execute(
                "UPDATE users SET supervisor_id = NULL, updated_at = ?1, version = version + 1 \
                 WHERE supervisor_id = ?2",
                params![millis(now), id.0],
            )
            .map_err(internal)?;
        Ok(())
    }

    async fn record_sign_in(&mut self, id: UserId, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.connection
            .execute(
                "UPDATE users SET last_sign_in_at = ?1, failed_sign_ins = 0, locked_until = NULL WHERE id = ?2",
                params![millis(now), id.0],
            )
            .map_err(internal)?;
        Ok(())
    }

    async fn record_failed_sign_in(
        &mut self,
        id: UserId,
        locked_until: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        self.connection
            .execute(
                "UPDATE users SET failed_sign_ins = failed_sign_ins + 1, \
                 locked_until = coalesce(?1, locked_until) WHERE id = ?2",
                params![locked_until.map(millis), id.0],
            )
            .map_err(internal)?;
        Ok(())
    }

    async fn undo_failed_sign_in(
        &mut self,
        id: UserId,
        claimed_lock: Option<DateTime<Utc>>,
        previous_lock: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        self.connection
            .execute(
                "UPDATE users SET failed_sign_ins = max(failed_sign_ins - 1, 0), \
                 locked_until = CASE WHEN ?1 IS NOT NULL AND locked_until = ?1 THEN ?2 \
                 ELSE locked_until END WHERE id = ?3",
                params![claimed_lock.map(millis), previous_lock.map(millis), id.0],
            )
            .map_err(internal)?;
        Ok(())
    }

    async fn clear_lockout(&mut self, id: UserId, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.connection
            .execute(
                "UPDATE users SET failed_sign_ins = 0, locked_until = NULL, updated_at = ?1, \
                 version = version + 1 WHERE id = ?2",
                params![millis(now), id.0],
            )
            .map_err(internal)?;
        Ok(())
    }

    async fn replace_password_hash(
        &mut self,
        id: UserId,
        password: &PasswordHash,
    ) -> Result<(), StoreError> {
        self.connection
            .execute(
                "UPDATE users SET password_hash = ?1 WHERE id = ?2",
                params![password.as_str(), id.0],
            )
            .map_err(internal)?;
        Ok(())
    }

    async fn totp_enrolment(&mut self, id: UserId) -> Result<Option<TotpEnrolment>, StoreError> {
        let stored = self
            .connection
            .query_row(
                "SELECT secret, confirmed, last_step FROM totp_enrolments WHERE user_id = ?1",
                [id.0],
                |row| {
                    Ok(TotpEnrolment {
                        secret: row.get(0)?,
                        confirmed: row.get(1)?,
                        last_step: u64::try_from(row.get::<_, i64>(2)?).unwrap_or(0),
                    })
                },
            )
            .optional()
            .map_err(internal)?;
        stored
            .map(|enrolment| {
                Ok(TotpEnrolment {
                    secret: sealed::open(
                        &self.connection,
                        self.sealing.as_deref(),
                        id.0,
                        enrolment.secret,
                    )?,
                    ..enrolment
                })
            })
            .transpose()
    }

    async fn start_totp_enrolment(
        &mut self,
        id: UserId,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.connection
            .execute("DELETE FROM recovery_codes WHERE user_id = ?1", [id.0])
            .map_err(internal)?;
        self.connection
            .execute(
                "INSERT INTO totp_enrolments (user_id, secret, confirmed, last_step, created_at) \
                 VALUES (?1, ?2, 0, 0, ?3) ON CONFLICT (user_id) DO UPDATE SET \
                 secret = excluded.secret, confirmed = 0, last_step = 0, created_at = excluded.created_at",
                params![
                    id.0,
                    sealed::seal(&self.connection, self.sealing.as_deref(), id.0, secret)?,
                    millis(now)
                ],
            )
            .map_err(internal)?;
        Ok(())
    }

    async fn confirm_totp_enrolment(
        &mut self,
        id: UserId,
        step: u64,
        recovery_code_hashes: &[String],
    ) -> Result<(), StoreError> {
        self.connection
            .execute(
                "UPDATE totp_enrolments SET confirmed = 1, last_step = ?1 WHERE user_id = ?2",
                params![i64::try_from(step).unwrap_or(i64::MAX), id.0],
            )
            .map_err(internal)?;
        let mut statement = self
            .connection
            .prepare_cached("INSERT INTO recovery_codes (user_id, code_hash) VALUES (?1, ?2)")
            .map_err(internal)?;
        for hash in recovery_code_hashes {
            statement.execute(params![id.0, hash]).map_err(internal)?;
        }
        Ok(())
    }

    async fn record_totp_step(&mut self, id: UserId, step: u64) -> Result<(), StoreError> {
        self.connection
            .execute(
                "UPDATE totp_enrolments SET last_step = ?1 WHERE user_id = ?2",
                params![i64::try_from(step).unwrap_or(i64::MAX), id.0],
            )
            .map_err(internal)?;
        Ok(())
    }

    async fn unused_recovery_codes(&mut self, id: UserId) -> Result<Vec<String>, StoreError> {
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT code_hash FROM recovery_codes WHERE user_id = ?1 AND used_at IS NULL",
            )
            .map_err(internal)?;
        let hashes = statement
            .query_map([id.0], |row| row.get(0))
            .map_err(internal)?
            .collect::<rusqlite::Result<Vec<String>>>()
            .map_err(internal)?;
        Ok(hashes)
    }

    async fn use_recovery_code(
        &mut self,
        id: UserId,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let used = self
            .connection
            .execute(
                "UPDATE recovery_codes SET used_at = ?1 \
                 WHERE user_id = ?2 AND code_hash = ?3 AND used_at IS NULL",
                params![millis(now), id.0, code_hash],
            )
            .map_err(internal)?;
        Ok(used == 1)
    }

    async fn clear_two_factor(&mut self, id: UserId) -> Result<(), StoreError> {
        self.connection
            .execute("DELETE FROM recovery_codes WHERE user_id = ?1", [id.0])
            .map_err(internal)?;
        self.connection
            .execute("DELETE FROM totp_enrolments WHERE user_id = ?1", [id.0])
            .map_err(internal)?;
        self.delete_email_code(id).await
    }

    async fn store_email_code(&mut self, id: UserId, code: &EmailCode) -> Result<(), StoreError> {
        self.connection
            .execute(
                "INSERT INTO email_codes (user_id, code_hash, created_at, expires_at, attempts) \
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (user_id) DO UPDATE SET \
                 code_hash = excluded.code_hash, created_at = excluded.created_at, \
                 expires_at = excluded.expires_at, attempts = excluded.attempts",
                params![
                    id.0,
                    code.code_hash,
                    millis(code.created_at),
                    millis(code.expires_at),
                    code.attempts
                ],
            )
            .map_err(internal)?;
        Ok(())
    }

    async fn email_code(&mut self, id: UserId) -> Result<Option<EmailCode>, StoreError> {
        let row = self
            .connection
            .query_row(
                "SELECT code_hash, created_at, expires_at, attempts FROM email_codes \
                 WHERE user_id = ?1",
                [id.0],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, i64>(2)?,
                        row.get::<_, u32>(3)?,
                    ))
                },
            )
            .optional()
            .map_err(internal)?;
        row.map(|(code_hash, created_at, expires_at, attempts)| {
            Ok(EmailCode {
                code_hash,
                created_at: time(created_at)?,
                expires_at: time(expires_at)?,
                attempts,
            })
        })
        .transpose()
    }

    async fn record_email_code_attempt(&mut self, id: UserId) -> Result<(), StoreError> {
        self.connection
            .execute(
                "UPDATE email_codes SET attempts = attempts + 1 WHERE user_id = ?1",
                [id.0],
            )
            .map_err(internal)?;
        Ok(())
    }

    async fn delete_email_code(&mut self, id: UserId) -> Result<(), StoreError> {
        self.connection
            .execute("DELETE FROM email_codes WHERE user_id = ?1", [id.0])
            .map_err(internal)?;
        Ok(())
    }

    async fn count_users(&mut self) -> Result<u64, StoreError> {
        self.count("SELECT coalesce(sum(users), 0) FROM user_counts", &[])
    }

    async fn count_enabled_members(&mut self, group: GroupId) -> Result<u64, StoreError> {
        self.count(
            "SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.group_id = ?1 AND u.status = 'enabled'",
            &[Value::Integer(group.0)],
        )
    }

    async fn user_permissions(&mut self, id: UserId) -> Result<PermissionSet, StoreError> {
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT g.id, g.builtin FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ?1",
            )
            .map_err(internal)?;
        let groups = statement
            .query_map([id.0], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, bool>(1)?))
            })
            .map_err(internal)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(internal)?;
        drop(statement);
        let mut permissions = PermissionSet::default();
        for (group, builtin) in groups {
            permissions.extend(&self.group_permissions(group, builtin)?);
        }
        Ok(permissions)
    }

    async fn list_users(&mut self, query: &UserQuery) -> Result<UserPage, StoreError> {
        let mut conditions: Vec<String> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        let mut join = String::new();
        if let Some(text) = query.search_text() {
            if text.chars().count() >= 3 {
                conditions.push(
                    "u.id IN (SELECT rowid FROM users_search WHERE users_search MATCH ?)".into(),
                );
                values.push(Value::Text(fts_phrase(&text)));
            } else {
                conditions.push(
                    "((u.name_key >= ? AND u.name_key < ?) OR (u.email_normalized >= ? AND u.email_normalized < ?))"
                        .into(),
                );
                let upper = prefix_upper_bound(&text);
                values.extend([
                    Value::Text(text.clone()),
                    Value::Text(upper.clone()),
                    Value::Text(text),
                    Value::Text(upper),
                ]);
            }
        }
        if let Some(status) = query.status {
            conditions.push("u.status = ?".into());
            values.push(Value::Text(status.as_str().into()));
        }
        // A small group is read from its memberships and sorted; a large one
        // is read in sort order, probing each user's membership, so a page
        // never sorts a large set.
        let mut group_members = None;
        if let Some(group) = query.group {
            let members = self.count(
                "SELECT coalesce((SELECT member_count FROM groups WHERE id = ?1), 0)",
                &[Value::Integer(group.0)],
            )?;
            group_members = Some(members);
            if members <= SMALL_GROUP {
                join = " JOIN memberships gm ON gm.user_id = u.id AND gm.group_id = ?".into();
                values.insert(0, Value::Integer(group.0));
            } else {
                conditions.push(
                    "EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = ?)"
                        .into(),
                );
                values.push(Value::Integer(group.0));
            }
        }
        if let Some(supervisor) = query.supervisor {
            conditions.push("u.supervisor_id = ?".into());
            values.push(Value::Integer(supervisor.0));
        }
        let where_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let total = match (
            query.search_text(),
            query.status,
            group_members,
            query.supervisor,
        ) {
            (None, None, None, None) => {
                Total::exact(self.count("SELECT coalesce(sum(users), 0) FROM user_counts", &[])?)
            }
            (None, Some(status), None, None) => Total::exact(self.count(
                "SELECT users FROM user_counts WHERE status = ?1",
                &[Value::Text(status.as_str().into())],
            )?),
            (None, None, Some(members), None) => Total::exact(members),
            // A search alone is counted on the trigram index itself, without
            // looking each match up in `users`.
            (Some(text), None, None, None) if text.chars().count() >= 3 => {
                Total::capped(self.count(
                    &format!(
                        "SELECT count(*) FROM (SELECT rowid FROM users_search \
                         WHERE users_search MATCH ?1 LIMIT {})",
                        COUNT_CAP + 1
                    ),
                    &[Value::Text(fts_phrase(&text))],
                )?)
            }
            _ => Total::capped(self.count(
                &format!(
                    "SELECT count(*) FROM (SELECT 1 FROM users u{join}{where_sql} LIMIT {})",
                    COUNT_CAP + 1
                ),
                &values,
            )?),
        };

        let column = sort_column(query.sort);
        let (comparison, order) = match query.direction {
            Direction::Asc => (">", "ASC"),
            Direction::Desc => ("<", "DESC"),
        };
        let mut page_conditions = conditions.clone();
        let mut page_values = values.clone();
        if let Some(cursor) = &query.after {
            page_conditions.push(format!("({column}, u.id) {comparison} (?, ?)"));
            page_values.push(match &cursor.key {
                SortKey::Text(text) => Value::Text(text.clone()),
                SortKey::Integer(n) => Value::Integer(*n),
            });
            page_values.push(Value::Integer(cursor.id));
        }
        let where_sql = if page_conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", page_conditions.join(" AND "))
        };
        let limit = query.limit.clamp(1, UserQuery::MAX_LIMIT);
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u{join}{where_sql} ORDER BY {column} {order}, u.id {order} LIMIT {}",
            limit + 1
        );
        let mut rows = self.query_user_rows(&sql, &page_values)?;
        let next = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last().map(|last| Cursor {
                sort: query.sort,
                direction: query.direction,
                key: sort_key_of(last, query.sort),
                id: last.id,
            })
        } else {
            None
        };
        Ok(UserPage {
            users: self.complete_users(rows)?,
            total,
            next,
        })
    }

    async fn insert_client(
        &mut self,
        fields: &ClientFields,
        now: DateTime<Utc>,
    ) -> Result<ClientId, StoreError> {
        self.connection
            .execute(
                "INSERT INTO clients (name, name_key, email, email_normalized, phone, country, \
                 created_at, updated_at, name_folded) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
                params![
                    fields.name.as_str(),
                    fields.name.sort_key(),
                    fields.email.as_ref().map(Email::as_str),
                    fields.email.as_ref().map(Email::normalized),
                    fields.phone.as_ref().map(Phone::as_str),
                    fields.country.as_ref().map(Country::as_str),
                    millis(now),
                    fields.name.folded(),
                ],
            )
            .map_err(internal)?;
        Ok(ClientId(self.connection.last_insert_rowid()))
    }

    async fn insert_clients(
        &mut self,
        batch: &[ClientFields],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut statement = self
            .connection
            .prepare_cached(
                "INSERT INTO clients (name, name_key, email, email_normalized, phone, country, \
                 created_at, updated_at, name_folded) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
            )
            .map_err(internal)?;
        for fields in batch {
            statement
                .execute(params![
                    fields.name.as_str(),
                    fields.name.sort_key(),
                    fields.email.as_ref().map(Email::as_str),
                    fields.email.as_ref().map(Email::normalized),
                    fields.phone.as_ref().map(Phone::as_str),
                    fields.country.as_ref().map(Country::as_str),
                    millis(now),
                    fields.name.folded(),
                ])
                .map_err(internal)?;
        }
        Ok(())
    }

    async fn update_client(
        &mut self,
        id: ClientId,
        expected_version: i64,
        fields: &ClientFields,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let changed = self
            .connection
            .execute(
                "UPDATE clients SET name = ?1, name_key = ?2, email = ?3, email_normalized = ?4, \
                 phone = ?5, country = ?6, updated_at = ?7, version = version + 1, name_folded = ?10 \
                 WHERE id = ?8 AND version = ?9",
                params![
                    fields.name.as_str(),
                    fields.name.sort_key(),
                    fields.email.as_ref().map(Email::as_str),
                    fields.email.as_ref().map(Email::normalized),
                    fields.phone.as_ref().map(Phone::as_str),
                    fields.country.as_ref().map(Country::as_str),
                    millis(now),
                    id.0,
                    expected_version,
                    fields.name.folded(),
                ],
            )
            .map_err(internal)?;
        Ok(changed == 1)
    }

    async fn delete_client(
        &mut self,
        id: ClientId,
        expected_version: i64,
    ) -> Result<bool, StoreError> {
        let deleted = self
            .connection
            .execute(
                "DELETE FROM clients WHERE id = ?1 AND version = ?2",
                params![id.0, expected_version],
            )
            .map_err(internal)?;
        Ok(deleted == 1)
    }

    async fn client(&mut self, id: ClientId) -> Result<Option<ClientRow>, StoreError> {
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM clients c WHERE c.id = ?1");
        Ok(self
            .query_clients(&sql, &[Value::Integer(id.0)])?
            .into_iter()
            .next())
    }

    async fn list_clients(
        &mut self,
        query: &ClientListing,
        after: Option<&ClientCursor>,
    ) -> Result<ClientRows, StoreError> {
        let (mut conditions, mut values) = client_conditions(query.matching.as_ref());
        let search = query.matching.as_ref();
        let where_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let total = if search.is_none() {
            Total::exact(self.count("SELECT clients FROM client_counts WHERE id = 1", &[])?)
        } else {
            Total::capped(self.count(
                &format!(
                    "SELECT count(*) FROM (SELECT 1 FROM clients c{where_sql} LIMIT {})",
                    COUNT_CAP + 1
                ),
                &values,
            )?)
        };
        let column = client_sort_column(query.sort);
        let (comparison, order) = match query.direction {
            Direction::Asc => (">", "ASC"),
            Direction::Desc => ("<", "DESC"),
        };
        if let Some(cursor) = after {
            conditions.push(format!("({column}, c.id) {comparison} (?, ?)"));
            values.push(match &cursor.key {
                SortKey::Text(text) => Value::Text(text.clone()),
                SortKey::Integer(n) => Value::Integer(*n),
            });
            values.push(Value::Integer(cursor.id));
        }
        let where_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let limit = query.limit.clamp(1, ClientQuery::MAX_LIMIT);
        let sql = format!(
            "SELECT {CLIENT_COLUMNS} FROM clients c{where_sql} \
             ORDER BY {column} {order}, c.id {order} LIMIT {}",
            limit + 1
        );
        let mut rows = self.query_clients(&sql, &values)?;
        let next = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last().map(|last| ClientCursor {
                sort: query.sort,
                direction: query.direction,
                key: last.sort_key(query.sort),
                id: last.id.0,
            })
        } else {
            None
        };
        Ok(ClientRows { rows, total, next })
    }

    async fn count_clients(&mut self) -> Result<u64, StoreError> {
        self.count("SELECT clients FROM client_counts WHERE id = 1", &[])
    }

    async fn each_client(
        &mut self,
        listing: &ClientListing,
        each: &mut (dyn FnMut(ClientRow) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError> {
        let (conditions, values) = client_conditions(listing.matching.as_ref());
        let where_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let column = client_sort_column(listing.sort);
        let order = match listing.direction {
            Direction::Asc => "ASC",
            Direction::Desc => "DESC",
        };
        let sql = format!(
            "SELECT {CLIENT_COLUMNS} FROM clients c{where_sql} ORDER BY {column} {order}, c.id {order}"
        );
        let mut statement = self.connection.prepare(&sql).map_err(internal)?;
        let mut rows = statement
            .query(params_from_iter(values.iter()))
            .map_err(internal)?;
        while let Some(row) = rows.next().map_err(internal)? {
            each(client_row(read_raw_client(row).map_err(internal)?)?)?;
        }
        Ok(())
    }

    async fn lock_administrators(&mut self) -> Result<(), StoreError> {
        Ok(())
    }

    async fn insert_group(
        &mut self,
        name: &GroupName,
        description: &Description,
        permissions: &PermissionSet,
        now: DateTime<Utc>,
    ) -> Result<GroupId, StoreError> {
        let result = self.connection.execute(
            "INSERT INTO groups (name, name_normalized, description, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?4)",
            params![
                name.as_str(),
                name.normalized(),
                description.as_str(),
                millis(now)
            ],
        );
        let id = match result {
            Ok(_) => GroupId(self.connection.last_insert_rowid()),
            Err(error) if is_unique_violation(&error, "name_normalized") => {
                return Err(StoreError::DuplicateGroupName {
                    name: name.as_str().to_owned(),
                })
            }
            Err(error) => return Err(internal(error)),
        };
        self.write_group_permissions(id, permissions)?;
        Ok(id)
    }

    async fn update_group(
        &mut self,
        id: GroupId,
        expected_version: i64,
        name: &GroupName,
        description: &Description,
        permissions: &PermissionSet,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let result = self.connection.execute(
            "UPDATE groups SET name = ?1, name_normalized = ?2, description = ?3, updated_at = ?4, \
             version = version + 1 WHERE id = ?5 AND version = ?6",
            params![
                name.as_str(),
                name.normalized(),
                description.as_str(),
                millis(now),
                id.0,
                expected_version
            ],
        );
        match result {
            Ok(1) => {
                let builtin: bool = self
                    .connection
                    .query_row("SELECT builtin FROM groups WHERE id = ?1", [id.0], |row| {
                        row.get(0)
                    })
                    .map_err(internal)?;
                if !builtin {
                    self.write_group_permissions(id, permissions)?;
                }
                Ok(true)
            }
            Ok(_) => Ok(false),
            Err(error) if is_unique_violation(&error, "name_normalized") => {
                Err(StoreError::DuplicateGroupName {
                    name: name.as_str().to_owned(),
                })
            }
            Err(error) => Err(internal(error)),
        }
    }

    async fn delete_group(&mut self, id: GroupId) -> Result<bool, StoreError> {
        if id == ADMINISTRATORS {
            return Ok(false);
        }
        let deleted = self
            .connection
            .execute("DELETE FROM groups WHERE id = ?1 AND builtin = 0", [id.0])
            .map_err(internal)?;
        Ok(deleted == 1)
    }

    async fn group(&mut self, id: GroupId) -> Result<Option<Group>, StoreError> {
        Ok(self.read_groups(Some(id.0))?.into_iter().next())
    }

    async fn group_id_by_name(&mut self, normalized: &str) -> Result<Option<GroupId>, StoreError> {
        Ok(self
            .find_id(
                "SELECT id FROM groups WHERE name_normalized = ?1",
                normalized,
            )?
            .map(GroupId))
    }

    async fn groups(&mut self) -> Result<Vec<Group>, StoreError> {
        self.read_groups(None)
    }

    async fn append_audit(&mut self, event: &NewAuditEvent) -> Result<(), StoreError> {
        let changes =
            serde_json::to_string(&event.changes).map_err(|error| StoreError::Internal {
                detail: error.to_string(),
            })?;
        self.connection
            .execute(
                "INSERT INTO audit_events (at, operator_id, operator_label, action, target_kind, target_id, \
                 target_label, target_label_normalized, changes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    millis(event.at),
                    event.operator.map(|o| o.0),
                    event.operator_label,
                    event.action,
                    event.target_kind.as_str(),
                    event.target_id,
                    event.target_label,
                    event.target_label.to_lowercase(),
                    changes,
                ],
            )
            .map_err(internal)?;
        Ok(())
    }

    async fn audit_events(&mut self, query: &AuditQuery) -> Result<Vec<AuditEvent>, StoreError> {
        let mut conditions: Vec<&str> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        if let Some(label) = &query.target_label {
            conditions.push("target_label_normalized = ?");
            values.push(Value::Text(label.trim().to_lowercase()));
        }
        if let Some(kind) = query.target_kind {
            conditions.push("target_kind = ?");
            values.push(Value::Text(kind.as_str().into()));
        }
        if let Some(kind) = query.except_kind {
            conditions.push("target_kind <> ?");
            values.push(Value::Text(kind.as_str().into()));
        }
        if let Some(target) = query.target_id {
            conditions.push("target_id = ?");
            values.push(Value::Integer(target));
        }
        if let Some(operator) = query.operator {
            conditions.push("operator_id = ?");
            values.push(Value::Integer(operator.0));
        }
        if let Some(action) = &query.action {
            conditions.push("action = ?");
            values.push(Value::Text(action.clone()));
        }
        if let Some(before) = query.before_id {
            conditions.push("id < ?");
            values.push(Value::Integer(before));
        }
        let where_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let sql = format!(
            "SELECT id, at, operator_id, operator_label, action, target_kind, target_id, target_label, changes \
             FROM audit_events{where_sql} ORDER BY id DESC LIMIT {}",
            query.limit.clamp(1, 10_000)
        );
        super::statement_log::note(&sql);
        let mut statement = self.connection.prepare_cached(&sql).map_err(internal)?;
        let rows = statement
            .query_map(params_from_iter(values.iter()), |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, Option<i64>>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?,
                    row.get::<_, Option<i64>>(6)?,
                    row.get::<_, String>(7)?,
                    row.get::<_, String>(8)?,
                ))
            })
            .map_err(internal)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(internal)?;
        rows.into_iter()
            .map(
                |(
                    id,
                    at,
                    operator,
                    operator_label,
                    action,
                    kind,
                    target_id,
                    target_label,
                    changes,
                )| {
                    Ok(AuditEvent {
                        id,
                        at: time(at)?,
                        operator: operator.map(UserId),
                        operator_label,
                        action,
                        target_kind: TargetKind::parse_stored(&kind)
                            .ok_or_else(|| corrupt("audit target", &kind))?,
                        target_id,
                        target_label,
                        changes: serde_json::from_str::<Vec<FieldChange>>(&changes)
                            .map_err(|_| corrupt("audit changes of event", &id.to_string()))?,
                    })
                },
            )
            .collect()
    }

    async fn setting(&mut self, key: &str) -> Result<Option<String>, StoreError> {
        self.connection
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()
            .map_err(internal)
    }

    async fn set_setting(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.connection
            .execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map_err(internal)?;
        Ok(())
    }
}

/// Reads every row a copy moves (inside the caller's transaction).
fn export(connection: &Connection) -> rusqlite::Result<Snapshot> {
    let mut snapshot = Snapshot::default();
    let mut permissions: std::collections::HashMap<i64, Vec<String>> =
        std::collections::HashMap::new();
    {
        let mut statement = connection.prepare(
            "SELECT group_id, permission FROM group_permissions ORDER BY group_id, permission",
        )?;
        let rows = statement.query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get(1)?)))?;
        for row in rows {
            let (group, permission) = row?;
            permissions.entry(group).or_default().push(permission);
        }
    }
    let mut statement = connection.prepare(
        "SELECT id, name, description, builtin, created_at, updated_at, version FROM groups ORDER BY id",
    )?;
    snapshot.groups = statement
        .query_map([], |row| {
            Ok(copy::GroupRow {
                id: row.get(0)?,
                name: row.get(1)?,
                description: row.get(2)?,
                builtin: row.get(3)?,
                created_at: row.get(4)?,
                updated_at: row.get(5)?,
                version: row.get(6)?,
                permissions: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for group in &mut snapshot.groups {
        group.permissions = permissions.remove(&group.id).unwrap_or_default();
    }
    let mut statement = connection.prepare(
        "SELECT id, name, email, status, supervisor_id, password_hash, must_change_password, \
         mask_client_data, two_factor, created_at, updated_at, last_sign_in_at, failed_sign_ins, \
         locked_until, version FROM users ORDER BY id",
    )?;
    snapshot.users = statement
        .query_map([], |row| {
            Ok(copy::UserRow {
                id: row.get(0)?,
                name: row.get(1)?,
                email: row.get(2)?,
                status: row.get(3)?,
                supervisor_id: row.get(4)?,
                password_hash: row.get(5)?,
                must_change_password: row.get(6)?,
                mask_client_data: row.get(7)?,
                two_factor: row.get(8)?,
                created_at: row.get(9)?,
                updated_at: row.get(10)?,
                last_sign_in_at: row.get(11)?,
                failed_sign_ins: row.get(12)?,
                locked_until: row.get(13)?,
                version: row.get(14)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut statement = connection
        .prepare("SELECT user_id, group_id FROM memberships ORDER BY user_id, group_id")?;
    snapshot.memberships = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut statement = connection.prepare("SELECT key, value FROM settings ORDER BY key")?;
    snapshot.settings = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut statement = connection.prepare(
        "SELECT id, at, operator_id, operator_label, action, target_kind, target_id, target_label, \
         changes FROM audit_events ORDER BY id",
    )?;
    snapshot.audit = statement
        .query_map([], |row| {
            Ok(copy::AuditRow {
                id: row.get(0)?,
                at: row.get(1)?,
                operator_id: row.get(2)?,
                operator_label: row.get(3)?,
                action: row.get(4)?,
                target_kind: row.get(5)?,
                target_id: row.get(6)?,
                target_label: row.get(7)?,
                changes: row.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut statement = connection.prepare(
        "SELECT user_id, secret, confirmed, last_step, created_at FROM totp_enrolments ORDER BY user_id",
    )?;
    snapshot.totp = statement
        .query_map([], |row| {
            Ok(copy::TotpRow {
                user_id: row.get(0)?,
                secret: row.get(1)?,
                confirmed: row.get(2)?,
                last_step: row.get(3)?,
                created_at: row.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let last_id = |table: &str| -> rusqlite::Result<i64> {
        Ok(connection
            .query_row(
                "SELECT seq FROM sqlite_sequence WHERE name = ?1",
                [table],
                |row| row.get::<_, i64>(0),
            )
            .optional()?
            .unwrap_or(0))
    };
    snapshot.last_user_id = last_id("users")?;
    snapshot.last_group_id = last_id("groups")?;
    snapshot.last_client_id = last_id("clients")?;
    let mut statement = connection.prepare(
        "SELECT id, name, email, phone, country, created_at, updated_at, version \
         FROM clients ORDER BY id",
    )?;
    snapshot.clients = statement
        .query_map([], |row| {
            Ok(copy::ClientRow {
                id: row.get(0)?,
                name: row.get(1)?,
                email: row.get(2)?,
                phone: row.get(3)?,
                country: row.get(4)?,
                created_at: row.get(5)?,
                updated_at: row.get(6)?,
                version: row.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut statement = connection.prepare(
        "SELECT user_id, code_hash, used_at FROM recovery_codes ORDER BY user_id, code_hash",
    )?;
    snapshot.recovery_codes = statement
        .query_map([], |row| {
            Ok(copy::RecoveryCodeRow {
                user_id: row.get(0)?,
                code_hash: row.get(1)?,
                used_at: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(snapshot)
}

/// Writes a snapshot into an empty store (inside the caller's transaction).
fn import(connection: &Connection, snapshot: &Snapshot) -> Result<(), StoreError> {
    for group in &snapshot.groups {
        if group.builtin {
            connection
                .execute(
                    "UPDATE groups SET description = ?1, created_at = ?2, updated_at = ?3, \
                     version = ?4 WHERE id = ?5",
                    params![
                        group.description,
                        group.created_at,
                        group.updated_at,
                        group.version,
                        group.id
                    ],
                )
                .map_err(internal)?;
            connection
                .execute(
                    "DELETE FROM group_permissions WHERE group_id = ?1",
                    [group.id],
                )
                .map_err(internal)?;
        } else {
            connection
                .execute(
                    "INSERT INTO groups (id, name, name_normalized, description, builtin, \
                     created_at, updated_at, version) VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6, ?7)",
                    params![
                        group.id,
                        group.name,
                        GroupName::parse(&group.name)
                            .map_err(|_| StoreError::Corrupt {
                                detail: format!("group {} has an invalid name", group.id),
                            })?
                            .normalized(),
                        group.description,
                        group.created_at,
                        group.updated_at,
                        group.version
                    ],
                )
                .map_err(internal)?;
        }
        for permission in &group.permissions {
            connection
                .execute(
                    "INSERT INTO group_permissions (group_id, permission) VALUES (?1, ?2)",
                    params![group.id, permission],
                )
                .map_err(internal)?;
        }
    }
    // Supervisors point at users that may come later: insert without them,
    // then set them.
    for user in &snapshot.users {
        let (name_key, email_normalized) = copy::user_keys(user)?;
        connection
            .execute(
                "INSERT INTO users (id, name, name_key, email, email_normalized, status, \
                 password_hash, must_change_password, mask_client_data, two_factor, created_at, \
                 updated_at, last_sign_in_at, failed_sign_ins, locked_until, version) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                params![
                    user.id,
                    user.name,
                    name_key,
                    user.email,
                    email_normalized,
                    user.status,
                    user.password_hash,
                    user.must_change_password,
                    user.mask_client_data,
                    user.two_factor,
                    user.created_at,
                    user.updated_at,
                    user.last_sign_in_at,
                    user.failed_sign_ins,
                    user.locked_until,
                    user.version
                ],
            )
            .map_err(internal)?;
    }
    for user in snapshot.users.iter().filter(|u| u.supervisor_id.is_some()) {
        connection
            .execute(
                "UPDATE users SET supervisor_id = ?1 WHERE id = ?2",
                params![user.supervisor_id, user.id],
            )
            .map_err(internal)?;
    }
    for (user, group) in &snapshot.memberships {
        connection
            .execute(
                "INSERT INTO memberships (user_id, group_id) VALUES (?1, ?2)",
                params![user, group],
            )
            .map_err(internal)?;
    }
    for (key, value) in &snapshot.settings {
        connection
            .execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map_err(internal)?;
    }
    for event in &snapshot.audit {
        connection
            .execute(
                "INSERT INTO audit_events (id, at, operator_id, operator_label, action, \
                 target_kind, target_id, target_label, target_label_normalized, changes) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    event.id,
                    event.at,
                    event.operator_id,
                    event.operator_label,
                    event.action,
                    event.target_kind,
                    event.target_id,
                    event.target_label,
                    event.target_label.to_lowercase(),
                    event.changes
                ],
            )
            .map_err(internal)?;
    }
    for totp in &snapshot.totp {
        connection
            .execute(
                "INSERT INTO totp_enrolments (user_id, secret, confirmed, last_step, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    totp.user_id,
                    totp.secret,
                    totp.confirmed,
                    totp.last_step,
                    totp.created_at
                ],
            )
            .map_err(internal)?;
    }
    for client in &snapshot.clients {
        let keys = copy::client_keys(client)?;
        connection
            .execute(
                "INSERT INTO clients (id, name, name_key, email, email_normalized, phone, country, \
                 created_at, updated_at, version, name_folded) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    client.id,
                    client.name,
                    keys.name_key,
                    client.email,
                    keys.email_normalized,
                    client.phone,
                    client.country,
                    client.created_at,
                    client.updated_at,
                    client.version,
                    keys.name_folded
                ],
            )
            .map_err(internal)?;
    }
    for (table, last) in [
        ("users", snapshot.last_user_id),
        ("groups", snapshot.last_group_id),
        ("clients", snapshot.last_client_id),
    ] {
        connection
            .execute(
                "UPDATE sqlite_sequence SET seq = max(seq, ?2) WHERE name = ?1",
                params![table, last],
            )
            .map_err(internal)?;
        connection
            .execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT ?1, ?2 \
                 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?1)",
                params![table, last],
            )
            .map_err(internal)?;
    }
    for code in &snapshot.recovery_codes {
        connection
            .execute(
                "INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES (?1, ?2, ?3)",
                params![code.user_id, code.code_hash, code.used_at],
            )
            .map_err(internal)?;
    }
    Ok(())
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
