//! How SQLite counts a users overview whose search or group is filtered
//! further (a status, a group, a supervisor…), where no kept count and no
//! count of the search's own index answers. Its conditions are tested on
//! the fewest candidates a count can read cheaply: the search's hits in its
//! index, the group's members or the team's. SQLite, with no statistics,
//! would otherwise read them from whichever it likes (every hit of "a" for
//! a group of five: 70 ms at a million users; for a team of 9,616: 1 s) or
//! read the whole table. And it reads at most a budget of candidates
//! ([`COUNT_BUDGET`] for a full count, [`QUICK_BUDGET`] for a page's own; a
//! full count of a team reads all of it), each looked up in `users` (about
//! 1 µs): to find 10,001 disabled users among "a"'s hits it would read
//! 100,000 of them (250 ms). A count stopped there says how many it found,
//! as a lower bound ([`Total::at_least`]). A first page of such an
//! overview, on either store, may be counted by its rows instead
//! ([`counted_by_page`]).

use crate::store::sql::{self, Dialect, Params, Sql};
use crate::store::{StoreError, Total, COUNT_CAP};

use super::search_plan::{self, index_query, Reading, Subject};
use super::users_filters::member_of;
use super::users_team::in_team_of;

/// The most candidates a count reads: as many as it may count.
pub(super) const COUNT_BUDGET: u64 = COUNT_CAP;

/// The most candidates a page's own count reads (1-3 ms at a million
/// users, where 10,001 took 10-35 ms of a 15-45 ms page): past them the
/// page says "more than" what it found, and the overview counts in full
/// beside it (`count_listed_users`).
pub(super) const QUICK_BUDGET: u64 = 1_000;

/// Whether a first page of a filtered `search` is counted by its rows
/// ([`first_page_total`], "more than" a full page, the overview then
/// counting in full beside it) rather than by a page's own count. On
/// SQLite where that count would read more than [`QUICK_BUDGET`] of the
/// fewest candidates (the search's `hits` as its plan counted them, the
/// group's members, the team's: each a user looked up) to say only "more
/// than" what it found: "müller" by name among the enabled at a million
/// users read 1,001 hits for "more than 800"; only a search with an index
/// whose hits the plan counted. On PostgreSQL, where the plan read the
/// search's rows exactly (`reading`: a split's range, or its hits by id),
/// where those candidates too are more than the budget, each of which the
/// count would read again to test its filter: "ve" among the disabled at
/// a million harsh users, the 38,000 Veras of the split's range read and
/// tested, 90–130 ms, where the page reads 500 of them.
pub(super) fn counted_by_page(
    (dialect, reading): (Dialect, Reading),
    (search, hits): (Option<&str>, Option<u64>),
    (group, team): (&Option<Grouped>, &Option<Teamed>),
) -> bool {
    let candidates = [
        hits,
        group.as_ref().map(|group| group.members),
        team.as_ref().map(|team| team.members),
    ];
    let many = hits.is_some()
        && candidates
            .into_iter()
            .flatten()
            .min()
            .is_some_and(|fewest| fewest > QUICK_BUDGET);
    many && match dialect {
        Dialect::Sqlite => search.is_some_and(|text| index_query(Subject::Users, text).is_some()),
        Dialect::Postgres => reading.exact(dialect),
    }
}

/// The total of a first page that read `read` rows for a page of `limit`
/// (and one more), and whether it is a lower bound: "more than" its page
/// when it is full, else exactly the rows it holds.
pub(super) fn first_page_total(read: u64, limit: u32) -> (Total, bool) {
    match Total::at_least(read) {
        Some(at_least) if read > u64::from(limit) => (at_least, true),
        _ => (Total::exact(read), false),
    }
}

/// A search and the count its plan read of its index (up to the cap and
/// one more), if it read one.
#[derive(Debug, Clone, Copy)]
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

/// A team filter: its members (the lead included), the placeholder of its
/// lead, and the place of its condition among the page's conditions (none
/// where the page walks the team's keys instead).
pub(super) struct Teamed {
    pub members: u64,
    pub lead: String,
    pub condition_at: Option<usize>,
}

/// Where a count reads its candidates from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Candidates {
    Hits,
    Group,
    Team,
}

