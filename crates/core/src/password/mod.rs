//! Passwords: keeping plaintext out of sight, hashing and verifying it with
//! Argon2id, generating new passwords and passphrases, and judging chosen
//! passwords against a NIST SP 800-63B style policy.
//!
//! The one rule every part of this module keeps: plaintext never leaves a
//! [`PlainPassword`] except through [`PlainPassword::expose`], and never
//! appears in an error, in `Debug` output or in a log line.

mod generate;
mod hash;
mod lists;
mod patterns;
mod policy;

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};
use zeroize::{Zeroize, Zeroizing};

pub use generate::{
    generate, generate_passphrase, GeneratorOptions, PassphraseOptions, AMBIGUOUS_CHARACTERS,
    SYMBOLS,
};
pub use hash::{HashParams, Hasher, PasswordHash, Verification};
pub use lists::{list_form, BloomFilter};
pub use policy::{
    PasswordPolicy, PolicyContext, PolicyProblem, PolicyVerdict, Strength, DEFAULT_MIN_LENGTH,
    MAX_LENGTH,
};

/// A password in plaintext, as typed by a person or produced by the
/// generator.
///
/// The text lives in a [`SecretString`], so it is wiped from memory when the
/// value is dropped, and `Debug` prints `PlainPassword(***)` so that it cannot
/// slip into logs or error reports by accident. There is deliberately no
/// `Display`, `PartialEq` or `Serialize`: the only way to read the text is
/// [`PlainPassword::expose`], which makes every use easy to find in review.
#[derive(Clone)]
pub struct PlainPassword(SecretString);

impl PlainPassword {
    /// Takes ownership of the plaintext.
    ///
    /// The text is copied into an allocation of exactly its length and the
    /// original buffer is zeroed, so no spare copy is left behind when a
    /// `String` with extra capacity would otherwise be reallocated.
    pub fn new(plaintext: impl Into<String>) -> Self {
        let mut plaintext: String = plaintext.into();
        let exact: Box<str> = Box::from(plaintext.as_str());
        plaintext.zeroize();
        Self(SecretString::from(exact))
    }

    /// The plaintext. Use it only to hash, verify or check the password, or
    /// to show a freshly generated password to the administrator once.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// How many characters the password has once NFKC-normalised, as the
    /// policy counts them (text typed decomposed counts as composed).
    pub fn length(&self) -> usize {
        self.normalized().chars().count()
    }

    /// The password in Unicode normalisation form NFKC, as SP 800-63B
    /// recommends: the form it is hashed, verified and judged in, so that
    /// the same password typed on another keyboard or system (composed `é`
    /// or `e` + combining accent, fullwidth `Ａ` or `A`) is the same password.
    ///
    /// The copy is wiped when dropped. Text that is already NFKC (all ASCII
    /// text is) is copied without normalising.
    pub(crate) fn normalized(&self) -> Zeroizing<String> {
        let plaintext = self.expose();
        if is_nfkc_quick(plaintext.chars()) == IsNormalized::Yes {
            return Zeroizing::new(plaintext.to_owned());
        }
        // Room for the usual growth, so that the buffer is rarely moved and
        // leaves no unwiped copy behind.
        let mut normalized = Zeroizing::new(String::with_capacity(plaintext.len() * 3));
        normalized.extend(plaintext.nfkc());
        normalized
    }
}

