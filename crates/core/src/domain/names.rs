//! Short free-text names: of users, groups and clients, and group
//! descriptions, with the rules against invisible and look-alike characters.

use std::fmt;

use serde::Serialize;

use crate::error::Error;

/// Trims `input` and checks that it has `1..=max` characters, no control or
/// invisible characters, no stacks of marks, and something visible. Shared
/// by the short free-text names of the domain.
fn parse_label(input: &str, max: usize, what: &str) -> Result<String, String> {
    parse_counted_label(input, max, what, |s| s.chars().count())
}

/// [`parse_label`] with the length counted by `count` (chars, graphemes).
fn parse_counted_label(
    input: &str,
    max: usize,
    what: &str,
    count: fn(&str) -> usize,
) -> Result<String, String> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(format!("Enter a {what}."));
    }
    if count(trimmed) > max {
        return Err(format!("A {what} can have at most {max} characters."));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(format!(
            "A {what} cannot contain control characters such as tabs or line breaks."
        ));
    }
    let subject = format!("A {what}");
    crate::look_alike::check_text(trimmed, &subject)?;
    crate::look_alike::check_visible(trimmed, &subject)?;
    Ok(trimmed.to_owned())
}

/// A client's name: 1..=200 graphemes (what a reader counts as
/// characters: a letter with its accents, an emoji), with the rules of
/// names: no control or invisible characters, at least one visible one.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ClientName(String);

impl ClientName {
    pub const MAX_LEN: usize = 200;

    pub fn parse(input: &str) -> Result<Self, Error> {
        use unicode_segmentation::UnicodeSegmentation;
        parse_counted_label(input, Self::MAX_LEN, "client name", |s| {
            s.graphemes(true).count()
        })
        .map(Self)
        .map_err(|reason| Error::InvalidName { reason })
    }

    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key names sort and are searched by: see [`search_key`].
    pub fn sort_key(&self) -> String {
        search_key(&self.0)
    }

    /// The key a whole-name search compares: see [`fold_name`].
    pub fn folded(&self) -> String {
        fold_name(&self.0)
    }
}

/// The blocks of combining marks a [`search_key`] drops: the accents of
/// Latin, Greek and Cyrillic letters (Combining Diacritical Marks, its
/// Extended and Supplement, for Symbols, and Half Marks). Other scripts'
/// marks (an Indic vowel sign, a Hebrew point) are letters' parts there,
/// and stay.
const ACCENTS: [(char, char); 5] = [
    ('\u{0300}', '\u{036F}'),
    ('\u{1AB0}', '\u{1AFF}'),
    ('\u{1DC0}', '\u{1DFF}'),
    ('\u{20D0}', '\u{20FF}'),
    ('\u{FE20}', '\u{FE2F}'),
];

/// Letters with a stroke or without a dot that no decomposition takes
/// to their plain letter, each with it: "łukasz" is searched as "lukasz",
/// "yılmaz" as "yilmaz".
const PLAIN_LETTERS: [(char, char); 6] = [
    ('ł', 'l'),
    ('ø', 'o'),
    ('đ', 'd'),
    ('ħ', 'h'),
    ('ŧ', 't'),
    ('ı', 'i'),
];

/// The key a name sorts and is searched by, and a search's text: Unicode
/// lowercase, canonically decomposed, its accents dropped ([`ACCENTS`]),
/// letters with a stroke made plain ([`PLAIN_LETTERS`]), recomposed (NFC).
/// "José", "JOSE" and "Jose\u{301}" have one key, "jose", so that a search
/// finds them all, typed with the accent or without it.
pub fn search_key(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let accent = |c: char| ACCENTS.iter().any(|&(from, to)| (from..=to).contains(&c));
    let plain = |c: char| {
        PLAIN_LETTERS
            .iter()
            .find(|&&(letter, _)| letter == c)
            .map_or(c, |&(_, plain)| plain)
    };
    text.to_lowercase()
        .nfd()
        .filter(|&c| !accent(c))
        .map(plain)
        .nfc()
        .collect()
}

/// A name folded for whole-value comparison: compatibility-decomposed,
/// accents (combining marks) dropped, lowercased, runs of white space made
/// one space, trimmed. `  ZOË   lee ` and `Zoe Lee` fold alike.
pub fn fold_name(text: &str) -> String {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    let stripped: String = text.nfkd().filter(|c| !is_combining_mark(*c)).collect();
    stripped
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Debug for ClientName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClientName({})", self.0)
    }
}

/// A person's display name: 1..=200 characters, no control or invisible
/// characters, at least one visible one (see `look_alike`).
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct UserName(String);

impl UserName {
    pub const MAX_LEN: usize = 200;

    pub fn parse(input: &str) -> Result<Self, Error> {
        parse_label(input, Self::MAX_LEN, "name")
            .map(Self)
            .map_err(|reason| Error::InvalidName { reason })
    }

    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key names sort and are searched by: see [`search_key`].
    pub fn sort_key(&self) -> String {
        search_key(&self.0)
    }
}

impl fmt::Debug for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserName({})", self.0)
    }
}

impl fmt::Display for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A group's name: 1..=100 characters, unique ignoring case, with the rules
/// of names; the services also refuse one that looks like another group's.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct GroupName(String);

impl GroupName {
    pub const MAX_LEN: usize = 100;

    /// Refuses `;` too: a users file lists a user's groups separated by it.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let name = parse_label(input, Self::MAX_LEN, "group name")
            .map_err(|reason| Error::InvalidGroupName { reason })?;
        if name.contains(';') {
            return Err(Error::InvalidGroupName {
                reason: "A group name cannot contain “;”: files of users list several groups separated by it.".into(),
            });
        }
        Ok(Self(name))
    }

    /// A name as an older Roster accepted it (`;` allowed), for copying a
    /// whole directory: every other rule still holds.
    pub fn parse_kept(input: &str) -> Result<Self, Error> {
        parse_label(input, Self::MAX_LEN, "group name")
            .map(Self)
            .map_err(|reason| Error::InvalidGroupName { reason })
    }

    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The lowercased form that decides uniqueness.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }

    /// Whether the two names would be taken for one another in a list: the
    /// same UTS #39 skeleton ("Аdministrators" with a Cyrillic А looks like
    /// "Administrators"), as written or lowercased, spaces aside.
    pub fn looks_like(&self, other: &GroupName) -> bool {
        crate::look_alike::group_names_look_alike(&self.0, &other.0)
    }
}

impl fmt::Debug for GroupName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GroupName({})", self.0)
    }
}

impl fmt::Display for GroupName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A group's free-text description: up to 1,000 characters; line breaks
/// allowed, invisible formatting characters not (see `look_alike`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Description(String);

impl Description {
    pub const MAX_LEN: usize = 1000;

    pub fn parse(input: &str) -> Result<Self, Error> {
        let trimmed = input.trim();
        if trimmed.chars().count() > Self::MAX_LEN {
            return Err(Error::InvalidDescription {
                reason: format!(
                    "A description can have at most {} characters.",
                    Self::MAX_LEN
                ),
            });
        }
        if trimmed
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(Error::InvalidDescription {
                reason: "A description cannot contain control characters.".into(),
            });
        }
        crate::look_alike::check_text(trimmed, "A description")
            .map_err(|reason| Error::InvalidDescription { reason })?;
        Ok(Self(trimmed.to_owned()))
    }

    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
