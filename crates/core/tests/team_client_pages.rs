//! A team lead's clients overview, on both stores: every sort in both
//! directions, with no search and with short, long, accented, phone-like
//! and unmatched ones, paged three at a time, is exactly what an
//! administrator sees of the clients the team looks after, and its total
//! counts those alone. (A team's clients are read through the account
//! managers' index, `store/rows/clients_team.rs`, from the team table's
//! marks of who looks after any, which every change keeps.)

mod support;

use roster_core::clients::ClientChanges;
use roster_core::clients::{ClientQuery, NewClient};
use roster_core::directory::{NewUser, UserChanges};
use roster_core::domain::{ClientId, GroupId, UserId};
use roster_core::model::{Client, User};
use roster_core::store::{ClientSort, Direction, UserQuery};
use roster_core::Operator;
use support::*;

/// Every page of `query` as `operator` sees it, `limit` clients a page,
/// and the first page's total.
async fn all_pages(
    world: &World,
    operator: &Operator,
    query: &ClientQuery,
    limit: u32,
) -> (Vec<ClientId>, u64) {
    let mut query = ClientQuery {
        limit,
        ..query.clone()
    };
    let mut ids = Vec::new();
    let mut total = None;
    loop {
        let page = world
            .directory
            .list_clients(operator, &query)
            .await
            .expect("list");
        total.get_or_insert(page.total.count);
        ids.extend(page.clients.iter().map(|c| c.id));
        match page.next {
            Some(next) => query.after = Some(next),
            None => return (ids, total.unwrap_or_default()),
        }
    }
}

/// A lead, the ids of their team, Tom (who reports to them), Otto (outside)
/// and the staff's group.
struct Looked {
    lead: Operator,
    team: Vec<UserId>,
    tom: User,
    otto: User,
    staff: GroupId,
}

/// Lena leads Tom, who leads Tim; Otto is outside. Clients whose names
/// repeat (so ids break ties) are looked after by each of them, or by
/// nobody, with creation times that repeat and interleave.
async fn looked_after(world: &World) -> Looked {
    let team = world
        .lead_over_report(&["clients.view:team", "clients.manage:team"])
        .await;
    let tim = world
        .directory
        .create_user(
            &world.admin,
            NewUser {
                supervisor: Some(team.tom.id),
                ..new_user("Tim Under", &[team.staff])
            },
        )
        .await
        .expect("Tim")
        .user;
    let otto = world.user_in("Otto Outside", &[team.staff]).await;
    let managers: [Option<&User>; 5] = [
        Some(&team.lena),
        Some(&team.tom),
        Some(&otto),
        None,
        Some(&tim),
    ];
    let names = [
        "Ada Quill",
        "Ben Ng",
        "Cy Li",
        "Zoe Wu",
        "Max Ho",
        "Jürgen Müller",
        "Anna-Li Ng",
        "O'Neil Ada",
        "Ida Ma",
        "Eve Do",
    ];
    let mut n = 0;
    for name in names {
        for copy in 0..3 {
            world
                .directory
                .create_client(
                    &world.admin,
                    NewClient {
                        name: name.into(),
                        email: (n % 4 != 3).then(|| {
                            format!(
                                "{}.{copy}@corp{}.example",
                                email_of(name).replace('@', "."),
                                n % 2
                            )
                        }),
                        phone: (n % 3 == 0).then(|| format!("+44 20 7946 0{:03}", n * 7)),
                        country: None,
                        account_manager: managers[n % managers.len()].map(|m| m.id),
                    },
                )
                .await
                .expect("create client");
            n += 1;
        }
    }
    world
        .execute_raw("UPDATE clients SET created_at = 1600000000000 + (id * 17) % 6 * 1000")
        .await;
    Looked {
        lead: team.lead,
        team: vec![team.lena.id, team.tom.id, tim.id],
        tom: team.tom,
        otto,
        staff: team.staff,
    }
}

/// Every client of `query` as an administrator sees them, in its order.
async fn everyones(world: &World, query: &ClientQuery) -> Vec<Client> {
    let mut query = ClientQuery {
        limit: ClientQuery::MAX_LIMIT,
        ..query.clone()
    };
    let mut clients = Vec::new();
    loop {
        let page = world
            .directory
            .list_clients(&world.admin, &query)
            .await
            .expect("list as administrator");
        clients.extend(page.clients);
        match page.next {
            Some(next) => query.after = Some(next),
            None => return clients,
        }
    }
}

/// Whether one of `team` looks after `client`.
fn looked_after_by(client: &Client, team: &[UserId]) -> bool {
    client
        .account_manager
        .as_ref()
        .is_some_and(|m| team.contains(&m.id))
}

