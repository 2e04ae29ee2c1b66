//! The users overview's filters besides a search: a status (PostgreSQL's
//! walk of `user_statuses`, SQLite's `users_status_name`), expiry, a
//! group's membership, and password and sign-in facts, each as a condition
//! on the row `u` and, where it serves a plan, what their kept counts say.

use chrono::{Duration, Utc};

use crate::domain::Status;
use crate::store::sql::{self, millis, Dialect, Params, Sql};
use crate::store::{FactFilter, SortField, StatusFilter, StoreError, UserQuery};

use super::search;
use super::UsersTx;

/// How many users a query's status and group leave at most among `rows`
/// (from kept counts and the expired users' index): a search among
/// fewer is read from its index for more hits, as a walk for its page
/// would read farther (a tenth of the users disabled, ten times as far).
pub(super) async fn filtered_at_most<S: Sql + ?Sized>(
    sql: &mut S,
    query: &UserQuery,
    rows: u64,
    group_members: Option<u64>,
    today: &str,
) -> Result<u64, StoreError> {
    let by_status = match query.status {
        Some(StatusFilter::Disabled) => sql.count_with_status(Status::Disabled).await?,
        Some(StatusFilter::Enabled) => sql.count_with_status(Status::Enabled).await?,
        Some(StatusFilter::Expired) => sql.count_expired(today).await?,
        None => rows,
    };
    Ok(by_status.min(group_members.unwrap_or(rows)).min(rows))
}

/// Whether a page of one status is PostgreSQL's walk of `user_statuses`
/// in name order (V16), as SQLite walks `users_status_name`: by name, with
/// no search (whose own index finds its few users first) and no team.
pub(super) fn walks_status_names(dialect: Dialect, query: &UserQuery, searching: bool) -> bool {
    dialect == Dialect::Postgres
        && matches!(
            query.status,
            Some(StatusFilter::Enabled | StatusFilter::Disabled)
        )
        && query.sort == SortField::Name
        && !searching
        && query.team_of.is_none()
}

/// The condition "`u` has `status`", and the kept count of `status` when
/// it was read to choose. SQLite reads the status from
/// `users_status_name` when `by_index` (by name, where that index walks
/// one status in name order); else it tests each row the plan reads (with
/// no statistics, it would read every user of the status through that
/// index and sort them all: 0.3-3.2 s in another sort at a million users,
/// or drive a search's count from it). PostgreSQL keeps no index of the
/// status in `users` (V16: so that a change of status rewrites none of its
/// indexes): by name it walks `user_statuses` (`walked`, and the test here
/// only confirms); in another sort a rare status is read from there and
/// its users sorted, a frequent one tested as the sort index is walked,
/// chosen from the kept counts.
pub(super) async fn status_condition<S: Sql + ?Sized>(
    sql: &mut S,
    status: Status,
    walked: bool,
    by_index: bool,
) -> Result<(String, Option<u64>), StoreError> {
    let name = status.as_str();
    let test = format!("u.status = '{name}'");
    if sql.dialect() == Dialect::Sqlite {
        let unindexed = if by_index { "" } else { "+" };
        return Ok((format!("{unindexed}{test}"), None));
    }
    if walked {
        return Ok((test, None));
    }
    let rows = sql.count_users().await?;
    let count = sql.count_with_status(status).await?;
    if count > search::rare_limit(rows) {
        return Ok((test, Some(count)));
    }
    let condition = format!(
        "{test} AND u.id IN (SELECT s.user_id FROM user_statuses s WHERE s.status = '{name}')"
    );
    Ok((condition, Some(count)))
}

/// The kept count of `status`, unless the plan read it already (`read`).
pub(super) async fn kept_status_count<S: Sql + ?Sized>(
    sql: &mut S,
    status: Status,
    read: Option<u64>,
) -> Result<u64, StoreError> {
    match read {
        Some(count) => Ok(count),
        None => Ok(sql.count_with_status(status).await?),
    }
}

/// The condition "`u` is a member of the group in the placeholder
/// `group`", probed by the group's key in `memberships`.
pub(super) fn member_of(group: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM memberships gm WHERE gm.user_id = u.id AND gm.group_id = {group})"
    )
}

