//! Bulk work on users, on both stores: importing from CSV and XLSX (dry
//! run, every problem listed, all or nothing, cancel), exporting exactly
//! what a query finds (and importing it back), and acting on many users at
//! once with every one-user rule checked per user.

mod support;

use std::io::Cursor;
use std::sync::atomic::AtomicBool;

use roster_core::directory::{BulkAction, BulkSelection};
use roster_core::domain::{Permission, Status};
use roster_core::password::PlainPassword;
use roster_core::sheet::SheetFormat;
use roster_core::store::{UserQuery, ADMINISTRATORS};
use roster_core::users_sheet::{UserImport, UserImportOptions};
use roster_core::{Error, Operator};
use support::*;

async fn import(
    world: &World,
    operator: &Operator,
    file: &[u8],
    dry_run: bool,
) -> roster_core::Result<UserImport> {
    let never = AtomicBool::new(false);
    world
        .directory
        .import_users(
            operator,
            Cursor::new(file.to_vec()),
            UserImportOptions {
                dry_run,
                send_credentials: false,
            },
            &mut |_, _| {},
            &never,
        )
        .await
}

fn messages(import: &UserImport) -> Vec<String> {
    import
        .report
        .errors
        .iter()
        .map(ToString::to_string)
        .collect()
}

every_store!(a_dry_run_lists_every_problem_by_line_and_column_and_writes_nothing);
async fn a_dry_run_lists_every_problem_by_line_and_column_and_writes_nothing(backend: Backend) {
    let world = World::on(backend).await;
    world.group("Sales", &[Permission::UsersView]).await;
    let before = world.snapshot().await;
    let file = "Name;EMAIL;Groups;Supervisor;Status\n\
        Ann Lee;ann@example.com;Sales;;enabled\n\
        Bo Berg;ANN@example.com;Sales;;enabled\n\
        Cy Chen;ada@example.com;Sales;;enabled\n\
        Di Dahl;di@example.com;Marketing;;enabled\n\
        Ed Eng;ed@example.com;Sales;nobody@example.com;enabled\n\
        Fay Fox;fay@example.com;Sales;gus@example.com;enabled\n\
        Gus Gray;gus@example.com;Sales;fay@example.com;enabled\n\
        Hal Ho;hal@example.com;sales;ann@example.com;asleep\n\
        Ida Ito;ida@example.com;;;\n";
    for dry_run in [true, false] {
        let result = import(&world, &world.admin, file.as_bytes(), dry_run)
            .await
            .unwrap();
        assert_eq!(result.report.rows, 9);
        assert_eq!(result.report.created, 0);
        assert!(result.credentials.is_empty());
        assert_eq!(
            messages(&result),
            vec![
                "Line 3, column email: ANN@example.com is also on line 2.",
                "Line 4, column email: The email address ada@example.com is already used by another user.",
                "Line 5, column groups: There is no group called “Marketing”.",
                "Line 6, column supervisor: There is no user nobody@example.com in the directory or in this file.",
                "Line 7, column supervisor: gus@example.com reports, through the file's supervisors, back to this user: a circle.",
                "Line 8, column supervisor: fay@example.com reports, through the file's supervisors, back to this user: a circle.",
                "Line 9, column status: “asleep” is not a status; use enabled or disabled.",
                "Line 10, column groups: Choose at least one group.",
            ]
        );
    }
    assert_eq!(world.snapshot().await, before);
}

