//! Keeping CSV cells from running as formulas (OWASP, "CSV Injection").
//!
//! A spreadsheet runs a cell that begins with `=`, `+`, `-`, `@`, a tab or a
//! carriage return as a formula, so a client named `=HYPERLINK(…)` would
//! act when an export is opened. Every CSV export writes its cells through
//! [`neutralise`], which puts an apostrophe before such a cell, and every
//! import reads its cells through [`restore`], which takes exactly that
//! apostrophe away again, so export → import gives back every value exactly.
//!
//! To keep that unambiguous, a cell made of apostrophes followed by a
//! trigger character (`'=1`, `''+44`) gets one more apostrophe too, and
//! [`restore`] removes one apostrophe only from cells of that shape. Any
//! other cell, including one that merely starts with an apostrophe (`'tis`),
//! is left alone both ways.
//!
//! Phone numbers are exported in E.164 (`+442079460958`) and so are written
//! `'+442079460958`: a spreadsheet shows the apostrophe, or hides it as its
//! text marker, and never computes the number; the import reads it back.

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula.
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `cell`, once any leading apostrophes are passed, begins with a
/// formula trigger: the cells [`neutralise`] prefixes.
fn needs_prefix(cell: &str) -> bool {
    cell.trim_start_matches('\'').starts_with(TRIGGERS)
}

/// `cell` as an export writes it: with an apostrophe before it when it
/// would run as a formula (see the module's comment).
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if needs_prefix(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A cell as [`neutralise`] wrote it, back to its value.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_prefix(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formula_cells_get_an_apostrophe() {
        for (value, written) in [
            ("=1+1", "'=1+1"),
            ("+442079460958", "'+442079460958"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'=1", "''=1"),
            ("''@x", "'''@x"),
        ] {
            assert_eq!(neutralise(value), written, "{value:?}");
            assert_eq!(restore(written), value, "{written:?}");
        }
    }

    #[test]
    fn other_cells_are_left_alone_both_ways() {
        for value in [
            "Ann Lee",
            "ann@example.com",
            "'tis",
            "'",
            "",
            "GB",
            "a=b",
            " =1",
        ] {
            assert_eq!(neutralise(value), value);
            assert_eq!(restore(value), value);
        }
    }

    proptest! {
        #[test]
        fn every_string_round_trips(value in any::<String>()) {
            let written = neutralise(&value);
            prop_assert_eq!(restore(&written), value.as_str());
        }

        #[test]
        fn every_string_of_quotes_and_triggers_round_trips(value in "['=+@\t\r\\-a ]{0,6}") {
            let written = neutralise(&value);
            prop_assert_eq!(restore(&written), value.as_str());
        }

        #[test]
        fn no_written_cell_starts_a_formula(value in any::<String>()) {
            prop_assert!(!neutralise(&value).starts_with(TRIGGERS));
        }
    }
}
