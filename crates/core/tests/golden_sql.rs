//! The SQL each overview query shape sends, pinned per store.
//!
//! Every shape of the users and clients overviews (no filter, each filter,
//! short and long searches, small and large groups, whole-value searches,
//! each sort and direction, a second page) and of the audit log runs on a
//! seeded directory while the store's statement log is open; the statements
//! are compared with `tests/golden/<store>.sql`. A change in what a store
//! sends shows up there, line by line, in review. After a deliberate change
//! run the suite with `ROSTER_BLESS_GOLDEN=1` to rewrite the files, and read
//! the diff.

mod support;

use chrono::{DateTime, TimeZone, Utc};
use roster_core::domain::{
    ClientName, Email, GroupId, Phone, Status, TwoFactor, UserId, UserName, ValidUntil,
};
use roster_core::model::{AuditQuery, ClientFields, TargetKind, UserFields};
use roster_core::store::{
    statement_log, ClientListing, ClientMatch, ClientSort, Direction, FactFilter, SortField,
    StatusFilter, TxMode, UserQuery, WholeValues,
};
use support::{every_store, Backend, World};

/// Users in the large group: one more than a store lists by sorting members.
const LARGE_GROUP: usize = 2_001;

every_store!(overview_statements_match_the_golden_file);
async fn overview_statements_match_the_golden_file(backend: Backend) {
    let world = World::on(backend).await;
    let (small, large) = seed(&world).await;
    let mut report = String::new();

    let users = |configure: &dyn Fn(&mut UserQuery)| {
        let mut query = UserQuery {
            limit: 2,
            ..UserQuery::default()
        };
        configure(&mut query);
        query
    };
    let user_cases: Vec<(&str, UserQuery)> = vec![
        ("users: everyone by name", users(&|_| {})),
        (
            "users: by email, descending",
            users(&|q| {
                q.sort = SortField::Email;
                q.direction = Direction::Desc;
            }),
        ),
        ("users: by created", users(&|q| q.sort = SortField::Created)),
        (
            "users: by last sign-in, descending",
            users(&|q| {
                q.sort = SortField::LastSignIn;
                q.direction = Direction::Desc;
            }),
        ),
        (
            "users: by password changed",
            users(&|q| q.sort = SortField::PasswordChanged),
        ),
        (
            "users: by failed sign-ins, descending",
            users(&|q| {
                q.sort = SortField::FailedSignIns;
                q.direction = Direction::Desc;
            }),
        ),
        (
            "users: never signed in",
            users(&|q| q.facts = Some(FactFilter::NeverSignedIn)),
        ),
        (
            "users: password older than a year",
            users(&|q| q.facts = Some(FactFilter::PasswordOlderThanYear)),
        ),
        (
            "users: enabled",
            users(&|q| q.status = Some(Status::Enabled.into())),
        ),
        (
            "users: expired",
            users(&|q| q.status = Some(StatusFilter::Expired)),
        ),
        (
            "users: short search",
            users(&|q| q.search = Some("us".into())),
        ),
        (
            "users: long search",
            users(&|q| q.search = Some("user 1".into())),
        ),
        (
            "users: long search, disabled",
            users(&|q| {
                q.search = Some("user 1".into());
                q.status = Some(Status::Disabled.into());
            }),
        ),
        // 111 hits (User 12, 120-129, 1200-1299), read from the index by
        // creation in pages of 50 (a walk would read too far for them);
        // SQLite keeps the disabled or the group's first.
        (
            "users: rare long search, disabled, by created",
            users(&|q| {
                q.search = Some("user 12".into());
                q.status = Some(Status::Disabled.into());
                q.sort = SortField::Created;
                q.limit = 50;
            }),
        ),
        (
            "users: large group, rare long search, by created",
            users(&|q| {
                q.group = Some(large);
                q.search = Some("user 12".into());
                q.sort = SortField::Created;
                q.limit = 50;
            }),
        ),
        // 111 hits each; SQLite walks first for a page of them, bounded:
        // 12 and 120 lie early in the order of creation (the page walked),
        // 190 past the bound after 19 (the page read from the index).
        (
            "users: short search a walk finds, by created",
            users(&|q| {
                q.search = Some("12".into());
                q.sort = SortField::Created;
            }),
        ),
        (
            "users: short search a walk leaves short, by created",
            users(&|q| {
                q.search = Some("19".into());
                q.sort = SortField::Created;
            }),
        ),
        ("users: small group", users(&|q| q.group = Some(small))),
        ("users: large group", users(&|q| q.group = Some(large))),
        (
            "users: large group, short search",
            users(&|q| {
                q.group = Some(large);
                q.search = Some("us".into());
            }),
        ),
        (
            "users: supervised by the administrator",
            users(&|q| q.supervisor = Some(world.admin_id)),
        ),
        (
            "users: the administrator's team",
            users(&|q| q.team_of = Some(world.admin_id)),
        ),
        (
            "users: the administrator's team, disabled, by created, descending",
            users(&|q| {
                q.team_of = Some(world.admin_id);
                q.status = Some(Status::Disabled.into());
                q.sort = SortField::Created;
                q.direction = Direction::Desc;
            }),
        ),
        (
            "users: the administrator's team, short search",
            users(&|q| {
                q.team_of = Some(world.admin_id);
                q.search = Some("us".into());
            }),
        ),
    ];
    for (title, query) in user_cases {
        statement_log::open();
        let page = {
            let mut tx = world.directory.store().begin(TxMode::Read).await.unwrap();
            tx.list_users(&query).await.unwrap()
        };
        note(&mut report, title, statement_log::close());
        if let Some(next) = page.next {
            let second = UserQuery {
                after: Some(next),
                ..query
            };
            statement_log::open();
            let mut tx = world.directory.store().begin(TxMode::Read).await.unwrap();
            tx.list_users(&second).await.unwrap();
            drop(tx);
            note(
                &mut report,
                &format!("{title}, second page"),
                statement_log::close(),
            );
        }
    }

    let clients =
        |matching: Option<ClientMatch>, sort: ClientSort, direction: Direction| ClientListing {
            matching,
            sort,
            direction,
            limit: 2,
            team_of: None,
        };
    let substring = |text: &str, digits: Option<&str>| {
        Some(ClientMatch::Substring {
            text: text.into(),
            digits: digits.map(str::to_owned),
        })
    };
    let client_cases: Vec<(&str, ClientListing)> = vec![
        (
            "clients: everyone by name",
            clients(None, ClientSort::Name, Direction::Asc),
        ),
        (
            "clients: by created, descending",
            clients(None, ClientSort::Created, Direction::Desc),
        ),
        (
            "clients: short search",
            clients(substring("cl", None), ClientSort::Name, Direction::Asc),
        ),
        (
            "clients: short phone search",
            clients(
                substring("44", Some("44")),
                ClientSort::Name,
                Direction::Asc,
            ),
        ),
        (
            "clients: long search",
            clients(substring("client", None), ClientSort::Name, Direction::Asc),
        ),
        (
            "clients: long phone search",
            clients(
                substring("2079", Some("2079")),
                ClientSort::Name,
                Direction::Asc,
            ),
        ),
        (
            "clients: whole values",
            clients(
                Some(ClientMatch::Whole(WholeValues {
                    id: Some(1),
                    email: Some("client1@example.com".into()),
                    phone: Some("+442079460001".into()),
                    name: Some("client 1".into()),
                })),
                ClientSort::Created,
                Direction::Asc,
            ),
        ),
        (
            "clients: a team's, by name",
            ClientListing {
                team_of: Some(world.admin_id),
                ..clients(None, ClientSort::Name, Direction::Asc)
            },
        ),
        (
            "clients: a team's long search, by created, descending",
            ClientListing {
                team_of: Some(world.admin_id),
                ..clients(
                    substring("client", None),
                    ClientSort::Created,
                    Direction::Desc,
                )
            },
        ),
        (
            "clients: a team's short phone search",
            ClientListing {
                team_of: Some(world.admin_id),
                ..clients(
                    substring("44", Some("44")),
                    ClientSort::Name,
                    Direction::Asc,
                )
            },
        ),
        (
            "clients: no whole value",
            clients(
                Some(ClientMatch::Whole(WholeValues::default())),
                ClientSort::Created,
                Direction::Asc,
            ),
        ),
    ];
    for (title, listing) in client_cases {
        statement_log::open();
        let rows = {
            let mut tx = world.directory.store().begin(TxMode::Read).await.unwrap();
            tx.list_clients(&listing, None).await.unwrap()
        };
        note(&mut report, title, statement_log::close());
        if let Some(next) = rows.next {
            statement_log::open();
            let mut tx = world.directory.store().begin(TxMode::Read).await.unwrap();
            tx.list_clients(&listing, Some(&next)).await.unwrap();
            drop(tx);
            note(
                &mut report,
                &format!("{title}, second page"),
                statement_log::close(),
            );
        }
    }

    let audit_cases: Vec<(&str, AuditQuery)> = vec![
        (
            "audit: latest",
            AuditQuery {
                limit: 5,
                ..AuditQuery::default()
            },
        ),
        (
            "audit: by label, no client events, older than 100",
            AuditQuery {
                target_label: Some("ada@example.com".into()),
                except_kind: Some(TargetKind::Client),
                before_id: Some(100),
                limit: 5,
                ..AuditQuery::default()
            },
        ),
        (
            "audit: one user's events by one operator",
            AuditQuery {
                target_kind: Some(TargetKind::User),
                target_id: Some(world.admin_id.0),
                operator: Some(world.admin_id),
                action: Some("user.create".into()),
                limit: 5,
                ..AuditQuery::default()
            },
        ),
    ];
    for (title, query) in audit_cases {
        statement_log::open();
        let mut tx = world.directory.store().begin(TxMode::Read).await.unwrap();
        tx.audit_events(&query).await.unwrap();
        drop(tx);
        note(&mut report, title, statement_log::close());
    }

    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(match backend {
            Backend::Sqlite => "sqlite.sql",
            Backend::Postgres => "postgres.sql",
        });
    if std::env::var_os("ROSTER_BLESS_GOLDEN").is_some() {
        std::fs::write(&file, &report).unwrap();
        return;
    }
    let golden = std::fs::read_to_string(&file).unwrap_or_default();
    if golden != report {
        let first = golden
            .lines()
            .zip(report.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| golden.lines().count().min(report.lines().count()));
        panic!(
            "the statements differ from {} at line {}:\n  golden: {}\n  now:    {}\n\
             (after a deliberate change, rerun with ROSTER_BLESS_GOLDEN=1 and read the diff)",
            file.display(),
            first + 1,
            golden.lines().nth(first).unwrap_or("(end)"),
            report.lines().nth(first).unwrap_or("(end)"),
        );
    }
}

