//! Backups and restore as services: who may (`settings.manage`) and the
//! audit (`settings.backup`, `settings.restore`). What a backup is and how
//! it is made and restored is `crate::backup`'s.
//!
//! A restore replaces the whole store, the audit log included, so its event
//! is appended afterwards to the restored log: the chain goes on from the
//! backup's newest event, and the event names the backup and the backup of
//! the state it replaced.

use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde_json::json;

use super::access::Operator;
use super::Directory;
use crate::backup::{
    config, BackupConfig, BackupError, BackupInfo, Backups, Reason, Restored, Retention,
};
use crate::domain::Permission;
use crate::error::Result;
use crate::model::{FieldChange, NewAuditEvent, TargetKind};
use crate::secrets::{Secrets, SecretsError};
use crate::store::sqlite::backup::FileSummary;
use crate::store::sqlite::SqliteStore;
use crate::store::TxMode;

impl Directory {
    fn local_file(&self) -> Result<&SqliteStore> {
        Ok(self.store.as_local_file().ok_or(BackupError::NotLocal)?)
    }

    async fn authorize_backups(&self, operator: &Operator) -> Result<super::access::Actor> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        Self::authorize(&mut *tx, operator, Permission::SettingsManage).await
    }

    /// The backups in the folder, newest first.
    pub async fn list_backups(
        &self,
        operator: &Operator,
        backups: &Backups,
    ) -> Result<Vec<BackupInfo>> {
        self.authorize_backups(operator).await?;
        self.local_file()?;
        Ok(backups.list()?)
    }

    /// Backs up the store now ("Back up now", `roster backup create`).
    pub async fn back_up(&self, operator: &Operator, backups: &Backups) -> Result<BackupInfo> {
        self.authorize_backups(operator).await?;
        let store = self.local_file()?;
        let backup = backups.create(store, Reason::Manual).await?;
        self.audit_backup(operator, "backup", &backup.name).await?;
        Ok(backup)
    }

    /// Records a backup file `name` made for `operator` as
    /// `settings.backup`, its `field` naming the file.
    async fn audit_backup(&self, operator: &Operator, field: &str, name: &str) -> Result<()> {
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::SettingsManage).await?;
        let event = actor.audit(
            "settings.backup",
            TargetKind::Settings,
            None,
            "backups",
            vec![after(field, json!(name))],
            Self::now(),
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A backup made without an operator: at start when the last is a day
    /// old, before a bulk action or an import. Not audited (it changes
    /// nothing in the directory); `None` on a server store.
    pub async fn back_up_automatically(
        &self,
        backups: &Backups,
        reason: Reason,
    ) -> Result<Option<BackupInfo>> {
        match self.store.as_local_file() {
            Some(store) => Ok(Some(backups.create(store, reason).await?)),
            None => Ok(None),
        }
    }

    /// Checks a backup completely, as a restore would, without restoring.
    pub async fn verify_backup(
        &self,
        operator: &Operator,
        backups: &Backups,
        name: &str,
    ) -> Result<(BackupInfo, FileSummary)> {
        self.authorize_backups(operator).await?;
        let store = self.local_file()?;
        let backup = backups.find(name)?;
        let scratch = store
            .path()
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."))
            .to_owned();
        let summary = backups.verify(&backup, &scratch)?;
        Ok((backup, summary))
    }

    /// Replaces the store with the backup `name` (after checking it and
    /// backing up the state it replaces), and audits it in the restored log.
    /// Every session must end afterwards: the caller signs everyone out.
    pub async fn restore_backup(
        &self,
        operator: &Operator,
        backups: &Backups,
        name: &str,
    ) -> Result<Restored> {
        let actor = self.authorize_backups(operator).await?;
        let store = self.local_file()?;
        let backup = backups.find(name)?;
        let restored = backups.restore(store, &backup).await?;
        let mut tx = self.store.begin(TxMode::Write).await?;
        // The operator may not exist in the restored directory: the event
        // names them as they were when they asked for the restore.
        let event: NewAuditEvent = actor.audit(
            "settings.restore",
            TargetKind::Settings,
            None,
            "backups",
            vec![
                after("restored", json!(restored.restored.name)),
                after("replaced_state_kept_in", json!(restored.replaced.name)),
            ],
            Self::now(),
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(restored)
    }
}

/// The backup settings of a local store, as this computer keeps them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BackupSettings {
    /// Where backups go.
    pub folder: PathBuf,
    /// True when no folder was chosen (`backups` beside the store).
    pub default_folder: bool,
    pub keep: Retention,
    /// True when a passphrase is kept, so backups are encrypted.
    pub encrypted: bool,
}

