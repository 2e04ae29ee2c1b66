//! The server store: a PostgreSQL database (tokio-postgres, a deadpool pool
//! of up to eight connections, TLS through rustls), its schema versioned by
//! refinery migrations in `postgres/migrations/` that mirror SQLite's.
//!
//! Several Roster instances may share one directory, so this store keeps the
//! promise [`TxMode`] makes, which SQLite keeps with its single writer:
//! - **Writes are serialised per directory.** A write transaction runs at
//!   READ COMMITTED and first takes a transaction-level advisory lock that
//!   belongs to this directory (a key derived from its schema). Writers
//!   therefore run one at a time, and as every statement at READ COMMITTED
//!   sees all that committed before it, a service's checks (email free,
//!   supervisor chain without a cycle, last enabled administrator, group
//!   empty) still hold when it commits. There are no serialization failures
//!   and so no retries; a writer that waits longer than `lock_timeout`
//!   (15 s) gets [`StoreError::Busy`].
//! - **The database backs the checks up by itself:** unique indexes on the
//!   normalised email and group name ([`StoreError::DuplicateEmail`],
//!   [`StoreError::DuplicateGroupName`] from SQLSTATE 23505 on the named
//!   index), `WHERE version = $n` on every optimistic update, foreign keys
//!   and CHECK constraints. [`Tx::lock_administrators`] also locks the
//!   Administrators group's row, so that rule does not depend on the writer
//!   lock alone.
//! - **Reads** are REPEATABLE READ READ ONLY: one consistent snapshot, never
//!   blocked by a writer.
//!
//! **Connection loss.** Any connection-level failure (no connection to be
//! had, I/O error, server shut down) is [`StoreError::Unreachable`]. The pool
//! checks each connection with an empty query before handing it out and
//! replaces broken ones, so Roster recovers by itself when the server is
//! back.
//!
//! **Copying a directory** ([`super::copy`]): `export` reads everything in one
//! read snapshot; `import` writes into an empty directory in one write
//! transaction (so under the writer lock), thousands of rows per statement,
//! and moves the identities past the highest ids the source handed out.
//!
//! **Nothing half-written commits.** A transaction dropped without `commit`
//! sends ROLLBACK from a spawned task; its connection goes back to the pool
//! only once that succeeded, and is otherwise closed, which makes the server
//! roll back. A transaction in which any statement failed refuses to commit
//! (PostgreSQL would turn that COMMIT into a silent ROLLBACK).

mod config;
pub mod maintenance;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use deadpool_postgres::{
    ClientWrapper, Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod, Runtime,
    TimeoutType,
};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{FromSql, ToSql};
use tokio_postgres::{NoTls, Row};

pub use config::{PgConfig, TlsMode, DEFAULT_PORT};

use super::copy::{self, Snapshot};
use super::{
    ClientCursor, ClientListing, ClientMatch, ClientQuery, ClientRow, ClientRows, ClientSort,
    Cursor, Direction, EmailCode, SortField, SortKey, Store, StoreError, Total, TotpEnrolment, Tx,
    TxMode, UserPage, UserQuery, ADMINISTRATORS, COUNT_CAP,
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

mod embedded {
    refinery::embed_migrations!("src/store/postgres/migrations");
}

const POOL_SIZE: usize = 8;
/// How long opening a connection may take before the server counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a call waits for a free pooled connection.
const POOL_WAIT: Duration = Duration::from_secs(5);
/// Every session's settings: a writer waits at most 15 s for the writer
/// lock (or a row), and a session left idle inside a transaction (a client
/// that hung) is ended after a minute, freeing its locks. Statements are
/// prepared once per connection, but planned for their actual values: a
/// generic plan cannot tell a rare search text from a common one and scans
/// the table (measured: 69 ms instead of 9 ms for a rare name at 100,000
/// users).
const SESSION_OPTIONS: &str = "-c lock_timeout=15s -c idle_in_transaction_session_timeout=60s \
     -c plan_cache_mode=force_custom_plan";

pub struct PostgresStore {
    pool: Pool,
    config: PgConfig,
    /// The advisory lock key that serialises this directory's writers.
    writer_lock: i64,
}

impl PostgresStore {
    /// Connects (a pool of up to eight connections), creates `schema` if it
    /// is given and absent, uses it through `search_path` on every
    /// connection, and brings the schema up to date. Concurrent migrators are
    /// serialised with `pg_advisory_lock`. A server that cannot be reached is
    /// [`StoreError::Unreachable`]; a refused sign-in, a missing database or a
    /// failed TLS handshake is [`StoreError::Open`] with the reason.
    pub async fn connect(config: PgConfig) -> Result<PostgresStore, StoreError> {
        let driver = config.driver_config()?;
        let schema = {
            // Migrate on a connection of its own: its session lock ends with it.
            let mut client = open(&config).await?;
            migrate(&mut client, &config).await?
        };
        let manager_config = ManagerConfig {
            recycling_method: RecyclingMethod::Verified,
        };
        let manager = match config.tls_connector() {
            Some(tls) => Manager::from_config(driver, tls, manager_config),
            None => Manager::from_config(driver, NoTls, manager_config),
        };
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(POOL_WAIT))
            .create_timeout(Some(CONNECT_TIMEOUT + Duration::from_secs(1)))
            .recycle_timeout(Some(POOL_WAIT))
            .build()
            .map_err(|error| StoreError::Open {
                reason: format!("its connection pool cannot be set up ({error})."),
            })?;
        Ok(PostgresStore {
            pool,
            writer_lock: lock_key("write", &schema),
            config,
        })
    }

    /// Opens one connection and returns the server's version, such as
    /// "PostgreSQL 15.19", for a "Test connection" button. Changes nothing.
    pub async fn test_connection(config: &PgConfig) -> Result<String, StoreError> {
        let client = open(config).await?;
        let row = client
            .query_one("SHOW server_version", &[])
            .await
            .map_err(|error| connect_error(error, config))?;
        let version: String = get(&row, 0)?;
        let number = version.split_whitespace().next().unwrap_or(&version);
        Ok(format!("PostgreSQL {number}"))
    }

    /// True when the directory holds no users, no clients and no groups
    /// besides Administrators (`store copy` only copies into an empty directory).
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let mut tx = self.transaction(TxMode::Read).await?;
        let row = tx
            .query_one(
                "SELECT NOT EXISTS (SELECT 1 FROM users) AND NOT EXISTS (SELECT 1 FROM clients) \
                 AND NOT EXISTS (SELECT 1 FROM groups WHERE id <> $1)",
                &[&ADMINISTRATORS.0],
            )
            .await?;
        get(&row, 0)
    }

    async fn transaction(&self, mode: TxMode) -> Result<PgTx, StoreError> {
        let object = self
            .pool
            .get()
            .await
            .map_err(|error| pool_error(error, &self.config))?;
        let mut tx = PgTx {
            lease: Some(Lease {
                object: Some(object),
                idle: false,
            }),
            server: self.config.server().into(),
            failed: false,
        };
        let begin = match mode {
            TxMode::Read => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY".to_owned(),
            TxMode::Write => format!(
                "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock({})",
                self.writer_lock
            ),
        };
        tx.batch(&begin).await?;
        Ok(tx)
    }
}

/// Opens a connection outside the pool, its driver task running beside it;
/// dropping the client ends the session.
async fn open(config: &PgConfig) -> Result<tokio_postgres::Client, StoreError> {
    let driver = config.driver_config()?;
    let connected = match config.tls_connector() {
        Some(tls) => driver.connect(tls).await.map(|(client, connection)| {
            tokio::spawn(connection);
            client
        }),
        None => driver.connect(NoTls).await.map(|(client, connection)| {
            tokio::spawn(connection);
            client
        }),
    };
    connected.map_err(|error| connect_error(error, config))
}

/// Creates the schema if needed and runs the migrations, one migrator at a
/// time; returns the schema the tables are in.
async fn migrate(
    client: &mut tokio_postgres::Client,
    config: &PgConfig,
) -> Result<String, StoreError> {
    let schema = config.schema.as_deref().unwrap_or_default();
    let fail = |error: tokio_postgres::Error| match error.as_db_error() {
        Some(db) => StoreError::Open {
            reason: format!(
                "the schema cannot be prepared on {} ({}).",
                config.server(),
                db.message()
            ),
        },
        None => connect_error(error, config),
    };
    client
        .execute(
            "SELECT pg_advisory_lock($1)",
            &[&lock_key("migrate", schema)],
        )
        .await
        .map_err(fail)?;
    if !schema.is_empty() {
        // The name was checked to be a plain identifier.
        client
            .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
            .await
            .map_err(fail)?;
    }
    embedded::migrations::runner()
        .run_async(client)
        .await
        .map_err(|error| StoreError::Open {
            reason: format!("its schema cannot be brought up to date ({error})."),
        })?;
    fold_missing_names(client).await.map_err(fail)?;
    let row = client
        .query_one("SELECT current_schema()::text", &[])
        .await
        .map_err(fail)?;
    let current: Option<String> = get(&row, 0)?;
    client
        .execute(
            "SELECT pg_advisory_unlock($1)",
            &[&lock_key("migrate", schema)],
        )
        .await
        .map_err(fail)?;
    Ok(current.unwrap_or_default())
}

