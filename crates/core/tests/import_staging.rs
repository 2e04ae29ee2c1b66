//! A big client import does not hold up other writers of a shared
//! directory while it reads and stages its rows: it takes the writer lock
//! only to move the staged rows into `clients`. (SQLite has one writer per
//! file, so this is a server store's promise.)

mod support;

use std::sync::mpsc;
use std::time::Duration;

use roster_core::domain::PermissionSet;
use support::{Backend, World};

/// Rows in the file: a few progress calls while the rows are staged.
const ROWS: usize = 3_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_administrator_writes_while_an_import_is_staging() {
    let world = World::on(Backend::Postgres).await;
    let other = world.another_instance().await;
    let other_admin = other.act_as("ada@example.com").await.expect("act as");

    let mut csv = String::from("name,email\n");
    for n in 0..ROWS {
        csv.push_str(&format!("Client {n},client{n}@example.com\n"));
    }

    let (staging, staging_seen) = mpsc::channel::<()>();
    let (written, written_seen) = mpsc::channel::<Result<(), String>>();
    let writer = tokio::spawn(async move {
        if tokio::task::spawn_blocking(move || staging_seen.recv())
            .await
            .ok()
            .and_then(Result::ok)
            .is_none()
        {
            return;
        }
        let created = other
            .create_group(
                &other_admin,
                "Written meanwhile",
                "",
                PermissionSet::default(),
            )
            .await
            .map(drop)
            .map_err(|error| error.to_string());
        let _ = written.send(created);
    });

    let written_seen = std::sync::Mutex::new(written_seen);
    // Called with done > ROWS only once rows are being staged (the first
    // ROWS steps are the check of the file).
    let mut outcome: Option<Result<(), String>> = None;
    let report = world
        .directory
        .import_clients(&world.admin, &csv, false, &mut |done, total| {
            if outcome.is_none() && done > ROWS as u64 && done < total {
                let _ = staging.send(());
                outcome = Some(
                    written_seen
                        .lock()
                        .map_err(|_| "poisoned".to_owned())
                        .and_then(|seen| {
                            seen.recv_timeout(Duration::from_secs(20))
                                .unwrap_or_else(|_| {
                                    Err("the other write waited for the import's lock".into())
                                })
                        }),
                );
            }
        })
        .await
        .expect("the import");
    drop(staging);
    writer.await.expect("the writer task");

    assert_eq!(report.created, ROWS as u64);
    assert_eq!(outcome, Some(Ok(())));
    let groups = world.directory.groups(&world.admin).await.expect("groups");
    assert!(groups
        .iter()
        .any(|g| g.name.as_str() == "Written meanwhile"));
}

/// An import staged and written in one transaction writes every row, and
/// drops its stage: importing again on the same connection starts empty.
#[tokio::test]
async fn a_staged_import_is_all_or_nothing_on_both_stores() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let world = World::on(backend).await;
        let csv = "name,email\nAnn Lee,ann@example.com\nBo Chen,bo@example.com\n";
        let report = world
            .directory
            .import_clients(&world.admin, csv, false, &mut |_, _| {})
            .await
            .expect("import");
        assert_eq!(report.created, 2, "{backend:?}");
        // Twice more on the same store: the stage is dropped each time.
        for _ in 0..2 {
            world
                .directory
                .import_clients(&world.admin, csv, false, &mut |_, _| {})
                .await
                .expect("import again");
        }
        let page = world
            .directory
            .list_clients(&world.admin, &Default::default())
            .await
            .expect("list");
        assert_eq!(page.total.count, 6, "{backend:?}");
    }
}
