//! Where the two stores search differently. SQLite answers substring
//! searches from FTS5 tables with the trigram tokenizer (`users_search`,
//! `clients_search`); PostgreSQL from trigram (pg_trgm) indexes under
//! `LIKE '%…%'`: of each row's `words` (V15) for a search of letters
//! alone, else of the values joined into one word ([`joined`], V19).
//! Searches of one or two characters match the start of any word
//! ([`word_start_condition`] is the rule): SQLite finds a rare word
//! start's rows in FTS5 tables of words (`users_words`, `clients_words`),
//! PostgreSQL in a trigram index of each row's `words`.

use crate::store::sql::{self, Dialect, Params, Sql};
use crate::store::{ClientMatch, StoreError, WholeValues, COUNT_CAP};

use super::search_plan::{self, Reading, Subject};

/// Searches of this many characters or more match anywhere; shorter ones
/// match the start of a word.
pub(super) const SUBSTRING: usize = 3;

/// The most rows a condition may match among `rows` users or clients to
/// be read through an index of its own and sorted: a word start in
/// SQLite's words table, a status in PostgreSQL's `user_statuses` (about
/// 2.3 µs a row at a million); one with more is found by walking the sort
/// index and testing each row. A walk reads about 51 × rows / hits rows when the
/// hits are spread evenly, but many more when they cluster late in the
/// sort (measured at a million: 40–250 ms for 5,000 hits of "yu" or "zh",
/// tested by `GLOB`s about four times as slow as `roster_word_start`),
/// so the limit leans to sorting: √(100 × rows), 10,000 at a million.
pub(super) fn rare_limit(rows: u64) -> u64 {
    // Square root by f64: exact enough for any count of rows.
    ((100.0 * rows as f64).sqrt() as u64).min(COUNT_CAP)
}

/// Whether `text` is matched at the start of words: one or two characters,
/// none of them ASCII space or punctuation. A short search with those
/// (`j.`, `@`) matches the start of the whole name or email instead.
pub(super) fn by_word_start(text: &str) -> bool {
    text.chars().count() < SUBSTRING
        && text
            .chars()
            .all(|c| !c.is_ascii() || c.is_ascii_alphanumeric())
}

/// Whether a word-start search among `rows` users or clients should read
/// its rows from SQLite's words table `words` (an FTS5 table,
/// `users_words` or `clients_words`): when it has at most
/// [`rare_limit`] of them. SQLite keeps no statistics to choose
/// by itself, and either wrong choice grows with the directory: sorting
/// every "a…", or walking the whole name index for a handful of "Xu".
/// PostgreSQL chooses from its own statistics.
pub(super) async fn word_start_is_rare<S: Sql + ?Sized>(
    sql: &mut S,
    words: &str,
    text: &str,
    rows: u64,
) -> Result<bool, StoreError> {
    if sql.dialect() == Dialect::Postgres || !by_word_start(text) {
        return Ok(false);
    }
    let limit = rare_limit(rows);
    Ok(index_count(sql, words, fts_word_start(text), limit).await? <= limit)
}

/// Counts the rows of the FTS5 table `table` that `query` matches, up to
/// `limit` + 1.
pub(super) async fn index_count<S: Sql + ?Sized>(
    sql: &mut S,
    table: &str,
    query: String,
    limit: u64,
) -> Result<u64, StoreError> {
    let statement = format!(
        "SELECT count(*) FROM (SELECT rowid FROM {table} WHERE {table} MATCH $1 LIMIT {})",
        limit + 1
    );
    sql::count(sql, &statement, &[query.into()]).await
}

