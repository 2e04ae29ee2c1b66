//! The users file: the columns `roster users import` and "Import users…"
//! read and `roster users export` and "Export…" write, how each cell is
//! read, the reports an import gives, the credentials sheet and the
//! template. The services are in `directory/users_import.rs` and
//! `directory/users_export.rs`; the file formats in [`crate::sheet`].
//!
//! Columns are found by their header, in any order and case, with `_`, `-`
//! and spaces alike (`Must change password`, `must_change_password`). Name
//! and email are required; the others may be left out or blank, which
//! takes the form's default (`valid until`, `YYYY-MM-DD`: blank for no
//! end). `created` and `last sign-in` are what an
//! export adds for people to read: an import accepts and ignores them, so
//! an export imports unchanged into another directory. Any other column is
//! an error that names it.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;
use zeroize::Zeroizing;

use crate::domain::{Email, Status, TwoFactor, UserName, ValidUntil};
use crate::error::{Error, Result};
use crate::password::PlainPassword;
use crate::sheet::{SheetFormat, SheetRow, SheetWriter};

/// A column of the users file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Column {
    Name,
    Email,
    Groups,
    Supervisor,
    Status,
    MustChangePassword,
    MaskClientData,
    TwoFactor,
    ValidUntil,
    Created,
    LastSignIn,
    PasswordChanged,
}

impl Column {
    /// Every column, in the order an export writes them.
    pub(crate) const ALL: [Column; 12] = [
        Column::Name,
        Column::Email,
        Column::Groups,
        Column::Supervisor,
        Column::Status,
        Column::MustChangePassword,
        Column::MaskClientData,
        Column::TwoFactor,
        Column::ValidUntil,
        Column::Created,
        Column::LastSignIn,
        Column::PasswordChanged,
    ];

    /// The header an export writes.
    pub(crate) fn header(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Email => "email",
            Column::Groups => "groups",
            Column::Supervisor => "supervisor",
            Column::Status => "status",
            Column::MustChangePassword => "must change password",
            Column::MaskClientData => "mask client data",
            Column::TwoFactor => "two-factor method",
            Column::ValidUntil => "valid until",
            Column::Created => "created",
            Column::LastSignIn => "last sign-in",
            Column::PasswordChanged => "password changed",
        }
    }

    fn from_header(header: &str) -> Option<Column> {
        let folded = fold_header(header);
        let column = match folded.as_str() {
            "name" | "full name" => Column::Name,
            "email" | "email address" | "e mail" => Column::Email,
            "groups" | "group" => Column::Groups,
            "supervisor" | "supervisor email" => Column::Supervisor,
            "status" => Column::Status,
            "must change password" => Column::MustChangePassword,
            "mask client data" => Column::MaskClientData,
            "two factor method" | "two factor" | "2fa" => Column::TwoFactor,
            "valid until" => Column::ValidUntil,
            "created" => Column::Created,
            "last sign in" => Column::LastSignIn,
            "password changed" => Column::PasswordChanged,
            _ => return None,
        };
        Some(column)
    }
}

/// `Must_Change-Password ` → `must change password`.
fn fold_header(header: &str) -> String {
    header
        .to_lowercase()
        .replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where each column is in the file.
#[derive(Debug)]
pub(crate) struct Header {
    positions: HashMap<Column, usize>,
    width: usize,
}

impl Header {
    /// Reads the header row: every cell must name a column, once; name and
    /// email must be there.
    pub(crate) fn read(row: &SheetRow) -> Result<Header> {
        let mut positions = HashMap::new();
        let mut unknown = Vec::new();
        for (index, cell) in row.cells.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            match Column::from_header(cell) {
                Some(column) => {
                    if positions.insert(column, index).is_some() {
                        return Err(invalid(format!(
                            "Line {}: the column {} is there twice.",
                            row.line,
                            quoted(cell)
                        )));
                    }
                }
                None => unknown.push(quoted(cell)),
            }
        }
        if !unknown.is_empty() {
            return Err(invalid(format!(
                "Line {}: unknown column{} {}. The columns are: {}.",
                row.line,
                if unknown.len() == 1 { "" } else { "s" },
                unknown.join(", "),
                Column::ALL.map(Column::header).join(", ")
            )));
        }
        for required in [Column::Name, Column::Email] {
            if !positions.contains_key(&required) {
                return Err(invalid(format!(
                    "Line {}: the first line must name the columns, and a “{}” column is missing.",
                    row.line,
                    required.header()
                )));
            }
        }
        Ok(Header {
            positions,
            width: row.cells.len(),
        })
    }

    fn cell<'r>(&self, row: &'r SheetRow, column: Column) -> &'r str {
        self.positions
            .get(&column)
            .and_then(|index| row.cells.get(*index))
            .map_or("", String::as_str)
    }
}

