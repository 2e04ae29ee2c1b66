//! Backups of a local store and their restore.
//!
//! A backup is a consistent copy of the store made while it is in use
//! (`VACUUM INTO` on the store's connection, see `store/sqlite/backup.rs`),
//! written into the backup folder under a temporary name, made durable,
//! then renamed to its final name: a kill or a full disk leaves at most a
//! `.partial` file (removed by the next backup), never a backup that looks
//! whole, and never touches the store. See `format.rs` for the file itself
//! and `retention.rs` for which backups are kept.
//!
//! A restore first writes the backup's copy beside the store and checks it
//! (digest, decryption, SQLite's integrity and foreign-key checks, a Roster
//! store of a schema this Roster knows); then backs up the state it is
//! about to replace; then replaces the store's content in one transaction.
//!
//! Rights and the audit are the services' (`directory/backups.rs`); this
//! module knows files and stores only.

pub mod config;
pub mod format;
pub mod retention;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::Serialize;

pub use config::BackupConfig;
pub use format::{Manifest, Reason};
pub use retention::Retention;

use crate::secrets::SecretsError;
use crate::store::copy::copy_directory;
use crate::store::sqlite::backup::{self as store_backup, FileSummary};
use crate::store::sqlite::SqliteStore;
use crate::store::{Store, StoreError};

/// The extension of a backup file.
pub const EXTENSION: &str = "roster-backup";
const PARTIAL: &str = "partial";

/// Why a backup or a restore did not happen. In every case the store was
/// left as it was.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("Backups of a directory on a server are the server's job; use “Save a copy to a file” for a copy of your own.")]
    NotLocal,
    #[error(
        "Backups cannot be written to {folder} ({detail}); the directory itself was not changed."
    )]
    FolderNotWritable { folder: String, detail: String },
    #[error("The backup could not be written to {file} ({detail}); the directory itself was not changed.")]
    Write { file: String, detail: String },
    #[error("{file} cannot be read ({detail}).")]
    Read { file: String, detail: String },
    #[error("{file} is not a Roster backup; nothing was restored.")]
    NotABackup { file: String },
    #[error("{file} is damaged or incomplete; nothing was restored.")]
    Damaged { file: String },
    #[error("This backup is encrypted; its passphrase is needed to check or restore it.")]
    PassphraseNeeded,
    #[error("The passphrase does not open this backup; nothing was restored.")]
    WrongPassphrase,
    #[error(
        "The passphrase must be at least {} characters long.",
        config::MIN_PASSPHRASE
    )]
    ShortPassphrase,
    #[error("This backup was made by {made_by} with a newer way of storing the directory than this Roster ({this}) knows; install {made_by} or later to restore it. Nothing was restored.")]
    Newer { made_by: String, this: String },
    #[error("There is no backup named {file}.")]
    NotFound { file: String },
    #[error("The backup's copy does not hold what its summary says; nothing was restored.")]
    Mismatch,
    #[error(
        "At most {} backups of each period (days, weeks, months) can be kept.",
        retention::MAX_KEPT
    )]
    TooManyKept,
    #[error("The backup settings cannot be used: {reason}.")]
    Config { reason: String },
    #[error(transparent)]
    Keychain(#[from] SecretsError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl BackupError {
    fn read(path: &Path, error: &dyn std::fmt::Display) -> Self {
        BackupError::Read {
            file: file_label(path),
            detail: error.to_string(),
        }
    }

    fn write(path: &Path, error: &dyn std::fmt::Display) -> Self {
        BackupError::Write {
            file: path.display().to_string(),
            detail: describe_io(error),
        }
    }
}

/// An I/O error in words people know ("the disk is full").
fn describe_io(error: &dyn std::fmt::Display) -> String {
    let text = error.to_string();
    let lower = text.to_lowercase();
    if lower.contains("no space")
        || lower.contains("disk is full")
        || lower.contains("database or disk is full")
    {
        "the disk is full".into()
    } else if lower.contains("read-only")
        || lower.contains("permission denied")
        || lower.contains("readonly")
    {
        "the folder cannot be written".into()
    } else {
        text
    }
}

