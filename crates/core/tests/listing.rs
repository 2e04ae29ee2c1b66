//! The users overview: search, filters, sort, keyset paging and totals.

mod support;

use std::collections::HashSet;

use roster_core::directory::{NewUser, UserChanges};
use roster_core::domain::{Status, UserId};
use roster_core::store::{Cursor, Direction, SortField, UserQuery, ADMINISTRATORS};
use roster_core::Error;
use support::*;

async fn names(world: &World, query: UserQuery) -> Vec<String> {
    let page = world
        .directory
        .list_users(&world.admin, &query)
        .await
        .unwrap();
    page.users
        .iter()
        .map(|u| u.name.as_str().to_owned())
        .collect()
}

fn search(text: &str) -> UserQuery {
    UserQuery {
        search: Some(text.into()),
        ..UserQuery::default()
    }
}

every_store!(search_matches_parts_of_names_and_emails_ignoring_case);
async fn search_matches_parts_of_names_and_emails_ignoring_case(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[]).await;
    for name in ["Marta Jensen", "Omar Khan", "Zoë Müller", "Ben Lamar"] {
        world.user_in(name, &[sales.id]).await;
    }
    assert_eq!(
        names(&world, search("MAR")).await,
        ["Ben Lamar", "Marta Jensen", "Omar Khan"]
    );
    assert_eq!(names(&world, search("jensen@exa")).await, ["Marta Jensen"]);
    assert_eq!(names(&world, search("müll")).await, ["Zoë Müller"]);
    assert_eq!(names(&world, search("ZOË")).await, ["Zoë Müller"]);
    // One or two characters match the start of the name or the email.
    assert_eq!(names(&world, search("o")).await, ["Omar Khan"]);
    assert_eq!(names(&world, search("be")).await, ["Ben Lamar"]);
    assert!(names(&world, search("nobody-here")).await.is_empty());
    // Characters that mean something to the search engine are plain text.
    assert!(names(&world, search("\"mar OR *")).await.is_empty());
}

// PostgreSQL's trigram indexes hold each value with its spaces and
// punctuation as digits (V19): what they hand back is tested as typed.
every_store!(a_search_with_spaces_digits_or_punctuation_matches_as_typed);
async fn a_search_with_spaces_digits_or_punctuation_matches_as_typed(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[]).await;
    for name in [
        "Marta Jensen",
        "Marta-Jensen Berg",
        "Agent 007",
        "Agent0 07",
    ] {
        world.user_in(name, &[sales.id]).await;
    }
    assert_eq!(
        names(&world, search("marta jensen")).await,
        ["Marta Jensen"]
    );
    assert_eq!(names(&world, search("a-jen")).await, ["Marta-Jensen Berg"]);
    // Joined, "marta jensen" holds "a0jen" and "agent 007" holds "t000".
    assert!(names(&world, search("a0jen")).await.is_empty());
    assert_eq!(names(&world, search("t0 0")).await, ["Agent0 07"]);
    assert_eq!(names(&world, search("t 00")).await, ["Agent 007"]);
    assert_eq!(names(&world, search("NT 0")).await, ["Agent 007"]);
}

