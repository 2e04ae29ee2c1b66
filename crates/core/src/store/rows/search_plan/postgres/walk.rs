//! PostgreSQL's walks of a sort's index for a search's page: each entry
//! tested by the search's rule as the index holds it ([`walk_rule`]), no
//! row read but a filtered page's hits, each looked up ([`walked`]); and
//! the walk as long as a page of more than the count's cap of hits needs
//! ([`walk_further`]).

use crate::store::sql::{Params, Sql};
use crate::store::{StoreError, COUNT_CAP};

use super::super::super::keyset::{keyset_condition, order_of};
use super::super::{by_word_start, PageAsk, Planned, Reading, Subject, SUBSTRING};
use super::kept_of;

/// The plan of a page of a search that more than the count's cap hold,
/// read so (its hits to the cap) or found so by the crowd's read, which
/// gave up (its range or the rest held too many), where the short walks
/// did not find the page: found by a walk of the sort's index as long as
/// one needs for a page among that many hits evenly spread, kept by the
/// page's filter (at most `rows.1` of `rows.0`), twice over; else the
/// server walks to it. The short walk's entries are no sample of the
/// rest in a text sort ("a.aalto@…" to "a.donahue@…" at a million users,
/// of whose addresses 26 in 5,100 hold "mar", where 95,000 do): "mar" by
/// email among the disabled found its page in 26,582 entries (47 ms),
/// where every hit was read to the cap (91 ms), which said only what the
/// crowd's read had, and the server walked 450 ms. A page alone then
/// totals the cap and more; a filtered one says at least its page,
/// counted in full when asked for. Without a page to walk for (or after
/// a long walk that failed), or where the filter keeps fewer than twice a
/// page of that many, the server walks.
pub(super) async fn walk_further<S: Sql + ?Sized>(
    sql: &mut S,
    (subject, text): (Subject<'_>, &str),
    page: Option<&PageAsk<'_>>,
    (rows, within): (u64, u64),
) -> Result<Planned, StoreError> {
    let more = COUNT_CAP + 1;
    let server_walks = Planned {
        reading: Reading::Index,
        counted: Some(more),
        ids: Vec::new(),
        keys: Vec::new(),
        stopped: false,
    };
    let Some(page) = page else {
        return Ok(server_walks);
    };
    let wanted = page.rows as u64;
    let filtered = page.filter.is_some();
    let kept = match filtered {
        true => kept_of(more, (rows, within)),
        false => more,
    };
    match walk_to(sql, (subject, text), page, (rows, kept)).await? {
        Some(ids) if ids.len() as u64 == wanted => Ok(Planned {
            reading: Reading::Hits,
            counted: Some(if filtered { wanted } else { more }),
            ids,
            keys: Vec::new(),
            stopped: filtered,
        }),
        _ => Ok(server_walks),
    }
}

/// How many entries of a sort's index among `rows` a walk for `wanted`
/// hits reads where `kept` hits are spread evenly through it: as many as
/// twice `wanted` of them need (at most every one).
pub(super) fn walk_length(wanted: u64, rows: u64, kept: u64) -> u64 {
    ((2 * wanted).saturating_mul(rows) / kept.max(1)).min(rows.max(1))
}

/// The hits of a walk of the sort's index to a page of a search that
/// `kept` of `rows` hold as the page's filter keeps them, as long as
/// [`walk_length`] says (the page where they fill it); `None`, unwalked,
/// where they are fewer than twice a page: a rare filter would have
/// every entry walked and each hit looked up for less than a page (as
/// [`super::quick_plan`]'s long walk, which it skips so).
pub(super) async fn walk_to<S: Sql + ?Sized>(
    sql: &mut S,
    (subject, text): (Subject<'_>, &str),
    page: &PageAsk<'_>,
    (rows, kept): (u64, u64),
) -> Result<Option<Vec<i64>>, StoreError> {
    let wanted = page.rows as u64;
    if kept < 2 * wanted {
        return Ok(None);
    }
    let longest = walk_length(wanted, rows, kept);
    let (ids, _) = walked(sql, (subject, text), page, (longest, false)).await?;
    Ok(Some(ids))
}

/// The ids of a search's page found by walking the sort's index from the
/// page's cursor, at most `most` entries, and testing each by
/// [`walk_rule`], which the index holds (V18, and V21 for last sign-in:
/// no row of the table is read, about 0.4 µs an entry at a million
/// clients): up to the page's
/// rows and one more, fewer when the walk ended first; and how many of
/// the search's hits it met (up to the page's rows, unfiltered). A walk
/// reads about `page.rows` × rows / hits entries where the hits are spread
/// through the sort, many more where they cluster late in it. A filtered
/// page's hits are each looked up and tested until its page is full;
/// where `counting` and it is not, the walk's hits are counted again
/// without a look-up, so that the search's own are counted (those of a
/// filter of a tenth of the users too few to judge the search by). Every
/// hit was looked up for that count before: "ann" by name among the
/// disabled at a million harsh users, 5,100 Anns, 29 ms, where its page
/// is the first 500.
pub(super) async fn walked<S: Sql + ?Sized>(
    sql: &mut S,
    (subject, text): (Subject<'_>, &str),
    page: &PageAsk<'_>,
    (most, counting): (u64, bool),
) -> Result<(Vec<i64>, u64), StoreError> {
    let mut params = Params::default();
    let Some(walk) = walk_of((subject, text), page, most, &mut params) else {
        return Ok((Vec::new(), 0));
    };
    let (table, row) = subject.table();
    let order = order_of(page.direction);
    // A filtered page's hits are each looked up and tested, one by one:
    // a lateral subquery with a limit, which the server cannot make a
    // join that reads every row.
    let join = match page.filter.map(|filter| filter.condition(&mut params)) {
        Some(filter) => format!(
            " CROSS JOIN LATERAL (SELECT 1 FROM {table} {row} \
             WHERE {row}.id = w.id AND {filter} LIMIT 1) f"
        ),
        None => String::new(),
    };
    // The outer order is the walk's own (the server keeps it without a
    // sort): the page is the first hits in it.
    let statement = format!(
        "SELECT w.id FROM {walk}{join} WHERE w.hit \
         ORDER BY w.key {order}, w.id {order} LIMIT {}",
        page.rows
    );
    let ids = sql
        .query(&statement, &params.0)
        .await?
        .iter()
        .map(|hit| hit.int(0))
        .collect::<Result<Vec<i64>, _>>()?;
    if !counting || page.filter.is_none() || ids.len() == page.rows {
        let seen = ids.len() as u64;
        return Ok((ids, seen));
    }
    let mut params = Params::default();
    let Some(walk) = walk_of((subject, text), page, most, &mut params) else {
        return Ok((ids, 0));
    };
    let statement = format!("SELECT count(*) FROM {walk} WHERE w.hit");
    let seen = crate::store::sql::count(sql, &statement, &params.0).await?;
    Ok((ids, seen))
}

/// The walk of [`walked`] as a subquery `w` of each entry's id, key and
/// whether it is a hit (`hit`), in the page's order from its cursor, at
/// most `most` entries; `None` for a search [`walk_rule`] does not serve.
fn walk_of(
    (subject, text): (Subject<'_>, &str),
    page: &PageAsk<'_>,
    most: u64,
    params: &mut Params,
) -> Option<String> {
    let hit = walk_rule(subject, text, params)?;
    let (table, row) = subject.table();
    let id = format!("{row}.id");
    let after = page.after.map(|(key, after_id)| {
        format!(
            " WHERE {}",
            keyset_condition(
                (page.column, &id),
                page.text,
                page.direction,
                key,
                after_id,
                params
            )
        )
    });
    let order = order_of(page.direction);
    Some(format!(
        "(SELECT {id}, {column} AS key, {hit} AS hit FROM {table} {row}{} \
         ORDER BY {column} {order}, {id} {order} LIMIT {}) w",
        after.unwrap_or_default(),
        most.max(1),
        column = page.column,
    ))
}

/// A search's rule (see [`rule`]) as a walk of a sort's index tests it:
/// through `strpos` and `starts_with`, which no trigram index serves and
/// the server expects a third of the rows to pass, so that it walks the
/// sort's index for the page rather than read every hit and sort them (a
/// walk of a team's keys tests it before the rule too, which spares most
/// members the rule's `translate`, as it spares a read of a search's hits:
/// [`super::cheap_first`]; a read of a
/// team's clients tests it alone, [`super::team_read_rule`]);
/// `None` for a search the walk does not serve (a short one with
/// punctuation or a client's phone digits, read by ranges).
pub(in super::super) fn walk_rule(
    subject: Subject<'_>,
    text: &str,
    params: &mut Params,
) -> Option<String> {
    let (_, row) = subject.table();
    walk_rule_on(subject, row, text, params)
}

/// [`walk_rule`] on the columns of `row`, a row of the subject's table or
/// of one that keeps its keys (a team's pairs, V24).
pub(super) fn walk_rule_on(
    subject: Subject<'_>,
    row: &str,
    text: &str,
    params: &mut Params,
) -> Option<String> {
    if !walks(subject, text) {
        return None;
    }
    let digits = match subject {
        Subject::Clients { digits } => digits,
        Subject::Users => None,
    };
    if text.chars().count() >= SUBSTRING {
        let found = params.push(text);
        let mut tests = vec![
            format!("strpos({row}.name_key, {found}) > 0"),
            format!("strpos({row}.email_normalized, {found}) > 0"),
        ];
        if let Some(digits) = digits.filter(|d| d.len() >= SUBSTRING) {
            let digits = params.push(digits);
            tests.push(format!("strpos({row}.phone, {digits}) > 0"));
        }
        return Some(format!("({})", tests.join(" OR ")));
    }
    let start = params.push(text);
    let inside = params.push(format!(" {text}"));
    Some(format!(
        "(starts_with({row}.words, {start}) OR strpos({row}.words, {inside}) > 0)"
    ))
}

/// Whether a walk serves a search: one of three characters or more, or a
/// word start (not a client's phone digits, read by a range).
pub(super) fn walks(subject: Subject<'_>, text: &str) -> bool {
    text.chars().count() >= SUBSTRING
        || (by_word_start(text) && !matches!(subject, Subject::Clients { digits: Some(_) }))
}
