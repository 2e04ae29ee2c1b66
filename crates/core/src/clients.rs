//! What the client services (`Directory::list_clients` and the rest, in
//! `directory/clients.rs`) are made of: the forms, pages and reports they
//! take and return, the values a masked operator's search may stand for,
//! how long such a search waits, and reading clients from CSV.
//!
//! Masking: for an operator with `mask_client_data`, every name, email
//! address and phone number leaving the client services is masked
//! ([`crate::mask`]), and so are the audit log's events about clients
//! (`Directory::audit_events`).
//!
//! A masked operator's search matches **whole values only** ([`whole_values`]):
//! the exact email address (any case), the exact phone number (any format
//! that parses to the same E.164 number), the full name (folded for case,
//! accents and white space) or the client's id (`#123` or `123`). A partial
//! term finds nothing, exactly like a wrong one, so the search cannot be
//! used to guess a value a character at a time. Their lists sort by
//! creation only (a name sort would order the real names), their audit
//! label filters never match client events, and every search they make is
//! audited (`client.search`, with the term masked) and, past
//! `Settings::masked_search_per_minute` in a minute, slowed down
//! ([`search_delay`]). A masked operator cannot enter or change those fields (create,
//! import, or edit name, email or phone: [`Error::ClientDataMasked`]); they
//! may change a client's country and delete clients. The audit log keeps the
//! real values, masked on reading.

use std::io::{Read, Seek, SeekFrom};

use serde::Serialize;

use crate::csv_cell;
use crate::domain::{ClientId, ClientName, Country, Email, Phone, UserId};
use crate::error::{Error, Result};
use crate::mask::{mask_email, mask_name, mask_phone};
use crate::model::{Client, ClientFields};
use crate::store::{
    ClientCursor, ClientListing, ClientMatch, ClientRow, SortKey, Total, Tx, WholeValues,
};

pub use crate::store::{ClientQuery, ClientSort, Direction};

/// Everything the create-client form holds. Blank optional fields are none.
#[derive(Debug, Clone, Default)]
pub struct NewClient {
    pub name: String,
    pub email: Option<String>,
    /// International (`+44 1632 960961`), or national when `country` is given.
    pub phone: Option<String>,
    /// ISO 3166-1 alpha-2, any case.
    pub country: Option<String>,
    /// The user who looks after the client.
    pub account_manager: Option<UserId>,
}

/// An edit of a client: `None` leaves a field as it is, `Some(None)` (or a
/// blank value) clears it. `version` is the one the editor started from.
/// A masked operator must leave `name`, `email` and `phone` at `None`.
#[derive(Debug, Clone, Default)]
pub struct ClientChanges {
    pub version: i64,
    pub name: Option<String>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub country: Option<Option<String>>,
    /// `Some(None)` removes the account manager.
    pub account_manager: Option<Option<UserId>>,
}

/// One page of the clients overview.
#[derive(Debug, Clone, Serialize)]
pub struct ClientPage {
    pub clients: Vec<Client>,
    pub total: Total,
    /// Whether `total` is a lower bound read quickly ("more than 2,000"),
    /// for the page to come sooner: `count_clients` counts it in full.
    pub counting: bool,
    /// The order the page is in: the one asked for, except that a masked
    /// operator's lists are always in order of creation.
    pub sort: ClientSort,
    /// Pass back as `after` for the next page; `None` on the last page.
    pub next: Option<String>,
}

/// What an import found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Data rows read (the header not counted).
    pub rows: u64,
    /// Clients created: every row, or none (a dry run, or any error).
    pub created: u64,
    pub errors: Vec<RowError>,
}

/// A row that cannot be imported, by its line in the file (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: u64,
    pub message: String,
}

/// The CSV columns, in the order export writes them.
pub(crate) const COLUMNS: [&str; 4] = ["name", "email", "phone", "country"];
/// Rows between two progress reports.
pub(crate) const PROGRESS_EVERY: u64 = 1000;

