//! Generating random passwords and passphrases for new or reset accounts.
//!
//! All randomness comes from the operating system's generator
//! ([`rand::rngs::OsRng`]) and every pick is uniform (`choose`, which uses
//! unbiased range sampling, never `% len`).

use std::sync::LazyLock;

use rand::rngs::OsRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::policy::refused_for_everyone;
use super::{PasswordError, PlainPassword, MAX_LENGTH};

/// Characters left out when [`GeneratorOptions::exclude_ambiguous`] is set,
/// because they are easily confused when a password is read aloud or copied
/// from paper.
pub const AMBIGUOUS_CHARACTERS: &str = "0O1lI|";

/// The symbols the generator may use. Quotes, backslash and space are left
/// out because they are awkward to type, quote or paste.
pub const SYMBOLS: &str = "!#$%&*+-=?@^_~.,:;";

const LOWERCASE: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPERCASE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &str = "0123456789";

/// Shortest password the generator makes.
const MIN_GENERATED_LENGTH: usize = 8;
/// Longest password the generator makes; the same as the policy's maximum.
const MAX_GENERATED_LENGTH: usize = MAX_LENGTH;

const MIN_WORDS: usize = 3;
const MAX_WORDS: usize = 20;

/// The EFF long word list, one word per line, shipped with the crate,
/// without its four hyphenated words ("t-shirt", "yo-yo", …): beside the
/// default `-` separator they would read as two words, so a person copying
/// a passphrase from a hand-over sheet could not tell how many there are.
static WORDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/wordlist.txt")
        .lines()
        .map(str::trim)
        .filter(|word| !word.is_empty() && word.chars().all(char::is_alphabetic))
        .collect()
});

/// Length in characters of the longest word in [`WORDS`].
static LONGEST_WORD: LazyLock<usize> = LazyLock::new(|| {
    WORDS
        .iter()
        .map(|word| word.chars().count())
        .max()
        .unwrap_or(0)
});

/// What a generated password should look like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GeneratorOptions {
    /// Number of characters, 8 to 128.
    pub length: usize,
    /// Use `a`–`z`.
    pub lowercase: bool,
    /// Use `A`–`Z`.
    pub uppercase: bool,
    /// Use `0`–`9`.
    pub digits: bool,
    /// Use the characters of [`SYMBOLS`].
    pub symbols: bool,
    /// Leave out the characters of [`AMBIGUOUS_CHARACTERS`].
    pub exclude_ambiguous: bool,
}

impl Default for GeneratorOptions {
    /// Sixteen characters from all four classes, without ambiguous ones:
    /// about 99 bits of entropy.
    fn default() -> Self {
        Self {
            length: 16,
            lowercase: true,
            uppercase: true,
            digits: true,
            symbols: true,
            exclude_ambiguous: true,
        }
    }
}

impl GeneratorOptions {
    /// The character classes chosen, each as its list of usable characters.
    fn classes(&self) -> Vec<Vec<char>> {
        [
            (self.lowercase, LOWERCASE),
            (self.uppercase, UPPERCASE),
            (self.digits, DIGITS),
            (self.symbols, SYMBOLS),
        ]
        .into_iter()
        .filter(|(chosen, _)| *chosen)
        .map(|(_, characters)| {
            characters
                .chars()
                .filter(|c| !(self.exclude_ambiguous && AMBIGUOUS_CHARACTERS.contains(*c)))
                .collect()
        })
        .collect()
    }

    fn validate(&self) -> Result<(), PasswordError> {
        if !(MIN_GENERATED_LENGTH..=MAX_GENERATED_LENGTH).contains(&self.length) {
            return Err(PasswordError::InvalidGeneratorOptions {
                reason: format!(
                    "The length must be between {MIN_GENERATED_LENGTH} and {MAX_GENERATED_LENGTH} characters."
                ),
            });
        }
        if !(self.lowercase || self.uppercase || self.digits || self.symbols) {
            return Err(PasswordError::InvalidGeneratorOptions {
                reason: "Choose at least one kind of character.".to_owned(),
            });
        }
        Ok(())
    }
}

