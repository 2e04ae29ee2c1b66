//! Benchmark seeding of the audit log ([`crate::bench::seed_audit`]): many
//! events written already chained, their hashes computed in memory, in one
//! multi-row statement per batch (PostgreSQL) or one prepared statement
//! (SQLite), so ten million events take minutes, not hours. Not used by the
//! directory: its events go through [`super::AuditTx::append_audit`].

use async_trait::async_trait;

use crate::model::NewAuditEvent;
use crate::store::sql::{Dialect, Sql};
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
        super::audit::append_batch(self, events).await
    }
}
