//! Benchmark seeding of the audit log ([`crate::bench::seed_audit`]): many
//! events written already chained, their hashes computed in memory, in one
//! multi-row statement per batch (PostgreSQL) or one prepared statement
//! (SQLite), so ten million events take minutes, not hours. Not used by the
//! directory: its events go through [`super::AuditTx::append_audit`].

use async_trait::async_trait;

use crate::audit::chain::ChainedEvent;
use crate::audit::ActionGroup;
use crate::model::NewAuditEvent;
use crate::store::sql::{corrupt, query_opt, ColumnType, Dialect, Sql, Value};
use crate::store::StoreError;

#[async_trait]
pub trait AuditSeedTx: Send {
    /// Appends `events` at the chain's head, chained, with ids after the
    /// highest the log ever handed out.
    async fn insert_chained_events(&mut self, events: &[NewAuditEvent]) -> Result<(), StoreError>;
    /// Drops the audit log's secondary indexes and returns their
    /// definitions, for [`AuditSeedTx::restore_indexes`] once the bulk load
    /// is in: building an index once over sorted data is far faster than
    /// keeping a dozen up to date row by row (ten million rows).
    async fn set_aside_audit_indexes(&mut self) -> Result<Vec<String>, StoreError>;
    /// Runs the index definitions [`AuditSeedTx::set_aside_audit_indexes`] returned.
    async fn restore_indexes(&mut self, definitions: &[String]) -> Result<(), StoreError>;
}

#[async_trait]
impl<S: Sql + ?Sized> AuditSeedTx for S {
    async fn set_aside_audit_indexes(&mut self) -> Result<Vec<String>, StoreError> {
        let statement = match self.dialect() {
            Dialect::Sqlite => {
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
                 AND tbl_name = 'audit_events' AND sql IS NOT NULL"
            }
            Dialect::Postgres => {
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() \
                 AND tablename = 'audit_events' AND indexname <> 'audit_events_pkey'"
            }
        };
        let mut definitions = Vec::new();
        for row in self.query(statement, &[]).await? {
            let name = row.text(0)?;
            definitions.push(row.text(1)?);
            self.execute(&format!("DROP INDEX \"{name}\""), &[]).await?;
        }
        Ok(definitions)
    }

    async fn restore_indexes(&mut self, definitions: &[String]) -> Result<(), StoreError> {
        for definition in definitions {
            self.execute(definition, &[]).await?;
        }
        Ok(())
    }

    async fn insert_chained_events(&mut self, events: &[NewAuditEvent]) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let count = i64::try_from(events.len()).unwrap_or(i64::MAX);
        // Taking the head's row lock first, as every append does.
        let head = query_opt(
            self,
            "UPDATE audit_chain SET events = events + $1 WHERE id = 1 RETURNING events, last_hash",
            &[count.into()],
        )
        .await?
        .ok_or_else(|| corrupt("audit chain", "no head"))?;
        let mut seq = head.int(0)? - count;
        let mut previous = head.text(1)?;
        let mut id = super::snapshot::last_id(self, "audit_events").await?;
        let mut rows = Vec::with_capacity(events.len());
        for event in events {
            seq += 1;
            id += 1;
            let changes =
                serde_json::to_string(&event.changes).map_err(|error| StoreError::Internal {
                    detail: error.to_string(),
                })?;
            let chained = ChainedEvent {
                seq,
                id,
                at: event.at.timestamp_millis(),
                operator_id: event.operator.map(|o| o.0),
                operator_label: event.operator_label.clone(),
                operator_label_normalized: event.operator_label.to_lowercase(),
                action: event.action.to_owned(),
                category: ActionGroup::of(
                    event.action,
                    event.changes.iter().map(|c| c.field.as_str()),
                )
                .as_str()
                .to_owned(),
                target_kind: event.target_kind.as_str().to_owned(),
                target_id: event.target_id,
                target_label: event.target_label.clone(),
                target_label_normalized: event.target_label.to_lowercase(),
                changes,
            };
            previous = chained.hash(&previous);
            rows.push(vec![
                Value::from(chained.id),
                chained.at.into(),
                chained.operator_id.into(),
                chained.operator_label.into(),
                chained.action.into(),
                chained.target_kind.into(),
                chained.target_id.into(),
                chained.target_label.into(),
                chained.target_label_normalized.into(),
                chained.changes.into(),
                chained.seq.into(),
                chained.category.into(),
                chained.operator_label_normalized.into(),
                previous.as_str().into(),
            ]);
        }
        self.insert_rows(
            "audit_events",
            &[
                ("id", ColumnType::Int),
                ("at", ColumnType::Int),
                ("operator_id", ColumnType::Int),
                ("operator_label", ColumnType::Text),
                ("action", ColumnType::Text),
                ("target_kind", ColumnType::Text),
                ("target_id", ColumnType::Int),
                ("target_label", ColumnType::Text),
                ("target_label_normalized", ColumnType::Text),
                ("changes", ColumnType::Json),
                ("seq", ColumnType::Int),
                ("category", ColumnType::Text),
                ("operator_label_normalized", ColumnType::Text),
                ("hash", ColumnType::Text),
            ],
            rows,
        )
        .await?;
        super::snapshot::continue_ids_after(self, "audit_events", id).await?;
        self.execute(
            "UPDATE audit_chain SET last_hash = $1 WHERE id = 1",
            &[previous.into()],
        )
        .await?;
        Ok(())
    }
}