fn file_label(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// A backup in the folder, as listed.
#[derive(Debug, Clone, Serialize)]
pub struct BackupInfo {
    /// The file's name in the backup folder (what restore and verify take).
    pub name: String,
    pub path: PathBuf,
    /// Bytes.
    pub size: u64,
    pub manifest: Manifest,
}

/// What a restore did.
#[derive(Debug, Clone, Serialize)]
pub struct Restored {
    /// The backup that was restored.
    pub restored: BackupInfo,
    /// The backup of the state it replaced.
    pub replaced: BackupInfo,
}

/// The backups of one local store: where, how many kept, the passphrase.
pub struct Backups {
    folder: PathBuf,
    keep: Retention,
    passphrase: Option<SecretString>,
}

impl Backups {
    pub fn new(folder: PathBuf, keep: Retention, passphrase: Option<SecretString>) -> Self {
        Self {
            folder,
            keep,
            passphrase,
        }
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }

    pub fn keep(&self) -> Retention {
        self.keep
    }

    pub fn encrypts(&self) -> bool {
        self.passphrase.is_some()
    }

    /// Backs up `store` while it is in use, then prunes old backups.
    pub async fn create(
        &self,
        store: &SqliteStore,
        reason: Reason,
    ) -> Result<BackupInfo, BackupError> {
        let (name, copy) = self.prepare(reason)?;
        let copied = store.copy_into(&copy).await;
        self.finish(name, copy, copied, reason)
    }

    /// Backs up the store file at `store` without opening it as a store
    /// (before a migration), then prunes old backups.
    pub fn create_from_file(
        &self,
        store: &Path,
        reason: Reason,
    ) -> Result<BackupInfo, BackupError> {
        let (name, copy) = self.prepare(reason)?;
        let copied = store_backup::copy_file(store, &copy);
        self.finish(name, copy, copied, reason)
    }

    /// Backs up the store file at `store` when opening it will migrate its
    /// schema (`None` when it will not). Called before the store is opened.
    pub fn before_migration(&self, store: &Path) -> Result<Option<BackupInfo>, BackupError> {
        // A file that cannot be read as a store is refused by the opening
        // itself, which says why.
        if !store_backup::needs_migration(store).unwrap_or(false) {
            return Ok(None);
        }
        self.create_from_file(store, Reason::BeforeMigration)
            .map(Some)
    }

    /// Checks the folder can be written, removes what killed backups left,
    /// and names the new backup and its temporary copy.
    fn prepare(&self, reason: Reason) -> Result<(String, PathBuf), BackupError> {
        ensure_writable(&self.folder)?;
        self.remove_partials();
        let now = Utc::now();
        let stem = format!(
            "roster-{}-{}",
            now.format("%Y%m%d-%H%M%S-%3f"),
            reason.as_str()
        );
        let mut name = format!("{stem}.{EXTENSION}");
        let mut n = 1;
        while self.folder.join(&name).exists() {
            n += 1;
            name = format!("{stem}-{n}.{EXTENSION}");
        }
        let copy = self.folder.join(format!(".{name}.sqlite.{PARTIAL}"));
        Ok((name, copy))
    }

    fn finish(
        &self,
        name: String,
        copy: PathBuf,
        copied: Result<(), StoreError>,
        reason: Reason,
    ) -> Result<BackupInfo, BackupError> {
        let written = copied
            .map_err(|error| copy_failed(&self.folder, error))
            .and_then(|()| {
                write_backup(
                    &copy,
                    &self.folder.join(&name),
                    reason,
                    self.passphrase.as_ref(),
                )
            });
        remove_sqlite_file(&copy);
        let manifest = written?;
        let path = self.folder.join(&name);
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        self.prune()?;
        Ok(BackupInfo {
            name,
            path,
            size,
            manifest,
        })
    }

    /// Removes temporary files left by a backup or restore that was killed.
    fn remove_partials(&self) {
        if let Ok(entries) = std::fs::read_dir(&self.folder) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                // A copy that failed may leave its rollback journal too
                // (`.NAME.sqlite.partial-journal`).
                if name.starts_with('.') && name.contains(&format!(".{PARTIAL}")) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
    }

    /// The backups in the folder, newest first. Files that are not backups
    /// (or whose summary cannot be read) are left out.
    pub fn list(&self) -> Result<Vec<BackupInfo>, BackupError> {
        let entries = match std::fs::read_dir(&self.folder) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(BackupError::read(&self.folder, &error)),
        };
        let mut backups = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !name.ends_with(&format!(".{EXTENSION}")) {
                continue;
            }
            if let Ok(info) = self.info(&entry.path()) {
                backups.push(info);
            }
        }
        backups.sort_by_key(|backup| std::cmp::Reverse(backup.manifest.created_at));
        Ok(backups)
    }

    /// The newest backup's time, if any.
    pub fn last_backup(&self) -> Result<Option<DateTime<Utc>>, BackupError> {
        Ok(self
            .list()?
            .first()
            .map(|backup| backup.manifest.created_at))
    }

    /// True when the newest backup is older than a day, or there is none.
    pub fn daily_due(&self, now: DateTime<Utc>) -> Result<bool, BackupError> {
        Ok(self
            .last_backup()?
            .is_none_or(|last| now - last >= chrono::Duration::days(1)))
    }

    /// [`Backups::daily_due`] now.
    pub fn daily_due_now(&self) -> Result<bool, BackupError> {
        self.daily_due(Utc::now())
    }

    /// The backup named `name` in the folder, or at the path `name`.
    pub fn find(&self, name: &str) -> Result<BackupInfo, BackupError> {
        let in_folder = self.folder.join(name);
        let path = if in_folder.is_file() {
            in_folder
        } else {
            PathBuf::from(name)
        };
        if !path.is_file() {
            return Err(BackupError::NotFound { file: name.into() });
        }
        self.info(&path)
    }

    fn info(&self, path: &Path) -> Result<BackupInfo, BackupError> {
        let (manifest, _) = format::read_manifest(path)?;
        let size = std::fs::metadata(path)
            .map_err(|error| BackupError::read(path, &error))?
            .len();
        Ok(BackupInfo {
            name: file_label(path),
            path: path.to_owned(),
            size,
            manifest,
        })
    }

    /// Checks a backup completely (digest; with the passphrase, decryption
    /// and the copy's integrity and summary) into a temporary file in
    /// `scratch`, removed afterwards. Without the passphrase an encrypted
    /// backup is checked as far as its digest and
    /// [`BackupError::PassphraseNeeded`] is returned.
    pub fn verify(&self, backup: &BackupInfo, scratch: &Path) -> Result<FileSummary, BackupError> {
        let copy = scratch.join(format!(".{}.verify.{PARTIAL}", backup.name));
        let _ = std::fs::remove_file(&copy);
        let checked = self.extract_checked(backup, &copy);
        let _ = std::fs::remove_file(&copy);
        checked
    }

    fn extract_checked(
        &self,
        backup: &BackupInfo,
        copy: &Path,
    ) -> Result<FileSummary, BackupError> {
        let (manifest, start) = format::read_manifest(&backup.path)?;
        if manifest.schema > store_backup::known_schema() {
            return Err(BackupError::Newer {
                made_by: format!("Roster {}", manifest.roster_version),
                this: crate::store::opened_by::ROSTER_VERSION.to_owned(),
            });
        }
        format::extract(
            &backup.path,
            &manifest,
            start,
            self.passphrase.as_ref(),
            copy,
        )?;
        let summary = store_backup::summarize(copy).map_err(|error| match error {
            StoreError::Newer { opened_by, this } => BackupError::Newer {
                made_by: opened_by,
                this,
            },
            _ => BackupError::Damaged {
                file: backup.name.clone(),
            },
        })?;
        if summary.users != manifest.users
            || summary.groups != manifest.groups
            || summary.schema != manifest.schema
        {
            return Err(BackupError::Mismatch);
        }
        Ok(summary)
    }

    /// Replaces `store`'s content with the backup's, after checking the
    /// backup beside the store and backing up the state it replaces.
    pub async fn restore(
        &self,
        store: &SqliteStore,
        backup: &BackupInfo,
    ) -> Result<Restored, BackupError> {
        let store_path = store.path().to_owned();
        let copy =
            store_path.with_file_name(format!(".{}.restore.{PARTIAL}", file_label(&store_path)));
        let _ = std::fs::remove_file(&copy);
        let result = async {
            self.extract_checked(backup, &copy)?;
            let replaced = self.create(store, Reason::BeforeRestore).await?;
            store.replace_with(&copy).await?;
            Ok(Restored {
                restored: backup.clone(),
                replaced,
            })
        }
        .await;
        let _ = std::fs::remove_file(&copy);
        result
    }

    /// Removes the backups the retention does not keep. Backups of a state
    /// a restore replaced are never removed by pruning.
    pub fn prune(&self) -> Result<Vec<String>, BackupError> {
        let backups: Vec<BackupInfo> = self
            .list()?
            .into_iter()
            .filter(|backup| backup.manifest.reason != Reason::BeforeRestore)
            .collect();
        let times: Vec<DateTime<Utc>> = backups.iter().map(|b| b.manifest.created_at).collect();
        let mut removed = Vec::new();
        for (backup, kept) in backups.iter().zip(self.keep.keep(&times)) {
            if !kept && std::fs::remove_file(&backup.path).is_ok() {
                removed.push(backup.name.clone());
            }
        }
        Ok(removed)
    }
}

