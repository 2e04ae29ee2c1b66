//! The rule of a search: the one condition every plan's rows meet
//! ([`rule`]), and the forms of it a read tests on each row it visits
//! ([`cheap_first`], [`team_read_rule`]).

use crate::store::sql::{Dialect, Params};

use super::super::search::{
    by_word_start, contains_pattern, fts_phrase, in_range, joined, joined_contains, prefix_range,
    tested_as_typed, word_start_condition, SUBSTRING,
};
use super::Subject;

/// The rule of a search of `subject` (the lowercased `text`), tested on its
/// row (`u` or `c`): three characters or more anywhere in the name's key or
/// in the email as typed, folded as their trigram index (SQLite's V21) folds them,
/// so that the index finds every row the rule does (PostgreSQL's joined
/// indexes, its V19, hold the two with their punctuation as digits:
/// [`joined_contains`]); fewer at
/// the start of a word ([`word_start_condition`]); or a short search with
/// punctuation at the start of the whole name or email. A client's phone
/// holds the text too (three characters or more), or its digits: anywhere
/// for three or more, else at the start after the `+` (E.164). On SQLite
/// a search of three characters or more is the rule after the same test
/// without its one subquery (the trigram index asked of an address typed
/// with letters `lower` does not fold), which every row it holds passes
/// too: SQLite tests it in the sort's index (where that holds the name's
/// key and both emails) before any term that needs the row.
pub(in crate::store::rows) fn rule(
    dialect: Dialect,
    subject: Subject<'_>,
    text: &str,
    params: &mut Params,
) -> String {
    let (_, row) = subject.table();
    let digits = match subject {
        Subject::Clients { digits } => digits,
        Subject::Users => None,
    };
    let (name, email) = (format!("{row}.name_key"), format!("{row}.email_normalized"));
    if text.chars().count() >= SUBSTRING {
        let mut alternatives = Vec::new();
        // SQLite: the first alternative as tested without a subquery.
        let mut before = None;
        match dialect {
            Dialect::Sqlite => {
                // The email as typed, as the trigram index holds it: SQLite's
                // `lower` folds ASCII only, so an address with other letters
                // (a capital Ü in its domain) asks the index about its row.
                // (One typed as it is stored, the most, is never asked.)
                let index = subject.trigrams();
                let phrase = params.push(fts_phrase(text));
                let found = params.push(text);
                let typed = format!(
                    "instr({name}, {found}) > 0 OR instr(lower({row}.email), {found}) > 0 \
                     OR ({row}.email <> {email} AND {row}.email GLOB '*[^ -~]*'"
                );
                // The same test without the index's subquery, a term of
                // its own before the rule: SQLite tests a term with a
                // correlated subquery after every other, so a status
                // beside it had each row a walk read looked up ("schmidt"
                // among the enabled by email at a million users: 35 ms to
                // 9), where this one is tested in the sort's index.
                before = Some(format!("{typed})"));
                alternatives.push(format!(
                    "{typed} AND EXISTS (SELECT 1 FROM {index} \
                     WHERE {index} MATCH {phrase} AND {index}.rowid = {row}.id))"
                ));
                if digits.is_some() {
                    alternatives.push(format!("instr({row}.phone, {found}) > 0"));
                }
                if let Some(digits) = digits.filter(|d| d.len() >= SUBSTRING && *d != text) {
                    let digits = params.push(digits);
                    alternatives.push(format!("instr({row}.phone, {digits}) > 0"));
                }
            }
            Dialect::Postgres => {
                let first = if tested_as_typed(text) {
                    // Through the joined trigram indexes (V19), which keep
                    // the trigrams across punctuation and spaces, and
                    // tested as typed.
                    let joined_pattern = params.push(contains_pattern(&joined(text)));
                    let typed = params.push(text);
                    let tests = (joined_pattern.as_str(), typed.as_str());
                    format!(
                        "{} OR {}",
                        joined_contains(&name, tests),
                        joined_contains(&email, tests)
                    )
                } else {
                    // A text of letters alone (no ASCII digit, space or
                    // punctuation) is held by the name's key or the
                    // address exactly where their words (V15) hold it:
                    // the two with only runs of ASCII space and
                    // punctuation made one space and the address split at
                    // its `@`, none of which such a text holds or can
                    // span. (An address with one `@`, as every address
                    // `Email::parse` takes; one stored before it refused
                    // quoted local parts, with an `@` inside its quotes,
                    // keeps in its words only what comes before its second
                    // `@`, as its word starts have since V15.) Through
                    // the words' trigram index, whose check
                    // of each row reads the stored column, where the
                    // joined indexes' computes `translate` of both values
                    // again, 8–9 µs a row ("nguyen", 4,034 hits at a
                    // million users: 58 ms read so, 10 through the words).
                    let pattern = params.push(contains_pattern(text));
                    format!("{row}.words LIKE {pattern}")
                };
                alternatives.push(first);
                if let Some(digits) = digits.filter(|d| d.len() >= SUBSTRING) {
                    let pattern = params.push(contains_pattern(digits));
                    alternatives.push(format!("{row}.phone LIKE {pattern}"));
                }
            }
        }
        let rule = format!("({})", alternatives.join(" OR "));
        return match before {
            Some(first) => {
                alternatives[0] = first;
                format!("(({}) AND {rule})", alternatives.join(" OR "))
            }
            None => rule,
        };
    }
    let first = if by_word_start(text) {
        word_start_condition(dialect, row, text, params)
    } else {
        let range = prefix_range(text, params);
        format!(
            "({} OR {})",
            in_range(&name, &range),
            in_range(&email, &range)
        )
    };
    match digits {
        Some(digits) => format!("({first} OR {})", phone_starts(row, digits, params)),
        None => first,
    }
}

