//! The audit page's view on both stores: filters by operator, person,
//! target kind, action group, time and search; keyset paging; bad input
//! refused with a sentence; masked operators never find a client by its
//! real name; exports write exactly the view.

mod support;

use chrono::{Duration, Utc};
use roster_core::audit::export::ExportFormat;
use roster_core::audit::{ActionGroup, AuditFilter, AuditTarget};
use roster_core::clients::NewClient;
use roster_core::directory::UserChanges;
use roster_core::domain::Permission;
use roster_core::model::AuditEvent;
use roster_core::{Error, Operator};
use support::*;

async fn page(world: &World, operator: &Operator, filter: &AuditFilter) -> Vec<AuditEvent> {
    let mut events = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = world
            .directory
            .audit_page(operator, filter, after.as_deref(), 2)
            .await
            .expect("page");
        events.extend(page.events);
        match page.next {
            Some(next) => after = Some(next),
            None => return events,
        }
    }
}

/// Ann is made administrator by Ada; Bob edits a group; a client exists.
async fn story(world: &World) -> (roster_core::model::User, Operator) {
    let staff = world
        .group("Staff", &[Permission::GroupsManage, Permission::UsersView])
        .await;
    let ann = world.user_in("Ann Lee", &[staff.id]).await;
    let (_, bob) = world
        .operator_with(
            "Bob Stone",
            &[Permission::GroupsManage, Permission::UsersView],
        )
        .await;
    world
        .directory
        .create_group(&bob, "Bob's 100%_team", "", Default::default())
        .await
        .expect("bob creates a group");
    world
        .directory
        .update_user(
            &world.admin,
            ann.id,
            UserChanges {
                version: ann.version,
                groups: Some(vec![staff.id, roster_core::store::ADMINISTRATORS]),
                ..UserChanges::default()
            },
        )
        .await
        .expect("ann becomes an administrator");
    world
        .directory
        .create_client(
            &world.admin,
            NewClient {
                name: "Annabel Client".into(),
                email: Some("annabel@client.example".into()),
                phone: None,
                country: None,
            },
        )
        .await
        .expect("client");
    (ann, bob)
}

every_store!(filters_select_what_they_name);
async fn filters_select_what_they_name(backend: Backend) {
    let world = World::on(backend).await;
    let (ann, bob) = story(&world).await;
    let all = page(&world, &world.admin, &AuditFilter::default()).await;
    assert!(all.len() >= 8, "{all:?}");
    assert!(
        all.windows(2)
            .all(|w| (w[0].at, w[0].id) > (w[1].at, w[1].id)),
        "newest first, no repeats"
    );

    let rights = page(
        &world,
        &world.admin,
        &AuditFilter {
            action: Some(ActionGroup::Rights),
            search: Some("ann".into()),
            ..AuditFilter::default()
        },
    )
    .await;
    assert_eq!(rights.len(), 1, "{rights:?}");
    assert_eq!(rights[0].action, "user.update");
    assert_eq!(rights[0].target_id, Some(ann.id.0));

    let by_bob = page(
        &world,
        &world.admin,
        &AuditFilter {
            operator: Some(bob.id()),
            ..AuditFilter::default()
        },
    )
    .await;
    assert_eq!(by_bob.len(), 1);
    assert_eq!(by_bob[0].action, "group.create");

    let clients = page(
        &world,
        &world.admin,
        &AuditFilter {
            target: Some(AuditTarget::Client),
            ..AuditFilter::default()
        },
    )
    .await;
    assert_eq!(clients.len(), 1);

    let trail = page(
        &world,
        &world.admin,
        &AuditFilter {
            person: Some(ann.id),
            ..AuditFilter::default()
        },
    )
    .await;
    assert!(trail
        .iter()
        .all(|e| e.target_id == Some(ann.id.0) || e.operator == Some(ann.id)));
    assert_eq!(trail.len(), 2, "created and changed: {trail:?}");

    let now = Utc::now();
    let recent = page(
        &world,
        &world.admin,
        &AuditFilter {
            from: Some(now - Duration::days(30)),
            to: Some(now + Duration::minutes(1)),
            ..AuditFilter::default()
        },
    )
    .await;
    assert_eq!(recent.len(), all.len());
    let future = page(
        &world,
        &world.admin,
        &AuditFilter {
            from: Some(now + Duration::days(1)),
            ..AuditFilter::default()
        },
    )
    .await;
    assert!(future.is_empty());
}

every_store!(like_metacharacters_in_a_search_match_only_themselves);
async fn like_metacharacters_in_a_search_match_only_themselves(backend: Backend) {
    let world = World::on(backend).await;
    story(&world).await;
    let search = |text: &str| AuditFilter {
        search: Some(text.into()),
        ..AuditFilter::default()
    };
    for wildcard in [
        "%",
        "_",
        "%ann",
        "_nn",
        "\\",
        "'; DROP TABLE audit_events; --",
    ] {
        let found = page(&world, &world.admin, &search(wildcard)).await;
        assert!(found.is_empty(), "{wildcard:?} matched {found:?}");
    }
    let found = page(&world, &world.admin, &search("bob's 100%_")).await;
    assert_eq!(found.len(), 1, "{found:?}");
    let found = page(&world, &world.admin, &search("BOB.STONE@")).await;
    assert!(!found.is_empty(), "operator search ignores case");
}

