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
                account_manager: None,
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

every_store!(a_search_pages_alike_for_a_frequent_name_and_a_rare_one);
/// On SQLite a search is planned per query (a frequent name walks the log,
/// a rare one reads the label indexes first): both give the pages the
/// plain view gives, newest first, for every operator and time range.
async fn a_search_pages_alike_for_a_frequent_name_and_a_rare_one(backend: Backend) {
    let world = World::on(backend).await;
    // Every seeded event's operator is "operatorN@example.com": "operator"
    // matches 30,000 events, "operator77@" about a hundred.
    roster_core::bench::seed_audit(world.directory.store().as_ref(), 30_000, 30_000, |_| {})
        .await
        .expect("seed");
    let (_, masked) = world.masked_operator(&[Permission::AuditView]).await;
    let mut every: Vec<AuditEvent> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = world
            .directory
            .audit_page(&world.admin, &AuditFilter::default(), after.as_deref(), 500)
            .await
            .expect("page");
        every.extend(page.events);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let since = Utc::now() - Duration::days(30);
    for term in ["operator", "operator77@", "OLGA", "no such name"] {
        for from in [None, Some(since)] {
            for (operator, masked_view) in [(&world.admin, false), (&masked, true)] {
                let filter = AuditFilter {
                    search: Some(term.into()),
                    from,
                    ..AuditFilter::default()
                };
                let expected: Vec<i64> = every
                    .iter()
                    .filter(|e| {
                        let term = term.to_lowercase();
                        (e.target_label.to_lowercase().starts_with(&term)
                            || e.operator_label.to_lowercase().starts_with(&term))
                            && from.is_none_or(|from| e.at >= from)
                            && !(masked_view && e.target_kind.as_str() == "client")
                    })
                    .take(150)
                    .map(|e| e.id)
                    .collect();
                let mut found = Vec::new();
                let mut after: Option<String> = None;
                while found.len() < 150 {
                    let page = world
                        .directory
                        .audit_page(operator, &filter, after.as_deref(), 50)
                        .await
                        .expect("search page");
                    found.extend(page.events.iter().map(|e| e.id));
                    match page.next {
                        Some(next) => after = Some(next),
                        None => break,
                    }
                }
                assert_eq!(
                    found, expected,
                    "{term}, from {from:?}, masked {masked_view}"
                );
            }
        }
    }
}

every_store!(a_frequent_name_found_only_in_old_events_is_still_found);
/// A name with many matches, all older than the newest events: on SQLite
/// the walk through the newest events finds none of them and the search
/// reads the label indexes instead; a time range that ends the walk early
/// is the whole view.
async fn a_frequent_name_found_only_in_old_events_is_still_found(backend: Backend) {
    use roster_core::model::{NewAuditEvent, TargetKind};
    use roster_core::store::TxMode;
    let world = World::on(backend).await;
    let start = Utc::now() - Duration::days(20);
    let event = |n: i64, label: String| NewAuditEvent {
        at: start + Duration::minutes(n),
        operator: None,
        operator_label: "system".into(),
        action: "user.update",
        target_kind: TargetKind::User,
        target_id: Some(n),
        target_label: label,
        changes: Vec::new(),
    };
    let mut events: Vec<NewAuditEvent> = (0..2_100)
        .map(|n| event(n, format!("zed.old{n}@example.com")))
        .collect();
    events.extend((2_100..8_200).map(|n| event(n, format!("amy.new{n}@example.com"))));
    let mut tx = world
        .directory
        .store()
        .begin(TxMode::Write)
        .await
        .expect("begin");
    tx.append_audits(&events).await.expect("append");
    tx.commit().await.expect("commit");
    let search = |term: &str, from: Option<chrono::DateTime<Utc>>| AuditFilter {
        search: Some(term.into()),
        from,
        ..AuditFilter::default()
    };
    let labels = |events: &[AuditEvent]| {
        events
            .iter()
            .map(|e| e.target_label.clone())
            .collect::<Vec<_>>()
    };
    let zed = page_of(&world, &search("zed", None)).await;
    let newest_zed: Vec<String> = (2_050..2_100)
        .rev()
        .map(|n| format!("zed.old{n}@example.com"))
        .collect();
    assert_eq!(labels(&zed), newest_zed);
    // A range holding only newer events: nothing, whether the walk ends
    // at the range's end (the newest 100) or not (the newest 6,000).
    let last_hundred = start + Duration::minutes(8_100);
    assert!(page_of(&world, &search("zed", Some(last_hundred)))
        .await
        .is_empty());
    let after_zed = start + Duration::minutes(2_100);
    assert!(page_of(&world, &search("zed", Some(after_zed)))
        .await
        .is_empty());
    // A range holding the newest ten "zed" events and every "amy" event.
    let ten_zed = start + Duration::minutes(2_090);
    assert_eq!(
        labels(&page_of(&world, &search("zed", Some(ten_zed))).await),
        newest_zed[..10].to_vec()
    );
    let amy = page_of(&world, &search("amy", Some(last_hundred))).await;
    assert_eq!(amy.len(), 50);
    assert_eq!(amy[0].target_label, "amy.new8199@example.com");
}

/// The first page (50 events) of the view `filter` selects, for the
/// world's administrator.
async fn page_of(world: &World, filter: &AuditFilter) -> Vec<AuditEvent> {
    world
        .directory
        .audit_page(&world.admin, filter, None, 50)
        .await
        .expect("page")
        .events
}
