//! Searches of one or two characters, on both stores: they match the start
//! of any word of the name, of the email's local part, and the email's
//! domain as one word, for users and clients alike (three letters or more
//! match anywhere, never across punctuation); and whichever plan a
//! store picks (a rare word start read from its index, a frequent one by
//! walking the sort index), every page is exactly what the rule, applied
//! by hand to every user, says.

mod support;

use roster_core::clients::{ClientQuery, NewClient};
use roster_core::model::User;
use roster_core::store::{Direction, SortField, UserQuery, COUNT_CAP};
use support::*;

async fn user_names(world: &World, text: &str) -> Vec<String> {
    let page = world
        .directory
        .list_users(
            &world.admin,
            &UserQuery {
                search: Some(text.into()),
                ..UserQuery::default()
            },
        )
        .await
        .expect("list");
    page.users
        .iter()
        .map(|u| u.name.as_str().to_owned())
        .collect()
}

async fn named(world: &World, name: &str, email: &str, groups: &[roster_core::domain::GroupId]) {
    world
        .directory
        .create_user(
            &world.admin,
            roster_core::directory::NewUser {
                email: email.into(),
                ..new_user(name, groups)
            },
        )
        .await
        .expect("create user");
}

async fn client(world: &World, name: &str, email: Option<&str>) {
    world
        .directory
        .create_client(
            &world.admin,
            NewClient {
                name: name.into(),
                email: email.map(Into::into),
                phone: None,
                country: None,
                account_manager: None,
            },
        )
        .await
        .expect("create client");
}

/// The first page's names of a clients search, and its total.
async fn client_names(world: &World, text: &str) -> (Vec<String>, u64) {
    let page = world
        .directory
        .list_clients(
            &world.admin,
            &ClientQuery {
                search: Some(text.into()),
                ..ClientQuery::default()
            },
        )
        .await
        .expect("clients");
    let names = page
        .clients
        .iter()
        .map(|c| c.name.as_str().to_owned())
        .collect();
    (names, page.total.count)
}

every_store!(two_letter_surnames_and_parts_of_addresses_are_found);
async fn two_letter_surnames_and_parts_of_addresses_are_found(backend: Backend) {
    let world = World::on(backend).await;
    let staff = [world.group("Staff", &[]).await.id];
    named(&world, "Wei Li", "wei@corp.test", &staff).await;
    named(&world, "Andrew Ng", "andrew@corp.test", &staff).await;
    named(&world, "Anna Wu", "anna@corp.test", &staff).await;
    named(&world, "Olivia Park", "olivia@corp.test", &staff).await;
    named(&world, "Jean-Luc Picard", "jl@corp.test", &staff).await;
    named(&world, "Sam Taylor", "s.li+desk@north-wind.test", &staff).await;
    named(&world, "Zoë Ho", "zoe@corp.test", &staff).await;
    for (text, expected) in [
        // A surname, not the middle of a word ("Olivia").
        ("li", vec!["Sam Taylor", "Wei Li"]),
        ("LI", vec!["Sam Taylor", "Wei Li"]),
        ("ng", vec!["Andrew Ng"]),
        ("wu", vec!["Anna Wu"]),
        ("ho", vec!["Zoë Ho"]),
        ("zo", vec!["Zoë Ho"]),
        // After a hyphen in a name; after + in the local part.
        ("lu", vec!["Jean-Luc Picard"]),
        ("de", vec!["Sam Taylor"]),
        // The domain is one word: its start matches, its parts do not.
        ("no", vec!["Sam Taylor"]),
        ("wi", vec![]),
        ("te", vec![]),
        // A short search with punctuation matches the start of the whole
        // name or email, as before.
        ("s.", vec!["Sam Taylor"]),
        ("i.", vec![]),
    ] {
        let mut expected: Vec<&str> = expected;
        expected.sort();
        // (None of them matches the administrator, Ada Admin.)
        assert_eq!(user_names(&world, text).await, expected, "{text}");
    }
    // Clients likewise, beside their phone digits.
    for (name, email) in [
        ("Mei Xu", Some("mei.xu@shop.test")),
        ("Maxime Roux", None),
        ("Ole Dam", Some("ole@xylo-phone.test")),
    ] {
        client(&world, name, email).await;
    }
    for (text, expected) in [
        ("xu", vec!["Mei Xu"]),
        ("x", vec!["Mei Xu", "Ole Dam"]),
        ("ro", vec!["Maxime Roux"]),
        ("ph", vec![]),
    ] {
        let (names, total) = client_names(&world, text).await;
        assert_eq!(names, expected, "{text}");
        assert_eq!(total, expected.len() as u64, "{text}");
    }
}