/// The WHERE conditions of a clients listing, their values pushed to `params`.
fn client_conditions(matching: Option<&ClientMatch>, params: &mut Params) -> Vec<String> {
    let mut conditions: Vec<String> = Vec::new();
    match matching {
        None => {}
        Some(ClientMatch::Whole(whole)) => {
            let mut alternatives = Vec::new();
            if let Some(id) = whole.id {
                alternatives.push(format!("c.id = {}", params.push(id)));
            }
            for (column, value) in [
                ("c.email_normalized", &whole.email),
                ("c.phone", &whole.phone),
                ("c.name_folded", &whole.name),
            ] {
                if let Some(value) = value {
                    alternatives.push(format!("{column} = {}", params.push(value.clone())));
                }
            }
            if alternatives.is_empty() {
                alternatives.push("FALSE".into());
            }
            conditions.push(format!("({})", alternatives.join(" OR ")));
        }
        Some(ClientMatch::Substring { text, digits }) => {
            let mut alternatives = Vec::new();
            if text.chars().count() >= 3 {
                // Answered by the trigram indexes.
                let pattern = params.push(contains_pattern(text));
                alternatives.push(format!(
                    "c.name_key LIKE {pattern} OR c.email_normalized LIKE {pattern}"
                ));
                if let Some(digits) = digits.as_deref().filter(|d| d.len() >= 3) {
                    let pattern = params.push(contains_pattern(digits));
                    alternatives.push(format!("c.phone LIKE {pattern}"));
                }
            } else {
                let lower = params.push(text.clone());
                let upper = params.push(prefix_upper_bound(text));
                alternatives.push(format!(
                    "(c.name_key >= {lower} AND c.name_key < {upper}) OR \
                         (c.email_normalized >= {lower} AND c.email_normalized < {upper})"
                ));
                if let Some(digits) = digits {
                    let prefix = format!("+{digits}");
                    let upper = params.push(prefix_upper_bound(&prefix));
                    let lower = params.push(prefix);
                    alternatives.push(format!("(c.phone >= {lower} AND c.phone < {upper})"));
                }
            }
            conditions.push(format!("({})", alternatives.join(" OR ")));
        }
    }
    conditions
}

/// Writes `name_folded` for clients stored before it existed (schema V5),
/// a thousand at a time; run under the migration lock.
async fn fold_missing_names(
    client: &mut tokio_postgres::Client,
) -> Result<(), tokio_postgres::Error> {
    loop {
        let missing = client
            .query(
                "SELECT id, name FROM clients WHERE name_folded IS NULL ORDER BY id LIMIT 1000",
                &[],
            )
            .await?;
        if missing.is_empty() {
            return Ok(());
        }
        let mut ids = Vec::with_capacity(missing.len());
        let mut folded = Vec::with_capacity(missing.len());
        for row in &missing {
            ids.push(row.try_get::<_, i64>(0)?);
            folded.push(crate::domain::fold_name(row.try_get::<_, &str>(1)?));
        }
        client
            .execute(
                "UPDATE clients SET name_folded = f.folded \
                 FROM unnest($1::bigint[], $2::text[]) AS f(id, folded) WHERE clients.id = f.id",
                &[&ids, &folded],
            )
            .await?;
    }
}

/// A stable advisory lock key for `purpose` in `schema` (FNV-1a): advisory
/// locks are database-wide, so each directory (schema) gets its own.
fn lock_key(purpose: &str, schema: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in format!("roster:{purpose}:{schema}").bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

#[async_trait]
impl Store for PostgresStore {
    async fn begin(&self, mode: TxMode) -> Result<Box<dyn Tx>, StoreError> {
        Ok(Box::new(self.transaction(mode).await?))
    }

    async fn export(&self) -> Result<Snapshot, StoreError> {
        let mut tx = self.transaction(TxMode::Read).await?;
        tx.export().await
    }

    async fn import(&self, snapshot: &Snapshot) -> Result<(), StoreError> {
        let mut tx = self.transaction(TxMode::Write).await?;
        let empty = tx
            .query_one(
                "SELECT NOT EXISTS (SELECT 1 FROM users) AND NOT EXISTS (SELECT 1 FROM clients) \
                 AND NOT EXISTS (SELECT 1 FROM groups WHERE NOT builtin)",
                &[],
            )
            .await?;
        if !get::<bool>(&empty, 0)? {
            return Err(StoreError::NotEmpty {
                target: self.describe(),
            });
        }
        tx.import(snapshot).await?;
        Box::new(tx).commit().await
    }

    fn describe(&self) -> String {
        match &self.config.schema {
            Some(schema) => format!(
                "PostgreSQL database {} (schema {schema}) on {}",
                self.config.database,
                self.config.server()
            ),
            None => format!(
                "PostgreSQL database {} on {}",
                self.config.database,
                self.config.server()
            ),
        }
    }
}

// --- errors -------------------------------------------------------------------

fn unreachable(server: &str) -> StoreError {
    StoreError::Unreachable {
        server: server.to_owned(),
    }
}

/// Maps a statement's error: lost connections are `Unreachable`, lock waits
/// and conflicts `Busy`; anything else keeps its detail for the log only.
fn store_error(error: tokio_postgres::Error, server: &str) -> StoreError {
    if let Some(db) = error.as_db_error() {
        let code = db.code().code();
        return match code {
            // serialization failure, deadlock, lock timeout, statement
            // timeout or cancel, idle-in-transaction timeout
            "40001" | "40P01" | "55P03" | "57014" | "25P03" => StoreError::Busy,
            // the server shuts down, crashed, or is starting up
            "57P01" | "57P02" | "57P03" => unreachable(server),
            _ if code.starts_with("08") => unreachable(server),
            _ => StoreError::Internal {
                detail: db.to_string(),
            },
        };
    }
    if is_connection_failure(&error) {
        unreachable(server)
    } else {
        StoreError::Internal {
            detail: format!("{error}: {}", causes(&error)),
        }
    }
}

/// What lies beneath a driver error (its `Display` names only its kind).
fn causes(error: &tokio_postgres::Error) -> String {
    let mut text = Vec::new();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push(cause.to_string());
        source = cause.source();
    }
    text.join(": ")
}

fn is_connection_failure(error: &tokio_postgres::Error) -> bool {
    if error.is_closed() {
        return true;
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if cause.is::<std::io::Error>() {
            return true;
        }
        source = cause.source();
    }
    let text = error.to_string();
    [
        "timeout waiting for server",
        "error connecting to server",
        "error communicating with the server",
    ]
    .iter()
    .any(|start| text.starts_with(start))
}

/// Maps an error met while connecting: what people must fix (sign-in,
/// database name, TLS) is `Open` with the reason; the rest as for statements.
fn connect_error(error: tokio_postgres::Error, config: &PgConfig) -> StoreError {
    if let Some(db) = error.as_db_error() {
        let code = db.code().code();
        if code.starts_with("28") {
            return StoreError::Open {
                reason: format!(
                    "{} refused the sign-in of user {} ({}).",
                    config.server(),
                    config.user,
                    db.message()
                ),
            };
        }
        if code == SqlState::INVALID_CATALOG_NAME.code() {
            return StoreError::Open {
                reason: format!(
                    "there is no database {} on {}.",
                    config.database,
                    config.server()
                ),
            };
        }
    }
    if error.to_string() == "error performing TLS handshake" {
        return StoreError::Open {
            reason: format!(
                "no secure connection (sslmode={}) can be made to {} ({}).",
                config.tls,
                config.server(),
                causes(&error)
            ),
        };
    }
    store_error(error, &config.server())
}

fn pool_error(error: PoolError, config: &PgConfig) -> StoreError {
    match error {
        PoolError::Backend(error) => connect_error(error, config),
        // Every pooled connection is in use by this app for longer than the wait.
        PoolError::Timeout(TimeoutType::Wait) => StoreError::Busy,
        PoolError::Timeout(_) => unreachable(&config.server()),
        other => StoreError::Internal {
            detail: other.to_string(),
        },
    }
}

fn is_unique_violation(error: &tokio_postgres::Error, index: &str) -> bool {
    error.as_db_error().is_some_and(|db| {
        *db.code() == SqlState::UNIQUE_VIOLATION && db.constraint() == Some(index)
    })
}

// --- values ---------------------------------------------------------------------

fn get<'a, T: FromSql<'a>>(row: &'a Row, index: usize) -> Result<T, StoreError> {
    row.try_get(index).map_err(|error| StoreError::Corrupt {
        detail: format!("column {index}: {error}"),
    })
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

fn count_of(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Query parameters collected while a statement is built; `push` returns the
/// placeholder to write.
#[derive(Default)]
struct Params(Vec<Box<dyn ToSql + Sync + Send>>);

impl Params {
    fn push(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.0.push(Box::new(value));
        format!("${}", self.0.len())
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.0
            .iter()
            .map(|value| value.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}

// --- transactions -----------------------------------------------------------------

/// A pooled connection that goes back to the pool only when it is known to
/// be outside any transaction (`idle`); otherwise dropping it closes the
/// connection, and the server rolls back whatever was open.
struct Lease {
    object: Option<Object>,
    idle: bool,
}

impl Lease {
    fn client(&self) -> &ClientWrapper {
        self.object
            .as_deref()
            .expect("a lease holds its connection")
    }

    /// The connection is known to be outside any transaction: it may go
    /// back to the pool.
    fn outside_transaction(&mut self) {
        self.idle = true;
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(object) = self.object.take() {
            if !self.idle {
                drop(Object::take(object));
            }
        }
    }
}

struct PgTx {
    /// `None` once committed (or handed to the rollback).
    lease: Option<Lease>,
    server: Arc<str>,
    /// A statement failed: PostgreSQL has aborted the transaction, and
    /// `commit` must not pretend otherwise.
    failed: bool,
}

impl Drop for PgTx {
    fn drop(&mut self) {
        let Some(mut lease) = self.lease.take() else {
            return;
        };
        // Without a runtime the lease simply closes its connection.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if lease.client().batch_execute("ROLLBACK").await.is_ok() {
                    lease.outside_transaction();
                }
            });
        }
    }
}

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

