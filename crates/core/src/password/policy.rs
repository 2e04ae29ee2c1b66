//! Which passwords people may choose, after NIST SP 800-63B section 5.1.1.2.
//!
//! The rules follow the guidance rather than habit: a minimum length, a
//! generous maximum so that passphrases and password managers work, no
//! composition rules ("one digit, one symbol…"), and a refusal of passwords
//! that are easy to guess: on a list of breached or common passwords, made
//! only of repeated characters, sequences or keyboard walks, a single
//! dictionary word (with a few digits or symbols around it), or rated below
//! "Strong" by zxcvbn; and of passwords containing the user's own name or
//! email address, the company's name or "Roster".
//!
//! Passwords are judged in their NFKC form, the form they are hashed in, and
//! may not contain control characters or invisible formatting marks.

use std::fmt;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use zeroize::Zeroizing;

use super::lists::{is_breached, is_dictionary_word, list_form};
use super::patterns::{repeated_unit, whole_pattern, Pattern};
use super::{is_format_character, PasswordError, PlainPassword};

/// The longest password accepted, in characters (Unicode scalar values).
pub const MAX_LENGTH: usize = 128;

/// The minimum length used by [`PasswordPolicy::default`], in characters.
pub const DEFAULT_MIN_LENGTH: usize = 12;

/// The range a policy's minimum length may be set in. NIST requires at
/// least 8; more than 64 would make the minimum a hardship.
const MIN_LENGTH_RANGE: std::ops::RangeInclusive<usize> = 8..=64;

/// Name and email parts shorter than this are too likely to occur by
/// chance ("al", "jo") to be worth refusing.
const MIN_PERSONAL_PART: usize = 3;

/// The lowest zxcvbn score accepted: 3, "Strong" (at least 10^8 guesses).
pub const MIN_SCORE: u8 = 3;

/// The app's own name, which a password must not contain.
const APP_NAME: &str = "roster";

/// Digits or symbols around a dictionary word that add this many
/// characters or fewer (or only a pattern, such as `123456`) still leave a
/// "dictionary word" password.
const MAX_WORD_AFFIX: usize = 4;

/// A group repeated to make a password must be at least this long, and
/// not guessable itself, for the repetition to be accepted.
const MIN_REPEATED_UNIT: usize = 8;

/// The password rules for an installation.
///
/// Make one with [`PasswordPolicy::new`], which checks the minimum length;
/// the field is public for reading (settings screens show it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// The fewest characters a password may have, 8 to 64.
    pub min_length: usize,
}

impl PasswordPolicy {
    /// A policy requiring at least `min_length` characters.
    ///
    /// Fails with [`PasswordError::InvalidPolicy`] unless `min_length` is
    /// between 8 and 64.
    pub fn new(min_length: usize) -> Result<Self, PasswordError> {
        if !MIN_LENGTH_RANGE.contains(&min_length) {
            return Err(PasswordError::InvalidPolicy {
                reason: format!(
                    "The minimum length must be between {} and {} characters.",
                    MIN_LENGTH_RANGE.start(),
                    MIN_LENGTH_RANGE.end()
                ),
            });
        }
        Ok(Self { min_length })
    }

    /// Judges a password for the user described by `context`: lists every
    /// rule it breaks and estimates its strength.
    ///
    /// The password is judged in its NFKC form. Lengths are counted in
    /// characters, not bytes, so "pässwörd" has 8. Comparisons ignore case.
    /// Of the ways a password can be easy to guess, only the first found is
    /// reported, in this order: the breached list, a pattern, a dictionary
    /// word, a zxcvbn score below [`MIN_SCORE`]. A password longer than
    /// [`MAX_LENGTH`] is not judged for guessability at all.
    pub fn check(&self, password: &PlainPassword, context: &PolicyContext<'_>) -> PolicyVerdict {
        let normalized = password.normalized();
        let length = normalized.chars().count();
        let lowercase = Zeroizing::new(normalized.to_lowercase());
        let mut problems = Vec::new();

        if password
            .expose()
            .chars()
            .any(|character| character.is_control() || is_format_character(character))
        {
            problems.push(PolicyProblem::ForbiddenCharacters);
        }
        if length < self.min_length {
            problems.push(PolicyProblem::TooShort {
                min: self.min_length,
            });
        }
        let strength = Strength::estimate(&normalized, context);
        if length > MAX_LENGTH {
            problems.push(PolicyProblem::TooLong { max: MAX_LENGTH });
        } else if let Some(problem) = guessability(&lowercase) {
            problems.push(problem);
        } else if strength.score < MIN_SCORE {
            problems.push(PolicyProblem::TooWeak);
        }
        if context
            .email_parts()
            .iter()
            .any(|part| lowercase.contains(part.as_str()))
        {
            problems.push(PolicyProblem::ContainsEmail);
        }
        if context
            .name_parts()
            .iter()
            .any(|part| lowercase.contains(part.as_str()))
        {
            problems.push(PolicyProblem::ContainsName);
        }
        if context
            .context_words()
            .iter()
            .any(|word| lowercase.contains(word.as_str()))
        {
            problems.push(PolicyProblem::ContainsContextWord);
        }

        PolicyVerdict { problems, strength }
    }

