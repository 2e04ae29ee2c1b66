//! An account's lifecycle, on both stores: the "valid until" day (set,
//! changed, cleared, audited; an expired account signs in no more with
//! the one error of every failed sign-in, its session ends, the overview
//! shows and filters it, extending the date revives it) and the
//! inactivity rule (accounts with no sign-in for N days disabled at a
//! session's start, never the last enabled administrator nor the
//! session's own operator, and the next administrator told once).

mod support;

use chrono::{Duration, Utc};
use roster_core::directory::{Settings, UserChanges};
use roster_core::domain::{Permission, Status, UserId};
use roster_core::model::User;
use roster_core::password::PlainPassword;
use roster_core::store::{StatusFilter, UserQuery, ADMINISTRATORS};
use roster_core::Error;
use support::*;

fn day(offset: i64) -> String {
    (Utc::now().date_naive() + Duration::days(offset))
        .format("%Y-%m-%d")
        .to_string()
}

async fn sign_in(world: &World, user: &User) -> roster_core::Result<()> {
    world
        .directory
        .sign_in(user.email.as_str(), &PlainPassword::new(GOOD_PASSWORD))
        .await
        .map(drop)
}

async fn set_valid_until(world: &World, user: &User, valid_until: Option<&str>) -> User {
    let current = world.reload(user).await;
    world
        .directory
        .update_user(
            &world.admin,
            user.id,
            UserChanges {
                version: current.version,
                valid_until: Some(valid_until.map(str::to_owned)),
                ..UserChanges::default()
            },
        )
        .await
        .expect("set valid until")
}

async fn emails_with(world: &World, status: Option<StatusFilter>) -> (Vec<String>, u64) {
    let page = world
        .directory
        .list_users(
            &world.admin,
            &UserQuery {
                status,
                ..UserQuery::default()
            },
        )
        .await
        .expect("list");
    assert!(page.total.exact);
    (
        page.users
            .iter()
            .map(|u| u.email.as_str().to_owned())
            .collect(),
        page.total.count,
    )
}

every_store!(valid_until_is_set_changed_cleared_and_each_change_audited);
async fn valid_until_is_set_changed_cleared_and_each_change_audited(backend: Backend) {
    let world = World::on(backend).await;
    let created = world
        .directory
        .create_user(
            &world.admin,
            roster_core::directory::NewUser {
                valid_until: Some(day(30)),
                ..new_user("Cy Contractor", &[ADMINISTRATORS])
            },
        )
        .await
        .unwrap()
        .user;
    assert_eq!(created.valid_until.map(|d| d.as_string()), Some(day(30)));
    assert!(!created.expired);
    let later = set_valid_until(&world, &created, Some(&day(60))).await;
    assert_eq!(later.valid_until.map(|d| d.as_string()), Some(day(60)));
    let cleared = set_valid_until(&world, &created, None).await;
    assert_eq!(cleared.valid_until, None);

    let changes: Vec<(serde_json::Value, serde_json::Value)> = world
        .audit(Some(created.email.as_str()))
        .await
        .into_iter()
        .rev()
        .flat_map(|event| event.changes)
        .filter(|c| c.field == "valid_until")
        .map(|c| (c.before, c.after))
        .collect();
    assert_eq!(
        changes,
        vec![
            (serde_json::Value::Null, serde_json::json!(day(30))),
            (serde_json::json!(day(30)), serde_json::json!(day(60))),
            (serde_json::json!(day(60)), serde_json::Value::Null),
        ]
    );
}

