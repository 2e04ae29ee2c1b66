//! Masking client personal data for operators who must not see it
//! (`mask_client_data`): names, email addresses and phone numbers are
//! shown with asterisks in place of all but a few characters.
//!
//! The rules (each keeps just enough to tell records apart at a glance):
//! - **Name**: each word (split on white space, rejoined with one space)
//!   keeps its first grapheme; the rest becomes asterisks, at least
//!   [`MIN_STARS`] of them: `John Smith` → `J*** S****`, `Al` → `A***`.
//! - **Email**: the local part and the domain (everything between the `@`
//!   and the last dot, subdomains included) each keep their first grapheme
//!   and are masked like a word; the top-level domain is kept:
//!   `john.smith@example.com` → `j*********@e******.com`. Text without an
//!   `@` is masked as one word.
//! - **Phone** (E.164 input): the country calling code is kept, then a
//!   fixed [`PHONE_STARS`] asterisks, then the last three digits when the
//!   number has more than six digits after the code (otherwise three more
//!   asterisks): `+441632960961` → `+44 ******961`. Without a known calling
//!   code there is no prefix.
//!
//! Lengths: a short value (one to three graphemes) masks to the same length
//! as a three-grapheme one, and a phone's middle is always the same width,
//! so the mask does not tell how short a value is. Everything works on
//! grapheme clusters, so a letter with its accents, or an emoji with its
//! modifiers, is kept or hidden whole. Masking a masked value reveals
//! nothing more (the kept graphemes stay, asterisks stay asterisks).

use unicode_segmentation::UnicodeSegmentation;

/// The character that stands for a hidden one.
pub const MASK: char = '*';
/// The fewest asterisks a masked word, local part or domain gets.
pub const MIN_STARS: usize = 3;
/// The asterisks that stand for the middle of every phone number.
pub const PHONE_STARS: usize = 6;
/// Digits a phone number keeps at its end.
const PHONE_KEPT_DIGITS: usize = 3;

/// A word's first grapheme followed by asterisks for the rest (at least
/// [`MIN_STARS`]). An empty word is only asterisks.
fn mask_word(word: &str) -> String {
    let mut graphemes = word.graphemes(true);
    let first = graphemes.next().unwrap_or_default();
    let hidden = graphemes.count().max(MIN_STARS);
    let mut masked = String::with_capacity(first.len() + hidden);
    masked.push_str(first);
    masked.extend(std::iter::repeat_n(MASK, hidden));
    masked
}

/// `John Smith` → `J*** S****`: see the module's rules.
pub fn mask_name(name: &str) -> String {
    let words: Vec<String> = name.split_whitespace().map(mask_word).collect();
    if words.is_empty() {
        return mask_word("");
    }
    words.join(" ")
}

/// `john.smith@example.com` → `j*********@e******.com`: see the module's rules.
pub fn mask_email(email: &str) -> String {
    let email = email.trim();
    let Some((local, domain)) = email.rsplit_once('@') else {
        return mask_word(email);
    };
    let masked_domain = match domain.rsplit_once('.') {
        Some((name, top_level)) => format!("{}.{top_level}", mask_word(name)),
        None => mask_word(domain),
    };
    format!("{}@{masked_domain}", mask_word(local))
}

/// The country calling code `digits` starts with, if any: calling codes
/// are prefix-free, so the shortest known one is the one.
fn calling_code(digits: &str) -> Option<&str> {
    (1..=3.min(digits.len()))
        .map(|n| &digits[..n])
        .find(|code| {
            code.parse::<u16>()
                .ok()
                .and_then(|value| phonenumber::metadata::DATABASE.by_code(&value))
                .is_some()
        })
}

