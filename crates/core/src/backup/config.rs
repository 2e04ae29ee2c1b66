//! Where this computer keeps the backups of a local store and how many:
//! `backups.json` beside the store (a per-computer choice, like
//! `store.json`: a USB disk or a share is this machine's, not the
//! directory's), and the passphrase in the OS keychain under
//! [`passphrase_entry`].

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::retention::Retention;
use super::BackupError;
use crate::secrets::Secrets;

/// The file beside the store that holds [`BackupConfig`].
pub const CONFIG_FILE: &str = "backups.json";

/// The shortest passphrase accepted.
pub const MIN_PASSPHRASE: usize = 12;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupConfig {
    /// The folder chosen; `None` is `backups` beside the store.
    #[serde(default)]
    pub folder: Option<PathBuf>,
    #[serde(default)]
    pub keep: Retention,
}

/// `backups` in the store's folder (the app-data folder for the default store).
pub fn default_folder(store: &Path) -> PathBuf {
    store
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("backups"), |parent| parent.join("backups"))
}

fn config_path(store: &Path) -> PathBuf {
    store.with_file_name(CONFIG_FILE)
}

impl BackupConfig {
    /// The configuration kept beside `store`, or the defaults.
    pub fn load(store: &Path) -> Result<Self, BackupError> {
        let path = config_path(store);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|_| BackupError::Config {
                reason: format!("{} cannot be read as backup settings", path.display()),
            }),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(error) => Err(BackupError::Config {
                reason: format!("{} cannot be read ({error})", path.display()),
            }),
        }
    }

    /// Keeps this configuration beside `store` (written beside, then renamed).
    pub fn save(&self, store: &Path) -> Result<(), BackupError> {
        let path = config_path(store);
        let partial = path.with_extension("json.partial");
        let text = serde_json::to_vec_pretty(self).map_err(|error| BackupError::Config {
            reason: error.to_string(),
        })?;
        std::fs::write(&partial, text)
            .and_then(|()| std::fs::rename(&partial, &path))
            .map_err(|error| BackupError::Config {
                reason: format!("{} cannot be written ({error})", path.display()),
            })
    }

    /// The folder backups of `store` go to.
    pub fn folder_for(&self, store: &Path) -> PathBuf {
        self.folder.clone().unwrap_or_else(|| default_folder(store))
    }
}

/// The backups of the local store at `store`, as this computer chose them:
/// folder, retention, and the passphrase kept in `secrets`.
pub fn backups_for(store: &Path, secrets: &dyn Secrets) -> Result<super::Backups, BackupError> {
    let config = BackupConfig::load(store)?;
    Ok(super::Backups::new(
        config.folder_for(store),
        config.keep,
        passphrase(secrets, store)?,
    ))
}

/// The keychain entry of the backup passphrase of the store at `store`.
pub fn passphrase_entry(store: &Path) -> String {
    let store = std::fs::canonicalize(store).unwrap_or_else(|_| store.to_owned());
    format!("backup-passphrase:{}", store.display())
}

/// The passphrase kept for `store`, if any.
pub fn passphrase(
    secrets: &dyn Secrets,
    store: &Path,
) -> Result<Option<SecretString>, BackupError> {
    Ok(secrets.get(&passphrase_entry(store))?)
}

/// Refuses a passphrase shorter than [`MIN_PASSPHRASE`] characters.
pub fn check_passphrase(passphrase: &SecretString) -> Result<(), BackupError> {
    if passphrase.expose_secret().chars().count() < MIN_PASSPHRASE {
        return Err(BackupError::ShortPassphrase);
    }
    Ok(())
}

/// Keeps `passphrase` for `store` (at least [`MIN_PASSPHRASE`] characters),
/// or forgets it with `None`: later backups are then unencrypted.
pub fn set_passphrase(
    secrets: &dyn Secrets,
    store: &Path,
    passphrase: Option<&SecretString>,
) -> Result<(), BackupError> {
    match passphrase {
        Some(passphrase) => {
            check_passphrase(passphrase)?;
            Ok(secrets.set(&passphrase_entry(store), passphrase)?)
        }
        None => Ok(secrets.delete(&passphrase_entry(store))?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::Keychain;

    #[test]
    fn the_passphrase_is_kept_in_the_keychain_per_store_and_a_short_one_refused() {
        let keychain = Keychain::mock();
        let store = Path::new("/nowhere/backup-test/roster.sqlite3");
        let other = Path::new("/nowhere/other/roster.sqlite3");
        assert!(passphrase(&keychain, store).unwrap().is_none());
        let short = SecretString::from("too short".to_owned());
        assert!(matches!(
            set_passphrase(&keychain, store, Some(&short)),
            Err(BackupError::ShortPassphrase)
        ));
        let long = SecretString::from("a long enough passphrase".to_owned());
        set_passphrase(&keychain, store, Some(&long)).unwrap();
        let kept = passphrase(&keychain, store).unwrap().unwrap();
        assert_eq!(kept.expose_secret(), "a long enough passphrase");
        assert!(passphrase(&keychain, other).unwrap().is_none());
        set_passphrase(&keychain, store, None).unwrap();
        assert!(passphrase(&keychain, store).unwrap().is_none());
    }

    #[test]
    fn the_settings_are_kept_beside_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("roster.sqlite3");
        assert_eq!(BackupConfig::load(&store).unwrap(), BackupConfig::default());
        assert_eq!(
            BackupConfig::default().folder_for(&store),
            dir.path().join("backups")
        );
        let config = BackupConfig {
            folder: Some(dir.path().join("usb")),
            keep: Retention {
                daily: 3,
                weekly: 2,
                monthly: 1,
            },
        };
        config.save(&store).unwrap();
        assert_eq!(BackupConfig::load(&store).unwrap(), config);
        assert_eq!(config.folder_for(&store), dir.path().join("usb"));
    }
}