/// A search's condition as PostgreSQL tests it on each row a read visits
/// where the condition is `counted` (the rule): that, after the same test
/// through `strpos` and `starts_with` where a walk of a sort's index serves
/// the search, which spares most rows the rule (for a search with a digit,
/// a space or punctuation, its `translate` of their name and address: 4–13
/// µs a row, which the server thinks cheap) and keeps
/// the rule's placeholders read. A walk of a team's people tests it on each
/// member, and a read of a search's hits on each row it visits, through
/// the trigram indexes or a sort's index. (SQLite tests the [`rule`] in
/// its place.)
pub(in crate::store::rows) fn cheap_first(
    (subject, text): (Subject<'_>, &str),
    counted: &str,
    params: &mut Params,
) -> String {
    match super::postgres::walk_rule(subject, text, params) {
        Some(cheap) => format!("({cheap} AND {counted})"),
        None => counted.to_owned(),
    }
}

/// A search's rule as a read of a team's clients tests it on each one
/// (`store/rows/clients_team.rs`): on PostgreSQL through `strpos` and
/// `starts_with` where a walk of a sort's index serves the search
/// ([`super::postgres::walk_rule`]), which find the same rows as the rule (a
/// search of letters the rule tests through the words, which hold it where
/// the name and the address do, and one with punctuation as typed too),
/// without the rule's `translate` of every name and address for the latter
/// (4–13 µs a row); else the [`rule`] itself.
pub(in crate::store::rows) fn team_read_rule(
    dialect: Dialect,
    (subject, text): (Subject<'_>, &str),
    params: &mut Params,
) -> String {
    let cheap = match dialect {
        Dialect::Postgres => super::postgres::walk_rule(subject, text, params),
        Dialect::Sqlite => None,
    };
    cheap.unwrap_or_else(|| rule(dialect, subject, text, params))
}

/// "The phone of `row` starts with `digits`" (after the `+` of E.164).
pub(in crate::store::rows) fn phone_starts(row: &str, digits: &str, params: &mut Params) -> String {
    let range = prefix_range(&format!("+{digits}"), params);
    in_range(&format!("{row}.phone"), &range)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sql::Value;

    #[test]
    fn postgres_tests_a_text_of_letters_through_the_words_and_any_other_joined_and_as_typed() {
        let mut params = Params::default();
        let users = rule(Dialect::Postgres, Subject::Users, "müller", &mut params);
        assert_eq!(users, "(u.words LIKE $1)");
        assert_eq!(params.0, vec![Value::Text("%müller%".into())]);
        let mut params = Params::default();
        let clients = Subject::Clients { digits: None };
        assert_eq!(
            rule(Dialect::Postgres, clients, "smith", &mut params),
            "(c.words LIKE $1)"
        );
        // Punctuation, a space or a digit: joined, and as typed.
        for text in ["j.smith", "ann lee", "smith2"] {
            let mut params = Params::default();
            let rule = rule(Dialect::Postgres, Subject::Users, text, &mut params);
            assert!(
                rule.contains("translate(u.name_key")
                    && rule.contains("strpos(u.email_normalized, $2)"),
                "{rule}"
            );
            assert!(!rule.contains("words"), "{rule}");
        }
        // A client's phone digits beside them.
        let mut params = Params::default();
        let phone = Subject::Clients {
            digits: Some("02079"),
        };
        let rule = rule(Dialect::Postgres, phone, "020 79", &mut params);
        assert!(rule.ends_with(" OR c.phone LIKE $3)"), "{rule}");
    }
}
