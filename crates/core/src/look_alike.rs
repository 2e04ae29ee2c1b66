//! Rules against look-alike identities: text that reads as something it is
//! not (security issue 17).
//!
//! A name or an address is shown to people, who judge it by how it looks, so
//! Roster refuses what makes two different texts look the same or makes one
//! text look other than it is:
//! - invisible formatting characters (bidirectional controls and marks,
//!   zero-width spaces and joiners, byte-order marks, every other Unicode
//!   "format" character), line and paragraph separators and blank letters
//!   such as the Hangul fillers; only the joiners and tags inside an emoji
//!   sequence (👩‍💻, 🏴 flags) are kept, since they show nothing but the emoji;
//! - more than [`MAX_MARKS_PER_LETTER`] accents stacked on one letter;
//! - in an email address, a part that mixes scripts or is written in another
//!   script but looks Latin (Unicode Technical Standard #39, through the
//!   `unicode-security` crate);
//! - a group name whose UTS #39 skeleton equals an existing group's.
//!
//! The text rules are pure functions that `domain` calls while parsing; the
//! group rule needs the other groups, so the services call
//! [`ensure_group_name_distinct`] inside their transaction.

use unicode_normalization::UnicodeNormalization;
use unicode_properties::emoji::UnicodeEmoji;
use unicode_properties::general_category::{
    GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory,
};
use unicode_script::Script;
use unicode_security::{skeleton, GeneralSecurityProfile, MixedScript};
use unicode_segmentation::UnicodeSegmentation;

use crate::error::Result;

/// The most nonspacing or enclosing marks one grapheme may carry. Real
/// writing needs at most three (Vietnamese `ệ` has two, Devanagari conjuncts
/// two or three); more is "Zalgo" text that spills over its neighbours.
pub const MAX_MARKS_PER_LETTER: usize = 4;

/// Letters that render as nothing, though Unicode does not class them as
/// format characters: the Hangul fillers, the combining grapheme joiner and
/// the Khmer inherent vowels (all Default_Ignorable_Code_Point).
const BLANK_LETTERS: &[char] = &[
    '\u{115F}', '\u{1160}', '\u{3164}', '\u{FFA0}', '\u{034F}', '\u{17B4}', '\u{17B5}',
];

/// Whether `c` is a character Roster refuses in names and addresses because
/// it cannot be seen: every format character (Cf: U+200B–U+200F, U+202A–
/// U+202E, U+2060–U+2069, U+061C, U+FEFF, U+00AD, tags, …) and the blank
/// letters above.
fn is_invisible(c: char) -> bool {
    c.general_category() == GeneralCategory::Format || BLANK_LETTERS.contains(&c)
}

/// The first invisible character of `text` that is not part of an emoji.
/// Unicode writes some emoji with invisible characters, which then show
/// nothing but the emoji: a zero-width joiner between two emoji
/// (👩‍💻, 👩‍👩‍👧) and the tags of a subdivision flag (🏴 + tags).
fn first_hidden_character(text: &str) -> Option<char> {
    text.graphemes(true).find_map(|grapheme| {
        let chars: Vec<char> = grapheme.chars().collect();
        chars
            .iter()
            .enumerate()
            .find(|&(at, &c)| is_invisible(c) && !writes_emoji(&chars, at))
            .map(|(_, &c)| c)
    })
}

/// Whether the character at `at` of one grapheme's `chars` is a joiner or
/// tag that belongs to the emoji sequence it stands in.
fn writes_emoji(chars: &[char], at: usize) -> bool {
    let pictograph = |c: &char| !c.is_ascii() && c.is_emoji_char();
    let before = at.checked_sub(1).and_then(|i| chars.get(i));
    let after = chars.get(at + 1);
    match chars.get(at) {
        Some('\u{200D}') => {
            before.is_some_and(|c| pictograph(c) || *c == '\u{FE0F}')
                && after.is_some_and(pictograph)
        }
        Some(&c) if unicode_properties::emoji::is_tag_character(c) => {
            chars.first() == Some(&'\u{1F3F4}')
        }
        _ => false,
    }
}

/// An accent or other mark that stacks on the letter before it.
fn is_stacking_mark(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::NonspacingMark | GeneralCategory::EnclosingMark
    )
}