every_store!(bad_filters_are_refused_with_a_sentence);
async fn bad_filters_are_refused_with_a_sentence(backend: Backend) {
    let world = World::on(backend).await;
    let now = Utc::now();
    let inverted = AuditFilter {
        from: Some(now),
        to: Some(now - Duration::days(7)),
        ..AuditFilter::default()
    };
    let error = world
        .directory
        .audit_page(&world.admin, &inverted, None, 50)
        .await
        .expect_err("inverted");
    assert!(
        error.to_string().contains("ends before it starts"),
        "{error}"
    );
    let error = world
        .directory
        .audit_page(
            &world.admin,
            &AuditFilter::default(),
            Some("not-a-cursor"),
            50,
        )
        .await
        .expect_err("cursor");
    assert!(matches!(error, Error::InvalidCursor));
    assert!("everything".parse::<ActionGroup>().is_err());
}

every_store!(a_masked_operator_never_finds_a_client_by_its_real_name);
async fn a_masked_operator_never_finds_a_client_by_its_real_name(backend: Backend) {
    let world = World::on(backend).await;
    story(&world).await;
    let (_, masked) = world.masked_operator(&[Permission::AuditView]).await;
    let all = page(&world, &masked, &AuditFilter::default()).await;
    let client = all
        .iter()
        .find(|e| e.action == "client.create")
        .expect("the client event, masked");
    assert!(!client.target_label.contains("Annabel"), "{client:?}");
    for term in ["annabel", "Annabel Client", "annabel@client.example"] {
        for target in [None, Some(AuditTarget::Client)] {
            let found = page(
                &world,
                &masked,
                &AuditFilter {
                    search: Some(term.into()),
                    target,
                    ..AuditFilter::default()
                },
            )
            .await;
            assert!(
                found.iter().all(|e| e.target_kind.as_str() != "client"),
                "{term}: {found:?}"
            );
        }
    }
    // The export is masked the same way.
    let file = tempfile::NamedTempFile::new().expect("file");
    world
        .directory
        .export_audit(
            &masked,
            &AuditFilter::default(),
            ExportFormat::Csv,
            file.reopen().expect("reopen"),
        )
        .await
        .expect("export");
    let text = std::fs::read_to_string(file.path()).expect("read");
    assert!(!text.contains("Annabel"), "{text}");
}

every_store!(an_export_writes_exactly_the_view);
async fn an_export_writes_exactly_the_view(backend: Backend) {
    let world = World::on(backend).await;
    story(&world).await;
    let filter = AuditFilter {
        action: Some(ActionGroup::Rights),
        ..AuditFilter::default()
    };
    let view = page(&world, &world.admin, &filter).await;
    let file = tempfile::NamedTempFile::new().expect("file");
    let count = world
        .directory
        .export_audit(
            &world.admin,
            &filter,
            ExportFormat::Csv,
            file.reopen().expect("reopen"),
        )
        .await
        .expect("export");
    assert_eq!(count, view.len() as u64);
    let mut reader = csv::Reader::from_path(file.path()).expect("csv");
    let ids: Vec<String> = reader
        .records()
        .map(|r| r.expect("record")[0].to_owned())
        .collect();
    let expected: Vec<String> = view.iter().map(|e| e.id.to_string()).collect();
    assert_eq!(ids, expected);

    let xlsx = tempfile::NamedTempFile::new().expect("file");
    let count = world
        .directory
        .export_audit(
            &world.admin,
            &filter,
            ExportFormat::Xlsx,
            xlsx.reopen().expect("reopen"),
        )
        .await
        .expect("export");
    assert_eq!(count, view.len() as u64);
    let bytes = std::fs::read(xlsx.path()).expect("read");
    assert!(bytes.starts_with(b"PK"));
}

every_store!(a_persons_trail_pages_in_order_through_what_they_did_and_what_was_done_to_them);
async fn a_persons_trail_pages_in_order_through_what_they_did_and_what_was_done_to_them(
    backend: Backend,
) {
    let world = World::on(backend).await;
    let (bob_user, bob) = world
        .operator_with(
            "Bob Stone",
            &[
                Permission::GroupsManage,
                Permission::UsersView,
                Permission::UsersEdit,
            ],
        )
        .await;
    for round in 0..3 {
        world
            .directory
            .create_group(&bob, &format!("Bob's team {round}"), "", Default::default())
            .await
            .expect("bob creates a group");
        rename(&world, &bob_user, world.admin, "Robert Stone").await;
        world.group(&format!("Someone else's {round}"), &[]).await;
        // Bob renames himself: an event both by him and about him, once.
        let name = if round % 2 == 0 {
            "Bob Stone"
        } else {
            "Bobby Stone"
        };
        rename(&world, &bob_user, bob, name).await;
    }
    let mut expected: Vec<AuditEvent> = world
        .audit(None)
        .await
        .into_iter()
        .filter(|e| {
            e.operator == Some(bob_user.id)
                || (e.target_kind.as_str() == "user" && e.target_id == Some(bob_user.id.0))
        })
        .collect();
    expected.sort_by_key(|e| std::cmp::Reverse((e.at, e.id)));
    let trail = page(
        &world,
        &world.admin,
        &AuditFilter {
            person: Some(bob_user.id),
            ..AuditFilter::default()
        },
    )
    .await;
    let ids = |events: &[AuditEvent]| events.iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(ids(&trail), ids(&expected));
    assert_eq!(
        trail.len(),
        10,
        "created, 3 groups, 3 renames by the admin, 3 by Bob"
    );
}

async fn rename(world: &World, user: &roster_core::model::User, operator: Operator, name: &str) {
    let current = world.reload(user).await;
    world
        .directory
        .update_user(
            &operator,
            current.id,
            UserChanges {
                version: current.version,
                name: Some(name.into()),
                ..UserChanges::default()
            },
        )
        .await
        .expect("rename");
}