/// The audit action of a masked operator's search.
pub(crate) const SEARCH_ACTION: &str = "client.search";
/// The longest search term kept (masked) in the audit log.
const AUDITED_TERM_CHARS: usize = 200;
/// The longest a slowed-down search waits.
pub(crate) const MAX_SEARCH_DELAY: std::time::Duration = std::time::Duration::from_secs(20);

/// The whole values a masked operator's search term may stand for: a
/// client id (`#123`, or only digits), an email address (normalised), a
/// phone number (E.164: international input, `00` and the country code, or
/// the country code and number as digits), and a full name (folded). A
/// store matches them with equality only.
pub fn whole_values(term: &str) -> WholeValues {
    let term = term.trim();
    if term.is_empty() {
        return WholeValues::default();
    }
    let id = term
        .strip_prefix('#')
        .unwrap_or(term)
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|id| i64::try_from(id).ok())
        .filter(|id| *id > 0);
    let email = Email::parse(term).ok().map(|e| e.normalized().to_owned());
    let phone = whole_phone(term).map(|p| p.as_str().to_owned());
    let name = ClientName::parse(term)
        .ok()
        .map(|n| n.folded())
        .filter(|n| !n.is_empty());
    WholeValues {
        id,
        email,
        phone,
        name,
    }
}

/// A whole phone number in `term`, in any format that names its country:
/// `+44 20 7946 0958`, `0044 20 7946 0958`, or the digits `442079460958`.
fn whole_phone(term: &str) -> Option<Phone> {
    if let Ok(phone) = Phone::parse(term, None) {
        return Some(phone);
    }
    let phone_like = term
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.' | '/'));
    if !phone_like {
        return None;
    }
    let digits: String = term.chars().filter(char::is_ascii_digit).collect();
    let international = digits.strip_prefix("00").unwrap_or(&digits);
    if international.is_empty() {
        return None;
    }
    Phone::parse(&format!("+{international}"), None).ok()
}

/// A search term as the audit log keeps it for a masked operator's search:
/// masked like the value it looks like (an id written `#123` stays as it
/// is; bare digits may be part of a phone number and are masked).
pub(crate) fn masked_term(term: &str) -> String {
    let term: String = term.trim().chars().take(AUDITED_TERM_CHARS).collect();
    let whole = whole_values(&term);
    if let Some(email) = &whole.email {
        return mask_email(email);
    }
    if let Some(phone) = &whole.phone {
        return mask_phone(phone);
    }
    match whole.id {
        Some(id) if term.starts_with('#') => format!("#{id}"),
        _ => mask_name(&term),
    }
}

/// How long a masked operator's search waits when `recent` searches of
/// theirs were made in the last minute: nothing up to `per_minute`, then a
/// second more for each search beyond it, at most [`MAX_SEARCH_DELAY`].
pub fn search_delay(recent: u32, per_minute: u32) -> std::time::Duration {
    if recent < per_minute {
        return std::time::Duration::ZERO;
    }
    std::time::Duration::from_secs(u64::from(recent - per_minute) + 1).min(MAX_SEARCH_DELAY)
}

/// What the store lists for `query`: for a masked operator, whole values
/// only and in order of creation.
pub(crate) fn listing(query: &ClientQuery, masked: bool) -> ClientListing {
    let matching = query.search_text().and_then(|text| {
        if masked {
            return Some(ClientMatch::Whole(whole_values(&text)));
        }
        // Keyed as names are (`search_key`): accents alone are no search.
        let text = crate::domain::search_key(&text);
        (!text.is_empty()).then(|| ClientMatch::Substring {
            digits: query.search_digits(),
            text,
        })
    });
    ClientListing {
        matching,
        sort: if masked {
            ClientSort::Created
        } else {
            query.sort
        },
        direction: query.direction,
        limit: query.limit,
        team_of: None,
    }
}

/// A blank optional value is none.
fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

pub(crate) fn parse_email(value: Option<&str>) -> Result<Option<Email>> {
    given(value).map(Email::parse).transpose()
}

