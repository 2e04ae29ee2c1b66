//! Retention of the audit log: which events an archive takes, and removing
//! them once written to the archive file, the chain's anchor moved to the
//! newest of them so the events left still verify
//! ([`crate::directory::Directory::archive_audit`]).

use async_trait::async_trait;

use crate::store::sql::{query_opt, Sql};
use crate::store::StoreError;

#[async_trait]
pub trait AuditArchiveTx: Send {
    /// The `seq` of the newest event written before `before_ms` (milliseconds
    /// since 1970): an archive takes the chain up to it.
    async fn audit_archive_point(&mut self, before_ms: i64) -> Result<Option<i64>, StoreError>;
    /// Removes the events up to `seq` and makes that event (whose hash is
    /// `hash`) the chain's anchor.
    async fn remove_archived_events(&mut self, seq: i64, hash: &str) -> Result<u64, StoreError>;
}

#[async_trait]
impl<S: Sql + ?Sized> AuditArchiveTx for S {
    async fn audit_archive_point(&mut self, before_ms: i64) -> Result<Option<i64>, StoreError> {
        let row = query_opt(
            self,
            "SELECT max(seq) FROM audit_events WHERE at < $1",
            &[before_ms.into()],
        )
        .await?;
        Ok(row.map(|row| row.opt_int(0)).transpose()?.flatten())
    }

    async fn remove_archived_events(&mut self, seq: i64, hash: &str) -> Result<u64, StoreError> {
        let removed = self
            .execute("DELETE FROM audit_events WHERE seq <= $1", &[seq.into()])
            .await?;
        self.execute(
            "UPDATE audit_chain SET anchor_seq = $1, anchor_hash = $2 WHERE id = 1",
            &[seq.into(), hash.into()],
        )
        .await?;
        Ok(removed)
    }
}