/// "Some word of the row `row` (alias of `users` or `clients`) starts with
/// `text`": the name's words, the email's local part's words, and the
/// email's domain, as one word without its dots and hyphens. A word starts
/// at the beginning or after an ASCII space or punctuation character.
/// SQLite tests the columns with its connection's function
/// `roster_word_start` (`store::sqlite::word_start`; case-sensitive, on
/// lowercased text); PostgreSQL matches its generated `words` column (V15), which
/// holds the same words with one space before each but the first. `text`
/// has no ASCII space or punctuation ([`by_word_start`]), so it holds no
/// wildcard of either.
pub(super) fn word_start_condition(
    dialect: Dialect,
    row: &str,
    text: &str,
    params: &mut Params,
) -> String {
    match dialect {
        Dialect::Sqlite => {
            // Each value read once, where five `GLOB`s cost about 1 µs a
            // row ("ma" by email at a million users: 18 ms to its page,
            // 3.7 with the function).
            let text = params.push(text);
            format!(
                "{}({row}.name_key, {row}.email_normalized, {text})",
                crate::store::sqlite::word_start::NAME
            )
        }
        Dialect::Postgres => {
            let start = params.push(format!("{text}%"));
            let inside = params.push(format!("% {text}%"));
            format!("({row}.words LIKE {start} OR {row}.words LIKE {inside})")
        }
    }
}

/// The FTS5 query for words starting with `text` (no quote in it: see
/// [`by_word_start`]).
pub(super) fn fts_word_start(text: &str) -> String {
    format!("\"{text}\"*")
}

/// On SQLite, the capped count of a word-start search's rows with
/// `conditions` (the search's among them), read from the words table
/// `words` joined to `table` (aliased `alias`, with `join`) so that it
/// stops at the cap after reading about that many rows; `None` on
/// PostgreSQL or for another search.
pub(super) fn word_start_count(
    dialect: Dialect,
    (words, table, alias): (&str, &str, &str),
    text: &str,
    join: &str,
    conditions: &[String],
    params: &mut Params,
) -> Option<String> {
    if dialect != Dialect::Sqlite || !by_word_start(text) {
        return None;
    }
    let query = params.push(fts_word_start(text));
    let mut all = vec![format!("{words} MATCH {query}")];
    all.extend(conditions.iter().cloned());
    Some(format!(
        "SELECT count(*) FROM (SELECT 1 FROM {words} JOIN {table} {alias} \
         ON {alias}.id = {words}.rowid{join}{} LIMIT {}) counted",
        sql::where_clause(&all),
        COUNT_CAP + 1
    ))
}

