//! Reading the audit page's view: its conditions, and the statements that
//! read a page of it (or all of it, for an export) in the order the page
//! shows, newest first.
//!
//! A search by name on SQLite is planned per query: SQLite's planner has
//! no statistics of how often a name occurs, and no single statement is
//! fast for both a frequent name (walk the log newest first until a page
//! is full) and a rare one (read the few matches through the label indexes,
//! then only the page's rows). [`sqlite_search_page`] counts a name's
//! matches up to [`RARE`] through the label indexes alone; a rarer name is
//! read through them, a more frequent one by walking the newest
//! [`WALK`] events of the time range, and only when that walk neither fills
//! the page nor reaches the range's end through the label indexes after
//! all. PostgreSQL's planner keeps statistics of its own.

use crate::audit::filter::{AuditCursor, AuditFilter, AuditTarget};
use crate::audit::ActionGroup;
use crate::model::{AuditEvent, TargetKind};
use crate::store::sql::{count, where_clause, Dialect, Params, Sql};

use super::audit::event_of;
use super::search::{in_range, prefix_range};
use crate::store::StoreError;

/// The columns of an [`crate::model::AuditEvent`], in `event_of`'s order.
pub(super) const EVENT_COLUMNS: &str = "id, at, operator_id, operator_label, action, \
     target_kind, target_id, target_label, CAST(changes AS TEXT)";

/// Names with fewer matches than this (in the whole log) are read through
/// the label indexes on SQLite: at most this many index entries, without
/// reading their rows.
const RARE: u64 = 2_000;

/// How many of the time range's newest events a search on SQLite walks
/// before it reads the label indexes instead: a name frequent enough
/// fills a page sooner (one event in 100 fills it within 5,000).
const WALK: u64 = 5_000;

/// The label columns a name search looks in, each with an index on
/// `(label, at)` (SQLite's hold the id as well).
const LABEL_INDEXES: [(&str, &str); 2] = [
    ("target_label_normalized", "audit_events_target_prefix"),
    ("operator_label_normalized", "audit_events_operator_prefix"),
];

/// The audit page's view: every one of `conditions` and `times`, one of
/// `either` when it is not empty, and one of `labels` when it is not empty.
pub(super) struct View {
    /// Conditions the label indexes do not serve (filters, masking).
    conditions: Vec<String>,
    /// The time range and a page's cursor: served by every index, all of
    /// which end in `at`.
    times: Vec<String>,
    /// Alternatives each served by an index of its own (a person as the
    /// operator or as the target): a page reads each one's newest events
    /// through its index and merges them, where one `OR` would make the
    /// store collect and sort every match.
    either: Vec<String>,
    /// A name search: the prefix on each label column, in
    /// [`LABEL_INDEXES`]'s order.
    labels: Vec<String>,
    /// No filter but the time range and the search (a masked operator's
    /// view of no client events counts as unfiltered).
    search_alone: bool,
}

impl View {
    /// The conditions of the audit page's view of `filter`, after `after`.
    pub(super) fn new(
        dialect: Dialect,
        params: &mut Params,
        filter: &AuditFilter,
        except_client: bool,
        after: Option<AuditCursor>,
    ) -> Self {
        let mut conditions = Vec::new();
        let mut times = Vec::new();
        let mut either = Vec::new();
        if let Some(operator) = filter.operator {
            let operator = params.push(operator.0);
            conditions.push(format!("operator_id = {operator}"));
        }
        if let Some(person) = filter.person {
            let person = params.push(person.0);
            either.push(format!("operator_id = {person}"));
            either.push(format!("(target_kind = 'user' AND target_id = {person})"));
        }
        match filter.target {
            None => {}
            Some(AuditTarget::SignIn) => {
                let group = params.push(ActionGroup::SignIn.as_str());
                conditions.push(format!("category = {group}"));
            }
            Some(target) => {
                let kind = match target {
                    AuditTarget::User => TargetKind::User,
                    AuditTarget::Group => TargetKind::Group,
                    AuditTarget::Client => TargetKind::Client,
                    AuditTarget::Settings | AuditTarget::SignIn => TargetKind::Settings,
                };
                let kind = params.push(kind.as_str());
                conditions.push(format!("target_kind = {kind}"));
            }
        }
        if let Some(group) = filter.action {
            let group = params.push(group.as_str());
            conditions.push(format!("category = {group}"));
        }
        let search_alone = conditions.is_empty() && either.is_empty();
        if except_client {
            conditions.push("target_kind <> 'client'".into());
        }
        if let Some(from) = filter.from {
            let from = params.push(from.timestamp_millis());
            times.push(format!("at >= {from}"));
        }
        if let Some(to) = filter.to {
            let to = params.push(to.timestamp_millis());
            times.push(format!("at < {to}"));
        }
        if let Some(after) = after {
            let at = params.push(after.at);
            let id = params.push(after.id);
            times.push(format!("(at, id) < ({at}, {id})"));
        }
        let labels = match filter.search_text() {
            Some(search) => prefix_conditions(dialect, params, &search),
            None => Vec::new(),
        };
        View {
            conditions,
            times,
            either,
            labels,
            search_alone,
        }
    }

