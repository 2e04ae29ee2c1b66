//! The audit log's hash chain on both stores: an untouched log verifies,
//! and a row changed, removed or reordered directly in the database is
//! named; a checkpoint catches a rewrite; concurrent writers never fork
//! the chain; logs written before the chain get one.

mod support;

use roster_core::audit::{ChainBreak, Checkpoint};
use roster_core::directory::{BulkAction, BulkSelection};
use roster_core::domain::{Permission, Status};
use roster_core::model::AuditQuery;
use roster_core::store::UserQuery;
use roster_core::Error;
use support::*;

/// A world with a handful of audited changes; returns the events' ids, oldest first.
async fn busy_world(backend: Backend) -> (World, Vec<i64>) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[Permission::UsersView]).await;
    for name in ["Ann Lee", "Bob Stone", "Cy Twombly"] {
        world.user_in(name, &[sales.id]).await;
    }
    world
        .rename_group(&sales, "Sales team")
        .await
        .expect("rename");
    let mut ids: Vec<i64> = world
        .directory
        .audit_events(
            &world.admin,
            &AuditQuery {
                limit: 1000,
                ..AuditQuery::default()
            },
        )
        .await
        .expect("audit")
        .iter()
        .map(|e| e.id)
        .collect();
    ids.reverse();
    (world, ids)
}

async fn verify(world: &World) -> roster_core::audit::Verification {
    world
        .directory
        .verify_audit(&world.admin, None)
        .await
        .expect("verify")
}

every_store!(an_untouched_log_is_intact);
async fn an_untouched_log_is_intact(backend: Backend) {
    let (world, ids) = busy_world(backend).await;
    let result = verify(&world).await;
    assert!(result.intact, "{}", result.message);
    assert_eq!(result.events, ids.len() as u64);
    assert_eq!(result.message, format!("{} events, intact.", ids.len()));
}

every_store!(an_event_edited_in_the_database_is_named);
async fn an_event_edited_in_the_database_is_named(backend: Backend) {
    let (world, ids) = busy_world(backend).await;
    let edited = ids[ids.len() / 2];
    world
        .raw_sql(&format!(
            "UPDATE audit_events SET target_label = 'someone-else@example.com' WHERE id = {edited}"
        ))
        .await;
    let result = verify(&world).await;
    assert!(!result.intact);
    match &result.problem {
        Some(ChainBreak::Changed { event }) => assert_eq!(event.id, edited),
        other => panic!("expected the edited event, got {other:?}"),
    }
    assert!(
        result.message.contains(&format!("Event {edited} (")),
        "{}",
        result.message
    );
}

every_store!(an_edit_of_the_changes_alone_is_named);
async fn an_edit_of_the_changes_alone_is_named(backend: Backend) {
    let (world, ids) = busy_world(backend).await;
    let edited = ids[1];
    world
        .raw_sql(&format!(
            "UPDATE audit_events SET changes = '[]' WHERE id = {edited}"
        ))
        .await;
    assert!(matches!(
        verify(&world).await.problem,
        Some(ChainBreak::Changed { event }) if event.id == edited
    ));
}

every_store!(removed_events_are_found);
async fn removed_events_are_found(backend: Backend) {
    let (world, ids) = busy_world(backend).await;
    let removed = ids[2];
    world
        .raw_sql(&format!("DELETE FROM audit_events WHERE id = {removed}"))
        .await;
    match verify(&world).await.problem {
        Some(ChainBreak::Removed { event, missing }) => {
            assert_eq!(missing, 1);
            assert_eq!(event.id, ids[3]);
        }
        other => panic!("expected a removal, got {other:?}"),
    }
    let newest = ids[ids.len() - 1];
    world
        .raw_sql(&format!("DELETE FROM audit_events WHERE id = {newest}"))
        .await;
    // The gap in the middle is still the first problem.
    assert!(matches!(
        verify(&world).await.problem,
        Some(ChainBreak::Removed { .. })
    ));
}

every_store!(the_newest_events_removed_are_found);
async fn the_newest_events_removed_are_found(backend: Backend) {
    let (world, ids) = busy_world(backend).await;
    let newest = ids[ids.len() - 1];
    world
        .raw_sql(&format!("DELETE FROM audit_events WHERE id = {newest}"))
        .await;
    assert_eq!(
        verify(&world).await.problem,
        Some(ChainBreak::NewestRemoved { missing: 1 })
    );
}

