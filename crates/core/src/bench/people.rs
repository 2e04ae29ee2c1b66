//! The people a benchmark seeds, users and clients alike: their names and
//! email addresses, as one of two [`Profile`]s.
//!
//! The realistic profile's lists are `data/bench-first-names.txt` (8,000
//! first names), `data/bench-surnames.txt` (30,000 surnames) and
//! `data/bench-domains.txt` (300 company domains), most common first; see
//! `data/README.md` for where they come from. About 300 KB in the binary.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use rand::Rng;

use crate::domain::fold_name;
use crate::error::Error;

/// The harsh profile's first names.
pub(super) const FIRST_NAMES: &[&str] = &[
    "Ann", "Ben", "Chloé", "Dmitri", "Eva", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemal",
    "Lena", "Marta", "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sven", "Tariq", "Ursula", "Vera",
    "Wen", "Xavier", "Yusuf", "Zoë",
];
/// The harsh profile's last names.
pub(super) const LAST_NAMES: &[&str] = &[
    "Andersen", "Brown", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Horvat", "Ivanova",
    "Jensen", "Kowalski", "Lambert", "Müller", "Novak", "O'Brien", "Petrov", "Rossi", "Schmidt",
    "Tanaka", "Usman", "Virtanen", "Weber", "Yilmaz", "Zhang",
];

const FIRST_NAMES_FILE: &str = include_str!("../../data/bench-first-names.txt");
const SURNAMES_FILE: &str = include_str!("../../data/bench-surnames.txt");
const DOMAINS_FILE: &str = include_str!("../../data/bench-domains.txt");

/// Which people a benchmark seeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// As a real international directory looks: 8,000 first names and
    /// 30,000 surnames of many languages (accents kept, two-letter
    /// surnames among them), each drawn with a Zipf-like frequency (the
    /// rank r with weight 1/(r + 10)), and addresses at 300 company domains
    /// (also Zipf-like), each company with its own pattern (first.last,
    /// f.last or firstlast, lowercased and accent-folded), numbered from 2
    /// when an address is taken.
    #[default]
    Realistic,
    /// The worst case for searches that match many: 26 first names and 24
    /// last names (624 distinct names), evenly drawn, every address at
    /// example.com (users) or example.org (clients) with the person's
    /// number. The benchmark's only data before profiles existed.
    Harsh,
}

impl Profile {
    pub const ALL: [Profile; 2] = [Profile::Realistic, Profile::Harsh];

    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Realistic => "realistic",
            Profile::Harsh => "harsh",
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Profile {
    type Err = Error;

    fn from_str(value: &str) -> Result<Self, Error> {
        Profile::ALL
            .into_iter()
            .find(|profile| profile.as_str() == value.trim())
            .ok_or_else(|| Error::InvalidChoice {
                field: "profile",
                reason: format!("“{value}” is not a bench profile; use realistic or harsh."),
            })
    }
}

/// Draws ranks 0..n with a Zipf–Mandelbrot law: rank r (from 1) has weight
/// 1 / (r + shift)^exponent. The shift flattens the very top, as real
/// name frequencies do (the most common surname is about one person in a
/// hundred, not one in ten).
pub(super) struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    pub(super) fn new(n: usize, exponent: f64, shift: f64) -> Self {
        let mut total = 0.0;
        let cumulative = (1..=n)
            .map(|rank| {
                total += 1.0 / (rank as f64 + shift).powf(exponent);
                total
            })
            .collect();
        Self { cumulative }
    }

    pub(super) fn sample(&self, rng: &mut impl Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.gen::<f64>() * total;
        self.cumulative
            .partition_point(|c| *c <= x)
            .min(self.cumulative.len().saturating_sub(1))
    }
}

/// The realistic profile's lists, read once.
struct Lists {
    first: Vec<&'static str>,
    surnames: Vec<&'static str>,
    domains: Vec<&'static str>,
    first_rank: Zipf,
    surname_rank: Zipf,
    domain_rank: Zipf,
}

fn lists() -> &'static Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS.get_or_init(|| {
        let lines = |file: &'static str| -> Vec<&'static str> {
            file.lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .collect()
        };
        let (first, surnames, domains) = (
            lines(FIRST_NAMES_FILE),
            lines(SURNAMES_FILE),
            lines(DOMAINS_FILE),
        );
        Lists {
            first_rank: Zipf::new(first.len(), 1.0, 10.0),
            surname_rank: Zipf::new(surnames.len(), 1.0, 10.0),
            domain_rank: Zipf::new(domains.len(), 1.0, 1.0),
            first,
            surnames,
            domains,
        }
    })
}

