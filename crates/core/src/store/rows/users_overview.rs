//! The users overview: one keyset page of users under a search, filters
//! and a sort, with its total (kept, counted on an index, or capped).

use chrono::Utc;

use crate::domain::{Status, ValidUntil};
use crate::model::User;
use crate::store::sql::{self, where_clause, Dialect, Params, Sql};
use crate::store::{
    Cursor, SortField, StatusFilter, StoreError, Total, UserPage, UserQuery, COUNT_CAP,
};

use super::keyset::{keyset_condition, order_of};
use super::search;
use super::search_plan::{self, users_text_sort, PageAsk, PageFilter, Reading, Subject, TeamAsk};
use super::users::{complete_users, query_user_rows, USER_COLUMNS};
use super::users_count::{
    bounded_total, counted_by_page, first_page_total, Grouped, Searched, COUNT_BUDGET, QUICK_BUDGET,
};
use super::users_filters::{
    expired_condition, expired_walked, fact_condition, facts_are_rare, filtered_at_most,
    kept_status_count, member_of, status_condition, valid_on, walks_status_names,
};
use super::users_team::{
    in_team_of, sort_field, team_list, team_parts, team_size, team_walk_statement, walks_team_keys,
};
use super::users_walk;
use super::UsersTx;

/// Groups up to this size are listed by sorting their members; larger ones
/// by walking the sort index.
pub(super) const SMALL_GROUP: u64 = 2_000;

/// A status held by fewer than one user in this many is rare: a search
/// walked by name reads its users from `users_status_name` (each looked up,
/// about six times what testing an entry of the name's covering index
/// costs), where a frequent one's walk reads the name's index.
const RARE_STATUS: u64 = 6;

pub(super) async fn list_users<S: Sql + ?Sized>(
    sql: &mut S,
    query: &UserQuery,
) -> Result<UserPage, StoreError> {
    let limit = query.limit.clamp(1, UserQuery::MAX_LIMIT);
    let (users, total, next) = users_page(sql, query, limit, Counted::Quickly).await?;
    Ok(UserPage {
        users,
        total: total.map_or(Total::exact(0), |total| total.total),
        counting: total.is_some_and(|total| total.stopped),
        next,
    })
}

/// The total of a users overview's `query` counted in full, up to the cap;
/// no page is read.
pub(super) async fn count_listed_users<S: Sql + ?Sized>(
    sql: &mut S,
    query: &UserQuery,
) -> Result<Total, StoreError> {
    let (_, total, _) = users_page(sql, query, 1, Counted::Fully).await?;
    Ok(total.map_or(Total::exact(0), |total| total.total))
}

/// Whether a page counts its total: not at all (a selection read in
/// pages), quickly (a frequent search's count may stop early on
/// PostgreSQL, its page walked to; a filtered one's on SQLite after 1,000
/// candidates, or a first page's by its rows past them), or fully, up to
/// the cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counted {
    Not,
    Quickly,
    Fully,
}

/// A page's total, and whether its count stopped early (a lower bound
/// read quickly: [`count_listed_users`] counts it in full).
#[derive(Debug, Clone, Copy)]
struct PageTotal {
    total: Total,
    stopped: bool,
}

/// Every user `query` finds after its cursor, up to `limit` (of any size),
/// without a total: a whole selection read in large pages.
pub(super) async fn read_users<S: Sql + ?Sized>(
    sql: &mut S,
    query: &UserQuery,
    limit: u32,
) -> Result<(Vec<User>, Option<Cursor>), StoreError> {
    let (users, _, next) = users_page(sql, query, limit.max(1), Counted::Not).await?;
    Ok((users, next))
}

