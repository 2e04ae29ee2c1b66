//! How a search's page of users or clients is read in a sort. SQLite keeps
//! no statistics to choose by itself, and every fixed plan grows with the
//! directory somewhere: sorting every hit of a frequent search ("mar"),
//! walking the sort's index past everyone for a rare one ("lidwina"), or
//! walking it for hits that cluster late in the sort, where the search
//! starts the sort key ("zhang" by name: most of its hits are the Zhangs,
//! near the end). So a search is planned per query from its index's own
//! counts ([`reading`]), and every plan returns exactly the rows of one
//! rule ([`rule`]), which the index only narrows (it holds what the rule
//! tests, V21). On SQLite a client's short phone-like search is read as
//! [`super::search`] writes it. PostgreSQL plans from its own statistics,
//! which misjudge a rare search often enough to walk a whole index for it
//! ("dubois" by name: 448 ms at a million clients), so it reads a search's
//! hits first and, when they are few, its page from them
//! ([`Reading::Hits`]); else it plans the page itself, but for a search
//! whose hits cluster where it starts the name, which it splits as SQLite
//! does.

use std::cmp::Ordering;

use crate::domain::{GroupId, Status};
use crate::store::sql::{self, Dialect, Params, Sql};
use crate::store::{Direction, SortField, SortKey, StoreError, COUNT_CAP};

use super::users_filters::{member_of, valid_on};

mod postgres;
mod rule;

pub(super) use postgres::{reads_team_pairs, TeamAsk};
pub(super) use rule::{cheap_first, phone_starts, rule, team_read_rule};

use super::search::{
    by_word_start, contains_pattern, fts_client_query, fts_phrase, fts_word_start, in_range,
    index_count, prefix_range, SUBSTRING,
};

/// Whose rows a search reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Subject<'a> {
    /// `users u`.
    Users,
    /// `clients c`, whose stored phone a search also matches: its text, and
    /// a phone-like search's `digits`.
    Clients { digits: Option<&'a str> },
}

impl Subject<'_> {
    /// The table and its alias in every statement.
    fn table(self) -> (&'static str, &'static str) {
        match self {
            Subject::Users => ("users", "u"),
            Subject::Clients { .. } => ("clients", "c"),
        }
    }

    /// The FTS5 table of its trigrams.
    fn trigrams(self) -> &'static str {
        match self {
            Subject::Users => "users_search",
            Subject::Clients { .. } => "clients_search",
        }
    }
}

/// How a search's rows are read for a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reading {
    /// The index's hits, each tested by the rule, then sorted: a rare
    /// search on SQLite; on PostgreSQL the rule alone, planned by the
    /// server (a frequent search), or in a team the team's keys walked.
    Index,
    /// PostgreSQL: a search's rows by their ids, which the plan read (from
    /// the trigram indexes, each tested by the rule), then sorted: every
    /// hit of a rare search, or of one up to the count's cap (or of a crowd,
    /// `postgres::crowd`, every one) whose page the
    /// plan picked from their keys ([`Planned::page`]: then the page's
    /// only), or a frequent search's page, walked to in the sort's index
    /// by the same rule (`postgres::walked`). The server cannot walk a
    /// sort's index for them, nor test them twice.
    Hits,
    /// The sort's index walked, each row tested by the rule until the page
    /// is full: a frequent search whose hits are spread through the sort.
    Walk,
    /// PostgreSQL: every hit, read by the rule through the trigram indexes
    /// and sorted, the page the first of them: a search of more hits than
    /// the count's cap that cluster where they start a text sort's key,
    /// whose page a walk did not find, filtered, whose crowd's read finds
    /// them few enough and the first 4,096 of them in the page's order do
    /// not hold its page (alone, that read is its [`Reading::Hits`]; where
    /// it finds too many, a longer walk, else the server's, finds the
    /// page, [`Reading::Index`]). The server would walk the sort's index
    /// to them, testing every row before them ("michael" among the enabled
    /// by email, 14,000 hits whose addresses mostly start with it: 4–10 s
    /// at a million users).
    Sorted,
    /// Three parts, each read in the sort's order and merged: the range of
    /// the sort's index whose key starts with the search (every row there
    /// a hit), the index's other hits (few), read and sorted, and, for a
    /// word start, the rows whose key starts with ASCII punctuation (whose
    /// first word the index sees later). For a frequent search in the name
    /// or email sort whose hits mostly start the sort key; on PostgreSQL
    /// its other hits read by their ids (a client's phone-like search of
    /// one or two characters is not split there).
    Split,
}

