//! Clients: create, edit, delete, the overview (search, sort, paging),
//! CSV import and export, and masking for operators with `mask_client_data`.

mod support;

use roster_core::clients::{ClientChanges, ClientQuery, ClientSort, Direction, NewClient};
use roster_core::directory::UserChanges;
use roster_core::domain::{ClientId, Permission};
use roster_core::model::{AuditQuery, Client, TargetKind};
use roster_core::store::{statement_log, Total};
use roster_core::{Error, Operator};
use support::*;

fn new_client(
    name: &str,
    email: Option<&str>,
    phone: Option<&str>,
    country: Option<&str>,
) -> NewClient {
    NewClient {
        name: name.into(),
        email: email.map(Into::into),
        phone: phone.map(Into::into),
        country: country.map(Into::into),
        account_manager: None,
    }
}

async fn create(world: &World, name: &str, email: Option<&str>, phone: Option<&str>) -> Client {
    world
        .directory
        .create_client(&world.admin, new_client(name, email, phone, None))
        .await
        .expect("create client")
}

fn no_limit() -> ClientQuery {
    ClientQuery {
        limit: 500,
        ..ClientQuery::default()
    }
}

async fn names(world: &World, operator: &Operator, query: &ClientQuery) -> Vec<String> {
    world
        .directory
        .list_clients(operator, query)
        .await
        .expect("list")
        .clients
        .into_iter()
        .map(|c| c.name)
        .collect()
}

const ALL_CLIENT_RIGHTS: &[Permission] = &[
    Permission::ClientsView,
    Permission::ClientsManage,
    Permission::AuditView,
    Permission::UsersView,
    Permission::UsersEdit,
];