/// One keyset page of up to `limit` users, and its total as `counted`.
async fn users_page<S: Sql + ?Sized>(
    sql: &mut S,
    query: &UserQuery,
    limit: u32,
    counted: Counted,
) -> Result<(Vec<User>, Option<PageTotal>, Option<Cursor>), StoreError> {
    let dialect = sql.dialect();
    let mut params = Params::default();
    let mut conditions: Vec<String> = Vec::new();
    // (Keyed as names are: `search_key`.)
    let search = query.search_text();
    // The search's plan; the first condition is the search's for the total:
    // the index's rows tested by the rule, or a frequent word start's rule
    // alone (counted below from its words table; SQLite counts a filtered
    // search from the index's hits, each tested by the rule); on
    // PostgreSQL the rule, or the hits the plan read.
    let mut reading = None;
    let mut total_reading = Reading::Index;
    let mut index_count = None;
    let mut plan_ids = Vec::new();
    // Whether the plan's count stopped early (a frequent search's page
    // walked to on PostgreSQL, alone or filtered): the total is then at
    // least what it counted.
    let mut stopped = false;
    // The parts of a split the plan read (PostgreSQL), each read in the
    // sort's order for the page, and together the total's condition.
    let mut exact_parts = Vec::new();
    // Expired users are found by a range on the partial index of
    // `valid_until` (dates as `YYYY-MM-DD` compare as text).
    let today = ValidUntil::expiry_bound(Utc::now());
    // The stored status of a filter of one status.
    let status = match query.status {
        Some(StatusFilter::Disabled) => Some(Status::Disabled),
        Some(StatusFilter::Enabled) => Some(Status::Enabled),
        None | Some(StatusFilter::Expired) => None,
    };
    let group_members = match query.group {
        Some(group) => Some(
            sql::count(
                sql,
                "SELECT coalesce((SELECT member_count FROM groups WHERE id = $1), 0)",
                &[group.0.into()],
            )
            .await?,
        ),
        None => None,
    };
    let members = match query.team_of {
        Some(lead) => Some(team_size(sql, lead).await?),
        None => None,
    };
    // A team whose keys a frequent search's page may walk, up to twice the
    // count's cap of people (a larger one is left to the server): on
    // PostgreSQL its search is planned against its size.
    let walkable = members.filter(|&members| {
        members <= 2 * COUNT_CAP && walks_team_keys(query, false, group_members)
    });
    // No filter but a search and a team: a team's search so on PostgreSQL
    // has its hits read from the team's pairs (V24), the team's alone,
    // counted so.
    let no_filter = query.status.is_none()
        && query.group.is_none()
        && query.supervisor.is_none()
        && query.facts.is_none();
    let team_pairs = dialect == Dialect::Postgres
        && walkable.is_some()
        && search
            .as_deref()
            .is_some_and(|text| search_plan::reads_team_pairs(Subject::Users, text));
    // The users, and the most of them the filters leave, where a search
    // was planned against them.
    let mut sizes = None;
    if let Some(text) = &search {
        let rows = sql.count_users().await?;
        let within = filtered_at_most(sql, query, rows, group_members, today.as_str()).await?;
        sizes = Some((rows, within));
        // A page of the search alone is picked from its hits' keys.
        let alone = no_filter && query.team_of.is_none();
        // On PostgreSQL a page filtered by a status or a large group too
        // is planned with its filter: a frequent search's is walked to,
        // where its hits had been read, then counted by the server ("mar"
        // in a group of 20,000 at 100,000 users: 1 s).
        let filter = (dialect == Dialect::Postgres
            && !alone
            && query.supervisor.is_none()
            && query.facts.is_none()
            && query.team_of.is_none()
            && query.status != Some(StatusFilter::Expired)
            && group_members.is_none_or(|members| members > SMALL_GROUP))
        .then_some(PageFilter {
            status,
            today: today.as_str(),
            group: query.group,
        });
        let paged = alone || filter.is_some();
        let after = query.after.as_ref().map(|cursor| (&cursor.key, cursor.id));
        let page = match query.sort {
            SortField::Name if paged => Some(("u.name_key", true)),
            SortField::Email if paged => Some(("u.email_normalized", true)),
            SortField::Created if paged => Some(("u.created_at", false)),
            // PostgreSQL walks its index for a frequent search's page,
            // where every hit had been read ("mar", 9,507 among 100,000
            // users: 97 ms).
            SortField::LastSignIn if paged && dialect == Dialect::Postgres => {
                Some(("u.last_sign_in_at", false))
            }
            _ => None,
        }
        .map(|(column, text)| PageAsk {
            column,
            text,
            direction: query.direction,
            after,
            rows: limit as usize + 1,
            quick: counted == Counted::Quickly,
            filter,
        });
        // A team's page alone picks its own from its hits' keys.
        let team = match (query.team_of, walkable) {
            (Some(lead), Some(members)) => Some(TeamAsk {
                members,
                lead: lead.0,
                key: no_filter.then(|| {
                    (
                        sort_field(query.sort),
                        users_text_sort(query.sort).is_some(),
                    )
                }),
            }),
            _ => None,
        };
        let mut planned = search_plan::reading(
            sql,
            (Subject::Users, text),
            (users_text_sort(query.sort), page.as_ref()),
            ((rows, within), team.as_ref()),
        )
        .await?;
        stopped = planned.stopped;
        if let Some(page) = planned.page(query.direction, after, limit as usize + 1) {
            planned.ids = page;
        }
        index_count = planned.counted;
        let plan = planned.reading;
        reading = Some(plan);
        plan_ids = planned.ids;
        total_reading = match plan {
            // The rows the plan read: the page's and the total's alike.
            _ if plan.exact(dialect) => plan,
            // The rule, as the total's: only the page's order differs.
            Reading::Sorted => plan,
            _ if plan != Reading::Index && search::by_word_start(text) => Reading::Walk,
            _ => Reading::Index,
        };
        let parts = search_plan::parts(
            dialect,
            (Subject::Users, text),
            (total_reading, &plan_ids),
            users_text_sort(query.sort),
            &mut params,
        );
        conditions.push(search_plan::any_part(&parts));
        if parts.len() > 1 {
            exact_parts = parts;
        }
    }
    let status_walk = walks_status_names(dialect, query, search.is_some());
    // The kept count of the status when the plan read it.
    let mut status_count = None;
    // Conditions a page reads otherwise than its total (SQLite), each with
    // its place among the conditions: a search's page that walks the name
    // index reads a rare status through `users_status_name`, where its
    // total reads the index's hits and tests the status of each.
    let mut page_swaps: Vec<(usize, String)> = Vec::new();
    if let Some(status) = status {
        let by_index = query.sort == SortField::Name && search.is_none();
        let (mut condition, count) = status_condition(sql, status, status_walk, by_index).await?;
        status_count = count;
        // A search walked by name reads a rare status's users in name
        // order from `users_status_name`, each looked up to test the
        // search (about 1.5 µs); a frequent one's walk reads the name's
        // covering index, tests the search there (about 0.25 µs) and looks
        // up its hits alone: at a million users "schmidt" among the
        // enabled 20 ms to 4.5, among the disabled 22 to 11 the other way.
        let rare_status = match (dialect, reading, sizes) {
            (Dialect::Sqlite, Some(Reading::Walk), Some((rows, _)))
                if query.sort == SortField::Name =>
            {
                sql.count_with_status(status).await? < rows / RARE_STATUS
            }
            _ => false,
        };
        let mut walked = rare_status.then(|| format!("u.status = '{}'", status.as_str()));
        if status == Status::Enabled {
            let today = params.push(today.as_str());
            let valid = valid_on(&today);
            condition = format!("{condition} AND {valid}");
            walked = walked.map(|walked| format!("{walked} AND {valid}"));
        }
        page_swaps.extend(walked.map(|walked| (conditions.len(), walked)));
        conditions.push(condition);
    }
    // The expired users' count when the plan read it (SQLite, no search).
    let mut expired_count = None;
    if query.status == Some(StatusFilter::Expired) {
        // Read from their index and sorted when few (SQLite, with no
        // search), else found by walking the sort's index; counted from
        // their index either way.
        if dialect == Dialect::Sqlite && search.is_none() {
            expired_count = Some(sql.count_expired(today.as_str()).await?);
        }
        let walked = match expired_count {
            Some(expired) => expired > search::rare_limit(sql.count_users().await?),
            None => false,
        };
        let today = params.push(today.as_str());
        if walked {
            page_swaps.push((conditions.len(), expired_walked(&today)));
        }
        conditions.push(expired_condition(dialect, &today));
    }
    // A small group is read from its memberships and sorted; a large one
    // is read in sort order, probing each user's membership, so a page
    // never sorts a large set.
    let mut join = String::new();
    let mut grouped = None;
    if let (Some(group), Some(members)) = (query.group, group_members) {
        let group = params.push(group.0);
        let mut condition_at = None;
        if members <= SMALL_GROUP {
            join = format!(" JOIN memberships gm ON gm.user_id = u.id AND gm.group_id = {group}");
        } else {
            condition_at = Some(conditions.len());
            conditions.push(member_of(&group));
        }
        grouped = Some(Grouped {
            members,
            placeholder: group,
            condition_at,
        });
    }
    // SQLite reads a search's hits from its index kept first by a large
    // group's memberships and by the disabled users' index, then looks
    // them up.
    let large_group = grouped
        .as_ref()
        .filter(|group| group.condition_at.is_some())
        .map(|group| group.placeholder.as_str());
    let disabled = status == Some(Status::Disabled);
    if let (Dialect::Sqlite, Some(Reading::Index), Reading::Index, Some(text)) =
        (dialect, reading, total_reading, search.as_deref())
    {
        if large_group.is_some() || disabled {
            let part = search_plan::index_part_kept(text, (large_group, disabled), &mut params);
            if let (Some(part), Some(first)) = (part, conditions.first_mut()) {
                *first = part;
            }
        }
    }
    if let Some(supervisor) = query.supervisor {
        let supervisor = params.push(supervisor.0);
        conditions.push(format!("u.supervisor_id = {supervisor}"));
    }
    if let Some(facts) = query.facts {
        let through_index = facts_are_rare(sql, facts).await?;
        conditions.push(fact_condition(dialect, facts, through_index, &mut params));
    }
    let frequent = match dialect {
        Dialect::Sqlite => matches!(reading, Some(Reading::Walk | Reading::Split)),
        Dialect::Postgres => walkable.is_some() && reading == Some(Reading::Index),
    };
    let team = (query.team_of.zip(members), frequent, group_members);
    let search_text = search.as_deref();
    let (team_walk, teamed, team_search) = team_parts(
        dialect,
        query,
        team,
        search_text,
        (&mut conditions, &mut params),
    );
    // What a count tests: the page's conditions, and a walked team's own
    // (the page reads the team's keys instead).
    let mut counted_conditions = conditions.clone();
    if let Some(lead) = &team_walk {
        counted_conditions.push(match dialect {
            // The team's people as one list, which the server reads by
            // their ids, where the `OR` leaves it a scan of every user
            // ("a" in a team of 1,016 at 100,000 users: 99-122 ms).
            Dialect::Postgres if team_search => team_list("u.id", lead),
            _ => in_team_of("u.id", lead),
        });
    }
    // The kept counts know nothing of sign-in facts or teams.
    let team_members = teamed.as_ref().map(|team| team.members);
    let kept = query.facts.is_none() && team_members.is_none();
    let only_team = search.is_none() && no_filter;
    // Whether the total is the lower bound of a count stopped early.
    let mut lower_bound = false;
    // A first page of a filtered search whose own count would read too
    // many rows is read first and counted by its rows (`counted_by_page`).
    let by_page_rows = counted == Counted::Quickly
        && query.after.is_none()
        && counted_by_page(
            (dialect, total_reading),
            (search.as_deref(), index_count),
            (&grouped, &teamed),
        );
    let total = match (&search, query.status, group_members, query.supervisor) {
        _ if counted == Counted::Not => None,
        _ if only_team && team_members.is_some() => {
            Some(Total::exact(team_members.unwrap_or_default()))
        }
        (None, None, None, None) if kept => Some(Total::exact(sql.count_users().await?)),
        (None, Some(StatusFilter::Disabled), None, None) if kept => Some(Total::exact(
            kept_status_count(sql, Status::Disabled, status_count).await?,
        )),
        // The kept count less the expired ones, counted on their index.
        (None, Some(StatusFilter::Enabled), None, None) if kept => {
            let enabled = kept_status_count(sql, Status::Enabled, status_count).await?;
            let expired = sql.count_expired(&today).await?;
            Some(Total::exact(enabled.saturating_sub(expired)))
        }
        (None, None, Some(members), None) if kept => Some(Total::exact(members)),
        // The expired users alone, as the plan counted them.
        (None, Some(StatusFilter::Expired), None, None) if kept && expired_count.is_some() => {
            Some(Total::capped(expired_count.unwrap_or_default()))
        }
        // A frequent search's page walked to (PostgreSQL), filtered or
        // not: at least what its plan counted, counted in full when asked.
        (Some(_), _, _, None) if stopped => {
            let found = index_count.unwrap_or_default();
            lower_bound = Total::at_least(found).is_some();
            Some(Total::at_least(found).unwrap_or(Total::capped(found)))
        }
        // A search alone is counted as its plan read it: on its index
        // (SQLite), or its hits (PostgreSQL).
        (Some(_), None, None, None) if kept && index_count.is_some() => {
            Some(Total::capped(index_count.unwrap_or_default()))
        }
        (Some(_), None, None, None) if team_pairs && no_filter => {
            Some(Total::capped(index_count.unwrap_or_default()))
        }
        _ if by_page_rows => None,
        _ => {
            // SQLite counts from the search's hits, the group's members or
            // the team's, at most a budget of them: a page's own count a
            // small one, its total then at least what it found (counted in
            // full when asked for), unless it found none.
            let bounded = match dialect {
                Dialect::Sqlite => {
                    let searched = search.as_deref().map(|text| Searched {
                        text,
                        found: index_count,
                    });
                    let filters = (grouped.as_ref(), teamed.as_ref());
                    let read = (conditions.as_slice(), &params);
                    let quick = match counted {
                        Counted::Quickly => {
                            bounded_total(sql, searched, filters, read, QUICK_BUDGET).await?
                        }
                        _ => None,
                    };
                    match quick {
                        Some((total, stopped)) => {
                            lower_bound = stopped;
                            Some(total)
                        }
                        None => bounded_total(sql, searched, filters, read, COUNT_BUDGET)
                            .await?
                            .map(|(total, _)| total),
                    }
                }
                _ => None,
            };
            // PostgreSQL counts a search its plan did not read (its rule
            // the condition; a walked team's tests it so already) with the
            // rule tested cheaply first on each row
            // (`search_plan::cheap_first`: the server reads every user for
            // a frequent one, 7.2 s for "mar" in a group of 200,000 at a
            // million users, 0.6 s so), and a page's own count stops after
            // `QUICK_BUDGET` (113 ms there): past it the page says "more
            // than" and the overview counts in full beside it.
            let ruled = dialect == Dialect::Postgres
                && !total_reading.exact(dialect)
                && !team_search
                && search.is_some();
            let quick = ruled && counted == Counted::Quickly;
            // Else a word-start search on SQLite is counted from its words
            // table, with its own parameter, so that a frequent one does
            // not read every user; a walked team's condition tested too.
            let mut counted = params.clone();
            let mut ruled_conditions = counted_conditions.clone();
            if let (true, Some(text), Some(first)) =
                (ruled, search.as_deref(), ruled_conditions.first_mut())
            {
                *first = search_plan::cheap_first((Subject::Users, text), first, &mut counted);
            }
            let most = if quick { QUICK_BUDGET } else { COUNT_CAP };
            let statement = search
                .as_deref()
                .and_then(|text| {
                    search::word_start_count(
                        dialect,
                        ("users_words", "users", "u"),
                        text,
                        &join,
                        &counted_conditions,
                        &mut counted,
                    )
                })
                .unwrap_or_else(|| {
                    format!(
                        "SELECT count(*) FROM (SELECT 1 FROM users u{join}{} LIMIT {}) counted",
                        where_clause(&ruled_conditions),
                        most + 1
                    )
                });
            Some(match bounded {
                Some(total) => total,
                None => {
                    let found = sql::count(sql, &statement, &counted.0).await?;
                    lower_bound = quick && found > most;
                    match Total::at_least(found) {
                        Some(at_least) if lower_bound => at_least,
                        _ => Total::capped(found),
                    }
                }
            })
        }
    };

    // A count in full is its total alone: its page's rows would be read
    // for nothing, and a frequent search's first row in a sort its plan
    // left to the server may lie past most of the index ("jennifer" by
    // email at a million users: the walk to it took seconds).
    if counted == Counted::Fully {
        let total = total.map(|total| PageTotal {
            total,
            stopped: false,
        });
        return Ok((Vec::new(), total, None));
    }
    let column = format!("u.{}", sort_field(query.sort));
    let text_sort = matches!(query.sort, SortField::Name | SortField::Email);
    let after = |(column, id_column): (&str, &str), params: &mut Params| {
        query.after.as_ref().map(|cursor| {
            keyset_condition(
                (column, id_column),
                text_sort,
                query.direction,
                &cursor.key,
                cursor.id,
                params,
            )
        })
    };
    let order = order_of(query.direction);
    let limit_rows = params.limit(dialect, u64::from(limit) + 1);
    // The page's statement when no team's keys are walked, its search read
    // under `reading`, and bounded (`bound`) where a walk is tried first.
    let page = |reading: Option<Reading>, bound: Option<&String>, params: &mut Params| {
        // SQLite has no `Sorted` plan of its own: it is the index's hits
        // read as `Index` reads them, sorted through an expression no
        // index holds, so that SQLite cannot walk the sort's index for
        // them instead (a frequent search whose walk failed).
        let (reading, sorted_reading) = match reading {
            Some(Reading::Sorted) if dialect == Dialect::Sqlite => {
                (Some(Reading::Index), Some(Reading::Sorted))
            }
            reading => (reading, reading),
        };
        // PostgreSQL's users of one status in name order (V16).
        let (from, column, id_column) = match (status_walk, status) {
            (true, Some(status)) => (
                format!(
                    "user_statuses s JOIN users u ON u.id = s.user_id AND s.status = '{}'",
                    status.as_str()
                ),
                "s.name_key".to_owned(),
                "s.user_id",
            ),
            // SQLite walks the email sort in the index that holds
            // what a search tests (V19): left to choose, it took the
            // unique index of addresses for a word start and read
            // every user's row ("ma" at a million: 21.5 ms to 3.7).
            // Only for a search walked alone, or among a status or a
            // large group, each tested on the rows walked: a team,
            // a small group, a supervisor or a fact reads its own.
            _ if dialect == Dialect::Sqlite
                && query.sort == SortField::Email
                && reading == Some(Reading::Walk)
                && query.team_of.is_none()
                && join.is_empty()
                && query.supervisor.is_none()
                && query.facts.is_none()
                && query.status != Some(StatusFilter::Expired) =>
            {
                (
                    "users u INDEXED BY users_email_walk".to_owned(),
                    column.clone(),
                    "u.id",
                )
            }
            _ => ("users u".to_owned(), column.clone(), "u.id"),
        };
        // The search's parts as its plan reads them, each in place of
        // the total's search condition (the first), unless the two are
        // the same.
        let parts = match (&search, reading) {
            _ if !exact_parts.is_empty() => exact_parts.clone(),
            // Every hit read instead of a walk, kept first as `Index` keeps them.
            (Some(text), _) if sorted_reading != reading && (large_group.is_some() || disabled) => {
                search_plan::index_part_kept(text, (large_group, disabled), params)
                    .into_iter()
                    .collect()
            }
            (Some(text), Some(plan)) if plan != total_reading => search_plan::parts(
                dialect,
                (Subject::Users, text),
                (plan, &plan_ids),
                users_text_sort(query.sort),
                params,
            ),
            _ => Vec::new(),
        };
        let part = |search_part: Option<&String>, params: &mut Params| {
            let mut page_conditions = conditions.clone();
            if let (Some(part), Some(first)) = (search_part, page_conditions.first_mut()) {
                first.clone_from(part);
            }
            // (The swaps serve a walk: hits read and sorted keep each
            // condition as the total tests it.)
            let swaps = if sorted_reading == reading {
                &page_swaps[..]
            } else {
                &[]
            };
            for (at, swapped) in swaps {
                if let Some(condition) = page_conditions.get_mut(*at) {
                    condition.clone_from(swapped);
                }
            }
            page_conditions.extend(after((&column, id_column), params));
            page_conditions.extend(bound.cloned());
            where_clause(&page_conditions)
        };
        if parts.len() < 2 {
            let where_sql = part(parts.first(), params);
            let sorted = search_plan::sorted_by(&column, sorted_reading, text_sort);
            format!(
                "SELECT {USER_COLUMNS} FROM {from}{join}{where_sql} \
                 ORDER BY {sorted} {order}, {id_column} {order} LIMIT {limit_rows}"
            )
        } else {
            // Each part's first rows in the sort's order, merged.
            let selects: Vec<String> = parts
                .iter()
                .enumerate()
                .map(|(n, search_part)| {
                    let where_sql = part(Some(search_part), params);
                    let sorted =
                        search_plan::part_sorted_by(&column, (n, reading), dialect, text_sort);
                    format!(
                        "SELECT * FROM (SELECT {USER_COLUMNS}, {column} AS sort_value \
                         FROM {from}{join}{where_sql} \
                         ORDER BY {sorted} {order}, {id_column} {order} LIMIT {limit_rows}) part"
                    )
                })
                .collect();
            format!(
                "SELECT {USER_COLUMNS} FROM ({}) u \
                 ORDER BY u.sort_value {order}, u.id {order} LIMIT {limit_rows}",
                selects.join(" UNION ")
            )
        }
    };
    // A search SQLite reads from its index, whose hits a bounded walk of
    // the sort's index may meet first (`users_walk`): a page the walk
    // leaves short is read from the index after all. Not one read past
    // the index's limit, whose hits start many keys of the sort and
    // cluster there ("jose" by name at a million: its walk failed, 22 ms
    // where the read alone takes 17). A frequent one SQLite walks for,
    // of few enough hits to read instead, too (`users_walk::READ_MOST`).
    let walkable_page = dialect == Dialect::Sqlite
        && counted == Counted::Quickly
        && team_walk.is_none()
        && query.team_of.is_none()
        && join.is_empty()
        && query.supervisor.is_none()
        && query.facts.is_none()
        && query.status != Some(StatusFilter::Expired)
        && matches!(
            query.sort,
            SortField::Name | SortField::Email | SortField::Created | SortField::LastSignIn
        );
    let wanted = u64::from(limit) + 1;
    let walk = |entries| users_walk::Walk {
        column: (&column, text_sort),
        direction: query.direction,
        after: query.after.as_ref().map(|cursor| (&cursor.key, cursor.id)),
        entries,
        wanted: wanted as usize,
    };
    let page_walked =
        |bound: Option<&String>, params: &mut Params| page(Some(Reading::Walk), bound, params);
    let mut walked = None;
    let mut read_instead = None;
    match (reading, index_count, sizes, search.as_deref()) {
        (Some(Reading::Index), Some(found), Some(sizes), Some(text))
            if walkable_page && found <= search_plan::index_limit(text, sizes) =>
        {
            if let Some(entries) = users_walk::entries(found, sizes, wanted) {
                walked = walk(entries).rows(sql, &params, &page_walked).await?;
            }
        }
        // (Not by last sign-in: a bound cannot stop a walk in its many
        // equal keys, the never signed in's.)
        (Some(Reading::Walk), Some(found), Some(sizes), Some(text))
            if walkable_page && query.sort != SortField::LastSignIn =>
        {
            // (The plan counted them, up to the count's cap.)
            let hits = match found {
                _ if found <= COUNT_CAP => Some(found),
                _ => {
                    search_plan::index_hits(sql, Subject::Users, text, users_walk::READ_MOST)
                        .await?
                }
            }
            .filter(|&hits| hits <= users_walk::READ_MOST);
            if let Some(hits) = hits {
                if let Some(entries) = users_walk::frequent_entries(hits, sizes, wanted) {
                    walked = walk(entries).rows(sql, &params, &page_walked).await?;
                }
                // Read by the index and sorted (on SQLite `Sorted` is that).
                read_instead = Some(Reading::Sorted);
            }
        }
        _ => {}
    }
    // The page as planned, unless the walk tried first gave it.
    let mut rows = match walked {
        Some(rows) => rows,
        None => {
            let statement = match team_walk {
                None => page(read_instead.or(reading), None, &mut params),
                // The lead's own row, and their reports' first rows in the sort's
                // order from the team table's index for it; the two merged.
                Some(lead) => {
                    let mut conditions = conditions;
                    // (PostgreSQL's was tested so above, for the count too.)
                    if let (true, Dialect::Sqlite, Some(text), Some(first)) = (
                        team_search,
                        dialect,
                        search.as_deref(),
                        conditions.first_mut(),
                    ) {
                        *first = search_plan::rule(dialect, Subject::Users, text, &mut params);
                    }
                    let key = format!("a.{}", sort_field(query.sort));
                    team_walk_statement(
                        (conditions, &lead),
                        (&column, &key),
                        (&join, order, &limit_rows),
                        &after,
                        &mut params,
                    )
                }
            };
            query_user_rows(sql, &statement, &params.0).await?
        }
    };
    let total = match total {
        None if by_page_rows => {
            let (total, more) = first_page_total(rows.len() as u64, limit);
            lower_bound = more;
            Some(total)
        }
        total => total,
    };
    let next = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|last| Cursor {
            sort: query.sort,
            direction: query.direction,
            key: last.sort_key(query.sort),
            id: last.id,
        })
    } else {
        None
    };
    let total = total.map(|total| PageTotal {
        total,
        stopped: lower_bound,
    });
    Ok((complete_users(sql, rows).await?, total, next))
}
