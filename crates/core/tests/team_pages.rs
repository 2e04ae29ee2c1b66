//! A team lead's overview, on both stores, read from the sort keys the
//! team table keeps beside each (ancestor, user) pair: every sort in both
//! directions, with and without a status filter, paged, is exactly what an
//! administrator sees of the same people; and the kept keys follow every
//! change of a user's name, email, sign-ins, password and place in the
//! tree, with the store check finding and repairing stale ones. A team's
//! search, rare or frequent, finds and counts the team's people alone.

mod support;

use std::collections::BTreeSet;

use roster_core::directory::{BulkAction, BulkSelection, UserChanges};
use roster_core::domain::{Grant, GroupId, UserId};
use roster_core::model::{User, UserFields};
use roster_core::password::{Hasher, PlainPassword};
use roster_core::store::{
    statement_log, Direction, SortField, StatusFilter, Total, TxMode, UserQuery,
};
use roster_core::Operator;
use support::plans::searched;
use support::*;

async fn user_under(world: &World, name: &str, groups: &[GroupId], boss: Option<&User>) -> User {
    world
        .directory
        .create_user(
            &world.admin,
            roster_core::directory::NewUser {
                supervisor: boss.map(|b| b.id),
                ..new_user(name, groups)
            },
        )
        .await
        .expect("create user")
        .user
}

/// Every page of `query` as `operator` sees it, three users a page.
async fn all_pages(world: &World, operator: &Operator, query: &UserQuery) -> Vec<UserId> {
    pages_of(world, operator, query, 3).await
}

/// Every page of `query` as `operator` sees it, `limit` users a page.
async fn pages_of(
    world: &World,
    operator: &Operator,
    query: &UserQuery,
    limit: u32,
) -> Vec<UserId> {
    let mut query = UserQuery {
        limit,
        ..query.clone()
    };
    let mut ids = Vec::new();
    loop {
        let page = world
            .directory
            .list_users(operator, &query)
            .await
            .expect("list");
        ids.extend(page.users.iter().map(|u| u.id));
        match page.next {
            Some(next) => query.after = Some(next),
            None => return ids,
        }
    }
}

/// Writes people straight into the store (one shared hash), each
/// `(n, name, email, in_team)`: the `n`th as `crowd_fields` makes it
/// (every fourth disabled), reporting to Lena where in her team; then
/// acts as Lena.
async fn write_under(
    world: &World,
    lena: &User,
    people: impl Iterator<Item = (usize, String, String, bool)>,
) -> Operator {
    let hash = Hasher::fast_for_bench_only()
        .hash(&PlainPassword::new("team count test password"))
        .expect("hash");
    let now = chrono::Utc::now();
    let store = world.directory.store();
    let mut tx = store.begin(TxMode::Write).await.expect("begin");
    for (n, name, email, in_team) in people {
        let fields = UserFields {
            supervisor: in_team.then_some(lena.id),
            ..crowd_fields(n, &name, &email)
        };
        tx.insert_user(&fields, &hash, now).await.expect("insert");
    }
    tx.commit().await.expect("commit");
    world
        .directory
        .act_as(lena.email.as_str())
        .await
        .expect("act as")
}

/// Lena Lead, in a group granted the users of their team.
async fn lena_leads(world: &World) -> User {
    let scoped = [Grant::parse("users.view:team").expect("a grant")];
    let leads = world
        .directory
        .create_group(&world.admin, "Team leads", "", scoped.into_iter().collect())
        .await
        .expect("create group");
    user_under(world, "Lena Lead", &[leads.id], None).await
}