every_store!(a_client_is_created_edited_and_deleted);
async fn a_client_is_created_edited_and_deleted(backend: Backend) {
    let world = World::on(backend).await;
    let created = world
        .directory
        .create_client(
            &world.admin,
            new_client(
                " Zoë Lee ",
                Some("Zoe.Lee@Example.com"),
                Some("020 7946 0958"),
                Some("gb"),
            ),
        )
        .await
        .unwrap();
    assert_eq!(created.name, "Zoë Lee");
    assert_eq!(created.email.as_deref(), Some("Zoe.Lee@Example.com"));
    assert_eq!(created.phone.as_deref(), Some("+44 20 7946 0958"));
    assert_eq!(created.country.as_deref(), Some("GB"));
    assert!(!created.masked);
    assert_eq!(
        world
            .directory
            .client(&world.admin, created.id)
            .await
            .unwrap(),
        created
    );

    let edited = world
        .directory
        .update_client(
            &world.admin,
            created.id,
            ClientChanges {
                version: created.version,
                name: Some("Zoë Lee-Park".into()),
                email: Some(None),
                phone: Some(Some("+1 202 555 0123".into())),
                country: Some(Some("US".into())),
                account_manager: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(edited.name, "Zoë Lee-Park");
    assert_eq!(edited.email, None);
    assert_eq!(edited.phone.as_deref(), Some("+1 202-555-0123"));
    assert_eq!(edited.version, created.version + 1);

    let audit = world
        .directory
        .audit_events(
            &world.admin,
            &AuditQuery {
                target_kind: Some(TargetKind::Client),
                target_id: Some(created.id.0),
                ..AuditQuery::default()
            },
        )
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["client.update", "client.create"]);
    let email_change = audit[0]
        .changes
        .iter()
        .find(|c| c.field == "email")
        .unwrap();
    assert_eq!(email_change.before, "Zoe.Lee@Example.com");
    assert!(email_change.after.is_null());

    world
        .directory
        .delete_client(&world.admin, edited.id, edited.version)
        .await
        .unwrap();
    assert!(matches!(
        world.directory.client(&world.admin, edited.id).await,
        Err(Error::ClientNotFound { .. })
    ));
    assert!(world
        .audit(None)
        .await
        .iter()
        .any(|e| e.action == "client.delete"));
}

every_store!(a_stale_version_is_refused_and_changes_nothing);
async fn a_stale_version_is_refused_and_changes_nothing(backend: Backend) {
    let world = World::on(backend).await;
    let client = create(&world, "Sam Stale", None, None).await;
    let first = world
        .directory
        .update_client(
            &world.admin,
            client.id,
            ClientChanges {
                version: client.version,
                name: Some("Sam Fresh".into()),
                ..ClientChanges::default()
            },
        )
        .await
        .unwrap();
    let stale = world
        .directory
        .update_client(
            &world.admin,
            client.id,
            ClientChanges {
                version: client.version,
                name: Some("Sam Overwritten".into()),
                ..ClientChanges::default()
            },
        )
        .await;
    assert!(
        matches!(stale, Err(Error::ChangedBySomeoneElse)),
        "{stale:?}"
    );
    let deleted = world
        .directory
        .delete_client(&world.admin, client.id, client.version)
        .await;
    assert!(
        matches!(deleted, Err(Error::ChangedBySomeoneElse)),
        "{deleted:?}"
    );
    assert_eq!(
        world
            .directory
            .client(&world.admin, client.id)
            .await
            .unwrap(),
        first
    );
}

every_store!(bad_input_is_refused_beside_its_field);
async fn bad_input_is_refused_beside_its_field(backend: Backend) {
    let world = World::on(backend).await;
    for (new, field) in [
        (new_client("", None, None, None), "name"),
        (new_client("Ann", Some("ann@"), None, None), "email"),
        (
            new_client("Ann", None, Some("020 7946 0958"), None),
            "phone",
        ),
        (new_client("Ann", None, Some("+44 12"), None), "phone"),
        (new_client("Ann", None, None, Some("XX")), "country"),
    ] {
        let refused = world
            .directory
            .create_client(&world.admin, new)
            .await
            .unwrap_err();
        assert_eq!(refused.field(), Some(field), "{refused:?}");
    }
    assert!(world
        .directory
        .list_clients(&world.admin, &no_limit())
        .await
        .unwrap()
        .clients
        .is_empty());
}

every_store!(the_overview_sorts_pages_and_counts);
async fn the_overview_sorts_pages_and_counts(backend: Backend) {
    let world = World::on(backend).await;
    for name in ["Cleo", "alma", "Bea", "Dora", "Eve", "Fay", "Gus"] {
        create(&world, name, None, None).await;
    }
    let mut query = ClientQuery {
        limit: 3,
        ..ClientQuery::default()
    };
    let mut seen = Vec::new();
    loop {
        let page = world
            .directory
            .list_clients(&world.admin, &query)
            .await
            .unwrap();
        assert_eq!(page.total.count, 7);
        assert!(page.total.exact);
        seen.extend(page.clients.into_iter().map(|c| c.name));
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, ["alma", "Bea", "Cleo", "Dora", "Eve", "Fay", "Gus"]);

    let newest_first = ClientQuery {
        sort: ClientSort::Created,
        direction: Direction::Desc,
        limit: 2,
        ..ClientQuery::default()
    };
    let page = world
        .directory
        .list_clients(&world.admin, &newest_first)
        .await
        .unwrap();
    assert_eq!(
        page.clients
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["Gus", "Fay"]
    );
    let second = ClientQuery {
        after: page.next.clone(),
        ..newest_first.clone()
    };
    assert_eq!(names(&world, &world.admin, &second).await, ["Eve", "Dora"]);

    // A token of another sort, or no token at all, is refused.
    for after in [page.next.clone().unwrap(), "zz".to_owned()] {
        let wrong = ClientQuery {
            after: Some(after),
            ..ClientQuery::default()
        };
        let refused = world.directory.list_clients(&world.admin, &wrong).await;
        assert!(matches!(refused, Err(Error::InvalidCursor)), "{refused:?}");
    }
}

every_store!(search_matches_name_email_and_phone_digits);
async fn search_matches_name_email_and_phone_digits(backend: Backend) {
    let world = World::on(backend).await;
    create(
        &world,
        "Ann Lee",
        Some("ann@example.com"),
        Some("+44 20 7946 0958"),
    )
    .await;
    create(
        &world,
        "Bob Stone",
        Some("bob@shop.org"),
        Some("+1 202 555 0123"),
    )
    .await;
    create(&world, "Carla Annan", None, None).await;
    let search = |text: &str| ClientQuery {
        search: Some(text.into()),
        ..no_limit()
    };
    for (text, expected) in [
        ("lee", vec!["Ann Lee"]),
        ("ANN", vec!["Ann Lee", "Carla Annan"]),
        ("shop.o", vec!["Bob Stone"]),
        ("7946", vec!["Ann Lee"]),
        ("20 7946 0958", vec!["Ann Lee"]),
        ("(202) 555-01", vec!["Bob Stone"]),
        ("b", vec!["Bob Stone"]),
        ("ca", vec!["Carla Annan"]),
        ("44", vec!["Ann Lee"]),
        ("nobody", vec![]),
    ] {
        assert_eq!(
            names(&world, &world.admin, &search(text)).await,
            expected,
            "{text}"
        );
    }
    let page = world
        .directory
        .list_clients(&world.admin, &search("ann"))
        .await
        .unwrap();
    assert_eq!(page.total.count, 2);
}

every_store!(client_rights_are_checked);
async fn client_rights_are_checked(backend: Backend) {
    let world = World::on(backend).await;
    let client = create(&world, "Rita Right", None, None).await;
    let (_, viewer) = world
        .operator_with("Vic Viewer", &[Permission::ClientsView])
        .await;
    let (_, nobody) = world
        .operator_with("Ned Nobody", &[Permission::UsersView])
        .await;
    assert!(world.directory.client(&viewer, client.id).await.is_ok());
    let refused = world
        .directory
        .create_client(&viewer, new_client("X", None, None, None))
        .await;
    assert!(matches!(
        refused,
        Err(Error::PermissionDenied {
            permission: Permission::ClientsManage
        })
    ));
    let refused = world.directory.list_clients(&nobody, &no_limit()).await;
    assert!(matches!(
        refused,
        Err(Error::PermissionDenied {
            permission: Permission::ClientsView
        })
    ));
    let refused = world.directory.client(&nobody, ClientId(client.id.0)).await;
    assert!(refused.unwrap_err().is_permission_error());
}

const REAL_NAME: &str = "Marguerite Okonkwo";
const REAL_EMAIL: &str = "marguerite.okonkwo@lindqvist.example.com";
const REAL_PHONE: &str = "+44 20 7946 0958";

/// The strings that must never reach a masked operator.
fn secrets() -> Vec<&'static str> {
    vec![
        REAL_NAME,
        "Marguerite",
        "Okonkwo",
        "okonkwo",
        REAL_EMAIL,
        "marguerite.okonkwo",
        "lindqvist",
        REAL_PHONE,
        "+442079460958",
        "2079460958",
        "7946",
    ]
}

