//! The overview of a team lead: a user whose team (themselves and their
//! reports, direct and indirect) is about 10,000 people at a million users,
//! granted `users.view` for their team only, asks for their first page in
//! each sort and with a search. The team is found among the seeded users
//! (see `roster_core::bench::Seeded::team_lead`); the lead is moved into a
//! group of their own first. A store measured again (`--again`) has that
//! group already: its one member is the lead measured again.

use roster_core::directory::UserChanges;
use roster_core::domain::{Grant, Permission, Scope};
use roster_core::store::{Direction, SortField, UserQuery};
use roster_core::{Directory, Operator};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Instant;

use super::bench::{summarise, Latency, PAGE};

#[derive(Serialize)]
pub(super) struct TeamReport {
    /// The team's size, the lead included.
    team_size: u64,
    /// Each query's latency through the core, rights check included.
    queries: BTreeMap<&'static str, Latency>,
}

/// The group the seeded lead is moved into, granted their team's users.
const LEADS: &str = "Bench team leads";

/// Makes the seeded lead a team-scoped viewer (or, with `again`, finds the
/// one an earlier run made) and times their overview.
pub(super) async fn measure(
    directory: &Directory,
    administrator: &Operator,
    runs: usize,
    (lead, again): (Option<&(String, u64)>, bool),
) -> anyhow::Result<Option<TeamReport>> {
    let (email, seeded_size) = match lead {
        Some((email, size)) => {
            make_lead(directory, administrator, email).await?;
            (email.clone(), Some(*size))
        }
        None if again => match kept_lead(directory, administrator).await? {
            Some(email) => (email, None),
            None => return Ok(None),
        },
        None => return Ok(None),
    };
    let lead = directory.act_as(&email).await?;
    let page = |sort, direction| UserQuery {
        limit: PAGE,
        sort,
        direction,
        ..UserQuery::default()
    };
    // A kept lead's team size as their overview counts it (the lead
    // included).
    let team_size = match seeded_size {
        Some(size) => size,
        None => {
            directory
                .list_users(&lead, &page(SortField::Name, Direction::Asc))
                .await?
                .total
                .count
        }
    };
    let mut queries = BTreeMap::new();
    let cases: [(&'static str, UserQuery); 7] = [
        ("name", page(SortField::Name, Direction::Asc)),
        ("name_desc", page(SortField::Name, Direction::Desc)),
        ("created_desc", page(SortField::Created, Direction::Desc)),
        ("last_sign_in", page(SortField::LastSignIn, Direction::Asc)),
        (
            "search_3plus",
            UserQuery {
                search: Some("ann".into()),
                ..page(SortField::Name, Direction::Asc)
            },
        ),
        (
            "search_3plus_created_desc",
            UserQuery {
                search: Some("ann".into()),
                ..page(SortField::Created, Direction::Desc)
            },
        ),
        // Hits in the hundreds of thousands, fewer in the team than it has
        // members.
        (
            "search_1_2",
            UserQuery {
                search: Some("a".into()),
                ..page(SortField::Name, Direction::Asc)
            },
        ),
    ];
    for (name, query) in cases {
        let mut millis = Vec::with_capacity(runs);
        for _ in 0..runs {
            let started = Instant::now();
            directory.list_users(&lead, &query).await?;
            millis.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        queries.insert(name, summarise(millis));
    }
    Ok(Some(TeamReport { team_size, queries }))
}

/// Moves the user at `email` into a new group of their own, granted the
/// users of their team.
async fn make_lead(
    directory: &Directory,
    administrator: &Operator,
    email: &str,
) -> anyhow::Result<()> {
    let grant = Grant {
        permission: Permission::UsersView,
        scope: Scope::Team,
    };
    let group = directory
        .create_group(administrator, LEADS, "", [grant].into_iter().collect())
        .await?;
    let user = directory.user_by_email(administrator, email).await?;
    directory
        .update_user(
            administrator,
            user.id,
            UserChanges {
                version: user.version,
                groups: Some(vec![group.id]),
                ..UserChanges::default()
            },
        )
        .await?;
    Ok(())
}

/// The email of the one member of the group an earlier run made its lead
/// of, if the store has it.
async fn kept_lead(
    directory: &Directory,
    administrator: &Operator,
) -> anyhow::Result<Option<String>> {
    let group = match directory.group_by_name(administrator, LEADS).await {
        Ok(group) => group,
        Err(roster_core::Error::GroupNotFound { .. }) => return Ok(None),
        Err(error) => return Err(error.into()),
    };
    let members = directory
        .list_users(
            administrator,
            &UserQuery {
                limit: 2,
                group: Some(group.id),
                ..UserQuery::default()
            },
        )
        .await?;
    match members.users.as_slice() {
        [lead] => Ok(Some(lead.email.as_str().to_owned())),
        _ => Ok(None),
    }
}
