//! Team scope, on both stores: a right on users granted for "their team"
//! reaches the holder and their reports, direct and indirect, and nobody
//! else, in every path (overview, search, one user, lookups, export, bulk);
//! nobody moves a person out of their own team (supervisor, creation,
//! deletion of someone with reports); a team-scoped right never widens
//! into one for everyone; and the supervisor tree's ancestors table, kept by
//! the database's triggers, matches the supervisors through every kind of
//! move.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use roster_core::directory::{
    BulkAction, BulkSelection, GroupChanges, NewUser, UserChanges, UserRights,
};
use roster_core::domain::{Grant, GroupId, Permission, PermissionSet, UserId};
use roster_core::model::{Group, User};
use roster_core::sheet::SheetFormat;
use roster_core::store::{StatusFilter, UserQuery, ADMINISTRATORS};
use roster_core::{Error, Operator};
use support::*;

fn grants(texts: &[&str]) -> PermissionSet {
    texts
        .iter()
        .map(|text| Grant::parse(text).unwrap_or_else(|| panic!("{text} is a grant")))
        .collect()
}

async fn group_of(world: &World, name: &str, texts: &[&str]) -> Group {
    world
        .directory
        .create_group(&world.admin, name, "", grants(texts))
        .await
        .expect("create group")
}

async fn user_under(world: &World, name: &str, groups: &[GroupId], boss: Option<&User>) -> User {
    world
        .directory
        .create_user(
            &world.admin,
            NewUser {
                supervisor: boss.map(|b| b.id),
                ..new_user(name, groups)
            },
        )
        .await
        .expect("create user")
        .user
}

async fn act_as(world: &World, user: &User) -> Operator {
    world
        .directory
        .act_as(user.email.as_str())
        .await
        .expect("act as")
}

async fn names_seen(world: &World, operator: &Operator, query: UserQuery) -> Vec<String> {
    let page = world
        .directory
        .list_users(operator, &query)
        .await
        .expect("list");
    page.users
        .iter()
        .map(|u| u.name.as_str().to_owned())
        .collect()
}

/// Lena leads Tom, who leads Tia; Otto leads Olga, outside Lena's team.
struct Org {
    lena: User,
    tom: User,
    tia: User,
    otto: User,
    olga: User,
    staff: Group,
}

async fn org(world: &World, lead_grants: &[&str]) -> Org {
    let staff = world.group("Staff", &[]).await;
    let leads = group_of(world, "Team leads", lead_grants).await;
    let lena = user_under(world, "Lena Lead", &[leads.id], None).await;
    let tom = user_under(world, "Tom Report", &[staff.id], Some(&lena)).await;
    let tia = user_under(world, "Tia Indirect", &[staff.id], Some(&tom)).await;
    let otto = user_under(world, "Otto Outside", &[staff.id], None).await;
    let olga = user_under(world, "Olga Outside", &[staff.id], Some(&otto)).await;
    Org {
        lena,
        tom,
        tia,
        otto,
        olga,
        staff,
    }
}

const TEAM_LEAD: &[&str] = &[
    "users.view:team",
    "users.create:team",
    "users.edit:team",
    "users.disable:team",
    "users.delete:team",
    "users.credentials:team",
];

fn not_found(result: Result<impl std::fmt::Debug, Error>) -> bool {
    matches!(result, Err(Error::UserNotFound { .. }))
}

