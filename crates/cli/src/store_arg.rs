//! What a store argument (`--store`, `ROSTER_STORE`, `store copy --from` /
//! `--to`) names, and opening it.
//!
//! A store is either a SQLite file (a plain path, or `sqlite:PATH`) or a
//! directory on a PostgreSQL server (`postgres://USER@HOST[:PORT]/DATABASE`
//! with optional `?sslmode=…&schema=…`, `postgresql://` too; parsed by the
//! core's [`PgConfig::from_url`]).
//!
//! The server's password is never required on the command line. It is taken,
//! in this order, from the URL (with a warning: other users can see it), the
//! `PGPASSWORD` environment variable, or the OS keychain entry the desktop
//! app keeps for that server and TLS mode (the core's
//! `secrets::server_entry`, `store:USER@HOST:PORT/DATABASE?sslmode=MODE`:
//! a password saved for a TLS connection is never sent over a plain one);
//! with none of them Roster connects without a password (trust or peer
//! authentication).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, bail};
use roster_core::secrets::{Keychain, Secrets};
use roster_core::store::postgres::{PgConfig, PostgresStore};
use roster_core::store::sqlite::SqliteStore;
use roster_core::store::Store;
use secrecy::SecretString;
use serde::Serialize;

/// The environment variable a PostgreSQL password is read from (libpq's).
pub const PASSWORD_ENV: &str = "PGPASSWORD";

/// The prefix that marks a SQLite path explicitly.
const SQLITE_PREFIX: &str = "sqlite:";

/// A store as named on the command line, not opened yet.
#[derive(Debug, Clone)]
pub enum StoreArg {
    Sqlite(PathBuf),
    /// The URL's password, if it carried one, is in the config.
    Postgres(PgConfig),
}

/// Where the password for a PostgreSQL store came from (never the password).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordSource {
    Url,
    Environment,
    Keychain,
    None,
}

impl StoreArg {
    /// The store `value` names, or the desktop app's local store when there
    /// is none.
    pub fn resolve(value: Option<&OsStr>) -> anyhow::Result<StoreArg> {
        match value {
            Some(value) => StoreArg::parse(value),
            None => roster_core::paths::default_store_path()
                .map(StoreArg::Sqlite)
                .ok_or_else(|| {
                    anyhow!(
                        "This system has no app-data folder for Roster's store; name one with --store PATH."
                    )
                }),
        }
    }

    /// Parses a store argument; prints the warning when a URL carries a
    /// password.
    pub fn parse(value: &OsStr) -> anyhow::Result<StoreArg> {
        let arg = Self::parse_quietly(value)?;
        if let StoreArg::Postgres(config) = &arg {
            if config.password.is_some() {
                warn_password_in_url();
            }
        }
        Ok(arg)
    }

    fn parse_quietly(value: &OsStr) -> anyhow::Result<StoreArg> {
        if value.to_str().is_some_and(|text| text.trim().is_empty()) {
            bail!("The store is empty; name a SQLite file (PATH) or a PostgreSQL directory (postgres://USER@HOST/DATABASE).");
        }
        let Some(text) = value.to_str() else {
            // Not UTF-8, so neither a URL nor `sqlite:`: a path.
            return Ok(StoreArg::Sqlite(PathBuf::from(value)));
        };
        let lower = text.trim_start().to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(StoreArg::Postgres(PgConfig::from_url(text)?));
        }
        if let Some(path) = text.strip_prefix(SQLITE_PREFIX) {
            if path.is_empty() {
                bail!("sqlite: needs the file's path after it (sqlite:PATH).");
            }
            return Ok(StoreArg::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = text.split_once("://") {
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            {
                bail!(
                    "{scheme}:// stores are not supported; name a SQLite file (PATH or sqlite:PATH) \
                     or a PostgreSQL directory (postgres://USER@HOST/DATABASE)."
                );
            }
        }
        Ok(StoreArg::Sqlite(PathBuf::from(text)))
    }

    /// "sqlite" or "postgres".
    pub fn kind(&self) -> &'static str {
        match self {
            StoreArg::Sqlite(_) => "sqlite",
            StoreArg::Postgres(_) => "postgres",
        }
    }