/// `+441632960961` → `+44 ******961`: see the module's rules.
pub fn mask_phone(phone: &str) -> String {
    let trimmed = phone.trim();
    let leading: String = trimmed
        .strip_prefix('+')
        .unwrap_or_default()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let code = if trimmed.starts_with('+') {
        calling_code(&leading)
    } else {
        None
    };
    // Past the calling code, digits and the asterisks of an earlier mask
    // count as the number's positions; nothing else is ever copied.
    let after_code = match code {
        Some(code) => &trimmed['+'.len_utf8() + code.len()..],
        None => trimmed,
    };
    let rest: Vec<char> = after_code
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == MASK)
        .collect();
    let mut masked = String::new();
    if let Some(code) = code {
        masked.push('+');
        masked.push_str(code);
        masked.push(' ');
    }
    masked.extend(std::iter::repeat_n(MASK, PHONE_STARS));
    if rest.len() > PHONE_STARS {
        masked.extend(&rest[rest.len() - PHONE_KEPT_DIGITS..]);
    } else {
        masked.extend(std::iter::repeat_n(MASK, PHONE_KEPT_DIGITS));
    }
    masked
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn graphemes(text: &str) -> Vec<&str> {
        text.graphemes(true).collect()
    }

    #[test]
    fn the_examples_of_the_rules() {
        assert_eq!(mask_name("John Smith"), "J*** S****");
        assert_eq!(mask_name("  Ann   Lee "), "A*** L***");
        assert_eq!(
            mask_email("john.smith@example.com"),
            "j*********@e******.com"
        );
        assert_eq!(mask_email("a@b.co"), "a***@b***.co");
        assert_eq!(
            mask_email("ann@mail.example.co.uk"),
            "a***@m**************.uk"
        );
        assert_eq!(mask_phone("+441632960961"), "+44 ******961");
        assert_eq!(mask_phone("+12025550123"), "+1 ******123");
        assert_eq!(mask_phone("+3531234"), "+353 *********");
    }

    #[test]
    fn short_values_mask_to_the_length_of_three_graphemes() {
        for short in ["J", "Jo", "Joe"] {
            assert_eq!(mask_name(short), "J***", "{short}");
        }
        assert_eq!(mask_email("a@b.com"), "a***@b***.com");
        assert_eq!(mask_email("abc@bcd.com"), "a***@b***.com");
        assert_eq!(mask_name(""), "***");
        assert_eq!(mask_email(""), "***");
        assert_eq!(mask_phone(""), "*********");
    }

    #[test]
    fn graphemes_are_kept_or_hidden_whole() {
        // "é" as e + combining acute, and a family emoji of several code points.
        assert_eq!(mask_name("e\u{301}mile"), "e\u{301}****");
        assert_eq!(mask_name("👩‍👩‍👧 Lee"), "👩‍👩‍👧*** L***");
        assert_eq!(mask_name("Zoë"), "Z***");
    }

    #[test]
    fn masking_a_masked_value_changes_nothing() {
        for name in ["John Smith", "Al", "Zoë Ångström"] {
            let once = mask_name(name);
            assert_eq!(mask_name(&once), once);
        }
        let once = mask_email("john.smith@example.com");
        assert_eq!(mask_email(&once), once);
        let once = mask_phone("+441632960961");
        assert_eq!(mask_phone(&once), once);
    }

    #[test]
    fn non_ascii_digits_and_unknown_codes_reveal_nothing() {
        assert_eq!(mask_phone("+٤٤١٦٣٢٩٦٠٩٦١"), "*********");
        assert_eq!(mask_phone("01632 960961"), "******961");
        assert_eq!(mask_phone("+999123456789"), "******789");
    }

    /// Checks that `masked` is `word`'s first grapheme followed by only
    /// asterisks, as many as the rule says.
    fn is_masked_word(masked: &str, word: &str) -> bool {
        let g = graphemes(word);
        let stars = (g.len().max(1) - 1).max(MIN_STARS);
        let first = g.first().copied().unwrap_or_default();
        masked.strip_prefix(first) == Some("*".repeat(stars).as_str())
    }

    /// What a masked value shows: everything but its asterisks.
    fn shown(masked: &str) -> String {
        masked.chars().filter(|c| *c != MASK).collect()
    }

    proptest! {
        #[test]
        fn a_masked_name_keeps_only_each_words_first_grapheme(name in "\\PC{0,40}") {
            let masked = mask_name(&name);
            let words: Vec<&str> = name.split_whitespace().collect();
            let masked_words: Vec<&str> = masked.split(' ').collect();
            if words.is_empty() {
                prop_assert_eq!(masked.as_str(), "***");
            } else {
                prop_assert_eq!(masked_words.len(), words.len());
                for (word, masked_word) in words.iter().zip(&masked_words) {
                    prop_assert!(is_masked_word(masked_word, word), "{masked_word:?} for {word:?}");
                }
            }
            prop_assert_eq!(shown(&mask_name(&masked)), shown(&masked), "masking again shows more");
        }

        #[test]
        fn a_masked_email_keeps_two_graphemes_and_the_top_level_domain(
            local in "[^@\\s]{1,20}",
            domain in "[^@.\\s]{1,20}",
            top in "[a-z]{2,6}",
        ) {
            let masked = mask_email(&format!("{local}@{domain}.{top}"));
            let (masked_local, rest) = masked.rsplit_once('@').unwrap();
            let (masked_domain, kept_top) = rest.rsplit_once('.').unwrap();
            prop_assert_eq!(kept_top, top.as_str());
            prop_assert!(is_masked_word(masked_local, &local), "{masked_local:?} for {local:?}");
            prop_assert!(is_masked_word(masked_domain, &domain), "{masked_domain:?} for {domain:?}");
            prop_assert_eq!(shown(&mask_email(&masked)), shown(&masked), "masking again shows more");
        }

        #[test]
        fn short_names_and_emails_mask_to_one_length(
            b in "[\\p{Latin}\\p{Greek}\\p{Han}&&\\p{L}]{1,3}",
            c in "[\\p{Latin}\\p{Greek}\\p{Han}&&\\p{L}]{1,3}",
        ) {
            // One to three graphemes (letters of scripts whose letters do not
            // join: a prepended sign would join the asterisk after it).
            let length = |s: &str| s.graphemes(true).count();
            prop_assert_eq!(length(&mask_name(&b)), 1 + MIN_STARS);
            prop_assert_eq!(
                length(&mask_email(&format!("{b}@{c}.com"))),
                length(&mask_email("abc@abc.com"))
            );
        }

        #[test]
        fn a_masked_phone_keeps_its_code_and_last_three_digits(
            code in prop::sample::select(vec!["1", "44", "353", "49", "81"]),
            national in "[0-9]{4,12}",
        ) {
            let masked = mask_phone(&format!("+{code}{national}"));
            let expected_end = if national.len() > PHONE_STARS {
                national[national.len() - 3..].to_owned()
            } else {
                "***".to_owned()
            };
            prop_assert_eq!(masked.clone(), format!("+{code} ******{expected_end}"));
            prop_assert_eq!(mask_phone(&masked), masked);
        }

        #[test]
        fn a_masked_phone_shows_only_ascii_digits_from_the_inputs_end(phone in "\\PC{0,30}") {
            let masked = mask_phone(&phone);
            prop_assert!(masked.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '*')));
            let positions: String = phone.chars().filter(|c| c.is_ascii_digit() || *c == '*').collect();
            let tail = &masked[masked.len() - 3..];
            prop_assert!(tail == "***" || positions.ends_with(tail), "{masked:?} shows what {phone:?} does not end with");
            prop_assert_eq!(mask_phone(&masked), masked.clone(), "masking again changes it");
        }

        #[test]
        fn nothing_panics_on_any_input(text in "\\PC*|.*") {
            let _ = mask_name(&text);
            let _ = mask_email(&text);
            let _ = mask_phone(&text);
        }
    }
}
