//! Reading the audit log: client events masked for a masked operator, and
//! a label filter that never matches a client event for them.

use super::access::Operator;
use super::audit::mask_event;
use super::Directory;
use crate::domain::{Permission, UserId};
use crate::error::Result;
use crate::model::{AuditEvent, AuditQuery, TargetKind};
use crate::store::TxMode;

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
}