every_store!(an_import_writes_every_row_with_supervisors_in_any_order);
async fn an_import_writes_every_row_with_supervisors_in_any_order(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[Permission::UsersView]).await;
    let support = world.group("Support", &[Permission::UsersView]).await;
    // Written as XLSX, read back through the workbook reader.
    let mut file = Vec::new();
    {
        let mut writer =
            roster_core::sheet::SheetWriter::new(SheetFormat::Xlsx, "People", &mut file).unwrap();
        for row in [
            [
                "email",
                "name",
                "groups",
                "supervisor",
                "must change password",
                "two-factor method",
            ],
            [
                "bo@example.com",
                "Bo Berg",
                "Sales; support",
                "ann@example.com",
                "no",
                "off",
            ],
            [
                "cy@example.com",
                "Cy Chen",
                "Support",
                "bo@example.com",
                "",
                "",
            ],
            [
                "ann@example.com",
                "Ann Lee",
                "SALES",
                "ada@example.com",
                "yes",
                "off",
            ],
        ] {
            writer.row(&row).unwrap();
        }
        writer.finish().unwrap();
    }
    let dry = import(&world, &world.admin, &file, true).await.unwrap();
    assert!(dry.report.errors.is_empty(), "{:?}", dry.report.errors);
    assert_eq!(world.snapshot().await.users.len(), 1);

    let result = import(&world, &world.admin, &file, false).await.unwrap();
    assert!(
        result.report.errors.is_empty(),
        "{:?}",
        result.report.errors
    );
    assert_eq!((result.report.rows, result.report.created), (3, 3));
    assert_eq!(result.credentials.len(), 3);
    let ann = world
        .directory
        .user_by_email(&world.admin, "ann@example.com")
        .await
        .unwrap();
    let bo = world
        .directory
        .user_by_email(&world.admin, "bo@example.com")
        .await
        .unwrap();
    let cy = world
        .directory
        .user_by_email(&world.admin, "cy@example.com")
        .await
        .unwrap();
    assert_eq!(ann.supervisor.as_ref().map(|s| s.id), Some(world.admin_id));
    assert_eq!(bo.supervisor.as_ref().map(|s| s.id), Some(ann.id));
    assert_eq!(cy.supervisor.as_ref().map(|s| s.id), Some(bo.id));
    assert_eq!(bo.group_ids(), vec![sales.id, support.id]);
    assert!(ann.must_change_password && !bo.must_change_password && cy.must_change_password);
    // The default second factor for the row that left it blank.
    assert_eq!(cy.two_factor, roster_core::domain::TwoFactor::Totp);
    // Each password is the user's own: it signs them in.
    for issued in &result.credentials {
        assert!(issued.password.expose().chars().count() >= 12);
        let signed_in = world
            .directory
            .sign_in(&issued.email, &PlainPassword::new(issued.password.expose()))
            .await;
        assert!(signed_in.is_ok(), "{}: {signed_in:?}", issued.email);
    }
    let audit = world.audit(None).await;
    assert_eq!(
        audit.iter().filter(|e| e.action == "user.create").count(),
        3
    );
    // Each new user's event holds them as stored (groups by name, the
    // supervisor by email), the events in the order the users were written:
    // a supervisor before their reports.
    let created: Vec<_> = audit.iter().filter(|e| e.action == "user.create").collect();
    let mut by_id: Vec<_> = created.iter().map(|e| (e.id, e.target_id)).collect();
    by_id.sort();
    assert_eq!(
        by_id.iter().map(|(_, target)| *target).collect::<Vec<_>>(),
        vec![Some(ann.id.0), Some(bo.id.0), Some(cy.id.0)]
    );
    let bo_event = created
        .iter()
        .find(|e| e.target_id == Some(bo.id.0))
        .unwrap();
    let field = |name: &str| {
        bo_event
            .changes
            .iter()
            .find(|c| c.field == name)
            .map(|c| c.after.clone())
    };
    assert_eq!(
        field("supervisor"),
        Some(serde_json::json!("ann@example.com"))
    );
    let groups: Vec<&str> = bo.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(field("groups"), Some(serde_json::json!(groups)));
    assert_eq!(field("email"), Some(serde_json::json!("bo@example.com")));
    // The groups' kept member counts took the new members in.
    world.assert_sound().await;
    let import_event = audit.iter().find(|e| e.action == "user.import").unwrap();
    assert!(import_event
        .changes
        .iter()
        .any(|c| c.field == "created" && c.after == 3));
    // No password in any event.
    let text = format!("{audit:?}");
    for issued in &result.credentials {
        assert!(!text.contains(issued.password.expose()));
    }
}