    /// Every condition but `either` and `labels`.
    fn plain(&self) -> Vec<String> {
        let mut all = self.conditions.clone();
        all.extend(self.times.iter().cloned());
        if !self.labels.is_empty() {
            all.push(format!("({})", self.labels.join(" OR ")));
        }
        all
    }

    /// All the conditions in one list, `either` and `labels` each as one `OR`.
    fn all(&self) -> Vec<String> {
        let mut all = self.plain();
        if !self.either.is_empty() {
            all.push(format!("({})", self.either.join(" OR ")));
        }
        all
    }
}

/// The target's or the operator's lowercased label starts with `prefix`,
/// one condition per column of [`LABEL_INDEXES`], each served by that
/// column's index: a range on SQLite (its `LIKE` ignores case and so no
/// index serves it), `LIKE 'prefix%'` with the metacharacters escaped on
/// PostgreSQL (served by `text_pattern_ops`).
fn prefix_conditions(dialect: Dialect, params: &mut Params, prefix: &str) -> Vec<String> {
    let columns = LABEL_INDEXES.map(|(column, _)| column);
    match dialect {
        Dialect::Sqlite => {
            let range = prefix_range(prefix, params);
            columns.iter().map(|c| in_range(c, &range)).collect()
        }
        Dialect::Postgres => {
            let pattern = params.push(format!("{}%", escape_like(prefix)));
            columns
                .iter()
                .map(|c| format!("{c} LIKE {pattern} ESCAPE '\\'"))
                .collect()
        }
    }
}

/// `text` with `LIKE`'s metacharacters (`%`, `_`) and the escape character
/// itself escaped, so each matches only itself.
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

const NEWEST_FIRST: &str = " ORDER BY at DESC, id DESC";

/// The statement that reads the whole view, newest first (exports).
pub(super) fn all_statement(view: &View) -> String {
    format!(
        "SELECT {EVENT_COLUMNS} FROM audit_events{}{NEWEST_FIRST}",
        where_clause(&view.all())
    )
}

/// The view's first `rows` events after `after`, newest first.
pub(super) async fn page<S: Sql + ?Sized>(
    sql: &mut S,
    filter: &AuditFilter,
    except_client: bool,
    after: Option<AuditCursor>,
    rows: u32,
) -> Result<Vec<AuditEvent>, StoreError> {
    let dialect = sql.dialect();
    let mut params = Params::default();
    let view = View::new(dialect, &mut params, filter, except_client, after);
    if dialect == Dialect::Sqlite && view.search_alone && !view.labels.is_empty() {
        return sqlite_search_page(sql, filter, except_client, after, rows).await;
    }
    let statement = if view.either.len() > 1 {
        either_statement(dialect, &mut params, &view, rows)
    } else {
        format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events{}{NEWEST_FIRST} LIMIT {}",
            where_clause(&view.all()),
            params.limit(dialect, u64::from(rows))
        )
    };
    events(sql, &statement, &params).await
}

async fn events<S: Sql + ?Sized>(
    sql: &mut S,
    statement: &str,
    params: &Params,
) -> Result<Vec<AuditEvent>, StoreError> {
    let mut events = Vec::new();
    sql.query_each(statement, &params.0, &mut |row| {
        events.push(event_of(row)?);
        Ok(())
    })
    .await?;
    Ok(events)
}