every_store!(a_team_lead_sees_only_their_team_in_every_path);
async fn a_team_lead_sees_only_their_team_in_every_path(backend: Backend) {
    let world = World::on(backend).await;
    let org = org(&world, TEAM_LEAD).await;
    let lead = act_as(&world, &org.lena).await;

    let page = world
        .directory
        .list_users(&lead, &UserQuery::default())
        .await
        .expect("overview");
    let names: Vec<&str> = page.users.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["Lena Lead", "Tia Indirect", "Tom Report"]);
    assert_eq!((page.total.count, page.total.exact), (3, true));
    // The total counted in full is the team's too, however it is asked.
    for search in [None, Some("o"), Some("example.com")] {
        let query = UserQuery {
            search: search.map(Into::into),
            ..UserQuery::default()
        };
        let counted = world
            .directory
            .count_users(&lead, &query)
            .await
            .expect("count");
        let seen = names_seen(&world, &lead, query).await;
        assert_eq!(counted.count, seen.len() as u64, "{search:?}: {seen:?}");
    }

    // Search, filters and sorts stay inside the team.
    for search in ["o", "ot", "Otto", "outside", "olga@example"] {
        let query = UserQuery {
            search: Some(search.into()),
            ..UserQuery::default()
        };
        let seen = names_seen(&world, &lead, query).await;
        assert!(
            seen.iter().all(|n| !n.contains("Outside")),
            "{search}: {seen:?}"
        );
    }
    let query = UserQuery {
        group: Some(org.staff.id),
        status: Some(StatusFilter::Enabled),
        sort: roster_core::store::SortField::Email,
        direction: roster_core::store::Direction::Desc,
        ..UserQuery::default()
    };
    assert_eq!(
        names_seen(&world, &lead, query).await,
        ["Tom Report", "Tia Indirect"]
    );
    // A caller cannot widen the query: the core sets the team itself.
    let forged = UserQuery {
        team_of: Some(org.otto.id),
        ..UserQuery::default()
    };
    assert_eq!(names_seen(&world, &lead, forged).await.len(), 3);
    // Asking for the outsider's reports finds nobody.
    let theirs = UserQuery {
        supervisor: Some(org.otto.id),
        ..UserQuery::default()
    };
    assert!(names_seen(&world, &lead, theirs).await.is_empty());

    // One user, by id or by email, and the handle actions use.
    assert!(world.directory.user(&lead, org.tia.id).await.is_ok());
    assert!(not_found(world.directory.user(&lead, org.otto.id).await));
    assert!(not_found(
        world
            .directory
            .user_by_email(&lead, org.olga.email.as_str())
            .await
    ));
    assert!(not_found(
        world
            .directory
            .user_handle(&lead, org.otto.email.as_str())
            .await
    ));
    assert!(world
        .directory
        .user_handle(&lead, org.tia.email.as_str())
        .await
        .is_ok());

    // The export writes the team and nobody else.
    let mut csv = Vec::new();
    let written = world
        .directory
        .export_users(&lead, &UserQuery::default(), SheetFormat::Csv, &mut csv)
        .await
        .expect("export");
    let csv = String::from_utf8(csv).expect("utf-8");
    assert_eq!(written, 3);
    assert!(csv.contains("tia.indirect@example.com"));
    assert!(!csv.contains("otto") && !csv.contains("olga"), "{csv}");

    // Bulk: "all matching" is the team; ticked outsiders are not there.
    let plan = world
        .directory
        .plan_bulk(
            &lead,
            &BulkSelection::Matching(UserQuery::default()),
            BulkAction::RequirePasswordChange,
        )
        .await
        .expect("plan");
    assert_eq!(plan.selected, 3);
    let plan = world
        .directory
        .plan_bulk(
            &lead,
            &BulkSelection::Ids(vec![org.otto.id, org.olga.id, org.tom.id]),
            BulkAction::Disable,
        )
        .await
        .expect("plan");
    assert_eq!((plan.selected, plan.applicable), (1, 1));

    // Every action on an outsider is refused as if they did not exist,
    // and changes nothing.
    let before = world.snapshot().await;
    let otto = world.reload(&org.otto).await;
    let edit = UserChanges {
        version: otto.version,
        name: Some("Otto Renamed".into()),
        ..UserChanges::default()
    };
    assert!(not_found(
        world.directory.update_user(&lead, otto.id, edit).await
    ));
    assert!(not_found(
        world
            .directory
            .set_status(
                &lead,
                otto.id,
                roster_core::domain::Status::Disabled,
                otto.version
            )
            .await
    ));
    assert!(not_found(
        world
            .directory
            .delete_user(&lead, otto.id, otto.version)
            .await
    ));
    assert!(not_found(
        world
            .directory
            .reset_password(&lead, otto.id, password("An0ther-long-passw0rd!"), true)
            .await
    ));
    assert!(not_found(
        world.directory.reset_two_factor(&lead, otto.id).await
    ));
    assert!(not_found(world.directory.unlock_user(&lead, otto.id).await));
    let report = world
        .directory
        .apply_bulk(
            &lead,
            &BulkSelection::Ids(vec![otto.id]),
            BulkAction::Disable,
        )
        .await
        .expect("bulk");
    assert_eq!(report.applied, 0);
    assert_eq!(world.snapshot().await, before);

    // Inside the team the same actions work.
    let tia = world.reload(&org.tia).await;
    world
        .directory
        .set_status(
            &lead,
            tia.id,
            roster_core::domain::Status::Disabled,
            tia.version,
        )
        .await
        .expect("disable a report");
    world
        .directory
        .reset_password(&lead, org.tom.id, password("An0ther-long-passw0rd!"), true)
        .await
        .expect("reset a report's password");
}

