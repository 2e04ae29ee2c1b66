//! Statements about a whole schema that only the benchmark needs: dropping
//! its throw-away schema, gathering planner statistics after a bulk load
//! and measuring its size.
//! Kept here so that no SQL lives outside `store/`.

use crate::store::postgres::{PgConfig, TlsMode};
use crate::store::StoreError;

/// Drops `config.schema` with everything in it (a benchmark's throw-away
/// schema). Refuses a config without a schema, so a whole database's tables
/// are never at stake. With TLS, the certificate must verify (as
/// `sslmode=verify-full`).
pub async fn drop_postgres_schema(config: &PgConfig) -> std::result::Result<(), StoreError> {
    let (client, schema) = bench_client(config).await?;
    // Checked by `bench_client`: a plain lowercase identifier.
    client
        .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
        .await
        .map_err(|error| bench_error(&schema, error))
}

/// Writes out what a bulk load left changed in the server's memory (a
/// checkpoint), so that the measurements after it do not pay for the
/// load's writes: a checkpoint that starts during one makes it write whole
/// pages again. Needs a superuser or the role `pg_checkpoint`.
pub async fn checkpoint_postgres(config: &PgConfig) -> std::result::Result<(), StoreError> {
    let (client, schema) = bench_client(config).await?;
    client
        .batch_execute("CHECKPOINT")
        .await
        .map_err(|error| bench_error(&schema, error))
}

/// Vacuums every table of `config.schema` and gathers the planner's
/// statistics, as autovacuum would soon after a bulk load (PostgreSQL 13
/// and later vacuum a table after many inserts): without statistics
/// PostgreSQL plans the first queries on a freshly seeded schema blind, and
/// until a vacuum every trigram search reads the GIN indexes' pending lists
/// of new entries whole (817 pages for a search of nothing among a million
/// clients, 5.7 ms; 20 pages after).
pub async fn analyze_postgres_schema(config: &PgConfig) -> std::result::Result<(), StoreError> {
    let (client, schema) = bench_client(config).await?;
    let tables = client
        .query(
            "SELECT tablename::text FROM pg_catalog.pg_tables WHERE schemaname = $1",
            &[&schema],
        )
        .await
        .map_err(|error| bench_error(&schema, error))?;
    let tables: Vec<String> = tables
        .iter()
        .map(|row| {
            format!(
                "\"{schema}\".\"{}\"",
                row.get::<_, String>(0).replace('"', "\"\"")
            )
        })
        .collect();
    if tables.is_empty() {
        return Ok(());
    }
    client
        .batch_execute(&format!("VACUUM (ANALYZE) {}", tables.join(", ")))
        .await
        .map_err(|error| bench_error(&schema, error))
}

/// The size on disk of every table of `config.schema`, bytes: its rows,
/// indexes and TOAST (`pg_total_relation_size`), as a seeded benchmark
/// store weighs.
pub async fn postgres_schema_bytes(config: &PgConfig) -> std::result::Result<u64, StoreError> {
    let (client, schema) = bench_client(config).await?;
    let row = client
        .query_one(
            "SELECT COALESCE(sum(pg_catalog.pg_total_relation_size(c.oid)), 0)::bigint \
             FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')",
            &[&schema],
        )
        .await
        .map_err(|error| bench_error(&schema, error))?;
    Ok(u64::try_from(row.get::<_, i64>(0)).unwrap_or(0))
}

fn bench_error(schema: &str, error: tokio_postgres::Error) -> StoreError {
    StoreError::Internal {
        detail: format!("benchmark schema {schema}: {error}"),
    }
}

/// A connection for the benchmark's own statements, and the schema (a
/// checked plain lowercase identifier) they are about.
async fn bench_client(
    config: &PgConfig,
) -> std::result::Result<(tokio_postgres::Client, String), StoreError> {
    use secrecy::ExposeSecret;

    let Some(schema) = config.schema.clone() else {
        return Err(StoreError::Internal {
            detail: "the benchmark's schema must be named".into(),
        });
    };
    if schema.is_empty()
        || !schema
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(StoreError::Internal {
            detail: format!("“{schema}” is not a benchmark schema name"),
        });
    }
    let mut driver = tokio_postgres::Config::new();
    driver
        .host(&config.host)
        .port(config.port)
        .dbname(&config.database)
        .user(&config.user)
        .application_name("roster bench")
        .connect_timeout(std::time::Duration::from_secs(5));
    if let Some(password) = &config.password {
        driver.password(password.expose_secret().as_bytes());
    }
    let client = if config.tls == TlsMode::Disable {
        let (client, connection) = driver
            .connect(tokio_postgres::NoTls)
            .await
            .map_err(|error| bench_error(&schema, error))?;
        tokio::spawn(connection);
        client
    } else {
        driver.ssl_mode(tokio_postgres::config::SslMode::Require);
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| StoreError::Internal {
                detail: error.to_string(),
            })?
            .with_root_certificates(rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            })
            .with_no_client_auth();
        let (client, connection) = driver
            .connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
            .await
            .map_err(|error| bench_error(&schema, error))?;
        tokio::spawn(connection);
        client
    };
    Ok((client, schema))
}
