//! The recycle bin. With the setting `recycle_bin_days` (30 by default; 0
//! deletes at once), a deleted user is kept restorable for that many days:
//! "Deleted users" lists them to whoever may delete users; Restore brings
//! the account back under its id with its groups, supervisor, two-factor
//! enrolment and history; "Delete permanently", or the end of the period,
//! purges them. A deleted user's address is free to reuse at once; a
//! restore is refused while someone else holds it, when one of their
//! groups is gone, or (unless asked to go without) when their supervisor is.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::json;

use super::access::{ensure_may_grant_groups, Actor, Operator};
use super::Directory;
use crate::domain::{GroupId, Permission, UserId};
use crate::error::{Error, Result};
use crate::model::{FieldChange, NewAuditEvent, TargetKind, User};
use crate::store::{BinCursor, BinnedUser, StoreError, Tx, TxMode};

/// Who the audit log names for a purge nobody asked for at the time.
const ROSTER: &str = "Roster (recycle bin)";

/// Users purged by one transaction of the periodic purge.
const PURGE_BATCH: u32 = 1000;

/// The longest a page of the bin may be.
pub const MAX_BIN_PAGE: u32 = 500;

/// A user in the recycle bin, as "Deleted users" lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeletedUser {
    pub id: UserId,
    pub name: String,
    pub email: String,
    /// The names of their groups that still exist.
    pub groups: Vec<String>,
    /// How many of their groups are gone (a restore is then refused).
    pub missing_groups: usize,
    pub deleted_at: DateTime<Utc>,
    pub deleted_by: String,
    /// When they are purged unless restored first.
    pub purge_at: DateTime<Utc>,
}

/// A page of the bin, newest deletion first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeletedUsersPage {
    pub users: Vec<DeletedUser>,
    pub total: u64,
    /// Pass back as `after` for the next page.
    pub next: Option<String>,
    /// The setting: days a deleted user is kept (0: not kept).
    pub keep_days: u32,
}

/// What a restore does when the supervisor is gone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RestoreOptions {
    /// Restore without a supervisor when theirs no longer exists.
    pub without_missing_supervisor: bool,
}

fn cursor_text(user: &BinnedUser) -> String {
    format!("{}:{}", user.deleted_at.timestamp_millis(), user.id.0)
}

fn parse_cursor(text: &str) -> Result<BinCursor> {
    let (at, id) = text.split_once(':').ok_or(Error::InvalidCursor)?;
    Ok(BinCursor {
        deleted_at: at.parse().map_err(|_| Error::InvalidCursor)?,
        id: id.parse().map_err(|_| Error::InvalidCursor)?,
    })
}

impl Directory {
    /// Deletes one user the services already checked: into the bin when
    /// the setting keeps them, else for good. False when they were gone.
    pub(super) async fn remove_user(
        tx: &mut dyn Tx,
        keep_days: u32,
        actor: &Actor,
        id: UserId,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        if keep_days == 0 {
            return Ok(tx.delete_user(id).await?);
        }
        Ok(tx.bin_users(&[id], &actor.label(), now).await? == 1)
    }

    /// The days a deleted user is kept in the bin.
    pub(super) async fn recycle_bin_days(tx: &mut dyn Tx) -> Result<u32> {
        Ok(Self::load_settings(tx).await?.recycle_bin_days)
    }

    /// A page of the bin, for whoever may delete users.
    pub async fn deleted_users(
        &self,
        operator: &Operator,
        after: Option<&str>,
        limit: u32,
    ) -> Result<DeletedUsersPage> {
        let after = after.map(parse_cursor).transpose()?;
        let limit = limit.clamp(1, MAX_BIN_PAGE);
        let mut tx = self.store.begin(TxMode::Read).await?;
        Self::authorize(&mut *tx, operator, Permission::UsersDelete).await?;
        let keep_days = Self::recycle_bin_days(&mut *tx).await?;
        let groups = tx.groups().await?;
        let total = tx.count_binned_users().await?;
        let mut rows = tx.binned_users(after, limit + 1).await?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next = more.then(|| rows.last().map(cursor_text)).flatten();
        let users = rows
            .into_iter()
            .map(|user| {
                let names: Vec<String> = user
                    .groups
                    .iter()
                    .filter_map(|id| groups.iter().find(|g| g.id == *id))
                    .map(|g| g.name.as_str().to_owned())
                    .collect();
                DeletedUser {
                    id: user.id,
                    missing_groups: user.groups.len() - names.len(),
                    groups: names,
                    purge_at: user.deleted_at + Duration::days(i64::from(keep_days)),
                    name: user.name,
                    email: user.email,
                    deleted_at: user.deleted_at,
                    deleted_by: user.deleted_by,
                }
            })
            .collect();
        Ok(DeletedUsersPage {
            users,
            total,
            next,
            keep_days,
        })
    }

