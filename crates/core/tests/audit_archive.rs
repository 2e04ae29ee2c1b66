//! Retention of the audit log on both stores: old events move to an archive
//! file and out of the store, the log left still verifies, the archive
//! verifies with it (and a changed archive is named), archiving twice keeps
//! one chain, and archiving needs settings.manage as well as audit.view
//! (and unmasked client data).

mod support;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use roster_core::audit::ChainBreak;
use roster_core::directory::Settings;
use roster_core::domain::Permission;
use roster_core::model::AuditQuery;
use roster_core::{Error, Operator};
use support::*;

/// A few audited changes, then the time after them (the next events are
/// later by at least a few milliseconds).
async fn changes_then_time(world: &World, names: &[&str]) -> DateTime<Utc> {
    let group = world.group(&format!("Team {}", names[0]), &[]).await;
    for name in names {
        world.user_in(name, &[group.id]).await;
    }
    between()
}

/// The time now, a few milliseconds after the last event and before the next.
fn between() -> DateTime<Utc> {
    std::thread::sleep(std::time::Duration::from_millis(5));
    let at = Utc::now();
    std::thread::sleep(std::time::Duration::from_millis(5));
    at
}

async fn event_count(world: &World) -> usize {
    world
        .directory
        .audit_events(
            &world.admin,
            &AuditQuery {
                limit: 10_000,
                ..AuditQuery::default()
            },
        )
        .await
        .expect("audit")
        .len()
}

async fn archive_to(world: &World, before: DateTime<Utc>, path: &Path) -> u64 {
    let file = std::fs::File::create(path).expect("archive file");
    world
        .directory
        .archive_audit(&world.admin, before, file)
        .await
        .expect("archived")
        .events
}

async fn verify_with(world: &World, archives: &[&Path]) -> roster_core::audit::Verification {
    world
        .directory
        .verify_audit_with_archives(&world.admin, archives, None)
        .await
        .expect("verify")
}

fn folder() -> (tempfile::TempDir, impl Fn(&str) -> PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let root = dir.path().to_path_buf();
    (dir, move |name: &str| root.join(name))
}

every_store!(archived_events_leave_the_store_and_both_parts_verify);
async fn archived_events_leave_the_store_and_both_parts_verify(backend: Backend) {
    let world = World::on(backend).await;
    let cut = changes_then_time(&world, &["Ann Lee", "Bob Stone"]).await;
    world.group("Latecomers", &[]).await;
    let (_dir, file) = folder();
    let before = event_count(&world).await;
    let archived = archive_to(&world, cut, &file("one.jsonl")).await;
    assert!(
        archived >= 3,
        "the set-up, a group and two users: {archived}"
    );

    // Gone from the store, with one event more: the archive itself.
    assert_eq!(event_count(&world).await, before - archived as usize + 1);
    let newest = world.audit(None).await;
    assert_eq!(newest[0].action, "settings.audit_archive");
    assert!(newest[0]
        .changes
        .iter()
        .any(|c| c.field == "archived_events" && c.after == serde_json::json!(archived)));

    // The log left verifies alone; with the archive, the whole history.
    let alone = world
        .directory
        .verify_audit(&world.admin, None)
        .await
        .expect("verify");
    assert!(alone.intact, "{}", alone.message);
    let whole = verify_with(&world, &[&file("one.jsonl")]).await;
    assert!(whole.intact, "{}", whole.message);
    assert_eq!(whole.archived_events, archived);
    assert_eq!(whole.events, alone.events + archived);
    assert!(
        whole
            .message
            .contains(&format!("({archived} of them archived)")),
        "{}",
        whole.message
    );

    // Nothing older is left.
    let again = world
        .directory
        .audit_archive_plan(&world.admin, Some(cut))
        .await;
    assert!(
        matches!(again, Err(Error::AuditNothingToArchive { .. })),
        "{again:?}"
    );
}

