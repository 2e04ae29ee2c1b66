//! The overview of a team lead: a user whose team (themselves and their
//! reports, direct and indirect) is about 10,000 people at a million users,
//! granted `users.view` for their team only, asks for their first page in
//! each sort and with a search. The team is found among the seeded users
//! (see `roster_core::bench::Seeded::team_lead`); the lead is moved into a
//! group of their own first.

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

/// Makes the seeded lead a team-scoped viewer and times their overview.
pub(super) async fn measure(
    directory: &Directory,
    administrator: &Operator,
    runs: usize,
    lead: Option<&(String, u64)>,
) -> anyhow::Result<Option<TeamReport>> {
    let Some((email, team_size)) = lead else {
        return Ok(None);
    };
    let grant = Grant {
        permission: Permission::UsersView,
        scope: Scope::Team,
    };
    let group = directory
        .create_group(
            administrator,
            "Bench team leads",
            "",
            [grant].into_iter().collect(),
        )
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
    let lead = directory.act_as(email).await?;
    let page = |sort, direction| UserQuery {
        limit: PAGE,
        sort,
        direction,
        ..UserQuery::default()
    };
    let mut queries = BTreeMap::new();
    let cases: [(&'static str, UserQuery); 5] = [
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
    Ok(Some(TeamReport {
        team_size: *team_size,
        queries,
    }))
}
