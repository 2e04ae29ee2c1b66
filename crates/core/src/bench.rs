//! Benchmark seeding: fills a store with many generated users quickly.
//!
//! This is the only path that writes users without the services' checks and
//! without a real Argon2id hash per user: every seeded user shares one hash
//! made by [`Hasher::fast_for_bench_only`], which a normal sign-in would flag
//! for rehashing. Use it for benchmark stores only, never for a real directory.
//!
//! [`drop_postgres_schema`] removes the throw-away schema a PostgreSQL
//! benchmark seeded: the one statement outside `store/`, for benchmark
//! schemas only.

use chrono::{Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::domain::{
    Description, Email, GroupId, GroupName, Permission, PermissionSet, Status, TwoFactor, UserId,
    UserName,
};
use crate::error::Result;
use crate::model::UserFields;
use crate::password::{Hasher, PlainPassword};
use crate::store::postgres::{PgConfig, TlsMode};
use crate::store::{Store, StoreError, TxMode, ADMINISTRATORS};

const FIRST_NAMES: &[&str] = &[
    "Ann", "Ben", "Chloé", "Dmitri", "Eva", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemal",
    "Lena", "Marta", "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sven", "Tariq", "Ursula", "Vera",
    "Wen", "Xavier", "Yusuf", "Zoë",
];
const LAST_NAMES: &[&str] = &[
    "Andersen", "Brown", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Horvat", "Ivanova",
    "Jensen", "Kowalski", "Lambert", "Müller", "Novak", "O'Brien", "Petrov", "Rossi", "Schmidt",
    "Tanaka", "Usman", "Virtanen", "Weber", "Yilmaz", "Zhang",
];
const GROUPS: &[&str] = &["Sales", "Support", "Compliance", "Finance", "Operations"];

/// Seeds `users` generated users (plus five groups, supervisors for most,
/// spread-out creation times) in batches of `batch` per
/// transaction, calling `progress` with the number written so far.
/// Deterministic for a given count.
pub async fn seed(
    store: &dyn Store,
    users: usize,
    batch: usize,
    mut progress: impl FnMut(usize),
) -> Result<()> {
    let hash = Hasher::fast_for_bench_only().hash(&PlainPassword::new("bench-only password"))?;
    let mut rng = StdRng::seed_from_u64(users as u64);
    let now = Utc::now();

    let mut group_ids: Vec<GroupId> = Vec::new();
    {
        let mut tx = store.begin(TxMode::Write).await?;
        for name in GROUPS {
            let permissions: PermissionSet = [Permission::UsersView, Permission::ClientsView]
                .into_iter()
                .collect();
            let id = tx
                .insert_group(
                    &GroupName::parse(name)?,
                    &Description::default(),
                    &permissions,
                    now,
                )
                .await?;
            group_ids.push(id);
        }
        tx.commit().await?;
    }

    let mut written = 0usize;
    let mut managers: Vec<UserId> = Vec::new();
    while written < users {
        let mut tx = store.begin(TxMode::Write).await?;
        let end = (written + batch.max(1)).min(users);
        for n in written..end {
            let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
            let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
            let name = UserName::parse(&format!("{first} {last}"))?;
            let email = Email::parse(&format!(
                "{}.{}.{n}@example.com",
                first.to_lowercase(),
                last.to_lowercase().replace('\'', "")
            ))?;
            let supervisor = (!managers.is_empty() && rng.gen_bool(0.8))
                .then(|| managers[rng.gen_range(0..managers.len())]);
            let fields = UserFields {
                name,
                email,
                status: if rng.gen_bool(0.9) {
                    Status::Enabled
                } else {
                    Status::Disabled
                },
                supervisor,
                must_change_password: rng.gen_bool(0.05),
                mask_client_data: rng.gen_bool(0.3),
                two_factor: if rng.gen_bool(0.5) {
                    TwoFactor::Totp
                } else {
                    TwoFactor::Off
                },
            };
            let created = now - Duration::minutes(rng.gen_range(0..60 * 24 * 365 * 3));
            let id = tx.insert_user(&fields, &hash, created).await?;
            let group = if n == 0 {
                ADMINISTRATORS
            } else {
                group_ids[rng.gen_range(0..group_ids.len())]
            };
            tx.set_memberships(id, &[group]).await?;
            if managers.len() < 1000 && rng.gen_bool(0.05) {
                managers.push(id);
            }
        }
        tx.commit().await?;
        written = end;
        progress(written);
    }
    Ok(())
}

/// Drops `config.schema` with everything in it (a benchmark's throw-away
/// schema). Refuses a config without a schema, so a whole database's tables
/// are never at stake. With TLS, the certificate must verify (as
/// `sslmode=verify-full`).
pub async fn drop_postgres_schema(config: &PgConfig) -> std::result::Result<(), StoreError> {
    use secrecy::ExposeSecret;

    let Some(schema) = config.schema.as_deref() else {
        return Err(StoreError::Internal {
            detail: "a benchmark schema to drop must be named".into(),
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
    let failed = |error: tokio_postgres::Error| StoreError::Internal {
        detail: format!("dropping schema {schema}: {error}"),
    };
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
            .map_err(failed)?;
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
            .map_err(failed)?;
        tokio::spawn(connection);
        client
    };
    // Checked above: a plain lowercase identifier.
    client
        .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
        .await
        .map_err(failed)
}