every_store!(a_cancelled_import_writes_nothing);
async fn a_cancelled_import_writes_nothing(backend: Backend) {
    let world = World::on(backend).await;
    world.group("Sales", &[Permission::UsersView]).await;
    let mut file = String::from("name,email,groups\n");
    for n in 0..40 {
        file.push_str(&format!("Person {n},p{n}@example.com,Sales\n"));
    }
    let before = world.snapshot().await;
    let cancel = AtomicBool::new(false);
    let result = world
        .directory
        .import_users(
            &world.admin,
            Cursor::new(file.into_bytes()),
            UserImportOptions::default(),
            &mut |done, _| {
                if done > 45 {
                    cancel.store(true, std::sync::atomic::Ordering::Relaxed);
                }
            },
            &cancel,
        )
        .await;
    assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
    assert_eq!(world.snapshot().await, before);
}

every_store!(imports_respect_the_operators_rights_and_masking);
async fn imports_respect_the_operators_rights_and_masking(backend: Backend) {
    let world = World::on(backend).await;
    world.group("Sales", &[Permission::UsersView]).await;
    let (_, viewer) = world
        .operator_with("Vic Viewer", &[Permission::UsersView])
        .await;
    let refused = import(
        &world,
        &viewer,
        b"name,email,groups\nA,a@example.com,Sales\n",
        true,
    )
    .await;
    assert!(
        matches!(refused, Err(Error::PermissionDenied { .. })),
        "{refused:?}"
    );

    let (_, masked) = world
        .masked_operator(&[Permission::UsersView, Permission::UsersCreate])
        .await;
    let file = "name,email,groups,mask client data\n\
        Ann,ann@example.com,Sales,no\n\
        Bo,bo@example.com,Sales,\n\
        Cy,cy@example.com,Administrators,yes\n";
    let result = import(&world, &masked, file.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(
        messages(&result),
        vec![
            "Line 2, column mask client data: You cannot grant unmasked client data: you do not hold it yourself.",
            "Line 4, column groups: You cannot grant membership of Administrators: you do not hold it yourself.",
        ]
    );
    let ok = import(
        &world,
        &masked,
        b"name,email,groups\nBo,bo@example.com,Sales\n",
        false,
    )
    .await
    .unwrap();
    assert_eq!(ok.report.created, 1);
    let bo = world
        .directory
        .user_by_email(&world.admin, "bo@example.com")
        .await
        .unwrap();
    assert!(
        bo.mask_client_data,
        "a masked operator's blank cell imports a masked user"
    );
}

every_store!(hostile_files_get_a_clear_error_and_change_nothing);
async fn hostile_files_get_a_clear_error_and_change_nothing(backend: Backend) {
    let world = World::on(backend).await;
    let before = world.snapshot().await;
    for (file, expected) in [
        (&b""[..], "The file is empty."),
        (b"\n\n", "The file holds no rows"),
        (b"name,email,name\n", "is there twice"),
        (b"name,email,salary\n", "unknown column “salary”"),
        (b"name,email\nA\0,a@example.com\n", "NUL"),
        (b"name,email\n\xff\xfe,a@example.com\n", "UTF-8"),
        (b"PK\x03\x04garbage", "Excel"),
    ] {
        let error = import(&world, &world.admin, file, false).await.unwrap_err();
        assert!(error.to_string().contains(expected), "{file:?}: {error}");
    }
    // A BOM in the middle of the file and mixed line endings: rows, not crashes.
    let odd = import(
        &world,
        &world.admin,
        "\u{feff}name,email,groups\r\nA\u{feff}nn,ann@example.com,Administrators\nBo,bo@example.com,Administrators,extra\r\n"
            .as_bytes(),
        false,
    )
    .await
    .unwrap();
    assert_eq!(odd.report.errors.len(), 2, "{:?}", odd.report.errors);
    assert_eq!(odd.report.errors[0].line, 2);
    assert_eq!(odd.report.errors[1].line, 3);
    assert_eq!(world.snapshot().await, before);
}

every_store!(an_export_is_exactly_the_query_and_imports_back_unchanged);
async fn an_export_is_exactly_the_query_and_imports_back_unchanged(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[Permission::UsersView]).await;
    let boss = world.user_in("Bea Boss", &[sales.id]).await;
    for name in ["=Cmd Evil", "Dan Dale", "Eve East"] {
        let mut new = new_user(name, &[sales.id]);
        new.email = email_of(&name.replace('=', ""));
        new.supervisor = Some(boss.id);
        // A "valid until" day goes out and comes back with the rest.
        if name == "Dan Dale" {
            new.valid_until = Some("2031-05-17".into());
        }
        world
            .directory
            .create_user(&world.admin, new)
            .await
            .unwrap();
    }
    let query = UserQuery {
        group: Some(sales.id),
        sort: roster_core::store::SortField::Name,
        direction: roster_core::store::Direction::Desc,
        ..UserQuery::default()
    };
    for format in [SheetFormat::Csv, SheetFormat::Xlsx] {
        let mut out = Vec::new();
        let written = world
            .directory
            .export_users(&world.admin, &query, format, &mut out)
            .await
            .unwrap();
        assert_eq!(written, 4);
        if format == SheetFormat::Csv {
            let text = String::from_utf8(out.clone()).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            assert!(lines[0].starts_with("name,email,groups,supervisor,status,must change password,mask client data,two-factor method,valid until,created,last sign-in"));
            assert!(
                lines[1].starts_with(
                    "Eve East,eve.east@example.com,Sales,bea.boss@example.com,enabled,no,no,off,,"
                ),
                "{text}"
            );
            assert!(lines[4].starts_with("'=Cmd Evil,"), "{text}");
            assert!(
                lines[2].starts_with("Dan Dale,") && lines[2].contains(",off,2031-05-17,"),
                "{text}"
            );
            assert!(!text.contains("argon2"));
        }
        // Into a new directory with the same group: the same users back.
        let other = World::on(backend).await;
        other.group("Sales", &[Permission::UsersView]).await;
        let result = import(&other, &other.admin, &out, false).await.unwrap();
        assert!(
            result.report.errors.is_empty(),
            "{:?}",
            result.report.errors
        );
        assert_eq!(result.report.created, 4);
        let mut again = Vec::new();
        let other_sales = other
            .snapshot()
            .await
            .groups
            .into_iter()
            .find(|g| g.name.as_str() == "Sales")
            .unwrap();
        other
            .directory
            .export_users(
                &other.admin,
                &UserQuery {
                    group: Some(other_sales.id),
                    ..query.clone()
                },
                format,
                &mut again,
            )
            .await
            .unwrap();
        let strip = |bytes: &[u8]| -> Vec<Vec<String>> {
            let mut rows = Vec::new();
            roster_core::sheet::for_each_row(
                Cursor::new(bytes),
                |row: &roster_core::sheet::SheetRow| -> Result<(), roster_core::sheet::SheetError> {
                    rows.push(row.cells[..9].to_vec());
                    Ok(())
                },
            )
            .unwrap();
            rows
        };
        // Imported users must change their password; otherwise identical.
        let expected = strip(&out);
        assert_eq!(strip(&again).len(), expected.len());
        for (a, b) in strip(&again).iter().zip(&expected) {
            assert_eq!(a[..5], b[..5]);
            assert_eq!(a[6..], b[6..]);
        }
    }
}