/// The clients of `team` as an administrator sees them in `query`.
async fn teams_clients(world: &World, team: &[UserId], query: &ClientQuery) -> Vec<ClientId> {
    everyones(world, query)
        .await
        .iter()
        .filter(|c| looked_after_by(c, team))
        .map(|c| c.id)
        .collect()
}

every_store!(a_leads_clients_are_the_teams_in_every_sort_and_search);
async fn a_leads_clients_are_the_teams_in_every_sort_and_search(backend: Backend) {
    let world = World::on(backend).await;
    let Looked { lead, team, .. } = looked_after(&world).await;
    let searches = [
        None,
        Some("ada"),
        Some("a"),
        Some("ng"),
        Some("li"),
        Some("müller"),
        Some("muller"),
        Some("corp1"),
        Some("+44 20"),
        Some("7946 0"),
        Some("20"),
        Some("o'"),
        Some("nobody"),
    ];
    let mut compared = 0;
    for search in searches {
        for sort in [ClientSort::Name, ClientSort::Created] {
            for direction in [Direction::Asc, Direction::Desc] {
                let query = ClientQuery {
                    search: search.map(str::to_owned),
                    sort,
                    direction,
                    ..ClientQuery::default()
                };
                let wanted = teams_clients(&world, &team, &query).await;
                let (ids, total) = all_pages(&world, &lead, &query, 3).await;
                let asked = format!("{search:?} by {sort:?} {direction:?}");
                assert_eq!(ids, wanted, "{asked}");
                assert_eq!(total, wanted.len() as u64, "{asked}: the total");
                compared += usize::from(!wanted.is_empty());
            }
        }
    }
    // Most searches find some of the team's clients.
    assert!(compared >= 40, "only {compared} listings found anyone");
}

every_store!(a_large_teams_page_says_more_than_it_read_and_the_count_is_exact);
async fn a_large_teams_page_says_more_than_it_read_and_the_count_is_exact(backend: Backend) {
    let world = World::on(backend).await;
    let Looked {
        lead, team, tom, ..
    } = looked_after(&world).await;
    // 1,500 more clients for Tom, and as many for nobody.
    for manager in [tom.id.0.to_string(), "NULL".to_owned()] {
        bulk_clients(&world, &manager, (1, 1500)).await;
    }
    for search in [None, Some("bulk"), Some("b")] {
        let query = ClientQuery {
            search: search.map(str::to_owned),
            ..ClientQuery::default()
        };
        let (ids, _) = all_pages(&world, &lead, &query, ClientQuery::MAX_LIMIT).await;
        let page = world
            .directory
            .list_clients(&lead, &query)
            .await
            .expect("list");
        let counted = world
            .directory
            .count_clients(&lead, &query)
            .await
            .expect("count");
        assert_eq!(
            counted.count,
            ids.len() as u64,
            "{search:?}: the full count"
        );
        assert!(counted.exact, "{search:?}");
        assert!(ids.len() >= 1500, "{search:?}: {} clients", ids.len());
        // A page's own total is true: exact, or a lower bound it says it
        // is still counting (a search's past the thousand a page reads).
        assert_eq!(
            page.total.exact,
            search.is_none(),
            "{search:?}: {:?}",
            page.total
        );
        if page.total.exact {
            assert_eq!(page.total.count, counted.count, "{search:?}");
        } else {
            assert!(page.counting, "{search:?}");
            assert!(page.total.count < counted.count, "{search:?}");
        }
    }
    // Past the count's cap (no longer read from the team's side, but
    // walked to), a page is still the team's first.
    bulk_clients(&world, &tom.id.0.to_string(), (1501, 11_000)).await;
    let query = ClientQuery::default();
    let page = world
        .directory
        .list_clients(&lead, &query)
        .await
        .expect("list");
    let mut wanted = teams_clients(&world, &team, &query).await;
    wanted.truncate(page.clients.len());
    assert_eq!(page.clients.len(), 50);
    assert_eq!(
        page.clients.iter().map(|c| c.id).collect::<Vec<_>>(),
        wanted
    );
    assert_eq!(page.total.count, 10_000, "{:?}", page.total);
    assert!(!page.total.exact);
}