/// Generates a random password that has exactly `options.length` characters
/// and at least one character of every chosen class.
///
/// Candidates are drawn uniformly from all allowed characters and redrawn
/// until every class is present, so the result is uniform over all
/// passwords that satisfy the options. (Even the least likely case, eight
/// characters from four classes, succeeds on about every second draw.) A
/// candidate the breached-password list reports (a real hit, or one of its
/// rare false positives) or that contains "Roster" is redrawn too, so that
/// the policy never refuses a generated password for either reason.
pub fn generate(options: &GeneratorOptions) -> Result<PlainPassword, PasswordError> {
    options.validate()?;
    let classes = options.classes();
    let alphabet: Vec<char> = classes.iter().flatten().copied().collect();
    loop {
        // Every character is ASCII, so this is the exact final size and
        // `PlainPassword::new` copies without reallocating.
        let mut candidate = String::with_capacity(options.length);
        for _ in 0..options.length {
            let character = alphabet.choose(&mut OsRng).copied().ok_or_else(|| {
                PasswordError::InvalidGeneratorOptions {
                    reason: "Choose at least one kind of character.".to_owned(),
                }
            })?;
            candidate.push(character);
        }
        let password = PlainPassword::new(candidate);
        let has_every_class = classes.iter().all(|class| {
            password
                .expose()
                .chars()
                .any(|character| class.contains(&character))
        });
        if has_every_class && !refused_for_everyone(&password) {
            return Ok(password);
        }
    }
}

/// What a generated passphrase should look like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PassphraseOptions {
    /// Number of words, 3 to 20 — but see [`generate_passphrase`] for the
    /// limit the password policy's maximum length puts on it.
    pub words: usize,
    /// Text put between words; may be empty, may not contain control
    /// characters.
    pub separator: String,
    /// Start every word with a capital letter.
    pub capitalize: bool,
}

impl Default for PassphraseOptions {
    /// Five words joined by `-`: about 64.6 bits of entropy.
    fn default() -> Self {
        Self {
            words: 5,
            separator: "-".to_owned(),
            capitalize: false,
        }
    }
}

impl PassphraseOptions {
    fn validate(&self) -> Result<(), PasswordError> {
        if !(MIN_WORDS..=MAX_WORDS).contains(&self.words) {
            return Err(PasswordError::InvalidGeneratorOptions {
                reason: format!("The number of words must be between {MIN_WORDS} and {MAX_WORDS}."),
            });
        }
        if self.separator.chars().any(char::is_control) {
            return Err(PasswordError::InvalidGeneratorOptions {
                reason: "The separator must not contain control characters such as line breaks."
                    .to_owned(),
            });
        }
        let separator_length = self.separator.chars().count();
        let longest_possible = self
            .words
            .saturating_mul(*LONGEST_WORD)
            .saturating_add((self.words - 1).saturating_mul(separator_length));
        if longest_possible > MAX_LENGTH {
            return Err(PasswordError::InvalidGeneratorOptions {
                reason: format!(
                    "{} words could make a passphrase longer than the {MAX_LENGTH} characters a password may have. Choose fewer words or a shorter separator.",
                    self.words
                ),
            });
        }
        Ok(())
    }
}

/// Generates a passphrase of `options.words` words drawn uniformly and
/// independently from the shipped EFF long word list (7,772 words once its
/// four hyphenated ones are skipped, about 12.9 bits each).
///
/// A passphrase the breached-password list reports, or that contains
/// "Roster" (an EFF word), is drawn again, as in [`generate`].
///
/// Options that could produce a passphrase longer than the policy's
/// [`MAX_LENGTH`] are refused, so every passphrase generated is acceptable
/// by length. With the longest words being 9 letters, that allows at most
/// 12 words with a one-character separator, 14 with none.
pub fn generate_passphrase(options: &PassphraseOptions) -> Result<PlainPassword, PasswordError> {
    options.validate()?;
    loop {
        let passphrase = draw_passphrase(options)?;
        if !refused_for_everyone(&passphrase) {
            return Ok(passphrase);
        }
    }
}