    /// Like [`PasswordPolicy::check`], but as a `Result` for code that only
    /// needs to refuse: [`PasswordError::Policy`] lists the problems.
    pub fn enforce(
        &self,
        password: &PlainPassword,
        context: &PolicyContext<'_>,
    ) -> Result<(), PasswordError> {
        let verdict = self.check(password, context);
        if verdict.is_acceptable() {
            Ok(())
        } else {
            Err(PasswordError::Policy(verdict.problems))
        }
    }
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: DEFAULT_MIN_LENGTH,
        }
    }
}

/// Whether a password is refused whoever it is for and whatever the
/// policy's minimum: it is on the breached list (or one of the list's rare
/// false positives), is guessable as a whole (runs, sequences and keyboard
/// walks end to end, a guessable group repeated, a dictionary word), or
/// contains "Roster". The generator draws again when this is so; each
/// happens rarely enough by chance that it always ends. (A draw of 19
/// digits without 0 and 1 was once made of keypad walks end to end, and
/// the policy refused what the generator had made.)
pub(crate) fn refused_for_everyone(password: &PlainPassword) -> bool {
    let lowercase = Zeroizing::new(password.normalized().to_lowercase());
    lowercase.contains(APP_NAME) || guessability(&lowercase).is_some()
}

/// Why a password (in list form, at most [`MAX_LENGTH`] characters) is
/// easy to guess, if it is: the first of the breached list (the surest
/// reason: attackers try exactly that password), a pattern, a guessable
/// group repeated, and a dictionary word.
fn guessability(text: &str) -> Option<PolicyProblem> {
    guessability_against(text, is_breached)
}

/// [`guessability`] with the breached list given, so tests can leave it out.
fn guessability_against(text: &str, is_breached: impl Fn(&str) -> bool) -> Option<PolicyProblem> {
    if is_breached(text) {
        return Some(PolicyProblem::Common);
    }
    if let Some(pattern) = whole_pattern(text) {
        return Some(match pattern {
            Pattern::Repetitive => PolicyProblem::Repetitive,
            Pattern::Sequential => PolicyProblem::Sequential,
            Pattern::Keyboard => PolicyProblem::KeyboardPattern,
        });
    }
    if repeated_unit(text).is_some_and(|unit| {
        unit.chars().count() < MIN_REPEATED_UNIT
            || whole_pattern(unit).is_some()
            || is_breached(unit)
            || is_word_with_affixes(unit)
    }) {
        return Some(PolicyProblem::Repetitive);
    }
    if is_word_with_affixes(text) {
        return Some(PolicyProblem::DictionaryWord);
    }
    None
}

/// Whether `text` is one dictionary word, maybe with a few digits or
/// symbols (or a pattern of them) before or after it: `administrator`,
/// `Sonnenblume2024!`, `123456password`.
fn is_word_with_affixes(text: &str) -> bool {
    let word = text.trim_matches(|character: char| !character.is_alphabetic());
    if word.is_empty() || !word.chars().all(char::is_alphabetic) || !is_dictionary_word(word) {
        return false;
    }
    let start = text.len() - text.trim_start_matches(|c: char| !c.is_alphabetic()).len();
    let affixes = Zeroizing::new(format!("{}{}", &text[..start], &text[start + word.len()..]));
    affixes.chars().count() <= MAX_WORD_AFFIX
        || whole_pattern(&affixes).is_some()
        || repeated_unit(&affixes).is_some()
}

/// Who the password is for, so that passwords made of the person's own name
/// or email address, or of the company's name, can be refused. Any field
/// may be empty.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PolicyContext<'a> {
    /// The user's display name, e.g. "Ada Lovelace".
    pub name: &'a str,
    /// The user's email address.
    pub email: &'a str,
    /// The company's name, when the installation has one.
    pub company: Option<&'a str>,
}

