//! Passwords made only of patterns a guesser tries first: runs of one
//! character (`aaaa`), sequences (`1234`, `abcd`, `9753`), walks along a
//! keyboard (`qwerty`, `1q2w3e4r`, `zaq12wsx`, `azerty`, `qwertz`, the
//! number pad's `147258`), and any of these one after another
//! (`aaaa1234`, `qwertyqwerty`).
//!
//! Text here is in the lists' form (NFKC, lowercase).

use std::collections::HashMap;
use std::sync::LazyLock;

/// The kind of pattern a password is made of, from the most to the least
/// telling: a password that is a keyboard walk and also a sequence
/// (`123456`) is reported as a sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pattern {
    /// Only runs of one character, or one short group repeated.
    Repetitive,
    /// Sequences such as `1234`, `abcd` or `97531`, maybe with runs.
    Sequential,
    /// Walks along a keyboard, maybe with sequences or runs.
    Keyboard,
}

/// The shortest piece counted as a run, sequence or walk.
const MIN_PIECE: usize = 3;

/// Whether the whole of `text` is runs, sequences and keyboard walks of at
/// least three characters each, one after the other; if so, the most
/// telling kind among the pieces (a walk over a sequence over a run) —
/// except that a text that is also entirely a sequence-and-run reading is
/// reported as such, so `123456789012` is a sequence, not a walk.
pub(crate) fn whole_pattern(text: &str) -> Option<Pattern> {
    let chars: Vec<char> = text.chars().collect();
    let length = chars.len();
    if length < MIN_PIECE {
        return None;
    }
    // best[i]: the least telling set of kinds (a bit set: 1 run, 2
    // sequence, 4 walk) that covers the first i characters, if any does.
    let mut best: Vec<Option<u8>> = vec![None; length + 1];
    best[0] = Some(0);
    for start in 0..length {
        let Some(before) = best[start] else { continue };
        for (kind, end) in pieces_from(&chars, start) {
            let kinds = before | kind;
            if best[end].is_none_or(|known| kinds < known) {
                best[end] = Some(kinds);
            }
        }
    }
    best[length].map(|kinds| {
        if kinds & 4 != 0 {
            Pattern::Keyboard
        } else if kinds & 2 != 0 {
            Pattern::Sequential
        } else {
            Pattern::Repetitive
        }
    })
}

/// The shortest group whose repetition (at least twice) makes up `text`,
/// if there is one: `"abab"` gives `"ab"`, `"aaaa"` gives `"a"`.
pub(crate) fn repeated_unit(text: &str) -> Option<&str> {
    let length = text.len();
    (1..=length / 2)
        .filter(|unit| length.is_multiple_of(*unit) && text.is_char_boundary(*unit))
        .map(|unit| &text[..unit])
        .find(|unit| {
            text.as_bytes()
                .chunks(unit.len())
                .all(|chunk| chunk == unit.as_bytes())
        })
}

/// Every piece (kind bit, end) of at least [`MIN_PIECE`] characters that
/// starts at `start`: runs, sequences and walks, each ending anywhere from
/// its third character to as far as it goes.
fn pieces_from(chars: &[char], start: usize) -> Vec<(u8, usize)> {
    let mut pieces = Vec::new();
    let longest = |continues: &dyn Fn(char, char) -> bool| {
        let mut end = start + 1;
        while end < chars.len() && continues(chars[end - 1], chars[end]) {
            end += 1;
        }
        end
    };

    let run_end = longest(&|previous, next| previous == next);
    pieces.extend((start + MIN_PIECE..=run_end).map(|end| (1, end)));

    if let Some(&second) = chars.get(start + 1) {
        let step = i64::from(u32::from(second)) - i64::from(u32::from(chars[start]));
        if matches!(step.abs(), 1 | 2) && same_class(chars[start], second) {
            let sequence_end = longest(&|previous, next| {
                same_class(previous, next)
                    && i64::from(u32::from(next)) - i64::from(u32::from(previous)) == step
            });
            pieces.extend((start + MIN_PIECE..=sequence_end).map(|end| (2, end)));
        }
    }

    let walk_end = longest(&|previous, next| adjacent_keys(previous, next));
    pieces.extend((start + MIN_PIECE..=walk_end).map(|end| (4, end)));
    pieces
}

/// Sequences stay within digits or within letters (of one script).
fn same_class(first: char, second: char) -> bool {
    (first.is_ascii_digit() && second.is_ascii_digit())
        || (first.is_alphabetic() && second.is_alphabetic())
}

/// Where a key sits: which layout, which row, and how far along the row
/// (in key widths, counting the rows' stagger).
#[derive(Debug, Clone, Copy)]
struct KeyPosition {
    layout: u8,
    row: u8,
    x: f32,
}