fn invalid(reason: String) -> Error {
    Error::InvalidImport { reason }
}

/// A problem with one row, or one cell of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellError {
    /// The line in the file (the header is line 1 in a CSV file; an XLSX
    /// row's number).
    pub line: u64,
    /// The column's header, when the problem is in one cell.
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "Line {}, column {column}: {}", self.line, self.message),
            None => write!(f, "Line {}: {}", self.line, self.message),
        }
    }
}

impl CellError {
    pub(crate) fn at(line: u64, column: Column, message: impl Into<String>) -> Self {
        Self {
            line,
            column: Some(column.header().to_owned()),
            message: shown(&message.into(), MAX_MESSAGE_CHARS),
        }
    }
}

/// The longest message of one problem, and the longest quoted cell.
const MAX_MESSAGE_CHARS: usize = 300;
const MAX_QUOTED_CHARS: usize = 60;

/// `text` safe to print on a terminal or a screen: control characters,
/// bidirectional and invisible formatting characters written as `\u{…}`
/// (a cell cannot move the cursor, rewrite earlier lines or reorder the
/// message), and cut at `max` characters.
pub(crate) fn shown(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 2));
    for (count, c) in text.chars().enumerate() {
        if count == max {
            out.push('…');
            break;
        }
        let invisible = matches!(
            c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
        );
        if c.is_control() || invisible {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// A cell's text quoted in a message.
pub(crate) fn quoted(text: &str) -> String {
    format!("“{}”", shown(text, MAX_QUOTED_CHARS))
}

/// One row of the file, each cell read; the store is not consulted yet.
#[derive(Debug, Clone)]
pub(crate) struct UserRow {
    pub line: u64,
    pub name: UserName,
    pub email: Email,
    /// The groups' names as written.
    pub groups: Vec<String>,
    pub supervisor: Option<Email>,
    pub status: Status,
    pub must_change_password: Option<bool>,
    pub mask_client_data: Option<bool>,
    pub two_factor: Option<TwoFactor>,
    /// The last day the account may sign in on; blank for no end.
    pub valid_until: Option<ValidUntil>,
}

/// The most groups one cell may name.
const MAX_GROUPS_PER_CELL: usize = 50;

/// Reads one data row: every cell's problem goes to `errors`, and the row
/// is returned only when it has none.
pub(crate) fn read_row(
    header: &Header,
    row: &SheetRow,
    errors: &mut Vec<CellError>,
) -> Option<UserRow> {
    let line = row.line;
    let before = errors.len();
    if row.cells.len() > header.width && row.cells[header.width..].iter().any(|c| !c.is_empty()) {
        errors.push(CellError {
            line,
            column: None,
            message: format!(
                "the row has {} cells, but the header names {} columns.",
                row.cells.len(),
                header.width
            ),
        });
    }
    let name = checked(
        errors,
        line,
        Column::Name,
        UserName::parse(header.cell(row, Column::Name)).map_err(|e| e.to_string()),
    );
    let email = checked(
        errors,
        line,
        Column::Email,
        Email::parse(header.cell(row, Column::Email)).map_err(|e| e.to_string()),
    );
    let groups: Vec<String> = header
        .cell(row, Column::Groups)
        .split(';')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .take(MAX_GROUPS_PER_CELL + 1)
        .map(str::to_owned)
        .collect();
    if groups.len() > MAX_GROUPS_PER_CELL {
        errors.push(CellError::at(
            line,
            Column::Groups,
            format!("more than {MAX_GROUPS_PER_CELL} groups are named."),
        ));
    }
    let supervisor = checked(
        errors,
        line,
        Column::Supervisor,
        match header.cell(row, Column::Supervisor) {
            "" => Ok(None),
            text => Email::parse(text).map(Some).map_err(|e| e.to_string()),
        },
    );
    let status = checked(
        errors,
        line,
        Column::Status,
        match header.cell(row, Column::Status) {
            "" => Ok(Status::Enabled),
            text => text
                .parse::<Status>()
                .map_err(|_| format!("{} is not a status; use enabled or disabled.", quoted(text))),
        },
    );
    let must_change_password = checked(
        errors,
        line,
        Column::MustChangePassword,
        yes_no(header.cell(row, Column::MustChangePassword)),
    );
    let mask_client_data = checked(
        errors,
        line,
        Column::MaskClientData,
        yes_no(header.cell(row, Column::MaskClientData)),
    );
    let two_factor = checked(
        errors,
        line,
        Column::TwoFactor,
        match header.cell(row, Column::TwoFactor) {
            "" => Ok(None),
            text => text.parse::<TwoFactor>().map(Some).map_err(|_| {
                format!(
                    "{} is not a two-factor method; use off, email_code or totp.",
                    quoted(text)
                )
            }),
        },
    );
    let valid_until = checked(
        errors,
        line,
        Column::ValidUntil,
        match header.cell(row, Column::ValidUntil).trim() {
            "" => Ok(None),
            text => ValidUntil::parse(text).map(Some).map_err(|e| e.to_string()),
        },
    );
    if errors.len() > before {
        return None;
    }
    Some(UserRow {
        line,
        name: name?,
        email: email?,
        groups,
        supervisor: supervisor?,
        status: status?,
        must_change_password: must_change_password?,
        mask_client_data: mask_client_data?,
        two_factor: two_factor?,
        valid_until: valid_until?,
    })
}

/// The value of a cell, or its problem noted in `errors`.
fn checked<T>(
    errors: &mut Vec<CellError>,
    line: u64,
    column: Column,
    result: std::result::Result<T, String>,
) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(message) => {
            errors.push(CellError::at(line, column, message));
            None
        }
    }
}