fn assert_reveals_nothing(what: &str, json: &str) {
    for secret in secrets() {
        assert!(!json.contains(secret), "{what} reveals {secret:?}: {json}");
    }
}

every_store!(a_masked_operator_sees_no_client_personal_data_anywhere);
async fn a_masked_operator_sees_no_client_personal_data_anywhere(backend: Backend) {
    let world = World::on(backend).await;
    let client = create(
        &world,
        "Marguerite Okonkwo",
        Some(REAL_EMAIL),
        Some(REAL_PHONE),
    )
    .await;
    world
        .directory
        .update_client(
            &world.admin,
            client.id,
            ClientChanges {
                version: client.version,
                name: Some("Marguerite Okonkwo".into()),
                email: Some(Some("okonkwo@lindqvist.example.com".into())),
                phone: Some(Some("+44 20 7946 0000".into())),
                ..ClientChanges::default()
            },
        )
        .await
        .unwrap();
    let client = world
        .directory
        .client(&world.admin, client.id)
        .await
        .unwrap();
    world
        .directory
        .update_client(
            &world.admin,
            client.id,
            ClientChanges {
                version: client.version,
                email: Some(Some(REAL_EMAIL.into())),
                phone: Some(Some(REAL_PHONE.into())),
                ..ClientChanges::default()
            },
        )
        .await
        .unwrap();
    let (masked_user, masked) = world.masked_operator(ALL_CLIENT_RIGHTS).await;
    let dir = &world.directory;
    let json = |value: &dyn erased::Json| value.json();

    let page = dir.list_clients(&masked, &no_limit()).await.unwrap();
    assert_eq!(page.clients.len(), 1);
    assert!(page.clients[0].masked);
    assert_eq!(page.clients[0].name, "M********* O******");
    assert_eq!(
        page.clients[0].email.as_deref(),
        Some("m*****************@l****************.com")
    );
    assert_eq!(page.clients[0].phone.as_deref(), Some("+44 ******958"));
    assert_reveals_nothing("the overview", &json(&page));

    // Searching by a whole real value finds the client, masked; a part of
    // one finds nothing.
    for text in [
        REAL_NAME,
        REAL_EMAIL,
        REAL_PHONE,
        "+442079460958",
        "marguerite   OKONKWO",
    ] {
        let query = ClientQuery {
            search: Some(text.into()),
            ..no_limit()
        };
        let found = dir.list_clients(&masked, &query).await.unwrap();
        assert_eq!(found.clients.len(), 1, "{text}");
        assert!(found.clients[0].masked);
        assert_reveals_nothing(&format!("a search for {text:?}"), &json(&found));
    }
    for text in [
        "Marguerite",
        "okonkwo@",
        "lindqvist",
        "20 7946 0958",
        "2079460958",
        "ma",
    ] {
        let query = ClientQuery {
            search: Some(text.into()),
            ..no_limit()
        };
        let found = dir.list_clients(&masked, &query).await.unwrap();
        assert!(found.clients.is_empty(), "{text}");
    }
    assert_reveals_nothing(
        "the client",
        &json(&dir.client(&masked, client.id).await.unwrap()),
    );
    let export = dir
        .export_clients(&masked, &ClientQuery::default())
        .await
        .unwrap();
    assert!(export.contains("M********* O******"), "{export}");
    assert_reveals_nothing("the export", &export);
    let all = dir
        .audit_events(&masked, &AuditQuery::default())
        .await
        .unwrap();
    assert!(
        all.iter()
            .filter(|e| e.target_kind == TargetKind::Client)
            .count()
            >= 3
    );
    assert_reveals_nothing("the audit log", &json(&all));
    let about = dir
        .audit_events(
            &masked,
            &AuditQuery {
                target_kind: Some(TargetKind::Client),
                target_id: Some(client.id.0),
                ..AuditQuery::default()
            },
        )
        .await
        .unwrap();
    assert!(!about.is_empty());
    assert_reveals_nothing("the client's history", &json(&about));
    let own = dir.user_audit(&masked, masked_user.id, 100).await.unwrap();
    assert_reveals_nothing("a user's history", &json(&own));

    // The administrator, unmasked, sees the real values.
    let admin_view = dir.client(&world.admin, client.id).await.unwrap();
    assert_eq!(admin_view.name, REAL_NAME);
    assert!(!admin_view.masked);
    assert!(json(&world.audit(None).await).contains(REAL_EMAIL));
}

