//! A team lead's clients overview: the clients their team looks after (an
//! account manager of theirs), read from the team's side and sorted, where
//! a team looks after at most the count's cap of clients.
//!
//! SQLite keeps no statistics, and the team's condition alone leaves it
//! two plans that both grow with the directory: walk the sort's index past
//! every client, looking each one up to test its manager, or read every
//! client the team looks after from the table to sort them. At a million
//! clients, seven in ten managed by one user in fifty, a lead of 9,616
//! people looks after 7,745 clients through 199 of them; either plan
//! looked up thousands of rows at 2–3 µs each. Since V22 each pair of the
//! team table says whether its user looks after a client, under an index
//! led by the ancestor, and the managers' index holds every value a page
//! tests and sorts by (the name's key, the creation time, the email and
//! the phone): the team's managers are read from the one, their clients
//! from the other, a seek a manager and no row of the table, tested by the
//! search's rule ([`search_plan::rule`]) and sorted; the page's rows alone
//! are looked up. A rare search's few hits are still read from its index
//! and kept in the team, and a team that looks after more clients than a
//! count reads is walked for as before: its clients are dense in any sort.
//!
//! PostgreSQL planned a team's clients by its statistics, which know
//! nothing of the team: a search's hits among every client (up to the
//! count's cap, through the trigram indexes) kept in the team, or a walk
//! of the sort's index past every client (at 100,000 clients, a team of
//! 1,016 looking after 590: "ann" 111 ms, by name 18). Since its V20 the
//! team's clients are read from the team's side too, for every search (no
//! count of a rare one's hits first: the trigram indexes hand back all of
//! a frequent one's postings however few are read), materialised so that
//! no page's `LIMIT` has the server walk a sort's index for them, each
//! tested by the search's cheap test ([`search_plan::team_read_rule`]),
//! and sorted. A team that looks after more is left to the server's plan.

use std::cmp::Ordering;

use crate::store::sql::{self, Dialect, Params, Sql};
use crate::store::{ClientListing, ClientMatch, Direction, SortKey, StoreError, COUNT_CAP};

use super::clients::CLIENT_COLUMNS;
use super::search::index_count;
use super::search_plan::{self, Subject};

/// A rare search is read from its own index (each hit looked up in the
/// table, at about four times the cost of a team's client read in the
/// managers' index) when its hits are at most the team's clients divided
/// by this.
const CLIENTS_PER_HIT: u64 = 4;

/// How many clients `listing`'s team looks after, up to the count's cap,
/// when its page is read from the team's side (an unmasked search's or
/// none): unless the team looks after more, whose sort would cost more
/// than a walk of the sort's index for them, or, on SQLite, the search's
/// index finds at most a [`CLIENTS_PER_HIT`]th as many (counted that far
/// only, in place of the search's plan, which it then needs not read).
pub(super) async fn reads_team<S: Sql + ?Sized>(
    sql: &mut S,
    listing: &ClientListing,
) -> Result<Option<u64>, StoreError> {
    let Some(lead) = listing.team_of else {
        return Ok(None);
    };
    if matches!(listing.matching, Some(ClientMatch::Whole(_))) {
        return Ok(None);
    }
    let dialect = sql.dialect();
    let statement = count(dialect, "$1", &[], COUNT_CAP);
    let clients = sql::count(sql, &statement, &[lead.0.into()]).await?;
    if clients > COUNT_CAP {
        return Ok(None);
    }
    // PostgreSQL tests each of the team's clients cheaply first (a rare
    // search fails there), where a count of the search's hits through the
    // trigram indexes reads a frequent one's every posting.
    if dialect == Dialect::Postgres {
        return Ok(Some(clients));
    }
    let rare = clients / CLIENTS_PER_HIT;
    let index = match &listing.matching {
        Some(ClientMatch::Substring { text, digits }) => search_plan::index_query(
            Subject::Clients {
                digits: digits.as_deref(),
            },
            text,
        ),
        _ => None,
    };
    let rare_search = match index {
        Some((table, query)) => index_count(sql, table, query, rare).await? <= rare,
        None => false,
    };
    Ok((!rare_search).then_some(clients))
}

/// The conditions of a team read (the search's rule, if any: on
/// PostgreSQL its cheap test where it serves, [`search_plan::team_read_rule`])
/// and the placeholder of its lead.
pub(super) fn conditions(
    dialect: Dialect,
    listing: &ClientListing,
    params: &mut Params,
) -> (Vec<String>, String) {
    let mut conditions = Vec::new();
    if let Some(ClientMatch::Substring { text, digits }) = &listing.matching {
        let subject = Subject::Clients {
            digits: digits.as_deref(),
        };
        conditions.push(search_plan::team_read_rule(
            dialect,
            (subject, text),
            params,
        ));
    }
    let lead = params.push(listing.team_of.map_or(0, |lead| lead.0));
    (conditions, lead)
}