every_store!(accents_fold_both_ways_in_a_search_and_in_the_name_sort);
/// A search typed with an accent finds the names without it, and the other
/// way round, by their names alone (their addresses hold none of it), at
/// the start of a word and anywhere; an accent typed alone is no search;
/// and the name sort orders a name as its letters without accents.
async fn accents_fold_both_ways_in_a_search_and_in_the_name_sort(backend: Backend) {
    let world = World::on(backend).await;
    let staff = [world.group("Staff", &[]).await.id];
    for (n, name) in [
        "José Álvarez",
        "Jose Alvarado",
        "Łukasz Żak",
        "Emre Yılmaz",
        "Søren Kierkegaard",
        // An ë written as e and a combining diaeresis.
        "Chloe\u{308} Dupont",
        "Ivan Petrov",
    ]
    .into_iter()
    .enumerate()
    {
        named(&world, name, &format!("person{n}@corp.test"), &staff).await;
    }
    let jose = vec!["Jose Alvarado", "José Álvarez"];
    for (text, expected) in [
        ("jose", jose.clone()),
        ("JOSÉ", jose.clone()),
        ("Jose\u{301}", jose.clone()),
        ("álvar", jose.clone()),
        ("al", jose.clone()),
        ("ÁL", jose.clone()),
        ("lukasz", vec!["Łukasz Żak"]),
        ("łukasz", vec!["Łukasz Żak"]),
        ("zak", vec!["Łukasz Żak"]),
        ("ża", vec!["Łukasz Żak"]),
        ("yilmaz", vec!["Emre Yılmaz"]),
        ("YILMAZ", vec!["Emre Yılmaz"]),
        ("soren", vec!["Søren Kierkegaard"]),
        ("chloë", vec!["Chloe\u{308} Dupont"]),
        ("chloe", vec!["Chloe\u{308} Dupont"]),
        ("petrov", vec!["Ivan Petrov"]),
    ] {
        let mut expected: Vec<&str> = expected;
        expected.sort_by_key(|name| roster_core::domain::search_key(name));
        assert_eq!(user_names(&world, text).await, expected, "{text}");
    }
    // By name, each among its letters without accents; an accent alone
    // lists everyone, as no search does.
    let everyone = [
        "Ada Admin",
        "Chloe\u{308} Dupont",
        "Emre Yılmaz",
        "Ivan Petrov",
        "Jose Alvarado",
        "José Álvarez",
        "Łukasz Żak",
        "Søren Kierkegaard",
    ];
    assert_eq!(user_names(&world, "").await, everyone);
    assert_eq!(user_names(&world, "\u{301}").await, everyone);
    // Clients likewise.
    client(&world, "Núñez Cortés", None).await;
    client(&world, "Nunez Ortiz", Some("n.ortiz@shop.test")).await;
    for (text, expected) in [
        ("nunez", vec!["Núñez Cortés", "Nunez Ortiz"]),
        ("NÚÑEZ", vec!["Núñez Cortés", "Nunez Ortiz"]),
        ("cortes", vec!["Núñez Cortés"]),
        ("co", vec!["Núñez Cortés"]),
    ] {
        let (names, total) = client_names(&world, text).await;
        assert_eq!(names, expected, "{text}");
        assert_eq!(total, expected.len() as u64, "{text}");
    }
}

every_store!(names_kept_before_are_keyed_again_when_the_store_opens);
/// A store whose names were keyed before keys dropped accents (the name in
/// lowercase, as each table the migration lists still holds them) has them
/// keyed again when it is next opened: then "jose" finds "José" by name,
/// among users, the recycle bin's and clients, and the list is done.
async fn names_kept_before_are_keyed_again_when_the_store_opens(backend: Backend) {
    let world = World::on(backend).await;
    let staff = [world.group("Staff", &[]).await.id];
    named(&world, "José Álvarez", "person1@corp.test", &staff).await;
    named(&world, "Łukasz Żak", "person2@corp.test", &staff).await;
    client(&world, "Núñez Cortés", None).await;
    // As a store written before kept them (another program's SQL).
    world
        .raw_sql(
            "UPDATE users SET name_key = 'josé álvarez' WHERE name = 'José Álvarez'; \
             UPDATE users SET name_key = 'łukasz żak' WHERE name = 'Łukasz Żak'; \
             UPDATE clients SET name_key = 'núñez cortés' WHERE name = 'Núñez Cortés'; \
             INSERT INTO name_keys_pending (table_name) \
             VALUES ('clients'), ('deleted_users'), ('users');",
        )
        .await;
    assert!(user_names(&world, "alvarez").await.is_empty());
    world.try_open().await.expect("opened again");
    assert_eq!(user_names(&world, "alvarez").await, ["José Álvarez"]);
    assert_eq!(user_names(&world, "lukasz").await, ["Łukasz Żak"]);
    assert_eq!(client_names(&world, "nunez").await.0, ["Núñez Cortés"]);
    let key = |name: &str| format!("SELECT name_key FROM users WHERE name = '{name}'");
    assert_eq!(world.query_raw(&key("José Álvarez")).await, "jose alvarez");
    assert_eq!(
        world
            .query_raw("SELECT CAST(count(*) AS TEXT) FROM name_keys_pending")
            .await,
        "0"
    );
}