/// Serialising whatever a service returned, the way the desktop will.
mod erased {
    pub trait Json {
        fn json(&self) -> String;
    }

    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).expect("serialise")
        }
    }
}

every_store!(a_masked_operator_cannot_enter_or_change_client_personal_data);
async fn a_masked_operator_cannot_enter_or_change_client_personal_data(backend: Backend) {
    let world = World::on(backend).await;
    let client = create(&world, "Pia Private", Some("pia@example.com"), None).await;
    let (_, masked) = world.masked_operator(ALL_CLIENT_RIGHTS).await;
    let dir = &world.directory;
    let refused = dir
        .create_client(&masked, new_client("New One", None, None, None))
        .await;
    assert!(
        matches!(refused, Err(Error::ClientDataMasked)),
        "{refused:?}"
    );
    assert_eq!(refused.unwrap_err().code(), "client_data_masked");
    for dry_run in [true, false] {
        let refused = dir
            .import_clients(&masked, "name\nNew One\n", dry_run, &mut |_, _| {})
            .await;
        assert!(
            matches!(refused, Err(Error::ClientDataMasked)),
            "{refused:?}"
        );
    }
    for changes in [
        ClientChanges {
            name: Some("P*** P******".into()),
            ..ClientChanges::default()
        },
        ClientChanges {
            email: Some(None),
            ..ClientChanges::default()
        },
        ClientChanges {
            phone: Some(Some("+44 20 7946 0958".into())),
            ..ClientChanges::default()
        },
    ] {
        let changes = ClientChanges {
            version: client.version,
            ..changes
        };
        let refused = dir.update_client(&masked, client.id, changes).await;
        assert!(
            matches!(refused, Err(Error::ClientDataMasked)),
            "{refused:?}"
        );
    }
    assert_eq!(dir.client(&world.admin, client.id).await.unwrap(), client);

    // The country is not personal data, and deleting enters nothing.
    let moved = dir
        .update_client(
            &masked,
            client.id,
            ClientChanges {
                version: client.version,
                country: Some(Some("de".into())),
                ..ClientChanges::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(moved.country.as_deref(), Some("DE"));
    assert!(moved.masked);
    let real = dir.client(&world.admin, client.id).await.unwrap();
    assert_eq!(real.name, "Pia Private");
    assert_eq!(real.email.as_deref(), Some("pia@example.com"));
    dir.delete_client(&masked, moved.id, moved.version)
        .await
        .unwrap();
}

every_store!(a_masked_operator_cannot_turn_their_own_masking_off);
async fn a_masked_operator_cannot_turn_their_own_masking_off(backend: Backend) {
    let world = World::on(backend).await;
    let (user, masked) = world.masked_operator(ALL_CLIENT_RIGHTS).await;
    let refused = world
        .directory
        .update_user(
            &masked,
            user.id,
            UserChanges {
                version: user.version,
                mask_client_data: Some(false),
                ..UserChanges::default()
            },
        )
        .await;
    assert!(
        matches!(refused, Err(Error::CannotGrant { .. })),
        "{refused:?}"
    );
    assert!(world.reload(&user).await.mask_client_data);
}

every_store!(a_dry_run_reports_each_bad_row_by_line_and_writes_nothing);
async fn a_dry_run_reports_each_bad_row_by_line_and_writes_nothing(backend: Backend) {
    let world = World::on(backend).await;
    let csv = "Name,EMAIL,Phone,country\n\
               Ann Lee,ann@example.com,+44 20 7946 0958,GB\n\
               ,nobody@example.com,,\n\
               Bob Stone,bob@,020 7946 0958,GB\n\
               Cy Cole,,020 7946 0958,\n\
               \"Dee, Jr.\",dee@example.com,,XX\n\
               Eve,eve@example.com\n";
    let before = world.audit(None).await.len();
    for dry_run in [true, false] {
        let mut calls = Vec::new();
        let report = world
            .directory
            .import_clients(&world.admin, csv, dry_run, &mut |done, total| {
                calls.push((done, total))
            })
            .await
            .unwrap();
        assert_eq!(report.rows, 6);
        assert_eq!(report.created, 0);
        let lines: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7], "{:?}", report.errors);
        assert!(
            report.errors[1].message.starts_with("email:"),
            "{:?}",
            report.errors[1]
        );
        assert!(
            report.errors[2].message.starts_with("phone:"),
            "{:?}",
            report.errors[2]
        );
        assert!(
            report.errors[3].message.starts_with("country:"),
            "{:?}",
            report.errors[3]
        );
        assert_eq!(calls.last().map(|(done, total)| done == total), Some(true));
    }
    assert_eq!(
        world
            .directory
            .list_clients(&world.admin, &no_limit())
            .await
            .unwrap()
            .total
            .count,
        0
    );
    assert_eq!(world.audit(None).await.len(), before, "nothing audited");
}