/// The page's total on SQLite, counted from the search's hits, the
/// group's members or the team's (whichever are fewest), or `None` where
/// none applies (no search with an index, no group and no team) or where
/// a stopped count found none (it could then say nothing true: the caller
/// counts every row). `conditions` are the page's, the search's first when
/// there is one. It reads at most `budget` candidates, and says whether it
/// stopped there (its total then a lower bound).
pub(super) async fn bounded_total<S: Sql + ?Sized>(
    sql: &mut S,
    search: Option<Searched<'_>>,
    (group, team): (Option<&Grouped>, Option<&Teamed>),
    (conditions, params): (&[String], &Params),
    budget: u64,
) -> Result<Option<(Total, bool)>, StoreError> {
    let indexed = search.as_ref().and_then(|s| {
        index_query(Subject::Users, s.text).map(|index| (index, s.found.unwrap_or(u64::MAX)))
    });
    // The fewest candidates, the search's hits first among equals.
    let Some((_, candidates)) = [
        indexed
            .as_ref()
            .map(|(_, found)| (*found, Candidates::Hits)),
        group.map(|g| (g.members, Candidates::Group)),
        team.map(|t| (t.members, Candidates::Team)),
    ]
    .into_iter()
    .flatten()
    .min_by_key(|(count, _)| *count) else {
        return Ok(None);
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
        // The group's or the team's own condition, where its members are
        // the candidates.
        let drives = match candidates {
            Candidates::Hits => false,
            Candidates::Group => group.and_then(|g| g.condition_at) == Some(at + skip),
            Candidates::Team => team.and_then(|t| t.condition_at) == Some(at + skip),
        };
        if !drives {
            tested.push(condition.clone());
        }
    }
    // A small group joined by the page, and a team whose keys the page
    // walks, are tested here unless their members are the candidates.
    if let Some(group) = group.filter(|g| g.condition_at.is_none()) {
        if candidates != Candidates::Group {
            tested.push(member_of(&group.placeholder));
        }
    }
    if let Some(team) = team.filter(|t| t.condition_at.is_none()) {
        if candidates != Candidates::Team {
            tested.push(in_team_of("u.id", &team.lead));
        }
    }
    let (from, driver) = match (candidates, &indexed, group, team) {
        (Candidates::Hits, Some(((table, query), _)), _, _) => {
            let query = params.push(query.clone());
            (
                format!("{table} JOIN users u ON u.id = {table}.rowid"),
                format!("{table} MATCH {query}"),
            )
        }
        (Candidates::Group, _, Some(group), _) => (
            "memberships gm JOIN users u ON u.id = gm.user_id".to_owned(),
            format!("gm.group_id = {}", group.placeholder),
        ),
        // The lead's row and their reports', by id.
        (Candidates::Team, _, _, Some(team)) => {
            ("users u".to_owned(), in_team_of("u.id", &team.lead))
        }
        _ => return Ok(None),
    };
    // A full count reads a whole team, as it did before a team could
    // drive it: exact up to the cap, where a budget could leave a handful
    // of a large team's members unread ("more than 2" of 3).
    let budget = match (candidates, team) {
        (Candidates::Team, Some(team)) if budget >= COUNT_BUDGET => budget.max(team.members),
        _ => budget,
    };
    let tested = if tested.is_empty() {
        "1".to_owned()
    } else {
        format!("CASE WHEN {} THEN 1 ELSE 0 END", tested.join(" AND "))
    };
    let statement = format!(
        "SELECT count(*), coalesce(sum(matched), 0) FROM (SELECT {tested} AS matched \
         FROM {from} WHERE {driver} LIMIT {})",
        budget + 1
    );
    let Some(row) = sql::query_opt(sql, &statement, &params.0).await? else {
        return Ok(None);
    };
    let (read, matched) = (row.count(0)?, row.count(1)?);
    Ok(if read <= budget {
        Some((Total::capped(matched), false))
    } else {
        Total::at_least(matched).map(|total| (total, true))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_page_counted_by_its_rows_says_more_than_a_full_page_else_what_it_holds() {
        assert_eq!(
            first_page_total(51, 50),
            (Total::at_least(51).expect("some"), true)
        );
        assert_eq!(first_page_total(51, 50).0.count, 50);
        assert_eq!(first_page_total(50, 50), (Total::exact(50), false));
        assert_eq!(first_page_total(0, 50), (Total::exact(0), false));
        // Only where the fewest candidates are more than a page's count reads.
        let group = |members| {
            Some(Grouped {
                members,
                placeholder: "$1".into(),
                condition_at: None,
            })
        };
        let team = |members| {
            Some(Teamed {
                members,
                lead: "$2".into(),
                condition_at: None,
            })
        };
        let sqlite = (Dialect::Sqlite, Reading::Index);
        let fewest = |hits, (group, team): (Option<Grouped>, Option<Teamed>)| {
            counted_by_page(sqlite, (Some("kai"), hits), (&group, &team))
        };
        assert!(fewest(Some(1_001), (None, None)));
        assert!(!fewest(Some(1_000), (None, None)));
        assert!(!fewest(Some(12_000), (group(5), None)));
        assert!(!fewest(Some(12_000), (None, team(900))));
        assert!(fewest(Some(12_000), (group(3_000), team(2_000))));
        assert!(!fewest(None, (group(3_000), None)));
        assert!(!counted_by_page(
            sqlite,
            (None, Some(5_000)),
            (&None, &None)
        ));
        // A short search with punctuation has no index to count.
        assert!(!counted_by_page(
            sqlite,
            (Some("o'"), Some(5_000)),
            (&None, &None)
        ));
        // PostgreSQL: where its plan read the search's rows exactly, and
        // the fewest candidates are more than a page's count reads.
        let postgres = |reading, hits| {
            counted_by_page(
                (Dialect::Postgres, reading),
                (Some("ve"), hits),
                (&None, &None),
            )
        };
        let in_group = |members| {
            let hits = (Some("ve"), Some(38_000));
            counted_by_page(
                (Dialect::Postgres, Reading::Split),
                hits,
                (&group(members), &None),
            )
        };
        assert!(in_group(200_000));
        assert!(!in_group(400));
        assert!(postgres(Reading::Split, Some(1_001)));
        assert!(postgres(Reading::Hits, Some(4_000)));
        assert!(!postgres(Reading::Split, Some(1_000)));
        assert!(!postgres(Reading::Index, Some(9_000)));
        assert!(!postgres(Reading::Sorted, Some(9_000)));
        assert!(!postgres(Reading::Hits, None));
    }
}
