//! The recycle bin, on both stores: a deleted user (one at a time or in
//! bulk) is kept restorable for the setting's days; a restore brings back
//! the same id with groups, supervisor, two-factor enrolment, password and
//! history; the address is free to reuse meanwhile, and a restore is then
//! refused, as when a group or the supervisor is gone (unless asked to go
//! without); "Delete permanently" and the end of the period purge; rights
//! and masking apply to every path; with the setting at 0 nothing is kept.

mod support;

use roster_core::directory::{BulkAction, BulkSelection, RestoreOptions, Settings, UserChanges};
use roster_core::domain::{Permission, UserId};
use roster_core::model::User;
use roster_core::password::PlainPassword;
use roster_core::store::ADMINISTRATORS;
use roster_core::Error;
use support::*;

async fn delete(world: &World, user: &User) {
    let current = world.reload(user).await;
    world
        .directory
        .delete_user(&world.admin, user.id, current.version)
        .await
        .expect("delete");
}

async fn bin_ids(world: &World) -> Vec<UserId> {
    world
        .directory
        .deleted_users(&world.admin, None, 500)
        .await
        .expect("bin")
        .users
        .iter()
        .map(|u| u.id)
        .collect()
}

async fn set_bin_days(world: &World, days: u32) {
    let settings = world.directory.settings(&world.admin).await.unwrap();
    world
        .directory
        .update_settings(
            &world.admin,
            &Settings {
                recycle_bin_days: days,
                ..settings
            },
        )
        .await
        .expect("settings");
}

/// Makes `boss` the supervisor of `user`.
async fn report_to(world: &World, user: &User, boss: &User) -> User {
    let current = world.reload(user).await;
    world
        .directory
        .update_user(
            &world.admin,
            user.id,
            UserChanges {
                version: current.version,
                supervisor: Some(Some(boss.id)),
                ..UserChanges::default()
            },
        )
        .await
        .expect("set the supervisor")
}