every_store!(search_follows_renames);
async fn search_follows_renames(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[]).await;
    let ann = world.user_in("Ann Lee", &[sales.id]).await;
    world
        .directory
        .update_user(
            &world.admin,
            ann.id,
            UserChanges {
                version: ann.version,
                name: Some("Annika Berg".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        names(&world, search("lee"))
            .await
            .contains(&"Annika Berg".to_owned()),
        "email still has lee"
    );
    assert_eq!(names(&world, search("berg")).await, ["Annika Berg"]);
    world
        .directory
        .delete_user(&world.admin, ann.id, ann.version + 1)
        .await
        .unwrap();
    assert!(names(&world, search("berg")).await.is_empty());
}

every_store!(filters_by_status_group_and_supervisor);
async fn filters_by_status_group_and_supervisor(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[]).await;
    let support = world.group("Support", &[]).await;
    let boss = world.user_in("Bea Boss", &[sales.id]).await;
    let mut ann = new_user("Ann Lee", &[sales.id, support.id]);
    ann.supervisor = Some(boss.id);
    world
        .directory
        .create_user(&world.admin, ann)
        .await
        .unwrap();
    let mut cid = new_user("Cid Off", &[support.id]);
    cid.status = Status::Disabled;
    cid.supervisor = Some(boss.id);
    world
        .directory
        .create_user(&world.admin, cid)
        .await
        .unwrap();

    let by_status = UserQuery {
        status: Some(Status::Disabled.into()),
        ..Default::default()
    };
    assert_eq!(names(&world, by_status).await, ["Cid Off"]);
    let by_group = UserQuery {
        group: Some(support.id),
        ..Default::default()
    };
    assert_eq!(names(&world, by_group).await, ["Ann Lee", "Cid Off"]);
    let by_supervisor = UserQuery {
        supervisor: Some(boss.id),
        status: Some(Status::Enabled.into()),
        ..Default::default()
    };
    assert_eq!(names(&world, by_supervisor).await, ["Ann Lee"]);
    let admins = UserQuery {
        group: Some(ADMINISTRATORS),
        ..Default::default()
    };
    assert_eq!(names(&world, admins).await, ["Ada Admin"]);

    let page = world
        .directory
        .list_users(
            &world.admin,
            &UserQuery {
                group: Some(support.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total.count, 2);
    assert!(page.total.exact);
    let all = world
        .directory
        .list_users(&world.admin, &UserQuery::default())
        .await
        .unwrap();
    assert_eq!((all.total.count, all.total.exact), (4, true));
    let disabled = world
        .directory
        .list_users(
            &world.admin,
            &UserQuery {
                status: Some(Status::Disabled.into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(disabled.total.count, 1);
}

every_store!(sorts_by_name_email_and_creation_both_ways);
async fn sorts_by_name_email_and_creation_both_ways(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[]).await;
    for (name, email) in [
        ("carl", "a@example.com"),
        ("Anna", "c@example.com"),
        ("bert", "b@example.com"),
    ] {
        world
            .directory
            .create_user(
                &world.admin,
                NewUser {
                    email: email.into(),
                    ..new_user(name, &[sales.id])
                },
            )
            .await
            .unwrap();
    }
    let sorted = |sort, direction| UserQuery {
        sort,
        direction,
        ..Default::default()
    };
    assert_eq!(
        names(&world, sorted(SortField::Name, Direction::Asc)).await,
        ["Ada Admin", "Anna", "bert", "carl"]
    );
    assert_eq!(
        names(&world, sorted(SortField::Name, Direction::Desc)).await,
        ["carl", "bert", "Anna", "Ada Admin"]
    );
    assert_eq!(
        names(&world, sorted(SortField::Email, Direction::Asc)).await,
        ["carl", "Ada Admin", "bert", "Anna"]
    );
    assert_eq!(
        names(&world, sorted(SortField::Created, Direction::Desc)).await,
        ["bert", "Anna", "carl", "Ada Admin"]
    );
}

every_store!(keyset_paging_visits_every_user_once_in_order);
async fn keyset_paging_visits_every_user_once_in_order(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[]).await;
    // Duplicate names make the id tie-break matter.
    for i in 0..23 {
        let name = format!("Person {}", i % 5);
        world
            .directory
            .create_user(
                &world.admin,
                NewUser {
                    email: format!("p{i}@example.com"),
                    ..new_user(&name, &[sales.id])
                },
            )
            .await
            .unwrap();
    }
    for (sort, direction) in [
        (SortField::Name, Direction::Asc),
        (SortField::Name, Direction::Desc),
        (SortField::Email, Direction::Desc),
        (SortField::Created, Direction::Asc),
        (SortField::LastSignIn, Direction::Desc),
    ] {
        let mut query = UserQuery {
            sort,
            direction,
            limit: 4,
            ..Default::default()
        };
        let mut seen: Vec<UserId> = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        loop {
            let page = world
                .directory
                .list_users(&world.admin, &query)
                .await
                .unwrap();
            assert!(page.users.len() <= 4);
            assert_eq!(page.total.count, 24);
            seen.extend(page.users.iter().map(|u| u.id));
            keys.extend(page.users.iter().map(|u| u.name.sort_key()));
            match page.next {
                Some(next) => {
                    // The token survives a round trip through text.
                    query.after = Some(Cursor::decode(&next.encode()).unwrap());
                }
                None => break,
            }
        }
        assert_eq!(seen.len(), 24, "{sort:?} {direction:?}");
        assert_eq!(
            seen.iter().collect::<HashSet<_>>().len(),
            24,
            "{sort:?} {direction:?}: duplicates"
        );
        if sort == SortField::Name {
            let mut expected = keys.clone();
            expected.sort();
            if direction == Direction::Desc {
                expected.reverse();
            }
            assert_eq!(keys, expected);
        }
    }
}

every_store!(a_cursor_from_another_sort_or_garbage_is_refused);
async fn a_cursor_from_another_sort_or_garbage_is_refused(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[]).await;
    for name in ["A One", "B Two", "C Three"] {
        world.user_in(name, &[sales.id]).await;
    }
    let page = world
        .directory
        .list_users(
            &world.admin,
            &UserQuery {
                limit: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let cursor = page.next.unwrap();
    let wrong = UserQuery {
        sort: SortField::Email,
        after: Some(cursor),
        limit: 1,
        ..Default::default()
    };
    assert!(matches!(
        world.directory.list_users(&world.admin, &wrong).await,
        Err(Error::InvalidCursor)
    ));
    assert!(matches!(Cursor::decode("zz"), Err(Error::InvalidCursor)));
    assert!(matches!(Cursor::decode("7b7d"), Err(Error::InvalidCursor)));
}

every_store!(large_groups_and_broad_searches_page_correctly_with_kept_or_capped_totals);
async fn large_groups_and_broad_searches_page_correctly_with_kept_or_capped_totals(
    backend: Backend,
) {
    let world = World::on(backend).await;
    // 12,000 users over five groups: each group is past the small-group plan.
    roster_core::bench::seed(world.directory.store().as_ref(), 12_000, 4_000, |_| {})
        .await
        .unwrap();
    let groups = world.directory.groups(&world.admin).await.unwrap();
    let sales = groups.iter().find(|g| g.name.as_str() == "Sales").unwrap();
    assert!(sales.member_count > 2_000, "{}", sales.member_count);

    for sort in [SortField::Name, SortField::Created] {
        let mut query = UserQuery {
            group: Some(sales.id),
            sort,
            limit: 500,
            ..Default::default()
        };
        let mut seen = HashSet::new();
        loop {
            let page = world
                .directory
                .list_users(&world.admin, &query)
                .await
                .unwrap();
            assert_eq!(
                page.total,
                roster_core::store::Total {
                    count: sales.member_count,
                    exact: true
                }
            );
            for user in &page.users {
                assert!(user.is_in(sales.id), "{} is not in Sales", user.name);
                assert!(seen.insert(user.id), "{} listed twice", user.name);
            }
            match page.next {
                Some(next) => query.after = Some(next),
                None => break,
            }
        }
        assert_eq!(seen.len() as u64, sales.member_count, "{sort:?}");
    }

    // Group and status together: counted, exactly, below the cap; on
    // SQLite the page's own count reads 1,000 of the group's members and
    // says "more than" what it found, and the full count is exact.
    let combined = UserQuery {
        group: Some(sales.id),
        status: Some(Status::Disabled.into()),
        limit: 500,
        ..Default::default()
    };
    let page = world
        .directory
        .list_users(&world.admin, &combined)
        .await
        .unwrap();
    let total = world
        .directory
        .count_users(&world.admin, &combined)
        .await
        .unwrap();
    assert!(total.exact);
    assert_eq!(page.counting, backend == Backend::Sqlite);
    assert_eq!(page.total.exact, !page.counting);
    assert!(page.total.count <= total.count);
    assert!(page
        .users
        .iter()
        .all(|u| u.status == Status::Disabled && u.is_in(sales.id)));

    // Every seeded address matches: the total stops at the cap and says so.
    // PostgreSQL walks to the page first and says only "more than" the
    // page, counting in full when asked.
    let broad = world
        .directory
        .list_users(&world.admin, &search("example.com"))
        .await
        .unwrap();
    let capped = roster_core::store::Total {
        count: 10_000,
        exact: false,
    };
    if backend == Backend::Postgres {
        assert!(broad.counting);
        assert_eq!(
            broad.total,
            roster_core::store::Total {
                count: 50,
                exact: false
            }
        );
        let counted = world
            .directory
            .count_users(&world.admin, &search("example.com"))
            .await
            .unwrap();
        assert_eq!(counted, capped);
    } else {
        assert!(!broad.counting);
        assert_eq!(broad.total, capped);
    }
    assert_eq!(broad.users.len(), 50);
}
