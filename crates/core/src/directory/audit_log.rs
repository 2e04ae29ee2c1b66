//! Reading the audit log: the audit page's view and its exports, client
//! events masked for a masked operator (whose searches never match a client
//! event), and verifying the hash chain. Everything here needs `audit.view`.

use super::access::Operator;
use super::audit::mask_event;
use super::Directory;
use crate::audit::chain::{ChainHead, ChainWalk, Checkpoint, Verification};
use crate::audit::export::{CsvExport, ExportFormat, XlsxExport};
use crate::audit::filter::{AuditCursor, AuditFilter, AuditPage, AuditTarget};
use crate::domain::{Email, Permission, UserId};
use crate::error::{Error, Result};
use crate::mask::mask_name;
use crate::model::{AuditEvent, AuditQuery, TargetKind};
use crate::store::{StoreError, TxMode};

/// How many chained events one read transaction of a verification walks:
/// a long verification never holds the store for long.
const VERIFY_CHUNK: i64 = 100_000;

impl Directory {
    pub async fn audit_events(
        &self,
        operator: &Operator,
        query: &AuditQuery,
    ) -> Result<Vec<AuditEvent>> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::AuditView).await?;
        let mut query = query.clone();
        if query.limit == 0 {
            query.limit = 100;
        }
        if actor.user.mask_client_data && query.target_label.is_some() {
            // A label filter compares the real client name: for a masked
            // operator it never matches a client event, so a right and a
            // wrong guess of a name look the same.
            if query.target_kind == Some(TargetKind::Client) {
                return Ok(Vec::new());
            }
            query.except_kind = Some(TargetKind::Client);
        }
        let mut events = tx.audit_events(&query).await?;
        if actor.user.mask_client_data {
            events.iter_mut().for_each(mask_event);
        }
        Ok(events)
    }

    /// The history of one user, newest first.
    pub async fn user_audit(
        &self,
        operator: &Operator,
        id: UserId,
        limit: u32,
    ) -> Result<Vec<AuditEvent>> {
        self.audit_events(
            operator,
            &AuditQuery {
                target_kind: Some(TargetKind::User),
                target_id: Some(id.0),
                limit,
                ..AuditQuery::default()
            },
        )
        .await
    }

    /// The id of the user with `email`, for the operator and person
    /// filters of the audit log (`roster audit --operator EMAIL`). Needs
    /// only `audit.view`: the log names every operator and user anyway.
    pub async fn audit_user_id(&self, operator: &Operator, email: &str) -> Result<UserId> {
        let email = Email::parse(email)?;
        let mut tx = self.store.begin(TxMode::Read).await?;
        Self::authorize(&mut *tx, operator, Permission::AuditView).await?;
        tx.user_id_by_email(email.normalized())
            .await?
            .ok_or_else(|| Error::UserNotFound {
                key: email.as_str().to_owned(),
            })
    }

    /// One page of the audit log's view, newest first, after the `after`
    /// token of the previous page. `limit` 0 means 50; at most 500.
    pub async fn audit_page(
        &self,
        operator: &Operator,
        filter: &AuditFilter,
        after: Option<&str>,
        limit: u32,
    ) -> Result<AuditPage> {
        filter.check()?;
        let after = after.map(AuditCursor::decode).transpose()?;
        let limit = if limit == 0 { 50 } else { limit.min(500) };
        let mut tx = self.store.begin(TxMode::Read).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::AuditView).await?;
        let masked = actor.user.mask_client_data;
        let Some(except_client) = masked_search(filter, masked) else {
            return Ok(AuditPage {
                events: Vec::new(),
                next: None,
            });
        };
        let mut events = tx.audit_page(filter, except_client, after, limit).await?;
        if masked {
            events.iter_mut().for_each(mask_event);
        }
        let next = (events.len() == limit as usize)
            .then(|| events.last())
            .flatten()
            .map(|last| {
                AuditCursor {
                    at: last.at.timestamp_millis(),
                    id: last.id,
                }
                .encode()
            });
        Ok(AuditPage { events, next })
    }

    /// Hands every event of the view to `each`, newest first, masked for a
    /// masked operator: read by one query from one snapshot, one row at a
    /// time (the exports). Returns how many were handed over.
    pub async fn each_audit_event(
        &self,
        operator: &Operator,
        filter: &AuditFilter,
        each: &mut (dyn FnMut(&AuditEvent) -> Result<()> + Send),
    ) -> Result<u64> {
        filter.check()?;
        let mut tx = self.store.begin(TxMode::Read).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::AuditView).await?;
        let masked = actor.user.mask_client_data;
        let Some(except_client) = masked_search(filter, masked) else {
            return Ok(0);
        };
        let mut count = 0_u64;
        let mut failure: Option<Error> = None;
        let walked = tx
            .each_audit_event(filter, except_client, &mut |mut event| {
                if masked {
                    mask_event(&mut event);
                }
                count += 1;
                each(&event).map_err(|error| {
                    failure = Some(error);
                    stopped()
                })
            })
            .await;
        match (walked, failure) {
            (_, Some(error)) => Err(error),
            (Err(error), None) => Err(error.into()),
            (Ok(()), None) => Ok(count),
        }
    }

    /// Writes exactly the view `filter` selects to `out`, newest first, as
    /// CSV or XLSX (formula-safe, see [`crate::audit::export`]), streamed
    /// from one query; returns how many events it wrote. The caller opens
    /// `out` (the desktop creates it readable only by its user).
    pub async fn export_audit(
        &self,
        operator: &Operator,
        filter: &AuditFilter,
        format: ExportFormat,
        out: std::fs::File,
    ) -> Result<u64> {
        match format {
            ExportFormat::Csv => {
                let mut export = CsvExport::new(std::io::BufWriter::new(out))?;
                let count = self
                    .each_audit_event(operator, filter, &mut |event| export.event(event))
                    .await?;
                let mut file = export.finish()?;
                std::io::Write::flush(&mut file).map_err(|error| Error::AuditFile {
                    reason: format!("The export could not be written ({error})."),
                })?;
                Ok(count)
            }
            ExportFormat::Xlsx => {
                let mut export = XlsxExport::new()?;
                let count = self
                    .each_audit_event(operator, filter, &mut |event| export.event(event))
                    .await?;
                export.finish(out)?;
                Ok(count)
            }
        }
    }

    /// Walks the audit log's hash chain from its start (or the archive's
    /// anchor) to its head, a chunk per read transaction, and reports the
    /// first event changed, removed or reordered; with a `checkpoint`, also
    /// whether the log still holds the chain it recorded.
    pub async fn verify_audit(
        &self,
        operator: &Operator,
        checkpoint: Option<Checkpoint>,
    ) -> Result<Verification> {
        let (verification, _) = self.walk_audit_chain(operator, checkpoint, &[]).await?;
        Ok(verification)
    }

    /// Verifies the chain and, when it is intact, returns a checkpoint of
    /// its head to keep outside the store. A broken chain gets no
    /// checkpoint: [`Error::AuditChainBroken`] says what is wrong.
    pub async fn audit_checkpoint(&self, operator: &Operator) -> Result<Checkpoint> {
        let (verification, head) = self.walk_audit_chain(operator, None, &[]).await?;
        if !verification.intact {
            return Err(Error::AuditChainBroken {
                message: verification.message,
            });
        }
        Ok(Checkpoint::new(&head, Self::now()))
    }

    /// Walks `archives` (oldest first, see
    /// [`super::audit_archive::walk_archives`]) and then the store's chain.
    pub(super) async fn walk_audit_chain(
        &self,
        operator: &Operator,
        checkpoint: Option<Checkpoint>,
        archives: &[&std::path::Path],
    ) -> Result<(Verification, ChainHead)> {
        let (head, masked) = {
            let mut tx = self.store.begin(TxMode::Read).await?;
            let actor = Self::authorize(&mut *tx, operator, Permission::AuditView).await?;
            (tx.audit_chain_head().await?, actor.user.mask_client_data)
        };
        let mut walk = if archives.is_empty() {
            ChainWalk::new(&head, checkpoint)
        } else {
            super::audit_archive::walk_archives(archives, &head, checkpoint)?
        };
        let mut done = head.anchor_seq;
        while done < head.events && !walk.is_broken() {
            let up_to = done.saturating_add(VERIFY_CHUNK).min(head.events);
            let mut tx = self.store.begin(TxMode::Read).await?;
            walk_chunk(&mut *tx, &mut walk, done, up_to).await?;
            done = up_to;
        }
        // The rest in one snapshot with the head it is compared with:
        // events appended meanwhile, and any row beyond the head.
        let mut tx = self.store.begin(TxMode::Read).await?;
        let head = tx.audit_chain_head().await?;
        if !walk.is_broken() {
            walk_chunk(&mut *tx, &mut walk, done, i64::MAX).await?;
        }
        if !walk.is_broken() {
            if let Some(id) = tx.first_unchained_event().await? {
                walk.unchained(id);
            }
        }
        let mut verification = walk.finish(&head);
        if masked {
            verification.mask_client_labels(mask_name);
        }
        Ok((verification, head))
    }
}