fn manifest(summary: &FileSummary, reason: Reason, encrypted: bool) -> Manifest {
    Manifest {
        created_at: Utc::now(),
        reason,
        roster_version: crate::store::opened_by::ROSTER_VERSION.to_owned(),
        schema: summary.schema,
        users: summary.users,
        groups: summary.groups,
        last_event: summary.last_event.clone(),
        encrypted,
    }
}

/// Removes the SQLite file at `path` and what SQLite keeps beside it (a
/// rollback journal left by a copy that failed part-way, as on a full
/// disk; a WAL and its index).
fn remove_sqlite_file(path: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(file));
    }
}

/// A store error while copying into `folder`, in words (a full disk says so).
fn copy_failed(folder: &Path, error: StoreError) -> BackupError {
    match error {
        StoreError::Internal { detail } => BackupError::Write {
            file: folder.display().to_string(),
            detail: describe_io(&detail),
        },
        other => BackupError::Store(other),
    }
}

/// Writes the SQLite copy at `copy` (checked first) as the backup file
/// `destination`: through `.NAME.partial` beside it, made durable, then
/// renamed, so a failure or a kill never leaves a file that looks whole.
fn write_backup(
    copy: &Path,
    destination: &Path,
    reason: Reason,
    passphrase: Option<&SecretString>,
) -> Result<Manifest, BackupError> {
    let folder = destination
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let partial = folder.join(format!(".{}.{PARTIAL}", file_label(destination)));
    let summary = store_backup::summarize(copy)?;
    let manifest = manifest(&summary, reason, passphrase.is_some());
    let written = format::write(&partial, &manifest, copy, passphrase)
        .and_then(|()| std::fs::rename(&partial, destination))
        .map_err(|error| BackupError::write(folder, &error));
    if let Err(error) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(error);
    }
    sync_folder(folder);
    Ok(manifest)
}