every_store!(a_bad_header_refuses_the_whole_file);
async fn a_bad_header_refuses_the_whole_file(backend: Backend) {
    let world = World::on(backend).await;
    for csv in [
        "name,fax\nAnn,1\n",
        "email\nann@example.com\n",
        "name,name\nA,B\n",
        "",
    ] {
        let refused = world
            .directory
            .import_clients(&world.admin, csv, true, &mut |_, _| {})
            .await;
        assert!(
            matches!(refused, Err(Error::InvalidImport { .. })),
            "{csv:?}: {refused:?}"
        );
    }
}

every_store!(an_import_writes_every_row_and_one_audit_event);
async fn an_import_writes_every_row_and_one_audit_event(backend: Backend) {
    let world = World::on(backend).await;
    let mut csv = String::from("\u{feff}name,phone,country\n");
    for i in 0..2_500 {
        csv.push_str(&format!("Client {i:04},020 7946 {:04},GB\n", i % 10_000));
    }
    let mut calls = Vec::new();
    let report = world
        .directory
        .import_clients(&world.admin, &csv, false, &mut |done, total| {
            calls.push((done, total))
        })
        .await
        .unwrap();
    assert_eq!(report.rows, 2_500);
    assert_eq!(report.created, 2_500);
    assert!(report.errors.is_empty());
    assert_eq!(calls.last(), Some(&(5_000, 5_000)));
    assert!(calls.len() >= 5, "{calls:?}");
    let page = world
        .directory
        .list_clients(&world.admin, &ClientQuery::default())
        .await
        .unwrap();
    assert_eq!(page.total.count, 2_500);
    assert_eq!(page.clients[0].name, "Client 0000");
    assert_eq!(page.clients[0].phone.as_deref(), Some("+44 20 7946 0000"));
    let imports: Vec<_> = world
        .audit(None)
        .await
        .into_iter()
        .filter(|e| e.target_kind == TargetKind::Client)
        .collect();
    assert_eq!(imports.len(), 1, "one event for the import");
    assert_eq!(imports[0].action, "client.import");
    assert!(imports[0]
        .changes
        .iter()
        .any(|c| c.field == "created" && c.after == 2_500));
}

every_store!(an_export_imports_into_another_directory_unchanged);
async fn an_export_imports_into_another_directory_unchanged(backend: Backend) {
    let world = World::on(backend).await;
    create(
        &world,
        "Ann \"Nan\" Lee",
        Some("ann@example.com"),
        Some("+44 20 7946 0958"),
    )
    .await;
    create(&world, "Lee, Bob", None, Some("+1 202 555 0123")).await;
    create(&world, "Zoë 👩‍👩‍👧 Ångström", Some("zoe@example.org"), None).await;
    world
        .directory
        .create_client(&world.admin, new_client("Gert", None, None, Some("de")))
        .await
        .unwrap();
    let export = world
        .directory
        .export_clients(&world.admin, &ClientQuery::default())
        .await
        .unwrap();
    assert!(export.starts_with("name,email,phone,country\n"), "{export}");

    let other = World::on(backend).await;
    let report = other
        .directory
        .import_clients(&other.admin, &export, false, &mut |_, _| {})
        .await
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.created, 4);
    let fields = |clients: Vec<Client>| {
        clients
            .into_iter()
            .map(|c| (c.name, c.email, c.phone, c.country))
            .collect::<Vec<_>>()
    };
    let original = world
        .directory
        .list_clients(&world.admin, &no_limit())
        .await
        .unwrap();
    let copied = other
        .directory
        .list_clients(&other.admin, &no_limit())
        .await
        .unwrap();
    assert_eq!(fields(copied.clients), fields(original.clients));
    assert_eq!(
        other
            .directory
            .export_clients(&other.admin, &ClientQuery::default())
            .await
            .unwrap(),
        export
    );
}