fn note(report: &mut String, title: &str, statements: Vec<String>) {
    report.push_str("-- ");
    report.push_str(title);
    report.push('\n');
    for statement in statements {
        report.push_str(&statement);
        report.push_str(";\n");
    }
    report.push('\n');
}

/// Users (some supervised by the administrator, some disabled), a small and
/// a large group, and clients, written straight into the store.
async fn seed(world: &World) -> (GroupId, GroupId) {
    let small = world.group("Small", &[]).await.id;
    let large = world.group("Large", &[]).await.id;
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
    let mut tx = world.directory.store().begin(TxMode::Write).await.unwrap();
    let hash = tx.password_hash(world.admin_id).await.unwrap().unwrap();
    for n in 0..LARGE_GROUP {
        let fields = UserFields {
            name: UserName::parse(&format!("User {n}")).unwrap(),
            email: Email::parse(&format!("user{n}@example.com")).unwrap(),
            status: if n % 3 == 0 {
                Status::Disabled
            } else {
                Status::Enabled
            },
            supervisor: (n % 5 == 0).then_some(world.admin_id),
            must_change_password: false,
            mask_client_data: false,
            two_factor: TwoFactor::Off,
            // Every seventh user ended in 2025: expired whenever this runs.
            valid_until: (n % 7 == 0).then(|| ValidUntil::parse("2025-06-30").unwrap()),
        };
        let id: UserId = tx.insert_user(&fields, &hash, now).await.unwrap();
        let groups = if n < 3 {
            vec![large, small]
        } else {
            vec![large]
        };
        tx.set_memberships(id, &groups).await.unwrap();
    }
    let clients: Vec<(ClientFields, DateTime<Utc>)> = (1..=5)
        .map(|n| ClientFields {
            name: ClientName::parse(&format!("Client {n}")).unwrap(),
            email: Some(Email::parse(&format!("client{n}@example.com")).unwrap()),
            phone: Some(Phone::parse(&format!("+44 20 7946 000{n}"), None).unwrap()),
            country: None,
            // Three in the administrator's team, for a team's pages.
            account_manager: (n <= 3).then_some(world.admin_id),
        })
        .map(|fields| (fields, now))
        .collect();
    tx.insert_clients(&clients).await.unwrap();
    tx.commit().await.unwrap();
    (small, large)
}
