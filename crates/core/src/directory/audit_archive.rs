//! Retention of the audit log: old events moved to an archive file and out
//! of the store, the chain's anchor moved with them so the events left
//! still verify; and verifying archive files together with the store's log.
//! Archiving reads (`audit.view`) and deletes (`settings.manage`): it needs
//! both, is refused to an operator who sees client data masked (the file
//! holds every event as stored), and is itself an event of the log.

use std::path::Path;

use chrono::{DateTime, Months, Utc};
use serde::Serialize;

use super::access::{ensure_unmasked, Actor, Operator};
use super::audit_log::stopped;
use super::Directory;
use crate::audit::archive::{ArchiveHeader, ArchiveReader, ArchiveWriter};
use crate::audit::chain::{ChainHead, ChainWalk, Checkpoint};
use crate::domain::Permission;
use crate::error::{Error, Result};
use crate::model::{FieldChange, TargetKind};
use crate::store::{Tx, TxMode};

/// What an archive would take: the events written before `before`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditArchivePlan {
    /// Events written before this time go (RFC 3339 in JSON).
    pub before: DateTime<Utc>,
    /// How many events that is.
    pub events: u64,
}

/// What an archive did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditArchived {
    /// How many events went to the file and out of the store.
    pub events: u64,
    /// The `seq` of the newest of them: the store's chain now continues from it.
    pub last_seq: i64,
    pub before: DateTime<Utc>,
}

/// The time "older than `months` months" counts from, from `now`.
pub fn archive_cutoff(now: DateTime<Utc>, months: u32) -> Result<DateTime<Utc>> {
    now.checked_sub_months(Months::new(months))
        .ok_or_else(|| Error::InvalidSetting {
            reason: format!("{months} months before now is not a time Roster can count."),
        })
}

