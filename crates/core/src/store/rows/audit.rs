//! The audit log: appended to, never changed, each event chained to the one
//! before it by its hash ([`crate::audit::chain`]).

use async_trait::async_trait;

use super::audit_view::{self, View, EVENT_COLUMNS};
use crate::audit::chain::{ChainHead, ChainedEvent};
use crate::audit::filter::{AuditCursor, AuditFilter};
use crate::audit::ActionGroup;
use crate::domain::UserId;
use crate::model::{AuditEvent, AuditQuery, FieldChange, NewAuditEvent, TargetKind};
use crate::store::sql::{
    corrupt, millis, query_opt, where_clause, ColumnType, Dialect, Params, RowRef, Sql, SqlRow,
};
use crate::store::StoreError;

/// How many unchained events [`AuditTx::chain_existing_events`] reads and
/// writes at a time.
const CHAIN_BATCH: i64 = 5_000;

/// How many events [`AuditTx::append_audits`] writes per statement batch.
pub const APPEND_BATCH: usize = 2_000;

/// The audit log, as one transaction reads and writes it.
#[async_trait]
pub trait AuditTx: Send {
    /// Appends `event` at the chain's head. The head's row stays locked until
    /// the transaction ends, so concurrent writers append one after another
    /// and can never fork the chain.
    async fn append_audit(&mut self, event: &NewAuditEvent) -> Result<(), StoreError>;
    /// Appends `events` at the chain's head in their order, as
    /// [`AuditTx::append_audit`] one after another would, in a few
    /// statements per [`APPEND_BATCH`] events (bulk actions and imports).
    async fn append_audits(&mut self, events: &[NewAuditEvent]) -> Result<(), StoreError>;
    /// The newest events first, filtered and paged by `query`.
    async fn audit_events(&mut self, query: &AuditQuery) -> Result<Vec<AuditEvent>, StoreError>;
    /// One page of the audit page's view, newest first (by time, then id),
    /// after `after`. `except_client` leaves client events out.
    async fn audit_page(
        &mut self,
        filter: &AuditFilter,
        except_client: bool,
        after: Option<AuditCursor>,
        limit: u32,
    ) -> Result<Vec<AuditEvent>, StoreError>;
    /// Every event of the view, newest first, handed over one at a time (exports).
    async fn each_audit_event(
        &mut self,
        filter: &AuditFilter,
        except_client: bool,
        each: &mut (dyn FnMut(AuditEvent) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError>;
    /// The chain's head as kept.
    async fn audit_chain_head(&mut self) -> Result<ChainHead, StoreError>;
    /// The chained events with `seq` in `(after, up_to]`, in chain order,
    /// each with its stored hash ("" when it has none).
    async fn each_chained_event(
        &mut self,
        after: i64,
        up_to: i64,
        each: &mut (dyn FnMut(ChainedEvent, String) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError>;
    /// The lowest id of an event that has no place in the chain.
    async fn first_unchained_event(&mut self) -> Result<Option<i64>, StoreError>;
    /// Chains the events written before the chain existed (schema V6), in
    /// id order, once; returns how many it chained.
    async fn chain_existing_events(&mut self) -> Result<u64, StoreError>;
}

pub(super) fn event_of(row: &dyn RowRef) -> Result<AuditEvent, StoreError> {
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
}

/// An event of [`AuditTx::each_chained_event`]'s statement and its stored
/// hash, its texts moved out of the row (verification reads millions).
fn chained_of(mut row: SqlRow) -> Result<(ChainedEvent, String), StoreError> {
    Ok((
        ChainedEvent {
            seq: row.int(0)?,
            id: row.int(1)?,
            at: row.int(2)?,
            operator_id: row.opt_int(3)?,
            operator_label: row.take_text(4)?,
            operator_label_normalized: row.take_opt_text(5)?.unwrap_or_default(),
            action: row.take_text(6)?,
            category: row.take_opt_text(7)?.unwrap_or_default(),
            target_kind: row.take_text(8)?,
            target_id: row.opt_int(9)?,
            target_label: row.take_text(10)?,
            target_label_normalized: row.take_text(11)?,
            changes: row.take_text(12)?,
        },
        row.take_opt_text(13)?.unwrap_or_default(),
    ))
}

/// `event` as the chain hashes it, at place `seq` (its id comes once written).
fn chained_of_new(event: &NewAuditEvent, seq: i64) -> Result<ChainedEvent, StoreError> {
    let changes = serde_json::to_string(&event.changes).map_err(|error| StoreError::Internal {
        detail: error.to_string(),
    })?;
    let category = ActionGroup::of(event.action, event.changes.iter().map(|c| c.field.as_str()));
    Ok(ChainedEvent {
        seq,
        id: 0,
        at: event.at.timestamp_millis(),
        operator_id: event.operator.map(|o| o.0),
        operator_label: event.operator_label.clone(),
        operator_label_normalized: event.operator_label.to_lowercase(),
        action: event.action.to_owned(),
        category: category.as_str().to_owned(),
        target_kind: event.target_kind.as_str().to_owned(),
        target_id: event.target_id,
        target_label: event.target_label.clone(),
        target_label_normalized: event.target_label.to_lowercase(),
        changes,
    })
}

/// Appends `events` at the chain's head in one multi-row insert: the head's
/// row lock first (so no other writer appends meanwhile), then their places
/// and ids taken after the last ones, their hashes chained in memory, the
/// rows written whole, and the table's identity moved past them.
pub(super) async fn append_batch<S: Sql + ?Sized>(
    sql: &mut S,
    events: &[NewAuditEvent],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let count = i64::try_from(events.len()).unwrap_or(i64::MAX);
    let head = query_opt(
        sql,
        "UPDATE audit_chain SET events = events + $1 WHERE id = 1 RETURNING events, last_hash",
        &[count.into()],
    )
    .await?
    .ok_or_else(|| corrupt("audit chain", "no head"))?;
    let mut previous = head.text(1)?;
    let first_seq = head.int(0)? - count + 1;
    let mut id = super::snapshot::last_id(sql, "audit_events").await?;
    let mut rows = Vec::with_capacity(events.len());
    for (event, seq) in events.iter().zip(first_seq..) {
        id += 1;
        let mut chained = chained_of_new(event, seq)?;
        chained.id = id;
        previous = chained.hash(&previous);
        rows.push(vec![
            chained.id.into(),
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
    sql.insert_rows(
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
    super::snapshot::continue_ids_after(sql, "audit_events", id).await?;
    sql.execute(
        "UPDATE audit_chain SET last_hash = $1 WHERE id = 1",
        &[previous.into()],
    )
    .await?;
    Ok(())
}

#[async_trait]
impl<S: Sql + ?Sized> AuditTx for S {
    async fn append_audit(&mut self, event: &NewAuditEvent) -> Result<(), StoreError> {
        // Taking the head's row lock first: writers append in turn.
        let head = query_opt(
            self,
            "UPDATE audit_chain SET events = events + 1 WHERE id = 1 RETURNING events, last_hash",
            &[],
        )
        .await?
        .ok_or_else(|| corrupt("audit chain", "no head"))?;
        let seq = head.int(0)?;
        let previous = head.text(1)?;
        // PostgreSQL keeps the changes as `json` (the text exactly as written).
        let changes_param = match self.dialect() {
            Dialect::Sqlite => "$9",
            Dialect::Postgres => "CAST($9::text AS json)",
        };
        let mut chained = chained_of_new(event, seq)?;
        let inserted = query_opt(
            self,
            &format!(
                "INSERT INTO audit_events (at, operator_id, operator_label, action, target_kind, \
                 target_id, target_label, target_label_normalized, changes, seq, category, \
                 operator_label_normalized) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, {changes_param}, $10, $11, $12) RETURNING id"
            ),
            &[
                millis(event.at),
                chained.operator_id.into(),
                chained.operator_label.as_str().into(),
                chained.action.as_str().into(),
                chained.target_kind.as_str().into(),
                chained.target_id.into(),
                chained.target_label.as_str().into(),
                chained.target_label_normalized.as_str().into(),
                chained.changes.as_str().into(),
                seq.into(),
                chained.category.as_str().into(),
                chained.operator_label_normalized.as_str().into(),
            ],
        )
        .await?
        .ok_or_else(|| corrupt("audit event", "not inserted"))?;
        chained.id = inserted.int(0)?;
        let hash = chained.hash(&previous);
        self.execute(
            "UPDATE audit_events SET hash = $1 WHERE id = $2",
            &[hash.as_str().into(), chained.id.into()],
        )
        .await?;
        self.execute(
            "UPDATE audit_chain SET last_hash = $1 WHERE id = 1",
            &[hash.into()],
        )
        .await?;
        Ok(())
    }

    async fn append_audits(&mut self, events: &[NewAuditEvent]) -> Result<(), StoreError> {
        for batch in events.chunks(APPEND_BATCH) {
            match batch {
                [event] => self.append_audit(event).await?,
                _ => append_batch(self, batch).await?,
            }
        }
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
            "SELECT {EVENT_COLUMNS} FROM audit_events{} ORDER BY id DESC LIMIT {limit}",
            where_clause(&conditions)
        );
        self.query(&statement, &params.0)
            .await?
            .iter()
            .map(|row| event_of(row))
            .collect()
    }

    async fn audit_page(
        &mut self,
        filter: &AuditFilter,
        except_client: bool,
        after: Option<AuditCursor>,
        limit: u32,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        audit_view::page(self, filter, except_client, after, limit).await
    }

    async fn each_audit_event(
        &mut self,
        filter: &AuditFilter,
        except_client: bool,
        each: &mut (dyn FnMut(AuditEvent) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError> {
        let mut params = Params::default();
        let view = View::new(self.dialect(), &mut params, filter, except_client, None);
        let statement = audit_view::all_statement(&view);
        self.for_each(&statement, &params.0, &mut |row| each(event_of(&row)?))
            .await
    }

    async fn audit_chain_head(&mut self) -> Result<ChainHead, StoreError> {
        let row = query_opt(
            self,
            "SELECT events, last_hash, anchor_seq, anchor_hash FROM audit_chain WHERE id = 1",
            &[],
        )
        .await?
        .ok_or_else(|| corrupt("audit chain", "no head"))?;
        Ok(ChainHead {
            events: row.int(0)?,
            last_hash: row.text(1)?,
            anchor_seq: row.int(2)?,
            anchor_hash: row.text(3)?,
        })
    }

    async fn each_chained_event(
        &mut self,
        after: i64,
        up_to: i64,
        each: &mut (dyn FnMut(ChainedEvent, String) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError> {
        self.for_each(
            "SELECT seq, id, at, operator_id, operator_label, operator_label_normalized, action, \
             category, target_kind, target_id, target_label, target_label_normalized, \
             CAST(changes AS TEXT), hash FROM audit_events \
             WHERE seq > $1 AND seq <= $2 ORDER BY seq",
            &[after.into(), up_to.into()],
            &mut |row| {
                let (event, hash) = chained_of(row)?;
                each(event, hash)
            },
        )
        .await
    }

    async fn first_unchained_event(&mut self) -> Result<Option<i64>, StoreError> {
        Ok(query_opt(
            self,
            "SELECT id FROM audit_events WHERE seq IS NULL ORDER BY id LIMIT 1",
            &[],
        )
        .await?
        .map(|row| row.int(0))
        .transpose()?)
    }

    async fn chain_existing_events(&mut self) -> Result<u64, StoreError> {
        let state = query_opt(
            self,
            "SELECT events, last_hash, chained FROM audit_chain WHERE id = 1",
            &[],
        )
        .await?
        .ok_or_else(|| corrupt("audit chain", "no head"))?;
        if state.bool(2)? {
            return Ok(0);
        }
        let mut seq = state.int(0)?;
        let mut previous = state.text(1)?;
        let mut last_id = 0_i64;
        let mut chained = 0_u64;
        self.execute(
            "CREATE TEMPORARY TABLE audit_chain_fill (id BIGINT PRIMARY KEY, seq BIGINT, \
             category TEXT, operator_label_normalized TEXT, hash TEXT)",
            &[],
        )
        .await?;
        loop {
            let rows = self
                .query(
                    "SELECT id, at, operator_id, operator_label, action, target_kind, target_id, \
                     target_label, target_label_normalized, CAST(changes AS TEXT) \
                     FROM audit_events WHERE seq IS NULL AND id > $1 ORDER BY id LIMIT $2",
                    &[last_id.into(), CHAIN_BATCH.into()],
                )
                .await?;
            if rows.is_empty() {
                break;
            }
            let mut fill = Vec::with_capacity(rows.len());
            for row in &rows {
                let changes = row.text(9)?;
                let action = row.text(4)?;
                let operator_label = row.text(3)?;
                seq += 1;
                let event = ChainedEvent {
                    seq,
                    id: row.int(0)?,
                    at: row.int(1)?,
                    operator_id: row.opt_int(2)?,
                    operator_label_normalized: operator_label.to_lowercase(),
                    operator_label,
                    category: ActionGroup::of_stored(&action, &changes)
                        .as_str()
                        .to_owned(),
                    action,
                    target_kind: row.text(5)?,
                    target_id: row.opt_int(6)?,
                    target_label: row.text(7)?,
                    target_label_normalized: row.text(8)?,
                    changes,
                };
                previous = event.hash(&previous);
                last_id = event.id;
                fill.push(vec![
                    event.id.into(),
                    event.seq.into(),
                    event.category.into(),
                    event.operator_label_normalized.into(),
                    previous.as_str().into(),
                ]);
            }
            chained += fill.len() as u64;
            self.insert_rows(
                "audit_chain_fill",
                &[
                    ("id", ColumnType::Int),
                    ("seq", ColumnType::Int),
                    ("category", ColumnType::Text),
                    ("operator_label_normalized", ColumnType::Text),
                    ("hash", ColumnType::Text),
                ],
                fill,
            )
            .await?;
            self.execute(
                "UPDATE audit_events SET seq = f.seq, category = f.category, \
                 operator_label_normalized = f.operator_label_normalized, hash = f.hash \
                 FROM audit_chain_fill AS f WHERE audit_events.id = f.id",
                &[],
            )
            .await?;
            self.execute("DELETE FROM audit_chain_fill", &[]).await?;
        }
        self.execute("DROP TABLE audit_chain_fill", &[]).await?;
        self.execute(
            "UPDATE audit_chain SET events = $1, last_hash = $2, chained = $3 WHERE id = 1",
            &[seq.into(), previous.into(), true.into()],
        )
        .await?;
        Ok(chained)
    }
}
