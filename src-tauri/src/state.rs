//! What the shell keeps between commands: the open directory and the
//! session's operator.
//!
//! The operator lives only here, in Rust: the web view never holds a token it
//! could forge or replay. Signing out, or any failure to resolve the
//! operator, leaves the session empty.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use roster_core::store::sqlite::SqliteStore;
use roster_core::{Directory, Error, Operator};

pub struct AppState {
    /// The directory, or why the local store could not be opened.
    directory: Result<Directory, String>,
    store_path: Option<PathBuf>,
    session: Mutex<Option<Operator>>,
}

impl AppState {
    /// Opens the local store in the data folder (creating it on first run).
    pub fn open_local() -> Self {
        match crate::data_dir::store_path() {
            Some(path) => Self::open_at(path),
            None => Self {
                directory: Err(format!(
                    "This system has no folder for application data; start Roster with {} PATH.",
                    crate::data_dir::DATA_DIR_ARG
                )),
                store_path: None,
                session: Mutex::new(None),
            },
        }
    }

    /// Opens (creating if needed) the SQLite store at `path`.
    pub fn open_at(path: PathBuf) -> Self {
        let directory = SqliteStore::open(&path)
            .map(|store| Directory::new(Arc::new(store)))
            .map_err(|error| error.to_string());
        Self {
            directory,
            store_path: Some(path),
            session: Mutex::new(None),
        }
    }

    pub fn directory(&self) -> Result<&Directory, String> {
        self.directory.as_ref().map_err(Clone::clone)
    }

    pub fn store_path(&self) -> Option<&PathBuf> {
        self.store_path.as_ref()
    }

    fn session(&self) -> MutexGuard<'_, Option<Operator>> {
        // A poisoned lock only means another command panicked mid-update of
        // an Option; its value is still a valid session or none.
        self.session
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The signed-in operator, or `NotSignedIn`.
    pub fn operator(&self) -> Result<Operator, Error> {
        self.session().ok_or(Error::NotSignedIn)
    }

    pub fn current(&self) -> Option<Operator> {
        *self.session()
    }

    pub fn sign_in(&self, operator: Operator) {
        *self.session() = Some(operator);
    }

    pub fn sign_out(&self) {
        *self.session() = None;
    }
}
