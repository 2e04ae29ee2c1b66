//! The overview of a team lead: a user whose team (themselves and their
//! reports, direct and indirect) is about 10,000 people at a million users,
//! granted `users.view` and `clients.view` for their team only, asks for
//! their first page of users, and of the clients their team looks after,
//! in each sort and with a search. The team is found among the seeded users
//! (see `roster_core::bench::Seeded::team_lead`); the lead is moved into a
//! group of their own first. A store measured again (`--again`) has that
//! group already: its one member is the lead measured again (their clients
//! only if it grants them; an earlier version's granted users alone).

use roster_core::directory::UserChanges;
use roster_core::domain::{Grant, Permission, Scope};
use roster_core::store::{ClientQuery, ClientSort, Direction, SortField, UserQuery};
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
    /// How many clients the team looks after (an account manager of theirs),
    /// and each query of the lead's clients overview, the same way; not
    /// for a lead kept by an earlier version, granted no clients.
    #[serde(skip_serializing_if = "Option::is_none")]
    clients: Option<TeamClients>,
}

#[derive(Serialize)]
struct TeamClients {
    team_clients: u64,
    queries: BTreeMap<&'static str, Latency>,
}

/// The group the seeded lead is moved into, granted their team's users and
/// clients.
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
    let clients = measure_clients(directory, &lead, runs).await?;
    Ok(Some(TeamReport {
        team_size,
        queries,
        clients,
    }))
}

/// Times the lead's clients overview: the clients their team looks after
/// (none for a lead granted no clients).
async fn measure_clients(
    directory: &Directory,
    lead: &Operator,
    runs: usize,
) -> anyhow::Result<Option<TeamClients>> {
    let page = |sort, direction, search: Option<&str>| ClientQuery {
        limit: PAGE,
        sort,
        direction,
        search: search.map(str::to_owned),
        ..ClientQuery::default()
    };
    let team_clients = match directory
        .count_clients(lead, &page(ClientSort::Name, Direction::Asc, None))
        .await
    {
        Ok(total) => total.count,
        Err(roster_core::Error::PermissionDenied { .. }) => return Ok(None),
        Err(error) => return Err(error.into()),
    };
    let cases: [(&'static str, ClientQuery); 6] = [
        ("name", page(ClientSort::Name, Direction::Asc, None)),
        ("name_desc", page(ClientSort::Name, Direction::Desc, None)),
        (
            "created_desc",
            page(ClientSort::Created, Direction::Desc, None),
        ),
        (
            "search_3plus",
            page(ClientSort::Name, Direction::Asc, Some("ann")),
        ),
        (
            "search_3plus_created_desc",
            page(ClientSort::Created, Direction::Desc, Some("ann")),
        ),
        (
            "search_1_2",
            page(ClientSort::Name, Direction::Asc, Some("a")),
        ),
    ];
    let mut queries = BTreeMap::new();
    for (name, query) in cases {
        let mut millis = Vec::with_capacity(runs);
        for _ in 0..runs {
            let started = Instant::now();
            directory.list_clients(lead, &query).await?;
            millis.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        queries.insert(name, summarise(millis));
    }
    Ok(Some(TeamClients {
        team_clients,
        queries,
    }))
}

/// Moves the user at `email` into a new group of their own, granted the
/// users and clients of their team, and shows them clients' data unmasked.
async fn make_lead(
    directory: &Directory,
    administrator: &Operator,
    email: &str,
) -> anyhow::Result<()> {
    let grants = [Permission::UsersView, Permission::ClientsView].map(|permission| Grant {
        permission,
        scope: Scope::Team,
    });
    let group = directory
        .create_group(administrator, LEADS, "", grants.into_iter().collect())
        .await?;
    let user = directory.user_by_email(administrator, email).await?;
    directory
        .update_user(
            administrator,
            user.id,
            UserChanges {
                version: user.version,
                groups: Some(vec![group.id]),
                // Searches of the clients match as typed, not whole values.
                mask_client_data: Some(false),
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
