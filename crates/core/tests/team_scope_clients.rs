//! Team scope on clients, on both stores: `clients.view:team` and
//! `clients.manage:team` reach the clients whose account manager is the
//! holder or one of their reports, in every path (overview, search, one
//! client, export, edits, the account manager picker and look-up by
//! address); no client is moved
//! out of the team or made without a manager in it; the import needs the
//! right for everyone; a deleted manager leaves their clients unmanaged.

mod support;

use roster_core::clients::{ClientChanges, ClientQuery, NewClient};
use roster_core::domain::{Grant, Status, UserId};
use roster_core::model::{Client, User};
use roster_core::{Error, Operator};
use support::*;

struct Org {
    lena: User,
    tom: User,
    otto: User,
    lead: Operator,
}

/// Lena (the lead) over Tom; Otto outside. Lena holds the rights on
/// clients for her team only.
async fn org(world: &World) -> Org {
    let team = world
        .lead_over_report(&["clients.view:team", "clients.manage:team"])
        .await;
    let otto = world.user_in("Otto Outside", &[team.staff]).await;
    Org {
        lena: team.lena,
        tom: team.tom,
        otto,
        lead: team.lead,
    }
}

async fn client(world: &World, name: &str, manager: Option<&User>) -> Client {
    world
        .directory
        .create_client(
            &world.admin,
            NewClient {
                name: name.into(),
                email: Some(email_of(name)),
                account_manager: manager.map(|m| m.id),
                ..NewClient::default()
            },
        )
        .await
        .expect("create client")
}

async fn names(world: &World, operator: &Operator, search: Option<&str>) -> Vec<String> {
    let page = world
        .directory
        .list_clients(
            operator,
            &ClientQuery {
                search: search.map(str::to_owned),
                ..ClientQuery::default()
            },
        )
        .await
        .expect("list");
    page.clients.into_iter().map(|c| c.name).collect()
}

every_store!(a_team_lead_reaches_only_their_teams_clients);
async fn a_team_lead_reaches_only_their_teams_clients(backend: Backend) {
    let world = World::on(backend).await;
    let org = org(&world).await;
    let _ours = client(&world, "Acme Ours", Some(&org.lena)).await;
    let toms = client(&world, "Bolt Toms", Some(&org.tom)).await;
    let theirs = client(&world, "Crux Theirs", Some(&org.otto)).await;
    let _nobodys = client(&world, "Dune Nobodys", None).await;
    let lead = &org.lead;

    assert_eq!(names(&world, lead, None).await, ["Acme Ours", "Bolt Toms"]);
    assert!(names(&world, lead, Some("crux")).await.is_empty());
    assert!(names(&world, lead, Some("Dune")).await.is_empty());
    let page = world
        .directory
        .list_clients(lead, &ClientQuery::default())
        .await
        .expect("list");
    assert_eq!(page.total.count, 2);
    // The account manager is shown with the client.
    let shown = world.directory.client(lead, toms.id).await.expect("Bolt");
    assert_eq!(
        shown.account_manager.map(|m| m.email.as_str().to_owned()),
        Some("tom.report@example.com".to_owned())
    );
    let csv = world
        .directory
        .export_clients(lead, &ClientQuery::default())
        .await
        .expect("export");
    assert!(csv.contains("Bolt Toms") && !csv.contains("Crux") && !csv.contains("Dune"));

    // Outside the team, a client is not found, and nothing changes.
    let before = world.snapshot().await;
    let not_found = |result: Result<_, Error>| matches!(result, Err(Error::ClientNotFound { .. }));
    assert!(not_found(world.directory.client(lead, theirs.id).await));
    let edit = ClientChanges {
        version: theirs.version,
        name: Some("Crux Renamed".into()),
        ..ClientChanges::default()
    };
    assert!(not_found(
        world.directory.update_client(lead, theirs.id, edit).await
    ));
    assert!(not_found(
        world
            .directory
            .delete_client(lead, theirs.id, theirs.version)
            .await
            .map(|()| theirs.clone())
    ));
    // No client leaves the team, or comes without a manager in it.
    let away = ClientChanges {
        version: toms.version,
        account_manager: Some(Some(org.otto.id)),
        ..ClientChanges::default()
    };
    let result = world.directory.update_client(lead, toms.id, away).await;
    assert!(
        matches!(result, Err(Error::OutsideTeam { .. })),
        "{result:?}"
    );
    // The form shows the refusal beside the account manager.
    assert_eq!(
        result.err().and_then(|error| error.field()),
        Some("account_manager")
    );
    for manager in [None, Some(org.otto.id)] {
        let new = NewClient {
            name: "Echo New".into(),
            account_manager: manager,
            ..NewClient::default()
        };
        let result = world.directory.create_client(lead, new).await;
        assert!(
            matches!(result, Err(Error::OutsideTeam { .. })),
            "{result:?}"
        );
    }
    // The import, whose clients have no manager, needs the right for everyone.
    let result = world
        .directory
        .import_clients(lead, "name\nFaro Imported\n", false, &mut |_, _| {})
        .await;
    assert!(
        matches!(result, Err(Error::OnlyForTeam { .. })),
        "{result:?}"
    );
    assert_eq!(world.snapshot().await, before);
    let clients_before = names(&world, &world.admin, None).await;
    assert_eq!(clients_before.len(), 4);

    // The picker offers the team only.
    let offered: Vec<UserId> = world
        .directory
        .account_manager_choices(lead, "example")
        .await
        .expect("choices")
        .into_iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(offered, [org.lena.id, org.tom.id]);

    // Within the team, all of it works.
    let moved = ClientChanges {
        version: toms.version,
        account_manager: Some(Some(org.lena.id)),
        ..ClientChanges::default()
    };
    world
        .directory
        .update_client(lead, toms.id, moved)
        .await
        .expect("hand the client to the lead");
    world
        .directory
        .create_client(
            lead,
            NewClient {
                name: "Echo New".into(),
                account_manager: Some(org.tom.id),
                ..NewClient::default()
            },
        )
        .await
        .expect("a client for the team");
}