impl PolicyContext<'_> {
    /// The lowercased part of the email before the last `@` (the whole text
    /// if there is no `@`) and its pieces between dots, dashes, underscores
    /// and plus signs, each when long enough to matter.
    fn email_parts(&self) -> Vec<String> {
        let email = list_form(self.email.trim());
        let local_part = email
            .rsplit_once('@')
            .map_or(email.as_str(), |(local_part, _)| local_part);
        let mut parts: Vec<String> = std::iter::once(local_part)
            .chain(local_part.split(['.', '_', '-', '+']))
            .filter(|part| part.chars().count() >= MIN_PERSONAL_PART)
            .map(str::to_owned)
            .collect();
        parts.dedup();
        parts
    }

    /// The lowercased pieces of the name a password must not contain: each
    /// word of at least three characters, the whole name with single spaces
    /// between words, and the whole name without spaces.
    fn name_parts(&self) -> Vec<String> {
        Self::phrase_parts(self.name)
    }

    /// "roster" and the pieces of the company's name, as for the user's
    /// name.
    fn context_words(&self) -> Vec<String> {
        let mut words = vec![APP_NAME.to_owned()];
        if let Some(company) = self.company {
            words.extend(Self::phrase_parts(company));
        }
        words
    }

    fn phrase_parts(phrase: &str) -> Vec<String> {
        let words: Vec<String> = phrase.split_whitespace().map(list_form).collect();
        let mut parts: Vec<String> = words
            .iter()
            .filter(|word| word.chars().count() >= MIN_PERSONAL_PART)
            .cloned()
            .collect();
        for whole in [words.join(" "), words.concat()] {
            if whole.chars().count() >= MIN_PERSONAL_PART && !parts.contains(&whole) {
                parts.push(whole);
            }
        }
        parts
    }

    /// Everything zxcvbn should treat as guessable for this user.
    fn zxcvbn_inputs(&self) -> Vec<String> {
        let mut inputs = Vec::new();
        let name = self.name.trim();
        if !name.is_empty() {
            inputs.push(name.to_owned());
            inputs.extend(self.name.split_whitespace().map(str::to_owned));
        }
        let email = self.email.trim();
        if !email.is_empty() {
            inputs.push(email.to_owned());
            let (local_part, domain) = email.rsplit_once('@').unwrap_or((email, ""));
            inputs.push(local_part.to_owned());
            inputs.extend(
                local_part
                    .split(['.', '_', '-', '+'])
                    .chain(domain.split('.'))
                    .filter(|piece| !piece.is_empty())
                    .map(str::to_owned),
            );
        }
        inputs.push(APP_NAME.to_owned());
        if let Some(company) = self.company {
            inputs.push(company.trim().to_owned());
            inputs.extend(company.split_whitespace().map(str::to_owned));
        }
        inputs.retain(|input| !input.is_empty());
        inputs.sort();
        inputs.dedup();
        inputs
    }
}

/// The outcome of [`PasswordPolicy::check`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PolicyVerdict {
    /// Every rule the password breaks, in a stable order; empty if none.
    pub problems: Vec<PolicyProblem>,
    /// An estimate of how hard the password is to guess.
    pub strength: Strength,
}

impl PolicyVerdict {
    /// Whether the password may be used: it breaks no rule. (A strength
    /// score below [`MIN_SCORE`] is one of the rules, [`PolicyProblem::TooWeak`].)
    pub fn is_acceptable(&self) -> bool {
        self.problems.is_empty()
    }
}

/// One rule a password breaks.
///
/// Serializes as `{"code": "too_short", "message": "Use at least 12
/// characters."}` so that the interface can both show the sentence and
/// recognise the problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyProblem {
    /// Contains a control character (such as NUL, tab or a line break) or an
    /// invisible formatting mark.
    ForbiddenCharacters,
    /// Fewer characters than the policy's minimum.
    TooShort { min: usize },
    /// More characters than [`MAX_LENGTH`].
    TooLong { max: usize },
    /// Only repeated characters, or one short or guessable group repeated.
    Repetitive,
    /// Only sequences such as `1234` or `abcd` (and repeated characters).
    Sequential,
    /// Only keys next to each other on a keyboard, such as `qwerty` or
    /// `1q2w3e4r`.
    KeyboardPattern,
    /// On the list of breached or commonly used passwords.
    Common,
    /// One dictionary word, maybe with a few digits or symbols.
    DictionaryWord,
    /// zxcvbn rates it below [`MIN_SCORE`].
    TooWeak,
    /// Contains the part of the user's email address before the `@`.
    ContainsEmail,
    /// Contains the user's name or a word of it.
    ContainsName,
    /// Contains "Roster" or the company's name.
    ContainsContextWord,
}