/// "Save a copy to a file": the whole directory in `source` (a server's
/// too) copied into a SQLite store, then written as the backup file
/// `destination` (encrypted with `passphrase` when given), which `roster
/// backup verify|restore` and Settings → Backups read like any backup. The
/// store copy is made beside `destination` and removed; a failure leaves no
/// file behind.
pub async fn save_copy(
    source: &dyn Store,
    destination: &Path,
    passphrase: Option<&SecretString>,
) -> Result<BackupInfo, BackupError> {
    if let Some(passphrase) = passphrase {
        config::check_passphrase(passphrase)?;
    }
    let folder = destination
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_owned();
    ensure_writable(&folder)?;
    let copy = folder.join(format!(".{}.sqlite.{PARTIAL}", file_label(destination)));
    remove_sqlite_file(&copy);
    let copied = async {
        let target = SqliteStore::open(&copy)?;
        copy_directory(source, &target).await.map(drop)
        // The target closes here, its WAL folded into the file.
    }
    .await;
    let written = copied
        .map_err(|error| copy_failed(&folder, error))
        .and_then(|()| write_backup(&copy, destination, Reason::Copy, passphrase));
    remove_sqlite_file(&copy);
    let manifest = written?;
    let size = std::fs::metadata(destination).map(|m| m.len()).unwrap_or(0);
    Ok(BackupInfo {
        name: file_label(destination),
        path: destination.to_owned(),
        size,
        manifest,
    })
}

/// Creates the folder when absent and writes (and removes) a probe file.
pub fn ensure_writable(folder: &Path) -> Result<(), BackupError> {
    let not_writable = |error: &std::io::Error| BackupError::FolderNotWritable {
        folder: folder.display().to_string(),
        detail: describe_io(error),
    };
    std::fs::create_dir_all(folder).map_err(|error| not_writable(&error))?;
    let probe = folder.join(format!(".write-test.{PARTIAL}"));
    let written = std::fs::write(&probe, b"roster");
    // On a full disk the file is created and its write fails: removed too.
    let _ = std::fs::remove_file(&probe);
    written.map_err(|error| not_writable(&error))
}

/// Makes a rename durable (where the OS lets a folder be synced).
fn sync_folder(folder: &Path) {
    if let Ok(folder) = std::fs::File::open(folder) {
        let _ = folder.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::describe_io;

    #[test]
    fn a_full_disk_and_a_read_only_folder_are_said_in_words() {
        let full = std::io::Error::from_raw_os_error(28);
        assert_eq!(describe_io(&full), "the disk is full");
        assert_eq!(describe_io(&"database or disk is full"), "the disk is full");
        let read_only = std::io::Error::from_raw_os_error(30);
        assert_eq!(describe_io(&read_only), "the folder cannot be written");
    }
}