every_store!(a_client_seen_by_all_but_changed_for_the_team_is_refused_by_name);
async fn a_client_seen_by_all_but_changed_for_the_team_is_refused_by_name(backend: Backend) {
    let world = World::on(backend).await;
    let org = org(&world).await;
    let theirs = client(&world, "Crux Theirs", Some(&org.otto)).await;
    let grants = ["clients.view", "clients.manage:team"]
        .iter()
        .map(|text| Grant::parse(text).expect("a grant"))
        .collect();
    let viewers = world
        .directory
        .create_group(&world.admin, "Client viewers", "", grants)
        .await
        .expect("group");
    let vera = world.user_in("Vera Viewer", &[viewers.id]).await;
    let vera = world
        .directory
        .act_as(vera.email.as_str())
        .await
        .expect("act as Vera");
    // Vera sees Otto's client, so being refused it is no news to her.
    world
        .directory
        .client(&vera, theirs.id)
        .await
        .expect("Vera sees every client");
    let before = world.snapshot().await;
    let edit = ClientChanges {
        version: theirs.version,
        name: Some("Crux Renamed".into()),
        ..ClientChanges::default()
    };
    let result = world.directory.update_client(&vera, theirs.id, edit).await;
    assert!(
        matches!(result, Err(Error::OnlyForTeam { .. })),
        "{result:?}"
    );
    let result = world
        .directory
        .delete_client(&vera, theirs.id, theirs.version)
        .await;
    assert!(
        matches!(result, Err(Error::OnlyForTeam { .. })),
        "{result:?}"
    );
    assert_eq!(world.snapshot().await, before);
}

