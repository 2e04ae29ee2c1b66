//! The audit log: appended to, never changed.

use async_trait::async_trait;

use crate::domain::UserId;
use crate::model::{AuditEvent, AuditQuery, FieldChange, NewAuditEvent, TargetKind};
use crate::store::sql::{corrupt, millis, where_clause, Dialect, Params, Sql};
use crate::store::StoreError;

/// The audit log, as one transaction reads and writes it.
#[async_trait]
pub trait AuditTx: Send {
    async fn append_audit(&mut self, event: &NewAuditEvent) -> Result<(), StoreError>;
    /// The newest events first, filtered and paged by `query`.
    async fn audit_events(&mut self, query: &AuditQuery) -> Result<Vec<AuditEvent>, StoreError>;
}

#[async_trait]
impl<S: Sql + ?Sized> AuditTx for S {
    async fn append_audit(&mut self, event: &NewAuditEvent) -> Result<(), StoreError> {
        let changes =
            serde_json::to_string(&event.changes).map_err(|error| StoreError::Internal {
                detail: error.to_string(),
            })?;
        // PostgreSQL keeps the changes as `json` (the text exactly as written).
        let changes_param = match self.dialect() {
            Dialect::Sqlite => "$9",
            Dialect::Postgres => "CAST($9::text AS json)",
        };
        self.execute(
            &format!(
                "INSERT INTO audit_events (at, operator_id, operator_label, action, target_kind, \
                 target_id, target_label, target_label_normalized, changes) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, {changes_param})"
            ),
            &[
                millis(event.at),
                event.operator.map(|o| o.0).into(),
                event.operator_label.as_str().into(),
                event.action.into(),
                event.target_kind.as_str().into(),
                event.target_id.into(),
                event.target_label.as_str().into(),
                event.target_label.to_lowercase().into(),
                changes.into(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn audit_events(&mut self, query: &AuditQuery) -> Result<Vec<AuditEvent>, StoreError> {
        let mut params = Params::default();
        let mut conditions: Vec<String> = Vec::new();
        if let Some(label) = &query.target_label {
            let label = params.push(label.trim().to_lowercase());
            conditions.push(format!("target_label_normalized = {label}"));
        }
        if let Some(kind) = query.target_kind {
            let kind = params.push(kind.as_str());
            conditions.push(format!("target_kind = {kind}"));
        }
        if let Some(kind) = query.except_kind {
            let kind = params.push(kind.as_str());
            conditions.push(format!("target_kind <> {kind}"));
        }
        if let Some(target) = query.target_id {
            let target = params.push(target);
            conditions.push(format!("target_id = {target}"));
        }
        if let Some(operator) = query.operator {
            let operator = params.push(operator.0);
            conditions.push(format!("operator_id = {operator}"));
        }
        if let Some(action) = &query.action {
            let action = params.push(action.as_str());
            conditions.push(format!("action = {action}"));
        }
        if let Some(before) = query.before_id {
            let before = params.push(before);
            conditions.push(format!("id < {before}"));
        }
        let limit = params.limit(self.dialect(), u64::from(query.limit.clamp(1, 10_000)));
        let statement = format!(
            "SELECT id, at, operator_id, operator_label, action, target_kind, target_id, \
             target_label, CAST(changes AS TEXT) FROM audit_events{} ORDER BY id DESC LIMIT {limit}",
            where_clause(&conditions)
        );
        self.query(&statement, &params.0)
            .await?
            .iter()
            .map(|row| {
                let id = row.int(0)?;
                let kind = row.text(5)?;
                let changes = row.text(8)?;
                Ok(AuditEvent {
                    id,
                    at: row.time(1)?,
                    operator: row.opt_int(2)?.map(UserId),
                    operator_label: row.text(3)?,
                    action: row.text(4)?,
                    target_kind: TargetKind::parse_stored(&kind)
                        .ok_or_else(|| corrupt("audit target", &kind))?,
                    target_id: row.opt_int(6)?,
                    target_label: row.text(7)?,
                    changes: serde_json::from_str::<Vec<FieldChange>>(&changes)
                        .map_err(|_| corrupt("audit changes of event", &id.to_string()))?,
                })
            })
            .collect()
    }
}