const USER_COLUMNS: &str = "u.id, u.name, u.email, u.email_normalized, u.status, u.supervisor_id, \
     u.must_change_password, u.mask_client_data, u.two_factor, u.created_at, u.updated_at, \
     u.last_sign_in_at, u.failed_sign_ins, u.locked_until, u.version";

impl UserRow {
    fn read(row: &Row) -> Result<Self, StoreError> {
        Ok(Self {
            id: get(row, 0)?,
            name: get(row, 1)?,
            email: get(row, 2)?,
            email_normalized: get(row, 3)?,
            status: get(row, 4)?,
            supervisor_id: get(row, 5)?,
            must_change_password: get(row, 6)?,
            mask_client_data: get(row, 7)?,
            two_factor: get(row, 8)?,
            created_at: get(row, 9)?,
            updated_at: get(row, 10)?,
            last_sign_in_at: get(row, 11)?,
            failed_sign_ins: get(row, 12)?,
            locked_until: get(row, 13)?,
            version: get(row, 14)?,
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

/// Groups up to this size are listed by sorting their members; larger ones
/// by walking the sort index.
const SMALL_GROUP: u64 = 2_000;

/// The first string after every string that starts with `prefix` (in the
/// "C" collation's code point order).
fn prefix_upper_bound(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// `text` as a LIKE pattern that matches it anywhere.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
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

/// A clients row read in [`CLIENT_COLUMNS`] order.
fn client_row(row: &Row) -> Result<ClientRow, StoreError> {
    let email: Option<String> = get(row, 2)?;
    let email_normalized: Option<String> = get(row, 3)?;
    let country = match get::<Option<String>>(row, 5)? {
        Some(code) => Some(Country::parse(&code).map_err(|_| corrupt("country", &code))?),
        None => None,
    };
    Ok(ClientRow {
        id: ClientId(get(row, 0)?),
        name: ClientName::from_stored(get(row, 1)?),
        email: email.map(|email| {
            let normalized = email_normalized.unwrap_or_else(|| email.to_lowercase());
            Email::from_stored(email, normalized)
        }),
        phone: get::<Option<String>>(row, 4)?.map(Phone::from_stored),
        country,
        created_at: time(get(row, 6)?)?,
        updated_at: time(get(row, 7)?)?,
        version: get(row, 8)?,
    })
}

fn client_sort_column(sort: ClientSort) -> &'static str {
    match sort {
        ClientSort::Name => "c.name_key",
        ClientSort::Created => "c.created_at",
    }
}

impl PgTx {
    fn connection(&self) -> &ClientWrapper {
        self.lease
            .as_ref()
            .expect("an open transaction holds its connection")
            .client()
    }

    fn fail(&mut self, error: tokio_postgres::Error) -> StoreError {
        self.failed = true;
        store_error(error, &self.server)
    }

    async fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        let result = self.connection().batch_execute(sql).await;
        result.map_err(|error| self.fail(error))
    }

    /// Runs a statement, keeping the driver's error for the caller to
    /// inspect (unique violations); the transaction counts as failed.
    async fn execute_raw(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, tokio_postgres::Error> {
        super::statement_log::note(sql);
        let client = self.connection();
        let result = match client.prepare_cached(sql).await {
            Ok(statement) => client.query(&statement, params).await,
            Err(error) => Err(error),
        };
        if result.is_err() {
            self.failed = true;
        }
        result
    }

    async fn query(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, StoreError> {
        super::statement_log::note(sql);
        let result = {
            let client = self.connection();
            match client.prepare_cached(sql).await {
                Ok(statement) => client.query(&statement, params).await,
                Err(error) => Err(error),
            }
        };
        result.map_err(|error| self.fail(error))
    }

    async fn query_opt(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, params).await?.into_iter().next())
    }

    async fn query_one(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, StoreError> {
        self.query_opt(sql, params)
            .await?
            .ok_or_else(|| StoreError::Internal {
                detail: format!("no row from: {sql}"),
            })
    }

    async fn execute(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, StoreError> {
        super::statement_log::note(sql);
        let result = {
            let client = self.connection();
            match client.prepare_cached(sql).await {
                Ok(statement) => client.execute(&statement, params).await,
                Err(error) => Err(error),
            }
        };
        result.map_err(|error| self.fail(error))
    }

    async fn count(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, StoreError> {
        let row = self.query_one(sql, params).await?;
        Ok(count_of(get(&row, 0)?))
    }

    async fn query_user_rows(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<UserRow>, StoreError> {
        self.query(sql, params)
            .await?
            .iter()
            .map(UserRow::read)
            .collect()
    }

    /// Attaches groups and supervisors to rows with two queries for the whole batch.
    async fn complete_users(&mut self, rows: Vec<UserRow>) -> Result<Vec<User>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut groups_of: HashMap<i64, Vec<GroupRef>> = HashMap::new();
        for row in self
            .query(
                "SELECT m.user_id, g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id \
                 WHERE m.user_id = ANY($1) ORDER BY g.name_normalized",
                &[&ids],
            )
            .await?
        {
            groups_of
                .entry(get(&row, 0)?)
                .or_default()
                .push(GroupRef {
                    id: GroupId(get(&row, 1)?),
                    name: GroupName::from_stored(get(&row, 2)?),
                });
        }
        let supervisor_ids: Vec<i64> = rows.iter().filter_map(|r| r.supervisor_id).collect();
        let mut supervisors: HashMap<i64, UserRef> = HashMap::new();
        if !supervisor_ids.is_empty() {
            for row in self
                .query(
                    "SELECT id, name, email, email_normalized FROM users WHERE id = ANY($1)",
                    &[&supervisor_ids],
                )
                .await?
            {
                let id: i64 = get(&row, 0)?;
                supervisors.insert(
                    id,
                    UserRef {
                        id: UserId(id),
                        name: UserName::from_stored(get(&row, 1)?),
                        email: Email::from_stored(get(&row, 2)?, get(&row, 3)?),
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

    async fn write_group_permissions(
        &mut self,
        id: GroupId,
        permissions: &PermissionSet,
    ) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM group_permissions WHERE group_id = $1",
            &[&id.0],
        )
        .await?;
        let codes: Vec<&str> = permissions.iter().map(|p| p.code()).collect();
        self.execute(
            "INSERT INTO group_permissions (group_id, permission) SELECT $1, unnest($2::text[])",
            &[&id.0, &codes],
        )
        .await?;
        Ok(())
    }

    async fn read_groups(&mut self, filter: Option<i64>) -> Result<Vec<Group>, StoreError> {
        let rows = self
            .query(
                "SELECT g.id, g.name, g.description, g.builtin, g.created_at, g.updated_at, \
                 g.version, g.member_count FROM groups g WHERE ($1::bigint IS NULL OR g.id = $1) \
                 ORDER BY g.name_normalized",
                &[&filter],
            )
            .await?;
        let ids: Vec<i64> = rows
            .iter()
            .map(|row| get(row, 0))
            .collect::<Result<_, _>>()?;
        let mut permissions_of: HashMap<i64, Vec<String>> = HashMap::new();
        for row in self
            .query(
                "SELECT group_id, permission FROM group_permissions WHERE group_id = ANY($1)",
                &[&ids],
            )
            .await?
        {
            permissions_of
                .entry(get(&row, 0)?)
                .or_default()
                .push(get(&row, 1)?);
        }
        rows.iter()
            .map(|row| {
                let id: i64 = get(row, 0)?;
                let builtin: bool = get(row, 3)?;
                let permissions = if builtin {
                    PermissionSet::all()
                } else {
                    parse_permissions(permissions_of.remove(&id).unwrap_or_default())?
                };
                Ok(Group {
                    id: GroupId(id),
                    name: GroupName::from_stored(get(row, 1)?),
                    description: Description::from_stored(get(row, 2)?),
                    builtin,
                    permissions,
                    member_count: count_of(get(row, 7)?),
                    created_at: time(get(row, 4)?)?,
                    updated_at: time(get(row, 5)?)?,
                    version: get(row, 6)?,
                })
            })
            .collect()
    }

    async fn find_id(&mut self, sql: &str, key: &str) -> Result<Option<i64>, StoreError> {
        match self.query_opt(sql, &[&key]).await? {
            Some(row) => Ok(Some(get(&row, 0)?)),
            None => Ok(None),
        }
    }
}

/// Rows per statement when a snapshot is written: one round trip moves
/// thousands of rows.
const IMPORT_BATCH: usize = 5_000;

/// Reading and writing a whole directory ([`copy`]).
impl PgTx {
    async fn export(&mut self) -> Result<Snapshot, StoreError> {
        let mut snapshot = Snapshot::default();
        let mut permissions: HashMap<i64, Vec<String>> = HashMap::new();
        for row in self
            .query(
                "SELECT group_id, permission FROM group_permissions ORDER BY group_id, permission",
                &[],
            )
            .await?
        {
            permissions
                .entry(get(&row, 0)?)
                .or_default()
                .push(get(&row, 1)?);
        }
        for row in self
            .query(
                "SELECT id, name, description, builtin, created_at, updated_at, version \
                 FROM groups ORDER BY id",
                &[],
            )
            .await?
        {
            let id: i64 = get(&row, 0)?;
            snapshot.groups.push(copy::GroupRow {
                id,
                name: get(&row, 1)?,
                description: get(&row, 2)?,
                builtin: get(&row, 3)?,
                created_at: get(&row, 4)?,
                updated_at: get(&row, 5)?,
                version: get(&row, 6)?,
                permissions: permissions.remove(&id).unwrap_or_default(),
            });
        }
        for row in self
            .query(
                "SELECT id, name, email, status, supervisor_id, password_hash, must_change_password, \
                 mask_client_data, two_factor, created_at, updated_at, last_sign_in_at, \
                 failed_sign_ins, locked_until, version FROM users ORDER BY id",
                &[],
            )
            .await?
        {
            snapshot.users.push(copy::UserRow {
                id: get(&row, 0)?,
                name: get(&row, 1)?,
                email: get(&row, 2)?,
                status: get(&row, 3)?,
                supervisor_id: get(&row, 4)?,
                password_hash: get(&row, 5)?,
                must_change_password: get(&row, 6)?,
                mask_client_data: get(&row, 7)?,
                two_factor: get(&row, 8)?,
                created_at: get(&row, 9)?,
                updated_at: get(&row, 10)?,
                last_sign_in_at: get(&row, 11)?,
                failed_sign_ins: get(&row, 12)?,
                locked_until: get(&row, 13)?,
                version: get(&row, 14)?,
            });
        }
        for row in self
            .query(
                "SELECT user_id, group_id FROM memberships ORDER BY user_id, group_id",
                &[],
            )
            .await?
        {
            snapshot.memberships.push((get(&row, 0)?, get(&row, 1)?));
        }
        for row in self
            .query("SELECT key, value FROM settings ORDER BY key", &[])
            .await?
        {
            snapshot.settings.push((get(&row, 0)?, get(&row, 1)?));
        }
        for row in self
            .query(
                "SELECT id, at, operator_id, operator_label, action, target_kind, target_id, \
                 target_label, changes::text FROM audit_events ORDER BY id",
                &[],
            )
            .await?
        {
            snapshot.audit.push(copy::AuditRow {
                id: get(&row, 0)?,
                at: get(&row, 1)?,
                operator_id: get(&row, 2)?,
                operator_label: get(&row, 3)?,
                action: get(&row, 4)?,
                target_kind: get(&row, 5)?,
                target_id: get(&row, 6)?,
                target_label: get(&row, 7)?,
                changes: get(&row, 8)?,
            });
        }
        for row in self
            .query(
                "SELECT user_id, secret, confirmed, last_step, created_at FROM totp_enrolments \
                 ORDER BY user_id",
                &[],
            )
            .await?
        {
            snapshot.totp.push(copy::TotpRow {
                user_id: get(&row, 0)?,
                secret: get(&row, 1)?,
                confirmed: get(&row, 2)?,
                last_step: get(&row, 3)?,
                created_at: get(&row, 4)?,
            });
        }
        for row in self
            .query(
                "SELECT user_id, code_hash, used_at FROM recovery_codes ORDER BY user_id, code_hash",
                &[],
            )
            .await?
        {
            snapshot.recovery_codes.push(copy::RecoveryCodeRow {
                user_id: get(&row, 0)?,
                code_hash: get(&row, 1)?,
                used_at: get(&row, 2)?,
            });
        }
        // The highest id ever handed out: the identity's last value (deleted
        // rows included), or the highest row (Administrators has id 1
        // without the identity having been used).
        let last_id = |table: &str| {
            format!(
                "SELECT greatest(coalesce(pg_sequence_last_value(pg_get_serial_sequence('{table}', 'id')::regclass), 0), \
                 coalesce((SELECT max(id) FROM {table}), 0))"
            )
        };
        let row = self.query_one(&last_id("users"), &[]).await?;
        snapshot.last_user_id = get(&row, 0)?;
        let row = self.query_one(&last_id("groups"), &[]).await?;
        snapshot.last_group_id = get(&row, 0)?;
        let row = self.query_one(&last_id("clients"), &[]).await?;
        snapshot.last_client_id = get(&row, 0)?;
        for row in self
            .query(
                "SELECT id, name, email, phone, country, created_at, updated_at, version \
                 FROM clients ORDER BY id",
                &[],
            )
            .await?
        {
            snapshot.clients.push(copy::ClientRow {
                id: get(&row, 0)?,
                name: get(&row, 1)?,
                email: get(&row, 2)?,
                phone: get(&row, 3)?,
                country: get(&row, 4)?,
                created_at: get(&row, 5)?,
                updated_at: get(&row, 6)?,
                version: get(&row, 7)?,
            });
        }
        Ok(snapshot)
    }

    /// Writes a snapshot into this (empty) directory, ids unchanged, in
    /// batches; the kept counts follow through their triggers.
    async fn import(&mut self, snapshot: &Snapshot) -> Result<(), StoreError> {
        for group in &snapshot.groups {
            if group.builtin {
                self.execute(
                    "UPDATE groups SET description = $1, created_at = $2, updated_at = $3, \
                     version = $4 WHERE id = $5 AND builtin",
                    &[
                        &group.description,
                        &group.created_at,
                        &group.updated_at,
                        &group.version,
                        &group.id,
                    ],
                )
                .await?;
                self.execute(
                    "DELETE FROM group_permissions WHERE group_id = $1",
                    &[&group.id],
                )
                .await?;
            } else {
                let normalized = GroupName::parse(&group.name)
                    .map_err(|_| StoreError::Corrupt {
                        detail: format!("group {} has an invalid name", group.id),
                    })?
                    .normalized();
                self.execute(
                    "INSERT INTO groups (id, name, name_normalized, description, builtin, \
                     created_at, updated_at, version) OVERRIDING SYSTEM VALUE \
                     VALUES ($1, $2, $3, $4, FALSE, $5, $6, $7)",
                    &[
                        &group.id,
                        &group.name,
                        &normalized,
                        &group.description,
                        &group.created_at,
                        &group.updated_at,
                        &group.version,
                    ],
                )
                .await?;
            }
            self.execute(
                "INSERT INTO group_permissions (group_id, permission) SELECT $1, unnest($2::text[])",
                &[&group.id, &group.permissions],
            )
            .await?;
        }
        // Supervisors point at users that may come later: insert without
        // them, then set them.
        for batch in snapshot.users.chunks(IMPORT_BATCH) {
            let mut keys = Vec::with_capacity(batch.len());
            for user in batch {
                keys.push(copy::user_keys(user)?);
            }
            let column = |f: fn(&copy::UserRow) -> i64| batch.iter().map(f).collect::<Vec<i64>>();
            let text = |f: fn(&copy::UserRow) -> &str| batch.iter().map(f).collect::<Vec<&str>>();
            let flag = |f: fn(&copy::UserRow) -> bool| batch.iter().map(f).collect::<Vec<bool>>();
            self.execute(
                "INSERT INTO users (id, name, name_key, email, email_normalized, status, \
                 password_hash, must_change_password, mask_client_data, two_factor, created_at, \
                 updated_at, last_sign_in_at, failed_sign_ins, locked_until, version) \
                 OVERRIDING SYSTEM VALUE \
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], \
                 $6::text[], $7::text[], $8::boolean[], $9::boolean[], $10::text[], $11::bigint[], \
                 $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[], $16::bigint[])",
                &[
                    &column(|u| u.id),
                    &text(|u| &u.name),
                    &keys.iter().map(|(name_key, _)| name_key.as_str()).collect::<Vec<_>>(),
                    &text(|u| &u.email),
                    &keys.iter().map(|(_, email)| email.as_str()).collect::<Vec<_>>(),
                    &text(|u| &u.status),
                    &text(|u| &u.password_hash),
                    &flag(|u| u.must_change_password),
                    &flag(|u| u.mask_client_data),
                    &text(|u| &u.two_factor),
                    &column(|u| u.created_at),
                    &column(|u| u.updated_at),
                    &column(|u| u.last_sign_in_at),
                    &column(|u| u.failed_sign_ins),
                    &batch.iter().map(|u| u.locked_until).collect::<Vec<_>>(),
                    &column(|u| u.version),
                ],
            )
            .await?;
        }
        let supervised: Vec<&copy::UserRow> = snapshot
            .users
            .iter()
            .filter(|u| u.supervisor_id.is_some())
            .collect();
        for batch in supervised.chunks(IMPORT_BATCH) {
            let ids: Vec<i64> = batch.iter().map(|u| u.id).collect();
            let supervisors: Vec<Option<i64>> = batch.iter().map(|u| u.supervisor_id).collect();
            self.execute(
                "UPDATE users SET supervisor_id = s.supervisor_id \
                 FROM unnest($1::bigint[], $2::bigint[]) AS s (id, supervisor_id) \
                 WHERE users.id = s.id",
                &[&ids, &supervisors],
            )
            .await?;
        }
        for batch in snapshot.memberships.chunks(IMPORT_BATCH) {
            let users: Vec<i64> = batch.iter().map(|(user, _)| *user).collect();
            let groups: Vec<i64> = batch.iter().map(|(_, group)| *group).collect();
            self.execute(
                "INSERT INTO memberships (user_id, group_id) \
                 SELECT * FROM unnest($1::bigint[], $2::bigint[])",
                &[&users, &groups],
            )
            .await?;
        }
        for (key, value) in &snapshot.settings {
            self.set_setting(key, value).await?;
        }
        for batch in snapshot.audit.chunks(IMPORT_BATCH) {
            let ids: Vec<i64> = batch.iter().map(|e| e.id).collect();
            let at: Vec<i64> = batch.iter().map(|e| e.at).collect();
            let operators: Vec<Option<i64>> = batch.iter().map(|e| e.operator_id).collect();
            let operator_labels: Vec<&str> =
                batch.iter().map(|e| e.operator_label.as_str()).collect();
            let actions: Vec<&str> = batch.iter().map(|e| e.action.as_str()).collect();
            let kinds: Vec<&str> = batch.iter().map(|e| e.target_kind.as_str()).collect();
            let targets: Vec<Option<i64>> = batch.iter().map(|e| e.target_id).collect();
            let labels: Vec<&str> = batch.iter().map(|e| e.target_label.as_str()).collect();
            let normalized: Vec<String> = batch
                .iter()
                .map(|e| e.target_label.to_lowercase())
                .collect();
            let changes: Vec<&str> = batch.iter().map(|e| e.changes.as_str()).collect();
            self.execute(
                "INSERT INTO audit_events (id, at, operator_id, operator_label, action, target_kind, \
                 target_id, target_label, target_label_normalized, changes) OVERRIDING SYSTEM VALUE \
                 SELECT id, at, operator_id, operator_label, action, target_kind, target_id, \
                 target_label, target_label_normalized, CAST(changes AS json) \
                 FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], \
                 $6::text[], $7::bigint[], $8::text[], $9::text[], $10::text[]) \
                 AS e (id, at, operator_id, operator_label, action, target_kind, target_id, \
                 target_label, target_label_normalized, changes)",
                &[
                    &ids,
                    &at,
                    &operators,
                    &operator_labels,
                    &actions,
                    &kinds,
                    &targets,
                    &labels,
                    &normalized,
                    &changes,
                ],
            )
            .await?;
        }
        for totp in &snapshot.totp {
            self.execute(
                "INSERT INTO totp_enrolments (user_id, secret, confirmed, last_step, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &totp.user_id,
                    &totp.secret,
                    &totp.confirmed,
                    &totp.last_step,
                    &totp.created_at,
                ],
            )
            .await?;
        }
        for batch in snapshot.recovery_codes.chunks(IMPORT_BATCH) {
            let users: Vec<i64> = batch.iter().map(|c| c.user_id).collect();
            let hashes: Vec<&str> = batch.iter().map(|c| c.code_hash.as_str()).collect();
            let used: Vec<Option<i64>> = batch.iter().map(|c| c.used_at).collect();
            self.execute(
                "INSERT INTO recovery_codes (user_id, code_hash, used_at) \
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[])",
                &[&users, &hashes, &used],
            )
            .await?;
        }
        for batch in snapshot.clients.chunks(IMPORT_BATCH) {
            let mut keys = Vec::with_capacity(batch.len());
            for client in batch {
                keys.push(copy::client_keys(client)?);
            }
            let column = |f: fn(&copy::ClientRow) -> i64| batch.iter().map(f).collect::<Vec<i64>>();
            let optional = |f: fn(&copy::ClientRow) -> Option<&str>| {
                batch.iter().map(f).collect::<Vec<Option<&str>>>()
            };
            self.execute(
                "INSERT INTO clients (id, name, name_key, email, email_normalized, phone, country, \
                 created_at, updated_at, version, name_folded) OVERRIDING SYSTEM VALUE \
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], \
                 $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::bigint[], $11::text[])",
                &[
                    &column(|c| c.id),
                    &batch.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
                    &keys.iter().map(|k| k.name_key.as_str()).collect::<Vec<_>>(),
                    &optional(|c| c.email.as_deref()),
                    &keys
                        .iter()
                        .map(|k| k.email_normalized.as_deref())
                        .collect::<Vec<_>>(),
                    &optional(|c| c.phone.as_deref()),
                    &optional(|c| c.country.as_deref()),
                    &column(|c| c.created_at),
                    &column(|c| c.updated_at),
                    &column(|c| c.version),
                    &keys.iter().map(|k| k.name_folded.as_str()).collect::<Vec<_>>(),
                ],
            )
            .await?;
        }
        // The identities go on after the highest id the source ever handed
        // out, so no deleted user's, group's or client's id is handed out again.
        let last_audit = snapshot.audit.iter().map(|e| e.id).max().unwrap_or(0);
        for (table, last) in [
            ("users", snapshot.last_user_id),
            ("groups", snapshot.last_group_id),
            ("clients", snapshot.last_client_id),
            ("audit_events", last_audit),
        ] {
            self.execute(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     greatest($1::bigint, (SELECT coalesce(max(id), 0) FROM {table}), 1), \
                     greatest($1::bigint, (SELECT coalesce(max(id), 0) FROM {table})) > 0)"
                ),
                &[&last],
            )
            .await?;
        }
        Ok(())
    }
}

fn parse_permissions(codes: Vec<String>) -> Result<PermissionSet, StoreError> {
    codes
        .iter()
        .map(|code| {
            code.parse::<Permission>()
                .map_err(|_| corrupt("permission", code))
        })
        .collect()
}

#[async_trait]
impl Tx for PgTx {
    async fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        if self.failed {
            // Dropping `self` rolls back.
            return Err(StoreError::Internal {
                detail: "commit refused: a statement of this transaction failed".into(),
            });
        }
        let result = self.connection().batch_execute("COMMIT").await;
        match result {
            Ok(()) => {
                if let Some(mut lease) = self.lease.take() {
                    lease.outside_transaction();
                }
                Ok(())
            }
            // Dropping `self` rolls back, or closes the connection.
            Err(error) => Err(store_error(error, &self.server)),
        }
    }

    async fn insert_user(
        &mut self,
        fields: &UserFields,
        password: &PasswordHash,
        now: DateTime<Utc>,
    ) -> Result<UserId, StoreError> {
        let result = self
            .execute_raw(
                "INSERT INTO users (name, name_key, email, email_normalized, status, supervisor_id, \
                 password_hash, must_change_password, mask_client_data, two_factor, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
                &[
                    &fields.name.as_str(),
                    &fields.name.sort_key(),
                    &fields.email.as_str(),
                    &fields.email.normalized(),
                    &fields.status.as_str(),
                    &fields.supervisor.map(|s| s.0),
                    &password.as_str(),
                    &fields.must_change_password,
                    &fields.mask_client_data,
                    &fields.two_factor.as_str(),
                    &millis(now),
                ],
            )
            .await;
        match result {
            Ok(rows) => match rows.first() {
                Some(row) => Ok(UserId(get(row, 0)?)),
                None => Err(StoreError::Internal {
                    detail: "insert returned no id".into(),
                }),
            },
            Err(error) if is_unique_violation(&error, "users_email_normalized") => {
                Err(StoreError::DuplicateEmail {
                    email: fields.email.as_str().to_owned(),
                })
            }
            Err(error) => Err(store_error(error, &self.server)),
        }
    }

    async fn update_user(
        &mut self,
        id: UserId,
        expected_version: i64,
        fields: &UserFields,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let result = self
            .execute_raw(
                "UPDATE users SET name = $1, name_key = $2, email = $3, email_normalized = $4, \
                 status = $5, supervisor_id = $6, must_change_password = $7, mask_client_data = $8, \
                 two_factor = $9, updated_at = $10, version = version + 1 \
                 WHERE id = $11 AND version = $12 RETURNING id",
                &[
                    &fields.name.as_str(),
                    &fields.name.sort_key(),
                    &fields.email.as_str(),
                    &fields.email.normalized(),
                    &fields.status.as_str(),
                    &fields.supervisor.map(|s| s.0),
                    &fields.must_change_password,
                    &fields.mask_client_data,
                    &fields.two_factor.as_str(),
                    &millis(now),
                    &id.0,
                    &expected_version,
                ],
            )
            .await;
        match result {
            Ok(rows) => Ok(rows.len() == 1),
            Err(error) if is_unique_violation(&error, "users_email_normalized") => {
                Err(StoreError::DuplicateEmail {
                    email: fields.email.as_str().to_owned(),
                })
            }
            Err(error) => Err(store_error(error, &self.server)),
        }
    }

    async fn delete_user(&mut self, id: UserId) -> Result<bool, StoreError> {
        let deleted = self
            .execute("DELETE FROM users WHERE id = $1", &[&id.0])
            .await?;
        Ok(deleted == 1)
    }

    async fn user(&mut self, id: UserId) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
        let rows = self.query_user_rows(&sql, &[&id.0]).await?;
        Ok(self.complete_users(rows).await?.into_iter().next())
    }

    async fn user_id_by_email(&mut self, normalized: &str) -> Result<Option<UserId>, StoreError> {
        Ok(self
            .find_id(
                "SELECT id FROM users WHERE email_normalized = $1",
                normalized,
            )
            .await?
            .map(UserId))
    }

    async fn set_memberships(&mut self, id: UserId, groups: &[GroupId]) -> Result<(), StoreError> {
        self.execute("DELETE FROM memberships WHERE user_id = $1", &[&id.0])
            .await?;
        let groups: Vec<i64> = groups.iter().map(|g| g.0).collect();
        self.execute(
            "INSERT INTO memberships (user_id, group_id) SELECT DISTINCT $1::bigint, unnest($2::bigint[]) \
             ON CONFLICT DO NOTHING",
            &[&id.0, &groups],
        )
        .await?;
        Ok(())
    }

    async fn password_hash(&mut self, id: UserId) -> Result<Option<PasswordHash>, StoreError> {
        let Some(row) = self
            .query_opt("SELECT password_hash FROM users WHERE id = $1", &[&id.0])
            .await?
        else {
            return Ok(None);
        };
        let phc: String = get(&row, 0)?;
        PasswordHash::from_phc(phc)
            .map(Some)
            .map_err(|_| StoreError::Corrupt {
                detail: format!("password hash of user {id}"),
            })
    }

    async fn set_password(
        &mut self,
        id: UserId,
        password: &PasswordHash,
        must_change_password: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE users SET password_hash = $1, must_change_password = $2, failed_sign_ins = 0, \
             locked_until = NULL, updated_at = $3, version = version + 1 WHERE id = $4",
            &[
                &password.as_str(),
                &must_change_password,
                &millis(now),
                &id.0,
            ],
        )
        .await?;
        Ok(())
    }

    async fn supervisor_of(&mut self, id: UserId) -> Result<Option<UserId>, StoreError> {
        match self
            .query_opt("SELECT supervisor_id FROM users WHERE id = $1", &[&id.0])
            .await?
        {
            Some(row) => Ok(get::<Option<i64>>(&row, 0)?.map(UserId)),
            None => Ok(None),
        }
    }

    async fn subordinates(&mut self, id: UserId) -> Result<Vec<UserRef>, StoreError> {
        self.query(
            "SELECT id, name, email, email_normalized FROM users WHERE supervisor_id = $1 \
             ORDER BY name_key, id",
            &[&id.0],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(UserRef {
                id: UserId(get(row, 0)?),
                name: UserName::from_stored(get(row, 1)?),
                email: Email::from_stored(get(row, 2)?, get(row, 3)?),
            })
        })
        .collect()
    }

    async fn release_subordinates(
        &mut self,
        id: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE users SET supervisor_id = NULL, updated_at = $1, version = version + 1 \
             WHERE supervisor_id = $2",
            &[&millis(now), &id.0],
        )
        .await?;
        Ok(())
    }

    async fn record_sign_in(&mut self, id: UserId, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.execute(
            "UPDATE users SET last_sign_in_at = $1, failed_sign_ins = 0, locked_until = NULL \
             WHERE id = $2",
            &[&millis(now), &id.0],
        )
        .await?;
        Ok(())
    }

    async fn record_failed_sign_in(
        &mut self,
        id: UserId,
        locked_until: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE users SET failed_sign_ins = failed_sign_ins + 1, \
             locked_until = coalesce($1::bigint, locked_until) WHERE id = $2",
            &[&locked_until.map(millis), &id.0],
        )
        .await?;
        Ok(())
    }

