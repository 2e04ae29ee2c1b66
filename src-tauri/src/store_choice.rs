//! Which store this computer uses: the local SQLite file in the data folder,
//! or a directory on a PostgreSQL server. The choice is kept in
//! `store.json` beside the local file; the server's password never is: it
//! lives in the OS keychain, filed under [`RemoteStore::keychain_name`].

use std::path::{Path, PathBuf};

use roster_core::store::postgres::{PgConfig, TlsMode};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// The file in the data folder that records the choice.
pub const CHOICE_FILE: &str = "store.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StoreChoice {
    #[default]
    Local,
    Postgres(RemoteStore),
}

/// Where a PostgreSQL directory is: everything but the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteStore {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    pub tls: TlsMode,
    /// A schema inside the database, for sharing one database; not offered
    /// in the UI, honoured when a `store.json` names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
}

impl RemoteStore {
    /// Trims the fields and refuses an incomplete address.
    pub fn cleaned(mut self) -> Result<Self, String> {
        self.host = self.host.trim().to_owned();
        self.database = self.database.trim().to_owned();
        self.user = self.user.trim().to_owned();
        if self.host.is_empty() || self.host.contains(char::is_whitespace) {
            return Err("Enter the server's host name or address.".into());
        }
        if self.port == 0 {
            return Err("Enter the server's port (PostgreSQL's is 5432).".into());
        }
        if self.database.is_empty() {
            return Err("Enter the name of the database.".into());
        }
        if self.user.is_empty() {
            return Err("Enter the user name to connect as.".into());
        }
        Ok(self)
    }

    /// The keychain entry holding this server's password for this TLS mode
    /// (the core's [`roster_core::secrets::server_entry`], shared with `roster`).
    pub fn keychain_name(&self) -> String {
        roster_core::secrets::server_entry(&self.config(None))
    }

    pub fn config(&self, password: Option<SecretString>) -> PgConfig {
        PgConfig {
            host: self.host.clone(),
            port: self.port,
            database: self.database.clone(),
            user: self.user.clone(),
            password,
            tls: self.tls,
            schema: self.schema.clone(),
        }
    }
}

fn choice_path(data_dir: &Path) -> PathBuf {
    data_dir.join(CHOICE_FILE)
}

/// The saved choice; local when nothing was saved.
pub fn load(data_dir: &Path) -> Result<StoreChoice, String> {
    let path = choice_path(data_dir);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|error| {
            format!(
                "{} is not a store choice Roster can read ({error}); fix or delete it.",
                path.display()
            )
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(StoreChoice::Local),
        Err(error) => Err(format!("{} cannot be read ({error}).", path.display())),
    }
}

/// Saves the choice (write to a temporary file, then rename, so a crash
/// never leaves half a file).
pub fn save(data_dir: &Path, choice: &StoreChoice) -> Result<(), String> {
    std::fs::create_dir_all(data_dir)
        .map_err(|error| format!("{} cannot be created ({error}).", data_dir.display()))?;
    let path = choice_path(data_dir);
    let temporary = data_dir.join(format!("{CHOICE_FILE}.tmp"));
    let json = serde_json::to_vec_pretty(choice).map_err(|error| error.to_string())?;
    std::fs::write(&temporary, json)
        .and_then(|()| std::fs::rename(&temporary, &path))
        .map_err(|error| format!("{} cannot be written ({error}).", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote() -> RemoteStore {
        RemoteStore {
            host: " db.example.com ".into(),
            port: 5432,
            database: "roster".into(),
            user: "ada".into(),
            tls: TlsMode::VerifyFull,
            schema: None,
        }
    }

    #[test]
    fn nothing_saved_means_local_and_a_saved_choice_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()).unwrap(), StoreChoice::Local);
        let choice = StoreChoice::Postgres(remote().cleaned().unwrap());
        save(dir.path(), &choice).unwrap();
        assert_eq!(load(dir.path()).unwrap(), choice);
        let text = std::fs::read_to_string(dir.path().join(CHOICE_FILE)).unwrap();
        assert!(text.contains("\"kind\": \"postgres\""), "{text}");
        assert!(!text.contains("password"), "{text}");
    }

    #[test]
    fn an_incomplete_address_is_refused() {
        let mut no_host = remote();
        no_host.host = "  ".into();
        assert!(no_host.cleaned().is_err());
        let mut no_database = remote();
        no_database.database = String::new();
        assert!(no_database.cleaned().is_err());
        assert_eq!(remote().cleaned().unwrap().host, "db.example.com");
    }

    #[test]
    fn a_damaged_file_says_which_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CHOICE_FILE), "{not json").unwrap();
        let error = load(dir.path()).unwrap_err();
        assert!(error.contains(CHOICE_FILE), "{error}");
    }
}
