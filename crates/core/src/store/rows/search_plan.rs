//! How SQLite reads a users search's page in a sort. It keeps no
//! statistics to choose by itself, and every fixed plan grows with the
//! directory somewhere: sorting every hit of a frequent search ("mar"),
//! walking the sort's index past everyone for a rare one ("lidwina"), or
//! walking it for hits that cluster late in the sort, where the search
//! starts the sort key ("zhang" by name: most of its hits are the
//! Zhangs, near the end). So a search is planned per query from its
//! index's own counts ([`reading`]), and every plan returns exactly the
//! rows of one rule ([`rule`]), which the index only narrows. PostgreSQL
//! plans from its own statistics: it always takes [`Reading::Index`].

use crate::store::sql::{self, Dialect, Params, Sql};
use crate::store::{SortField, StoreError, COUNT_CAP};

use super::search::{
    by_word_start, contains_pattern, fts_phrase, fts_word_start, index_count, prefix_upper_bound,
    word_start_condition, SUBSTRING,
};

/// How a search's rows are read for a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reading {
    /// The index's hits, each tested by the rule, then sorted: a rare
    /// search, or any search on PostgreSQL.
    Index,
    /// The sort's index walked, each row tested by the rule until the page
    /// is full: a frequent search whose hits are spread through the sort.
    Walk,
    /// Three parts, each read in the sort's order and merged: the range of
    /// the sort's index whose key starts with the search (every row there
    /// a hit), the index's other hits (few), read and sorted, and, for a
    /// word start, the rows whose key starts with ASCII punctuation (whose
    /// first word the index sees later). For a frequent search in the name
    /// or email sort whose hits mostly start the sort key.
    Split,
}

/// The FTS5 table and query that find a search's rows: a superset of the
/// rule's, its trigrams for three characters or more, its words for a
/// word start; `None` for a short search with punctuation (a prefix range).
pub(super) fn index_query(text: &str) -> Option<(&'static str, String)> {
    if text.chars().count() >= SUBSTRING {
        Some(("users_search", fts_phrase(text)))
    } else if by_word_start(text) {
        Some(("users_words", fts_word_start(text)))
    } else {
        None
    }
}

/// The column of the search index that holds a text sort's key (name or
/// email), in both of SQLite's tables; `None` for the other sorts.
fn index_column(sort: SortField) -> Option<(&'static str, &'static str)> {
    match sort {
        SortField::Name => Some(("name", "u.name_key")),
        SortField::Email => Some(("email", "u.email_normalized")),
        _ => None,
    }
}

/// The most hits a search of `text` among `rows` users, of whom the other
/// filters leave at most `within`, may have to be read from its index and
/// sorted (about 1.5 µs a hit at a million). A word start's walk tests
/// each row with several `GLOB`s, so it keeps √(100 × rows), as
/// [`super::search::rare_limit`]. A longer search's walk tests each row in
/// the sort's index (V18; the email's `users_email_walk`, V19), about 0.25
/// µs a row, so it walks from √(10 × rows) hits up: 3,162 at a million,
/// where reading them costs about 5 ms and a walk reads at most 51 ×
/// 1,000,000 / 3,162 = 16,000 entries. A walk among fewer (a status, a
/// group) reads `rows / within` times as far for its page: the limit grows
/// by the square root of that.
fn index_limit(text: &str, (rows, within): (u64, u64)) -> u64 {
    let per_row = if by_word_start(text) { 100.0 } else { 10.0 };
    let narrowed = rows as f64 / within.max(1) as f64;
    // Square root by f64: exact enough for any count of rows.
    ((per_row * rows as f64 * narrowed).sqrt() as u64).min(COUNT_CAP)
}

/// The most other hits a split reads from the index and sorts (about 1.5
/// µs each), beside the range of keys that start with the search.
const SPLIT_OTHERS: u64 = 2_000;

/// A search's plan, and what its indexes counted: its rows up to the
/// overview's cap and one more, which is the total of a search with no
/// other filter (SQLite). A split holds its other hits, read once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Planned {
    pub reading: Reading,
    pub counted: Option<u64>,
    pub others: Vec<i64>,
}