/// Lena leads a team of fourteen, three deep; eight others work for Otto.
/// Names repeat (so ids break ties) and sort between each other's.
async fn two_teams(world: &World) -> (Operator, User, Vec<User>) {
    let staff = world.group("Staff", &[]).await;
    let lena = lena_leads(world).await;
    let otto = user_under(world, "Otto Outside", &[staff.id], None).await;
    let mut team: Vec<User> = Vec::new();
    let names = [
        "Ada Quill",
        "Ben Ng",
        "Cy Li",
        "Ada Quill",
        "Zoe Wu",
        "Max Ho",
        "Ida Ma",
        "Ben Ng",
        "Eve Do",
        "Kai Yu",
        "Lia Oh",
        "Mo Le",
        "Ned Xu",
        "Pia Ray",
    ];
    for (n, name) in names.iter().enumerate() {
        let boss = if n < 3 { &lena } else { &team[n % 3] };
        let user = world
            .directory
            .create_user(
                &world.admin,
                roster_core::directory::NewUser {
                    supervisor: Some(boss.id),
                    email: format!("member{n}@team.example"),
                    ..new_user(name, &[staff.id])
                },
            )
            .await
            .expect("create member")
            .user;
        team.push(user);
    }
    for (n, name) in ["Ada Quill", "Abe Out", "Zed Out", "Max Ho"]
        .iter()
        .enumerate()
    {
        for m in 0..2 {
            world
                .directory
                .create_user(
                    &world.admin,
                    roster_core::directory::NewUser {
                        supervisor: Some(otto.id),
                        email: format!("outsider{n}{m}@other.example"),
                        ..new_user(name, &[staff.id])
                    },
                )
                .await
                .expect("create outsider");
        }
    }
    // Sign-in facts and creation times that repeat and interleave.
    world
        .execute_raw(
            "UPDATE users SET last_sign_in_at = (id * 7919) % 5 * 1000, \
             failed_sign_ins = id % 3, \
             password_changed_at = 1700000000000 + (id * 31) % 4 * 86400000, \
             created_at = 1600000000000 + (id * 17) % 6 * 1000",
        )
        .await;
    let lead = world
        .directory
        .act_as(lena.email.as_str())
        .await
        .expect("act as");
    (lead, lena, team)
}

every_store!(a_team_is_paged_in_every_sort_as_an_administrator_sees_it);
async fn a_team_is_paged_in_every_sort_as_an_administrator_sees_it(backend: Backend) {
    let world = World::on(backend).await;
    let (lead, lena, team) = two_teams(&world).await;
    // Three of the team are disabled, and one outsider's peer.
    let disabled: Vec<UserId> = [1, 4, 9].iter().map(|i| team[*i].id).collect();
    world
        .directory
        .apply_bulk(
            &world.admin,
            &BulkSelection::Ids(disabled),
            BulkAction::Disable,
        )
        .await
        .expect("disable");
    let members: BTreeSet<UserId> = team.iter().map(|u| u.id).chain([lena.id]).collect();
    // "example", in the address of every member and outsider, has more
    // hits than SQLite reads from its index and sorts (√(10 × users)): its
    // team's page is walked in the team's keys. "ng" (Ben Ng) is rare.
    // On PostgreSQL a search with more hits than half the team ("example",
    // "team.ex" in every member's address) walks the team's keys, and
    // fewer ("ng", "quill": two in the team, two outside) are read by id;
    // "me" (every member's address) walks by its word start, and "t."
    // (a short search with punctuation: the start of a whole value) by the
    // rule alone.
    let users = world
        .directory
        .list_users(&world.admin, &UserQuery::default())
        .await
        .expect("list")
        .total
        .count;
    let example = UserQuery {
        search: Some("example".into()),
        ..UserQuery::default()
    };
    let hits = world
        .directory
        .list_users(&world.admin, &example)
        .await
        .expect("list")
        .total
        .count;
    assert!(
        hits as f64 > (10.0 * users as f64).sqrt(),
        "{hits} of {users}"
    );
    for sort in [
        SortField::Name,
        SortField::Email,
        SortField::Created,
        SortField::LastSignIn,
        SortField::PasswordChanged,
        SortField::FailedSignIns,
    ] {
        for direction in [Direction::Asc, Direction::Desc] {
            for (status, search) in [
                None,
                Some(StatusFilter::Enabled),
                Some(StatusFilter::Disabled),
            ]
            .into_iter()
            .flat_map(|status| {
                [
                    None,
                    Some("example"),
                    Some("ng"),
                    Some("quill"),
                    Some("team.ex"),
                    Some("me"),
                    Some("t."),
                ]
                .map(|s| (status, s))
            }) {
                let query = UserQuery {
                    sort,
                    direction,
                    status,
                    search: search.map(str::to_owned),
                    ..UserQuery::default()
                };
                let case = format!("{sort:?} {direction:?} {status:?} {search:?}");
                let seen = all_pages(&world, &lead, &query).await;
                let expected: Vec<UserId> = all_pages(&world, &world.admin, &query)
                    .await
                    .into_iter()
                    .filter(|id| members.contains(id))
                    .collect();
                assert_eq!(seen, expected, "{case}");
                let total = world
                    .directory
                    .list_users(&lead, &query)
                    .await
                    .expect("list")
                    .total;
                assert_eq!(total, Total::exact(seen.len() as u64), "{case}");
                let whole = match (status, search) {
                    (_, Some(_)) => continue,
                    (None, None) => members.len(),
                    (Some(StatusFilter::Disabled), None) => 3,
                    _ => members.len() - 3,
                };
                assert_eq!(seen.len(), whole, "{case}");
            }
        }
    }
}