/// The layouts a walk is looked for on: rows of unshifted keys with each
/// row's offset from the left edge. Shifted symbols count as their key
/// (see [`unshifted`]).
const LAYOUTS: &[&[(&str, f32)]] = &[
    // QWERTY (US).
    &[
        ("`1234567890-=", 0.0),
        ("qwertyuiop[]\\", 1.5),
        ("asdfghjkl;'", 1.75),
        ("zxcvbnm,./", 2.25),
    ],
    // QWERTZ (German).
    &[
        ("^1234567890ß´", 0.0),
        ("qwertzuiopü+", 1.5),
        ("asdfghjklöä#", 1.75),
        ("<yxcvbnm,.-", 1.25),
    ],
    // AZERTY (French), digits as typed with shift.
    &[
        ("²1234567890°+", 0.0),
        ("azertyuiop^$", 1.5),
        ("qsdfghjklmù*", 1.75),
        ("<wxcvbn,;:!", 1.25),
    ],
    // The number pad, a grid.
    &[("789", 0.0), ("456", 0.0), ("123", 0.0), ("0", 0.0)],
];

static KEYS: LazyLock<HashMap<char, Vec<KeyPosition>>> = LazyLock::new(|| {
    let mut keys: HashMap<char, Vec<KeyPosition>> = HashMap::new();
    for (layout, rows) in (0u8..).zip(LAYOUTS.iter()) {
        for (row, (keys_in_row, offset)) in (0u8..).zip(rows.iter()) {
            for (column, key) in (0u16..).zip(keys_in_row.chars()) {
                keys.entry(key).or_default().push(KeyPosition {
                    layout,
                    row,
                    x: offset + f32::from(column),
                });
            }
        }
    }
    keys
});

/// The number pad's layout index in [`LAYOUTS`], whose rows are a grid
/// where diagonal keys touch.
const NUMBER_PAD: u8 = 3;

/// Whether two different keys touch on one of the layouts. A symbol counts
/// both as itself and as the US key it is the shifted form of.
fn adjacent_keys(first: char, second: char) -> bool {
    if first == second || unshifted(first) == unshifted(second) {
        return false;
    }
    let positions = |character: char| {
        let base = unshifted(character);
        let own = KEYS.get(&character).into_iter().flatten();
        let shifted = (base != character)
            .then(|| KEYS.get(&base))
            .flatten()
            .into_iter()
            .flatten();
        own.chain(shifted).copied().collect::<Vec<KeyPosition>>()
    };
    let (firsts, seconds) = (positions(first), positions(second));
    firsts.iter().any(|a| {
        seconds.iter().any(|b| {
            if a.layout != b.layout {
                return false;
            }
            let rows_apart = a.row.abs_diff(b.row);
            let x_apart = (a.x - b.x).abs();
            match rows_apart {
                0 => (x_apart - 1.0).abs() < 0.01,
                1 if a.layout == NUMBER_PAD => x_apart < 1.01,
                1 => x_apart < 1.0,
                _ => false,
            }
        })
    })
}

/// The key a shifted symbol is typed with on a US keyboard.
fn unshifted(character: char) -> char {
    const SHIFTED: &str = "~!@#$%^&*()_+{}|:\"<>?";
    const BASE: &str = "`1234567890-=[]\\;',./";
    SHIFTED
        .chars()
        .zip(BASE.chars())
        .find_map(|(shifted, base)| (shifted == character).then_some(base))
        .unwrap_or(character)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_repetitive() {
        for text in ["aaaaaaaaaaaa", "111111111111", "zzzzzz999999", "!!!!!!!!"] {
            assert_eq!(whole_pattern(text), Some(Pattern::Repetitive), "{text}");
        }
    }

    #[test]
    fn sequences_are_sequential() {
        for text in [
            "123456789012",
            "abcdefghijkl",
            "987654321987",
            "1234abcd5678",
            "13579bdfhjln",
            "aaaa1234bbbb",
            "αβγδεζηθικλμ",
        ] {
            assert_eq!(whole_pattern(text), Some(Pattern::Sequential), "{text}");
        }
    }

    #[test]
    fn keyboard_walks_are_found_on_several_layouts() {
        for text in [
            "qwertyuiop",
            "qwertyqwerty",
            "1q2w3e4r5t6y",
            "1q2w3e4r1q2w3e4r",
            "zaq12wsxcde3",
            "1qaz2wsx3edc",
            "asdfghjkl;'",
            "!qaz@wsx#edc",
            "qwertzuiopü",
            "azertyuiop",
            "147258369",
            "poiuytrewq",
        ] {
            assert_eq!(whole_pattern(text), Some(Pattern::Keyboard), "{text}");
        }
    }

    #[test]
    fn ordinary_passwords_are_no_pattern() {
        for text in [
            "qz7#kfm2vb9w",
            "correct horse battery staple",
            "vivid-otter-juggles-42",
            "password123456",
            "kx9!mq2#vl7pr4$w",
            "ab",
            "",
        ] {
            assert_eq!(whole_pattern(text), None, "{text}");
        }
    }

    #[test]
    fn repeated_units_are_found() {
        assert_eq!(repeated_unit("abab"), Some("ab"));
        assert_eq!(repeated_unit("aaaa"), Some("a"));
        assert_eq!(repeated_unit("passwordpassword"), Some("password"));
        assert_eq!(repeated_unit("äöäöäö"), Some("äö"));
        assert_eq!(repeated_unit("abcab"), None);
        assert_eq!(repeated_unit("a"), None);
        assert_eq!(repeated_unit(""), None);
    }
}