every_store!(reordered_events_are_found);
async fn reordered_events_are_found(backend: Backend) {
    let (world, ids) = busy_world(backend).await;
    let (a, b) = (ids[2], ids[3]);
    world
        .raw_sql(&format!(
            "CREATE TEMPORARY TABLE swap AS SELECT id, seq FROM audit_events WHERE id IN ({a}, {b}); \
             UPDATE audit_events SET seq = seq + 1000000 WHERE id IN ({a}, {b}); \
             UPDATE audit_events SET seq = (SELECT s.seq FROM swap s WHERE s.id <> audit_events.id) \
             WHERE id IN ({a}, {b});"
        ))
        .await;
    match verify(&world).await.problem {
        Some(ChainBreak::Reordered { event }) => assert_eq!(event.id, b),
        other => panic!("expected a reordering, got {other:?}"),
    }
}

every_store!(a_row_added_outside_roster_is_found);
async fn a_row_added_outside_roster_is_found(backend: Backend) {
    let (world, _) = busy_world(backend).await;
    world
        .raw_sql(
            "INSERT INTO audit_events (at, operator_label, action, target_kind, target_label, \
             target_label_normalized, changes) VALUES (0, 'x', 'user.create', 'user', 'x', 'x', '[]')",
        )
        .await;
    assert!(matches!(
        verify(&world).await.problem,
        Some(ChainBreak::Unchained { .. })
    ));
}

every_store!(a_checkpoint_catches_a_rewritten_chain);
async fn a_checkpoint_catches_a_rewritten_chain(backend: Backend) {
    let (world, ids) = busy_world(backend).await;
    let checkpoint = world
        .directory
        .audit_checkpoint(&world.admin)
        .await
        .expect("checkpoint");
    assert_eq!(checkpoint.events, ids.len() as i64);
    let file = Checkpoint::parse(checkpoint.to_file_text().as_bytes()).expect("reads back");
    let against = world
        .directory
        .verify_audit(&world.admin, Some(file.clone()))
        .await
        .expect("verify");
    assert!(against.intact, "{}", against.message);
    assert_eq!(against.checkpoint_matched, Some(true));

    // Someone removes the newest event and makes the head agree: the chain
    // alone looks intact, the checkpoint does not.
    let newest = ids[ids.len() - 1];
    world
        .raw_sql(&format!(
            "DELETE FROM audit_events WHERE id = {newest}; \
             UPDATE audit_chain SET events = events - 1, \
             last_hash = (SELECT hash FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events));"
        ))
        .await;
    assert!(verify(&world).await.intact);
    let against = world
        .directory
        .verify_audit(&world.admin, Some(file.clone()))
        .await
        .expect("verify");
    assert!(matches!(
        against.problem,
        Some(ChainBreak::CheckpointAhead { .. })
    ));

    // … and writes on: the log is as long as the checkpoint again, but its
    // newest events are not the ones checkpointed.
    world.group("Later", &[]).await;
    assert!(verify(&world).await.intact);
    let against = world
        .directory
        .verify_audit(&world.admin, Some(file))
        .await
        .expect("verify");
    assert_eq!(
        against.problem,
        Some(ChainBreak::CheckpointMismatch {
            seq: ids.len() as i64
        })
    );
}

every_store!(a_broken_chain_gets_no_checkpoint);
async fn a_broken_chain_gets_no_checkpoint(backend: Backend) {
    let (world, ids) = busy_world(backend).await;
    world
        .raw_sql(&format!(
            "UPDATE audit_events SET action = 'user.enable' WHERE id = {}",
            ids[0]
        ))
        .await;
    let error = world
        .directory
        .audit_checkpoint(&world.admin)
        .await
        .expect_err("refused");
    assert!(matches!(error, Error::AuditChainBroken { .. }), "{error}");
}