/// The page a masked operator gets for `text`: names (masked) and the total.
async fn masked_search(world: &World, masked: &Operator, text: &str) -> (Vec<i64>, u64, bool) {
    let page = world
        .directory
        .list_clients(
            masked,
            &ClientQuery {
                search: Some(text.into()),
                ..no_limit()
            },
        )
        .await
        .expect("search");
    (
        page.clients.iter().map(|c| c.id.0).collect(),
        page.total.count,
        page.next.is_some(),
    )
}

every_store!(a_masked_operators_search_matches_whole_values_only);
async fn a_masked_operators_search_matches_whole_values_only(backend: Backend) {
    let world = World::on(backend).await;
    let zoe = world
        .directory
        .create_client(
            &world.admin,
            new_client(
                "Zoë  Lee",
                Some("Zoe.Lee@Example.com"),
                Some("020 7946 0958"),
                Some("GB"),
            ),
        )
        .await
        .unwrap();
    create(&world, "Zoe Leeds", Some("zoe.leeds@example.com"), None).await;
    let (_, masked) = world.masked_operator(ALL_CLIENT_RIGHTS).await;
    let id = zoe.id.0;
    for whole in [
        "zoe.lee@example.com".to_owned(),
        "  ZOE.LEE@EXAMPLE.COM ".to_owned(),
        "+44 20 7946 0958".to_owned(),
        "+442079460958".to_owned(),
        "0044 20 7946 0958".to_owned(),
        "442079460958".to_owned(),
        "Zoë Lee".to_owned(),
        "zoe   LEE".to_owned(),
        format!("#{id}"),
        id.to_string(),
    ] {
        assert_eq!(
            masked_search(&world, &masked, &whole).await,
            (vec![id], 1, false),
            "{whole}"
        );
    }
    // A part of a value looks exactly like a wrong guess: an empty page.
    let miss = masked_search(&world, &masked, "nobody at all").await;
    assert_eq!(miss, (vec![], 0, false));
    for partial in [
        "z",
        "zo",
        "zoe",
        "Zoë Le",
        "zoe.lee@",
        "zoe.lee@example",
        "zoe.lee@example.co",
        "oe.lee@example.com",
        "7946",
        "+44 20 7946 095",
        "+4420794609",
        "20 7946 0958",
        "0958",
        "example.com",
        "Lee",
    ] {
        assert_eq!(
            masked_search(&world, &masked, partial).await,
            miss,
            "{partial}"
        );
    }
    // An unmasked operator keeps substring search.
    assert_eq!(
        names(
            &world,
            &world.admin,
            &ClientQuery {
                search: Some("7946".into()),
                ..no_limit()
            }
        )
        .await,
        ["Zoë  Lee"]
    );
    // The export follows the same rule.
    let export = |text: &str| {
        let query = ClientQuery {
            search: Some(text.into()),
            ..ClientQuery::default()
        };
        let dir = &world.directory;
        let masked = &masked;
        async move { dir.export_clients(masked, &query).await.unwrap() }
    };
    assert_eq!(export("zoe").await, "name,email,phone,country\n");
    assert_eq!(export("zoe.lee@ex").await, "name,email,phone,country\n");
    let found = export("zoe.lee@example.com").await;
    assert_eq!(found.lines().count(), 2, "{found}");
    assert!(!found.contains("Zoë"), "{found}");
}

every_store!(a_masked_operators_list_is_in_order_of_creation_only);
async fn a_masked_operators_list_is_in_order_of_creation_only(backend: Backend) {
    let world = World::on(backend).await;
    let mut created = Vec::new();
    for name in ["Mona", "Abel", "Zack", "Cora", "Bert"] {
        created.push(create(&world, name, None, None).await.id.0);
    }
    let (_, masked) = world.masked_operator(ALL_CLIENT_RIGHTS).await;
    for direction in [Direction::Asc, Direction::Desc] {
        let mut query = ClientQuery {
            sort: ClientSort::Name,
            direction,
            limit: 2,
            ..ClientQuery::default()
        };
        let mut seen = Vec::new();
        loop {
            let page = world.directory.list_clients(&masked, &query).await.unwrap();
            assert_eq!(page.sort, ClientSort::Created);
            seen.extend(page.clients.iter().map(|c| c.id.0));
            match page.next {
                Some(next) => query.after = Some(next),
                None => break,
            }
        }
        let mut expected = created.clone();
        if direction == Direction::Desc {
            expected.reverse();
        }
        assert_eq!(seen, expected, "{direction:?}");
    }
    let export = world
        .directory
        .export_clients(
            &masked,
            &ClientQuery {
                sort: ClientSort::Name,
                ..ClientQuery::default()
            },
        )
        .await
        .unwrap();
    let firsts: Vec<char> = export
        .lines()
        .skip(1)
        .filter_map(|line| line.chars().next())
        .collect();
    assert_eq!(firsts, ['M', 'A', 'Z', 'C', 'B'], "{export}");
    // The administrator's name sort is unchanged.
    let page = world
        .directory
        .list_clients(&world.admin, &no_limit())
        .await
        .unwrap();
    assert_eq!(page.sort, ClientSort::Name);
    assert_eq!(
        page.clients
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["Abel", "Bert", "Cora", "Mona", "Zack"]
    );
}