every_store!(a_restored_user_comes_back_whole_under_the_same_id);
async fn a_restored_user_comes_back_whole_under_the_same_id(backend: Backend) {
    let world = World::on(backend).await;
    let staff = world.group("Staff", &[Permission::UsersView]).await;
    let boss = world.user_in("Bea Boss", &[staff.id]).await;
    let ann = world.user_in("Ann Lee", &[staff.id, ADMINISTRATORS]).await;
    let ann = report_to(&world, &ann, &boss).await;
    let report = world.user_in("Ray Report", &[staff.id]).await;
    report_to(&world, &report, &ann).await;

    world
        .execute_raw(&format!(
            "INSERT INTO totp_enrolments (user_id, secret, confirmed, last_step, created_at) \
             VALUES ({id}, 'JBSWY3DPEHPK3PXP', TRUE, 7, 0); \
             INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES ({id}, 'hash-one', NULL);",
            id = ann.id.0
        ))
        .await;
    delete(&world, &ann).await;
    let page = world
        .directory
        .deleted_users(&world.admin, None, 50)
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.keep_days, 30);
    let listed = &page.users[0];
    assert_eq!(
        (listed.id, listed.email.as_str()),
        (ann.id, ann.email.as_str())
    );
    assert_eq!(
        listed.groups,
        vec!["Administrators".to_owned(), "Staff".to_owned()]
    );
    let admin = world
        .directory
        .user(&world.admin, world.admin_id)
        .await
        .unwrap();
    assert_eq!(listed.deleted_by, admin.email.as_str());
    assert_eq!(
        listed.purge_at - listed.deleted_at,
        chrono::Duration::days(30)
    );
    // Gone from everywhere else: no sign-in, no overview, no lookup.
    assert!(world.directory.user(&world.admin, ann.id).await.is_err());
    assert!(world
        .directory
        .sign_in(ann.email.as_str(), &PlainPassword::new(GOOD_PASSWORD))
        .await
        .is_err());

    let restored = world
        .directory
        .restore_user(&world.admin, ann.id, RestoreOptions::default())
        .await
        .expect("restore");
    assert_eq!(restored.id, ann.id);
    assert_eq!(restored.email, ann.email);
    assert_eq!(restored.groups, ann.groups);
    assert_eq!(restored.supervisor.map(|s| s.id), Some(boss.id));
    assert_eq!(restored.two_factor, ann.two_factor);
    assert_eq!(restored.created_at, ann.created_at);
    assert!(restored.version > ann.version);
    // The report was released at the delete and stays so.
    assert_eq!(world.reload(&report).await.supervisor, None);
    // The old password works again, and the bin is empty.
    world
        .directory
        .sign_in(ann.email.as_str(), &PlainPassword::new(GOOD_PASSWORD))
        .await
        .expect("the restored user signs in");
    assert!(bin_ids(&world).await.is_empty());
    // Found again by a search, short and long.
    for text in ["An", "lee"] {
        let found = world
            .directory
            .list_users(
                &world.admin,
                &roster_core::store::UserQuery {
                    search: Some(text.into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(
            found.users.iter().any(|u| u.id == ann.id),
            "{text}: {:?}",
            found.users
        );
    }
    // The authenticator enrolment and recovery codes came back with them.
    let id = ann.id.0;
    assert_eq!(
        world
            .query_raw(&format!(
                "SELECT CAST(last_step AS TEXT) FROM totp_enrolments WHERE user_id = {id}"
            ))
            .await,
        "7"
    );
    assert_eq!(
        world
            .query_raw(&format!(
                "SELECT CAST(count(*) AS TEXT) FROM recovery_codes WHERE user_id = {id}"
            ))
            .await,
        "1"
    );
    // History: create, delete and restore all name the same id.
    let actions: Vec<(String, Option<i64>)> = world
        .audit(Some(ann.email.as_str()))
        .await
        .into_iter()
        .filter(|e| e.action.starts_with("user."))
        .map(|e| (e.action, e.target_id))
        .collect();
    for action in ["user.create", "user.delete", "user.restore"] {
        assert!(
            actions.contains(&(action.to_owned(), Some(ann.id.0))),
            "{action} in {actions:?}"
        );
    }
}

every_store!(a_deleted_users_address_is_free_and_a_restore_then_refused);
async fn a_deleted_users_address_is_free_and_a_restore_then_refused(backend: Backend) {
    let world = World::on(backend).await;
    let ann = world.user_in("Ann Lee", &[ADMINISTRATORS]).await;
    delete(&world, &ann).await;
    let again = world.user_in("Ann Lee", &[ADMINISTRATORS]).await;
    assert_eq!(again.email, ann.email);
    assert_ne!(again.id, ann.id);
    let before = world.snapshot().await;
    let refused = world
        .directory
        .restore_user(&world.admin, ann.id, RestoreOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(refused, Error::RestoreEmailTaken { .. }),
        "{refused:?}"
    );
    assert!(refused.to_string().contains(ann.email.as_str()));
    assert_eq!(world.snapshot().await, before);
    assert_eq!(bin_ids(&world).await, vec![ann.id]);
    // Once the new holder is gone too, the first comes back.
    delete(&world, &again).await;
    world
        .directory
        .restore_user(&world.admin, ann.id, RestoreOptions::default())
        .await
        .expect("restore once the address is free");
    assert_eq!(bin_ids(&world).await, vec![again.id]);
}

every_store!(a_restore_is_refused_when_a_group_or_the_supervisor_is_gone);
async fn a_restore_is_refused_when_a_group_or_the_supervisor_is_gone(backend: Backend) {
    let world = World::on(backend).await;
    let temp = world.group("Temp", &[Permission::UsersView]).await;
    let staff = world.group("Staff", &[Permission::UsersView]).await;
    let ann = world.user_in("Ann Lee", &[temp.id, staff.id]).await;
    delete(&world, &ann).await;
    world
        .directory
        .delete_group(&world.admin, temp.id, temp.version)
        .await
        .expect("an empty group can go");
    let before = world.snapshot().await;
    let refused = world
        .directory
        .restore_user(&world.admin, ann.id, RestoreOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(refused, Error::RestoreGroupGone { missing: 1, .. }),
        "{refused:?}"
    );
    assert_eq!(world.snapshot().await, before);
    let listed = world
        .directory
        .deleted_users(&world.admin, None, 50)
        .await
        .unwrap();
    assert_eq!(listed.users[0].missing_groups, 1);

    // A supervisor purged from the bin: refused, unless asked to go without.
    let boss = world.user_in("Bea Boss", &[staff.id]).await;
    let ray = world.user_in("Ray Report", &[staff.id]).await;
    report_to(&world, &ray, &boss).await;
    delete(&world, &ray).await;
    delete(&world, &boss).await;
    world
        .directory
        .purge_deleted_user(&world.admin, boss.id)
        .await
        .expect("purge");
    let refused = world
        .directory
        .restore_user(&world.admin, ray.id, RestoreOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(refused, Error::RestoreSupervisorGone { .. }),
        "{refused:?}"
    );
    let restored = world
        .directory
        .restore_user(
            &world.admin,
            ray.id,
            RestoreOptions {
                without_missing_supervisor: true,
            },
        )
        .await
        .expect("restore without the supervisor");
    assert_eq!(restored.supervisor, None);
    // A purged user is gone for good.
    assert!(matches!(
        world
            .directory
            .restore_user(&world.admin, boss.id, RestoreOptions::default())
            .await,
        Err(Error::DeletedUserNotFound)
    ));
    let purges = world
        .audit(Some(boss.email.as_str()))
        .await
        .into_iter()
        .filter(|e| e.action == "user.purge")
        .count();
    assert_eq!(purges, 1);
}

every_store!(the_bin_obeys_rights_and_masking);
async fn the_bin_obeys_rights_and_masking(backend: Backend) {
    let world = World::on(backend).await;
    let staff = world.group("Staff", &[Permission::UsersView]).await;
    let ann = world.user_in("Ann Lee", &[staff.id]).await;
    let admin_user = world.user_in("Otto Admin", &[ADMINISTRATORS]).await;
    delete(&world, &ann).await;
    delete(&world, &admin_user).await;

    // Viewing users is not enough to see or touch the bin.
    let (_, viewer) = world
        .operator_with("Vic Viewer", &[Permission::UsersView])
        .await;
    for refused in [
        world
            .directory
            .deleted_users(&viewer, None, 50)
            .await
            .map(drop),
        world
            .directory
            .restore_user(&viewer, ann.id, RestoreOptions::default())
            .await
            .map(drop),
        world.directory.purge_deleted_user(&viewer, ann.id).await,
    ] {
        assert!(
            matches!(refused, Err(Error::PermissionDenied { .. })),
            "{refused:?}"
        );
    }

    // One who may delete users, without the administrators' rights, cannot
    // bring an administrator back; a masked one, nobody unmasked.
    let (_, deleter) = world
        .operator_with(
            "Del Deleter",
            &[Permission::UsersView, Permission::UsersDelete],
        )
        .await;
    assert!(matches!(
        world
            .directory
            .restore_user(&deleter, admin_user.id, RestoreOptions::default())
            .await,
        Err(Error::CannotGrant { .. })
    ));
    let (_, masked) = world
        .masked_operator(&[Permission::UsersView, Permission::UsersDelete])
        .await;
    assert!(!ann.mask_client_data);
    assert!(matches!(
        world
            .directory
            .restore_user(&masked, ann.id, RestoreOptions::default())
            .await,
        Err(Error::CannotManage { .. })
    ));
    assert!(matches!(
        world.directory.purge_deleted_user(&masked, ann.id).await,
        Err(Error::CannotManage { .. })
    ));
    assert_eq!(bin_ids(&world).await.len(), 2);
    world
        .directory
        .restore_user(&deleter, ann.id, RestoreOptions::default())
        .await
        .expect("a plain user comes back");
}

every_store!(bulk_deletes_go_to_the_bin_and_the_period_purges_them);
async fn bulk_deletes_go_to_the_bin_and_the_period_purges_them(backend: Backend) {
    let world = World::on(backend).await;
    let staff = world.group("Staff", &[Permission::UsersView]).await;
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(
            world
                .user_in(&format!("Temp Worker{n}"), &[staff.id])
                .await
                .id,
        );
    }
    let report = world
        .directory
        .apply_bulk(
            &world.admin,
            &BulkSelection::Ids(ids.clone()),
            BulkAction::Delete,
        )
        .await
        .expect("bulk delete");
    assert_eq!(report.applied, 5);
    let mut binned = bin_ids(&world).await;
    binned.sort();
    assert_eq!(binned, ids);

    // Nothing is due yet; once the period is shorter than their age, they go.
    assert_eq!(world.directory.purge_recycle_bin().await.unwrap(), 0);
    world
        .execute_raw("UPDATE deleted_users SET deleted_at = deleted_at - 2678400000")
        .await;
    assert_eq!(world.directory.purge_recycle_bin().await.unwrap(), 5);
    assert!(bin_ids(&world).await.is_empty());
    let purge = world
        .audit(None)
        .await
        .into_iter()
        .find(|e| e.action == "user.purge")
        .expect("audited");
    assert_eq!(purge.operator_label, "Roster (recycle bin)");
    assert_eq!(
        world
            .query_raw("SELECT CAST(count(*) AS TEXT) FROM deleted_users")
            .await,
        "0"
    );
}

every_store!(with_the_bin_off_a_delete_is_for_good);
async fn with_the_bin_off_a_delete_is_for_good(backend: Backend) {
    let world = World::on(backend).await;
    let ann = world.user_in("Ann Lee", &[ADMINISTRATORS]).await;
    let bo = world.user_in("Bo Kept", &[ADMINISTRATORS]).await;
    delete(&world, &bo).await;
    set_bin_days(&world, 0).await;
    delete(&world, &ann).await;
    // What the bin held goes at the next purge; the new delete never went in.
    assert_eq!(bin_ids(&world).await, vec![bo.id]);
    assert_eq!(world.directory.purge_recycle_bin().await.unwrap(), 1);
    assert!(bin_ids(&world).await.is_empty());
    assert!(matches!(
        world
            .directory
            .restore_user(&world.admin, ann.id, RestoreOptions::default())
            .await,
        Err(Error::DeletedUserNotFound)
    ));
    let refused = world
        .directory
        .update_settings(
            &world.admin,
            &Settings {
                recycle_bin_days: 366,
                ..world.directory.settings(&world.admin).await.unwrap()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(refused, Error::InvalidSetting { .. }),
        "{refused:?}"
    );
}
