//! SQLite plans a client search of three characters or more per query, as
//! it does a users search (a rare one read from its index and sorted, a
//! frequent one found by walking the sort's index, one whose hits mostly
//! start the name read as that range beside the index's other hits):
//! whichever plan it takes, in each sort and direction, every page is
//! exactly what the rule, applied by hand to every client, says, and so is
//! the total; a team lead's pages hold their team's clients of those only.
//! PostgreSQL, which plans by itself, is held to the same pages.

mod support;

use roster_core::clients::{ClientQuery, ClientSort, Direction};
use roster_core::domain::{ClientName, Email, Phone};
use roster_core::model::{Client, ClientFields};
use roster_core::store::{Store, TxMode, COUNT_CAP};
use support::*;

/// The rule, by hand: the name's key (lowercase, without accents, as the
/// text: `search_key`), or the email (as typed on
/// SQLite, whose trigram index holds it so; normalised on PostgreSQL, an
/// international domain there in its IDNA form), holds the text; or the
/// phone's digits hold the search's digits (three or more, of a phone-like
/// search).
fn matches(client: &Client, text: &str, backend: Backend) -> bool {
    let email = client.email.as_deref().unwrap_or_default();
    let email = match backend {
        Backend::Sqlite => email.to_lowercase(),
        Backend::Postgres => Email::parse(email)
            .map(|e| e.normalized().to_owned())
            .unwrap_or_default(),
    };
    let phone: String = client
        .phone
        .as_deref()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let phone_like = text
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()./".contains(c));
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let text = &roster_core::domain::search_key(text);
    roster_core::domain::search_key(&client.name).contains(text)
        || email.contains(text)
        || (phone_like && digits.len() >= 3 && phone.contains(&digits))
}

fn client(name: &str, email: Option<&str>, phone: Option<&str>) -> ClientFields {
    ClientFields {
        name: ClientName::parse(name).expect("name"),
        email: email.map(|e| Email::parse(e).expect("email")),
        phone: phone.map(|p| Phone::parse(p, None).expect("phone")),
        country: None,
        account_manager: None,
    }
}

/// Writes clients straight into the store, each created a little earlier
/// than the one before in a shuffled order (so creation is no other sort).
async fn write_clients(store: &dyn Store, clients: &[ClientFields]) {
    let now = chrono::Utc::now();
    let mut tx = store.begin(TxMode::Write).await.expect("begin");
    for (n, fields) in clients.iter().enumerate() {
        let created = now - chrono::Duration::minutes((n as i64 * 7_919) % 100_000);
        tx.insert_client(fields, created).await.expect("insert");
    }
    tx.commit().await.expect("commit");
}

