//! `roster_word_start(name, email, text)`: SQLite's test of a search of
//! one or two characters on a row, registered on the store's connection
//! (the rule that [`crate::store::rows`]' `search::word_start_condition`
//! writes). Some word of the name, of the email's local part, or the
//! email's domain as one word (without its dots and hyphens) starts with
//! `text`; a word starts at the beginning or after an ASCII space or
//! punctuation character. An address without an `@` (never one Roster
//! writes) has no domain, as PostgreSQL's `words` (V15) hold it. The same
//! test written as five `GLOB`s cost SQLite about 1 µs a row, most of a
//! walk of a sort's index ("ma" by email at a million users: 13,276
//! entries walked to its page, 18 ms; 3.7 with this); this one reads each
//! value once.
//!
//! The values are compared as bytes: every separator is ASCII, which no
//! byte of a longer UTF-8 character is, and the text's bytes start a
//! value's exactly where its characters do (for valid UTF-8 without NUL,
//! as every value Roster writes is). A NULL value (a client with no
//! email) matches nothing; a NULL text matches no row.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

/// The function's name in SQL.
pub(crate) const NAME: &str = "roster_word_start";

/// Registers the function on `connection`: deterministic, and innocuous
/// (it reads only its arguments).
pub(super) fn register(connection: &Connection) -> rusqlite::Result<()> {
    connection.create_scalar_function(
        NAME,
        3,
        FunctionFlags::SQLITE_UTF8
            | FunctionFlags::SQLITE_DETERMINISTIC
            | FunctionFlags::SQLITE_INNOCUOUS,
        |context: &Context<'_>| {
            let value = |index| bytes(context.get_raw(index));
            Ok(match (value(0), value(1), value(2)) {
                (_, _, None) => false,
                (name, email, Some(text)) => {
                    name.is_some_and(|name| name_starts(name, text))
                        || email.is_some_and(|email| email_starts(email, text))
                }
            })
        },
    )
}

/// A text or blob value's bytes; `None` for NULL or a number.
fn bytes(value: ValueRef<'_>) -> Option<&[u8]> {
    match value {
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => Some(bytes),
        _ => None,
    }
}

/// Whether `byte` ends a word of a name: ASCII space or punctuation (the
/// rule's `[ -/:-@[-`{-~]`).
fn ends_name_word(byte: u8) -> bool {
    matches!(byte, b' '..=b'/' | b':'..=b'@' | b'['..=b'`' | b'{'..=b'~')
}

/// Whether `byte` ends a word of an email's local part: as a name's, but
/// `@` (the rule's `[ -/:-?[-`{-~]`).
fn ends_local_word(byte: u8) -> bool {
    byte != b'@' && ends_name_word(byte)
}

/// Whether some word of `name` starts with `text` (`name GLOB 'text*' OR
/// name GLOB '*[ -/:-@[-`{-~]text*'`).
fn name_starts(name: &[u8], text: &[u8]) -> bool {
    name.starts_with(text)
        || (1..name.len()).any(|at| ends_name_word(name[at - 1]) && name[at..].starts_with(text))
}