every_store!(a_bulk_disable_refuses_yourself_and_the_last_administrator_and_audits_each_user);
async fn a_bulk_disable_refuses_yourself_and_the_last_administrator_and_audits_each_user(
    backend: Backend,
) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[Permission::UsersView]).await;
    let mut staff = Vec::new();
    for n in 0..5 {
        staff.push(world.user_in(&format!("Staff {n}"), &[sales.id]).await);
    }
    let (second, _) = world.second_admin("Bob Admin").await;
    let everyone = BulkSelection::Matching(UserQuery::default());
    let before = world.snapshot().await;
    let plan = world
        .directory
        .plan_bulk(&world.admin, &everyone, BulkAction::Disable)
        .await
        .unwrap();
    assert_eq!(world.snapshot().await, before, "a plan changes nothing");
    assert_eq!(plan.selected, 7);
    assert_eq!(plan.applicable, 6);
    assert_eq!(plan.refusals.len(), 1);
    assert_eq!(plan.refusals[0].email, "ada@example.com");
    assert_eq!(
        plan.refusals[0].message,
        "You cannot disable your own account."
    );

    let report = world
        .directory
        .apply_bulk(&world.admin, &everyone, BulkAction::Disable)
        .await
        .unwrap();
    assert_eq!(report.applied, 6);
    for user in staff.iter().chain([&second]) {
        assert_eq!(world.reload(user).await.status, Status::Disabled);
    }
    let disabled = world
        .audit(None)
        .await
        .into_iter()
        .filter(|e| e.action == "user.disable")
        .count();
    assert_eq!(disabled, 6);

    // Now Ada is the only enabled administrator: a second administrator
    // cannot disable everyone, including her.
    let again = world
        .directory
        .apply_bulk(
            &world.admin,
            &BulkSelection::Ids(vec![second.id]),
            BulkAction::Enable,
        )
        .await
        .unwrap();
    assert_eq!(again.applied, 1);
    let bob = world
        .directory
        .act_as("bob.admin@example.com")
        .await
        .unwrap();
    let plan = world
        .directory
        .plan_bulk(
            &bob,
            &BulkSelection::Ids(vec![world.admin_id, second.id]),
            BulkAction::Disable,
        )
        .await
        .unwrap();
    assert_eq!(plan.applicable, 1);
    let messages: Vec<&str> = plan.refusals.iter().map(|r| r.message.as_str()).collect();
    assert_eq!(messages, vec!["You cannot disable your own account."]);
    let plan = world
        .directory
        .plan_bulk(
            &bob,
            &BulkSelection::Ids(vec![world.admin_id]),
            BulkAction::Delete,
        )
        .await
        .unwrap();
    assert_eq!(
        plan.applicable, 1,
        "Bob is enabled again, so Ada is not the last"
    );
}