every_store!(three_letters_or_more_are_found_anywhere_but_never_across_punctuation);
/// PostgreSQL tests a search of letters alone through the words, which
/// hold the name and the address with their ASCII space and punctuation
/// made spaces: the same rows as anywhere in the name or the address.
async fn three_letters_or_more_are_found_anywhere_but_never_across_punctuation(backend: Backend) {
    let world = World::on(backend).await;
    let staff = [world.group("Staff", &[]).await.id];
    named(
        &world,
        "Mary O'Brien",
        "mary.obrien@north-wind.test",
        &staff,
    )
    .await;
    named(&world, "Jürgen Müller", "j.mueller@corp.test", &staff).await;
    named(&world, "Ann Lee", "ann_lee@corp.test", &staff).await;
    named(&world, "Kai Sørensen", "kai@sales-mail.test", &staff).await;
    for (text, expected) in [
        // After an apostrophe in the name; in the local part.
        ("brien", vec!["Mary O'Brien"]),
        ("obrien", vec!["Mary O'Brien"]),
        // Letters beyond ASCII, in the name; their spelling in the address.
        ("müller", vec!["Jürgen Müller"]),
        ("MÜLLER", vec!["Jürgen Müller"]),
        ("mueller", vec!["Jürgen Müller"]),
        ("sørensen", vec!["Kai Sørensen"]),
        // Inside a word of the domain, and across its punctuation as typed.
        ("wind", vec!["Mary O'Brien"]),
        ("mail", vec!["Kai Sørensen"]),
        ("s-mail", vec!["Kai Sørensen"]),
        ("ann_lee", vec!["Ann Lee"]),
        ("ann lee", vec!["Ann Lee"]),
        // Never across a space, punctuation or the `@` when typed without.
        ("annlee", vec![]),
        ("ryobrien", vec![]),
        ("kaisales", vec![]),
        ("leecorp", vec![]),
        ("northwind", vec![]),
    ] {
        let mut expected: Vec<&str> = expected;
        expected.sort();
        assert_eq!(user_names(&world, text).await, expected, "{text}");
    }
    // Clients likewise, one without an address.
    for (name, email) in [
        ("Mei Xu-Berg", Some("mei.xu@shop.test")),
        ("Maxime Roux", None),
    ] {
        client(&world, name, email).await;
    }
    for (text, expected) in [
        ("berg", vec!["Mei Xu-Berg"]),
        ("shop", vec!["Mei Xu-Berg"]),
        ("xuberg", vec![]),
        ("meixu", vec![]),
        ("roux", vec!["Maxime Roux"]),
    ] {
        assert_eq!(client_names(&world, text).await.0, expected, "{text}");
    }
}

every_store!(a_frequent_and_a_rare_word_start_page_exactly_as_the_rule_says);
async fn a_frequent_and_a_rare_word_start_page_exactly_as_the_rule_says(backend: Backend) {
    let world = World::on(backend).await;
    world.seed_realistic(15_000).await;
    let (people, _) = world.every_page(UserQuery::default(), 500).await;
    // The most frequent first letter (more users than a rare word start
    // may have among 15,001, √(100 × 15,001) = 1,224, so the sort index is
    // walked) and a rare two-letter start (read from the index).
    let hits = |text: &str| {
        people
            .iter()
            .filter(|u| starts_a_word(u.name.as_str(), u.email.normalized(), text))
            .count()
    };
    let letters = "abcdefghijklmnopqrstuvwxyz";
    let frequent = letters
        .chars()
        .map(String::from)
        .max_by_key(|t| hits(t))
        .expect("a letter");
    assert!(hits(&frequent) > 1_224, "{frequent}: {}", hits(&frequent));
    let rare = ["xu", "ng", "wu", "li", "oh", "yu"]
        .into_iter()
        .find(|t| (1..=1_224).contains(&hits(t)))
        .expect("a rare two-letter start");
    for text in [frequent.as_str(), rare] {
        for (sort, direction) in [
            (SortField::Name, Direction::Asc),
            (SortField::Email, Direction::Desc),
            (SortField::Created, Direction::Desc),
        ] {
            let (found, total) = world
                .every_page(
                    UserQuery {
                        search: Some(text.to_uppercase()),
                        sort,
                        direction,
                        ..UserQuery::default()
                    },
                    500,
                )
                .await;
            let (expected, _) = world
                .every_page(
                    UserQuery {
                        sort,
                        direction,
                        ..UserQuery::default()
                    },
                    500,
                )
                .await;
            let ids = |users: &[User]| users.iter().map(|u| u.id).collect::<Vec<_>>();
            let expected: Vec<User> = expected
                .into_iter()
                .filter(|u| starts_a_word(u.name.as_str(), u.email.normalized(), text))
                .collect();
            assert_eq!(found.len(), expected.len(), "{text} {sort:?}");
            assert_eq!(ids(&found), ids(&expected), "{text} {sort:?}");
            let whole = expected.len() as u64;
            assert_eq!(total, whole.min(COUNT_CAP), "{text} {sort:?}");
        }
    }
}