/// The number of team-table pairs whose keys differ from their user's.
async fn stale_pairs(world: &World) -> String {
    world
        .query_raw(
            "SELECT CAST(count(*) AS TEXT) FROM user_ancestors a JOIN users u ON u.id = a.user_id \
             WHERE a.name_key <> u.name_key OR a.email_normalized <> u.email_normalized \
             OR a.created_at <> u.created_at OR a.last_sign_in_at <> u.last_sign_in_at \
             OR a.password_changed_at <> u.password_changed_at \
             OR a.failed_sign_ins <> u.failed_sign_ins",
        )
        .await
}

every_store!(the_kept_keys_follow_every_change_and_the_check_repairs_them);
async fn the_kept_keys_follow_every_change_and_the_check_repairs_them(backend: Backend) {
    let world = World::on(backend).await;
    let (_, _, team) = two_teams(&world).await;
    assert_eq!(stale_pairs(&world).await, "0");
    // A new name and email in the form.
    let ben = world.reload(&team[1]).await;
    world
        .directory
        .update_user(
            &world.admin,
            ben.id,
            UserChanges {
                version: ben.version,
                name: Some("Benedikt Ångström".into()),
                email: Some("Benedikt.A@Team.Example".into()),
                ..UserChanges::default()
            },
        )
        .await
        .expect("rename");
    assert_eq!(stale_pairs(&world).await, "0");
    // A failed sign-in, then a good one (which clears the count).
    let cy = &team[2];
    let _ = world
        .directory
        .sign_in(cy.email.as_str(), &PlainPassword::new("not-the-password-0"))
        .await;
    assert_eq!(stale_pairs(&world).await, "0");
    world
        .directory
        .sign_in(cy.email.as_str(), &PlainPassword::new(GOOD_PASSWORD))
        .await
        .expect("sign in");
    assert_eq!(stale_pairs(&world).await, "0");
    // A password reset, and a move of a subtree under someone else.
    world
        .directory
        .reset_password(
            &world.admin,
            team[3].id,
            password("a-brand-new-passphrase-7"),
            false,
        )
        .await
        .expect("reset");
    let moved = world.reload(&team[0]).await;
    world
        .directory
        .update_user(
            &world.admin,
            moved.id,
            UserChanges {
                version: moved.version,
                supervisor: Some(Some(team[2].id)),
                ..UserChanges::default()
            },
        )
        .await
        .expect("move");
    assert_eq!(stale_pairs(&world).await, "0");
    // Someone edits the table by hand: the check names it and rebuilds it.
    world
        .execute_raw(&format!(
            "UPDATE user_ancestors SET name_key = 'aaa' WHERE user_id = {}",
            team[5].id.0
        ))
        .await;
    assert_ne!(stale_pairs(&world).await, "0");
    world.check_finds_and_repairs().await;
    assert_eq!(stale_pairs(&world).await, "0");
}