every_store!(nobody_is_moved_out_of_a_team_by_its_lead);
async fn nobody_is_moved_out_of_a_team_by_its_lead(backend: Backend) {
    let world = World::on(backend).await;
    let org = org(&world, TEAM_LEAD).await;
    let lead = act_as(&world, &org.lena).await;
    let before = world.snapshot().await;

    // A supervisor outside the team, or none, is refused.
    for supervisor in [Some(org.otto.id), None] {
        let tia = world.reload(&org.tia).await;
        let result = world
            .directory
            .update_user(
                &lead,
                tia.id,
                UserChanges {
                    version: tia.version,
                    supervisor: Some(supervisor),
                    ..UserChanges::default()
                },
            )
            .await;
        assert!(
            matches!(result, Err(Error::OutsideTeam { .. })),
            "{result:?}"
        );
        assert_eq!(
            result.err().and_then(|error| error.field()),
            Some("supervisor")
        );
    }
    // Nor in bulk.
    let result = world
        .directory
        .plan_bulk(
            &lead,
            &BulkSelection::Ids(vec![org.tia.id]),
            BulkAction::SetSupervisor {
                supervisor: Some(org.olga.id),
            },
        )
        .await;
    assert!(
        matches!(result, Err(Error::OutsideTeam { .. })),
        "{result:?}"
    );
    // Nor by creating someone outside it.
    let outside = NewUser {
        supervisor: Some(org.otto.id),
        ..new_user("Nina New", &[org.staff.id])
    };
    let result = world.directory.create_user(&lead, outside).await;
    assert!(
        matches!(result, Err(Error::OutsideTeam { .. })),
        "{result:?}"
    );
    let result = world
        .directory
        .create_user(&lead, new_user("Nina New", &[org.staff.id]))
        .await;
    assert!(
        matches!(result, Err(Error::OutsideTeam { .. })),
        "{result:?}"
    );
    // Nor by deleting a manager, which would release their reports.
    let tom = world.reload(&org.tom).await;
    let result = world
        .directory
        .delete_user(&lead, tom.id, tom.version)
        .await;
    assert!(
        matches!(result, Err(Error::WouldLeaveTeam { .. })),
        "{result:?}"
    );
    let plan = world
        .directory
        .plan_bulk(&lead, &BulkSelection::Ids(vec![tom.id]), BulkAction::Delete)
        .await
        .expect("plan");
    assert_eq!(plan.refusals.len(), 1);
    assert_eq!(world.snapshot().await, before);

    // Within the team, moves and new people are fine.
    let tia = world.reload(&org.tia).await;
    world
        .directory
        .update_user(
            &lead,
            tia.id,
            UserChanges {
                version: tia.version,
                supervisor: Some(Some(org.lena.id)),
                ..UserChanges::default()
            },
        )
        .await
        .expect("move within the team");
    let nina = world
        .directory
        .create_user(
            &lead,
            NewUser {
                supervisor: Some(org.tom.id),
                ..new_user("Nina New", &[org.staff.id])
            },
        )
        .await
        .expect("create in the team")
        .user;
    assert!(world.directory.user(&lead, nina.id).await.is_ok());
    // Nina, who leads nobody, may go.
    let nina = world.reload(&nina).await;
    world
        .directory
        .delete_user(&lead, nina.id, nina.version)
        .await
        .expect("delete a report without reports");
}

