//! Group services: permission sets, the built-in Administrators group, membership.

mod support;

use roster_core::directory::GroupChanges;
use roster_core::domain::{Permission, PermissionSet};
use roster_core::store::ADMINISTRATORS;
use roster_core::Error;
use support::*;

every_store!(administrators_hold_every_permission_and_cannot_be_deleted_renamed_or_reduced);
async fn administrators_hold_every_permission_and_cannot_be_deleted_renamed_or_reduced(
    backend: Backend,
) {
    let world = World::on(backend).await;
    let groups = world.directory.groups(&world.admin).await.unwrap();
    let admins = groups.iter().find(|g| g.id == ADMINISTRATORS).unwrap();
    assert!(admins.builtin);
    assert_eq!(admins.permissions, PermissionSet::all());
    assert_eq!(admins.member_count, 1);
    let before = world.snapshot().await;

    let delete = world
        .directory
        .delete_group(&world.admin, ADMINISTRATORS, admins.version)
        .await;
    assert!(matches!(delete, Err(Error::BuiltinGroup)), "{delete:?}");
    let rename = world.rename_group(admins, "Admins").await;
    assert!(matches!(rename, Err(Error::BuiltinGroup)), "{rename:?}");
    let reduce = world
        .directory
        .update_group(
            &world.admin,
            ADMINISTRATORS,
            GroupChanges {
                version: admins.version,
                permissions: Some([Permission::UsersView].into_iter().collect()),
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(reduce, Err(Error::BuiltinGroup)), "{reduce:?}");
    assert_eq!(world.snapshot().await, before);

    // Its description may still be written.
    let described = world
        .directory
        .update_group(
            &world.admin,
            ADMINISTRATORS,
            GroupChanges {
                version: admins.version,
                description: Some("Office managers".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(described.description.as_str(), "Office managers");
    assert_eq!(described.permissions, PermissionSet::all());
}

every_store!(group_names_are_unique_ignoring_case);
async fn group_names_are_unique_ignoring_case(backend: Backend) {
    let world = World::on(backend).await;
    world.group("Sales", &[]).await;
    let before = world.snapshot().await;
    let again = world
        .directory
        .create_group(&world.admin, "SALES", "", Default::default())
        .await;
    assert!(
        matches!(again, Err(Error::GroupNameTaken { .. })),
        "{again:?}"
    );
    let admins = world
        .directory
        .create_group(&world.admin, "administrators", "", Default::default())
        .await;
    assert!(
        matches!(admins, Err(Error::GroupNameTaken { .. })),
        "{admins:?}"
    );
    assert_eq!(world.snapshot().await, before);
}

every_store!(a_users_rights_are_the_union_of_their_groups);
async fn a_users_rights_are_the_union_of_their_groups(backend: Backend) {
    let world = World::on(backend).await;
    let viewers = world.group("Viewers", &[Permission::UsersView]).await;
    let auditors = world.group("Auditors", &[Permission::AuditView]).await;
    let both = world.user_in("Bo Both", &[viewers.id, auditors.id]).await;
    let operator = world.directory.act_as(both.email.as_str()).await.unwrap();
    assert!(world
        .directory
        .list_users(&operator, &Default::default())
        .await
        .is_ok());
    assert!(world
        .directory
        .audit_events(&operator, &Default::default())
        .await
        .is_ok());
    let create = world
        .directory
        .create_user(&operator, new_user("Nope Nope", &[viewers.id]))
        .await;
    assert!(matches!(
        create,
        Err(Error::PermissionDenied {
            permission: Permission::UsersCreate
        })
    ));
}

every_store!(permission_changes_apply_to_members_at_once);
async fn permission_changes_apply_to_members_at_once(backend: Backend) {
    let world = World::on(backend).await;
    let team = world.group("Team", &[]).await;
    let member = world.user_in("Mia Member", &[team.id]).await;
    let operator = world.directory.act_as(member.email.as_str()).await.unwrap();
    assert!(world
        .directory
        .list_users(&operator, &Default::default())
        .await
        .is_err());
    let team = world
        .directory
        .update_group(
            &world.admin,
            team.id,
            GroupChanges {
                version: team.version,
                permissions: Some([Permission::UsersView].into_iter().collect()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(world
        .directory
        .list_users(&operator, &Default::default())
        .await
        .is_ok());
    let events = world.audit(Some("Team")).await;
    assert_eq!(events[0].action, "group.update");
    assert_eq!(events[0].changes[0].field, "permissions");
    assert_eq!(
        events[0].changes[0].after,
        serde_json::json!(["users.view"])
    );
    assert_eq!(team.version, 2);
}

every_store!(a_group_manager_cannot_grant_permissions_they_lack);
async fn a_group_manager_cannot_grant_permissions_they_lack(backend: Backend) {
    let world = World::on(backend).await;
    let (_, manager) = world
        .operator_with(
            "Gus Groups",
            &[Permission::GroupsManage, Permission::UsersView],
        )
        .await;
    let before = world.snapshot().await;
    let result = world
        .directory
        .create_group(
            &manager,
            "Power",
            "",
            [Permission::UsersDelete].into_iter().collect(),
        )
        .await;
    assert!(
        matches!(result, Err(Error::CannotGrant { .. })),
        "{result:?}"
    );
    assert_eq!(world.snapshot().await, before);
    assert!(world
        .directory
        .create_group(
            &manager,
            "Readers",
            "",
            [Permission::UsersView].into_iter().collect()
        )
        .await
        .is_ok());
}

every_store!(a_group_with_members_cannot_be_deleted);
async fn a_group_with_members_cannot_be_deleted(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[]).await;
    let ann = world.user_in("Ann Lee", &[sales.id]).await;
    let sales = world
        .directory
        .group_by_name(&world.admin, "sales")
        .await
        .unwrap();
    let result = world
        .directory
        .delete_group(&world.admin, sales.id, sales.version)
        .await;
    match result {
        Err(Error::GroupHasMembers { members, .. }) => assert_eq!(members, 1),
        other => panic!("expected GroupHasMembers, got {other:?}"),
    }
    world
        .directory
        .delete_user(&world.admin, ann.id, ann.version)
        .await
        .unwrap();
    world
        .directory
        .delete_group(&world.admin, sales.id, sales.version)
        .await
        .unwrap();
    let gone = world.directory.group_by_name(&world.admin, "Sales").await;
    assert!(matches!(gone, Err(Error::GroupNotFound { .. })));
}

#[tokio::test]
async fn unknown_permission_codes_are_refused_when_parsed() {
    let result = "users.everything".parse::<Permission>();
    assert!(matches!(result, Err(Error::UnknownPermission { .. })));
}