every_store!(a_statement_over_many_clients_keeps_their_managers_marks);
async fn a_statement_over_many_clients_keeps_their_managers_marks(backend: Backend) {
    let world = World::on(backend).await;
    let Looked {
        lead,
        mut team,
        tom,
        otto,
        staff,
    } = looked_after(&world).await;
    // Ivy joins under Tom with no clients.
    let ivy = report_of(&world, &tom, "Ivy Many", staff).await;
    team.push(ivy.id);
    let (ivy_id, otto_id) = (ivy.id.0, otto.id.0);
    // Each step is one statement over many clients; the store check finds
    // every pair's mark right, and the lead sees the team's clients.
    let steps = [
        ("given 300 in one insert", String::new()),
        (
            "half moved to nobody",
            format!(
                "UPDATE clients SET account_manager_id = NULL \
                 WHERE account_manager_id = {ivy_id} AND id % 2 = 0"
            ),
        ),
        (
            "the rest moved outside",
            format!("UPDATE clients SET account_manager_id = {otto_id} WHERE account_manager_id = {ivy_id}"),
        ),
        (
            "all of Otto's given back",
            format!("UPDATE clients SET account_manager_id = {ivy_id} WHERE account_manager_id = {otto_id}"),
        ),
        (
            "all deleted",
            format!("DELETE FROM clients WHERE account_manager_id = {ivy_id}"),
        ),
    ];
    for (step, statement) in steps {
        if statement.is_empty() {
            bulk_clients(&world, &ivy_id.to_string(), (1, 300)).await;
        } else {
            world.execute_raw(&statement).await;
        }
        world.assert_sound().await;
        for search in [None, Some("bulk"), Some("ng")] {
            let query = ClientQuery {
                search: search.map(str::to_owned),
                ..ClientQuery::default()
            };
            let (ids, total) = all_pages(&world, &lead, &query, 40).await;
            let wanted = teams_clients(&world, &team, &query).await;
            assert_eq!(ids, wanted, "{step}, {search:?}");
            assert_eq!(total, wanted.len() as u64, "{step}, {search:?}");
        }
    }
}

/// A new user `name` in `staff`, reporting to `boss`, with no clients.
async fn report_of(world: &World, boss: &User, name: &str, staff: GroupId) -> User {
    world
        .directory
        .create_user(
            &world.admin,
            NewUser {
                supervisor: Some(boss.id),
                ..new_user(name, &[staff])
            },
        )
        .await
        .expect("a new report")
        .user
}

/// Clients "Bulk N" for `first..=last`, looked after by the user whose id
/// is `manager` (or `NULL`), written in one statement.
async fn bulk_clients(world: &World, manager: &str, (first, last): (u32, u32)) {
    world
        .execute_raw(&format!(
            "WITH RECURSIVE n(x) AS (SELECT {first} UNION ALL SELECT x + 1 FROM n WHERE x < {last}) \
             INSERT INTO clients (name, name_key, email, email_normalized, created_at, \
             updated_at, name_folded, account_manager_id) \
             SELECT 'Bulk ' || x, 'bulk ' || x, 'bulk' || x || '@many.example', \
             'bulk' || x || '@many.example', 1600000000000 + x, 1600000000000 + x, \
             'bulk ' || x, {manager} FROM n"
        ))
        .await;
}

every_store!(a_teams_clients_follow_every_change_of_manager_and_tree);
async fn a_teams_clients_follow_every_change_of_manager_and_tree(backend: Backend) {
    let world = World::on(backend).await;
    let Looked {
        lead,
        mut team,
        tom,
        otto,
        staff,
    } = looked_after(&world).await;
    let agree = |team: Vec<UserId>, step: &'static str| {
        let (world, lead) = (&world, &lead);
        async move {
            for search in [None, Some("a")] {
                let query = ClientQuery {
                    search: search.map(str::to_owned),
                    ..ClientQuery::default()
                };
                let (ids, total) = all_pages(world, lead, &query, 4).await;
                let wanted = teams_clients(world, &team, &query).await;
                assert_eq!(ids, wanted, "{step}, {search:?}");
                assert_eq!(total, wanted.len() as u64, "{step}, {search:?}");
            }
            let check = world
                .directory
                .check_store(&world.admin, false)
                .await
                .expect("check");
            assert!(check.sound(), "{step}: {check:?}");
        }
    };
    assert_eq!(team_under(&world, team[0]).await.len(), team.len());
    agree(team.clone(), "as made").await;
    // Uma joins under Tom with no clients, then is given one of Otto's.
    let uma = report_of(&world, &tom, "Uma New", staff).await;
    team.push(uma.id);
    assert_eq!(team_under(&world, team[0]).await.len(), team.len());
    let ottos = world
        .directory
        .list_clients(&world.admin, &ClientQuery::default())
        .await
        .expect("list")
        .clients
        .into_iter()
        .find(|c| c.account_manager.as_ref().is_some_and(|m| m.id == otto.id))
        .expect("a client of Otto's");
    let given = world
        .directory
        .update_client(
            &world.admin,
            ottos.id,
            ClientChanges {
                version: ottos.version,
                account_manager: Some(Some(uma.id)),
                ..ClientChanges::default()
            },
        )
        .await
        .expect("give Uma a client");
    agree(team.clone(), "Uma given a client").await;
    // Otto moves under Lena, with the clients he looks after.
    let moved = world
        .directory
        .update_user(
            &world.admin,
            otto.id,
            UserChanges {
                version: otto.version,
                supervisor: Some(Some(team[0])),
                ..UserChanges::default()
            },
        )
        .await
        .expect("move Otto");
    team.push(otto.id);
    agree(team.clone(), "Otto moved in").await;
    // The team table's pairs say whether their user looks after a client:
    // marks changed behind the store's back are found and set right by the
    // store check.
    world
        .execute_raw("UPDATE user_ancestors SET manages_clients = 1 - manages_clients")
        .await;
    let check = world
        .directory
        .check_store(&world.admin, false)
        .await
        .expect("check");
    assert!(
        check
            .findings
            .iter()
            .any(|f| f.message.contains("supervisor-tree pairs")),
        "{check:?}"
    );
    let repaired = world
        .directory
        .check_store(&world.admin, true)
        .await
        .expect("repair");
    assert!(repaired.sound(), "{repaired:?}");
    agree(team.clone(), "marks repaired").await;
    // Uma's one client goes; Otto leaves again.
    world
        .directory
        .delete_client(&world.admin, given.id, given.version)
        .await
        .expect("delete");
    agree(team.clone(), "Uma's client deleted").await;
    world
        .directory
        .update_user(
            &world.admin,
            otto.id,
            UserChanges {
                version: moved.version,
                supervisor: Some(None),
                ..UserChanges::default()
            },
        )
        .await
        .expect("move Otto out");
    team.retain(|id| *id != otto.id);
    agree(team.clone(), "Otto moved out").await;
    // Tom is deleted: his clients are left unmanaged, and so is his
    // place above Tim and Uma.
    let tom = world
        .directory
        .user_by_email(&world.admin, tom.email.as_str())
        .await
        .expect("Tom");
    world
        .directory
        .delete_user(&world.admin, tom.id, tom.version)
        .await
        .expect("delete Tom");
    agree(team_under(&world, team[0]).await, "Tom deleted").await;
}