every_store!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    concurrent_writers_never_fork_the_chain
);
async fn concurrent_writers_never_fork_the_chain(backend: Backend) {
    let world = World::on(backend).await;
    let other = std::sync::Arc::new(world.another_instance().await);
    let admin = world.admin;
    let mut tasks = Vec::new();
    for n in 0..12 {
        let directory = other.clone();
        tasks.push(tokio::spawn(async move {
            directory
                .create_group(&admin, &format!("Team {n}"), "", Default::default())
                .await
                .map(drop)
        }));
    }
    for n in 0..12 {
        world.group(&format!("Crew {n}"), &[]).await;
    }
    for task in tasks {
        task.await.expect("joined").expect("created");
    }
    let result = verify(&world).await;
    assert!(result.intact, "{}", result.message);
    let events = world.audit(None).await.len() as u64;
    assert_eq!(result.events, events);
}

every_store!(a_bulk_actions_events_are_chained_in_batches_in_order);
async fn a_bulk_actions_events_are_chained_in_batches_in_order(backend: Backend) {
    let (world, _) = busy_world(backend).await;
    // More users than one batch of appends holds, so the chain crosses
    // from one batch to the next, between single appends.
    roster_core::bench::seed(world.directory.store().as_ref(), 2_300, 2_300, |_| {})
        .await
        .expect("seed");
    let before = world.audit(None).await.len();
    let selection = BulkSelection::Matching(UserQuery {
        status: Some(Status::Enabled.into()),
        ..UserQuery::default()
    });
    let report = world
        .directory
        .apply_bulk(&world.admin, &selection, BulkAction::Disable)
        .await
        .expect("bulk disable");
    assert!(report.applied > 2_000, "{}", report.applied);
    world.group("After the bulk action", &[]).await;
    let result = verify(&world).await;
    assert!(result.intact, "{}", result.message);
    let events = world.audit(None).await;
    assert_eq!(events.len(), before + report.applied as usize + 1);
    assert_eq!(result.events, events.len() as u64);
    // Newest first: the group, then the disabled users, each once.
    assert_eq!(events[0].action, "group.create");
    let disabled: std::collections::HashSet<_> = events[1..=report.applied as usize]
        .iter()
        .map(|e| {
            assert_eq!(e.action, "user.disable");
            e.target_id
        })
        .collect();
    assert_eq!(disabled.len(), report.applied as usize);
    // An edit inside the second batch is named.
    let edited = events[100].id;
    world
        .raw_sql(&format!(
            "UPDATE audit_events SET target_label = 'x@example.com' WHERE id = {edited}"
        ))
        .await;
    match verify(&world).await.problem {
        Some(ChainBreak::Changed { event }) => assert_eq!(event.id, edited),
        other => panic!("expected the edited event, got {other:?}"),
    }
}

every_store!(a_log_written_before_the_chain_gets_one);
async fn a_log_written_before_the_chain_gets_one(backend: Backend) {
    let (world, ids) = busy_world(backend).await;
    // The log as schema V5 left it: no places, no hashes, an unchained head.
    world
        .raw_sql(
            "UPDATE audit_events SET seq = NULL, hash = NULL, category = NULL, \
             operator_label_normalized = NULL; \
             UPDATE audit_chain SET events = 0, chained = false, \
             last_hash = '0000000000000000000000000000000000000000000000000000000000000000';",
        )
        .await;
    assert!(matches!(
        verify(&world).await.problem,
        Some(ChainBreak::Unchained { .. })
    ));
    let reopened = world.another_instance().await;
    let result = reopened
        .verify_audit(&world.admin, None)
        .await
        .expect("verify");
    assert!(result.intact, "{}", result.message);
    assert_eq!(result.events, ids.len() as u64);
    // And it goes on from there.
    world.group("After", &[]).await;
    assert!(verify(&world).await.intact);
}

every_store!(verifying_needs_audit_view);
async fn verifying_needs_audit_view(backend: Backend) {
    let world = World::on(backend).await;
    let (_, viewer) = world
        .operator_with("Una Viewer", &[Permission::UsersView])
        .await;
    let denied =
        |result: roster_core::Result<_>| matches!(result, Err(Error::PermissionDenied { .. }));
    assert!(denied(
        world.directory.verify_audit(&viewer, None).await.map(drop)
    ));
    assert!(denied(
        world.directory.audit_checkpoint(&viewer).await.map(drop)
    ));
    let (_, auditor) = world
        .operator_with("Avi Auditor", &[Permission::AuditView])
        .await;
    assert!(
        world
            .directory
            .verify_audit(&auditor, None)
            .await
            .expect("verify")
            .intact
    );
}
