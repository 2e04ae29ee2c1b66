//! Which passwords people may choose, after NIST SP 800-63B section 5.1.1.2.
//!
//! The rules follow the guidance rather than habit: a minimum length, a
//! generous maximum so that passphrases and password managers work, no
//! composition rules ("one digit, one symbol…"), and a refusal of passwords
//! that are known to be common or that contain the user's own name or email
//! address. A zxcvbn strength estimate is reported alongside to guide the
//! person choosing, but it does not decide acceptance.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use zeroize::Zeroizing;

use super::{PasswordError, PlainPassword};

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

/// Known common passwords, lowercased, from zxcvbn's frequency data.
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect()
});

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
    /// Lengths are counted in characters, not bytes, so "pässwörd" has 8.
    /// Name and email comparisons ignore case.
    pub fn check(&self, password: &PlainPassword, context: &PolicyContext<'_>) -> PolicyVerdict {
        let plaintext = password.expose();
        let length = plaintext.chars().count();
        let lowercase = Zeroizing::new(plaintext.to_lowercase());
        let mut problems = Vec::new();

        if length < self.min_length {
            problems.push(PolicyProblem::TooShort {
                min: self.min_length,
            });
        }
        if length > MAX_LENGTH {
            problems.push(PolicyProblem::TooLong { max: MAX_LENGTH });
        }
        if COMMON_PASSWORDS.contains(lowercase.as_str()) {
            problems.push(PolicyProblem::Common);
        }
        if let Some(local_part) = context.email_local_part() {
            if lowercase.contains(&local_part) {
                problems.push(PolicyProblem::ContainsEmail);
            }
        }
        if context
            .name_parts()
            .iter()
            .any(|part| lowercase.contains(part.as_str()))
        {
            problems.push(PolicyProblem::ContainsName);
        }

        PolicyVerdict {
            problems,
            strength: Strength::estimate(plaintext, context),
        }
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

/// Who the password is for, so that passwords made of the person's own name
/// or email address can be refused. Either field may be empty.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PolicyContext<'a> {
    /// The user's display name, e.g. "Ada Lovelace".
    pub name: &'a str,
    /// The user's email address.
    pub email: &'a str,
}

impl PolicyContext<'_> {
    /// The lowercased part of the email before the last `@` (the whole text
    /// if there is no `@`), when it is long enough to matter.
    fn email_local_part(&self) -> Option<String> {
        let email = self.email.trim();
        let local_part = email
            .rsplit_once('@')
            .map_or(email, |(local_part, _)| local_part);
        (local_part.chars().count() >= MIN_PERSONAL_PART).then(|| local_part.to_lowercase())
    }

    /// The lowercased pieces of the name a password must not contain: each
    /// word of at least three characters, the whole name with single spaces
    /// between words, and the whole name without spaces.
    fn name_parts(&self) -> Vec<String> {
        let words: Vec<String> = self
            .name
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
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
    /// Whether the password may be used: it breaks no rule. Strength is
    /// advice only and does not count.
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
    /// Fewer characters than the policy's minimum.
    TooShort { min: usize },
    /// More characters than [`MAX_LENGTH`].
    TooLong { max: usize },
    /// On the list of commonly used passwords.
    Common,
    /// Contains the part of the user's email address before the `@`.
    ContainsEmail,
    /// Contains the user's name or a word of it.
    ContainsName,
}

impl PolicyProblem {
    /// A stable identifier for the problem, for code rather than people.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooShort { .. } => "too_short",
            Self::TooLong { .. } => "too_long",
            Self::Common => "common",
            Self::ContainsEmail => "contains_email",
            Self::ContainsName => "contains_name",
        }
    }
}

impl fmt::Display for PolicyProblem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort { min } => write!(formatter, "Use at least {min} characters."),
            Self::TooLong { max } => write!(formatter, "Use at most {max} characters."),
            Self::Common => {
                formatter.write_str("This password is on the list of commonly used passwords.")
            }
            Self::ContainsEmail => {
                formatter.write_str("The password must not contain the email address.")
            }
            Self::ContainsName => {
                formatter.write_str("The password must not contain the user's name.")
            }
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
mod tests {
    use super::*;

