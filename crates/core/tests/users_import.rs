//! Users from and to spreadsheets, on both stores: importing from CSV and
//! XLSX (dry run, every problem listed by line and column, all or nothing,
//! cancel, rights and masking, hostile files, the credentials sheet) and
//! exporting exactly what a query finds (and importing it back).

mod support;

use std::io::Cursor;
use std::sync::atomic::AtomicBool;

use roster_core::domain::Permission;
use roster_core::password::PlainPassword;
use roster_core::sheet::SheetFormat;
use roster_core::store::UserQuery;
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
                "Line 7, column supervisor: The supervisor on line 8 reports, through the file's supervisors, back to this user: a circle.",
                "Line 8, column supervisor: The supervisor on line 7 reports, through the file's supervisors, back to this user: a circle.",
                "Line 9, column status: “asleep” is not a status; use enabled or disabled.",
                "Line 10, column groups: Choose at least one group.",
            ]
        );
    }
    assert_eq!(world.snapshot().await, before);
}

every_store!(a_supervisor_who_is_a_row_of_the_file_is_that_row_in_any_order);
async fn a_supervisor_who_is_a_row_of_the_file_is_that_row_in_any_order(backend: Backend) {
    let world = World::on(backend).await;
    world.group("Sales", &[Permission::UsersView]).await;
    // Ada is the directory's administrator and also a row of the file: the
    // row is the supervisor, refused as taken, before or after Bo's row.
    let bo = "Bo Berg,bo@example.com,Sales,ada@example.com\n";
    let ada = "Ada Again,ada@example.com,Sales,\n";
    let taken = "column email: The email address ada@example.com is already used by another user.";
    let refused = |line| {
        format!("column supervisor: The supervisor's own row (line {line}) has a problem, so this row cannot be imported either.")
    };
    for (rows, expected) in [
        (
            [bo, ada],
            vec![
                format!("Line 2, {}", refused(3)),
                format!("Line 3, {taken}"),
            ],
        ),
        (
            [ada, bo],
            vec![
                format!("Line 2, {taken}"),
                format!("Line 3, {}", refused(2)),
            ],
        ),
    ] {
        let file = format!("name,email,groups,supervisor\n{}{}", rows[0], rows[1]);
        let result = import(&world, &world.admin, file.as_bytes(), true)
            .await
            .unwrap();
        assert_eq!(messages(&result), expected);
    }
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
    // supervisor by email, Ann's set after her own row was written), the
    // events in the file's order.
    let created: Vec<_> = audit.iter().filter(|e| e.action == "user.create").collect();
    let mut by_id: Vec<_> = created.iter().map(|e| (e.id, e.target_id)).collect();
    by_id.sort();
    assert_eq!(
        by_id.iter().map(|(_, target)| *target).collect::<Vec<_>>(),
        vec![Some(bo.id.0), Some(cy.id.0), Some(ann.id.0)]
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
            // Once the rows are checked, while the passwords are made.
            &mut |done, total| {
                if done * 3 >= total {
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
    // The same row for a new person imports into the same two groups; a
    // cell naming the pieces apart still means the groups so named.
    let twin = text.replace(ann.email.as_str(), "ann.twin@example.com");
    let apart = "name,email,groups\nBo Bell,bo.bell@example.com,R;Sales\n".to_owned();
    for (file, email, wanted) in [
        (twin, "ann.twin@example.com", [rd.id, sales.id]),
        (apart, "bo.bell@example.com", [r.id, sales.id]),
    ] {
        let result = import(&world, &world.admin, file.as_bytes(), false)
            .await
            .unwrap();
        assert!(
            result.report.errors.is_empty(),
            "{:?}",
            result.report.errors
        );
        let user = world
            .snapshot()
            .await
            .users
            .into_iter()
            .find(|u| u.email.as_str() == email)
            .unwrap();
        let mut groups = user.group_ids();
        groups.sort();
        let mut expected = wanted.to_vec();
        expected.sort();
        assert_eq!(groups, expected, "{email}");
    }
}