every_store!(a_right_for_everyone_beside_one_for_the_team);
async fn a_right_for_everyone_beside_one_for_the_team(backend: Backend) {
    let world = World::on(backend).await;
    let org = org(&world, &["users.view", "users.edit:team"]).await;
    let lead = act_as(&world, &org.lena).await;
    // They see everyone…
    assert_eq!(
        names_seen(&world, &lead, UserQuery::default()).await.len(),
        6
    );
    // …and are told plainly why an outsider cannot be changed.
    let otto = world.reload(&org.otto).await;
    let result = world
        .directory
        .update_user(
            &lead,
            otto.id,
            UserChanges {
                version: otto.version,
                name: Some("Otto Renamed".into()),
                ..UserChanges::default()
            },
        )
        .await;
    match result {
        Err(Error::NotInTeam { name }) => assert_eq!(name, "Otto Outside"),
        other => panic!("expected not in team, got {other:?}"),
    }
    let plan = world
        .directory
        .plan_bulk(
            &lead,
            &BulkSelection::Matching(UserQuery::default()),
            BulkAction::AddToGroup {
                group: org.staff.id,
            },
        )
        .await
        .expect("plan");
    // Tom and Tia are in Staff already; Lena may be added; the outsiders
    // (the administrator among them) are refused by name.
    let refused: BTreeSet<&str> = plan.refusals.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        refused,
        BTreeSet::from(["Ada Admin", "Olga Outside", "Otto Outside"])
    );
    // Rights for everyone only: the recycle bin and the import.
    let result = world.directory.deleted_users(&lead, None, 50).await;
    assert!(
        matches!(result, Err(Error::PermissionDenied { .. })),
        "{result:?}"
    );
}

every_store!(the_user_page_offers_only_the_rights_that_reach_the_user);
async fn the_user_page_offers_only_the_rights_that_reach_the_user(backend: Backend) {
    let world = World::on(backend).await;
    // Lena sees everyone, edits and resets only her team, disables anyone
    // and deletes nobody.
    let grants = [
        "users.view",
        "users.edit:team",
        "users.credentials:team",
        "users.disable",
    ];
    let org = org(&world, &grants).await;
    let lead = act_as(&world, &org.lena).await;
    let rights = |operator: Operator, id: UserId| {
        let directory = &world.directory;
        async move {
            directory
                .user_with_rights(&operator, id)
                .await
                .map(|(_, r)| r)
        }
    };
    let team = UserRights {
        edit: true,
        disable: true,
        credentials: true,
        delete: false,
    };
    assert_eq!(rights(lead, org.tia.id).await.unwrap(), team);
    let outside = UserRights {
        edit: false,
        credentials: false,
        ..team
    };
    assert_eq!(rights(lead, org.olga.id).await.unwrap(), outside);
    // What the page leaves out, the core refuses.
    let changes = UserChanges {
        version: org.olga.version,
        name: Some("Olga Renamed".into()),
        ..UserChanges::default()
    };
    let refused = world
        .directory
        .update_user(&lead, org.olga.id, changes)
        .await;
    assert!(
        matches!(refused, Err(Error::NotInTeam { .. })),
        "{refused:?}"
    );
    // An administrator may do everything to anyone.
    let all = UserRights {
        edit: true,
        disable: true,
        credentials: true,
        delete: true,
    };
    assert_eq!(rights(world.admin, org.olga.id).await.unwrap(), all);
    // One who sees only their team does not find anyone else.
    let narrow = group_of(
        &world,
        "Narrow leads",
        &["users.view:team", "users.edit:team"],
    )
    .await;
    let nina = user_under(&world, "Nina Narrow", &[narrow.id], None).await;
    let lead = act_as(&world, &nina).await;
    assert!(not_found(rights(lead, org.olga.id).await));
}

