//! Passwords Roster must remember for the machine (the directory server's,
//! the mail server's) live only in the operating system's keychain: macOS
//! Keychain, Windows Credential Manager, the Secret Service on Linux. Never
//! in the store, a settings file, a log or an error.
//!
//! [`Keychain`] wraps the `keyring` crate. Tests (and the end-to-end runs of
//! the app, through `ROSTER_KEYCHAIN=mock`) use `keyring`'s mock store,
//! which keeps secrets in this process only.

use std::collections::HashMap;
use std::sync::Mutex;

use secrecy::{ExposeSecret, SecretString};

use crate::server_config::PgConfig;

/// The keychain service name every Roster secret is filed under.
pub const SERVICE: &str = "com.roster.desktop";

/// The keychain entry for a directory server's password:
/// `store:USER@HOST:PORT/DATABASE?sslmode=MODE`. The TLS mode is part of
/// the name, so a password saved for an encrypted connection is never found
/// (and sent) for a plain one to the same address. The desktop app and the
/// command line both file and look up passwords under this name.
pub fn server_entry(config: &PgConfig) -> String {
    format!(
        "store:{}@{}:{}/{}?sslmode={}",
        config.user,
        config.host,
        config.port,
        config.database,
        config.tls.as_str()
    )
}

/// The name earlier versions filed a server's password under, without its
/// TLS mode. Read only to move a password to [`server_entry`] for the server
/// and TLS mode this computer already chose (`store.json`).
pub fn legacy_server_entry(config: &PgConfig) -> String {
    format!(
        "store:{}@{}:{}/{}",
        config.user, config.host, config.port, config.database
    )
}

/// Why the keychain could not be used, for people.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("The system keychain is not available ({detail}); the password cannot be kept on this computer.")]
    Unavailable { detail: String },
    #[error("The system keychain refused to {action} the password ({detail}).")]
    Refused {
        action: &'static str,
        detail: String,
    },
}

/// Where a named secret is kept.
pub trait Secrets: Send + Sync {
    fn get(&self, name: &str) -> Result<Option<SecretString>, SecretsError>;
    fn set(&self, name: &str, value: &SecretString) -> Result<(), SecretsError>;
    /// Forgets the secret; forgetting one that is not there is fine.
    fn delete(&self, name: &str) -> Result<(), SecretsError>;
}

/// The OS keychain. Entries are kept for the life of the value, so the mock
/// store (which keeps a secret in its entry) behaves like a real keychain
/// within one process.
pub struct Keychain {
    entries: Mutex<HashMap<String, keyring::Entry>>,
}

impl Keychain {
    /// The OS keychain, or the in-process mock when `ROSTER_KEYCHAIN=mock`
    /// (end-to-end tests on machines without a keychain daemon).
    pub fn from_env() -> Self {
        if std::env::var("ROSTER_KEYCHAIN").is_ok_and(|value| value == "mock") {
            Self::mock()
        } else {
            Self::system()
        }
    }

    pub fn system() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Switches this process to `keyring`'s mock store (tests only: it keeps
    /// nothing once the process ends).
    pub fn mock() -> Self {
        keyring::set_default_credential_builder(keyring::mock::default_credential_builder());
        Self::system()
    }

    fn with_entry<T>(
        &self,
        name: &str,
        action: impl FnOnce(&keyring::Entry) -> Result<T, SecretsError>,
    ) -> Result<T, SecretsError> {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !entries.contains_key(name) {
            let entry =
                keyring::Entry::new(SERVICE, name).map_err(|error| SecretsError::Unavailable {
                    detail: error.to_string(),
                })?;
            entries.insert(name.to_owned(), entry);
        }
        match entries.get(name) {
            Some(entry) => action(entry),
            None => Err(SecretsError::Unavailable {
                detail: "the entry vanished".into(),
            }),
        }
    }
}

fn refused(action: &'static str) -> impl FnOnce(keyring::Error) -> SecretsError {
    move |error| match error {
        keyring::Error::PlatformFailure(detail) | keyring::Error::NoStorageAccess(detail) => {
            SecretsError::Unavailable {
                detail: detail.to_string(),
            }
        }
        other => SecretsError::Refused {
            action,
            detail: other.to_string(),
        },
    }
}

impl Secrets for Keychain {
    fn get(&self, name: &str) -> Result<Option<SecretString>, SecretsError> {
        self.with_entry(name, |entry| match entry.get_password() {
            Ok(password) => Ok(Some(SecretString::from(password))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(refused("read")(error)),
        })
    }

    fn set(&self, name: &str, value: &SecretString) -> Result<(), SecretsError> {
        self.with_entry(name, |entry| {
            entry
                .set_password(value.expose_secret())
                .map_err(refused("save"))
        })
    }

    fn delete(&self, name: &str) -> Result<(), SecretsError> {
        self.with_entry(name, |entry| match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(refused("remove")(error)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(url: &str) -> PgConfig {
        PgConfig::from_url(url).expect("a valid URL")
    }

    #[test]
    fn a_server_entry_names_the_tls_mode() {
        assert_eq!(
            server_entry(&server("postgres://ada@db.example.com/roster?schema=x")),
            "store:ada@db.example.com:5432/roster?sslmode=verify-full"
        );
        let plain = server_entry(&server(
            "postgres://ada@db.example.com/roster?sslmode=disable",
        ));
        let required = server_entry(&server(
            "postgres://ada@db.example.com/roster?sslmode=require",
        ));
        assert_ne!(plain, required);
        assert!(plain.ends_with("?sslmode=disable"), "{plain}");
    }

    #[test]
    fn a_password_saved_for_tls_is_not_found_for_a_plain_connection() {
        let keychain = Keychain::mock();
        let tls = server("postgres://tls-test@db.example.com/roster?sslmode=verify-full");
        let plain = server("postgres://tls-test@db.example.com/roster?sslmode=disable");
        keychain
            .set(
                &server_entry(&tls),
                &SecretString::from("s3cret".to_owned()),
            )
            .unwrap();
        assert!(keychain.get(&server_entry(&plain)).unwrap().is_none());
        let kept = keychain.get(&server_entry(&tls)).unwrap().unwrap();
        assert_eq!(kept.expose_secret(), "s3cret");
        keychain.delete(&server_entry(&tls)).unwrap();
    }

    #[test]
    fn the_mock_keychain_keeps_replaces_and_forgets_a_secret() {
        let keychain = Keychain::mock();
        assert!(keychain.get("store:test").unwrap().is_none());
        keychain
            .set("store:test", &SecretString::from("first".to_owned()))
            .unwrap();
        keychain
            .set("store:test", &SecretString::from("second".to_owned()))
            .unwrap();
        let kept = keychain.get("store:test").unwrap().unwrap();
        assert_eq!(kept.expose_secret(), "second");
        keychain.delete("store:test").unwrap();
        assert!(keychain.get("store:test").unwrap().is_none());
        keychain.delete("store:test").unwrap();
    }
}