/// The plan of a users search of `text` in `sort`, among `rows` users:
/// [`Reading::Index`] when the index finds at most [`index_limit`] rows;
/// else, in a text sort, [`Reading::Split`] when more than half that many
/// keys start with the search (counted on the sort's index) and at most
/// that many of the index's rows do not, nor more than [`SPLIT_OTHERS`]
/// (read from the index: its `^` marks a column's first word), or
/// [`Reading::Index`] when more do but the search has at most the
/// overview's count cap of hits; else
/// [`Reading::Walk`], whose hits are then spread enough (at least half the
/// limit outside the range) that the walk stops soon. In a text sort the
/// keys that start with the search are counted first, up to the cap and
/// one more: past it they are the total (every one is a hit), and the
/// index's own count is not read (7 ms for "jennifer" at a million).
pub(super) async fn reading<S: Sql + ?Sized>(
    sql: &mut S,
    text: &str,
    sort: SortField,
    rows: (u64, u64),
) -> Result<Planned, StoreError> {
    let Some((table, query)) = index_query(text).filter(|_| sql.dialect() == Dialect::Sqlite)
    else {
        return Ok(Planned {
            reading: Reading::Index,
            counted: None,
            others: Vec::new(),
        });
    };
    let limit = index_limit(text, rows);
    let cap = limit.max(COUNT_CAP);
    let starting = match index_column(sort) {
        Some((_, key)) => Some(
            sql::count(
                sql,
                &format!(
                    "SELECT count(*) FROM (SELECT 1 FROM users u WHERE {key} >= $1 AND {key} < $2 \
                     LIMIT {})",
                    cap + 1
                ),
                &[text.into(), prefix_upper_bound(text).into()],
            )
            .await?,
        ),
        None => None,
    };
    let found = match starting {
        Some(starting) if starting > cap => starting,
        _ => index_count(sql, table, query.clone(), cap).await?,
    };
    let planned = |reading, others| {
        Ok(Planned {
            reading,
            counted: Some(found),
            others,
        })
    };
    if found <= limit {
        return planned(Reading::Index, Vec::new());
    }
    let (Some((column, _)), Some(starting)) = (index_column(sort), starting) else {
        return planned(Reading::Walk, Vec::new());
    };
    if starting <= limit / 2 {
        return planned(Reading::Walk, Vec::new());
    }
    let most = limit.min(SPLIT_OTHERS);
    let others = format!("{query} NOT {column} : ^ {query}");
    let others = index_rows(sql, table, others, most).await?;
    if others.len() as u64 <= most {
        return planned(Reading::Split, others);
    }
    // A search that starts many keys (a first name) also sits inside many
    // others in clusters of their own (María José, jose.luis@): a walk for
    // "jose" by name read 120 ms at a million, its 9,046 hits sorted 18 ms.
    // Up to the count's cap they are sorted.
    if found <= COUNT_CAP {
        return planned(Reading::Index, Vec::new());
    }
    planned(Reading::Walk, Vec::new())
}

/// The rows of the FTS5 table `table` that `query` matches, up to `limit`
/// and one more, in rowid order.
async fn index_rows<S: Sql + ?Sized>(
    sql: &mut S,
    table: &str,
    query: String,
    limit: u64,
) -> Result<Vec<i64>, StoreError> {
    let statement = format!(
        "SELECT rowid FROM {table} WHERE {table} MATCH $1 LIMIT {}",
        limit + 1
    );
    sql.query(&statement, &[query.into()])
        .await?
        .iter()
        .map(|row| row.int(0))
        .collect()
}

/// The rule of a users search (the lowercased `text`), tested on the row
/// `u`: three characters or more anywhere in the name's key or in the
/// email as typed, folded as its trigram index folds it; fewer at the start
/// of a word ([`word_start_condition`]); or a short search with
/// punctuation at the start of the whole name or email.
pub(super) fn rule(dialect: Dialect, text: &str, params: &mut Params) -> String {
    if text.chars().count() >= SUBSTRING {
        match dialect {
            Dialect::Sqlite => {
                // The email as typed, as the trigram index holds it: SQLite's
                // `lower` folds ASCII only, so an address with other letters
                // (a capital Ü in its domain) asks the index about its row.
                // (One typed as it is stored, the most, is never asked.)
                let phrase = params.push(fts_phrase(text));
                let text = params.push(text);
                format!(
                    "(instr(u.name_key, {text}) > 0 OR instr(lower(u.email), {text}) > 0 \
                     OR (u.email <> u.email_normalized AND u.email GLOB '*[^ -~]*' \
                     AND EXISTS (SELECT 1 FROM users_search \
                     WHERE users_search MATCH {phrase} AND users_search.rowid = u.id)))"
                )
            }
            Dialect::Postgres => {
                let pattern = params.push(contains_pattern(text));
                format!("(u.name_key LIKE {pattern} OR u.email_normalized LIKE {pattern})")
            }
        }
    } else if by_word_start(text) {
        word_start_condition(dialect, "u", text, params)
    } else {
        let lower = params.push(text);
        let upper = params.push(prefix_upper_bound(text));
        format!(
            "((u.name_key >= {lower} AND u.name_key < {upper}) OR \
             (u.email_normalized >= {lower} AND u.email_normalized < {upper}))"
        )
    }
}