    async fn undo_failed_sign_in(
        &mut self,
        id: UserId,
        claimed_lock: Option<DateTime<Utc>>,
        previous_lock: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE users SET failed_sign_ins = greatest(failed_sign_ins - 1, 0), \
             locked_until = CASE WHEN $1::bigint IS NOT NULL AND locked_until = $1::bigint \
             THEN $2::bigint ELSE locked_until END WHERE id = $3",
            &[&claimed_lock.map(millis), &previous_lock.map(millis), &id.0],
        )
        .await?;
        Ok(())
    }

    async fn clear_lockout(&mut self, id: UserId, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.execute(
            "UPDATE users SET failed_sign_ins = 0, locked_until = NULL, updated_at = $1, \
             version = version + 1 WHERE id = $2",
            &[&millis(now), &id.0],
        )
        .await?;
        Ok(())
    }

    async fn replace_password_hash(
        &mut self,
        id: UserId,
        password: &PasswordHash,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE users SET password_hash = $1 WHERE id = $2",
            &[&password.as_str(), &id.0],
        )
        .await?;
        Ok(())
    }

    async fn totp_enrolment(&mut self, id: UserId) -> Result<Option<TotpEnrolment>, StoreError> {
        match self
            .query_opt(
                "SELECT secret, confirmed, last_step FROM totp_enrolments WHERE user_id = $1",
                &[&id.0],
            )
            .await?
        {
            Some(row) => Ok(Some(TotpEnrolment {
                secret: get(&row, 0)?,
                confirmed: get(&row, 1)?,
                last_step: u64::try_from(get::<i64>(&row, 2)?).unwrap_or(0),
            })),
            None => Ok(None),
        }
    }

    async fn start_totp_enrolment(
        &mut self,
        id: UserId,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.execute("DELETE FROM recovery_codes WHERE user_id = $1", &[&id.0])
            .await?;
        self.execute(
            "INSERT INTO totp_enrolments (user_id, secret, confirmed, last_step, created_at) \
             VALUES ($1, $2, FALSE, 0, $3) ON CONFLICT (user_id) DO UPDATE SET \
             secret = excluded.secret, confirmed = FALSE, last_step = 0, created_at = excluded.created_at",
            &[&id.0, &secret, &millis(now)],
        )
        .await?;
        Ok(())
    }

    async fn confirm_totp_enrolment(
        &mut self,
        id: UserId,
        step: u64,
        recovery_code_hashes: &[String],
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE totp_enrolments SET confirmed = TRUE, last_step = $1 WHERE user_id = $2",
            &[&i64::try_from(step).unwrap_or(i64::MAX), &id.0],
        )
        .await?;
        self.execute(
            "INSERT INTO recovery_codes (user_id, code_hash) SELECT $1, unnest($2::text[])",
            &[&id.0, &recovery_code_hashes],
        )
        .await?;
        Ok(())
    }

    async fn record_totp_step(&mut self, id: UserId, step: u64) -> Result<(), StoreError> {
        self.execute(
            "UPDATE totp_enrolments SET last_step = $1 WHERE user_id = $2",
            &[&i64::try_from(step).unwrap_or(i64::MAX), &id.0],
        )
        .await?;
        Ok(())
    }

    async fn unused_recovery_codes(&mut self, id: UserId) -> Result<Vec<String>, StoreError> {
        self.query(
            "SELECT code_hash FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
            &[&id.0],
        )
        .await?
        .iter()
        .map(|row| get(row, 0))
        .collect()
    }

    async fn use_recovery_code(
        &mut self,
        id: UserId,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let used = self
            .execute(
                "UPDATE recovery_codes SET used_at = $1 \
                 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
                &[&millis(now), &id.0, &code_hash],
            )
            .await?;
        Ok(used == 1)
    }

    async fn clear_two_factor(&mut self, id: UserId) -> Result<(), StoreError> {
        self.execute("DELETE FROM recovery_codes WHERE user_id = $1", &[&id.0])
            .await?;
        self.execute("DELETE FROM totp_enrolments WHERE user_id = $1", &[&id.0])
            .await?;
        self.delete_email_code(id).await
    }

    async fn store_email_code(&mut self, id: UserId, code: &EmailCode) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO email_codes (user_id, code_hash, created_at, expires_at, attempts) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO UPDATE SET \
             code_hash = excluded.code_hash, created_at = excluded.created_at, \
             expires_at = excluded.expires_at, attempts = excluded.attempts",
            &[
                &id.0,
                &code.code_hash,
                &millis(code.created_at),
                &millis(code.expires_at),
                &i64::from(code.attempts),
            ],
        )
        .await?;
        Ok(())
    }

    async fn email_code(&mut self, id: UserId) -> Result<Option<EmailCode>, StoreError> {
        match self
            .query_opt(
                "SELECT code_hash, created_at, expires_at, attempts FROM email_codes \
                 WHERE user_id = $1",
                &[&id.0],
            )
            .await?
        {
            Some(row) => Ok(Some(EmailCode {
                code_hash: get(&row, 0)?,
                created_at: time(get(&row, 1)?)?,
                expires_at: time(get(&row, 2)?)?,
                attempts: u32::try_from(get::<i64>(&row, 3)?).unwrap_or(u32::MAX),
            })),
            None => Ok(None),
        }
    }

    async fn record_email_code_attempt(&mut self, id: UserId) -> Result<(), StoreError> {
        self.execute(
            "UPDATE email_codes SET attempts = attempts + 1 WHERE user_id = $1",
            &[&id.0],
        )
        .await?;
        Ok(())
    }

    async fn delete_email_code(&mut self, id: UserId) -> Result<(), StoreError> {
        self.execute("DELETE FROM email_codes WHERE user_id = $1", &[&id.0])
            .await?;
        Ok(())
    }

    async fn count_users(&mut self) -> Result<u64, StoreError> {
        self.count(
            "SELECT coalesce(sum(users), 0)::bigint FROM user_counts",
            &[],
        )
        .await
    }

    async fn count_enabled_members(&mut self, group: GroupId) -> Result<u64, StoreError> {
        self.count(
            "SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.group_id = $1 AND u.status = 'enabled'",
            &[&group.0],
        )
        .await
    }

    async fn user_permissions(&mut self, id: UserId) -> Result<PermissionSet, StoreError> {
        let rows = self
            .query(
                "SELECT g.builtin, p.permission FROM memberships m \
                 JOIN groups g ON g.id = m.group_id \
                 LEFT JOIN group_permissions p ON p.group_id = g.id \
                 WHERE m.user_id = $1",
                &[&id.0],
            )
            .await?;
        let mut codes = Vec::new();
        for row in &rows {
            if get::<bool>(row, 0)? {
                return Ok(PermissionSet::all());
            }
            if let Some(code) = get::<Option<String>>(row, 1)? {
                codes.push(code);
            }
        }
        parse_permissions(codes)
    }

    async fn list_users(&mut self, query: &UserQuery) -> Result<UserPage, StoreError> {
        let mut params = Params::default();
        let mut conditions: Vec<String> = Vec::new();
        let mut join = String::new();
        let search = query.search_text();
        if let Some(text) = &search {
            if text.chars().count() >= 3 {
                // Answered by the trigram indexes.
                let pattern = params.push(contains_pattern(text));
                conditions.push(format!(
                    "(u.name_key LIKE {pattern} OR u.email_normalized LIKE {pattern})"
                ));
            } else {
                let lower = params.push(text.clone());
                let upper = params.push(prefix_upper_bound(text));
                conditions.push(format!(
                    "((u.name_key >= {lower} AND u.name_key < {upper}) OR \
                     (u.email_normalized >= {lower} AND u.email_normalized < {upper}))"
                ));
            }
        }
        if let Some(status) = query.status {
            let status = params.push(status.as_str().to_owned());
            conditions.push(format!("u.status = {status}"));
        }
        // A small group is read from its memberships and sorted; a large one
        // is read in sort order, probing each user's membership, so a page
        // never sorts a large set.
        let mut group_members = None;
        if let Some(group) = query.group {
            let members = self
                .count(
                    "SELECT coalesce((SELECT member_count FROM groups WHERE id = $1), 0)",
                    &[&group.0],
                )
                .await?;
            group_members = Some(members);
            let group = params.push(group.0);
            if members <= SMALL_GROUP {
                join =
                    format!(" JOIN memberships gm ON gm.user_id = u.id AND gm.group_id = {group}");
            } else {
                conditions.push(format!(
                    "EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = {group})"
                ));
            }
        }
        if let Some(supervisor) = query.supervisor {
            let supervisor = params.push(supervisor.0);
            conditions.push(format!("u.supervisor_id = {supervisor}"));
        }
        let where_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let filter_params = params.len();
        let total = match (&search, query.status, group_members, query.supervisor) {
            (None, None, None, None) => Total::exact(
                self.count(
                    "SELECT coalesce(sum(users), 0)::bigint FROM user_counts",
                    &[],
                )
                .await?,
            ),
            (None, Some(status), None, None) => Total::exact(
                self.count(
                    "SELECT coalesce((SELECT users FROM user_counts WHERE status = $1), 0)",
                    &[&status.as_str()],
                )
                .await?,
            ),
            (None, None, Some(members), None) => Total::exact(members),
            _ => {
                let sql = format!(
                    "SELECT count(*) FROM (SELECT 1 FROM users u{join}{where_sql} LIMIT {}) counted",
                    COUNT_CAP + 1
                );
                let refs = params.refs();
                Total::capped(self.count(&sql, &refs[..filter_params]).await?)
            }
        };

        let column = sort_column(query.sort);
        let text_sort = matches!(query.sort, SortField::Name | SortField::Email);
        let ascending = query.direction == Direction::Asc;
        let (comparison, order) = if ascending {
            (">", "ASC")
        } else {
            ("<", "DESC")
        };
        let mut page_conditions = conditions;
        if let Some(cursor) = &query.after {
            let key = match (&cursor.key, text_sort) {
                (SortKey::Text(text), true) => Some(params.push(text.clone())),
                (SortKey::Integer(n), false) => Some(params.push(*n)),
                // A key of the other type (a forged token): SQLite orders
                // every integer before every text, so the page is all or nothing.
                (SortKey::Integer(_), true) => {
                    page_conditions.push(if ascending { "TRUE" } else { "FALSE" }.into());
                    None
                }
                (SortKey::Text(_), false) => {
                    page_conditions.push(if ascending { "FALSE" } else { "TRUE" }.into());
                    None
                }
            };
            if let Some(key) = key {
                let id = params.push(cursor.id);
                page_conditions.push(format!("({column}, u.id) {comparison} ({key}, {id})"));
            }
        }
        let where_sql = if page_conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", page_conditions.join(" AND "))
        };
        let limit = query.limit.clamp(1, UserQuery::MAX_LIMIT);
        let limit_param = params.push(i64::from(limit) + 1);
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u{join}{where_sql} \
             ORDER BY {column} {order}, u.id {order} LIMIT {limit_param}"
        );
        let refs = params.refs();
        let mut rows = self.query_user_rows(&sql, &refs).await?;
        drop(refs);
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
            users: self.complete_users(rows).await?,
            total,
            next,
        })
    }

    async fn insert_client(
        &mut self,
        fields: &ClientFields,
        now: DateTime<Utc>,
    ) -> Result<ClientId, StoreError> {
        let row = self
            .query_one(
                "INSERT INTO clients (name, name_key, email, email_normalized, phone, country, \
                 created_at, updated_at, name_folded) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) \
                 RETURNING id",
                &[
                    &fields.name.as_str(),
                    &fields.name.sort_key(),
                    &fields.email.as_ref().map(Email::as_str),
                    &fields.email.as_ref().map(Email::normalized),
                    &fields.phone.as_ref().map(Phone::as_str),
                    &fields.country.as_ref().map(Country::as_str),
                    &millis(now),
                    &fields.name.folded(),
                ],
            )
            .await?;
        Ok(ClientId(get(&row, 0)?))
    }

    async fn insert_clients(
        &mut self,
        batch: &[ClientFields],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let names: Vec<&str> = batch.iter().map(|f| f.name.as_str()).collect();
        let name_keys: Vec<String> = batch.iter().map(|f| f.name.sort_key()).collect();
        let folded: Vec<String> = batch.iter().map(|f| f.name.folded()).collect();
        let emails: Vec<Option<&str>> = batch
            .iter()
            .map(|f| f.email.as_ref().map(Email::as_str))
            .collect();
        let normalized: Vec<Option<&str>> = batch
            .iter()
            .map(|f| f.email.as_ref().map(Email::normalized))
            .collect();
        let phones: Vec<Option<&str>> = batch
            .iter()
            .map(|f| f.phone.as_ref().map(Phone::as_str))
            .collect();
        let countries: Vec<Option<&str>> = batch
            .iter()
            .map(|f| f.country.as_ref().map(Country::as_str))
            .collect();
        // WITH ORDINALITY keeps the file's order in the ids.
        self.execute(
            "INSERT INTO clients (name, name_key, email, email_normalized, phone, country, \
             created_at, updated_at, name_folded) \
             SELECT name, name_key, email, email_normalized, phone, country, $8, $8, name_folded \
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], \
             $7::text[]) WITH ORDINALITY \
             AS batch(name, name_key, email, email_normalized, phone, country, name_folded, n) \
             ORDER BY n",
            &[
                &names,
                &name_keys,
                &emails,
                &normalized,
                &phones,
                &countries,
                &folded,
                &millis(now),
            ],
        )
        .await?;
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
            .execute(
                "UPDATE clients SET name = $1, name_key = $2, email = $3, email_normalized = $4, \
                 phone = $5, country = $6, updated_at = $7, version = version + 1, name_folded = $10 \
                 WHERE id = $8 AND version = $9",
                &[
                    &fields.name.as_str(),
                    &fields.name.sort_key(),
                    &fields.email.as_ref().map(Email::as_str),
                    &fields.email.as_ref().map(Email::normalized),
                    &fields.phone.as_ref().map(Phone::as_str),
                    &fields.country.as_ref().map(Country::as_str),
                    &millis(now),
                    &id.0,
                    &expected_version,
                    &fields.name.folded(),
                ],
            )
            .await?;
        Ok(changed == 1)
    }

    async fn delete_client(
        &mut self,
        id: ClientId,
        expected_version: i64,
    ) -> Result<bool, StoreError> {
        let deleted = self
            .execute(
                "DELETE FROM clients WHERE id = $1 AND version = $2",
                &[&id.0, &expected_version],
            )
            .await?;
        Ok(deleted == 1)
    }

    async fn client(&mut self, id: ClientId) -> Result<Option<ClientRow>, StoreError> {
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM clients c WHERE c.id = $1");
        match self.query_opt(&sql, &[&id.0]).await? {
            Some(row) => Ok(Some(client_row(&row)?)),
            None => Ok(None),
        }
    }

    async fn list_clients(
        &mut self,
        query: &ClientListing,
        after: Option<&ClientCursor>,
    ) -> Result<ClientRows, StoreError> {
        let mut params = Params::default();
        let mut conditions = client_conditions(query.matching.as_ref(), &mut params);
        let search = query.matching.as_ref();
        let where_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let filter_params = params.len();
        let total = if search.is_none() {
            Total::exact(
                self.count("SELECT clients FROM client_counts WHERE id = 1", &[])
                    .await?,
            )
        } else {
            let sql = format!(
                "SELECT count(*) FROM (SELECT 1 FROM clients c{where_sql} LIMIT {}) counted",
                COUNT_CAP + 1
            );
            let refs = params.refs();
            Total::capped(self.count(&sql, &refs[..filter_params]).await?)
        };
        let column = client_sort_column(query.sort);
        let text_sort = query.sort == ClientSort::Name;
        let ascending = query.direction == Direction::Asc;
        let (comparison, order) = if ascending {
            (">", "ASC")
        } else {
            ("<", "DESC")
        };
        if let Some(cursor) = after {
            let key = match (&cursor.key, text_sort) {
                (SortKey::Text(text), true) => Some(params.push(text.clone())),
                (SortKey::Integer(n), false) => Some(params.push(*n)),
                // A key of the other type (a forged token): as in SQLite,
                // every integer sorts before every text.
                (SortKey::Integer(_), true) => {
                    conditions.push(if ascending { "TRUE" } else { "FALSE" }.into());
                    None
                }
                (SortKey::Text(_), false) => {
                    conditions.push(if ascending { "FALSE" } else { "TRUE" }.into());
                    None
                }
            };
            if let Some(key) = key {
                let id = params.push(cursor.id);
                conditions.push(format!("({column}, c.id) {comparison} ({key}, {id})"));
            }
        }
        let where_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let limit = query.limit.clamp(1, ClientQuery::MAX_LIMIT);
        let limit_param = params.push(i64::from(limit) + 1);
        let sql = format!(
            "SELECT {CLIENT_COLUMNS} FROM clients c{where_sql} \
             ORDER BY {column} {order}, c.id {order} LIMIT {limit_param}"
        );
        let refs = params.refs();
        let found = self.query(&sql, &refs).await?;
        drop(refs);
        let mut rows = found
            .iter()
            .map(client_row)
            .collect::<Result<Vec<_>, _>>()?;
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
            .await
    }

    async fn each_client(
        &mut self,
        listing: &ClientListing,
        each: &mut (dyn FnMut(ClientRow) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError> {
        use futures_util::TryStreamExt;
        let mut params = Params::default();
        let conditions = client_conditions(listing.matching.as_ref(), &mut params);
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
        let refs = params.refs();
        let outcome: Result<Result<(), StoreError>, tokio_postgres::Error> = async {
            let client = self.connection();
            let statement = client.prepare(&sql).await?;
            let rows = client.query_raw(&statement, refs.iter().copied()).await?;
            futures_util::pin_mut!(rows);
            while let Some(row) = rows.try_next().await? {
                if let Err(error) = client_row(&row).and_then(&mut *each) {
                    return Ok(Err(error));
                }
            }
            Ok(Ok(()))
        }
        .await;
        drop(refs);
        match outcome {
            Ok(done) => done,
            Err(error) => Err(self.fail(error)),
        }
    }

    async fn lock_administrators(&mut self) -> Result<(), StoreError> {
        self.query(
            "SELECT id FROM groups WHERE id = $1 FOR UPDATE",
            &[&ADMINISTRATORS.0],
        )
        .await?;
        Ok(())
    }

    async fn insert_group(
        &mut self,
        name: &GroupName,
        description: &Description,
        permissions: &PermissionSet,
        now: DateTime<Utc>,
    ) -> Result<GroupId, StoreError> {
        let result = self
            .execute_raw(
                "INSERT INTO groups (name, name_normalized, description, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $4) RETURNING id",
                &[
                    &name.as_str(),
                    &name.normalized(),
                    &description.as_str(),
                    &millis(now),
                ],
            )
            .await;
        let id = match result {
            Ok(rows) => match rows.first() {
                Some(row) => GroupId(get(row, 0)?),
                None => {
                    return Err(StoreError::Internal {
                        detail: "insert returned no id".into(),
                    })
                }
            },
            Err(error) if is_unique_violation(&error, "groups_name_normalized") => {
                return Err(StoreError::DuplicateGroupName {
                    name: name.as_str().to_owned(),
                })
            }
            Err(error) => return Err(store_error(error, &self.server)),
        };
        self.write_group_permissions(id, permissions).await?;
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
        let result = self
            .execute_raw(
                "UPDATE groups SET name = $1, name_normalized = $2, description = $3, updated_at = $4, \
                 version = version + 1 WHERE id = $5 AND version = $6 RETURNING builtin",
                &[
                    &name.as_str(),
                    &name.normalized(),
                    &description.as_str(),
                    &millis(now),
                    &id.0,
                    &expected_version,
                ],
            )
            .await;
        match result {
            Ok(rows) => match rows.first() {
                Some(row) => {
                    if !get::<bool>(row, 0)? {
                        self.write_group_permissions(id, permissions).await?;
                    }
                    Ok(true)
                }
                None => Ok(false),
            },
            Err(error) if is_unique_violation(&error, "groups_name_normalized") => {
                Err(StoreError::DuplicateGroupName {
                    name: name.as_str().to_owned(),
                })
            }
            Err(error) => Err(store_error(error, &self.server)),
        }
    }

    async fn delete_group(&mut self, id: GroupId) -> Result<bool, StoreError> {
        if id == ADMINISTRATORS {
            return Ok(false);
        }
        let deleted = self
            .execute("DELETE FROM groups WHERE id = $1 AND NOT builtin", &[&id.0])
            .await?;
        Ok(deleted == 1)
    }

    async fn group(&mut self, id: GroupId) -> Result<Option<Group>, StoreError> {
        Ok(self.read_groups(Some(id.0)).await?.into_iter().next())
    }

    async fn group_id_by_name(&mut self, normalized: &str) -> Result<Option<GroupId>, StoreError> {
        Ok(self
            .find_id(
                "SELECT id FROM groups WHERE name_normalized = $1",
                normalized,
            )
            .await?
            .map(GroupId))
    }

    async fn groups(&mut self) -> Result<Vec<Group>, StoreError> {
        self.read_groups(None).await
    }

    async fn append_audit(&mut self, event: &NewAuditEvent) -> Result<(), StoreError> {
        let changes =
            serde_json::to_string(&event.changes).map_err(|error| StoreError::Internal {
                detail: error.to_string(),
            })?;
        self.execute(
            "INSERT INTO audit_events (at, operator_id, operator_label, action, target_kind, target_id, \
             target_label, target_label_normalized, changes) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CAST($9::text AS json))",
            &[
                &millis(event.at),
                &event.operator.map(|o| o.0),
                &event.operator_label,
                &event.action,
                &event.target_kind.as_str(),
                &event.target_id,
                &event.target_label,
                &event.target_label.to_lowercase(),
                &changes,
            ],
        )
        .await?;
        Ok(())
    }

    async fn audit_events(&mut self, query: &AuditQuery) -> Result<Vec<AuditEvent>, StoreError> {
        let mut params = Params::default();
        let mut conditions: Vec<String> = Vec::new();
        if let Some(label) = &query.target_label {
            let label = params.push(label.trim().to_lowercase());
            conditions.push(format!("target_label_normalized = {label}"));
        }
        if let Some(kind) = query.target_kind {
            let kind = params.push(kind.as_str().to_owned());
            conditions.push(format!("target_kind = {kind}"));
        }
        if let Some(kind) = query.except_kind {
            let kind = params.push(kind.as_str().to_owned());
            conditions.push(format!("target_kind <> {kind}"));
        }
        if let Some(target) = query.target_id {
            let target = params.push(target);
            conditions.push(format!("target_id = {target}"));
        }
        if let Some(operator) = query.operator {
            let operator = params.push(operator.0);
            conditions.push(format!("operator_id = {operator}"));
        }
        if let Some(action) = &query.action {
            let action = params.push(action.clone());
            conditions.push(format!("action = {action}"));
        }
        if let Some(before) = query.before_id {
            let before = params.push(before);
            conditions.push(format!("id < {before}"));
        }
        let where_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let limit = params.push(i64::from(query.limit.clamp(1, 10_000)));
        let sql = format!(
            "SELECT id, at, operator_id, operator_label, action, target_kind, target_id, \
             target_label, changes::text FROM audit_events{where_sql} ORDER BY id DESC LIMIT {limit}"
        );
        let refs = params.refs();
        let rows = self.query(&sql, &refs).await?;
        drop(refs);
        rows.iter()
            .map(|row| {
                let id: i64 = get(row, 0)?;
                let kind: String = get(row, 5)?;
                let changes: String = get(row, 8)?;
                Ok(AuditEvent {
                    id,
                    at: time(get(row, 1)?)?,
                    operator: get::<Option<i64>>(row, 2)?.map(UserId),
                    operator_label: get(row, 3)?,
                    action: get(row, 4)?,
                    target_kind: TargetKind::parse_stored(&kind)
                        .ok_or_else(|| corrupt("audit target", &kind))?,
                    target_id: get(row, 6)?,
                    target_label: get(row, 7)?,
                    changes: serde_json::from_str::<Vec<FieldChange>>(&changes)
                        .map_err(|_| corrupt("audit changes of event", &id.to_string()))?,
                })
            })
            .collect()
    }

    async fn setting(&mut self, key: &str) -> Result<Option<String>, StoreError> {
        match self
            .query_opt("SELECT value FROM settings WHERE key = $1", &[&key])
            .await?
        {
            Some(row) => Ok(Some(get(&row, 0)?)),
            None => Ok(None),
        }
    }

    async fn set_setting(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&key, &value],
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_matched_literally() {
        assert_eq!(contains_pattern("ann"), "%ann%");
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn each_directory_gets_its_own_lock_keys() {
        assert_eq!(lock_key("write", "a"), lock_key("write", "a"));
        assert_ne!(lock_key("write", "a"), lock_key("write", "b"));
        assert_ne!(lock_key("write", "a"), lock_key("migrate", "a"));
    }
}
