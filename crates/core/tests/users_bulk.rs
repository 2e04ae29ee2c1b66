//! Acting on many users at once, on both stores: every one-user rule
//! checked per user (yourself, the last administrator, groups,
//! supervisors, rights), applied only as planned, audited per user, with
//! the kept counts following.

mod support;

use roster_core::directory::{BulkAction, BulkSelection};
use roster_core::domain::{Permission, Status};
use roster_core::store::{UserQuery, ADMINISTRATORS};
use roster_core::Error;
use support::*;

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