every_store!(a_right_for_the_team_never_widens);
async fn a_right_for_the_team_never_widens(backend: Backend) {
    let world = World::on(backend).await;
    let org = org(
        &world,
        &["users.view:team", "users.edit:team", "groups.manage"],
    )
    .await;
    let lead = act_as(&world, &org.lena).await;
    // Not into a group for everyone…
    let result = world
        .directory
        .create_group(&lead, "Editors", "", grants(&["users.edit"]))
        .await;
    assert!(
        matches!(result, Err(Error::CannotGrant { .. })),
        "{result:?}"
    );
    // …nor by widening a group…
    let leads = world
        .directory
        .groups(&world.admin)
        .await
        .expect("groups")
        .into_iter()
        .find(|g| g.name.as_str() == "Team leads")
        .expect("the leads' group");
    let result = world
        .directory
        .update_group(
            &lead,
            leads.id,
            GroupChanges {
                version: leads.version,
                permissions: Some(grants(&["users.view", "users.edit:team", "groups.manage"])),
                ..GroupChanges::default()
            },
        )
        .await;
    assert!(
        matches!(result, Err(Error::CannotGrant { .. })),
        "{result:?}"
    );
    // …nor by managing someone who holds the right for everyone.
    let editors = world
        .group("Everyone's editors", &[Permission::UsersEdit])
        .await;
    let tia = world.reload(&org.tia).await;
    world
        .directory
        .update_user(
            &world.admin,
            tia.id,
            UserChanges {
                version: tia.version,
                groups: Some(vec![editors.id]),
                ..UserChanges::default()
            },
        )
        .await
        .expect("make Tia an editor of everyone");
    let tia = world.reload(&org.tia).await;
    let result = world
        .directory
        .update_user(
            &lead,
            tia.id,
            UserChanges {
                version: tia.version,
                name: Some("Tia Renamed".into()),
                ..UserChanges::default()
            },
        )
        .await;
    assert!(
        matches!(result, Err(Error::CannotManage { .. })),
        "{result:?}"
    );
    // Administrators always reach everyone: their rights cannot be limited.
    let administrators = world
        .directory
        .groups(&world.admin)
        .await
        .expect("groups")
        .into_iter()
        .find(|g| g.id == ADMINISTRATORS)
        .expect("administrators");
    let result = world
        .directory
        .update_group(
            &world.admin,
            ADMINISTRATORS,
            GroupChanges {
                version: administrators.version,
                permissions: Some(grants(&["users.view:team", "users.edit:team"])),
                ..GroupChanges::default()
            },
        )
        .await;
    assert!(matches!(result, Err(Error::BuiltinGroup)), "{result:?}");
    // A group for the team only may be made, and is read back as such.
    let made = world
        .directory
        .create_group(&lead, "Helpers", "", grants(&["users.view:team"]))
        .await
        .expect("a group for the team");
    assert_eq!(
        made.permissions
            .grants()
            .map(|g| g.to_string())
            .collect::<Vec<_>>(),
        ["users.view:team"]
    );
}

/// Reads `user_ancestors` and recomputes it from the supervisors.
async fn ancestors_match_supervisors(world: &World, backend: Backend) {
    // The same aggregate under each store's name for it.
    let joined = |pairs: &str| {
        let aggregate = match backend {
            Backend::Sqlite => "group_concat(pair, ' ')",
            Backend::Postgres => "string_agg(pair, ' ')",
        };
        format!("SELECT coalesce({aggregate}, '') FROM ({pairs}) pairs")
    };
    let kept = world
        .query_raw(&joined(
            "SELECT CAST(ancestor_id AS TEXT) || '>' || CAST(user_id AS TEXT) AS pair \
             FROM user_ancestors",
        ))
        .await;
    let links = world
        .query_raw(&joined(
            "SELECT CAST(id AS TEXT) || '>' || CAST(coalesce(supervisor_id, 0) AS TEXT) AS pair \
             FROM users",
        ))
        .await;
    let supervisor: BTreeMap<i64, i64> = links
        .split_whitespace()
        .filter_map(|pair| pair.split_once('>'))
        .map(|(id, boss)| (id.parse().unwrap(), boss.parse().unwrap()))
        .collect();
    let mut expected = BTreeSet::new();
    for (&user, &boss) in &supervisor {
        let mut current = boss;
        while current != 0 {
            expected.insert((current, user));
            current = supervisor[&current];
        }
    }
    let kept: BTreeSet<(i64, i64)> = kept
        .split_whitespace()
        .filter_map(|pair| pair.split_once('>'))
        .map(|(a, u)| (a.parse().unwrap(), u.parse().unwrap()))
        .collect();
    assert_eq!(kept, expected);
}