/// One seeded person's name, by its two parts.
#[derive(Debug, Clone, Copy)]
pub(super) struct Person {
    first: usize,
    last: usize,
    profile: Profile,
}

impl Person {
    fn parts(self) -> (&'static str, &'static str) {
        match self.profile {
            Profile::Harsh => (FIRST_NAMES[self.first], LAST_NAMES[self.last]),
            Profile::Realistic => {
                let lists = lists();
                (lists.first[self.first], lists.surnames[self.last])
            }
        }
    }

    /// "First Last".
    pub(super) fn name(self) -> String {
        let (first, last) = self.parts();
        format!("{first} {last}")
    }
}

/// Whom a [`People`] makes: the harsh profile's addresses differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Users,
    Clients,
}

/// Makes the people of one seeding, in order: names drawn from the
/// profile's lists, addresses unique within the seeding.
pub(super) struct People {
    profile: Profile,
    kind: Kind,
    /// Realistic: how many times each address was handed out.
    taken: HashMap<String, u32>,
    /// The distinct (first, last) pairs drawn so far.
    names: HashSet<(u32, u32)>,
}

impl People {
    pub(super) fn new(profile: Profile, kind: Kind) -> Self {
        Self {
            profile,
            kind,
            taken: HashMap::new(),
            names: HashSet::new(),
        }
    }

    /// How many distinct names were drawn.
    pub(super) fn distinct_names(&self) -> usize {
        self.names.len()
    }

    /// Draws the next person's name.
    pub(super) fn person(&mut self, rng: &mut impl Rng) -> Person {
        let (first, last) = match self.profile {
            // The draws of the benchmark before profiles: the same data.
            Profile::Harsh => (
                rng.gen_range(0..FIRST_NAMES.len()),
                rng.gen_range(0..LAST_NAMES.len()),
            ),
            Profile::Realistic => {
                let lists = lists();
                (lists.first_rank.sample(rng), lists.surname_rank.sample(rng))
            }
        };
        self.names.insert((first as u32, last as u32));
        Person {
            first,
            last,
            profile: self.profile,
        }
    }

    /// The address of `person`, the `n`-th of the seeding (counted from 0).
    pub(super) fn email(&mut self, person: Person, n: usize, rng: &mut impl Rng) -> String {
        let (first, last) = person.parts();
        match self.profile {
            Profile::Harsh => {
                let (first, last) = (first.to_lowercase(), last.to_lowercase().replace('\'', ""));
                match self.kind {
                    Kind::Users => format!("{first}.{last}.{n}@example.com"),
                    Kind::Clients => format!("{first}.{last}.c{n}@example.org"),
                }
            }
            Profile::Realistic => {
                let lists = lists();
                let domain_index = lists.domain_rank.sample(rng);
                let domain = lists.domains[domain_index];
                let (first, last) = (mail_part(first), mail_part(last));
                // Each company writes its addresses one way.
                let local = match domain_index % 4 {
                    0 | 1 => format!("{first}.{last}"),
                    2 => format!("{}.{last}", first.chars().next().unwrap_or('x')),
                    _ => format!("{first}{last}"),
                };
                let address = format!("{local}@{domain}");
                let count = self.taken.entry(address).or_insert(0);
                *count += 1;
                // Names hold no digits, so a numbered address never meets
                // another person's plain one.
                if *count == 1 {
                    format!("{local}@{domain}")
                } else {
                    format!("{local}{count}@{domain}")
                }
            }
        }
    }
}

/// A name as the part of an address: accents and marks dropped, letters
/// without a decomposition spelled out (ł, ø, æ, ß …), lowercased, only
/// letters, digits and hyphens kept (`Nguyễn` → `nguyen`, `O'Brien` →
/// `obrien`, `De Smet` → `desmet`, `Søren` → `soren`).
pub(super) fn mail_part(name: &str) -> String {
    let mut part = String::with_capacity(name.len());
    for c in fold_name(name).chars() {
        match c {
            'a'..='z' | '0'..='9' | '-' => part.push(c),
            'ł' => part.push('l'),
            'ø' => part.push('o'),
            'đ' | 'ð' => part.push('d'),
            'ı' => part.push('i'),
            'æ' => part.push_str("ae"),
            'œ' => part.push_str("oe"),
            'ß' => part.push_str("ss"),
            'þ' => part.push_str("th"),
            _ => {}
        }
    }
    let part = part.trim_matches('-');
    if part.is_empty() {
        "x".to_owned()
    } else {
        part.to_owned()
    }
}

#[cfg(test)]
mod tests;