    /// Brings a deleted user back with their groups, supervisor and
    /// two-factor enrolment, under their id (so with their history).
    pub async fn restore_user(
        &self,
        operator: &Operator,
        id: UserId,
        options: RestoreOptions,
    ) -> Result<User> {
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::UsersDelete).await?;
        let binned = tx
            .binned_user(id)
            .await?
            .ok_or(Error::DeletedUserNotFound)?;
        // Who may restore them is who could have made them: every group
        // they come back into is granted again, and a masked operator
        // brings back no one who sees client data unmasked.
        let groups = tx.groups().await?;
        let present: Vec<GroupId> = binned
            .groups
            .iter()
            .copied()
            .filter(|id| groups.iter().any(|g| g.id == *id))
            .collect();
        if present.len() < binned.groups.len() {
            return Err(Error::RestoreGroupGone {
                name: binned.name,
                missing: binned.groups.len() - present.len(),
            });
        }
        ensure_may_grant_groups(&actor, &groups, &present)?;
        ensure_masking_allows(&actor, &binned)?;
        if tx
            .user_id_by_email(&binned.email_normalized)
            .await?
            .is_some()
        {
            return Err(restore_email_taken(&binned));
        }
        let supervisor = match binned.supervisor {
            Some(supervisor) if tx.user(supervisor).await?.is_some() => Some(supervisor),
            Some(_) if !options.without_missing_supervisor => {
                return Err(Error::RestoreSupervisorGone { name: binned.name });
            }
            _ => None,
        };
        let now = Self::now();
        match tx.restore_binned_user(id, supervisor, now).await {
            Ok(true) => {}
            Ok(false) => return Err(Error::DeletedUserNotFound),
            Err(StoreError::DuplicateEmail { .. }) => return Err(restore_email_taken(&binned)),
            Err(error) => return Err(error.into()),
        }
        if !present.is_empty() {
            tx.set_memberships(id, &present).await?;
        }
        let mut changes = vec![FieldChange {
            field: "deleted_at".into(),
            before: json!(binned.deleted_at),
            after: serde_json::Value::Null,
        }];
        if binned.supervisor.is_some() && supervisor.is_none() {
            changes.push(FieldChange {
                field: "supervisor".into(),
                before: json!("(no longer exists)"),
                after: serde_json::Value::Null,
            });
        }
        let event = actor.audit(
            "user.restore",
            TargetKind::User,
            Some(id.0),
            &binned.email,
            changes,
            now,
        );
        tx.append_audit(&event).await?;
        let user = Self::existing_user(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// "Delete permanently": removes a user from the bin for good.
    pub async fn purge_deleted_user(&self, operator: &Operator, id: UserId) -> Result<()> {
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::UsersDelete).await?;
        let binned = tx
            .binned_user(id)
            .await?
            .ok_or(Error::DeletedUserNotFound)?;
        ensure_masking_allows(&actor, &binned)?;
        if tx.purge_binned_users(&[id]).await? != 1 {
            return Err(Error::DeletedUserNotFound);
        }
        let event = actor.audit(
            "user.purge",
            TargetKind::User,
            Some(id.0),
            &binned.email,
            Vec::new(),
            Self::now(),
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Purges every user deleted longer ago than the setting keeps them;
    /// returns how many. Run when a session starts and hourly by the app.
    pub async fn purge_recycle_bin(&self) -> Result<u64> {
        let now = Self::now();
        {
            // Most runs find nothing due: they only read.
            let mut tx = self.store.begin(TxMode::Read).await?;
            let keep_days = Self::recycle_bin_days(&mut *tx).await?;
            let cutoff = now - Duration::days(i64::from(keep_days));
            if tx.binned_before(cutoff, 1).await?.is_empty() {
                return Ok(0);
            }
        }
        let mut purged = 0;
        loop {
            let mut tx = self.store.begin(TxMode::Write).await?;
            let keep_days = Self::recycle_bin_days(&mut *tx).await?;
            // With the bin off, what it still holds goes at once.
            let cutoff = now - Duration::days(i64::from(keep_days));
            let due = tx.binned_before(cutoff, PURGE_BATCH).await?;
            if due.is_empty() {
                return Ok(purged);
            }
            let ids: Vec<UserId> = due.iter().map(|user| user.id).collect();
            purged += tx.purge_binned_users(&ids).await?;
            let events: Vec<NewAuditEvent> = due
                .iter()
                .map(|user| NewAuditEvent {
                    at: now,
                    operator: None,
                    operator_label: ROSTER.into(),
                    action: "user.purge",
                    target_kind: TargetKind::User,
                    target_id: Some(user.id.0),
                    target_label: user.email.clone(),
                    changes: vec![FieldChange {
                        field: "reason".into(),
                        before: serde_json::Value::Null,
                        after: json!(format!("Deleted more than {keep_days} days ago.")),
                    }],
                })
                .collect();
            tx.append_audits(&events).await?;
            tx.commit().await?;
            if due.len() < PURGE_BATCH as usize {
                return Ok(purged);
            }
        }
    }
}

/// A masked operator touches no deleted user who saw client data unmasked.
fn ensure_masking_allows(actor: &Actor, binned: &BinnedUser) -> Result<()> {
    if actor.user.mask_client_data && !binned.mask_client_data {
        return Err(Error::CannotManage {
            name: binned.name.clone(),
        });
    }
    Ok(())
}

fn restore_email_taken(binned: &BinnedUser) -> Error {
    Error::RestoreEmailTaken {
        name: binned.name.clone(),
        email: binned.email.clone(),
    }
}