/// A facts filter matched by at most this many users is read through the
/// fact's own index and sorted; one matched by more is found by walking
/// the sort index, where its matches are dense enough to fill a page soon.
const RARE_FACTS: u64 = 2_000;

/// Whether SQLite should read a facts filter through the fact's index:
/// counted there, up to [`RARE_FACTS`] + 1. SQLite keeps no statistics to
/// choose by itself, and either wrong choice grows with the directory:
/// sorting every user who never signed in, or walking the whole name
/// index past everyone for a handful of locked users. PostgreSQL chooses
/// from its own statistics.
pub(super) async fn facts_are_rare<S: Sql + ?Sized>(
    sql: &mut S,
    facts: FactFilter,
) -> Result<bool, StoreError> {
    if sql.dialect() == Dialect::Postgres {
        return Ok(true);
    }
    let mut params = Params::default();
    let condition = fact_test(facts, true, &mut params);
    let statement = format!(
        "SELECT count(*) FROM (SELECT 1 FROM users u WHERE {condition} LIMIT {}) counted",
        RARE_FACTS + 1
    );
    Ok(sql::count(sql, &statement, &params.0).await? <= RARE_FACTS)
}

/// The condition of a password and sign-in facts filter: on SQLite, a
/// rare fact's users are looked up by id from its index, a frequent
/// fact's column is tested as the sort index is walked (its unary `+`
/// keeps SQLite off the fact's index).
pub(super) fn fact_condition(
    dialect: Dialect,
    facts: FactFilter,
    through_index: bool,
    params: &mut Params,
) -> String {
    match (dialect, through_index) {
        (Dialect::Postgres, _) => fact_test(facts, true, params),
        (Dialect::Sqlite, true) => format!(
            "u.id IN (SELECT u.id FROM users u WHERE {})",
            fact_test(facts, true, params)
        ),
        (Dialect::Sqlite, false) => fact_test(facts, false, params),
    }
}

/// The test of one fact on the row `u`; unless `indexable`, written so
/// that SQLite uses no index for it. A year is 365 days back from now.
fn fact_test(facts: FactFilter, indexable: bool, params: &mut Params) -> String {
    let column = |name: &str| {
        if indexable {
            format!("u.{name}")
        } else {
            format!("+u.{name}")
        }
    };
    let now = Utc::now();
    match facts {
        FactFilter::NeverSignedIn => format!("{} = 0", column("last_sign_in_at")),
        FactFilter::PasswordOlderThanYear => {
            let cutoff = params.push(millis(now - Duration::days(365)));
            format!("{} < {cutoff}", column("password_changed_at"))
        }
        FactFilter::Locked => {
            let now = params.push(millis(now));
            let locked = column("locked_until");
            format!("{locked} IS NOT NULL AND {locked} > {now}")
        }
        FactFilter::FailedSignIns => format!("{} > 0", column("failed_sign_ins")),
    }
}

/// "`u`'s \"valid until\" has not passed on the day in parameter `today`":
/// an enabled user's test of being so still.
pub(super) fn valid_on(today: &str) -> String {
    format!("(u.valid_until IS NULL OR u.valid_until >= {today})")
}

/// Enabled users whose "valid until" is before the day in parameter
/// `today`. They are counted from their partial index, which holds the
/// status too (SQLite, V17), and read from it and sorted when few: SQLite,
/// which keeps no statistics, would otherwise walk `users_status_name` past
/// every enabled user (measured: 260 ms at 200,000 users, 0.2 ms this way);
/// its unary `+` keeps it from using an index for the status. Many (22,000
/// at a million: 50 ms sorted) are found by walking the sort's index
/// ([`expired_walked`]: 4 ms).
pub(super) fn expired_condition(dialect: Dialect, today: &str) -> String {
    let status = match dialect {
        Dialect::Sqlite => "+u.status",
        Dialect::Postgres => "u.status",
    };
    format!("u.valid_until IS NOT NULL AND u.valid_until < {today} AND {status} = 'enabled'")
}

/// [`expired_condition`] on SQLite as the sort's index is walked: with no
/// column SQLite would read an index of (a unary `+` each).
pub(super) fn expired_walked(today: &str) -> String {
    format!("+u.valid_until IS NOT NULL AND +u.valid_until < {today} AND +u.status = 'enabled'")
}