impl Reading {
    /// Whether the parts of a search under this reading on `dialect` are
    /// exactly its rows, read by the plan, with no rule to test: on
    /// PostgreSQL [`Reading::Hits`] and [`Reading::Split`]. Their union
    /// ([`any_part`]) is then the total's condition too, and the page reads
    /// every placeholder the total does.
    pub(super) fn exact(self, dialect: Dialect) -> bool {
        dialect == Dialect::Postgres && matches!(self, Reading::Hits | Reading::Split)
    }
}

/// A row in any of `parts`: one condition.
pub(super) fn any_part(parts: &[String]) -> String {
    match parts {
        [] => "1 = 0".to_owned(),
        [part] => part.clone(),
        _ => format!("({})", parts.join(" OR ")),
    }
}

/// The FTS5 table and query that find a search's rows: a superset of the
/// rule's, its trigrams for three characters or more, its words for a
/// word start; `None` for a short search with punctuation (a prefix range)
/// and a client's short phone-like one (the words hold no phone).
pub(super) fn index_query(subject: Subject<'_>, text: &str) -> Option<(&'static str, String)> {
    match subject {
        _ if text.chars().count() < SUBSTRING => match subject {
            Subject::Users if by_word_start(text) => Some(("users_words", fts_word_start(text))),
            Subject::Clients { digits: None } if by_word_start(text) => {
                Some(("clients_words", fts_word_start(text)))
            }
            _ => None,
        },
        Subject::Users => Some((subject.trigrams(), fts_phrase(text))),
        Subject::Clients { digits } => Some((subject.trigrams(), fts_client_query(text, digits))),
    }
}

/// A text sort: the field of the search indexes that holds its key (`name`
/// or `email`; the trigram tables' `name_key` since V21), and the key's
/// column.
pub(super) type TextSort = (&'static str, &'static str);

/// The page a plan reads of a search alone (no condition but the search),
/// or on PostgreSQL filtered too (`filter`), in its sort: the sort's column (the name's key, the email, the
/// creation time, or on PostgreSQL the last sign-in, never empty:
/// PostgreSQL reads its key with each hit for
/// [`Planned::page`], or walks its index), whether its key is text, the direction, the
/// cursor it follows, the rows it wants (the page's and one more), and
/// whether its count may stop early (PostgreSQL: a frequent search's page
/// is then walked to, and its total counted in full when asked for).
/// On PostgreSQL a search's page of users may be filtered too
/// (`filter`): a frequent one's is then walked to, each hit of the walk
/// looked up and tested, and its hits are never the page's alone.
#[derive(Debug, Clone, Copy)]
pub(super) struct PageAsk<'a> {
    pub column: &'a str,
    pub text: bool,
    pub direction: Direction,
    pub after: Option<(&'a SortKey, i64)>,
    pub rows: usize,
    pub quick: bool,
    pub filter: Option<PageFilter<'a>>,
}

/// What a filtered page of users tests besides the search, as the
/// overview's own conditions do: a status (an enabled user's "valid
/// until" not passed on `today`, `YYYY-MM-DD`) and a large group's
/// membership (a small one's members are read and sorted instead).
#[derive(Debug, Clone, Copy)]
pub(super) struct PageFilter<'a> {
    pub status: Option<Status>,
    pub today: &'a str,
    pub group: Option<GroupId>,
}

