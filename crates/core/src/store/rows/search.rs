//! Where the two stores search differently. SQLite answers substring
//! searches from FTS5 tables with the trigram tokenizer (`users_search`,
//! `clients_search`); PostgreSQL from trigram (pg_trgm) indexes under
//! `LIKE '%…%'`. Searches of one or two characters are prefix ranges on
//! the sort indexes, the same on both.

use crate::store::sql::{Dialect, Params};
use crate::store::{ClientMatch, WholeValues, COUNT_CAP};

/// Searches of this many characters or more match anywhere; shorter ones
/// match the start.
const SUBSTRING: usize = 3;

/// The condition a users search adds.
pub(super) fn user_condition(dialect: Dialect, text: &str, params: &mut Params) -> String {
    if text.chars().count() >= SUBSTRING {
        match dialect {
            Dialect::Sqlite => {
                let phrase = params.push(fts_phrase(text));
                format!(
                    "u.id IN (SELECT rowid FROM users_search WHERE users_search MATCH {phrase})"
                )
            }
            Dialect::Postgres => {
                let pattern = params.push(contains_pattern(text));
                format!("(u.name_key LIKE {pattern} OR u.email_normalized LIKE {pattern})")
            }
        }
    } else {
        let lower = params.push(text);
        let upper = params.push(prefix_upper_bound(text));
        format!(
            "((u.name_key >= {lower} AND u.name_key < {upper}) OR \
             (u.email_normalized >= {lower} AND u.email_normalized < {upper}))"
        )
    }
}

/// True when a search alone is counted on the search index itself, without
/// looking each match up in `users` (SQLite's FTS table).
pub(super) fn counts_on_index(dialect: Dialect, text: &str) -> bool {
    dialect == Dialect::Sqlite && text.chars().count() >= SUBSTRING
}

/// The capped count of a users search on SQLite's FTS table.
pub(super) fn user_count(text: &str) -> (String, Vec<crate::store::sql::Value>) {
    (
        format!(
            "SELECT count(*) FROM (SELECT rowid FROM users_search \
             WHERE users_search MATCH $1 LIMIT {})",
            COUNT_CAP + 1
        ),
        vec![fts_phrase(text).into()],
    )
}

/// The conditions a clients listing adds for `matching`.
pub(super) fn client_conditions(
    dialect: Dialect,
    matching: Option<&ClientMatch>,
    params: &mut Params,
) -> Vec<String> {
    match matching {
        None => Vec::new(),
        Some(ClientMatch::Whole(whole)) => vec![whole_values_condition(whole, params)],
        Some(ClientMatch::Substring { text, digits }) => {
            vec![substring_condition(
                dialect,
                text,
                digits.as_deref(),
                params,
            )]
        }
    }
}

/// Equality on indexed columns only (`FALSE` when no value was given).
fn whole_values_condition(whole: &WholeValues, params: &mut Params) -> String {
    let mut alternatives = Vec::new();
    if let Some(id) = whole.id {
        alternatives.push(format!("c.id = {}", params.push(id)));
    }
    for (column, value) in [
        ("c.email_normalized", &whole.email),
        ("c.phone", &whole.phone),
        ("c.name_folded", &whole.name),
    ] {
        if let Some(value) = value {
            alternatives.push(format!("{column} = {}", params.push(value)));
        }
    }
    if alternatives.is_empty() {
        alternatives.push("FALSE".into());
    }
    format!("({})", alternatives.join(" OR "))
}

/// The lowercased `text` in the name or email (three or more characters
/// anywhere, fewer at the start), or (a phone-like search) its `digits` in
/// the phone.
fn substring_condition(
    dialect: Dialect,
    text: &str,
    digits: Option<&str>,
    params: &mut Params,
) -> String {
    let mut alternatives = Vec::new();
    if text.chars().count() >= SUBSTRING {
        match dialect {
            Dialect::Sqlite => {
                let query = params.push(fts_client_query(text, digits));
                alternatives.push(format!(
                    "c.id IN (SELECT rowid FROM clients_search WHERE clients_search MATCH {query})"
                ));
            }
            Dialect::Postgres => {
                let pattern = params.push(contains_pattern(text));
                alternatives.push(format!(
                    "c.name_key LIKE {pattern} OR c.email_normalized LIKE {pattern}"
                ));
                if let Some(digits) = digits.filter(|d| d.len() >= SUBSTRING) {
                    let pattern = params.push(contains_pattern(digits));
                    alternatives.push(format!("c.phone LIKE {pattern}"));
                }
            }
        }
    } else {
        let lower = params.push(text);
        let upper = params.push(prefix_upper_bound(text));
        alternatives.push(format!(
            "(c.name_key >= {lower} AND c.name_key < {upper}) OR \
             (c.email_normalized >= {lower} AND c.email_normalized < {upper})"
        ));
        if let Some(digits) = digits {
            let prefix = format!("+{digits}");
            let upper = params.push(prefix_upper_bound(&prefix));
            let lower = params.push(prefix);
            alternatives.push(format!("(c.phone >= {lower} AND c.phone < {upper})"));
        }
    }
    format!("({})", alternatives.join(" OR "))
}

/// Quotes `text` as one FTS5 phrase: with the trigram tokenizer a phrase
/// matches wherever it occurs as a substring.
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// The FTS5 query for a client search of three or more characters: the
/// text anywhere, or (a phone-like search) its digits in the phone.
fn fts_client_query(text: &str, digits: Option<&str>) -> String {
    match digits {
        Some(digits) if digits.len() >= SUBSTRING && digits != text => {
            format!("{} OR phone : {}", fts_phrase(text), fts_phrase(digits))
        }
        _ => fts_phrase(text),
    }
}

/// `text` as a LIKE pattern that matches it anywhere.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The first string after every string that starts with `prefix` (in code
/// point order: SQLite's BINARY collation, PostgreSQL's "C").
fn prefix_upper_bound(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }

    #[test]
    fn fts_phrases_escape_quotes() {
        assert_eq!(fts_phrase("a\"b"), "\"a\"\"b\"");
        assert_eq!(fts_client_query("2079", Some("2079")), "\"2079\"");
        assert_eq!(
            fts_client_query("+44 2079", Some("442079")),
            "\"+44 2079\" OR phone : \"442079\""
        );
    }

    #[test]
    fn no_whole_value_matches_nothing() {
        let mut params = Params::default();
        assert_eq!(
            whole_values_condition(&WholeValues::default(), &mut params),
            "(FALSE)"
        );
    }
}