every_store!(every_client_plan_pages_exactly_as_the_rule_says);
async fn every_client_plan_pages_exactly_as_the_rule_says(backend: Backend) {
    let world = World::on(backend).await;
    let store: &dyn Store = world.directory.store().as_ref();
    let mut clients = Vec::new();
    // 12,000 others, a third without an email, a third without a phone.
    for n in 0..12_000 {
        let email = format!("c{n}@filler{}.test", n % 13);
        let phone = format!("+1 212 555 {:04}", n % 10_000);
        clients.push(client(
            &format!("Client{n} Filler{}", n % 97),
            (n % 3 != 0).then_some(email.as_str()),
            (n % 3 != 1).then_some(phone.as_str()),
        ));
    }
    // 1,500 whose name starts with Zhang, 150 whose surname it is, all at
    // corp.test, all with a London number.
    for n in 0..1_650 {
        let name = if n < 1_500 {
            format!("Zhang P{n}")
        } else {
            format!("Mia{n} Zhang")
        };
        let email = format!("z{n}@corp.test");
        let phone = format!("+44 20 79{:06}", n);
        clients.push(client(&name, Some(&email), Some(&phone)));
    }
    // 30 whose email starts with "zhang", 30 whose email holds it later,
    // none of whose names does: other hits of a split by name, beside the
    // range of the Zhangs (PostgreSQL finds them by the email's start and
    // by its tail's trigrams).
    for n in 0..30 {
        let (starts, later) = (
            format!("zhang.w{n}@mail.test"),
            format!("li.zhang{n}@mail.test"),
        );
        clients.push(client(&format!("Wei{n} Li"), Some(&starts), None));
        clients.push(client(&format!("Na{n} Li"), Some(&later), None));
    }
    // Names that go on after U+10FFFF: past "zhang\u{10FFFF}", but still in
    // the range of the keys that start with "zhang".
    for n in 0..3 {
        clients.push(client(&format!("Zhang\u{10FFFF}R{n}"), None, None));
    }
    // 500 Büchers at an international domain typed in capitals: found by
    // the name's key, without accents, typed with them or not (an address
    // is matched as typed: not with its accents dropped).
    for n in 0..500 {
        let email = format!("ines{n}@BÜCHER.de");
        clients.push(client(&format!("Ines{n} Bücher"), Some(&email), None));
    }
    // A rare surname.
    for n in 0..120 {
        clients.push(client(&format!("Ann{n} Smithers"), None, None));
    }
    // Capitals that lowercase to more than their letter ("İ" to "i̇"): the
    // index holds the name's key, so it finds them as the rule does, in
    // a frequent search ("ali") and a rare one ("veli").
    for n in 0..400 {
        clients.push(client(&format!("ALİ{n} Demir"), None, None));
    }
    for n in 0..40 {
        clients.push(client(&format!("Ömer VELİ{n}"), None, None));
    }
    // Lena sees her team's clients only; Tom, her report, manages every
    // third client.
    let team = world.lead_over_report(&["clients.view:team"]).await;
    let (lead, tom) = (team.lead, team.tom.id);
    for fields in clients.iter_mut().step_by(3) {
        fields.account_manager = Some(tom);
    }
    write_clients(store, &clients).await;

    let (everyone, _) = world
        .every_client_page(&world.admin, ClientQuery::default(), 1_000)
        .await;
    assert_eq!(everyone.len(), clients.len());
    // The most hits a search of three characters or more reads from its
    // index and sorts: √(10 × clients).
    let limit = (10.0 * everyone.len() as f64).sqrt() as usize;
    let hits = |text: &str| {
        everyone
            .iter()
            .filter(|c| matches(c, text, backend))
            .count()
    };
    // SQLite's counts put each search where it is meant: "zhang" and "ali"
    // split by name (most of their hits start the name), and they, "corp",
    // "+44 20 79" and "bücher" walk; "smithers" and "veli" are read from
    // their index.
    if backend == Backend::Sqlite {
        for text in ["zhang", "corp", "+44 20 79", "bücher", "ali"] {
            assert!(hits(text) > limit, "{text}: {} hits", hits(text));
        }
        for text in ["smithers", "veli"] {
            assert!(
                (1..=limit).contains(&hits(text)),
                "{text}: {} hits",
                hits(text)
            );
        }
    }
    // PostgreSQL reads the ids of a search with at most √(50 × clients)
    // hits and sorts them ("smithers", "veli", "ali"), splits a more
    // frequent one by name when most of them start the name ("zhang": the
    // Zhangs' range beside its 210 other hits, read by id), and plans
    // another itself ("corp"; "zhang" by creation; "filler", every
    // filler's surname, more than the count's cap, whose total is "more
    // than 10,000").
    if backend == Backend::Postgres {
        assert!(hits("filler") as u64 > COUNT_CAP);
        let by_ids = (50.0 * everyone.len() as f64).sqrt() as usize;
        for text in ["zhang", "corp"] {
            assert!(hits(text) > by_ids, "{text}: {} hits", hits(text));
        }
        for text in ["smithers", "veli", "ali"] {
            assert!(
                (1..=by_ids).contains(&hits(text)),
                "{text}: {} hits",
                hits(text)
            );
        }
    }

    for (sort, direction) in [
        (ClientSort::Name, Direction::Asc),
        (ClientSort::Name, Direction::Desc),
        (ClientSort::Created, Direction::Asc),
        (ClientSort::Created, Direction::Desc),
    ] {
        let query = ClientQuery {
            sort,
            direction,
            ..ClientQuery::default()
        };
        let (all, _) = world
            .every_client_page(&world.admin, query.clone(), 1_000)
            .await;
        for text in [
            "zhang",
            "corp",
            "+44 20 79",
            "bücher",
            "xn--",
            "smithers",
            "212 555",
            "ali",
            "veli",
            "filler",
        ] {
            let search = ClientQuery {
                search: Some(text.to_uppercase()),
                ..query.clone()
            };
            // The crowd past the cap 500 at a time (the most a page holds).
            let per_page = if text == "filler" { 500 } else { 100 };
            let (found, total) = world
                .every_client_page(&world.admin, search.clone(), per_page)
                .await;
            let expected: Vec<_> = all
                .iter()
                .filter(|c| matches(c, text, backend))
                .map(|c| c.id)
                .collect();
            let found: Vec<_> = found.iter().map(|c| c.id).collect();
            let case = format!("{text} {sort:?} {direction:?}");
            if let Some(at) =
                (0..found.len().max(expected.len())).find(|&n| found.get(n) != expected.get(n))
            {
                panic!(
                    "{case}: {} found, {} expected; first difference at {at}: {:?} against {:?}",
                    found.len(),
                    expected.len(),
                    found.get(at),
                    expected.get(at)
                );
            }
            assert_eq!(total, (expected.len() as u64).min(COUNT_CAP), "{case}");
            // The lead: the same order, their team's only.
            let (theirs, total) = world.every_client_page(&lead, search, per_page).await;
            let in_team: Vec<_> = all
                .iter()
                .filter(|c| matches(c, text, backend))
                .filter(|c| c.account_manager.as_ref().is_some_and(|m| m.id == tom))
                .map(|c| c.id)
                .collect();
            let theirs: Vec<_> = theirs.iter().map(|c| c.id).collect();
            assert_eq!(theirs, in_team, "{case}, the lead");
            assert_eq!(total, in_team.len() as u64, "{case}, the lead");
        }
    }
}