/// The conditions a clients listing adds for `matching`.
/// `rare` from [`word_start_is_rare`] on `clients_words`.
pub(super) fn client_conditions(
    dialect: Dialect,
    matching: Option<&ClientMatch>,
    rare: bool,
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
                rare,
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

/// A client search's condition: the rule ([`search_plan::rule`]) on its
/// index's hits (SQLite: trigrams, or a word start's words) or on every
/// row (PostgreSQL, a short phone-like search); a `rare` short phone-like
/// search's words beside its phone's range (SQLite).
fn substring_condition(
    dialect: Dialect,
    text: &str,
    digits: Option<&str>,
    rare: bool,
    params: &mut Params,
) -> String {
    match digits {
        // A rare word start's rows from the words table, and the phone's
        // own range beside them (the words table holds no phone).
        Some(digits) if rare && text.chars().count() < SUBSTRING => {
            let rule = word_start_condition(dialect, "c", text, params);
            let query = params.push(fts_word_start(text));
            format!(
                "((c.id IN (SELECT rowid FROM clients_words WHERE clients_words MATCH {query}) \
                 AND {rule}) OR {})",
                search_plan::phone_starts("c", digits, params)
            )
        }
        // One part: the index's hits, each tested by the rule.
        _ => search_plan::parts(
            dialect,
            (Subject::Clients { digits }, text),
            (Reading::Index, &[]),
            None,
            params,
        )
        .concat(),
    }
}

/// Quotes `text` as one FTS5 phrase: with the trigram tokenizer a phrase
/// matches wherever it occurs as a substring.
pub(super) fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// The FTS5 query for a client search of three or more characters: the
/// text anywhere, or (a phone-like search) its digits in the phone.
pub(super) fn fts_client_query(text: &str, digits: Option<&str>) -> String {
    match digits {
        Some(digits) if digits.len() >= SUBSTRING && digits != text => {
            format!("{} OR phone : {}", fts_phrase(text), fts_phrase(digits))
        }
        _ => fts_phrase(text),
    }
}

/// The ASCII space and punctuation that PostgreSQL's joined trigram
/// indexes of the name's key and the address (V19) hold as digits
/// ([`JOINED_TO`], character for character; a backslash is left out of
/// the SQL literal, so a value or search that holds one is split there
/// as before: still found, only not by the trigrams across it): pg_trgm
/// splits a value into words wherever a character is neither letter nor
/// digit, and only a search's words' trigrams were asked of it
/// ("j.smith@": every Smith's, 57 ms at a million clients). Joined, the
/// value is one word and the search asks for the trigrams across its
/// punctuation too (`j1s`, `1sm`, `th2`), which few rows have.
pub(super) const JOINED_FROM: &str = " .@-_+'!\"#$%&()*,/:;<=>?[]^`{|}~";

/// What each of [`JOINED_FROM`] becomes: the commonest a digit each.
pub(super) const JOINED_TO: &str = "01234569999999999999999999999999";

/// `text` as PostgreSQL's joined trigram indexes hold their values
/// ([`JOINED_FROM`]).
pub(super) fn joined(text: &str) -> String {
    text.chars()
        .map(|c| {
            JOINED_FROM
                .chars()
                .zip(JOINED_TO.chars())
                .find(|(from, _)| *from == c)
                .map_or(c, |(_, to)| to)
        })
        .collect()
}

/// The expression of `column` (the name's key or the address) that
/// PostgreSQL's joined trigram indexes hold (V19 writes the same).
pub(super) fn joined_column(column: &str) -> String {
    format!(
        "translate({column}, '{}', '{JOINED_TO}')",
        JOINED_FROM.replace('\'', "''")
    )
}

/// Whether PostgreSQL tests a search of `text` on the values as typed
/// besides their joined trigram indexes': when it holds an ASCII character
/// other than a letter. A text of letters alone is held by a value exactly
/// where its joined value holds it (joining makes digits of what it
/// changes, none of which such a text has).
pub(super) fn tested_as_typed(text: &str) -> bool {
    !text
        .chars()
        .all(|c| !c.is_ascii() || c.is_ascii_alphabetic())
}

/// PostgreSQL's test that `column` holds a search with an ASCII character
/// other than a letter ([`tested_as_typed`]) anywhere, through the joined
/// trigram index of its values: `joined_pattern` is its joined text's
/// ([`contains_pattern`] of [`joined`]), and `typed` the text itself. The
/// test as typed comes first (`strpos`, which a walk of the sort's index
/// answers cheaply and the server expects a third of the rows to pass: a
/// second `LIKE` would have it expect the hits of both, a handful, and
/// never walk). (A text of letters alone is tested through the words.)
pub(super) fn joined_contains(column: &str, (joined_pattern, typed): (&str, &str)) -> String {
    let indexed = format!("{} LIKE {joined_pattern}", joined_column(column));
    format!("(strpos({column}, {typed}) > 0 AND {indexed})")
}

/// `text` as a LIKE pattern that matches it anywhere.
pub(super) fn contains_pattern(text: &str) -> String {
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

/// The smallest text above every text that starts with `prefix`, in code
/// point order (SQLite's BINARY collation, PostgreSQL's "C"): its last
/// character below U+10FFFF raised by one (past the surrogates), with the
/// U+10FFFF after it dropped; or `None` when each of its characters is
/// U+10FFFF, as every text at or above it then starts with it. (`prefix`
/// followed by U+10FFFF is no such bound: a name may go on after that
/// character.)
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = u32::from(last) + 1;
        if (0xD800..0xE000).contains(&next) {
            next = 0xE000;
        }
        if let Some(raised) = char::from_u32(next) {
            chars.push(raised);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The bounds of the texts that start with `prefix`, bound in `params`:
/// the lower one, and the upper one unless there is none (see [`prefix_end`]).
pub(super) fn prefix_range(prefix: &str, params: &mut Params) -> (String, Option<String>) {
    let lower = params.push(prefix);
    let upper = prefix_end(prefix).map(|end| params.push(end));
    (lower, upper)
}

/// "`column` lies in `range`" (from [`prefix_range`]), in parentheses.
pub(super) fn in_range(column: &str, (lower, upper): &(String, Option<String>)) -> String {
    match upper {
        Some(upper) => format!("({column} >= {lower} AND {column} < {upper})"),
        None => format!("({column} >= {lower})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_joined_indexes_hold_punctuation_as_the_search_joins_it() {
        assert_eq!(joined("j.smith@"), "j1smith2");
        assert_eq!(joined("james smith"), "james0smith");
        assert_eq!(joined("o'brien-ng_x+y"), "o6brien3ng4x5y");
        assert_eq!(joined("50%"), "509");
        assert_eq!(joined("müller"), "müller");
        // V19 builds its indexes from the same two literals.
        let migration = include_str!("../postgres/migrations/V19__joined_trigrams.sql");
        let from = JOINED_FROM.replace('\'', "''");
        assert!(migration.contains(&format!("punctuation text := '{from}';")));
        assert!(migration.contains(&format!("digits text := '{JOINED_TO}';")));
        assert_eq!(JOINED_FROM.chars().count(), JOINED_TO.chars().count());
        assert!(JOINED_FROM
            .chars()
            .all(|c| c == ' ' || (c.is_ascii_punctuation() && c != '\\')));
        assert_eq!(
            joined_column("u.name_key"),
            "translate(u.name_key, ' .@-_+''!\"#$%&()*,/:;<=>?[]^`{|}~', \
             '01234569999999999999999999999999')"
        );
        // A text of letters is tested through the words instead.
        assert!(!tested_as_typed("smith") && !tested_as_typed("müller"));
        assert!(tested_as_typed("smith2") && tested_as_typed("j.smith"));
        assert_eq!(
            joined_contains("c.name_key", ("$2", "$1")),
            format!(
                "(strpos(c.name_key, $1) > 0 AND {} LIKE $2)",
                joined_column("c.name_key")
            )
        );
    }

    #[test]
    fn a_prefix_ends_where_its_last_character_is_raised() {
        assert_eq!(prefix_end("ann").as_deref(), Some("ano"));
        assert_eq!(prefix_end("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(prefix_end("\u{10FFFF}"), None);
        assert_eq!(prefix_end("b\u{10FFFF}").as_deref(), Some("c"));
        // A name that goes on after U+10FFFF still lies below the end.
        let end = prefix_end("zhang").expect("an end");
        assert!("zhang\u{10FFFF}wei" < end.as_str());
        assert!("zhang\u{10FFFF}wei" > "zhang\u{10FFFF}");
    }

    #[test]
    fn a_range_without_an_end_is_bounded_below_only() {
        let mut params = Params::default();
        let range = prefix_range("ann", &mut params);
        assert_eq!(in_range("k", &range), "(k >= $1 AND k < $2)");
        let range = prefix_range("\u{10FFFF}", &mut params);
        assert_eq!(in_range("k", &range), "(k >= $3)");
    }

    #[test]
    fn the_rare_limit_grows_with_the_square_root_of_the_rows() {
        assert_eq!(rare_limit(0), 0);
        assert_eq!(rare_limit(15_001), 1_224);
        assert_eq!(rare_limit(1_000_000), 10_000);
        assert_eq!(rare_limit(u64::MAX), COUNT_CAP);
    }

    #[test]
    fn word_starts_are_one_or_two_letters_without_ascii_punctuation() {
        assert!(by_word_start("li"));
        assert!(by_word_start("ø"));
        assert!(by_word_start("李明"));
        assert!(!by_word_start("j."));
        assert!(!by_word_start("a b"));
        assert!(!by_word_start("\"*"));
        assert!(!by_word_start("lee"));
    }

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