/// Whether a character is an invisible formatting mark (Unicode general
/// category Cf, such as zero-width spaces and joiners, direction marks and
/// the byte order mark) or a line or paragraph separator: characters a
/// person cannot see they typed, refused in passwords like control
/// characters are.
pub fn is_format_character(character: char) -> bool {
    matches!(
        u32::from(character),
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

impl fmt::Debug for PlainPassword {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("PlainPassword(***)")
    }
}

/// Everything that can go wrong with passwords.
///
/// Each message is a sentence an office worker can act on; none of them
/// contains a password, in plaintext or hashed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// The password breaks the password policy; each problem says why.
    #[error("{}", join_messages(.0))]
    Policy(Vec<PolicyProblem>),

    /// The settings given to the password or passphrase generator cannot be
    /// used. `reason` is a sentence saying what to change.
    #[error("These password generator settings can't be used. {reason}")]
    InvalidGeneratorOptions { reason: String },

    /// The password policy settings cannot be used. `reason` is a sentence
    /// saying what to change.
    #[error("This password policy can't be used. {reason}")]
    InvalidPolicy { reason: String },

    /// The password hashing settings cannot be used. `reason` is a sentence
    /// saying what to change.
    #[error("These password hashing settings can't be used. {reason}")]
    InvalidParams { reason: String },

    /// A stored hash cannot be read, or is not an Argon2id hash.
    #[error("The stored password hash is damaged; reset this user's password.")]
    CorruptHash,

    /// The hashing library failed. The source error names the failing step
    /// but never the password.
    #[error("The password could not be secured because of an internal error. Please try again.")]
    Hashing(#[source] argon2::password_hash::Error),
}

fn join_messages(problems: &[PolicyProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_password_debug_hides_the_text() {
        let password = PlainPassword::new("correct horse battery staple");
        assert_eq!(format!("{password:?}"), "PlainPassword(***)");
        assert_eq!(format!("{password:#?}"), "PlainPassword(***)");
    }

    #[test]
    fn plain_password_exposes_exactly_what_was_given() {
        let password = PlainPassword::new(String::from("s3cret-ünïcode"));
        assert_eq!(password.expose(), "s3cret-ünïcode");
        let copy = password.clone();
        assert_eq!(copy.expose(), password.expose());
        assert_eq!(PlainPassword::new("").expose(), "");
    }

    #[test]
    fn plain_password_accepts_a_string_with_spare_capacity() {
        let mut text = String::with_capacity(64);
        text.push_str("hunter2hunter2");
        assert_eq!(PlainPassword::new(text).expose(), "hunter2hunter2");
    }

    #[test]
    fn normalized_is_nfkc_and_leaves_the_typed_text_alone() {
        let fullwidth = PlainPassword::new("Ｒｏｓｅ－７");
        assert_eq!(fullwidth.normalized().as_str(), "Rose-7");
        assert_eq!(fullwidth.expose(), "Ｒｏｓｅ－７");
        let decomposed = PlainPassword::new("Cafe\u{301}");
        assert_eq!(decomposed.normalized().as_str(), "Caf\u{e9}");
        assert_eq!(
            PlainPassword::new("plain ascii").normalized().as_str(),
            "plain ascii"
        );
        assert_eq!(PlainPassword::new("ﬁ ²").normalized().as_str(), "fi 2");
    }

    #[test]
    fn format_characters_are_recognised() {
        for invisible in [
            '\u{ad}',
            '\u{200b}',
            '\u{200d}',
            '\u{200e}',
            '\u{2028}',
            '\u{202e}',
            '\u{2060}',
            '\u{feff}',
            '\u{e0041}',
        ] {
            assert!(is_format_character(invisible), "{:x}", u32::from(invisible));
        }
        for visible in ['a', 'é', ' ', '-', '€', '😀', '\u{301}'] {
            assert!(!is_format_character(visible), "{visible}");
        }
    }

    #[test]
    fn policy_error_joins_the_problem_messages() {
        let error = PasswordError::Policy(vec![
            PolicyProblem::TooShort { min: 12 },
            PolicyProblem::Common,
        ]);
        assert_eq!(
            error.to_string(),
            "Use at least 12 characters. This password is on the list of commonly used passwords."
        );
    }

    #[test]
    fn error_messages_are_sentences() {
        let errors = [
            PasswordError::Policy(vec![PolicyProblem::ContainsName]),
            PasswordError::InvalidGeneratorOptions {
                reason: "Choose at least one kind of character.".into(),
            },
            PasswordError::InvalidPolicy {
                reason: "The minimum length must be between 8 and 64 characters.".into(),
            },
            PasswordError::InvalidParams {
                reason: "The number of passes must be at least 2.".into(),
            },
            PasswordError::CorruptHash,
            PasswordError::Hashing(argon2::password_hash::Error::Crypto),
        ];
        for error in errors {
            let message = error.to_string();
            assert!(message.ends_with('.'), "not a sentence: {message}");
            assert!(message.chars().next().is_some_and(char::is_uppercase));
        }
        assert_eq!(
            PasswordError::CorruptHash.to_string(),
            "The stored password hash is damaged; reset this user's password."
        );
    }
}