    fn nobody() -> PolicyContext<'static> {
        PolicyContext::default()
    }

    fn ada() -> PolicyContext<'static> {
        PolicyContext {
            name: "Ada King Lovelace",
            email: "a.lovelace@example.org",
        }
    }

    fn problems(
        policy: &PasswordPolicy,
        password: &str,
        context: &PolicyContext,
    ) -> Vec<PolicyProblem> {
        policy
            .check(&PlainPassword::new(password), context)
            .problems
    }

    #[test]
    fn blocklist_is_large_lowercased_and_deduplicated() {
        let text = include_str!("../../data/common-passwords.txt");
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len() >= 10_000, "{} entries", lines.len());
        assert_eq!(COMMON_PASSWORDS.len(), lines.len(), "duplicates present");
        assert!(lines.iter().all(|line| *line == line.to_lowercase()));
        assert!(lines.iter().all(|line| line.chars().count() >= 4));
        assert!(COMMON_PASSWORDS.contains("password"));
        assert!(COMMON_PASSWORDS.contains("123456"));
    }

    #[test]
    fn minimum_length_must_be_8_to_64() {
        assert_eq!(PasswordPolicy::default().min_length, 12);
        for valid in [8, 12, 64] {
            assert_eq!(PasswordPolicy::new(valid).map(|p| p.min_length), Ok(valid));
        }
        for invalid in [0, 7, 65, usize::MAX] {
            assert!(matches!(
                PasswordPolicy::new(invalid),
                Err(PasswordError::InvalidPolicy { .. })
            ));
        }
    }

    #[test]
    fn short_passwords_are_refused() {
        let policy = PasswordPolicy::default();
        assert_eq!(
            problems(&policy, "qz7#kfm2vb", &nobody()),
            vec![PolicyProblem::TooShort { min: 12 }]
        );
        assert_eq!(problems(&policy, "qz7#kfm2vb9w", &nobody()), vec![]);
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let policy = PasswordPolicy::new(8).expect("valid");
        // 8 characters, 12 bytes.
        assert!(
            !problems(&policy, "žluťoučk", &nobody()).contains(&PolicyProblem::TooShort { min: 8 })
        );
        assert!(
            problems(&policy, "žluťouč", &nobody()).contains(&PolicyProblem::TooShort { min: 8 })
        );
        let long = "ž".repeat(MAX_LENGTH);
        assert!(!problems(&policy, &long, &nobody())
            .contains(&PolicyProblem::TooLong { max: MAX_LENGTH }));
    }

    #[test]
    fn up_to_128_characters_are_accepted_and_longer_refused() {
        let policy = PasswordPolicy::default();
        let fitting = "Kx9!mQ2#vL7pR4$w".repeat(8);
        assert_eq!(fitting.chars().count(), 128);
        assert_eq!(problems(&policy, &fitting, &nobody()), vec![]);
        let too_long = format!("{fitting}z");
        assert_eq!(
            problems(&policy, &too_long, &nobody()),
            vec![PolicyProblem::TooLong { max: 128 }]
        );
        let huge = "a".repeat(100_000);
        assert!(problems(&policy, &huge, &nobody()).contains(&PolicyProblem::TooLong { max: 128 }));
    }

    #[test]
    fn no_composition_rules() {
        let policy = PasswordPolicy::default();
        assert_eq!(
            problems(&policy, "purple elephants dance slowly", &nobody()),
            vec![]
        );
        assert_eq!(problems(&policy, "9318274650192837", &nobody()), vec![]);
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        let policy = PasswordPolicy::new(8).expect("valid");
        for common in [
            "password", "PassWord", "12345678", "iloveyou", "FOOTBALL", "trustno1",
        ] {
            assert!(
                problems(&policy, common, &nobody()).contains(&PolicyProblem::Common),
                "{common}"
            );
        }
        assert!(
            !problems(&policy, "quizzical-harbour-7", &nobody()).contains(&PolicyProblem::Common)
        );
    }

    #[test]
    fn email_local_part_is_refused() {
        let policy = PasswordPolicy::default();
        let verdict = problems(&policy, "xxA.LoveLace-2024xx", &ada());
        assert!(verdict.contains(&PolicyProblem::ContainsEmail));
        // The domain alone is not refused.
        assert!(!problems(&policy, "example.org!4791zq", &ada())
            .contains(&PolicyProblem::ContainsEmail));
        // A local part shorter than three characters is ignored.
        let short = PolicyContext {
            name: "",
            email: "jo@example.org",
        };
        assert_eq!(problems(&policy, "jojojojojojojo!7Q", &short), vec![]);
    }

    #[test]
    fn name_words_and_whole_name_are_refused() {
        let policy = PasswordPolicy::default();
        for password in [
            "ilovelovelace99",
            "KING-of-the-hill-7",
            "my name is ADA KING LOVELACE",
        ] {
            assert!(
                problems(&policy, password, &ada()).contains(&PolicyProblem::ContainsName),
                "{password}"
            );
        }
        let short_words = PolicyContext {
            name: "Al Li",
            email: "",
        };
        assert!(problems(&policy, "quietALLIgatorz9", &short_words)
            .contains(&PolicyProblem::ContainsName));
        assert!(problems(&policy, "quiet al li gatorz9", &short_words)
            .contains(&PolicyProblem::ContainsName));
        assert!(!problems(&policy, "quiet al gator li z9", &short_words)
            .contains(&PolicyProblem::ContainsName));
    }

    #[test]
    fn empty_context_refuses_nothing_personal() {
        let policy = PasswordPolicy::default();
        let empty = PolicyContext {
            name: "  ",
            email: "",
        };
        assert_eq!(problems(&policy, "any long password 42", &empty), vec![]);
    }

    #[test]
    fn several_problems_are_all_reported() {
        let policy = PasswordPolicy::default();
        let context = PolicyContext {
            name: "Dragon",
            email: "dragon@example.org",
        };
        assert_eq!(
            problems(&policy, "Dragon", &context),
            vec![
                PolicyProblem::TooShort { min: 12 },
                PolicyProblem::Common,
                PolicyProblem::ContainsEmail,
                PolicyProblem::ContainsName,
            ]
        );
    }

    #[test]
    fn enforce_returns_the_problems_as_an_error() {
        let policy = PasswordPolicy::default();
        let password = PlainPassword::new("password");
        let error = policy
            .enforce(&password, &nobody())
            .expect_err("must be refused");
        assert_eq!(
            error,
            PasswordError::Policy(vec![
                PolicyProblem::TooShort { min: 12 },
                PolicyProblem::Common
            ])
        );
        assert_eq!(
            error.to_string(),
            "Use at least 12 characters. This password is on the list of commonly used passwords."
        );
        assert!(!format!("{error:?}").contains("password\""));
        assert_eq!(
            policy.enforce(&PlainPassword::new("vivid-otter-juggles-42"), &nobody()),
            Ok(())
        );
    }

    #[test]
    fn problem_messages() {
        assert_eq!(
            PolicyProblem::TooShort { min: 12 }.to_string(),
            "Use at least 12 characters."
        );
        assert_eq!(
            PolicyProblem::TooLong { max: 128 }.to_string(),
            "Use at most 128 characters."
        );
        assert_eq!(
            PolicyProblem::Common.to_string(),
            "This password is on the list of commonly used passwords."
        );
        assert_eq!(
            PolicyProblem::ContainsEmail.to_string(),
            "The password must not contain the email address."
        );
        assert_eq!(
            PolicyProblem::ContainsName.to_string(),
            "The password must not contain the user's name."
        );
    }

    #[test]
    fn strength_reflects_zxcvbn() {
        let policy = PasswordPolicy::default();
        let weak = policy
            .check(&PlainPassword::new("password"), &nobody())
            .strength;
        assert_eq!((weak.score, weak.label), (0, "Very weak"));
        assert!(weak.warning.is_some());
        assert!(!weak.crack_time.is_empty());

        let strong = policy
            .check(
                &PlainPassword::new("correct-zebra-quartz-lantern-91"),
                &nobody(),
            )
            .strength;
        assert_eq!((strong.score, strong.label), (4, "Very strong"));
        assert_eq!(strong.warning, None);

        let empty = policy.check(&PlainPassword::new(""), &nobody()).strength;
        assert_eq!(empty.score, 0);
    }

    #[test]
    fn strength_knows_the_users_own_details() {
        let policy = PasswordPolicy::new(8).expect("valid");
        let context = PolicyContext {
            name: "Zebulon Quixotic",
            email: "zquixotic@example.org",
        };
        let without = policy
            .check(&PlainPassword::new("quixoticzebulon"), &nobody())
            .strength;
        let with = policy
            .check(&PlainPassword::new("quixoticzebulon"), &context)
            .strength;
        assert!(with.score < without.score, "{with:?} vs {without:?}");
    }

    #[test]
    fn labels_cover_every_score() {
        let labels: Vec<&str> = (0..=4u8).map(Strength::label).collect();
        assert_eq!(
            labels,
            ["Very weak", "Weak", "Fair", "Strong", "Very strong"]
        );
    }

    #[test]
    fn verdict_serializes_with_codes_and_messages() {
        let policy = PasswordPolicy::default();
        let verdict = policy.check(&PlainPassword::new("password"), &nobody());
        assert!(!verdict.is_acceptable());
        let json = serde_json::to_value(&verdict).expect("serializable");
        assert_eq!(
            json["problems"],
            serde_json::json!([
                {"code": "too_short", "message": "Use at least 12 characters."},
                {"code": "common", "message": "This password is on the list of commonly used passwords."},
            ])
        );
        assert_eq!(json["strength"]["score"], 0);
        assert_eq!(json["strength"]["label"], "Very weak");
        assert!(json["strength"]["crack_time"].is_string());
        assert!(json["strength"]["suggestions"].is_array());
        assert!(!json.to_string().contains("\"password\""));
    }
}
