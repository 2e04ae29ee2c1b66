//! Accounts disabled for inactivity: with the setting "disable accounts with
//! no sign-in for N days" (`disable_inactive_after_days`, 0 = never), every
//! enabled account whose last sign-in (or, never signed in, its creation) is
//! older than N days is disabled, each audited with the reason. Applied when
//! a session starts (`Directory::sign_in`) and by the desktop at least daily
//! while one runs. Never the last enabled administrator, nor the operator
//! of the session it runs in. The next administrator who signs in is told
//! how many were disabled, once ([`Directory::take_inactivity_notice`]).

use chrono::Duration;
use serde::Serialize;
use serde_json::json;

use super::access::Operator;
use super::Directory;
use crate::domain::{Status, UserId};
use crate::error::Result;
use crate::model::{FieldChange, NewAuditEvent, TargetKind, User};
use crate::store::{Tx, TxMode, ADMINISTRATORS};

/// Accounts disabled for inactivity that no administrator was told of yet.
const SETTING_UNREPORTED: &str = "accounts.inactive_disabled_unreported";

/// Who the audit log names for a disabling nobody asked for at the time.
const ROSTER: &str = "Roster (inactivity rule)";

/// What the first screen after an administrator's sign-in shows, once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InactivityNotice {
    /// Accounts disabled for inactivity since an administrator was last told.
    pub disabled: u64,
}

impl Directory {
    /// Applies the inactivity rule now; returns how many accounts it
    /// disabled. `session` is the operator of the session it runs in, who
    /// is never disabled by it. A directory without the setting, or with
    /// nobody to disable, is only read.
    pub async fn disable_inactive_accounts(&self, session: Option<&Operator>) -> Result<u64> {
        let now = Self::now();
        let spared = session.map(Operator::id);
        {
            let mut tx = self.store.begin(TxMode::Read).await?;
            if Self::inactive(&mut *tx, now, spared).await?.is_empty() {
                return Ok(0);
            }
        }
        let mut tx = self.store.begin(TxMode::Write).await?;
        let mut candidates = Self::inactive(&mut *tx, now, spared).await?;
        let administrators = candidates
            .iter()
            .filter(|u| u.is_in(ADMINISTRATORS) && u.may_sign_in())
            .count() as u64;
        if administrators > 0 {
            tx.lock_administrators().await?;
            if tx.count_enabled_members(ADMINISTRATORS).await? <= administrators {
                // Keep the most recently active of them enabled.
                if let Some(keep) = candidates
                    .iter()
                    .filter(|u| u.is_in(ADMINISTRATORS) && u.may_sign_in())
                    .max_by_key(|u| (u.last_sign_in_at.unwrap_or(u.created_at), u.id.0))
                    .map(|u| u.id)
                {
                    candidates.retain(|u| u.id != keep);
                }
            }
        }
        if candidates.is_empty() {
            return Ok(0);
        }
        let days = Self::load_settings(&mut *tx)
            .await?
            .disable_inactive_after_days;
        let ids: Vec<UserId> = candidates.iter().map(|u| u.id).collect();
        let disabled = tx.set_statuses(&ids, Status::Disabled, now).await?;
        let events: Vec<NewAuditEvent> = candidates
            .iter()
            .map(|user| NewAuditEvent {
                at: now,
                operator: None,
                operator_label: ROSTER.into(),
                action: "user.disable_inactive",
                target_kind: TargetKind::User,
                target_id: Some(user.id.0),
                target_label: user.email.as_str().to_owned(),
                changes: vec![
                    FieldChange {
                        field: "status".into(),
                        before: json!(Status::Enabled),
                        after: json!(Status::Disabled),
                    },
                    FieldChange {
                        field: "reason".into(),
                        before: serde_json::Value::Null,
                        after: json!(format!("No sign-in for {days} days.")),
                    },
                ],
            })
            .collect();
        tx.append_audits(&events).await?;
        let unreported = Self::unreported(&mut *tx).await?;
        tx.set_setting(SETTING_UNREPORTED, &(unreported + disabled).to_string())
            .await?;
        tx.commit().await?;
        Ok(disabled)
    }

    /// How many accounts were disabled for inactivity since an
    /// administrator was last told; telling resets it, so each is told
    /// once. Anyone who is not in Administrators gets nothing and resets
    /// nothing.
    pub async fn take_inactivity_notice(
        &self,
        operator: &Operator,
    ) -> Result<Option<InactivityNotice>> {
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::actor(&mut *tx, operator).await?;
        if !actor.user.is_in(ADMINISTRATORS) {
            return Ok(None);
        }
        let disabled = Self::unreported(&mut *tx).await?;
        if disabled == 0 {
            return Ok(None);
        }
        tx.set_setting(SETTING_UNREPORTED, "0").await?;
        tx.commit().await?;
        Ok(Some(InactivityNotice { disabled }))
    }

    /// The enabled accounts the rule disables at `now`, but `spared`.
    async fn inactive(
        tx: &mut dyn Tx,
        now: chrono::DateTime<chrono::Utc>,
        spared: Option<UserId>,
    ) -> Result<Vec<User>> {
        let days = Self::load_settings(tx).await?.disable_inactive_after_days;
        if days == 0 {
            return Ok(Vec::new());
        }
        let cutoff = now - Duration::days(i64::from(days));
        let mut users = tx.inactive_users(cutoff).await?;
        users.retain(|u| Some(u.id) != spared);
        Ok(users)
    }

    async fn unreported(tx: &mut dyn Tx) -> Result<u64> {
        Ok(tx
            .setting(SETTING_UNREPORTED)
            .await?
            .and_then(|value| value.parse().ok())
            .unwrap_or(0))
    }
}
