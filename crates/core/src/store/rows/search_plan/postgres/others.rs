//! A search's other hits on PostgreSQL: those whose key in a text sort
//! does not start with it, which a split reads by id and a crowd's read
//! with their keys ([`others_conditions`]), through the trigram indexes
//! of the tails of the name's key and the email (V17) or, for a word
//! start, of the words past each first ([`word_tails`], V23).

use crate::store::sql::{Params, Sql};
use crate::store::StoreError;

use super::super::{
    by_word_start, contains_pattern, in_range, prefix_range, Subject, SPLIT_OTHERS, SUBSTRING,
};

/// The ids of a search's other hits on PostgreSQL in a text sort, whose
/// key `key` (the name's, or the email) does not start with it, up to [`SPLIT_OTHERS`] and one
/// more ([`others_conditions`]): each of the two conditions' up to that
/// many, every id once (a row may meet both).
pub(super) async fn other_hits<S: Sql + ?Sized>(
    sql: &mut S,
    (subject, text): (Subject<'_>, &str),
    key: &str,
) -> Result<Vec<i64>, StoreError> {
    let mut params = Params::default();
    let (tails, starts) = others_conditions(subject, text, key, &mut params);
    let (table, row) = subject.table();
    let most = SPLIT_OTHERS + 1;
    let statement = format!(
        "(SELECT {row}.id FROM {table} {row} WHERE {tails} LIMIT {most}) UNION ALL \
         (SELECT {row}.id FROM {table} {row} WHERE {starts} LIMIT {most})"
    );
    let mut ids = sql
        .query(&statement, &params.0)
        .await?
        .iter()
        .map(|row| row.int(0))
        .collect::<Result<Vec<i64>, _>>()?;
    // Over `SPLIT_OTHERS` once either condition found one more.
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// How many other hits (as [`other_hits`] reads them) a search has among
/// `rows`, judged by a walk of `most` entries of the creation order, whose
/// index holds what the rule tests (V18) and follows no name: those of
/// its hits whose key `key` does not start with it, scaled to the rows.
/// About 0.5 ms for 1,000 entries, where the other hits' read of "b" by
/// name among a million harsh users read 23,608 rows for its 2,001 (20–60
/// ms), which said only that they were too many for a split.
pub(super) async fn others_sampled<S: Sql + ?Sized>(
    sql: &mut S,
    (subject, text): (Subject<'_>, &str),
    key: &str,
    (most, rows): (u64, u64),
) -> Result<u64, StoreError> {
    let mut params = Params::default();
    let Some(hit) = super::walk_rule(subject, text, &mut params) else {
        return Ok(0);
    };
    let start = params.push(text);
    let (table, row) = subject.table();
    let most = most.max(1);
    let statement = format!(
        "SELECT count(*) FROM (SELECT {hit} AND NOT starts_with({key}, {start}) AS other \
         FROM {table} {row} ORDER BY {row}.created_at, {row}.id LIMIT {most}) s WHERE s.other"
    );
    let found = crate::store::sql::count(sql, &statement, &params.0).await?;
    Ok(found.saturating_mul(rows) / most)
}

/// PostgreSQL's rule of a search ([`splits`], see `rule`)
/// less the rows whose sort key `key` (the name's, or the email) starts
/// with it, as two conditions that read none of those rows: the search in
/// the name's key or the email past their first character (the trigram
/// indexes of `substr(…, 2)`, V17, see no "jennifer" in "jennifer smith"
/// nor in "jennifer.smith@…", where the whole values' indexes hand back
/// every Jennifer), or (a client) in the phone's digits; a word start at
/// a word of [`word_tails`] (V23); and the other of
/// the two starting with it, read from its index, which holds `key` to
/// test (V17, V18).
pub(super) fn others_conditions(
    subject: Subject<'_>,
    text: &str,
    key: &str,
    params: &mut Params,
) -> (String, String) {
    let (_, row) = subject.table();
    let range = prefix_range(text, params);
    let (name, email) = (format!("{row}.name_key"), format!("{row}.email_normalized"));
    let other_key = if key == email { &name } else { &email };
    let mut tails = if text.chars().count() < SUBSTRING {
        let inside = params.push(format!("% {text}%"));
        vec![format!("{} LIKE {inside}", word_tails(subject))]
    } else {
        let pattern = params.push(contains_pattern(text));
        vec![
            format!("substr({name}, 2) LIKE {pattern}"),
            format!("substr({email}, 2) LIKE {pattern}"),
        ]
    };
    if let Subject::Clients {
        digits: Some(digits),
    } = subject
    {
        if digits.len() >= SUBSTRING {
            let digits = params.push(contains_pattern(digits));
            tails.push(format!("{row}.phone LIKE {digits}"));
        }
    }
    let other = format!("NOT {}", in_range(key, &range));
    (
        format!("({other} AND ({}))", tails.join(" OR ")),
        format!("({} AND {other})", in_range(other_key, &range)),
    )
}

/// Whether a search of `text` may be split or its crowd read
/// ([`others_conditions`] names its other hits): one of three characters
/// or more, or a word start but for a client's phone-like one (whose
/// phone's digits neither key's range nor [`word_tails`] holds).
pub(super) fn splits(subject: Subject<'_>, text: &str) -> bool {
    match subject {
        _ if text.chars().count() >= SUBSTRING => true,
        Subject::Clients { digits: Some(_) } => false,
        _ => by_word_start(text),
    }
}

/// A row's words (V15) less the first word of its name's key and of its
/// email's local part, each the run of characters before their first
/// ASCII space or punctuation (none where they start with one), the
/// expression V23's trigram indexes hold: every word in it follows a space.
/// A word start ([`by_word_start`]) that starts neither the name's key nor
/// the email starts a word there, and every word there is one of the row's
/// words.
fn word_tails(subject: Subject<'_>) -> String {
    let (_, row) = subject.table();
    word_tails_of(
        &format!("{row}."),
        matches!(subject, Subject::Clients { .. }),
    )
}

/// [`word_tails`] of the columns named with `prefix`; a client's email may
/// be empty.
fn word_tails_of(prefix: &str, clients: bool) -> String {
    const SEPARATORS: &str = "[ -/:-@[-`{-~]";
    let email = match clients {
        true => format!("coalesce({prefix}email_normalized, '')"),
        false => format!("{prefix}email_normalized"),
    };
    let less_first = |value: &str| {
        format!(
            "regexp_replace(regexp_replace({value}, '^[^{}]+', ''), '{SEPARATORS}+', ' ', 'g')",
            &SEPARATORS[1..SEPARATORS.len() - 1]
        )
    };
    format!(
        "{} || ' ' || {} || ' ' || split_part({email}, '@', 2)",
        less_first(&format!("{prefix}name_key")),
        less_first(&format!("split_part({email}, '@', 1)")),
    )
}

#[cfg(test)]
mod tests {
    use super::super::super::tests::users_parts;
    use super::super::super::{any_part, part_sorted_by, Reading};
    use super::*;
    use crate::store::sql::{self, Dialect};
    use crate::store::SortField;

    #[test]
    fn a_short_search_splits_where_its_other_hits_are_the_words_past_each_first() {
        // V23's indexes hold the expression the conditions test.
        let migration = include_str!("../../../postgres/migrations/V23__word_tails.sql");
        for clients in [false, true] {
            let expression = word_tails_of("", clients).replace('\'', "''");
            assert!(
                migration.contains(&format!("gin (({expression}) %I")),
                "{expression}"
            );
        }
        let mut params = Params::default();
        let (tails, starts) = others_conditions(Subject::Users, "ve", "u.name_key", &mut params);
        assert_eq!(
            tails,
            format!(
                "(NOT (u.name_key >= $1 AND u.name_key < $2) AND ({} LIKE $3))",
                word_tails(Subject::Users)
            )
        );
        assert_eq!(
            starts,
            "((u.email_normalized >= $1 AND u.email_normalized < $2) \
             AND NOT (u.name_key >= $1 AND u.name_key < $2))"
        );
        assert_eq!(params.0[2], sql::Value::Text("% ve%".into()));
        assert!(splits(Subject::Users, "ve") && splits(Subject::Users, "ü"));
        assert!(
            !splits(Subject::Users, "j.") && !splits(Subject::Clients { digits: Some("44") }, "44")
        );
        assert!(splits(Subject::Clients { digits: None }, "li"));
    }

    #[test]
    fn postgres_splits_a_clustered_search_into_its_range_and_its_other_hits() {
        let mut params = Params::default();
        let phone = Subject::Clients {
            digits: Some("02079"),
        };
        let (tails, starts) = others_conditions(phone, "020 79", "c.name_key", &mut params);
        assert_eq!(
            tails,
            "(NOT (c.name_key >= $1 AND c.name_key < $2) AND (substr(c.name_key, 2) LIKE $3 \
             OR substr(c.email_normalized, 2) LIKE $3 OR c.phone LIKE $4))"
        );
        assert_eq!(
            starts,
            "((c.email_normalized >= $1 AND c.email_normalized < $2) \
             AND NOT (c.name_key >= $1 AND c.name_key < $2))"
        );
        assert_eq!(params.0[2], sql::Value::Text("%020 79%".into()));
        assert_eq!(params.0[3], sql::Value::Text("%02079%".into()));
        let mut params = Params::default();
        let by_name = (Dialect::Postgres, SortField::Name);
        let split = users_parts(by_name, "zhang", (Reading::Split, &[4, 8]), &mut params);
        assert_eq!(
            split,
            vec!["(u.name_key >= $1 AND u.name_key < $2)", "u.id = ANY($3)"]
        );
        assert_eq!(
            any_part(&split),
            "((u.name_key >= $1 AND u.name_key < $2) OR u.id = ANY($3))"
        );
        let alone = users_parts(by_name, "zhang", (Reading::Split, &[]), &mut params);
        assert_eq!(any_part(&alone), "(u.name_key >= $4 AND u.name_key < $5)");
        assert!(Reading::Split.exact(Dialect::Postgres) && Reading::Hits.exact(Dialect::Postgres));
        // The part read by id is sorted, the range walked.
        let split = Some(Reading::Split);
        let sorted = |part, dialect| part_sorted_by("u.name_key", (part, split), dialect, true);
        assert_eq!(sorted(0, Dialect::Postgres), "u.name_key");
        assert_eq!(sorted(1, Dialect::Postgres), "(u.name_key || '')");
        assert_eq!(sorted(1, Dialect::Sqlite), "u.name_key");
        assert!(!Reading::Split.exact(Dialect::Sqlite) && !Reading::Index.exact(Dialect::Postgres));
    }
}