every_store!(an_unreadable_date_is_named_and_changes_nothing);
async fn an_unreadable_date_is_named_and_changes_nothing(backend: Backend) {
    let world = World::on(backend).await;
    let ann = world.user_in("Ann Lee", &[ADMINISTRATORS]).await;
    let before = world.snapshot().await;
    let refused = world
        .directory
        .create_user(
            &world.admin,
            roster_core::directory::NewUser {
                valid_until: Some("31/12/2026".into()),
                ..new_user("Bo Berg", &[ADMINISTRATORS])
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "“31/12/2026” is not a date; write it as YYYY-MM-DD, for example 2026-12-31."
    );
    assert_eq!(refused.field(), Some("valid_until"));
    let refused = world
        .directory
        .update_user(
            &world.admin,
            ann.id,
            UserChanges {
                version: ann.version,
                valid_until: Some(Some("2026-02-30".into())),
                ..UserChanges::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::InvalidDate { .. }), "{refused}");
    assert_eq!(world.snapshot().await, before);
}

every_store!(an_expired_account_fails_to_sign_in_like_any_other_and_a_later_date_revives_it);
async fn an_expired_account_fails_to_sign_in_like_any_other_and_a_later_date_revives_it(
    backend: Backend,
) {
    let world = World::on(backend).await;
    let staff = world.group("Staff", &[Permission::UsersView]).await;
    // A day already past at creation is allowed: the account starts expired.
    let cy = world
        .directory
        .create_user(
            &world.admin,
            roster_core::directory::NewUser {
                valid_until: Some(day(-1)),
                ..new_user("Cy Contractor", &[staff.id])
            },
        )
        .await
        .unwrap()
        .user;
    assert!(cy.expired);
    assert_eq!(cy.status, Status::Enabled);

    let expired = sign_in(&world, &cy).await.unwrap_err();
    let wrong_password = world
        .directory
        .sign_in(
            cy.email.as_str(),
            &PlainPassword::new("not-the-password-at-all"),
        )
        .await
        .unwrap_err();
    assert!(matches!(expired, Error::SignInFailed));
    assert_eq!(expired.to_string(), wrong_password.to_string());
    assert_eq!(expired.code(), wrong_password.code());
    let actions: Vec<String> = world
        .audit(Some(cy.email.as_str()))
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&"auth.sign_in_refused_expired".to_owned()),
        "{actions:?}"
    );

    // Today is still within the date; then the account signs in again.
    set_valid_until(&world, &cy, Some(&day(0))).await;
    sign_in(&world, &cy).await.expect("valid through today");
    set_valid_until(&world, &cy, Some(&day(7))).await;
    sign_in(&world, &cy).await.expect("extended");
}

every_store!(an_operator_whose_date_passes_is_refused_at_the_next_request);
async fn an_operator_whose_date_passes_is_refused_at_the_next_request(backend: Backend) {
    let world = World::on(backend).await;
    let (viewer, operator) = world
        .operator_with("Vi Viewer", &[Permission::UsersView])
        .await;
    world
        .directory
        .list_users(&operator, &UserQuery::default())
        .await
        .expect("while valid");
    set_valid_until(&world, &viewer, Some(&day(-1))).await;
    let refused = world
        .directory
        .list_users(&operator, &UserQuery::default())
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::OperatorInvalid), "{refused}");
}

every_store!(the_overview_shows_expired_users_under_their_own_filter_with_exact_totals);
async fn the_overview_shows_expired_users_under_their_own_filter_with_exact_totals(
    backend: Backend,
) {
    let world = World::on(backend).await;
    let staff = world.group("Staff", &[Permission::UsersView]).await;
    let gone = world.user_in("Gil Gone", &[staff.id]).await;
    let later = world.user_in("Lu Later", &[staff.id]).await;
    let off = world.user_in("Oz Off", &[staff.id]).await;
    world.user_in("Pat Plain", &[staff.id]).await;
    set_valid_until(&world, &gone, Some(&day(-3))).await;
    set_valid_until(&world, &later, Some(&day(3))).await;
    set_valid_until(&world, &off, Some(&day(-3))).await;
    let off = world.reload(&off).await;
    world
        .directory
        .set_status(&world.admin, off.id, Status::Disabled, off.version)
        .await
        .unwrap();

    assert_eq!(
        emails_with(&world, Some(StatusFilter::Expired)).await,
        (vec!["gil.gone@example.com".to_owned()], 1)
    );
    assert_eq!(
        emails_with(&world, Some(StatusFilter::Enabled)).await,
        (
            vec![
                "ada@example.com".to_owned(),
                "lu.later@example.com".to_owned(),
                "pat.plain@example.com".to_owned()
            ],
            3
        )
    );
    assert_eq!(
        emails_with(&world, Some(StatusFilter::Disabled)).await,
        (vec!["oz.off@example.com".to_owned()], 1)
    );
    let everyone = emails_with(&world, None).await;
    assert_eq!(everyone.1, 5);
    let shown = world.reload(&gone).await;
    assert!(shown.expired && shown.status == Status::Enabled);

    // Extending the date brings them back among the enabled.
    set_valid_until(&world, &gone, Some(&day(1))).await;
    assert_eq!(emails_with(&world, Some(StatusFilter::Expired)).await.1, 0);
    assert_eq!(emails_with(&world, Some(StatusFilter::Enabled)).await.1, 4);
}

