//! Imports of files longer than one chunk of rows (5,000), on both stores:
//! the checks that join rows (an email used twice, a supervisor named
//! before or after their own row, a circle) reach across chunks, every row
//! is written with the right supervisor, and a file that changes between
//! the passes over it is refused with nothing written.

mod support;

use std::io::{Seek, SeekFrom, Write};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use roster_core::domain::Permission;
use roster_core::model::AuditQuery;
use roster_core::password::Hasher;
use roster_core::users_sheet::{UserImport, UserImportOptions};
use roster_core::{Directory, Error, Operator};
use support::*;

/// Rows in the files below: more than two chunks.
const ROWS: usize = 11_000;

/// A users file of [`ROWS`] people in Sales: person `n` reports to the
/// person `supervisor(n)` names, or to nobody.
fn people(supervisor: impl Fn(usize) -> Option<String>) -> String {
    people_of(ROWS, supervisor)
}

fn people_of(rows: usize, supervisor: impl Fn(usize) -> Option<String>) -> String {
    let mut file = String::from("name,email,groups,supervisor\n");
    for n in 0..rows {
        let boss = supervisor(n).unwrap_or_default();
        file.push_str(&format!("Person {n},p{n}@example.com,Sales,{boss}\n"));
    }
    file
}

fn email(n: usize) -> String {
    format!("p{n}@example.com")
}

/// The rows' chains: each of the first 6,000 people reports to the person
/// 5,000 rows later (named before their own row, in a later chunk); person
/// 10,500 to person 10 (an earlier chunk); the last to the administrator.
fn good_boss(n: usize) -> Option<String> {
    match n {
        0..6_000 => Some(email(n + 5_000)),
        10_500 => Some(email(10)),
        n if n == ROWS - 1 => Some("ada@example.com".into()),
        _ => None,
    }
}

/// The directory of `world` with a hasher cheap enough to make thousands of
/// passwords in a test, and its administrator.
async fn fast(world: &World) -> (Directory, Operator) {
    let directory = Directory::with_hasher(
        Arc::clone(world.directory.store()),
        Hasher::fast_for_bench_only(),
    );
    let admin = directory.act_as("ada@example.com").await.unwrap();
    (directory, admin)
}

async fn import_file(
    directory: &Directory,
    operator: &Operator,
    file: &std::path::Path,
    dry_run: bool,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> roster_core::Result<UserImport> {
    let never = AtomicBool::new(false);
    directory
        .import_users(
            operator,
            std::fs::File::open(file).unwrap(),
            UserImportOptions {
                dry_run,
                send_credentials: false,
            },
            progress,
            &never,
        )
        .await
}

every_store!(checks_join_rows_across_chunks);
async fn checks_join_rows_across_chunks(backend: Backend) {
    let world = World::on(backend).await;
    world.group("Sales", &[Permission::UsersView]).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("people.csv");
    // Person 9,000 has person 3's email; person 2 and person 7,002 report
    // to each other; person 4 to nobody anyone knows.
    let file = people(|n| match n {
        2 => Some(email(7_002)),
        7_002 => Some(email(2)),
        4 => Some("ghost@example.com".into()),
        n => good_boss(n),
    })
    .replace("p9000@example.com,", "P3@example.com,");
    std::fs::write(&path, file).unwrap();
    let (directory, admin) = fast(&world).await;
    let before = world.snapshot().await;
    let result = import_file(&directory, &admin, &path, false, &mut |_, _| {})
        .await
        .unwrap();
    let messages: Vec<String> = result
        .report
        .errors
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        messages,
        vec![
            // Lines count the header: person n is on line n + 2.
            "Line 4, column supervisor: The supervisor on line 7004 reports, through the file's supervisors, back to this user: a circle.",
            "Line 6, column supervisor: There is no user ghost@example.com in the directory or in this file.",
            // Person 4,000's supervisor was person 9,000's email.
            "Line 4002, column supervisor: There is no user p9000@example.com in the directory or in this file.",
            "Line 7004, column supervisor: The supervisor on line 4 reports, through the file's supervisors, back to this user: a circle.",
            "Line 9002, column email: P3@example.com is also on line 5.",
        ]
    );
    assert_eq!(
        (result.report.rows, result.report.created),
        (ROWS as u64, 0)
    );
    assert_eq!(world.snapshot().await, before);
}