every_store!(the_ancestors_follow_every_kind_of_move);
async fn the_ancestors_follow_every_kind_of_move(backend: Backend) {
    let world = World::on(backend).await;
    let staff = world.group("Staff", &[Permission::UsersView]).await;
    let mut people = Vec::new();
    for n in 0..12 {
        // Each reports to someone made before them: a tree three or four deep.
        let boss = (n > 0).then(|| &people[(n * 7 + 3) % n]);
        let boss: Option<&User> = boss;
        let user = user_under(&world, &format!("Person {n:02}"), &[staff.id], boss).await;
        people.push(user);
    }
    ancestors_match_supervisors(&world, backend).await;
    // Moves of whole subtrees, one at a time, including to the top.
    for (who, to) in [
        (3, Some(11)),
        (1, None),
        (5, Some(2)),
        (11, Some(6)),
        (2, Some(9)),
    ] {
        let user = world.reload(&people[who]).await;
        let _ = world
            .directory
            .update_user(
                &world.admin,
                user.id,
                UserChanges {
                    version: user.version,
                    supervisor: Some(to.map(|i: usize| people[i].id)),
                    ..UserChanges::default()
                },
            )
            .await;
        ancestors_match_supervisors(&world, backend).await;
    }
    // A bulk move of several at once, some of them above others.
    let ids: Vec<UserId> = [4, 7, 8, 10].iter().map(|i| people[*i].id).collect();
    world
        .directory
        .apply_bulk(
            &world.admin,
            &BulkSelection::Ids(ids),
            BulkAction::SetSupervisor {
                supervisor: Some(people[0].id),
            },
        )
        .await
        .expect("bulk move");
    ancestors_match_supervisors(&world, backend).await;
    // A deleted manager's reports are released with their subtrees, and a
    // restore puts the manager back as a leaf.
    let manager = world.reload(&people[0]).await;
    world
        .directory
        .delete_user(&world.admin, manager.id, manager.version)
        .await
        .expect("delete");
    ancestors_match_supervisors(&world, backend).await;
    world
        .directory
        .restore_user(&world.admin, manager.id, Default::default())
        .await
        .expect("restore");
    ancestors_match_supervisors(&world, backend).await;
}

every_store!(the_store_check_finds_and_rebuilds_a_damaged_team_table);
async fn the_store_check_finds_and_rebuilds_a_damaged_team_table(backend: Backend) {
    let world = World::on(backend).await;
    let org = org(&world, TEAM_LEAD).await;
    assert!(world
        .directory
        .check_store(&world.admin, false)
        .await
        .expect("check")
        .sound());
    // Someone with the file or the server at hand moves Otto into Lena's
    // team in the table only.
    world
        .raw_sql(&format!(
            "DELETE FROM user_ancestors WHERE user_id = {tia}; \
             INSERT INTO user_ancestors (ancestor_id, user_id) VALUES ({lena}, {otto});",
            tia = org.tia.id,
            lena = org.lena.id,
            otto = org.otto.id
        ))
        .await;
    let check = world
        .directory
        .check_store(&world.admin, false)
        .await
        .expect("check");
    assert!(!check.sound(), "{check:?}");
    assert!(check
        .findings
        .iter()
        .any(|f| f.message.contains("supervisor-tree pairs")));
    let repaired = world
        .directory
        .check_store(&world.admin, true)
        .await
        .expect("repair");
    assert!(repaired.sound(), "{repaired:?}");
    ancestors_match_supervisors(&world, backend).await;
}
