use std::collections::{HashMap, HashSet};

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::*;
use crate::domain::{ClientName, Email, UserName};

/// `count` realistic users drawn from `seed`: (name, address) each.
fn draw(count: usize, seed: u64) -> (Vec<(String, String)>, People) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut people = People::new(Profile::Realistic, Kind::Users);
    let drawn = (0..count)
        .map(|n| {
            let person = people.person(&mut rng);
            (person.name(), people.email(person, n, &mut rng))
        })
        .collect();
    (drawn, people)
}

#[test]
fn profiles_parse_by_name_and_others_are_refused() {
    assert_eq!("realistic".parse::<Profile>().unwrap(), Profile::Realistic);
    assert_eq!(" harsh ".parse::<Profile>().unwrap(), Profile::Harsh);
    assert_eq!(Profile::default(), Profile::Realistic);
    let error = "gentle".parse::<Profile>().unwrap_err();
    assert_eq!(
        error.to_string(),
        "“gentle” is not a bench profile; use realistic or harsh."
    );
}

#[test]
fn realistic_people_are_the_same_for_the_same_seed_only() {
    let (first, _) = draw(2_000, 7);
    let (again, _) = draw(2_000, 7);
    let (other, _) = draw(2_000, 8);
    assert_eq!(first, again);
    assert_ne!(first, other);
}

#[test]
fn realistic_lists_hold_thousands_of_first_names_and_tens_of_thousands_of_surnames() {
    let lists = lists();
    assert_eq!(lists.first.len(), 8_000);
    assert_eq!(lists.surnames.len(), 30_000);
    assert_eq!(lists.domains.len(), 300);
    for list in [&lists.first, &lists.surnames, &lists.domains] {
        let distinct: HashSet<&str> = list.iter().copied().collect();
        assert_eq!(distinct.len(), list.len(), "a list repeats an entry");
    }
    for accented in ["José", "Łukasz", "Søren", "Zoë", "François", "Jürgen"] {
        assert!(lists.first.contains(&accented), "{accented}");
    }
    for accented in ["Müller", "García", "Nguyễn", "Đỗ", "Yılmaz", "O'Brien"] {
        assert!(lists.surnames.contains(&accented), "{accented}");
    }
}

#[test]
fn many_distinct_names_are_drawn() {
    let mut rng = StdRng::seed_from_u64(1);
    let mut people = People::new(Profile::Realistic, Kind::Users);
    let drawn: Vec<Person> = (0..100_000).map(|_| people.person(&mut rng)).collect();
    let firsts: HashSet<usize> = drawn.iter().map(|person| person.first).collect();
    let surnames: HashSet<usize> = drawn.iter().map(|person| person.last).collect();
    assert!(firsts.len() > 3_000, "{} first names", firsts.len());
    assert!(surnames.len() > 15_000, "{} surnames", surnames.len());
    assert!(
        people.distinct_names() > 80_000,
        "{} distinct names in 100,000",
        people.distinct_names()
    );
}

#[test]
fn names_follow_a_zipf_like_frequency() {
    let lists = lists();
    let mut rng = StdRng::seed_from_u64(3);
    let mut counts: HashMap<usize, usize> = HashMap::new();
    let draws = 300_000;
    for _ in 0..draws {
        *counts
            .entry(lists.surname_rank.sample(&mut rng))
            .or_default() += 1;
    }
    let count = |rank: usize| counts.get(&rank).copied().unwrap_or(0);
    // The most common surname: about 1.1% (rank r weighs 1/(r + 10)).
    let top = count(0);
    assert!((2_500..4_500).contains(&top), "{top}");
    // Around the 1000th rank a surname weighs about 11 / 1010 of the top
    // one (ranks 990 to 1009 averaged, against noise).
    let around_thousandth: usize = (990..1010).map(count).sum();
    assert!(
        top * 20 > 40 * around_thousandth && around_thousandth > 0,
        "{top} vs {around_thousandth} for 20 ranks"
    );
    assert!(
        count(1) < top && count(10) < count(1),
        "{:?}",
        (0..11).map(count).collect::<Vec<_>>()
    );
    // Every rank can be drawn, the last one included.
    let mut last = StdRng::seed_from_u64(0);
    let rank = (0..2_000_000)
        .map(|_| lists.surname_rank.sample(&mut last))
        .max();
    assert_eq!(rank, Some(lists.surnames.len() - 1));
}