every_store!(rows_are_written_across_chunks_with_their_supervisors);
async fn rows_are_written_across_chunks_with_their_supervisors(backend: Backend) {
    let world = World::on(backend).await;
    world.group("Sales", &[Permission::UsersView]).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("people.csv");
    std::fs::write(&path, people(good_boss)).unwrap();
    let (directory, admin) = fast(&world).await;
    let mut steps = Vec::new();
    let result = import_file(&directory, &admin, &path, false, &mut |done, total| {
        steps.push((done, total));
    })
    .await
    .unwrap();
    assert!(
        result.report.errors.is_empty(),
        "{:?}",
        result.report.errors
    );
    assert_eq!(result.report.created, ROWS as u64);
    assert_eq!(result.credentials.len(), ROWS);
    // Progress only goes forward, and ends at its total.
    assert!(steps.windows(2).all(|w| w[0].0 <= w[1].0), "{steps:?}");
    assert_eq!(steps.last().map(|(d, t)| d == t), Some(true));

    let id_of = |n: usize| {
        let directory = &world.directory;
        let admin = &world.admin;
        async move { directory.user_by_email(admin, &email(n)).await.unwrap() }
    };
    for n in [0, 4_999, 5_000, 5_999, 9_999, 10_500, ROWS - 1] {
        let user = id_of(n).await;
        let boss = user
            .supervisor
            .as_ref()
            .map(|s| s.email.as_str().to_owned());
        assert_eq!(boss, good_boss(n), "person {n}");
    }
    assert_eq!(id_of(6_000).await.supervisor, None);
    // One event per user, in the file's order, and one for the import.
    let mut created = Vec::new();
    loop {
        let page = world
            .directory
            .audit_events(
                &world.admin,
                &AuditQuery {
                    action: Some("user.create".into()),
                    before_id: created
                        .last()
                        .map(|e: &roster_core::model::AuditEvent| e.id),
                    limit: 10_000,
                    ..AuditQuery::default()
                },
            )
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        created.extend(page);
    }
    assert_eq!(created.len(), ROWS);
    let mut by_event: Vec<_> = created
        .iter()
        .map(|e| (e.id, e.target_label.clone()))
        .collect();
    by_event.sort();
    assert_eq!(
        by_event.first().map(|e| e.1.as_str()),
        Some("p0@example.com")
    );
    assert_eq!(by_event.last().map(|e| e.1.clone()), Some(email(ROWS - 1)));
    world.assert_sound().await;
}

every_store!(a_file_that_changes_while_it_is_imported_is_refused);
async fn a_file_that_changes_while_it_is_imported_is_refused(backend: Backend) {
    let world = World::on(backend).await;
    world.group("Sales", &[Permission::UsersView]).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("people.csv");
    let (directory, admin) = fast(&world).await;
    let before = world.snapshot().await;
    // The last person's row gets another group, as long as it was: the
    // file is changed in place, as an editor saving over it would. The
    // file is read up to two chunks ahead of the rows being written: the
    // last row is in the fourth chunk, read after the first is written.
    let file = people_of(16_000, good_boss);
    let last = file.rfind("Sales").unwrap();
    // After the check (before the passwords are made), after the passwords
    // (before the check in the writing transaction), and while the first
    // chunk is written (before the rest is read).
    for (when, share) in [
        ("after the check", 1),
        ("after the passwords", 2),
        ("while writing", 3),
    ] {
        std::fs::write(&path, &file).unwrap();
        let mut changed = false;
        let result = import_file(&directory, &admin, &path, false, &mut |done, total| {
            let due = match share {
                3 => done * 3 > total * 2,
                share => done * 3 >= total * share,
            };
            if due && !changed {
                changed = true;
                let mut out = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
                out.seek(SeekFrom::Start(last as u64)).unwrap();
                out.write_all(b"Admin").unwrap();
            }
        })
        .await;
        assert!(changed, "{when}");
        match result {
            Err(Error::InvalidImport { reason }) => {
                assert!(reason.contains("The file changed"), "{when}: {reason}")
            }
            other => panic!("{when}: {:?}", other.map(|i| i.report)),
        }
        assert_eq!(world.snapshot().await, before, "{when}");
    }
}
