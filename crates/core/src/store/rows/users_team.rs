//! A team lead's people (the lead and every report, direct or indirect,
//! kept as pairs in `user_ancestors`): their number, and the conditions
//! that keep a page of users, or of the clients they look after, in the
//! team; whether a page walks the team table's sort keys, and their column.

use crate::domain::UserId;
use crate::store::sql::{self, where_clause, Dialect, Params, Sql};
use crate::store::StoreError;
use crate::store::{SortField, StatusFilter, UserQuery};

use super::search_plan::{self, Subject};
use super::users::USER_COLUMNS;
use super::users_count::Teamed;
use super::users_overview::SMALL_GROUP;

/// Teams up to this size are read from the ancestors table and sorted;
/// larger ones by walking the sort index, probing each user's ancestors.
const SMALL_TEAM: u64 = 50_000;

/// The number of people in `lead`'s team, the lead included.
pub(super) async fn team_size<S: Sql + ?Sized>(
    sql: &mut S,
    lead: UserId,
) -> Result<u64, StoreError> {
    let reports = sql::count(
        sql,
        "SELECT count(*) FROM user_ancestors WHERE ancestor_id = $1",
        &[lead.0.into()],
    )
    .await?;
    Ok(reports + 1)
}

/// The condition "`u` is the lead (the placeholder `lead`) or one of their
/// reports": on SQLite a small team is read by its key in `user_ancestors`
/// (then sorted), a large one probed as the sort index is walked.
/// PostgreSQL chooses from its own statistics.
pub(super) fn team_condition(dialect: Dialect, lead: &str, members: u64) -> String {
    if dialect == Dialect::Sqlite && members > SMALL_TEAM {
        format!(
            "(u.id = {lead} OR EXISTS (SELECT 1 FROM user_ancestors a \
             WHERE a.ancestor_id = {lead} AND a.user_id = u.id))"
        )
    } else {
        in_team_of("u.id", lead)
    }
}

/// The condition "the user in `column` is the lead (the placeholder
/// `lead`) or one of their reports", read by the lead's key in
/// `user_ancestors`: for users themselves and for clients' account managers.
pub(super) fn in_team_of(column: &str, lead: &str) -> String {
    format!(
        "({column} = {lead} OR {column} IN (SELECT a.user_id FROM user_ancestors a \
         WHERE a.ancestor_id = {lead}))"
    )
}

/// The same condition as one list of the team's people, for a count on
/// PostgreSQL: the server reads them by their ids (or their clients by
/// the account managers' index), where [`in_team_of`]'s `OR` leaves it a
/// scan of every row.
pub(super) fn team_list(column: &str, lead: &str) -> String {
    format!(
        "{column} IN (SELECT {lead} UNION ALL \
         SELECT a.user_id FROM user_ancestors a WHERE a.ancestor_id = {lead})"
    )
}

/// Whether a page of a team is read from the team table's sort keys: when
/// nothing narrows the team more cheaply than walking them. A search
/// (`searching`: on SQLite a rare one, on PostgreSQL one read by its hits;
/// the caller leaves out a frequent one, whose hits a walk of the team
/// meets soon), a sign-in fact, a
/// supervisor, an expiry or a small group each finds its few users through
/// an index of its own, then keeps those in the team.
pub(super) fn walks_team_keys(
    query: &UserQuery,
    searching: bool,
    group_members: Option<u64>,
) -> bool {
    !searching
        && query.facts.is_none()
        && query.supervisor.is_none()
        && query.status != Some(StatusFilter::Expired)
        && group_members.is_none_or(|members| members > SMALL_GROUP)
}

/// The column of a sort, in `users` and in `user_ancestors` alike.
pub(super) fn sort_field(sort: SortField) -> &'static str {
    match sort {
        SortField::Name => "name_key",
        SortField::Email => "email_normalized",
        SortField::Created => "created_at",
        SortField::LastSignIn => "last_sign_in_at",
        SortField::PasswordChanged => "password_changed_at",
        SortField::FailedSignIns => "failed_sign_ins",
    }
}

/// A page's condition after its cursor, given the key's and the id's
/// columns (its values bound in the parameters), if it has one.
pub(super) type AfterCursor<'a> = dyn Fn((&str, &str), &mut Params) -> Option<String> + 'a;

/// The statement of a page that walks a team's keys: the lead's own row
/// (`column` its key), and their reports' first rows in the sort's order
/// from the team table's index for it (`key`), the two merged; each kept
/// by the page's `conditions` and after its cursor (`after`, given the
/// key's and the id's columns).
pub(super) fn team_walk_statement(
    (conditions, lead): (Vec<String>, &str),
    (column, key): (&str, &str),
    (join, order, limit_rows): (&str, &str, &str),
    after: &AfterCursor<'_>,
    params: &mut Params,
) -> String {
    let mut own = conditions.clone();
    own.push(format!("u.id = {lead}"));
    own.extend(after((column, "u.id"), params));
    let own = where_clause(&own);
    let mut reports = conditions;
    reports.push(format!("a.ancestor_id = {lead}"));
    reports.extend(after((key, "a.user_id"), params));
    let reports = where_clause(&reports);
    format!(
        "SELECT {USER_COLUMNS} FROM (\
         SELECT {USER_COLUMNS}, {column} AS sort_value FROM users u{join}{own} \
         UNION ALL \
         SELECT * FROM (SELECT {USER_COLUMNS}, {key} AS sort_value \
         FROM user_ancestors a JOIN users u ON u.id = a.user_id{join}{reports} \
         ORDER BY {key} {order}, a.user_id {order} LIMIT {limit_rows}) reports\
         ) u ORDER BY u.sort_value {order}, u.id {order} LIMIT {limit_rows}"
    )
}

/// A team filter's part of a users page (`team`: its lead and members, if
/// any, whether the search is frequent, the group filter's members): the
/// team's condition pushed to `conditions`, unless the page walks the
/// team's keys (the lead's placeholder then, first), its [`Teamed`], and
/// whether a search is tested on each member the walk reads (SQLite its
/// rule alone, its parameters pushed after the total's; PostgreSQL
/// [`search_plan::cheap_first`], which its count tests too, in place of the
/// first condition). A frequent search (one its plan would walk or split
/// among everyone on SQLite; on PostgreSQL one with more hits than half of
/// a team it may walk) is as dense in the team as anywhere, so walking the
/// team's keys finds a page of it soon, where the sort's index would be
/// walked past everyone else ("ann" in a team of 9,616 at a million users:
/// 46 ms).
pub(super) fn team_parts(
    dialect: Dialect,
    query: &UserQuery,
    (team, frequent, group_members): (Option<(UserId, u64)>, bool, Option<u64>),
    search: Option<&str>,
    (conditions, params): (&mut Vec<String>, &mut Params),
) -> (Option<String>, Option<Teamed>, bool) {
    let Some((lead, members)) = team else {
        return (None, None, false);
    };
    let placeholder = params.push(lead.0);
    if walks_team_keys(query, search.is_some() && !frequent, group_members) {
        if let (true, Dialect::Postgres, Some(text), Some(first)) =
            (frequent, dialect, search, conditions.first_mut())
        {
            *first = search_plan::cheap_first((Subject::Users, text), first, params);
        }
        let teamed = Teamed {
            members,
            lead: placeholder.clone(),
            condition_at: None,
        };
        return (Some(placeholder), Some(teamed), frequent);
    }
    let teamed = Teamed {
        members,
        lead: placeholder.clone(),
        condition_at: Some(conditions.len()),
    };
    conditions.push(team_condition(dialect, &placeholder, members));
    (None, Some(teamed), false)
}