impl Directory {
    /// "Save a copy to a file": the whole directory (on a server too) as a
    /// backup file at `destination`, encrypted with `passphrase` when given,
    /// which can be checked and restored into a local store like any
    /// backup. Audited as `settings.backup` (the file's name).
    pub async fn save_copy_to_file(
        &self,
        operator: &Operator,
        destination: &Path,
        passphrase: Option<&SecretString>,
    ) -> Result<BackupInfo> {
        self.authorize_backups(operator).await?;
        let saved = crate::backup::save_copy(&*self.store, destination, passphrase).await?;
        self.audit_backup(operator, "saved_copy", &saved.name)
            .await?;
        Ok(saved)
    }

    /// The backup settings of this local store: folder, retention, and
    /// whether a passphrase is kept in `secrets` (without a keychain none
    /// is, and backups are unencrypted).
    pub async fn backup_settings(
        &self,
        operator: &Operator,
        secrets: &dyn Secrets,
    ) -> Result<BackupSettings> {
        self.authorize_backups(operator).await?;
        let store = self.local_file()?;
        let config = BackupConfig::load(store.path())?;
        let encrypted = match config::passphrase(secrets, store.path()) {
            Ok(kept) => kept.is_some(),
            Err(BackupError::Keychain(SecretsError::Unavailable { .. })) => false,
            Err(error) => return Err(error.into()),
        };
        Ok(BackupSettings {
            folder: config.folder_for(store.path()),
            default_folder: config.folder.is_none(),
            keep: config.keep,
            encrypted,
        })
    }

    /// Sets how many daily, weekly and monthly backups are kept (at most
    /// [`crate::backup::retention::MAX_KEPT`] each); kept on this computer.
    /// Backups beyond it are removed at the next backup.
    pub async fn set_backup_retention(
        &self,
        operator: &Operator,
        keep: Retention,
    ) -> Result<BackupConfig> {
        self.authorize_backups(operator).await?;
        let store = self.local_file()?;
        keep.check()?;
        let mut config = BackupConfig::load(store.path())?;
        let before = config.keep;
        config.keep = keep;
        config.save(store.path())?;
        self.audit_backup_setting(operator, "keep", json!(before), json!(keep))
            .await?;
        Ok(config)
    }
}

impl Directory {
    /// Chooses the folder backups of this local store go to (`None`: beside
    /// the store), after checking it can be written; kept on this computer.
    pub async fn set_backup_folder(
        &self,
        operator: &Operator,
        folder: Option<PathBuf>,
    ) -> Result<BackupConfig> {
        self.authorize_backups(operator).await?;
        let store = self.local_file()?;
        let mut config = BackupConfig::load(store.path())?;
        let before = config.folder_for(store.path());
        config.folder = folder;
        let after_folder = config.folder_for(store.path());
        crate::backup::ensure_writable(&after_folder)?;
        config.save(store.path())?;
        self.audit_backup_setting(
            operator,
            "folder",
            json!(before.display().to_string()),
            json!(after_folder.display().to_string()),
        )
        .await?;
        Ok(config)
    }

    /// Keeps the backup passphrase of this local store in `secrets` (the OS
    /// keychain), or with `None` forgets it: later backups are unencrypted.
    pub async fn set_backup_passphrase(
        &self,
        operator: &Operator,
        secrets: &dyn Secrets,
        passphrase: Option<&SecretString>,
    ) -> Result<()> {
        self.authorize_backups(operator).await?;
        let store = self.local_file()?;
        let before = config::passphrase(secrets, store.path())?.is_some();
        config::set_passphrase(secrets, store.path(), passphrase)?;
        self.audit_backup_setting(
            operator,
            "encrypted",
            json!(before),
            json!(passphrase.is_some()),
        )
        .await
    }

    async fn audit_backup_setting(
        &self,
        operator: &Operator,
        field: &str,
        before: serde_json::Value,
        after: serde_json::Value,
    ) -> Result<()> {
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::SettingsManage).await?;
        let event = actor.audit(
            "settings.backups",
            TargetKind::Settings,
            None,
            "backups",
            vec![FieldChange {
                field: field.into(),
                before,
                after,
            }],
            Self::now(),
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }
}

fn after(field: &str, value: serde_json::Value) -> FieldChange {
    FieldChange {
        field: field.into(),
        before: serde_json::Value::Null,
        after: value,
    }
}
