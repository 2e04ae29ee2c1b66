//! The store check on both stores: a sound directory has no finding; each
//! broken invariant, made by hand in the database past Roster, is named in
//! a sentence; `repair` recounts kept counts (audited) and nothing else.

mod support;

use roster_core::directory::StoreCheck;
use roster_core::domain::Permission;
use support::*;

fn kinds(check: &StoreCheck) -> Vec<&'static str> {
    check.findings.iter().map(|finding| finding.kind).collect()
}

every_store!(a_sound_directory_has_no_finding);
async fn a_sound_directory_has_no_finding(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[]).await;
    world.user_in("Ann Lee", &[sales.id]).await;
    let check = world
        .directory
        .check_store(&world.admin, false)
        .await
        .unwrap();
    assert!(check.findings.is_empty(), "{check:?}");
    assert!(check.sound());
    assert!(check.summary.contains("sound"), "{}", check.summary);
}

every_store!(wrong_kept_counts_are_found_and_repair_recounts_them);
async fn wrong_kept_counts_are_found_and_repair_recounts_them(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[]).await;
    world.user_in("Ann Lee", &[sales.id]).await;
    world
        .raw_sql(
            "UPDATE user_counts SET users = 40 WHERE status = 'enabled'; \
             UPDATE groups SET member_count = 7 WHERE name = 'Sales'; \
             UPDATE client_counts SET clients = 3",
        )
        .await;
    let check = world
        .directory
        .check_store(&world.admin, false)
        .await
        .unwrap();
    assert_eq!(kinds(&check), vec!["kept_count"; 3], "{check:?}");
    let messages: Vec<&str> = check.findings.iter().map(|f| f.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("users enabled is 40, but there are 2")),
        "{messages:?}"
    );
    assert!(messages.iter().any(|m| m.contains("members of Sales is 7")));
    assert!(!check.sound());

    let repaired = world
        .directory
        .check_store(&world.admin, true)
        .await
        .unwrap();
    assert!(repaired.findings.iter().all(|f| f.repaired), "{repaired:?}");
    assert!(repaired.sound());
    let again = world
        .directory
        .check_store(&world.admin, false)
        .await
        .unwrap();
    assert!(again.findings.is_empty(), "{again:?}");
    assert_eq!(world.audit(None).await[0].action, "settings.store_repair");
}

every_store!(a_supervisor_circle_and_unnormalised_or_shared_emails_are_named);
async fn a_supervisor_circle_and_unnormalised_or_shared_emails_are_named(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[]).await;
    let ann = world.user_in("Ann Lee", &[sales.id]).await;
    let bob = world.user_in("Bob Ray", &[sales.id]).await;
    let cal = world.user_in("Cal Day", &[sales.id]).await;
    world
        .raw_sql(&format!(
            "UPDATE users SET supervisor_id = {bob} WHERE id = {ann}; \
             UPDATE users SET supervisor_id = {ann} WHERE id = {bob}; \
             UPDATE users SET email_normalized = 'CAL.DAY@EXAMPLE.COM' WHERE id = {cal}",
            ann = ann.id,
            bob = bob.id,
            cal = cal.id
        ))
        .await;
    let check = world
        .directory
        .check_store(&world.admin, true)
        .await
        .unwrap();
    assert_eq!(
        kinds(&check),
        vec!["supervisor_cycle", "email"],
        "{check:?}"
    );
    assert!(check.findings[0].message.contains(&format!("#{}", ann.id)));
    assert!(check.findings[1].message.contains("CAL.DAY@EXAMPLE.COM"));
    assert!(!check.findings[1].repaired, "emails are not repaired");
}

every_store!(no_enabled_administrator_and_a_broken_audit_chain_are_named);
async fn no_enabled_administrator_and_a_broken_audit_chain_are_named(backend: Backend) {
    let world = World::on(backend).await;
    let (_, keeper) = world
        .operator_with(
            "Kim Keeper",
            &[Permission::SettingsManage, Permission::AuditView],
        )
        .await;
    world
        .raw_sql(&format!(
            "UPDATE users SET status = 'disabled' WHERE id = {}; \
             UPDATE audit_events SET operator_label = 'someone else' WHERE seq = 1",
            world.admin_id
        ))
        .await;
    let check = world.directory.check_store(&keeper, false).await.unwrap();
    assert_eq!(
        kinds(&check),
        vec!["no_enabled_administrator", "audit_chain"],
        "{check:?}"
    );
}

every_store!(the_check_needs_settings_manage);
async fn the_check_needs_settings_manage(backend: Backend) {
    let world = World::on(backend).await;
    let (_, viewer) = world
        .operator_with(
            "Vic Viewer",
            &[Permission::UsersView, Permission::AuditView],
        )
        .await;
    let error = world
        .directory
        .check_store(&viewer, true)
        .await
        .unwrap_err();
    assert!(error.is_permission_error(), "{error:?}");
}