    /// The SQLite file, when this is one.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            StoreArg::Sqlite(path) => Some(path),
            StoreArg::Postgres(_) => None,
        }
    }

    /// Where the store is, for people, in the words of the stores'
    /// `describe()`, without opening (or creating) anything.
    pub fn describe(&self) -> String {
        match self {
            StoreArg::Sqlite(path) => format!("SQLite file {}", path.display()),
            StoreArg::Postgres(config) => match &config.schema {
                Some(schema) => format!(
                    "PostgreSQL database {} (schema {schema}) on {}",
                    config.database,
                    config.server()
                ),
                None => format!(
                    "PostgreSQL database {} on {}",
                    config.database,
                    config.server()
                ),
            },
        }
    }

    /// The connection settings with the password found as the module
    /// comment says, and where it came from.
    pub async fn postgres_config(config: &PgConfig) -> (PgConfig, PasswordSource) {
        let mut config = config.clone();
        let name = keychain_name(&config);
        let (password, source) = choose_password(
            config.password.take(),
            std::env::var(PASSWORD_ENV).ok(),
            || async move {
                // The keychain may block (D-Bus); keep it off the runtime's thread.
                tokio::task::spawn_blocking(move || Keychain::from_env().get(&name))
                    .await
                    .ok()
                    .and_then(Result::ok)
                    .flatten()
            },
        )
        .await;
        config.password = password;
        (config, source)
    }

    /// Opens (for SQLite: creates, if absent) the store and brings its
    /// schema up to date: `roster init` and the target of `store copy` only.
    pub async fn open(&self) -> anyhow::Result<Arc<dyn Store>> {
        Ok(match self {
            StoreArg::Sqlite(path) => Arc::new(SqliteStore::open(path)?.with_sealing(keychain())),
            StoreArg::Postgres(_) => self.connect().await?,
        })
    }

    /// Opens a store that exists: for SQLite, a missing file is an error
    /// and no file or folder is created.
    pub async fn open_existing(&self) -> anyhow::Result<Arc<dyn Store>> {
        Ok(match self {
            StoreArg::Sqlite(path) => {
                if !path.is_file() {
                    bail!(
                        "{} does not exist; `roster init` creates a new store there.",
                        self.describe()
                    );
                }
                Arc::new(SqliteStore::open_existing(path)?.with_sealing(keychain()))
            }
            StoreArg::Postgres(_) => self.connect().await?,
        })
    }

    async fn connect(&self) -> anyhow::Result<Arc<dyn Store>> {
        let StoreArg::Postgres(config) = self else {
            bail!("{} is not a PostgreSQL directory.", self.describe());
        };
        let (config, _) = Self::postgres_config(config).await;
        Ok(Arc::new(PostgresStore::connect(config).await?))
    }
}

/// The keychain that seals a local store's authenticator secrets, as the
/// desktop app's (see `roster_core::sealing`).
fn keychain() -> Arc<dyn Secrets> {
    Arc::new(Keychain::from_env())
}

/// The keychain entry the desktop app files this server's password under
/// for this TLS mode (the core's `secrets::server_entry`).
pub fn keychain_name(config: &PgConfig) -> String {
    roster_core::secrets::server_entry(config)
}

/// The URL's password, else the environment's (when not empty), else the
/// keychain's (only asked when needed), else none.
async fn choose_password<F>(
    in_url: Option<SecretString>,
    in_env: Option<String>,
    keychain: impl FnOnce() -> F,
) -> (Option<SecretString>, PasswordSource)
where
    F: std::future::Future<Output = Option<SecretString>>,
{
    if let Some(password) = in_url {
        return (Some(password), PasswordSource::Url);
    }
    if let Some(password) = in_env.filter(|p| !p.is_empty()) {
        return (
            Some(SecretString::from(password)),
            PasswordSource::Environment,
        );
    }
    match keychain().await {
        Some(password) => (Some(password), PasswordSource::Keychain),
        None => (None, PasswordSource::None),
    }
}