every_store!(bulk_actions_check_groups_supervisors_and_rights_per_user);
async fn bulk_actions_check_groups_supervisors_and_rights_per_user(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[Permission::UsersView]).await;
    let support = world.group("Support", &[Permission::UsersView]).await;
    let ann = world.user_in("Ann Lee", &[sales.id]).await;
    let bo = world.user_in("Bo Berg", &[sales.id, support.id]).await;
    let mut cy_new = new_user("Cy Chen", &[support.id]);
    cy_new.supervisor = Some(ann.id);
    let cy = world
        .directory
        .create_user(&world.admin, cy_new)
        .await
        .unwrap()
        .user;

    // Removing Sales: Ann's only group stays.
    let ids = BulkSelection::Ids(vec![ann.id, bo.id, cy.id]);
    let report = world
        .directory
        .apply_bulk(
            &world.admin,
            &ids,
            BulkAction::RemoveFromGroup { group: sales.id },
        )
        .await
        .unwrap();
    assert_eq!((report.applied, report.unchanged), (1, 1));
    assert_eq!(report.refusals[0].email, "ann.lee@example.com");
    assert_eq!(report.refusals[0].message, "Choose at least one group.");
    assert_eq!(world.reload(&bo).await.group_ids(), vec![support.id]);

    // Cy as everyone's supervisor: Ann is above Cy, so Ann is refused; Cy
    // cannot supervise themselves.
    let report = world
        .directory
        .apply_bulk(
            &world.admin,
            &ids,
            BulkAction::SetSupervisor {
                supervisor: Some(cy.id),
            },
        )
        .await
        .unwrap();
    assert_eq!(report.applied, 1);
    let refused: Vec<(&str, &str)> = report
        .refusals
        .iter()
        .map(|r| (r.email.as_str(), r.message.as_str()))
        .collect();
    assert_eq!(
        refused,
        vec![
            ("ann.lee@example.com", "The chosen supervisor cannot be the supervisor: The chosen supervisor already reports, directly or indirectly, to this user."),
            ("cy.chen@example.com", "A user cannot be their own supervisor."),
        ]
    );
    assert_eq!(
        world.reload(&bo).await.supervisor.map(|s| s.id),
        Some(cy.id)
    );

    // An operator with users.edit but not the administrators' rights cannot
    // add anyone to Administrators, nor touch an administrator.
    let (_, editor) = world
        .operator_with("Ed Editor", &[Permission::UsersView, Permission::UsersEdit])
        .await;
    let refused = world
        .directory
        .plan_bulk(
            &editor,
            &ids,
            BulkAction::AddToGroup {
                group: ADMINISTRATORS,
            },
        )
        .await;
    assert!(
        matches!(refused, Err(Error::CannotGrant { .. })),
        "{refused:?}"
    );
    let plan = world
        .directory
        .plan_bulk(
            &editor,
            &BulkSelection::Ids(vec![world.admin_id, ann.id]),
            BulkAction::AddToGroup { group: support.id },
        )
        .await
        .unwrap();
    assert_eq!(plan.applicable, 1);
    assert_eq!(
        plan.refusals[0].message,
        "You cannot change Ada Admin: they hold permissions you do not have."
    );
    let denied = world
        .directory
        .plan_bulk(&editor, &ids, BulkAction::Delete)
        .await;
    assert!(
        matches!(denied, Err(Error::PermissionDenied { .. })),
        "{denied:?}"
    );

    // Delete: the survivors' supervisor is released and audited.
    let report = world
        .directory
        .apply_bulk(
            &world.admin,
            &BulkSelection::Ids(vec![cy.id]),
            BulkAction::Delete,
        )
        .await
        .unwrap();
    assert_eq!(report.applied, 1);
    assert_eq!(world.reload(&bo).await.supervisor, None);
    let audit = world.audit(None).await;
    assert!(audit
        .iter()
        .any(|e| e.action == "user.delete" && e.target_label == "cy.chen@example.com"));
}