impl PolicyProblem {
    /// A stable identifier for the problem, for code rather than people.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ForbiddenCharacters => "forbidden_characters",
            Self::TooShort { .. } => "too_short",
            Self::TooLong { .. } => "too_long",
            Self::Repetitive => "repetitive",
            Self::Sequential => "sequential",
            Self::KeyboardPattern => "keyboard_pattern",
            Self::Common => "common",
            Self::DictionaryWord => "dictionary_word",
            Self::TooWeak => "too_weak",
            Self::ContainsEmail => "contains_email",
            Self::ContainsName => "contains_name",
            Self::ContainsContextWord => "contains_context_word",
        }
    }
}

impl fmt::Display for PolicyProblem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ForbiddenCharacters => formatter.write_str(
                "The password must not contain control characters, such as tabs or line breaks, or invisible formatting characters.",
            ),
            Self::TooShort { min } => write!(formatter, "Use at least {min} characters."),
            Self::TooLong { max } => write!(formatter, "Use at most {max} characters."),
            Self::Repetitive => formatter
                .write_str("Repeated characters or a repeated group of characters are easy to guess."),
            Self::Sequential => formatter
                .write_str("Sequences such as 1234 or abcd are easy to guess."),
            Self::KeyboardPattern => formatter.write_str(
                "Rows or patterns of neighbouring keys, such as qwerty or 1q2w3e4r, are easy to guess.",
            ),
            Self::Common => {
                formatter.write_str("This password is on the list of commonly used passwords.")
            }
            Self::DictionaryWord => formatter.write_str(
                "A single word from a dictionary, even with a few digits or symbols added, is easy to guess.",
            ),
            Self::TooWeak => formatter.write_str(
                "This password is too easy to guess; add more words or make it less predictable.",
            ),
            Self::ContainsEmail => {
                formatter.write_str("The password must not contain the email address.")
            }
            Self::ContainsName => {
                formatter.write_str("The password must not contain the user's name.")
            }
            Self::ContainsContextWord => formatter
                .write_str("The password must not contain the company's name or the word Roster."),
        }
    }
}

impl Serialize for PolicyProblem {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut problem = serializer.serialize_struct("PolicyProblem", 2)?;
        problem.serialize_field("code", self.code())?;
        problem.serialize_field("message", &self.to_string())?;
        problem.end()
    }
}

/// zxcvbn's estimate of how hard a password is to guess, worded for people.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Strength {
    /// 0 (guessable in under a thousand tries) to 4 (over ten billion).
    pub score: u8,
    /// The score in words: "Very weak", "Weak", "Fair", "Strong" or "Very
    /// strong".
    pub label: &'static str,
    /// What makes the password weak, if anything in particular does.
    pub warning: Option<String>,
    /// How to choose a better password.
    pub suggestions: Vec<String>,
    /// How long an attacker holding the stored hash would need, at ten
    /// thousand guesses per second (zxcvbn's "offline, slow hashing" case,
    /// which is what Argon2 storage gives), e.g. "3 hours" or "centuries".
    pub crack_time: String,
}

impl Strength {
    /// The score in words, as shown to people.
    fn label(score: u8) -> &'static str {
        match score {
            0 => "Very weak",
            1 => "Weak",
            2 => "Fair",
            3 => "Strong",
            _ => "Very strong",
        }
    }

    /// zxcvbn looks at the first 100 characters only, which also bounds its
    /// running time for over-long input.
    fn estimate(plaintext: &str, context: &PolicyContext<'_>) -> Self {
        let inputs = context.zxcvbn_inputs();
        let input_refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        let entropy = zxcvbn::zxcvbn(plaintext, &input_refs);
        let score = u8::from(entropy.score()).min(4);
        let (warning, suggestions) = match entropy.feedback() {
            Some(feedback) => (
                feedback.warning().map(|warning| warning.to_string()),
                feedback
                    .suggestions()
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            ),
            None => (None, Vec::new()),
        };
        Self {
            score,
            label: Self::label(score),
            warning,
            suggestions,
            crack_time: entropy
                .crack_times()
                .offline_slow_hashing_1e4_per_second()
                .to_string(),
        }
    }
}

#[cfg(test)]
mod tests;