impl Directory {
    /// What archiving would take: the events before `before`, or when
    /// `before` is `None`, those older than the setting's months (refused
    /// while the setting is off). Refused with nothing to archive, so a
    /// file dialog opens only for real work.
    pub async fn audit_archive_plan(
        &self,
        operator: &Operator,
        before: Option<DateTime<Utc>>,
    ) -> Result<AuditArchivePlan> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        Ok(self.archive_plan(&mut *tx, operator, before).await?.1)
    }

    /// The operator, checked (both rights, and not masked: the file holds
    /// client events unmasked), and the plan.
    async fn archive_plan(
        &self,
        tx: &mut dyn Tx,
        operator: &Operator,
        before: Option<DateTime<Utc>>,
    ) -> Result<(Actor, AuditArchivePlan)> {
        let actor = Self::authorize(tx, operator, Permission::SettingsManage).await?;
        actor.require(Permission::AuditView)?;
        ensure_unmasked(&actor)?;
        let before = match before {
            Some(before) => before,
            None => match Self::load_settings(tx).await?.audit_archive_months {
                0 => return Err(Error::AuditArchiveOff),
                months => archive_cutoff(Self::now(), months)?,
            },
        };
        let head = tx.audit_chain_head().await?;
        let point = tx
            .audit_archive_point(before.timestamp_millis())
            .await?
            .unwrap_or(0);
        if point <= head.anchor_seq {
            return Err(Error::AuditNothingToArchive {
                before: before.format("%Y-%m-%d %H:%M UTC").to_string(),
            });
        }
        let plan = AuditArchivePlan {
            before,
            events: u64::try_from(point - head.anchor_seq).unwrap_or(0),
        };
        Ok((actor, plan))
    }

    /// Moves the events written before `before` (the chain from its anchor
    /// up to the newest of them) to `out` as an archive file
    /// ([`crate::audit::archive`]), then, in the same transaction, removes
    /// them from the store, makes the newest of them the chain's anchor and
    /// records the archive as an event. The archived part must verify
    /// first: a changed log is never archived (which would hide the
    /// change). On an error nothing in the store changed; the caller
    /// removes the file it opened.
    pub async fn archive_audit(
        &self,
        operator: &Operator,
        before: DateTime<Utc>,
        out: std::fs::File,
    ) -> Result<AuditArchived> {
        let mut tx = self.store.begin(TxMode::Write).await?;
        let (actor, plan) = self.archive_plan(&mut *tx, operator, Some(before)).await?;
        let head = tx.audit_chain_head().await?;
        let last_seq = head.anchor_seq + i64::try_from(plan.events).unwrap_or(i64::MAX);
        let now = Self::now();
        let file_error = |error: std::io::Error| Error::AuditFile {
            reason: format!("The archive file could not be written ({error})."),
        };
        let header = ArchiveHeader::new(head.anchor_seq, &head.anchor_hash, last_seq, now);
        let mut writer =
            ArchiveWriter::new(std::io::BufWriter::new(out), &header).map_err(file_error)?;
        let mut walk = ChainWalk::new(&head, None);
        let mut failure: Option<std::io::Error> = None;
        let walked = tx
            .each_chained_event(head.anchor_seq, last_seq, &mut |event, hash| {
                if !walk.step(&event, &hash) {
                    return Err(stopped());
                }
                writer.event(&event, &hash).map_err(|error| {
                    failure = Some(error);
                    stopped()
                })
            })
            .await;
        if let Some(error) = failure {
            return Err(file_error(error));
        }
        if !walk.is_broken() {
            walked?;
        }
        let archived_head = ChainHead {
            events: last_seq,
            last_hash: walk.last_hash().to_owned(),
            ..head.clone()
        };
        let verification = walk.finish(&archived_head);
        if !verification.intact {
            return Err(Error::AuditArchiveBroken {
                message: verification.message,
            });
        }
        let last_hash = archived_head.last_hash;
        let (events, out) = writer.finish().map_err(file_error)?;
        out.into_inner()
            .map_err(|error| file_error(error.into_error()))?
            .sync_all()
            .map_err(file_error)?;
        let change = |field: &str, after: serde_json::Value| FieldChange {
            field: field.into(),
            before: serde_json::Value::Null,
            after,
        };
        let event = actor.audit(
            "settings.audit_archive",
            TargetKind::Settings,
            None,
            "audit log",
            vec![
                change(
                    "archived_before",
                    before.format("%Y-%m-%d %H:%M:%S UTC").to_string().into(),
                ),
                change("archived_events", events.into()),
                change("archived_up_to", last_seq.into()),
                change("archive_last_hash", last_hash.as_str().into()),
            ],
            now,
        );
        // Appended before the removal: the log is never empty, so a store
        // whose ids follow the highest row (SQLite) never hands out an
        // archived event's id again.
        tx.append_audit(&event).await?;
        let removed = tx.remove_archived_events(last_seq, &last_hash).await?;
        if removed != events {
            return Err(Error::AuditArchiveBroken {
                message: format!(
                    "The archive holds {events} events but {removed} were found to remove: the log changed meanwhile."
                ),
            });
        }
        tx.commit().await?;
        Ok(AuditArchived {
            events,
            last_seq,
            before,
        })
    }

    /// Verifies archive files (oldest first) and the store's log after them
    /// as one chain: each archive intact, each starting where the one
    /// before ends, the last ending where the store's chain continues
    /// (its anchor); with a `checkpoint`, also compared with it.
    pub async fn verify_audit_with_archives(
        &self,
        operator: &Operator,
        archives: &[&Path],
        checkpoint: Option<Checkpoint>,
    ) -> Result<crate::audit::Verification> {
        let (verification, _) = self
            .walk_audit_chain(operator, checkpoint, archives)
            .await?;
        Ok(verification)
    }
}

/// Walks the archive files, oldest first, into a walk that then continues
/// with the store's chain after `head`'s anchor.
pub(super) fn walk_archives(
    archives: &[&Path],
    head: &ChainHead,
    checkpoint: Option<Checkpoint>,
) -> Result<ChainWalk> {
    let mut walk: Option<ChainWalk> = None;
    for path in archives {
        let file = std::fs::File::open(path).map_err(|error| Error::AuditFile {
            reason: format!("{} could not be read ({error}).", path.display()),
        })?;
        let (mut reader, header) =
            ArchiveReader::open(std::io::BufReader::new(file)).map_err(|reason| {
                Error::AuditFile {
                    reason: format!("{}: {reason}", path.display()),
                }
            })?;
        let walk = walk.get_or_insert_with(|| {
            let start = ChainHead {
                anchor_seq: header.after_seq,
                anchor_hash: header.previous_hash.clone(),
                ..head.clone()
            };
            ChainWalk::new(&start, checkpoint.clone())
        });
        if !walk.join(header.after_seq, &header.previous_hash) {
            break;
        }
        loop {
            match reader.next_event() {
                Ok(Some((event, hash))) => {
                    if !walk.step(&event, &hash) {
                        break;
                    }
                }
                Ok(None) => break,
                Err(reason) => {
                    walk.damaged(format!("{}: {reason}", path.display()));
                    break;
                }
            }
        }
        if walk.is_broken() {
            break;
        }
    }
    let Some(mut walk) = walk else {
        return Ok(ChainWalk::new(head, checkpoint));
    };
    walk.walked_archives();
    walk.join(head.anchor_seq, &head.anchor_hash);
    Ok(walk)
}