pub(crate) fn parse_country(value: Option<&str>) -> Result<Option<Country>> {
    given(value).map(Country::parse).transpose()
}

pub(crate) fn parse_phone(value: Option<&str>, country: Option<Country>) -> Result<Option<Phone>> {
    given(value)
        .map(|phone| Phone::parse(phone, country))
        .transpose()
}

/// Parses a whole new client; the country first, for a national phone number.
pub(crate) fn parse_new(new: &NewClient) -> Result<ClientFields> {
    let country = parse_country(new.country.as_deref())?;
    Ok(ClientFields {
        name: ClientName::parse(&new.name)?,
        email: parse_email(new.email.as_deref())?,
        phone: parse_phone(new.phone.as_deref(), country)?,
        country,
        account_manager: new.account_manager,
    })
}

/// A stored client as `actor` may see it.
pub(crate) fn present(row: &ClientRow, masked: bool) -> Client {
    let name = row.name.as_str();
    let email = row.email.as_ref().map(Email::as_str);
    let phone = row.phone.as_ref();
    Client {
        id: row.id,
        name: if masked {
            mask_name(name)
        } else {
            name.to_owned()
        },
        email: email.map(|e| if masked { mask_email(e) } else { e.to_owned() }),
        phone: phone.map(|p| {
            if masked {
                mask_phone(p.as_str())
            } else {
                p.display()
            }
        }),
        country: row.country.map(|c| c.as_str().to_owned()),
        account_manager: row.account_manager.clone(),
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
        masked,
    }
}

/// A page token as it leaves the core: a name sort's key (the client's real
/// name) is left out, so a masked operator cannot read it from the token;
/// [`resume_after`] looks it up again by the row's id.
pub(crate) fn without_text_key(mut cursor: ClientCursor) -> ClientCursor {
    if let SortKey::Text(key) = &mut cursor.key {
        key.clear();
    }
    cursor
}

/// Restores the sort key of a token made by [`without_text_key`] from the
/// row it ended on; a row deleted since ends the paging with an invalid
/// cursor (start again from the first page).
pub(crate) async fn resume_after(
    tx: &mut dyn Tx,
    mut cursor: ClientCursor,
) -> Result<ClientCursor> {
    if let (SortKey::Text(_), ClientSort::Name) = (&cursor.key, cursor.sort) {
        let row = tx
            .client(ClientId(cursor.id))
            .await?
            .ok_or(Error::InvalidCursor)?;
        cursor.key = SortKey::Text(row.name.sort_key());
    }
    Ok(cursor)
}

/// Checks a page request: a limit in range, and a token of this sort.
pub(crate) fn page_request(
    query: &ClientQuery,
    masked: bool,
) -> Result<(ClientListing, Option<ClientCursor>)> {
    let mut listing = listing(query, masked);
    let after = query
        .after
        .as_deref()
        .map(ClientCursor::decode)
        .transpose()?;
    if let Some(cursor) = &after {
        if cursor.sort != listing.sort || cursor.direction != listing.direction {
            return Err(Error::InvalidCursor);
        }
    }
    if listing.limit == 0 {
        listing.limit = ClientQuery::DEFAULT_LIMIT;
    }
    listing.limit = listing.limit.min(ClientQuery::MAX_LIMIT);
    Ok((listing, after))
}

/// The CSV's columns, by position; refuses unknown, repeated and missing ones.
pub(crate) fn read_header(header: &csv::StringRecord) -> Result<Vec<usize>> {
    let mut positions = Vec::new();
    for field in header.iter() {
        let name = field.trim().trim_start_matches('\u{feff}').to_lowercase();
        let Some(column) = COLUMNS.iter().position(|c| *c == name) else {
            return Err(Error::InvalidImport {
                reason: format!(
                    "The column “{}” is not known; the first line must name the columns name, email, phone and country.",
                    field.trim()
                ),
            });
        };
        if positions.contains(&column) {
            return Err(Error::InvalidImport {
                reason: format!("The column “{name}” appears twice in the first line."),
            });
        }
        positions.push(column);
    }
    if !positions.contains(&0) {
        return Err(Error::InvalidImport {
            reason: "The first line must name the columns; a name column is required (name, email, phone, country).".into(),
        });
    }
    Ok(positions)
}