/// Hands the chained events in `(after, up_to]` to `walk`, stopping at the
/// first problem.
pub(super) async fn walk_chunk(
    tx: &mut dyn crate::store::Tx,
    walk: &mut ChainWalk,
    after: i64,
    up_to: i64,
) -> Result<()> {
    let walked = tx
        .each_chained_event(after, up_to, &mut |event, hash| {
            if walk.step(&event, &hash) {
                Ok(())
            } else {
                Err(stopped())
            }
        })
        .await;
    match walked {
        Err(_) if walk.is_broken() => Ok(()),
        other => Ok(other?),
    }
}

/// What stops a walk early; never shown (the caller knows why it stopped).
pub(super) fn stopped() -> StoreError {
    StoreError::Internal {
        detail: "walk stopped".into(),
    }
}

/// For a masked operator, a search compares real names, so it never
/// matches a client event (a right and a wrong guess of a client's name
/// look the same): `Some(true)` leaves client events out, `None` means the
/// view is empty (a search among client events only). Others see all.
fn masked_search(filter: &AuditFilter, masked: bool) -> Option<bool> {
    if !masked || filter.search_text().is_none() {
        return Some(false);
    }
    match filter.target {
        Some(AuditTarget::Client) => None,
        _ => Some(true),
    }
}