impl PageFilter<'_> {
    /// The filter's condition on the row `u`, its values bound in `params`.
    pub(super) fn condition(&self, params: &mut Params) -> String {
        let mut tests = Vec::new();
        if let Some(status) = self.status {
            tests.push(format!("u.status = '{}'", status.as_str()));
            if status == Status::Enabled {
                tests.push(valid_on(&params.push(self.today)));
            }
        }
        if let Some(group) = self.group {
            tests.push(member_of(&params.push(group.0)));
        }
        debug_assert!(!tests.is_empty(), "a page filter filters");
        if tests.is_empty() {
            tests.push("TRUE".to_owned());
        }
        tests.join(" AND ")
    }
}

/// The users' sorts that are [`TextSort`]s: name and email.
pub(super) fn users_text_sort(sort: SortField) -> Option<TextSort> {
    match sort {
        SortField::Name => Some(("name", "u.name_key")),
        SortField::Email => Some(("email", "u.email_normalized")),
        _ => None,
    }
}

/// The most hits a search of `text` among `rows` users, of whom the other
/// filters leave at most `within`, may have to be read from its index and
/// sorted (about 1.5 µs a hit at a million). A word start keeps √(100 ×
/// rows), as [`super::search::rare_limit`]: its hits cluster in a sort
/// more often (a first name's, a surname's whose people's first names
/// start late, "zh" by name), where a walk reads far for its page, even
/// at about 0.25 µs an entry since SQLite tests it with
/// `roster_word_start` (five `GLOB`s cost about 1 µs). A longer search's walk tests each row in
/// the sort's index (SQLite's V18; the email's `users_email_walk`, V19), about 0.25
/// µs a row, so it walks from √(10 × rows) hits up: 3,162 at a million,
/// where reading them costs about 5 ms and a walk reads at most 51 ×
/// 1,000,000 / 3,162 = 16,000 entries.
pub(super) fn index_limit(text: &str, rows: (u64, u64)) -> u64 {
    limit_of(if by_word_start(text) { 100.0 } else { 10.0 }, rows)
}

/// √(`per_row` × rows), at most the overview's count cap: where sorting a
/// search's hits costs what walking the sort's index for a page of them
/// does. A walk among fewer (a status, a group) reads `rows / within`
/// times as far for its page: the limit grows by the square root of that.
fn limit_of(per_row: f64, (rows, within): (u64, u64)) -> u64 {
    let narrowed = rows as f64 / within.max(1) as f64;
    // Square root by f64: exact enough for any count of rows.
    ((per_row * rows as f64 * narrowed).sqrt() as u64).min(COUNT_CAP)
}

/// The most other hits a split reads from the index and sorts (about 1.5
/// µs each), beside the range of keys that start with the search.
const SPLIT_OTHERS: u64 = 2_000;

/// A search's plan, and what its indexes counted: its rows up to the
/// overview's cap and one more (a crowd's every one), which is the total
/// of a search with no other filter. A split holds its other hits, [`Reading::Hits`] every
/// hit (PostgreSQL), read once, with their keys in the page's sort when
/// it was asked for them (`keys`, one for each of `ids`); a caller that
/// picks its page from them keeps the page's ids alone. A frequent
/// search's page on PostgreSQL is walked to (`ids` its page's) and its
/// count `stopped` early: at least `counted` is all it says, and the total
/// is counted in full when asked for (but where the plan knows more than
/// the cap hold it, `counted` the cap and one more, not stopped) ([`super::ClientsTx`]'s and the users'
/// full counts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Planned {
    pub reading: Reading,
    pub counted: Option<u64>,
    pub ids: Vec<i64>,
    pub keys: Vec<SortKey>,
    pub stopped: bool,
}

impl Planned {
    /// A page of a frequent search walked to (`ids`), whose count stopped
    /// at `counted`: a lower bound, counted in full when asked for.
    pub(super) fn walked_to(ids: Vec<i64>, counted: u64) -> Self {
        Planned {
            reading: Reading::Hits,
            counted: Some(counted),
            ids,
            keys: Vec::new(),
            stopped: true,
        }
    }

