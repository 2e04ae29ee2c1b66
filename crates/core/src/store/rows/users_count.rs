//! How SQLite counts a users overview whose search or group is filtered
//! further (a status, a group, a supervisor…), where no kept count and no
//! count of the search's own index answers. Its conditions are tested on
//! the fewest candidates a count can read cheaply: the search's hits in its
//! index, or the group's members. SQLite, with no statistics, would
//! otherwise read them from whichever it likes (every hit of "a" for a
//! group of five: 70 ms at a million users) or read the whole table. And it
//! reads at most [`COUNT_BUDGET`] candidates, each looked up in `users`
//! (about 1 µs): to find 10,001 disabled users among "a"'s hits it would
//! read 100,000 of them (250 ms). A count stopped there says how many it
//! found, as a lower bound ([`Total::at_least`]).

use crate::store::sql::{self, Params, Sql};
use crate::store::{StoreError, Total, COUNT_CAP};

use super::search_plan::{self, index_query, Subject};
use super::users_overview::member_of;

/// The most candidates a count reads: as many as it may count.
pub(super) const COUNT_BUDGET: u64 = COUNT_CAP;

/// A search and the count its plan read of its index (up to the cap and
/// one more), if it read one.
pub(super) struct Searched<'a> {
    pub text: &'a str,
    pub found: Option<u64>,
}

/// A group filter: its members, its placeholder, and the place of its
/// condition among the page's conditions (a large group's; a small one is
/// joined instead).
pub(super) struct Grouped {
    pub members: u64,
    pub placeholder: String,
    pub condition_at: Option<usize>,
}

/// The page's total on SQLite, counted from the search's hits or the
/// group's members (whichever are fewer), or `None` where neither applies
/// (no search with an index and no group) or where a stopped count found
/// none (it could then say nothing true: the caller counts every row).
/// `conditions` are the page's, the search's first when there is one. A
/// team is counted otherwise (its members could be the fewest): the caller
/// does not ask for one.
pub(super) async fn bounded_total<S: Sql + ?Sized>(
    sql: &mut S,
    search: Option<Searched<'_>>,
    group: Option<&Grouped>,
    conditions: &[String],
    params: &Params,
) -> Result<Option<Total>, StoreError> {
    let indexed = search.as_ref().and_then(|s| {
        index_query(Subject::Users, s.text).map(|index| (index, s.found.unwrap_or(u64::MAX)))
    });
    // The search's hits drive the count unless the group has fewer members.
    let from_hits = match (&indexed, group) {
        (Some((_, found)), Some(group)) => *found <= group.members,
        (Some(_), None) => true,
        (None, Some(_)) => false,
        (None, None) => return Ok(None),
    };
    let mut params = params.clone();
    let mut tested: Vec<String> = Vec::new();
    let mut rest = conditions;
    if let Some(search) = &search {
        // The rule alone: the index only narrows (it folds some letters
        // otherwise), and the search's own condition would read its whole
        // index first.
        tested.push(search_plan::rule(
            sql.dialect(),
            Subject::Users,
            search.text,
            &mut params,
        ));
        rest = conditions.get(1..).unwrap_or_default();
    }
    let skip = usize::from(search.is_some());
    for (at, condition) in rest.iter().enumerate() {
        // The group's own condition, where its members are the candidates.
        let is_group = group.and_then(|g| g.condition_at) == Some(at + skip);
        if from_hits || !is_group {
            tested.push(condition.clone());
        }
    }
    let (from, driver) = match (&indexed, group) {
        (Some(((table, query), _)), _) if from_hits => {
            if let Some(group) = group.filter(|g| g.condition_at.is_none()) {
                tested.push(member_of(&group.placeholder));
            }
            let query = params.push(query.clone());
            (
                format!("{table} JOIN users u ON u.id = {table}.rowid"),
                format!("{table} MATCH {query}"),
            )
        }
        (_, Some(group)) => (
            "memberships gm JOIN users u ON u.id = gm.user_id".to_owned(),
            format!("gm.group_id = {}", group.placeholder),
        ),
        (_, None) => return Ok(None),
    };
    let tested = if tested.is_empty() {
        "1".to_owned()
    } else {
        format!("CASE WHEN {} THEN 1 ELSE 0 END", tested.join(" AND "))
    };
    let statement = format!(
        "SELECT count(*), coalesce(sum(matched), 0) FROM (SELECT {tested} AS matched \
         FROM {from} WHERE {driver} LIMIT {})",
        COUNT_BUDGET + 1
    );
    let Some(row) = sql::query_opt(sql, &statement, &params.0).await? else {
        return Ok(None);
    };
    let (read, matched) = (row.count(0)?, row.count(1)?);
    Ok(if read <= COUNT_BUDGET {
        Some(Total::capped(matched))
    } else {
        Total::at_least(matched)
    })
}