/// The id and sort key (`sort_value`) of each client the team of `lead`
/// (a placeholder) looks after that `conditions` keep: the lead's own and
/// their reports' who look after any (SQLite's V22, PostgreSQL's V20: the
/// team table's pairs say so, under an index of their own; a pair of the
/// lead's own, which only a circle of supervisors written by hand makes,
/// is left out), each manager's read by their key in the managers' index,
/// which holds every value a condition tests.
fn team_rows(dialect: Dialect, lead: &str, column: &str, conditions: &[String]) -> String {
    let (ancestors, managed) = match dialect {
        Dialect::Sqlite => (
            "user_ancestors a INDEXED BY user_ancestors_managers",
            "clients c INDEXED BY clients_account_manager",
        ),
        Dialect::Postgres => ("user_ancestors a", "clients c"),
    };
    let tested = tested(conditions);
    format!(
        "SELECT c.id, {column} AS sort_value \
         FROM {ancestors} JOIN {managed} ON c.account_manager_id = a.user_id \
         WHERE a.ancestor_id = {lead} AND a.manages_clients = 1 AND a.user_id <> {lead}{tested} \
         UNION ALL SELECT c.id, {column} FROM {managed} \
         WHERE c.account_manager_id = {lead}{tested}"
    )
}

/// The same rows on PostgreSQL as the common table expression `team`,
/// materialised: planned for all of them, from the team's side, where a
/// statement's `LIMIT` may have the server walk a sort's index past every
/// client for them.
fn team_table(lead: &str, column: &str, conditions: &[String]) -> String {
    format!(
        "WITH team AS MATERIALIZED ({}) ",
        team_rows(Dialect::Postgres, lead, column, conditions)
    )
}

/// `conditions`, each after an `AND`.
fn tested(conditions: &[String]) -> String {
    conditions
        .iter()
        .map(|condition| format!(" AND {condition}"))
        .collect()
}

/// The team's clients `conditions` keep, up to `cap` and one more.
pub(super) fn count(dialect: Dialect, lead: &str, conditions: &[String], cap: u64) -> String {
    match dialect {
        Dialect::Sqlite => format!(
            "SELECT count(*) FROM ({} LIMIT {}) counted",
            team_rows(Dialect::Sqlite, lead, "c.id", conditions),
            cap + 1
        ),
        Dialect::Postgres => format!(
            "{}SELECT count(*) FROM (SELECT 1 FROM team LIMIT {}) counted",
            team_table(lead, "c.id", conditions),
            cap + 1
        ),
    }
}

/// The id and sort key of each of the team's clients `conditions` keep,
/// in no order, up to `cap` and one more: a rare search's are all of its
/// hits (the page is then picked from them, [`first_of`]), where counting
/// them and then sorting them for the page read them twice; a frequent
/// one's stop early ("ng" among a team's 7,745 clients, 36 hits: 8.3 to
/// 4.5 ms).
pub(super) fn hits(
    dialect: Dialect,
    lead: &str,
    column: &str,
    conditions: &[String],
    cap: u64,
) -> String {
    match dialect {
        Dialect::Sqlite => format!(
            "SELECT id, sort_value FROM ({}) hits LIMIT {}",
            team_rows(Dialect::Sqlite, lead, column, conditions),
            cap + 1
        ),
        Dialect::Postgres => format!(
            "{}SELECT id, sort_value FROM team LIMIT {}",
            team_table(lead, column, conditions),
            cap + 1
        ),
    }
}

/// A page of the team's clients `conditions` keep: `limit_rows` (a number
/// or a placeholder) of them in `order` of `column`, each read in full
/// ([`CLIENT_COLUMNS`]); the page's rows alone are looked up.
pub(super) fn page(
    dialect: Dialect,
    (lead, conditions): (&str, &[String]),
    (column, order): (&str, &str),
    limit_rows: &str,
) -> String {
    let (with, team) = match dialect {
        Dialect::Sqlite => (
            String::new(),
            format!(
                "{} ORDER BY sort_value {order}, id {order} LIMIT {limit_rows}",
                team_rows(Dialect::Sqlite, lead, column, conditions)
            ),
        ),
        Dialect::Postgres => (
            team_table(lead, column, conditions),
            format!(
                "SELECT id, sort_value FROM team \
                 ORDER BY sort_value {order}, id {order} LIMIT {limit_rows}"
            ),
        ),
    };
    format!(
        "{with}SELECT {CLIENT_COLUMNS} FROM ({team}) p \
         JOIN clients c ON c.id = p.id LEFT JOIN users m ON m.id = c.account_manager_id \
         ORDER BY p.sort_value {order}, p.id {order} LIMIT {limit_rows}"
    )
}

/// The ids of the first `rows` of `hits` (each sort key with its id) in
/// `direction`: by the key ([`search_plan::key_order`]), then the id.
pub(super) fn first_of(
    mut hits: Vec<(SortKey, i64)>,
    direction: Direction,
    rows: usize,
) -> Vec<i64> {
    hits.sort_unstable_by(|(a, a_id), (b, b_id)| {
        search_plan::key_order(a, b)
            .unwrap_or(Ordering::Equal)
            .then(a_id.cmp(b_id))
    });
    if direction == Direction::Desc {
        hits.reverse();
    }
    hits.into_iter().take(rows).map(|(_, id)| id).collect()
}