    /// Every hit of a search, read with its key where one was asked for:
    /// [`Reading::Hits`], counted so.
    pub(super) fn every_hit(ids: Vec<i64>, keys: Vec<SortKey>) -> Self {
        Planned {
            reading: Reading::Hits,
            counted: Some(ids.len() as u64),
            ids,
            keys,
            stopped: false,
        }
    }

    /// The ids of a page of up to `limit` of the hits after `after`, in
    /// `direction`, picked from the keys the plan read with them
    /// ([`Reading::Hits`]), so that a page with no other condition looks
    /// up its own rows only, where sorting the hits looked up every one of
    /// them ("garcía", 8,969 hits among a million clients: 45 ms of a 76 ms
    /// page, looked up). `None`
    /// when the plan read no keys, or `after`'s is of another type.
    pub(super) fn page(
        &self,
        direction: Direction,
        after: Option<(&SortKey, i64)>,
        limit: usize,
    ) -> Option<Vec<i64>> {
        if self.reading != Reading::Hits || self.keys.len() != self.ids.len() {
            return None;
        }
        let mut hits: Vec<(&SortKey, i64)> =
            self.keys.iter().zip(self.ids.iter().copied()).collect();
        let order = |(a, a_id): (&SortKey, i64), (b, b_id): (&SortKey, i64)| {
            key_order(a, b).map(|order| order.then(a_id.cmp(&b_id)))
        };
        if let (Some((key, _)), Some(&(first, _))) = (after, hits.first()) {
            key_order(first, key)?;
        }
        hits.sort_unstable_by(|&a, &b| order(a, b).unwrap_or(Ordering::Equal));
        if direction == Direction::Desc {
            hits.reverse();
        }
        let wanted = match direction {
            Direction::Asc => Ordering::Greater,
            Direction::Desc => Ordering::Less,
        };
        Some(
            hits.into_iter()
                .filter(|&hit| after.is_none_or(|after| order(hit, after) == Some(wanted)))
                .take(limit)
                .map(|(_, id)| id)
                .collect(),
        )
    }
}