every_store!(an_account_manager_is_found_by_their_exact_address);
async fn an_account_manager_is_found_by_their_exact_address(backend: Backend) {
    let world = World::on(backend).await;
    let org = org(&world).await;
    let staff = world.group("Pickers", &[]).await;
    // More people whose address holds ann@example.com than the picker
    // shows, all before her by name.
    for n in 0..25_u8 {
        let letter = char::from(b'a' + n);
        world.user_in(&format!("Aa{letter} Ann"), &[staff.id]).await;
    }
    let new = |name: &str, email: &str, status| roster_core::directory::NewUser {
        email: email.into(),
        status,
        ..new_user(name, &[staff.id])
    };
    let ann = world
        .directory
        .create_user(
            &world.admin,
            new("Zed Target", "ann@example.com", Status::Enabled),
        )
        .await
        .expect("Ann")
        .user;
    world
        .directory
        .create_user(
            &world.admin,
            new("Zoe Gone", "gone@example.com", Status::Disabled),
        )
        .await
        .expect("a disabled user");
    let choices = world
        .directory
        .account_manager_choices(&world.admin, "ann@example.com")
        .await
        .expect("choices");
    assert!(
        choices.iter().all(|u| u.id != ann.id),
        "the picker's 20 miss her"
    );
    let found = world
        .directory
        .account_manager_by_email(&world.admin, " ANN@Example.com ")
        .await
        .expect("found by address");
    assert_eq!(found.id, ann.id);
    // Nobody the picker would not offer: a disabled user, a stranger, and
    // for a team lead, anyone outside the team.
    let not_offered = |result: roster_core::Result<roster_core::model::UserRef>| {
        matches!(result, Err(Error::UserNotFound { .. }))
    };
    for email in ["gone@example.com", "nobody@example.com"] {
        let result = world
            .directory
            .account_manager_by_email(&world.admin, email)
            .await;
        assert!(not_offered(result), "{email}");
    }
    let lead = |email: String| {
        let directory = &world.directory;
        let lead = org.lead;
        async move { directory.account_manager_by_email(&lead, &email).await }
    };
    assert_eq!(
        lead(org.tom.email.as_str().to_owned())
            .await
            .expect("Tom")
            .id,
        org.tom.id
    );
    assert!(not_offered(lead(org.otto.email.as_str().to_owned()).await));
    assert!(not_offered(lead(ann.email.as_str().to_owned()).await));
}

every_store!(the_audit_names_a_clients_account_manager_by_address);
async fn the_audit_names_a_clients_account_manager_by_address(backend: Backend) {
    let world = World::on(backend).await;
    let org = org(&world).await;
    let acme = client(&world, "Acme Ltd", Some(&org.tom)).await;
    let moved = ClientChanges {
        version: acme.version,
        account_manager: Some(Some(org.lena.id)),
        ..ClientChanges::default()
    };
    world
        .directory
        .update_client(&world.admin, acme.id, moved)
        .await
        .expect("a new manager");
    let events = world.audit(Some("Acme Ltd")).await;
    let manager = |action: &str| {
        events
            .iter()
            .find(|e| e.action == action)
            .and_then(|e| e.changes.iter().find(|c| c.field == "account_manager"))
            .map(|c| (c.before.clone(), c.after.clone()))
    };
    let tom = serde_json::json!(org.tom.email.as_str());
    let lena = serde_json::json!(org.lena.email.as_str());
    assert_eq!(
        manager("client.create"),
        Some((serde_json::Value::Null, tom.clone()))
    );
    assert_eq!(manager("client.update"), Some((tom, lena)));
}

every_store!(a_deleted_manager_leaves_their_clients_unmanaged);
async fn a_deleted_manager_leaves_their_clients_unmanaged(backend: Backend) {
    let world = World::on(backend).await;
    let org = org(&world).await;
    let theirs = client(&world, "Crux Theirs", Some(&org.otto)).await;
    let otto = world.reload(&org.otto).await;
    world
        .directory
        .delete_user(&world.admin, otto.id, otto.version)
        .await
        .expect("delete Otto");
    let after = world
        .directory
        .client(&world.admin, theirs.id)
        .await
        .expect("the client stays");
    assert!(after.account_manager.is_none());
    // A manager who is not a user is refused.
    let new = NewClient {
        name: "Gone Managed".into(),
        account_manager: Some(otto.id),
        ..NewClient::default()
    };
    let result = world.directory.create_client(&world.admin, new).await;
    assert!(
        matches!(result, Err(Error::UserNotFound { .. })),
        "{result:?}"
    );
}