fn draw_passphrase(options: &PassphraseOptions) -> Result<PlainPassword, PasswordError> {
    let mut chosen = Vec::with_capacity(options.words);
    for _ in 0..options.words {
        let word = WORDS.choose(&mut OsRng).copied().ok_or_else(|| {
            PasswordError::InvalidGeneratorOptions {
                reason: "No word list is available for passphrases.".to_owned(),
            }
        })?;
        chosen.push(word);
    }
    let total_bytes = chosen.iter().map(|word| word.len()).sum::<usize>()
        + options.separator.len() * (options.words - 1);
    let mut passphrase = String::with_capacity(total_bytes);
    for (index, word) in chosen.iter().enumerate() {
        if index > 0 {
            passphrase.push_str(&options.separator);
        }
        let mut characters = word.chars();
        match characters.next() {
            Some(first) if options.capitalize => {
                passphrase.extend(first.to_uppercase());
                passphrase.push_str(characters.as_str());
            }
            _ => passphrase.push_str(word),
        }
    }
    Ok(PlainPassword::new(passphrase))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn satisfies(password: &str, options: &GeneratorOptions) -> Result<(), String> {
        if password.chars().count() != options.length {
            return Err(format!("wrong length {}", password.chars().count()));
        }
        let allowed: HashSet<char> = options.classes().into_iter().flatten().collect();
        if let Some(stray) = password.chars().find(|c| !allowed.contains(c)) {
            return Err(format!("character {stray:?} not allowed"));
        }
        for class in options.classes() {
            if !password.chars().any(|c| class.contains(&c)) {
                return Err(format!("class {class:?} missing"));
            }
        }
        Ok(())
    }

    #[test]
    fn word_list_is_the_eff_long_list_without_its_hyphenated_words() {
        assert_eq!(WORDS.len(), 7_772);
        assert_eq!(WORDS.iter().collect::<HashSet<_>>().len(), 7_772);
        assert!(!WORDS.contains(&"yo-yo"));
        assert_eq!(*LONGEST_WORD, 9);
        assert!(WORDS.iter().all(|word| word.len() >= 3));
    }

    #[test]
    fn symbols_avoid_quotes_backslash_and_space() {
        assert!(!SYMBOLS.contains(['"', '\'', '`', '\\', ' ']));
    }

    #[test]
    fn default_password_satisfies_defaults() {
        let options = GeneratorOptions::default();
        assert_eq!(options.length, 16);
        let password = generate(&options).expect("defaults are valid");
        assert_eq!(satisfies(password.expose(), &options), Ok(()));
    }

    #[test]
    fn length_is_respected() {
        for length in [8, 9, 12, 16, 33, 64, 127, 128] {
            let options = GeneratorOptions {
                length,
                ..GeneratorOptions::default()
            };
            let password = generate(&options).expect("valid options");
            assert_eq!(password.expose().chars().count(), length);
        }
    }

    #[test]
    fn every_chosen_class_is_present_in_short_passwords() {
        let options = GeneratorOptions {
            length: 8,
            ..GeneratorOptions::default()
        };
        for _ in 0..2_000 {
            let password = generate(&options).expect("valid options");
            assert_eq!(satisfies(password.expose(), &options), Ok(()));
        }
    }

    #[test]
    fn unchosen_classes_are_absent() {
        let options = GeneratorOptions {
            length: 64,
            lowercase: false,
            uppercase: false,
            digits: true,
            symbols: false,
            exclude_ambiguous: false,
        };
        for _ in 0..200 {
            let password = generate(&options).expect("valid options");
            assert!(password.expose().chars().all(|c| c.is_ascii_digit()));
        }
    }

    #[test]
    fn ambiguous_characters_are_excluded() {
        let options = GeneratorOptions {
            length: 128,
            ..GeneratorOptions::default()
        };
        for _ in 0..200 {
            let password = generate(&options).expect("valid options");
            assert!(
                !password
                    .expose()
                    .contains(|c| AMBIGUOUS_CHARACTERS.contains(c)),
                "ambiguous character generated"
            );
        }
    }

    #[test]
    fn ambiguous_characters_appear_when_allowed() {
        let options = GeneratorOptions {
            length: 128,
            exclude_ambiguous: false,
            ..GeneratorOptions::default()
        };
        let seen: HashSet<char> = (0..200)
            .flat_map(|_| {
                generate(&options)
                    .expect("valid options")
                    .expose()
                    .chars()
                    .collect::<Vec<_>>()
            })
            .collect();
        for ambiguous in "0O1lI".chars() {
            assert!(seen.contains(&ambiguous), "{ambiguous} never generated");
        }
    }

    #[test]
    fn bad_generator_options_are_rejected() {
        let no_classes = GeneratorOptions {
            lowercase: false,
            uppercase: false,
            digits: false,
            symbols: false,
            ..GeneratorOptions::default()
        };
        for options in [
            GeneratorOptions {
                length: 7,
                ..GeneratorOptions::default()
            },
            GeneratorOptions {
                length: 0,
                ..GeneratorOptions::default()
            },
            GeneratorOptions {
                length: 129,
                ..GeneratorOptions::default()
            },
            GeneratorOptions {
                length: usize::MAX,
                ..GeneratorOptions::default()
            },
            no_classes,
        ] {
            let error = generate(&options).expect_err("must be refused");
            assert!(matches!(
                error,
                PasswordError::InvalidGeneratorOptions { .. }
            ));
        }
    }

    #[test]
    fn default_passphrase_has_five_listed_words() {
        let options = PassphraseOptions::default();
        let passphrase = generate_passphrase(&options).expect("defaults are valid");
        assert_eq!(passphrase.expose().split('-').count(), 5);
        let spaced = generate_passphrase(&PassphraseOptions {
            separator: " ".to_owned(),
            ..options
        })
        .expect("valid options");
        let words: Vec<&str> = spaced.expose().split(' ').collect();
        assert_eq!(words.len(), 5);
        assert!(words.iter().all(|word| WORDS.contains(word)));
    }

    #[test]
    fn passphrase_word_count_separator_and_capitals() {
        for count in [3, 4, 8, 12] {
            let options = PassphraseOptions {
                words: count,
                separator: ".".to_owned(),
                capitalize: true,
            };
            let passphrase = generate_passphrase(&options).expect("valid options");
            let words: Vec<&str> = passphrase.expose().split('.').collect();
            assert_eq!(words.len(), count);
            for word in words {
                assert!(word.starts_with(|c: char| c.is_ascii_uppercase()), "{word}");
                assert!(WORDS.contains(&word.to_lowercase().as_str()), "{word}");
            }
            assert!(passphrase.expose().chars().count() <= MAX_LENGTH);
        }
        let joined = generate_passphrase(&PassphraseOptions {
            words: 14,
            separator: String::new(),
            capitalize: true,
        })
        .expect("14 words without a separator fit in 128 characters");
        assert_eq!(
            joined
                .expose()
                .chars()
                .filter(char::is_ascii_uppercase)
                .count(),
            14
        );
    }

    #[test]
    fn bad_passphrase_options_are_rejected() {
        for options in [
            PassphraseOptions {
                words: 2,
                ..PassphraseOptions::default()
            },
            PassphraseOptions {
                words: 21,
                ..PassphraseOptions::default()
            },
            PassphraseOptions {
                words: 20,
                ..PassphraseOptions::default()
            },
            PassphraseOptions {
                words: 13,
                ..PassphraseOptions::default()
            },
            PassphraseOptions {
                separator: "\n".to_owned(),
                ..PassphraseOptions::default()
            },
            PassphraseOptions {
                separator: "-".repeat(40),
                ..PassphraseOptions::default()
            },
        ] {
            let error = generate_passphrase(&options).expect_err("must be refused");
            assert!(matches!(
                error,
                PasswordError::InvalidGeneratorOptions { .. }
            ));
            assert!(error.to_string().ends_with('.'));
        }
    }

    fn valid_generator_options() -> impl Strategy<Value = GeneratorOptions> {
        (
            MIN_GENERATED_LENGTH..=MAX_GENERATED_LENGTH,
            any::<[bool; 4]>().prop_filter("at least one class", |classes| {
                classes.iter().any(|chosen| *chosen)
            }),
            any::<bool>(),
        )
            .prop_map(|(length, classes, exclude_ambiguous)| GeneratorOptions {
                length,
                lowercase: classes[0],
                uppercase: classes[1],
                digits: classes[2],
                symbols: classes[3],
                exclude_ambiguous,
            })
    }

    proptest! {
        #[test]
        fn any_valid_options_produce_a_satisfying_password(options in valid_generator_options()) {
            let password = generate(&options).map_err(|error| TestCaseError::fail(error.to_string()))?;
            prop_assert_eq!(satisfies(password.expose(), &options), Ok(()));
        }

        #[test]
        fn any_valid_passphrase_options_produce_a_fitting_passphrase(
            words in MIN_WORDS..=12usize,
            separator in "[ ._+=]{0,1}",
            capitalize in any::<bool>(),
        ) {
            let options = PassphraseOptions { words, separator, capitalize };
            let passphrase = generate_passphrase(&options)
                .map_err(|error| TestCaseError::fail(error.to_string()))?;
            prop_assert!(passphrase.expose().chars().count() <= MAX_LENGTH);
            if !options.separator.is_empty() {
                let parts: Vec<&str> = passphrase.expose().split(options.separator.as_str()).collect();
                prop_assert_eq!(parts.len(), words);
                for part in parts {
                    prop_assert!(WORDS.contains(&part.to_lowercase().as_str()));
                }
            }
        }
    }
}
