//! Printing: aligned tables and "label: value" blocks for people, pretty JSON
//! of the core's own serde types for scripts.
//!
//! Everything goes through a locked stdout and returns the write error, so a
//! closed pipe (`roster users list | head`) ends the command quietly instead
//! of panicking.

use std::io::{self, Write};

use chrono::{DateTime, Local, Utc};
use roster_core::model::{Client, GroupRef, User};
use serde::Serialize;

/// Prints `value` as pretty JSON and a newline.
pub fn json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Prints lines of text.
pub fn lines<I, S>(lines: I) -> anyhow::Result<()>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = io::stdout().lock();
    for line in lines {
        writeln!(out, "{}", line.as_ref())?;
    }
    Ok(())
}

/// Prints one line of text.
pub fn line(text: impl AsRef<str>) -> anyhow::Result<()> {
    lines([text])
}

/// Prints a table: a header row and rows, columns padded to their widest cell.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> anyhow::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    let mut out = io::stdout().lock();
    for row in std::iter::once(&header).chain(rows) {
        writeln!(out, "{}", format_row(row, &widths))?;
    }
    Ok(())
}

fn format_row(cells: &[String], widths: &[usize]) -> String {
    let mut line = String::new();
    for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
        if index > 0 {
            line.push_str("  ");
        }
        line.push_str(cell);
        if index + 1 < cells.len() {
            let padding = width.saturating_sub(cell.chars().count());
            line.extend(std::iter::repeat_n(' ', padding));
        }
    }
    line.trim_end().to_owned()
}

/// Prints "Label:  value" lines with the values aligned.
pub fn fields(pairs: &[(&str, String)]) -> anyhow::Result<()> {
    let width = pairs
        .iter()
        .map(|(label, _)| label.chars().count() + 1)
        .max()
        .unwrap_or(0);
    let mut out = io::stdout().lock();
    for (label, value) in pairs {
        let label = format!("{label}:");
        writeln!(out, "{label:<width$}  {value}")?;
    }
    Ok(())
}

/// True when the error is stdout having been closed by the reader.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == Some(io::ErrorKind::BrokenPipe)
    })
}

// --- how values read in text output -------------------------------------------

pub fn time(at: &DateTime<Utc>) -> String {
    at.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

pub fn optional_time(at: Option<&DateTime<Utc>>, none: &str) -> String {
    at.map(time).unwrap_or_else(|| none.to_owned())
}

pub fn yes_no(flag: bool) -> String {
    if flag { "yes" } else { "no" }.to_owned()
}

pub fn group_names(groups: &[GroupRef]) -> String {
    groups
        .iter()
        .map(|g| g.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The users overview's columns.
pub const USER_COLUMNS: &[&str] = &[
    "NAME",
    "EMAIL",
    "GROUPS",
    "SUPERVISOR",
    "STATUS",
    "2FA",
    "MASKED",
    "LAST SIGN-IN",
    "CREATED",
];

pub fn user_row(user: &User) -> Vec<String> {
    vec![
        user.name.to_string(),
        user.email.to_string(),
        group_names(&user.groups),
        user.supervisor
            .as_ref()
            .map(|s| s.email.to_string())
            .unwrap_or_else(|| "-".into()),
        standing(user),
        user.two_factor.to_string(),
        yes_no(user.mask_client_data),
        optional_time(user.last_sign_in_at.as_ref(), "never"),
        time(&user.created_at),
    ]
}

/// A user's status as the overview shows it: disabled, else expired (past
/// their "valid until" day), else enabled.
fn standing(user: &User) -> String {
    if user.status == roster_core::domain::Status::Enabled && user.expired {
        "expired".into()
    } else {
        user.status.to_string()
    }
}

/// Every field of a user, for `users show`.
pub fn user_fields(user: &User) -> Vec<(&'static str, String)> {
    vec![
        ("Name", user.name.to_string()),
        ("Email", user.email.to_string()),
        ("Status", standing(user)),
        (
            "Valid until",
            user.valid_until
                .map(|day| day.to_string())
                .unwrap_or_else(|| "no end".into()),
        ),
        ("Groups", group_names(&user.groups)),
        (
            "Supervisor",
            user.supervisor
                .as_ref()
                .map(|s| format!("{} <{}>", s.name, s.email))
                .unwrap_or_else(|| "none".into()),
        ),
        ("Must change password", yes_no(user.must_change_password)),
        ("Mask client data", yes_no(user.mask_client_data)),
        ("Two-factor", user.two_factor.to_string()),
        ("Created", time(&user.created_at)),
        ("Updated", time(&user.updated_at)),
        (
            "Last sign-in",
            optional_time(user.last_sign_in_at.as_ref(), "never"),
        ),
        ("Password changed", time(&user.password_changed_at)),
        ("Failed sign-ins", user.failed_sign_ins.to_string()),
        (
            "Locked until",
            optional_time(user.locked_until.as_ref(), "not locked"),
        ),
        ("Version", user.version.to_string()),
        ("Id", user.id.to_string()),
    ]
}

/// The clients overview's columns.
pub const CLIENT_COLUMNS: &[&str] = &["ID", "NAME", "EMAIL", "PHONE", "COUNTRY", "CREATED"];

pub fn client_row(client: &Client) -> Vec<String> {
    vec![
        client.id.to_string(),
        client.name.clone(),
        client.email.clone().unwrap_or_else(|| "-".into()),
        client.phone.clone().unwrap_or_else(|| "-".into()),
        client.country.clone().unwrap_or_else(|| "-".into()),
        time(&client.created_at),
    ]
}

/// Every field of a client, for `clients show`.
pub fn client_fields(client: &Client) -> Vec<(&'static str, String)> {
    let mut fields = vec![
        ("Name", client.name.clone()),
        (
            "Email",
            client.email.clone().unwrap_or_else(|| "none".into()),
        ),
        (
            "Phone",
            client.phone.clone().unwrap_or_else(|| "none".into()),
        ),
        (
            "Country",
            client.country.clone().unwrap_or_else(|| "none".into()),
        ),
        (
            "Account manager",
            client
                .account_manager
                .as_ref()
                .map_or_else(|| "none".into(), |m| format!("{} <{}>", m.name, m.email)),
        ),
        ("Created", time(&client.created_at)),
        ("Updated", time(&client.updated_at)),
        ("Version", client.version.to_string()),
        ("Id", client.id.to_string()),
    ];
    if client.masked {
        fields.push(("Masked", yes_no(true)));
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_are_padded_to_the_widest_cell_and_not_trailing() {
        let widths = [5, 3];
        assert_eq!(format_row(&["ab".into(), "c".into()], &widths), "ab     c");
        assert_eq!(format_row(&["é".into(), "".into()], &widths), "é");
    }
}