/// Whether `c` leaves a visible trace on its own: not a space, a control,
/// a format character, a blank letter, the blank Braille pattern, or a mark
/// (which only decorates another character).
fn is_visible(c: char) -> bool {
    !c.is_whitespace()
        && c != '\u{2800}'
        && !is_invisible(c)
        && !matches!(
            c.general_category_group(),
            GeneralCategoryGroup::Other
                | GeneralCategoryGroup::Mark
                | GeneralCategoryGroup::Separator
        )
}

/// Refuses text that hides characters or does not look like what it holds.
/// `subject` starts the message: "A name", "An email address".
pub(crate) fn check_text(text: &str, subject: &str) -> Result<(), String> {
    if text.contains(['\u{2028}', '\u{2029}']) {
        return Err(format!(
            "{subject} cannot contain line or paragraph separators."
        ));
    }
    if let Some(c) = first_hidden_character(text) {
        return Err(format!(
            "{subject} cannot contain invisible formatting characters such as direction marks, \
             zero-width spaces or byte-order marks (it contains U+{:04X}).",
            u32::from(c)
        ));
    }
    if text
        .graphemes(true)
        .any(|g| g.chars().filter(|c| is_stacking_mark(*c)).count() > MAX_MARKS_PER_LETTER)
    {
        return Err(format!(
            "{subject} cannot stack more than {MAX_MARKS_PER_LETTER} accents or marks on one letter."
        ));
    }
    Ok(())
}

/// Refuses text in which nothing can be seen (only spaces, marks, blanks).
pub(crate) fn check_visible(text: &str, subject: &str) -> Result<(), String> {
    if text.chars().any(is_visible) {
        Ok(())
    } else {
        Err(format!(
            "{subject} needs at least one visible letter, digit or sign."
        ))
    }
}

/// Checks one part of an email address (the local part, or one label of the
/// domain in its Unicode form) against UTS #39. `part_name` starts the
/// message: "The part before the @", "The domain".
///
/// ASCII parts pass as they always did. Other parts must use only the
/// characters UTS #39's General Security Profile allows in identifiers, be
/// single-script (Latin with Cyrillic `а` in `pаypal` is refused), and, when
/// their script is not Latin, must not have an all-ASCII skeleton (an
/// all-Cyrillic `рау` that reads as Latin "pay" is refused, while `иван` is
/// kept). Single-script Latin with accents or `ı` (Turkish `yılmaz`) passes:
/// the issue targets letters borrowed from other scripts.
pub(crate) fn check_email_part(part: &str, part_name: &str) -> Result<(), String> {
    if part.is_ascii() {
        return Ok(());
    }
    if let Some(c) = part
        .chars()
        .find(|c| !c.is_ascii() && !c.identifier_allowed())
    {
        return Err(format!(
            "{part_name} contains “{c}”, which email addresses here cannot use; \
             use letters and digits of one alphabet."
        ));
    }
    if !part.is_single_script() {
        return Err(format!(
            "{part_name} mixes letters of different alphabets (such as Latin and Cyrillic), \
             so it could be mistaken for another address."
        ));
    }
    let scripts = part.resolve_script_set();
    let latin = scripts.is_all() || scripts.base.contains_script(Script::Latin);
    if !latin && skeleton(part).all(|c| c.is_ascii()) {
        return Err(format!(
            "{part_name} is written in another alphabet but looks like Latin letters, \
             so it could be mistaken for another address."
        ));
    }
    Ok(())
}

/// The forms under which a group name is compared with the others: the
/// UTS #39 skeleton of the name and of its lowercase, after NFKC and with
/// runs of spaces made one. Two names that share either look alike.
fn group_name_keys(name: &str) -> [String; 2] {
    let compact = name
        .nfkc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let lower = compact.to_lowercase().nfkc().collect::<String>();
    [skeleton(&compact).collect(), skeleton(&lower).collect()]
}

/// Whether two group names would be taken for one another in a list.
pub(crate) fn group_names_look_alike(a: &str, b: &str) -> bool {
    let [a_exact, a_lower] = group_name_keys(a);
    let [b_exact, b_lower] = group_name_keys(b);
    a_exact == b_exact || a_lower == b_lower
}