every_store!(a_changed_archive_file_is_named);
async fn a_changed_archive_file_is_named(backend: Backend) {
    let world = World::on(backend).await;
    let cut = changes_then_time(&world, &["Ann Lee", "Bob Stone", "Cy Twombly"]).await;
    let (_dir, file) = folder();
    let path = file("archive.jsonl");
    archive_to(&world, cut, &path).await;
    let text = std::fs::read_to_string(&path).expect("archive");
    let lines: Vec<&str> = text.lines().collect();

    // One event's label edited in the file: that event is named.
    let edited_line = lines[3];
    let edited: serde_json::Value = serde_json::from_str(edited_line).expect("an event line");
    let edited_id = edited["id"].as_i64().expect("an id");
    let label = edited["target_label"].as_str().expect("a label").to_owned();
    let changed = text.replacen(
        edited_line,
        &edited_line.replacen(
            &format!("\"target_label\":\"{label}\""),
            "\"target_label\":\"Mallory\"",
            1,
        ),
        1,
    );
    assert_ne!(changed, text);
    std::fs::write(file("changed.jsonl"), &changed).expect("written");
    let result = verify_with(&world, &[&file("changed.jsonl")]).await;
    match &result.problem {
        Some(ChainBreak::Changed { event }) => assert_eq!(event.id, edited_id),
        other => panic!(
            "expected the edited event, got {other:?}: {}",
            result.message
        ),
    }

    // One event line removed (and the count fixed by hand): the gap is named.
    let mut removed: Vec<&str> = lines.clone();
    removed.remove(2);
    let last = removed.len() - 1;
    let fixed_end = removed[last].replace(
        &format!("\"events\":{}", lines.len() - 2),
        &format!("\"events\":{}", lines.len() - 3),
    );
    removed[last] = &fixed_end;
    std::fs::write(file("removed.jsonl"), removed.join("\n") + "\n").expect("written");
    assert!(matches!(
        verify_with(&world, &[&file("removed.jsonl")]).await.problem,
        Some(ChainBreak::Removed { missing: 1, .. })
    ));

    // Cut short: it no longer ends where the log continues.
    let cut_short = lines[..lines.len() - 2].join("\n") + "\n";
    std::fs::write(file("short.jsonl"), cut_short).expect("written");
    let short = verify_with(&world, &[&file("short.jsonl")]).await;
    assert!(
        matches!(short.problem, Some(ChainBreak::ArchiveDamaged { .. })),
        "{:?}",
        short.problem
    );
    assert!(short.message.contains("cut short"), "{}", short.message);

    // Not an archive at all: a sentence, not a verification.
    std::fs::write(file("notes.jsonl"), "meeting notes\n").expect("written");
    let foreign = world
        .directory
        .verify_audit_with_archives(&world.admin, &[&file("notes.jsonl")], None)
        .await
        .unwrap_err();
    assert!(
        foreign
            .to_string()
            .contains("is not a Roster audit archive"),
        "{foreign}"
    );

    // The untouched file still verifies.
    let untouched = verify_with(&world, &[&path]).await;
    assert!(untouched.intact, "{}", untouched.message);
}

every_store!(archiving_twice_keeps_one_chain);
async fn archiving_twice_keeps_one_chain(backend: Backend) {
    let world = World::on(backend).await;
    let first_cut = changes_then_time(&world, &["Ann Lee"]).await;
    let second_cut = changes_then_time(&world, &["Bob Stone", "Cy Twombly"]).await;
    world.group("Latecomers", &[]).await;
    let (_dir, file) = folder();
    let first = archive_to(&world, first_cut, &file("first.jsonl")).await;
    let second = archive_to(&world, second_cut, &file("second.jsonl")).await;
    assert!(first > 0 && second > 0);

    let alone = world
        .directory
        .verify_audit(&world.admin, None)
        .await
        .expect("verify");
    assert!(alone.intact, "{}", alone.message);
    let both = verify_with(&world, &[&file("first.jsonl"), &file("second.jsonl")]).await;
    assert!(both.intact, "{}", both.message);
    assert_eq!(both.archived_events, first + second);
    // The newer archive alone joins the log too.
    assert!(verify_with(&world, &[&file("second.jsonl")]).await.intact);
    // The older alone does not: the newer one is missing between them.
    assert!(matches!(
        verify_with(&world, &[&file("first.jsonl")]).await.problem,
        Some(ChainBreak::DoesNotJoin { .. })
    ));
    // Nor in the wrong order.
    assert!(
        !verify_with(&world, &[&file("second.jsonl"), &file("first.jsonl")])
            .await
            .intact
    );
}