/// A search alone (with a time range, perhaps) on SQLite, planned as the
/// module says. Each statement is built from a view of its own, so that it
/// binds exactly the parameters it names.
async fn sqlite_search_page<S: Sql + ?Sized>(
    sql: &mut S,
    filter: &AuditFilter,
    except_client: bool,
    after: Option<AuditCursor>,
    rows: u32,
) -> Result<Vec<AuditEvent>, StoreError> {
    let dialect = Dialect::Sqlite;
    // How often the name occurs in the whole log, up to RARE.
    let mut params = Params::default();
    let name_only = AuditFilter {
        search: filter.search.clone(),
        ..AuditFilter::default()
    };
    let names = View::new(dialect, &mut params, &name_only, false, None);
    let counts: Vec<String> = names
        .labels
        .iter()
        .zip(LABEL_INDEXES)
        .map(|(label, (_, index))| {
            format!(
                "(SELECT count(*) FROM (SELECT 1 FROM audit_events INDEXED BY {index} \
                 WHERE {label} LIMIT {RARE}))"
            )
        })
        .collect();
    let matches = count(sql, &format!("SELECT {}", counts.join(" + ")), &params.0).await?;
    let mut params = Params::default();
    let view = View::new(dialect, &mut params, filter, except_client, after);
    if matches >= RARE {
        // The newest WALK events of the range, the page's among them.
        let mut window = view.conditions.clone();
        window.extend(view.times.iter().cloned());
        let statement = format!(
            "SELECT * FROM (SELECT {EVENT_COLUMNS}, target_label_normalized, \
             operator_label_normalized FROM audit_events INDEXED BY audit_events_at{}\
             {NEWEST_FIRST} LIMIT {WALK}) AS walked WHERE ({}){NEWEST_FIRST} LIMIT {rows}",
            where_clause(&window),
            view.labels.join(" OR ")
        );
        let found = events(sql, &statement, &params).await?;
        if found.len() == rows as usize {
            return Ok(found);
        }
        let mut range_params = Params::default();
        let range_filter = AuditFilter {
            search: None,
            ..filter.clone()
        };
        let range = View::new(
            dialect,
            &mut range_params,
            &range_filter,
            except_client,
            after,
        );
        let walked = count(
            sql,
            &format!(
                "SELECT count(*) FROM (SELECT 1 FROM audit_events INDEXED BY audit_events_at{} \
                 LIMIT {WALK})",
                where_clause(&range.all())
            ),
            &range_params.0,
        )
        .await?;
        if walked < WALK {
            // The walk reached the range's end: that is the whole view.
            return Ok(found);
        }
    }
    // Each label index's newest matches, read from the index alone (it
    // holds `at` and the id), then only those rows.
    let parts: Vec<String> = view
        .labels
        .iter()
        .zip(LABEL_INDEXES)
        .map(|(label, (_, index))| {
            let mut conditions = view.conditions.clone();
            conditions.extend(view.times.iter().cloned());
            conditions.push(label.clone());
            format!(
                "SELECT id FROM (SELECT id, at FROM audit_events INDEXED BY {index}{}\
                 {NEWEST_FIRST} LIMIT {rows})",
                where_clause(&conditions)
            )
        })
        .collect();
    let statement = format!(
        "SELECT {EVENT_COLUMNS} FROM audit_events WHERE id IN ({}){NEWEST_FIRST} LIMIT {rows}",
        parts.join(" UNION ALL ")
    );
    events(sql, &statement, &params).await
}

/// Each of `either`'s alternatives' first `rows` events in order, merged
/// (`UNION` drops an event both name), then the first `rows` of the merge.
fn either_statement(dialect: Dialect, params: &mut Params, view: &View, rows: u32) -> String {
    let limit = params.limit(dialect, u64::from(rows));
    let plain = view.plain();
    let parts: Vec<String> = view
        .either
        .iter()
        .enumerate()
        .map(|(n, alternative)| {
            let mut conditions = plain.clone();
            conditions.push(alternative.clone());
            format!(
                "SELECT * FROM (SELECT {EVENT_COLUMNS} FROM audit_events{}{NEWEST_FIRST} \
                 LIMIT {limit}) AS part{n}",
                where_clause(&conditions)
            )
        })
        .collect();
    format!(
        "SELECT * FROM ({}) AS merged{NEWEST_FIRST} LIMIT {limit}",
        parts.join(" UNION ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_metacharacters_match_only_themselves() {
        assert_eq!(escape_like(r"50%_off\"), r"50\%\_off\\");
    }
}