/// The conditions of a search's parts under `reading`, one for each part
/// of the page (read in the sort's order and merged): one, or one to four
/// for [`Reading::Split`], whose index part is its `others` (the plan read
/// them), each tested by the rule.
pub(super) fn parts(
    dialect: Dialect,
    text: &str,
    (reading, others): (Reading, &[i64]),
    sort: SortField,
    params: &mut Params,
) -> Vec<String> {
    let index = index_query(text).filter(|_| dialect == Dialect::Sqlite);
    match (reading, index, index_column(sort)) {
        (Reading::Walk, Some(_), _) => vec![rule(dialect, text, params)],
        (Reading::Split, Some(_), Some((_, key))) => {
            let lower = params.push(text);
            let upper = params.push(prefix_upper_bound(text));
            let starts = format!("({key} >= {lower} AND {key} < {upper})");
            let mut parts = vec![starts];
            if !others.is_empty() {
                // One parameter, a JSON array: the statement's text is the
                // same for any number of them.
                let ids: Vec<String> = others.iter().map(i64::to_string).collect();
                let ids = params.push(format!("[{}]", ids.join(",")));
                parts.push(format!(
                    "(u.id IN (SELECT value FROM json_each({ids})) AND {})",
                    rule(dialect, text, params)
                ));
            }
            if by_word_start(text) {
                // A key that starts with ASCII space, punctuation (or a
                // digit): its first word, which the index's `^` sees, is
                // not its start. Two ranges, each read in order.
                let del = params.push("\u{7f}");
                for (from, to) in [("' '", "'a'"), ("'{'", del.as_str())] {
                    parts.push(format!(
                        "({key} >= {from} AND {key} < {to} AND {})",
                        rule(dialect, text, params)
                    ));
                }
            }
            parts
        }
        (_, Some((table, query)), _) => {
            let query = params.push(query);
            vec![format!(
                "(u.id IN (SELECT rowid FROM {table} WHERE {table} MATCH {query}) AND {})",
                rule(dialect, text, params)
            )]
        }
        (_, None, _) => vec![rule(dialect, text, params)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_longer_search_walks_from_fewer_hits_and_a_narrower_one_from_more() {
        let all = |rows| (rows, rows);
        assert_eq!(index_limit("zh", all(1_000_000)), 10_000);
        assert_eq!(index_limit("zhang", all(1_000_000)), 3_162);
        assert_eq!(index_limit("zh", all(16_821)), 1_296);
        assert_eq!(index_limit("corp", all(16_821)), 410);
        assert_eq!(index_limit("zhang", (1_000_000, 100_000)), 10_000);
        assert_eq!(index_limit("corp", (16_821, 4_205)), 820);
        assert_eq!(index_limit("zhang", (10, 0)), 31);
    }

    #[test]
    fn each_search_has_its_index_or_none() {
        assert_eq!(
            index_query("ma\"r"),
            Some(("users_search", "\"ma\"\"r\"".to_owned()))
        );
        assert_eq!(index_query("li"), Some(("users_words", "\"li\"*".into())));
        assert_eq!(index_query("j."), None);
    }

    #[test]
    fn a_split_reads_the_range_its_other_hits_and_punctuation_and_other_plans_one_part() {
        let mut params = Params::default();
        let split = parts(
            Dialect::Sqlite,
            "zhang",
            (Reading::Split, &[7, 9]),
            SortField::Name,
            &mut params,
        );
        assert_eq!(split.len(), 2);
        assert!(split[0].starts_with("(u.name_key >= $1"));
        assert!(split[1].starts_with("(u.id IN (SELECT value FROM json_each($3))"));
        assert_eq!(params.0[2], sql::Value::Text("[7,9]".into()));
        let words = parts(
            Dialect::Sqlite,
            "zh",
            (Reading::Split, &[]),
            SortField::Email,
            &mut params,
        );
        assert_eq!(words.len(), 3);
        assert!(words[1].starts_with("(u.email_normalized >= ' ' AND u.email_normalized < 'a'"));
        for reading in [Reading::Index, Reading::Walk] {
            assert_eq!(
                parts(
                    Dialect::Sqlite,
                    "zh",
                    (reading, &[]),
                    SortField::Email,
                    &mut params
                )
                .len(),
                1
            );
        }
    }
}