every_store!(a_changed_log_is_not_archived);
async fn a_changed_log_is_not_archived(backend: Backend) {
    let world = World::on(backend).await;
    let cut = changes_then_time(&world, &["Ann Lee", "Bob Stone"]).await;
    let first_id: i64 = world
        .query_raw("SELECT CAST(min(id) AS TEXT) FROM audit_events")
        .await
        .parse()
        .expect("an id");
    world
        .raw_sql(&format!(
            "UPDATE audit_events SET operator_label = 'mallory@example.com' WHERE id = {first_id}"
        ))
        .await;
    let before = event_count(&world).await;
    let (_dir, file) = folder();
    let error = world
        .directory
        .archive_audit(
            &world.admin,
            cut,
            std::fs::File::create(file("a.jsonl")).expect("file"),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, Error::AuditArchiveBroken { .. }), "{error}");
    assert!(
        error.to_string().ends_with("Nothing was archived."),
        "{error}"
    );
    assert_eq!(event_count(&world).await, before, "nothing removed");
}

every_store!(archiving_needs_settings_manage_and_audit_view_and_the_setting_or_a_date);
async fn archiving_needs_settings_manage_and_audit_view_and_the_setting_or_a_date(
    backend: Backend,
) {
    let world = World::on(backend).await;
    let cut = changes_then_time(&world, &["Ann Lee"]).await;
    let (_dir, file) = folder();
    let refused = |operator: Operator| {
        let world = &world;
        let path = file("refused.jsonl");
        async move {
            world
                .directory
                .archive_audit(&operator, cut, std::fs::File::create(&path).expect("file"))
                .await
        }
    };
    let (_, reader) = world
        .operator_with("Rita Reader", &[Permission::AuditView])
        .await;
    let (_, settings) = world
        .operator_with("Sam Settings", &[Permission::SettingsManage])
        .await;
    let (_, masked) = world
        .masked_operator(&[Permission::SettingsManage, Permission::AuditView])
        .await;
    let before = event_count(&world).await;
    for operator in [reader, settings] {
        assert!(matches!(
            refused(operator).await,
            Err(Error::PermissionDenied { .. })
        ));
    }
    // Both rights, but client data masked: the file would show it unmasked.
    assert!(matches!(
        refused(masked).await,
        Err(Error::ClientDataMasked)
    ));
    assert_eq!(event_count(&world).await, before, "nothing archived");

    // Off by default: the setting's months must be set, or a date named.
    assert!(matches!(
        world.directory.audit_archive_plan(&world.admin, None).await,
        Err(Error::AuditArchiveOff)
    ));
    let current = world
        .directory
        .settings(&world.admin)
        .await
        .expect("settings");
    assert_eq!(current.audit_archive_months, 0);
    let bad = world
        .directory
        .update_settings(
            &world.admin,
            &Settings {
                audit_archive_months: 121,
                ..current.clone()
            },
        )
        .await;
    assert!(matches!(bad, Err(Error::InvalidSetting { .. })), "{bad:?}");
    world
        .directory
        .update_settings(
            &world.admin,
            &Settings {
                audit_archive_months: 6,
                ..current
            },
        )
        .await
        .expect("saved");
    // Nothing here is six months old.
    assert!(matches!(
        world.directory.audit_archive_plan(&world.admin, None).await,
        Err(Error::AuditNothingToArchive { .. })
    ));
}
