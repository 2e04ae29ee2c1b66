//! Backups and restore as services: who may (`settings.manage`) and the
//! audit (`settings.backup`, `settings.restore`). What a backup is and how
//! it is made and restored is `crate::backup`'s.
//!
//! A restore replaces the whole store, the audit log included, so its event
//! is appended afterwards to the restored log: the chain goes on from the
//! backup's newest event, and the event names the backup and the backup of
//! the state it replaced.

use serde_json::json;

use super::access::Operator;
use super::Directory;
use crate::backup::{BackupError, BackupInfo, Backups, Reason, Restored};
use crate::domain::Permission;
use crate::error::Result;
use crate::model::{FieldChange, NewAuditEvent, TargetKind};
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
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::SettingsManage).await?;
        let event = actor.audit(
            "settings.backup",
            TargetKind::Settings,
            None,
            "backups",
            vec![after("backup", json!(backup.name))],
            Self::now(),
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(backup)
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

fn after(field: &str, value: serde_json::Value) -> FieldChange {
    FieldChange {
        field: field.into(),
        before: serde_json::Value::Null,
        after: value,
    }
}