every_store!(generated_passwords_reach_the_credentials_sheet_exactly);
async fn generated_passwords_reach_the_credentials_sheet_exactly(backend: Backend) {
    let world = World::on(backend).await;
    world.group("Sales", &[Permission::UsersView]).await;
    // A policy longer than the generator's default: the passwords follow it.
    world
        .directory
        .update_settings(
            &world.admin,
            &roster_core::directory::Settings {
                password_min_length: 20,
                ..world.directory.settings(&world.admin).await.unwrap()
            },
        )
        .await
        .unwrap();
    let mut file = String::from("name,email,groups\n");
    for n in 0..30 {
        file.push_str(&format!("Person {n},p{n}@example.com,Sales\n"));
    }
    let result = import(&world, &world.admin, file.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(result.credentials.len(), 30);
    for format in [SheetFormat::Csv, SheetFormat::Xlsx] {
        let sheet =
            roster_core::users_sheet::credentials_sheet(&result.credentials, format).unwrap();
        let mut read = Vec::new();
        roster_core::sheet::for_each_row(
            Cursor::new(sheet.to_vec()),
            |row: &roster_core::sheet::SheetRow| -> Result<(), roster_core::sheet::SheetError> {
                read.push(row.cells[2].clone());
                Ok(())
            },
        )
        .unwrap();
        for (issued, cell) in result.credentials.iter().zip(&read[1..]) {
            let password = issued.password.expose();
            assert!(password.chars().count() >= 20);
            assert!(!password.starts_with(['=', '+', '-', '@']), "{password}");
            assert_eq!(cell, password, "{format:?}");
        }
    }
    {
        let sheet =
            roster_core::users_sheet::credentials_sheet(&result.credentials, SheetFormat::Csv)
                .unwrap();
        let text = String::from_utf8(sheet.to_vec()).unwrap();
        assert!(
            !text.contains(",'"),
            "no cell of the sheet needed an apostrophe: {text}"
        );
    }
}

every_store!(a_file_of_many_problems_lists_a_thousand_and_counts_the_rest);
async fn a_file_of_many_problems_lists_a_thousand_and_counts_the_rest(backend: Backend) {
    let world = World::on(backend).await;
    let mut file = String::from("name,email,status\n");
    for n in 0..1500 {
        file.push_str(&format!("Person {n},p{n}@example.com,\u{1b}[2Kasleep\n"));
    }
    let result = import(&world, &world.admin, file.as_bytes(), true)
        .await
        .unwrap();
    // Each row: its status (a row whose cells do not read is not checked
    // against the directory).
    assert_eq!(result.report.errors.len(), 1000);
    assert_eq!(result.report.more_errors, 500);
    let first = result.report.errors[0].to_string();
    assert!(
        first.contains("\\u{1b}[2Kasleep"),
        "escapes are shown, not run: {first}"
    );
    assert!(!first.contains('\u{1b}'));
}

every_store!(bulk_actions_need_users_view_and_apply_only_as_planned);
async fn bulk_actions_need_users_view_and_apply_only_as_planned(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[Permission::UsersView]).await;
    world.user_in("Ann Lee", &[sales.id]).await;
    let (_, resetter) = world
        .operator_with("Rex Reset", &[Permission::UsersCredentials])
        .await;
    let everyone = BulkSelection::Matching(UserQuery::default());
    let refused = world
        .directory
        .plan_bulk(&resetter, &everyone, BulkAction::ResetTwoFactor)
        .await;
    assert!(
        matches!(refused, Err(Error::PermissionDenied { .. })),
        "{refused:?}"
    );
    let (_, credentials_only) = world
        .operator_with(
            "Cy Creds",
            &[Permission::UsersView, Permission::UsersCredentials],
        )
        .await;
    let refused = world
        .directory
        .plan_bulk(
            &credentials_only,
            &everyone,
            BulkAction::RequirePasswordChange,
        )
        .await;
    assert!(
        matches!(refused, Err(Error::PermissionDenied { .. })),
        "needs users.edit too: {refused:?}"
    );

    let in_sales = BulkSelection::Matching(UserQuery {
        group: Some(sales.id),
        ..UserQuery::default()
    });
    let plan = world
        .directory
        .plan_bulk(&world.admin, &in_sales, BulkAction::Disable)
        .await
        .unwrap();
    assert_eq!(plan.applicable, 1);
    // Someone joins Sales after the plan was confirmed: nothing is applied.
    world.user_in("Bo Berg", &[sales.id]).await;
    let before = world.snapshot().await;
    let changed = world
        .directory
        .apply_bulk_as_planned(
            &world.admin,
            &in_sales,
            BulkAction::Disable,
            &plan.fingerprint,
        )
        .await;
    assert!(
        matches!(changed, Err(Error::ChangedBySomeoneElse)),
        "{changed:?}"
    );
    assert_eq!(world.snapshot().await, before);
    let plan = world
        .directory
        .plan_bulk(&world.admin, &in_sales, BulkAction::Disable)
        .await
        .unwrap();
    let report = world
        .directory
        .apply_bulk_as_planned(
            &world.admin,
            &in_sales,
            BulkAction::Disable,
            &plan.fingerprint,
        )
        .await
        .unwrap();
    assert_eq!(report.applied, 2);
}