/// The order of two sort keys of one column: text by its bytes (as the
/// columns' collation, "C" on PostgreSQL and SQLite's binary, sorts it),
/// numbers by value; `None` for keys of two types.
pub(super) fn key_order(a: &SortKey, b: &SortKey) -> Option<Ordering> {
    match (a, b) {
        (SortKey::Text(a), SortKey::Text(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
        (SortKey::Integer(a), SortKey::Integer(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

/// The plan of a search of `subject` for `text` in a sort (`text_sort`
/// when it is one), among `rows` users or clients (of whom the other
/// filters leave `within`); on PostgreSQL [`postgres::reading`]'s, or in
/// a team of `team` people [`postgres::team_reading`]'s (SQLite reads a
/// team's search as any other, and its page chooses). On
/// SQLite: [`Reading::Index`] when the index finds at most [`index_limit`] rows;
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
    (subject, text): (Subject<'_>, &str),
    (text_sort, page): (Option<TextSort>, Option<&PageAsk<'_>>),
    (rows, team): ((u64, u64), Option<&TeamAsk<'_>>),
) -> Result<Planned, StoreError> {
    if sql.dialect() == Dialect::Postgres {
        if let Some(team) = team {
            return postgres::team_reading(sql, (subject, text), team).await;
        }
        return postgres::reading(sql, (subject, text), (text_sort, page), rows).await;
    }
    let Some((table, query)) = index_query(subject, text) else {
        return Ok(Planned {
            reading: Reading::Index,
            counted: None,
            ids: Vec::new(),
            keys: Vec::new(),
            stopped: false,
        });
    };
    let limit = index_limit(text, rows);
    let cap = limit.max(COUNT_CAP);
    let starting = match text_sort {
        Some((_, key)) => Some(starting_count(sql, (subject, key), text, cap).await?),
        None => None,
    };
    let found = match starting {
        Some(starting) if starting > cap => starting,
        _ => index_count(sql, table, query.clone(), cap).await?,
    };
    let planned = |reading, ids| {
        Ok(Planned {
            reading,
            counted: Some(found),
            ids,
            keys: Vec::new(),
            stopped: false,
        })
    };
    if found <= limit {
        return planned(Reading::Index, Vec::new());
    }
    let (Some((field, _)), Some(starting)) = (text_sort, starting) else {
        return planned(Reading::Walk, Vec::new());
    };
    // The trigram tables hold the name's key (V21), the words tables its
    // words in a column `name`.
    let column = match field {
        "name" if table == subject.trigrams() => "name_key",
        _ => field,
    };
    if starting <= limit / 2 {
        return planned(Reading::Walk, Vec::new());
    }
    let most = limit.min(SPLIT_OTHERS);
    // (A client's phone-like search is two phrases; the text is the first.)
    let first = if text.chars().count() >= SUBSTRING {
        fts_phrase(text)
    } else {
        fts_word_start(text)
    };
    let others = format!("({query}) NOT {column} : ^ {first}");
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

/// What a page under `reading` sorts by: the sort's column (`text` when
/// it holds text), or for [`Reading::Hits`] and [`Reading::Sorted`] the same order through an
/// expression no index holds, so that PostgreSQL sorts the hits rather
/// than walk the sort's index testing each row for one of them: it judges
/// a walk cheaper for a few thousand hits, which may lie late in its order
/// ("josé" by name, 3,811 hits read by id: 1.8 s at a million clients,
/// 50 ms sorted).
pub(super) fn sorted_by(column: &str, reading: Option<Reading>, text: bool) -> String {
    match (reading, text) {
        (Some(Reading::Hits | Reading::Sorted), true) => format!("({column} || '')"),
        (Some(Reading::Hits | Reading::Sorted), false) => format!("({column} + 0)"),
        _ => column.to_owned(),
    }
}

/// What part `part` of a merged page under `reading` sorts by: the sort's
/// column, which each part's own range walks in order, but for the part
/// of a split read by id on PostgreSQL (after its range): the ids' order
/// through [`sorted_by`]'s expression, so that the server sorts them
/// rather than walk the sort's index to them.
pub(super) fn part_sorted_by(
    column: &str,
    (part, reading): (usize, Option<Reading>),
    dialect: Dialect,
    text: bool,
) -> String {
    match reading {
        Some(reading) if part > 0 && reading.exact(dialect) => {
            sorted_by(column, Some(Reading::Hits), text)
        }
        _ => column.to_owned(),
    }
}

/// How many rows the index of `subject`'s search `text` holds, up to
/// `cap` and one more; `None` where it has no index (SQLite).
pub(super) async fn index_hits<S: Sql + ?Sized>(
    sql: &mut S,
    subject: Subject<'_>,
    text: &str,
    cap: u64,
) -> Result<Option<u64>, StoreError> {
    match index_query(subject, text) {
        Some((table, query)) => Ok(Some(index_count(sql, table, query, cap).await?)),
        None => Ok(None),
    }
}

/// How many keys of the text sort `key` start with `text`, up to `cap` and
/// one more, counted on the sort's index (every one is a hit).
async fn starting_count<S: Sql + ?Sized>(
    sql: &mut S,
    (subject, key): (Subject<'_>, &str),
    text: &str,
    cap: u64,
) -> Result<u64, StoreError> {
    let (table, alias) = subject.table();
    let mut params = Params::default();
    let starts = in_range(key, &prefix_range(text, &mut params));
    sql::count(
        sql,
        &format!(
            "SELECT count(*) FROM (SELECT 1 FROM {table} {alias} \
             WHERE {starts} LIMIT {}) counted",
            cap + 1
        ),
        &params.0,
    )
    .await
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

/// The conditions of a search's parts under `reading`, one for each part
/// of the page (read in the sort's order and merged): one, or one to four
/// for [`Reading::Split`], whose index part is its other hits, `ids` (the
/// plan read them), each tested by the rule on SQLite (on PostgreSQL the
/// plan tested them, as [`Reading::Hits`]'s, which reads its `ids` alone).
pub(super) fn parts(
    dialect: Dialect,
    (subject, text): (Subject<'_>, &str),
    (reading, ids): (Reading, &[i64]),
    text_sort: Option<TextSort>,
    params: &mut Params,
) -> Vec<String> {
    let (_, row) = subject.table();
    let index = index_query(subject, text).filter(|_| dialect == Dialect::Sqlite);
    match (reading, index, text_sort) {
        (Reading::Hits, _, _) => vec![params.any_of(dialect, &format!("{row}.id"), ids)],
        // PostgreSQL's split: the range, and the other hits by their ids.
        (Reading::Split, None, Some((_, key))) => {
            let mut parts = vec![starts_key(key, text, params)];
            if !ids.is_empty() {
                parts.push(params.any_of(dialect, &format!("{row}.id"), ids));
            }
            parts
        }
        (Reading::Walk, Some(_), _) => vec![rule(dialect, subject, text, params)],
        (Reading::Split, Some(_), Some((_, key))) => {
            let mut parts = vec![starts_key(key, text, params)];
            if !ids.is_empty() {
                // One parameter, a JSON array: the statement's text is the
                // same for any number of them.
                let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
                let ids = params.push(format!("[{}]", ids.join(",")));
                parts.push(format!(
                    "({row}.id IN (SELECT value FROM json_each({ids})) AND {})",
                    rule(dialect, subject, text, params)
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
                        rule(dialect, subject, text, params)
                    ));
                }
            }
            parts
        }
        (_, Some((table, query)), _) => {
            let query = params.push(query);
            vec![format!(
                "({row}.id IN (SELECT rowid FROM {table} WHERE {table} MATCH {query}) AND {})",
                rule(dialect, subject, text, params)
            )]
        }
        (_, None, _) => vec![rule(dialect, subject, text, params)],
    }
}

/// SQLite's [`Reading::Index`] part of a users search among the members
/// of a large group (`group`, a placeholder) or the disabled users
/// (`disabled`), or both: the index's hits kept by their membership and by the
/// disabled users' index (V23) before any is looked up in `users`, each
/// then tested by the rule. A look-up costs about 1.3 µs, a membership
/// 0.65 and the disabled users' index 0.4: at a million users "schmidt" by
/// creation in a group of 200,000, 14 ms to 8.7; "müller" among the
/// disabled 16.5 to 8. `None` for a search with no index (the rule alone
/// reads it).
pub(super) fn index_part_kept(
    text: &str,
    (group, disabled): (Option<&str>, bool),
    params: &mut Params,
) -> Option<String> {
    let (table, query) = index_query(Subject::Users, text)?;
    let query = params.push(query);
    let mut kept = String::new();
    if let Some(group) = group {
        kept.push_str(&format!(
            " JOIN memberships gm ON gm.user_id = {table}.rowid AND gm.group_id = {group}"
        ));
    }
    if disabled {
        kept.push_str(&format!(
            " JOIN users d INDEXED BY users_disabled \
             ON d.id = {table}.rowid AND d.status = 'disabled'"
        ));
    }
    Some(format!(
        "(u.id IN (SELECT {table}.rowid FROM {table}{kept} WHERE {table} MATCH {query}) AND {})",
        rule(Dialect::Sqlite, Subject::Users, text, params)
    ))
}

/// "The sort's key `key` starts with `text`": a range of its index.
fn starts_key(key: &str, text: &str, params: &mut Params) -> String {
    in_range(key, &prefix_range(text, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A users search's parts on `dialect` in `sort`, under `reading`.
    pub(super) fn users_parts(
        (dialect, sort): (Dialect, SortField),
        text: &str,
        (reading, ids): (Reading, &[i64]),
        params: &mut Params,
    ) -> Vec<String> {
        parts(
            dialect,
            (Subject::Users, text),
            (reading, ids),
            users_text_sort(sort),
            params,
        )
    }

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
    fn a_page_of_hits_is_picked_from_their_keys_in_the_sort_and_after_the_cursor() {
        let text = |t: &str| SortKey::Text(t.into());
        let hits = Planned {
            reading: Reading::Hits,
            counted: Some(5),
            stopped: false,
            ids: vec![5, 3, 9, 4, 7],
            keys: vec![
                text("zoë"),
                text("ali"),
                text("zoe"),
                text("ali"),
                text("Émile"),
            ],
        };
        // By bytes: "ali" (3, 4), "zoe", "zoë", "Émile" (a capital outside ASCII).
        assert_eq!(hits.page(Direction::Asc, None, 3), Some(vec![3, 4, 9]));
        assert_eq!(hits.page(Direction::Desc, None, 2), Some(vec![7, 5]));
        let after = text("ali");
        assert_eq!(
            hits.page(Direction::Asc, Some((&after, 3)), 2),
            Some(vec![4, 9])
        );
        assert_eq!(
            hits.page(Direction::Desc, Some((&after, 4)), 5),
            Some(vec![3])
        );
        // A cursor of another sort's type, keys not read, or another plan:
        // the page reads every hit.
        assert_eq!(
            hits.page(Direction::Asc, Some((&SortKey::Integer(1), 3)), 2),
            None
        );
        let unread = Planned {
            keys: Vec::new(),
            ..hits.clone()
        };
        assert_eq!(unread.page(Direction::Asc, None, 2), None);
        let split = Planned {
            reading: Reading::Split,
            ..hits
        };
        assert_eq!(split.page(Direction::Asc, None, 2), None);
        let created = Planned {
            reading: Reading::Hits,
            counted: Some(3),
            stopped: false,
            ids: vec![1, 2, 3],
            keys: vec![
                SortKey::Integer(30),
                SortKey::Integer(10),
                SortKey::Integer(20),
            ],
        };
        assert_eq!(
            created.page(Direction::Desc, Some((&SortKey::Integer(30), 1)), 9),
            Some(vec![3, 2])
        );
    }

    #[test]
    fn each_search_has_its_index_or_none() {
        assert_eq!(
            index_query(Subject::Users, "ma\"r"),
            Some(("users_search", "\"ma\"\"r\"".to_owned()))
        );
        assert_eq!(
            index_query(Subject::Users, "li"),
            Some(("users_words", "\"li\"*".into()))
        );
        assert_eq!(index_query(Subject::Users, "j."), None);
        let phone = Subject::Clients {
            digits: Some("442079"),
        };
        assert_eq!(
            index_query(phone, "+44 2079"),
            Some((
                "clients_search",
                "\"+44 2079\" OR phone : \"442079\"".into()
            ))
        );
        assert_eq!(index_query(phone, "li"), None);
    }

    #[test]
    fn a_split_reads_the_range_its_other_hits_and_punctuation_and_other_plans_one_part() {
        let mut params = Params::default();
        let by_name = (Dialect::Sqlite, SortField::Name);
        let split = users_parts(by_name, "zhang", (Reading::Split, &[7, 9]), &mut params);
        assert_eq!(split.len(), 2);
        assert!(split[0].starts_with("(u.name_key >= $1"));
        assert!(split[1].starts_with("(u.id IN (SELECT value FROM json_each($3))"));
        assert_eq!(params.0[2], sql::Value::Text("[7,9]".into()));
        let by_email = (Dialect::Sqlite, SortField::Email);
        let words = users_parts(by_email, "zh", (Reading::Split, &[]), &mut params);
        assert_eq!(words.len(), 3);
        assert!(words[1].starts_with("(u.email_normalized >= ' ' AND u.email_normalized < 'a'"));
        for reading in [Reading::Index, Reading::Walk] {
            assert_eq!(
                users_parts(by_email, "zh", (reading, &[]), &mut params).len(),
                1
            );
        }
    }
}
