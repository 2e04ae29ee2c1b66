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

pub mod maintenance;
mod search_keys;
mod sql_connection;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use deadpool_postgres::{
    ClientWrapper, Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod, Runtime,
    TimeoutType,
};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{FromSql, ToSql};
use tokio_postgres::{NoTls, Row};

use crate::server_config::CONNECT_TIMEOUT;
pub use crate::server_config::{PgConfig, TlsMode, DEFAULT_PORT};

use super::{opened_by, AuditTx, CopyTx, Store, StoreError, Tx, TxMode, ADMINISTRATORS};

mod embedded {
    refinery::embed_migrations!("src/store/postgres/migrations");
}

const POOL_SIZE: usize = 8;
/// How long a call waits for a free pooled connection.
const POOL_WAIT: Duration = Duration::from_secs(5);

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
        let store = PostgresStore {
            pool,
            writer_lock: lock_key("write", &schema),
            config,
        };
        store.chain_existing_audit().await?;
        Ok(store)
    }

    /// Chains the audit events written before the chain existed (schema
    /// V6), once, under the writer lock (the first instance to open the
    /// directory does it; the others then find it done).
    async fn chain_existing_audit(&self) -> Result<(), StoreError> {
        let mut tx = self.transaction(TxMode::Read).await?;
        let head =
            super::sql::query_opt(&mut tx, "SELECT chained FROM audit_chain WHERE id = 1", &[])
                .await?;
        let chained = match head {
            Some(row) => row.bool(0)?,
            None => false,
        };
        drop(tx);
        if chained {
            return Ok(());
        }
        let mut tx = self.transaction(TxMode::Write).await?;
        tx.chain_existing_events().await?;
        Box::new(tx).commit().await
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
        tx.is_empty_directory().await
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
            writer_lock: self.writer_lock,
        };
        let begin = match mode {
            TxMode::Read => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY".to_owned(),
            TxMode::Write => format!(
                "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock({})",
                self.writer_lock
            ),
            TxMode::Stage => "BEGIN ISOLATION LEVEL READ COMMITTED".to_owned(),
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
    let fail = |error: tokio_postgres::Error| match server_words(&error).map(str::to_owned) {
        Some(words) => StoreError::Open {
            reason: format!(
                "the schema cannot be prepared on {} ({words}).",
                config.server()
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
    ensure_known_schema(client)
        .await
        .map_err(|error| match error {
            KnownSchema::Refused(error) => error,
            KnownSchema::Failed(error) => fail(error),
        })?;
    embedded::migrations::runner()
        .run_async(client)
        .await
        .map_err(|error| StoreError::Open {
            reason: format!(
                "its schema cannot be brought up to date ({error}{}).",
                server_words(&error)
                    .map(|words| format!(": {words}"))
                    .unwrap_or_default()
            ),
        })?;
    client
        .execute(opened_by::RECORD, &[&opened_by::ROSTER_VERSION])
        .await
        .map_err(fail)?;
    fold_missing_names(client).await.map_err(fail)?;
    search_keys::key_pending_names(client).await.map_err(fail)?;
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

/// The server's own words for why a statement failed, found in an error
/// or among its causes (refinery names the migration and says only "db
/// error"; a `tokio_postgres::Error`'s cause is the server's error); `None`
/// when the server gave none. Only the one-line message, never its detail
/// or hint, which may hold a row's values.
fn server_words<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a str> {
    std::iter::successors(Some(error), |error| error.source())
        .find_map(|error| error.downcast_ref::<tokio_postgres::error::DbError>())
        .map(tokio_postgres::error::DbError::message)
}

enum KnownSchema {
    Refused(StoreError),
    Failed(tokio_postgres::Error),
}

/// Refuses a directory migrated by a newer Roster, before the migrations
/// touch it; run under the migration lock.
async fn ensure_known_schema(client: &tokio_postgres::Client) -> Result<(), KnownSchema> {
    let row = client
        .query_one(
            "SELECT to_regclass('refinery_schema_history') IS NOT NULL",
            &[],
        )
        .await
        .map_err(KnownSchema::Failed)?;
    let has_history: bool = row.try_get(0).map_err(KnownSchema::Failed)?;
    if !has_history {
        return Ok(());
    }
    let row = client
        .query_one(opened_by::APPLIED, &[])
        .await
        .map_err(KnownSchema::Failed)?;
    let applied = row
        .try_get::<_, Option<i32>>(0)
        .map_err(KnownSchema::Failed)?
        .map(i64::from);
    let latest = embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|migration| i64::from(migration.version()))
        .max()
        .unwrap_or(0);
    let opened_by = match applied {
        Some(applied) if applied > latest => client
            .query_opt(opened_by::READ, &[])
            .await
            .ok()
            .flatten()
            .and_then(|row| row.try_get::<_, String>(0).ok()),
        _ => None,
    };
    opened_by::ensure_known_schema(applied, latest, opened_by).map_err(KnownSchema::Refused)
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

// --- values ---------------------------------------------------------------------

fn get<'a, T: FromSql<'a>>(row: &'a Row, index: usize) -> Result<T, StoreError> {
    row.try_get(index).map_err(|error| StoreError::Corrupt {
        detail: format!("column {index}: {error}"),
    })
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
    /// The advisory lock key that serialises this directory's writers.
    writer_lock: i64,
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

    async fn pg_execute(
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

    async fn lock_writer(&mut self) -> Result<(), StoreError> {
        // Transaction-level advisory locks stack: taking it again in a
        // write transaction that holds it already costs one round trip.
        let lock = format!("SELECT pg_advisory_xact_lock({})", self.writer_lock);
        self.batch(&lock).await
    }

    async fn lock_administrators(&mut self) -> Result<(), StoreError> {
        self.rows(
            "SELECT id FROM groups WHERE id = $1 FOR UPDATE",
            &[ADMINISTRATORS.0.into()],
        )
        .await?;
        Ok(())
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_directory_gets_its_own_lock_keys() {
        assert_eq!(lock_key("write", "a"), lock_key("write", "a"));
        assert_ne!(lock_key("write", "a"), lock_key("write", "b"));
        assert_ne!(lock_key("write", "a"), lock_key("migrate", "a"));
    }
}