/// `yes`/`no` and their usual spellings; blank is none.
fn yes_no(text: &str) -> std::result::Result<Option<bool>, String> {
    match text.to_lowercase().as_str() {
        "" => Ok(None),
        "yes" | "y" | "true" | "1" | "x" => Ok(Some(true)),
        "no" | "n" | "false" | "0" => Ok(Some(false)),
        _ => Err(format!("{} is not yes or no.", quoted(text))),
    }
}

/// How an export writes a flag.
pub(crate) fn yes_or_no(flag: bool) -> &'static str {
    if flag {
        "yes"
    } else {
        "no"
    }
}

/// What an import of users found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UserImportReport {
    /// Data rows read (the header not counted).
    pub rows: u64,
    /// Users created: every row, or none (a dry run, or any error).
    pub created: u64,
    /// Every problem found, up to [`MAX_LISTED_ERRORS`]; nothing was
    /// written when there is one.
    pub errors: Vec<CellError>,
    /// Problems found beyond those listed.
    pub more_errors: u64,
    /// Credentials emails that could not be sent after the import (the
    /// users were created; their passwords are on the credentials sheet).
    pub failed_deliveries: Vec<FailedDelivery>,
}

/// The most problems an import lists (the others are counted).
pub const MAX_LISTED_ERRORS: usize = 1000;

/// A credentials email that could not be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedDelivery {
    pub email: String,
    pub reason: String,
}

/// Whether an import only checks, and whether it emails the new users.
#[derive(Debug, Clone, Copy, Default)]
pub struct UserImportOptions {
    pub dry_run: bool,
    pub send_credentials: bool,
}

/// A new user's password to hand over: never serialised, never logged.
pub struct IssuedCredentials {
    pub name: String,
    pub email: String,
    pub password: PlainPassword,
}

impl IssuedCredentials {
    /// `password`, issued to `user`.
    pub(crate) fn to(user: &crate::model::User, password: PlainPassword) -> Self {
        Self {
            name: user.name.as_str().to_owned(),
            email: user.email.as_str().to_owned(),
            password,
        }
    }
}

impl fmt::Debug for IssuedCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedCredentials")
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

/// What an import returns: its report, and the passwords of the users it
/// created that were not emailed to them (for the credentials sheet).
#[derive(Debug, Default)]
pub struct UserImport {
    pub report: UserImportReport,
    pub credentials: Vec<IssuedCredentials>,
}

/// The credentials sheet: name, email and password of each new user, in
/// the chosen format. The bytes are wiped when dropped.
pub fn credentials_sheet(
    credentials: &[IssuedCredentials],
    format: SheetFormat,
) -> Result<Zeroizing<Vec<u8>>> {
    let mut bytes = Zeroizing::new(Vec::new());
    {
        let mut writer = SheetWriter::in_memory(format, "Credentials", &mut *bytes)?;
        writer.row(&["name", "email", "password"])?;
        for issued in credentials {
            writer.row(&[
                issued.name.as_str(),
                issued.email.as_str(),
                issued.password.expose(),
            ])?;
        }
        writer.finish()?;
    }
    Ok(bytes)
}

/// A file to fill in: the header and one example row.
pub fn users_template(format: SheetFormat) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    {
        let mut writer = SheetWriter::new(format, "Users", &mut bytes)?;
        let header: Vec<&str> = Column::ALL[..9].iter().map(|c| c.header()).collect();
        writer.row(&header)?;
        writer.row(&[
            "Ann Example",
            "ann@example.com",
            "Staff; Sales",
            "",
            "enabled",
            "yes",
            "no",
            "off",
            "",
        ])?;
        writer.finish()?;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests;