/// Whether `email` starts with `text`, a later word of its local part
/// does (followed by an `@` somewhere: `'*[ -/:-?[-`{-~]text*@*'`), or
/// its domain does: what follows its first `@` (none without one), its
/// dots and hyphens taken out.
fn email_starts(email: &[u8], text: &[u8]) -> bool {
    if email.starts_with(text) {
        return true;
    }
    let local = (1..email.len()).any(|at| {
        ends_local_word(email[at - 1])
            && email[at..].starts_with(text)
            && email[at + text.len()..].contains(&b'@')
    });
    if local {
        return true;
    }
    let Some(at) = email.iter().position(|&byte| byte == b'@') else {
        return false;
    };
    let mut kept = email[at + 1..]
        .iter()
        .filter(|&&byte| byte != b'.' && byte != b'-');
    text.iter().all(|byte| kept.next() == Some(byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule as the `GLOB`s wrote it (76a0eea's
    /// `search::word_start_condition`, its `instr` pretest included),
    /// evaluated by SQLite itself; its domain only after an `@`, as
    /// PostgreSQL's `words` hold it (the pretest read a domain without
    /// one only where the text was also in the name or the address).
    fn globbed(
        connection: &Connection,
        name: Option<&str>,
        email: Option<&str>,
        text: &str,
    ) -> rusqlite::Result<bool> {
        connection.query_row(
            "SELECT coalesce((instr(?1, ?3) > 0 OR instr(?2, ?3) > 0 \
             OR instr(?2, '@' || substr(?3, 1, 1)) > 0 OR instr(?2, '@.') > 0 \
             OR instr(?2, '@-') > 0) \
             AND (?1 GLOB ?3 || '*' OR ?1 GLOB '*[ -/:-@[-`{-~]' || ?3 || '*' \
             OR ?2 GLOB ?3 || '*' OR ?2 GLOB '*[ -/:-?[-`{-~]' || ?3 || '*@*' \
             OR (instr(?2, '@') > 0 AND replace(replace(substr(?2, instr(?2, '@') + 1), \
             '.', ''), '-', '') GLOB ?3 || '*')), 0)",
            rusqlite::params![name, email, text],
            |row| row.get(0),
        )
    }

    fn tested(
        connection: &Connection,
        name: Option<&str>,
        email: Option<&str>,
        text: &str,
    ) -> rusqlite::Result<bool> {
        connection.query_row(
            &format!("SELECT {NAME}(?1, ?2, ?3)"),
            rusqlite::params![name, email, text],
            |row| row.get(0),
        )
    }

    /// Asserts that the function and the `GLOB`s agree on a row.
    fn agree(
        connection: &Connection,
        name: Option<&str>,
        email: Option<&str>,
        text: &str,
    ) -> rusqlite::Result<()> {
        assert_eq!(
            tested(connection, name, email, text)?,
            globbed(connection, name, email, text)?,
            "{name:?} {email:?} {text:?}"
        );
        Ok(())
    }

    #[test]
    fn it_matches_what_the_globs_match() -> rusqlite::Result<()> {
        let connection = Connection::open_in_memory()?;
        register(&connection)?;
        let names = [
            Some("anna wu"),
            Some("wei li"),
            Some("o'neil mary-kate"),
            Some("jean-luc lê"),
            Some("ng"),
            Some("x@ng"),
            Some("zoë  ölund"),
            Some(""),
            None,
        ];
        let emails = [
            Some("anna.wu@example.com"),
            Some("wei_li+ng@mail.li.example"),
            Some("a@b-c.d-e.com"),
            Some("x@-ng.com"),
            Some("ng@"),
            Some("@ng"),
            Some("no-at-sign.ng"),
            Some("lê.an@hà.vn"),
            Some("a@b@ng.com"),
            Some("a@x@ng@y.com"),
            Some("n.g"),
            Some("a-b"),
            Some(".ng"),
            Some("-ng"),
            Some("ng"),
            Some(""),
            None,
        ];
        let texts = [
            "a", "an", "wu", "li", "ng", "ne", "ma", "ka", "lê", "l", "ö", "b", "bc", "co", "no",
            "ha", "hà", "vn", "e", "",
        ];
        for name in names {
            for email in emails {
                for text in texts {
                    agree(&connection, name, email, text)?;
                }
            }
        }
        Ok(())
    }

    /// Every ASCII character before a word, in a name, a local part and
    /// a domain: a word starts after space and punctuation only (`@` not
    /// in a local part, where it ends it).
    #[test]
    fn every_ascii_character_splits_words_as_the_globs_do() -> rusqlite::Result<()> {
        let connection = Connection::open_in_memory()?;
        register(&connection)?;
        for byte in 1..=127u8 {
            let c = char::from(byte);
            let name = format!("x{c}ng");
            let emails = [
                format!("x{c}ng@b.com"),
                format!("x@b{c}ng.com"),
                format!("{c}ng@b.com"),
            ];
            for email in &emails {
                for text in ["ng", "n", "b", "bn"] {
                    agree(&connection, Some(&name), Some(email), text)?;
                }
            }
        }
        Ok(())
    }

    #[test]
    fn a_null_text_matches_nothing() -> rusqlite::Result<()> {
        let connection = Connection::open_in_memory()?;
        register(&connection)?;
        let found: bool = connection.query_row(
            &format!("SELECT {NAME}('anna', 'anna@example.com', NULL)"),
            [],
            |row| row.get(0),
        )?;
        assert!(!found);
        Ok(())
    }
}