every_store!(only_an_operator_who_may_edit_the_user_sets_the_date);
async fn only_an_operator_who_may_edit_the_user_sets_the_date(backend: Backend) {
    let world = World::on(backend).await;
    let (_, viewer) = world
        .operator_with("Vi Viewer", &[Permission::UsersView])
        .await;
    let (_, editor) = world
        .operator_with("Ed Editor", &[Permission::UsersView, Permission::UsersEdit])
        .await;
    let (second, _) = world.second_admin("Sam Second").await;
    let before = world.snapshot().await;
    let change = |version| UserChanges {
        version,
        valid_until: Some(Some(day(-1))),
        ..UserChanges::default()
    };
    let refused = world
        .directory
        .update_user(&viewer, second.id, change(second.version))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, Error::PermissionDenied { .. }),
        "{refused}"
    );
    // An editor cannot end an account that holds rights they lack.
    let refused = world
        .directory
        .update_user(&editor, second.id, change(second.version))
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::CannotManage { .. }), "{refused}");
    assert_eq!(world.snapshot().await, before);
}

/// Moves a user's creation and last sign-in back by whole days (`None`:
/// never signed in), past Roster.
async fn age(world: &World, id: UserId, created_days: i64, signed_in_days: Option<i64>) {
    let now = Utc::now();
    let created = (now - Duration::days(created_days)).timestamp_millis();
    let signed_in = signed_in_days.map_or(0, |d| (now - Duration::days(d)).timestamp_millis());
    world
        .raw_sql(&format!(
            "UPDATE users SET created_at = {created}, last_sign_in_at = {signed_in} WHERE id = {}",
            id.0
        ))
        .await;
}

async fn disable_after(world: &World, days: u32) {
    let settings = world.directory.settings(&world.admin).await.unwrap();
    world
        .directory
        .update_settings(
            &world.admin,
            &Settings {
                disable_inactive_after_days: days,
                ..settings
            },
        )
        .await
        .expect("save the inactivity setting");
}

every_store!(accounts_idle_for_the_set_days_are_disabled_when_a_session_starts);
async fn accounts_idle_for_the_set_days_are_disabled_when_a_session_starts(backend: Backend) {
    let world = World::on(backend).await;
    let staff = world.group("Staff", &[Permission::UsersView]).await;
    let idle = world.user_in("Ida Idle", &[staff.id]).await;
    let never = world.user_in("Ned Never", &[staff.id]).await;
    let active = world.user_in("Al Active", &[staff.id]).await;
    let new = world.user_in("Nia New", &[staff.id]).await;
    age(&world, idle.id, 100, Some(40)).await;
    age(&world, never.id, 40, None).await;
    age(&world, active.id, 100, Some(5)).await;
    age(&world, new.id, 5, None).await;
    age(&world, world.admin_id, 100, Some(1)).await;

    // Off by default: nothing happens.
    sign_in(&world, &active).await.unwrap();
    assert_eq!(world.reload(&idle).await.status, Status::Enabled);

    disable_after(&world, 30).await;
    sign_in(&world, &active).await.unwrap();
    for (user, status) in [
        (&idle, Status::Disabled),
        (&never, Status::Disabled),
        (&active, Status::Enabled),
        (&new, Status::Enabled),
    ] {
        assert_eq!(world.reload(user).await.status, status, "{}", user.name);
    }
    let event = world
        .audit(Some(idle.email.as_str()))
        .await
        .into_iter()
        .find(|e| e.action == "user.disable_inactive")
        .expect("audited");
    assert_eq!(event.operator, None);
    let reason = event.changes.iter().find(|c| c.field == "reason").unwrap();
    assert_eq!(reason.after, serde_json::json!("No sign-in for 30 days."));
    let status = event.changes.iter().find(|c| c.field == "status").unwrap();
    assert_eq!(
        (status.before.clone(), status.after.clone()),
        (serde_json::json!("enabled"), serde_json::json!("disabled"))
    );
    // Their sign-in fails like any other.
    assert!(matches!(
        sign_in(&world, &idle).await,
        Err(Error::SignInFailed)
    ));

    // The next administrator is told once; others are not told and reset nothing.
    let (_, viewer) = world
        .operator_with("Vi Viewer", &[Permission::UsersView])
        .await;
    assert_eq!(
        world
            .directory
            .take_inactivity_notice(&viewer)
            .await
            .unwrap(),
        None
    );
    let told = world
        .directory
        .take_inactivity_notice(&world.admin)
        .await
        .unwrap()
        .expect("a notice");
    assert_eq!(told.disabled, 2);
    assert_eq!(
        world
            .directory
            .take_inactivity_notice(&world.admin)
            .await
            .unwrap(),
        None
    );
}