every_store!(groups_named_with_a_semicolon_before_it_was_refused_import_back);
async fn groups_named_with_a_semicolon_before_it_was_refused_import_back(backend: Backend) {
    let world = World::on(backend).await;
    let rd = world.group("R and D", &[Permission::UsersView]).await;
    let sales = world.group("Sales", &[Permission::UsersView]).await;
    let r = world.group("R", &[]).await;
    // A name from before `;` was refused in group names.
    world
        .raw_sql(&format!(
            "UPDATE groups SET name = 'R; D', name_normalized = 'r; d' WHERE id = {}",
            rd.id.0
        ))
        .await;
    let ann = world.user_in("Ann Lee", &[rd.id, sales.id]).await;
    let mut out = Vec::new();
    world
        .directory
        .export_users(
            &world.admin,
            &UserQuery {
                group: Some(sales.id),
                ..UserQuery::default()
            },
            SheetFormat::Csv,
            &mut out,
        )
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("R; D; Sales") || text.contains("Sales; R; D"),
        "{text}"
    );
    // The same row for a new person imports into the same two groups.
    let text = text.replace(ann.email.as_str(), "ann.twin@example.com");
    let result = import(&world, &world.admin, text.as_bytes(), false)
        .await
        .unwrap();
    assert!(
        result.report.errors.is_empty(),
        "{:?}",
        result.report.errors
    );
    let twin = world
        .snapshot()
        .await
        .users
        .into_iter()
        .find(|u| u.email.as_str() == "ann.twin@example.com")
        .unwrap();
    let mut groups = twin.group_ids();
    groups.sort();
    let mut expected = vec![rd.id, sales.id];
    expected.sort();
    assert_eq!(groups, expected);
    // A cell naming the pieces apart still means the groups so named.
    let file = "name,email,groups\nBo Bell,bo.bell@example.com,R;Sales\n";
    let result = import(&world, &world.admin, file.as_bytes(), false)
        .await
        .unwrap();
    assert!(
        result.report.errors.is_empty(),
        "{:?}",
        result.report.errors
    );
    let bo = world
        .snapshot()
        .await
        .users
        .into_iter()
        .find(|u| u.email.as_str() == "bo.bell@example.com")
        .unwrap();
    let mut groups = bo.group_ids();
    groups.sort();
    let mut expected = vec![r.id, sales.id];
    expected.sort();
    assert_eq!(groups, expected);
}