/// One CSV row as a client's fields, or why it cannot be one.
pub(crate) fn parse_row(
    record: &csv::StringRecord,
    positions: &[usize],
) -> Result<ClientFields, String> {
    if record.len() != positions.len() {
        return Err(format!(
            "This row has {} values; the first line names {} columns.",
            record.len(),
            positions.len()
        ));
    }
    let mut values: [Option<&str>; 4] = [None; 4];
    for (value, column) in record.iter().zip(positions) {
        values[*column] = Some(csv_cell::restore(value));
    }
    fn column_error(column: &'static str) -> impl Fn(Error) -> String {
        move |error| format!("{column}: {error}")
    }
    let country = parse_country(values[3]).map_err(column_error("country"))?;
    Ok(ClientFields {
        name: ClientName::parse(values[0].unwrap_or_default()).map_err(column_error("name"))?,
        email: parse_email(values[1]).map_err(column_error("email"))?,
        phone: parse_phone(values[2], country).map_err(column_error("phone"))?,
        country,
        account_manager: None,
    })
}

/// Rows an import writes per store call.
pub const IMPORT_BATCH: usize = 1000;

/// `input` from its start again.
pub(crate) fn rewound<R: Read + Seek>(input: &mut R) -> Result<&mut R> {
    input
        .seek(SeekFrom::Start(0))
        .map_err(|error| Error::InvalidImport {
            reason: format!("The file cannot be read again ({error})."),
        })?;
    Ok(input)
}

/// A CSV reader over `input` whose header line has been checked.
pub(crate) fn csv_reader<R: Read>(input: R) -> Result<csv::Reader<R>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input);
    let header = reader.headers().map_err(unreadable)?;
    if header.iter().all(|h| h.trim().is_empty()) {
        return Err(Error::InvalidImport {
            reason: "The file is empty; its first line must name the columns name, email, phone and country.".into(),
        });
    }
    read_header(header)?;
    Ok(reader)
}

pub(crate) fn unreadable(error: csv::Error) -> Error {
    Error::InvalidImport {
        reason: format!("The file cannot be read as CSV ({error})."),
    }
}

/// The data rows of a file: every record but the blank ones (unreadable ones count).
pub(crate) fn count_records<R: Read>(mut reader: csv::Reader<R>) -> Result<u64> {
    let mut record = csv::ByteRecord::new();
    let mut count = 0;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => return Ok(count),
            Ok(true) if record.iter().all(<[u8]>::is_empty) => {}
            Ok(true) | Err(_) => count += 1,
        }
    }
}

/// Calls `each` with the line and the parsed fields (or why they cannot
/// be) of every data row but the blank ones, one row in memory at a time.
pub(crate) fn for_each_row<R: Read>(
    mut reader: csv::Reader<R>,
    mut each: impl FnMut(u64, Result<ClientFields, String>) -> Result<()>,
) -> Result<()> {
    let positions = read_header(reader.headers().map_err(unreadable)?)?;
    let mut record = csv::StringRecord::new();
    let mut line = 1;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                line = record.position().map_or(line + 1, |p| p.line());
                if record.iter().all(str::is_empty) {
                    continue;
                }
                each(line, parse_row(&record, &positions))?;
            }
            Err(error) => {
                line = error.position().map_or(line + 1, |p| p.line());
                each(
                    line,
                    Err(format!("This row cannot be read as CSV ({error}).")),
                )?;
            }
        }
    }
}

/// A CSV writer's failure (it writes to memory; not expected).
pub(crate) fn export_store_error(error: &dyn std::fmt::Display) -> crate::store::StoreError {
    crate::store::StoreError::Internal {
        detail: format!("CSV export: {error}"),
    }
}

pub(crate) fn export_error(error: csv::Error) -> Error {
    Error::Store(export_store_error(&error))
}