#[test]
fn two_letter_surnames_are_common_enough_to_be_drawn() {
    let lists = lists();
    for surname in ["Li", "Wu", "Xu", "Ng", "Ma", "Yu", "He", "Lê", "Do", "Oh"] {
        assert!(lists.surnames.contains(&surname), "{surname}");
    }
    let (drawn, _) = draw(20_000, 11);
    let two_letter = drawn
        .iter()
        .filter(|(name, _)| {
            name.rsplit(' ')
                .next()
                .is_some_and(|last| last.chars().count() == 2)
        })
        .count();
    assert!(two_letter > 100, "{two_letter} of 20,000");
}

#[test]
fn every_listed_name_is_a_valid_name_with_a_valid_address() {
    let lists = lists();
    for first in &lists.first {
        UserName::parse(&format!("{first} Smith")).unwrap();
        Email::parse(&format!("{}.smith@acme.com", mail_part(first))).unwrap();
    }
    for surname in &lists.surnames {
        ClientName::parse(&format!("Ann {surname}")).unwrap();
        Email::parse(&format!("a.{}@acme.com", mail_part(surname))).unwrap();
    }
    for domain in &lists.domains {
        Email::parse(&format!("ann@{domain}")).unwrap();
    }
}

#[test]
fn addresses_are_valid_unique_lowercase_ascii_and_shared_by_companies() {
    let (drawn, _) = draw(30_000, 5);
    let mut seen = HashSet::new();
    let mut domains: HashMap<&str, usize> = HashMap::new();
    for (name, address) in &drawn {
        UserName::parse(name).unwrap();
        let email = Email::parse(address).unwrap();
        assert!(
            seen.insert(email.normalized().to_owned()),
            "{address} twice"
        );
        assert!(
            address
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-@".contains(c)),
            "{address}"
        );
        if let Some((_, domain)) = address.split_once('@') {
            *domains.entry(domain).or_default() += 1;
        }
    }
    // A few hundred companies, the largest much larger than most.
    assert!(domains.len() > 250, "{} domains", domains.len());
    let largest = domains.values().max().copied().unwrap_or(0);
    assert!(largest > 1_500, "{largest}");
    // Taken addresses get numbers.
    assert!(drawn.iter().any(|(_, address)| address.contains("2@")));
}

#[test]
fn addresses_fold_names_the_way_mail_systems_do() {
    assert_eq!(mail_part("Nguyễn"), "nguyen");
    assert_eq!(mail_part("O'Brien"), "obrien");
    assert_eq!(mail_part("De Smet"), "desmet");
    assert_eq!(mail_part("Søren"), "soren");
    assert_eq!(mail_part("Łukasz"), "lukasz");
    assert_eq!(mail_part("Weiß"), "weiss");
    assert_eq!(mail_part("Yılmaz"), "yilmaz");
    assert_eq!(mail_part("Đỗ"), "do");
    assert_eq!(mail_part("Jean-Pierre"), "jean-pierre");
    assert_eq!(mail_part("'"), "x");
}

#[test]
fn the_harsh_profile_keeps_the_benchmarks_first_data() {
    let mut rng = StdRng::seed_from_u64(1);
    let mut users = People::new(Profile::Harsh, Kind::Users);
    let mut clients = People::new(Profile::Harsh, Kind::Clients);
    let mut names = HashSet::new();
    for n in 0..5_000 {
        let person = users.person(&mut rng);
        let address = users.email(person, n, &mut rng);
        assert!(address.ends_with(&format!(".{n}@example.com")), "{address}");
        names.insert(person.name());
        let person = clients.person(&mut rng);
        let address = clients.email(person, n, &mut rng);
        assert!(
            address.ends_with(&format!(".c{n}@example.org")),
            "{address}"
        );
    }
    assert_eq!(names.len(), FIRST_NAMES.len() * LAST_NAMES.len());
    assert_eq!(users.distinct_names(), 624);
}