every_store!(a_large_teams_search_counts_no_one_outside_the_team);
async fn a_large_teams_search_counts_no_one_outside_the_team(backend: Backend) {
    let world = World::on(backend).await;
    let lena = lena_leads(&world).await;
    // 12,000 outsiders whose name starts with Q, then a team of 10,100
    // of whom only the last does: the first 10,001 hits SQLite's count
    // reads hold no one in the team, so it counts the search's rows
    // again, which must be the team's alone.
    let outsiders =
        (0..12_000).map(|n| (n, format!("Quade Q{n}"), format!("q{n}@out.test"), false));
    let team = (0..10_100).map(|n| match n {
        10_099 => (
            n,
            "Quinn Last".to_owned(),
            "last@team.test".to_owned(),
            true,
        ),
        _ => (n, format!("Zed Z{n}"), format!("z{n}@team.test"), true),
    });
    let lead = write_under(&world, &lena, outsiders.chain(team)).await;
    for sort in [SortField::Name, SortField::Created] {
        let query = UserQuery {
            search: Some("q".into()),
            sort,
            ..UserQuery::default()
        };
        let page = world
            .directory
            .list_users(&lead, &query)
            .await
            .expect("list");
        let names: Vec<&str> = page.users.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["Quinn Last"], "{sort:?}");
        assert_eq!(page.total, Total::exact(1), "{sort:?}");
        let counted = world
            .directory
            .count_users(&lead, &query)
            .await
            .expect("count");
        assert_eq!(counted, Total::exact(1), "{sort:?}");
    }
}

/// A search in a team (2,000 Zeds in a team of 2,401, among 3,000 Zeds
/// outside it) reads the team's hits from its pairs (V24) with their keys
/// and looks up the page's rows alone: its total exact, by name and by
/// creation, no one outside the team counted, and no hits among everyone
/// read; among the disabled, the page is counted by its rows and in full
/// beside it.
#[tokio::test]
async fn postgres_reads_a_teams_search_from_its_pairs() {
    let world = World::on(Backend::Postgres).await;
    let lena = lena_leads(&world).await;
    let people = (0..5_400).map(|n| match n {
        0..2_000 => (n, format!("Zed Z{n}"), format!("z{n}@team.test"), true),
        2_000..2_400 => (n, format!("Amy A{n}"), format!("a{n}@team.test"), true),
        _ => (n, format!("Zed Out{n}"), format!("out{n}@else.test"), false),
    });
    let lead = write_under(&world, &lena, people).await;
    for (text, sort, direction, status) in [
        ("z", SortField::Name, Direction::Asc, None),
        ("ZED", SortField::Name, Direction::Desc, None),
        ("z", SortField::Created, Direction::Desc, None),
        (
            "z",
            SortField::Email,
            Direction::Desc,
            Some(StatusFilter::Disabled),
        ),
    ] {
        let case = format!("{text} {sort:?} {direction:?} {status:?}");
        let query = searched(text, (sort, direction, status));
        statement_log::open();
        let page = world
            .directory
            .list_users(&lead, &query)
            .await
            .expect("list");
        let statements = statement_log::close();
        assert_eq!(page.users.len(), 50, "{case}");
        assert!(
            statements.iter().any(|s| s.starts_with("SELECT a.user_id")
                && s.contains("FROM user_ancestors a WHERE a.ancestor_id")),
            "{case}: {statements:#?}"
        );
        assert!(
            !statements
                .iter()
                .any(|s| s.contains("WITH hits AS MATERIALIZED") || s.ends_with(") counted")),
            "{case}: {statements:#?}"
        );
        let team = if status.is_some() { 500 } else { 2_000 };
        if status.is_some() {
            assert!(page.counting, "{case}: {:?}", page.total);
            assert_eq!(page.total, Total::at_least(51).expect("some"), "{case}");
        } else {
            assert!(!page.counting, "{case}");
            assert_eq!(page.total, Total::exact(team), "{case}");
        }
        let counted = world.directory.count_users(&lead, &query).await;
        assert_eq!(counted.expect("count"), Total::exact(team), "{case}");
        // Every page is the team's hits in the page's order.
        let ids = pages_of(&world, &lead, &query, 200).await;
        let admin = pages_of(&world, &world.admin, &query, 500).await;
        let everyone = pages_of(&world, &lead, &UserQuery::default(), 500).await;
        let in_team: BTreeSet<UserId> = everyone.into_iter().collect();
        let expected: Vec<UserId> = admin
            .into_iter()
            .filter(|id| in_team.contains(id))
            .collect();
        assert_eq!(ids, expected, "{case}");
    }
}