every_store!(the_rule_spares_the_last_enabled_administrator_and_the_sessions_operator);
async fn the_rule_spares_the_last_enabled_administrator_and_the_sessions_operator(
    backend: Backend,
) {
    let world = World::on(backend).await;
    disable_after(&world, 30).await;
    let (old_admin, _) = world.second_admin("Olga Old").await;
    let (_, operator) = world
        .operator_with("Opal Operator", &[Permission::UsersView])
        .await;
    age(&world, world.admin_id, 300, Some(200)).await;
    age(&world, old_admin.id, 300, Some(100)).await;
    age(&world, operator.id(), 300, Some(100)).await;

    let disabled = world
        .directory
        .disable_inactive_accounts(Some(&operator))
        .await
        .unwrap();
    // Of the two idle administrators the one active more recently stays.
    assert_eq!(disabled, 1);
    let admin = world.directory.me(&operator).await.unwrap();
    assert_eq!(admin.user.status, Status::Enabled, "the session's operator");
    let olga = world.directory.user(&operator, old_admin.id).await.unwrap();
    assert_eq!(olga.status, Status::Enabled);
    let ada = world
        .directory
        .user(&operator, world.admin_id)
        .await
        .unwrap();
    assert_eq!(ada.status, Status::Disabled);

    // Nothing more to do: a second run changes nothing.
    assert_eq!(
        world
            .directory
            .disable_inactive_accounts(Some(&operator))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        world.directory.user(&operator, old_admin.id).await.unwrap(),
        olga
    );
}

every_store!(the_inactivity_setting_is_checked_and_audited);
async fn the_inactivity_setting_is_checked_and_audited(backend: Backend) {
    let world = World::on(backend).await;
    let settings = world.directory.settings(&world.admin).await.unwrap();
    assert_eq!(settings.disable_inactive_after_days, 0);
    let refused = world
        .directory
        .update_settings(
            &world.admin,
            &Settings {
                disable_inactive_after_days: 3651,
                ..settings.clone()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::InvalidSetting { .. }), "{refused}");
    disable_after(&world, 90).await;
    let event = world
        .audit(Some("settings"))
        .await
        .into_iter()
        .find(|e| e.action == "settings.update")
        .expect("audited");
    let change = event
        .changes
        .iter()
        .find(|c| c.field == "disable_inactive_after_days")
        .unwrap();
    assert_eq!(
        (change.before.clone(), change.after.clone()),
        (serde_json::json!(0), serde_json::json!(90))
    );
}

every_store!(an_expired_administrator_does_not_count_as_one_who_can_sign_in);
async fn an_expired_administrator_does_not_count_as_one_who_can_sign_in(backend: Backend) {
    let world = World::on(backend).await;
    // Besides the first administrator: one whose day has passed.
    let (old, _) = world.second_admin("Old Admin").await;
    set_valid_until(&world, &old, Some(&day(-1))).await;
    assert!(!world.reload(&old).await.may_sign_in());
    // Someone with every permission, outside Administrators, acts on the
    // first administrator: the only one who may still sign in.
    let (_, other) = world.operator_with("Ulla Users", Permission::ALL).await;
    let first = world
        .directory
        .user(&world.admin, world.admin_id)
        .await
        .unwrap();
    let before = world.snapshot().await;
    let ended = world
        .directory
        .update_user(
            &other,
            first.id,
            UserChanges {
                version: first.version,
                valid_until: Some(Some(day(-1))),
                ..UserChanges::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(ended, Error::LastAdministrator), "{ended:?}");
    let disabled = world
        .directory
        .set_status(&other, first.id, Status::Disabled, first.version)
        .await
        .unwrap_err();
    assert!(matches!(disabled, Error::LastAdministrator), "{disabled:?}");
    let deleted = world
        .directory
        .delete_user(&other, first.id, first.version)
        .await
        .unwrap_err();
    assert!(matches!(deleted, Error::LastAdministrator), "{deleted:?}");
    assert_eq!(world.snapshot().await, before);
    // The expired one is nobody's last administrator: disabled, then deleted.
    let old = world.reload(&old).await;
    world
        .directory
        .set_status(&world.admin, old.id, Status::Disabled, old.version)
        .await
        .expect("disable an expired administrator");
    let old = world.reload(&old).await;
    world
        .directory
        .delete_user(&world.admin, old.id, old.version)
        .await
        .expect("delete");
}