/// `lead` and everyone under them, from the supervisors the
/// administrator sees (not from the team table).
async fn team_under(world: &World, lead: UserId) -> Vec<UserId> {
    let users = world
        .directory
        .list_users(
            &world.admin,
            &UserQuery {
                limit: UserQuery::MAX_LIMIT,
                ..UserQuery::default()
            },
        )
        .await
        .expect("users")
        .users;
    let mut team = vec![lead];
    let mut grown = true;
    while grown {
        grown = false;
        for user in &users {
            let under = user
                .supervisor
                .as_ref()
                .is_some_and(|boss| team.contains(&boss.id));
            if under && !team.contains(&user.id) {
                team.push(user.id);
                grown = true;
            }
        }
    }
    team
}

every_store!(a_masked_lead_finds_by_whole_values_only_the_teams_clients);
async fn a_masked_lead_finds_by_whole_values_only_the_teams_clients(backend: Backend) {
    let world = World::on(backend).await;
    let Looked { team, otto, .. } = looked_after(&world).await;
    let lena = world
        .directory
        .user_by_email(&world.admin, &email_of("Lena Lead"))
        .await
        .expect("Lena");
    world
        .directory
        .update_user(
            &world.admin,
            lena.id,
            UserChanges {
                version: lena.version,
                mask_client_data: Some(true),
                ..UserChanges::default()
            },
        )
        .await
        .expect("mask Lena's view");
    let lead = world
        .directory
        .act_as(lena.email.as_str())
        .await
        .expect("act as");
    let everyone = everyones(&world, &ClientQuery::default()).await;
    let managed_by = |ids: &[UserId]| {
        everyone
            .iter()
            .find(|c| c.email.is_some() && looked_after_by(c, ids))
            .expect("a client with an address")
    };
    let (ours, theirs) = (managed_by(&team), managed_by(&[otto.id]));
    let found = |text: &str| {
        let (world, lead) = (&world, &lead);
        let query = ClientQuery {
            search: Some(text.to_owned()),
            ..ClientQuery::default()
        };
        async move { all_pages(world, lead, &query, 3).await }
    };
    let (ids, total) = found(ours.email.as_deref().unwrap_or_default()).await;
    assert_eq!((ids, total), (vec![ours.id], 1));
    let (ids, total) = found(theirs.email.as_deref().unwrap_or_default()).await;
    assert_eq!((ids, total), (Vec::new(), 0));
    // A part of an address is no whole value.
    let (ids, _) = found("corp0").await;
    assert!(ids.is_empty(), "{ids:?}");
    // With no search, the team's clients, in order of creation.
    let (ids, total) = all_pages(&world, &lead, &ClientQuery::default(), 4).await;
    let query = ClientQuery {
        sort: ClientSort::Created,
        ..ClientQuery::default()
    };
    let wanted = teams_clients(&world, &team, &query).await;
    assert_eq!(ids, wanted);
    assert_eq!(total, wanted.len() as u64);
}