/// The kept count of `status`'s users and the real one, as text.
async fn user_counts(world: &World, status: &str) -> (String, String) {
    (
        world
            .query_raw(&format!(
                "SELECT CAST(users AS TEXT) FROM user_counts WHERE status = '{status}'"
            ))
            .await,
        world
            .query_raw(&format!(
                "SELECT CAST(count(*) AS TEXT) FROM users WHERE status = '{status}'"
            ))
            .await,
    )
}

every_store!(kept_counts_follow_bulk_actions_over_thousands_of_users);
async fn kept_counts_follow_bulk_actions_over_thousands_of_users(backend: Backend) {
    let world = World::on(backend).await;
    roster_core::bench::seed(world.directory.store().as_ref(), 3_000, 3_000, |_| {})
        .await
        .unwrap();
    let crew = world.group("Crew", &[]).await;
    let everyone = BulkSelection::Matching(UserQuery::default());
    for action in [
        BulkAction::Disable,
        BulkAction::AddToGroup { group: crew.id },
        BulkAction::Enable,
        BulkAction::RemoveFromGroup { group: crew.id },
        BulkAction::AddToGroup { group: crew.id },
    ] {
        let report = world
            .directory
            .apply_bulk(&world.admin, &everyone, action)
            .await
            .unwrap();
        assert!(report.applied > 2_000, "{action:?}: {}", report.applied);
        for status in ["enabled", "disabled"] {
            let (kept, real) = user_counts(&world, status).await;
            assert_eq!(kept, real, "{action:?}: {status} users");
        }
        let (kept, real) = (
            world
                .query_raw(&format!(
                    "SELECT CAST(member_count AS TEXT) FROM groups WHERE id = {}",
                    crew.id.0
                ))
                .await,
            world
                .query_raw(&format!(
                    "SELECT CAST(count(*) AS TEXT) FROM memberships WHERE group_id = {}",
                    crew.id.0
                ))
                .await,
        );
        assert_eq!(kept, real, "{action:?}: members of Crew");
    }
    let some: Vec<_> = world
        .snapshot()
        .await
        .users
        .iter()
        .filter(|u| u.id != world.admin_id)
        .take(700)
        .map(|u| u.id)
        .collect();
    world
        .directory
        .apply_bulk(&world.admin, &BulkSelection::Ids(some), BulkAction::Delete)
        .await
        .unwrap();
    for status in ["enabled", "disabled"] {
        let (kept, real) = user_counts(&world, status).await;
        assert_eq!(kept, real, "after deleting: {status} users");
    }
    let members = world
        .query_raw(&format!(
            "SELECT CAST(count(*) AS TEXT) FROM memberships WHERE group_id = {}",
            crew.id.0
        ))
        .await;
    let crew_now = world
        .directory
        .groups(&world.admin)
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.id == crew.id)
        .unwrap();
    assert_eq!(crew_now.member_count.to_string(), members);
}