every_store!(a_masked_operators_audit_filter_never_confirms_a_client_name);
async fn a_masked_operators_audit_filter_never_confirms_a_client_name(backend: Backend) {
    let world = World::on(backend).await;
    let ann = create(&world, "Ann Lee", Some("ann@example.com"), None).await;
    // A group named like the guess, so the filter still finds something.
    world.group("Ann Lee", &[Permission::ClientsView]).await;
    let (_, masked) = world.masked_operator(ALL_CLIENT_RIGHTS).await;
    let by_label = |label: &str, kind: Option<TargetKind>| {
        let query = AuditQuery {
            target_label: Some(label.into()),
            target_kind: kind,
            ..AuditQuery::default()
        };
        let dir = &world.directory;
        let masked = &masked;
        async move {
            dir.audit_events(masked, &query)
                .await
                .unwrap()
                .into_iter()
                .map(|e| (e.action, e.target_kind))
                .collect::<Vec<_>>()
        }
    };
    // The right name and a wrong one give the same answer.
    let right = by_label("Ann Lee", None).await;
    let wrong = by_label("Ann Leigh", None).await;
    assert!(
        right.iter().all(|(_, kind)| *kind != TargetKind::Client),
        "{right:?}"
    );
    assert_eq!(right.len(), 1, "{right:?}");
    assert!(wrong.is_empty());
    assert!(by_label("ann lee", Some(TargetKind::Client))
        .await
        .is_empty());
    // By the client's id the history is there, masked.
    let history = world
        .directory
        .audit_events(
            &masked,
            &AuditQuery {
                target_kind: Some(TargetKind::Client),
                target_id: Some(ann.id.0),
                ..AuditQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].target_label, "A*** L***");
    // An unmasked operator's label filter is unchanged.
    let admin = world
        .directory
        .audit_events(
            &world.admin,
            &AuditQuery {
                target_label: Some("ann lee".into()),
                target_kind: Some(TargetKind::Client),
                ..AuditQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(admin.len(), 1);
}

/// The audit log's client searches, newest first, as an administrator
/// reads them.
async fn client_searches(world: &World) -> Vec<roster_core::model::AuditEvent> {
    world
        .directory
        .audit_events(
            &world.admin,
            &AuditQuery {
                action: Some("client.search".into()),
                ..AuditQuery::default()
            },
        )
        .await
        .unwrap()
}

every_store!(a_count_in_full_matches_as_the_page_does_and_is_audited_for_a_masked_operator);
async fn a_count_in_full_matches_as_the_page_does_and_is_audited_for_a_masked_operator(
    backend: Backend,
) {
    let world = World::on(backend).await;
    create(&world, "Ann Lee", Some("ann.lee@example.com"), None).await;
    create(&world, "Anna Berg", Some("anna@example.com"), None).await;
    let (_, masked) = world.masked_operator(ALL_CLIENT_RIGHTS).await;
    async fn count(world: &World, operator: &Operator, text: &str) -> Total {
        let query = ClientQuery {
            search: Some(text.into()),
            // A page's cursor is no part of its total.
            after: Some("not a cursor".into()),
            ..no_limit()
        };
        world
            .directory
            .count_clients(operator, &query)
            .await
            .unwrap()
    }
    // An unmasked operator's count matches parts, as their page does; it
    // reads no page.
    statement_log::open();
    assert_eq!(count(&world, &world.admin, "ann").await, Total::exact(2));
    let statements = statement_log::close();
    assert!(
        !statements
            .iter()
            .any(|s| s.contains("c.country") && s.contains(" ORDER BY ")),
        "{statements:#?}"
    );
    // A masked operator's matches whole values only, and each is audited
    // as their searches are: the count is no quieter way to ask.
    assert_eq!(count(&world, &masked, "ann").await, Total::exact(0));
    assert_eq!(
        count(&world, &masked, "ann.lee@example.com").await,
        Total::exact(1)
    );
    let searches = client_searches(&world).await;
    assert_eq!(searches.len(), 2);
}

every_store!(a_masked_operators_searches_are_audited_with_the_term_masked);
async fn a_masked_operators_searches_are_audited_with_the_term_masked(backend: Backend) {
    let world = World::on(backend).await;
    create(
        &world,
        "Ann Lee",
        Some("ann.lee@example.com"),
        Some("+44 20 7946 0958"),
    )
    .await;
    let (masked_user, masked) = world.masked_operator(ALL_CLIENT_RIGHTS).await;
    for text in [
        "ann.lee@example.com",
        "+44 20 7946 0958",
        "Ann Lee",
        "ann.l",
    ] {
        masked_search(&world, &masked, text).await;
    }
    // An unmasked operator's searches are not audited.
    names(
        &world,
        &world.admin,
        &ClientQuery {
            search: Some("ann".into()),
            ..no_limit()
        },
    )
    .await;
    let searches = client_searches(&world).await;
    assert_eq!(searches.len(), 4);
    assert!(searches.iter().all(|e| e.operator == Some(masked_user.id)));
    let terms: Vec<String> = searches
        .iter()
        .rev()
        .map(|e| e.changes[0].after.as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        terms,
        ["a******@e******.com", "+44 ******958", "A*** L***", "a****"]
    );
    let changes: Vec<_> = searches.iter().map(|e| &e.changes).collect();
    let json = serde_json::to_string(&changes).unwrap();
    for secret in ["ann.lee", "example", "7946", "Lee"] {
        assert!(!json.contains(secret), "{secret}: {json}");
    }
}

every_store!(a_masked_operators_searches_beyond_the_setting_are_slowed_down);
async fn a_masked_operators_searches_beyond_the_setting_are_slowed_down(backend: Backend) {
    let world = World::on(backend).await;
    let settings = roster_core::directory::Settings {
        masked_search_per_minute: 2,
        ..world.directory.settings(&world.admin).await.unwrap()
    };
    world
        .directory
        .update_settings(&world.admin, &settings)
        .await
        .unwrap();
    let (_, masked) = world.masked_operator(ALL_CLIENT_RIGHTS).await;
    let timed = |text: &'static str| {
        let world = &world;
        let masked = &masked;
        async move {
            let started = std::time::Instant::now();
            masked_search(world, masked, text).await;
            started.elapsed()
        }
    };
    // The delay itself, without a clock: nothing up to the setting, then a
    // second more for each search past it. (Only lower bounds are timed
    // below: a busy machine can make a search slow, never faster.)
    use roster_core::clients::search_delay;
    assert_eq!(search_delay(0, 2), std::time::Duration::ZERO);
    assert_eq!(search_delay(1, 2), std::time::Duration::ZERO);
    assert_eq!(search_delay(2, 2), std::time::Duration::from_secs(1));
    assert_eq!(search_delay(3, 2), std::time::Duration::from_secs(2));
    timed("a@example.com").await;
    timed("b@example.com").await;
    assert!(timed("c@example.com").await >= std::time::Duration::from_secs(1));
    assert!(timed("d@example.com").await >= std::time::Duration::from_secs(2));
    // An unmasked operator is never slowed (nor audited, so never counted).
    for _ in 0..4 {
        names(
            &world,
            &world.admin,
            &ClientQuery {
                search: Some("a@example.com".into()),
                ..no_limit()
            },
        )
        .await;
    }
    let searches = world
        .audit(None)
        .await
        .into_iter()
        .filter(|e| e.action == "client.search")
        .count();
    assert_eq!(
        searches, 4,
        "only the masked operator's searches are counted"
    );
    // The setting is checked.
    let bad = roster_core::directory::Settings {
        masked_search_per_minute: 0,
        ..settings
    };
    assert!(world
        .directory
        .update_settings(&world.admin, &bad)
        .await
        .is_err());
}

every_store!(formula_cells_are_neutralised_on_export_and_restored_on_import);
async fn formula_cells_are_neutralised_on_export_and_restored_on_import(backend: Backend) {
    let world = World::on(backend).await;
    for name in [
        "=HYPERLINK(\"http://evil.example\",\"x\")",
        "+Plus Sign",
        "-Minus Sign",
        "@At Sign",
        "'=Quoted",
        "'tis Plain",
    ] {
        create(&world, name, None, None).await;
    }
    create(&world, "Phone Person", None, Some("+44 20 7946 0958")).await;
    let export = world
        .directory
        .export_clients(&world.admin, &ClientQuery::default())
        .await
        .unwrap();
    for line in export.lines() {
        for cell in line.trim_start_matches('"').split(',') {
            assert!(
                !cell
                    .trim_start_matches('"')
                    .starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{line}"
            );
        }
    }
    assert!(export.contains("'+442079460958"), "{export}");
    assert!(export.contains("''=Quoted"), "{export}");
    assert!(export.contains("'tis Plain"), "{export}");

    let other = World::on(backend).await;
    let report = other
        .directory
        .import_clients(&other.admin, &export, false, &mut |_, _| {})
        .await
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let fields = |clients: Vec<Client>| {
        clients
            .into_iter()
            .map(|c| (c.name, c.email, c.phone, c.country))
            .collect::<Vec<_>>()
    };
    let original = world
        .directory
        .list_clients(&world.admin, &no_limit())
        .await
        .unwrap();
    let copied = other
        .directory
        .list_clients(&other.admin, &no_limit())
        .await
        .unwrap();
    assert_eq!(fields(copied.clients), fields(original.clients));
}