fn warn_password_in_url() {
    eprintln!(
        "roster: warning: the store URL contains a password, which other users of this computer \
         can see (process list, shell history); set {PASSWORD_ENV} or keep it in the keychain instead."
    );
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    fn parse(text: &str) -> anyhow::Result<StoreArg> {
        StoreArg::parse_quietly(OsStr::new(text))
    }

    #[test]
    fn paths_and_sqlite_prefixes_name_sqlite_files() {
        for (text, path) in [
            ("roster.sqlite3", "roster.sqlite3"),
            ("/tmp/a b/roster.sqlite3", "/tmp/a b/roster.sqlite3"),
            ("sqlite:/tmp/roster.sqlite3", "/tmp/roster.sqlite3"),
            ("sqlite:relative.db", "relative.db"),
        ] {
            match parse(text).unwrap() {
                StoreArg::Sqlite(found) => assert_eq!(found, PathBuf::from(path), "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        assert!(parse("sqlite:").is_err());
        for empty in ["", "  "] {
            let error = parse(empty).unwrap_err().to_string();
            assert!(error.starts_with("The store is empty"), "{error}");
        }
    }

    #[test]
    fn postgres_urls_are_parsed_by_the_core() {
        for text in [
            "postgres://roster@db.example.com/roster",
            "postgresql://roster@127.0.0.1:6432/roster?schema=team_a",
        ] {
            assert_eq!(parse(text).unwrap().kind(), "postgres", "{text}");
        }
        let error = parse("postgres://roster@db.example.com").unwrap_err();
        assert!(error.to_string().contains("names no database"), "{error}");
    }

    #[test]
    fn other_url_schemes_are_refused() {
        let error = parse("mysql://u@h/d").unwrap_err().to_string();
        assert!(
            error.contains("mysql:// stores are not supported"),
            "{error}"
        );
    }

    #[test]
    fn descriptions_match_the_stores_own() {
        assert_eq!(
            parse("sqlite:/tmp/r.sqlite3").unwrap().describe(),
            "SQLite file /tmp/r.sqlite3"
        );
        assert_eq!(
            parse("postgres://u@127.0.0.1/dir?schema=team_a")
                .unwrap()
                .describe(),
            "PostgreSQL database dir (schema team_a) on 127.0.0.1:5432"
        );
        assert_eq!(
            parse("postgres://u@db.example.com:6432/dir")
                .unwrap()
                .describe(),
            "PostgreSQL database dir on db.example.com:6432"
        );
    }

    #[test]
    fn the_keychain_name_is_the_desktop_apps() {
        let StoreArg::Postgres(config) =
            parse("postgres://ada:pw@db.example.com/roster?schema=x").unwrap()
        else {
            panic!("a postgres URL");
        };
        assert_eq!(
            keychain_name(&config),
            "store:ada@db.example.com:5432/roster?sslmode=verify-full"
        );
    }

    fn secret(text: &str) -> Option<SecretString> {
        Some(SecretString::from(text.to_owned()))
    }

    fn exposed(found: &(Option<SecretString>, PasswordSource)) -> (Option<String>, PasswordSource) {
        (
            found.0.as_ref().map(|p| p.expose_secret().to_owned()),
            found.1,
        )
    }

    #[tokio::test]
    async fn the_password_comes_from_the_url_then_the_environment_then_the_keychain() {
        let url = choose_password(secret("u"), Some("e".into()), || async { secret("k") }).await;
        assert_eq!(exposed(&url), (Some("u".into()), PasswordSource::Url));
        let env = choose_password(None, Some("e".into()), || async {
            panic!("the keychain is not asked when the environment has a password")
        })
        .await;
        assert_eq!(
            exposed(&env),
            (Some("e".into()), PasswordSource::Environment)
        );
        let keychain = choose_password(None, Some(String::new()), || async { secret("k") }).await;
        assert_eq!(
            exposed(&keychain),
            (Some("k".into()), PasswordSource::Keychain)
        );
        let none = choose_password(None, None, || async { None }).await;
        assert_eq!(exposed(&none), (None, PasswordSource::None));
    }
}
