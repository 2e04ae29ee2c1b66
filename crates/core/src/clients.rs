//! The client services: the overview, one client, create, edit, delete,
//! CSV import and export. Like every service they check the operator's
//! permission (`clients.view` to read, `clients.manage` to change), read
//! fresh from the store, and write the change and its audit event in one
//! transaction.
//!
//! Masking: for an operator with `mask_client_data`, every name, email
//! address and phone number leaving these services is masked
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
use serde_json::json;

use crate::csv_cell;
use crate::directory::{change, diff, removed, Actor, Directory, Operator};
use crate::domain::{ClientId, ClientName, Country, Email, Permission, Phone};
use crate::error::{Error, Result};
use crate::mask::{mask_email, mask_name, mask_phone};
use crate::model::{AuditEvent, AuditQuery, Client, ClientFields, FieldChange, TargetKind};
use crate::store::{
    ClientCursor, ClientListing, ClientMatch, ClientRow, SortKey, Total, Tx, TxMode, WholeValues,
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
}

/// One page of the clients overview.
#[derive(Debug, Clone, Serialize)]
pub struct ClientPage {
    pub clients: Vec<Client>,
    pub total: Total,
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
const COLUMNS: [&str; 4] = ["name", "email", "phone", "country"];
/// Rows between two progress reports.
const PROGRESS_EVERY: u64 = 1000;

/// The audit action of a masked operator's search.
const SEARCH_ACTION: &str = "client.search";
/// The longest search term kept (masked) in the audit log.
const AUDITED_TERM_CHARS: usize = 200;
/// The longest a slowed-down search waits.
const MAX_SEARCH_DELAY: std::time::Duration = std::time::Duration::from_secs(20);

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
fn masked_term(term: &str) -> String {
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
fn listing(query: &ClientQuery, masked: bool) -> ClientListing {
    let matching = query.search_text().map(|text| {
        if masked {
            ClientMatch::Whole(whole_values(&text))
        } else {
            ClientMatch::Substring {
                digits: query.search_digits(),
                text,
            }
        }
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
    }
}

/// A blank optional value is none.
fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

fn parse_email(value: Option<&str>) -> Result<Option<Email>> {
    given(value).map(Email::parse).transpose()
}

fn parse_country(value: Option<&str>) -> Result<Option<Country>> {
    given(value).map(Country::parse).transpose()
}

fn parse_phone(value: Option<&str>, country: Option<Country>) -> Result<Option<Phone>> {
    given(value)
        .map(|phone| Phone::parse(phone, country))
        .transpose()
}

/// Parses a whole new client; the country first, for a national phone number.
fn parse_new(new: &NewClient) -> Result<ClientFields> {
    let country = parse_country(new.country.as_deref())?;
    Ok(ClientFields {
        name: ClientName::parse(&new.name)?,
        email: parse_email(new.email.as_deref())?,
        phone: parse_phone(new.phone.as_deref(), country)?,
        country,
    })
}

/// A stored client as `actor` may see it.
fn present(row: &ClientRow, masked: bool) -> Client {
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
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
        masked,
    }
}

/// A client's fields as audit "after" values: the real values, masked on
/// reading for masked operators ([`mask_event`]).
fn client_snapshot(fields: &ClientFields) -> Vec<FieldChange> {
    [
        ("name", json!(fields.name.as_str())),
        ("email", json!(fields.email.as_ref().map(Email::as_str))),
        ("phone", json!(fields.phone.as_ref().map(Phone::as_str))),
        (
            "country",
            json!(fields.country.map(|c| c.as_str().to_owned())),
        ),
    ]
    .into_iter()
    .map(|(field, after)| FieldChange {
        field: field.into(),
        before: serde_json::Value::Null,
        after,
    })
    .collect()
}

/// Masks an audit event about a client for a masked operator: the label
/// (the client's name) of an event about one client, and every name,
/// email and phone value among its changes. Other events are left alone.
pub(crate) fn mask_event(event: &mut AuditEvent) {
    if event.target_kind != TargetKind::Client {
        return;
    }
    if event.target_id.is_some() {
        event.target_label = mask_name(&event.target_label);
    }
    for change in &mut event.changes {
        let mask: fn(&str) -> String = match change.field.as_str() {
            "name" => mask_name,
            "email" => mask_email,
            "phone" => mask_phone,
            _ => continue,
        };
        for value in [&mut change.before, &mut change.after] {
            if let serde_json::Value::String(text) = value {
                *text = mask(text);
            }
        }
    }
}

/// Refuses a masked operator any call that enters client personal data.
fn ensure_unmasked(actor: &Actor) -> Result<()> {
    if actor.user.mask_client_data {
        Err(Error::ClientDataMasked)
    } else {
        Ok(())
    }
}

async fn existing_client(tx: &mut dyn Tx, id: ClientId) -> Result<ClientRow> {
    tx.client(id).await?.ok_or_else(|| Error::ClientNotFound {
        key: format!("with id {id}"),
    })
}

/// A page token as it leaves the core: a name sort's key (the client's real
/// name) is left out, so a masked operator cannot read it from the token;
/// [`resume_after`] looks it up again by the row's id.
fn without_text_key(mut cursor: ClientCursor) -> ClientCursor {
    if let SortKey::Text(key) = &mut cursor.key {
        key.clear();
    }
    cursor
}

/// Restores the sort key of a token made by [`without_text_key`] from the
/// row it ended on; a row deleted since ends the paging with an invalid
/// cursor (start again from the first page).
async fn resume_after(tx: &mut dyn Tx, mut cursor: ClientCursor) -> Result<ClientCursor> {
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
fn page_request(
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
fn read_header(header: &csv::StringRecord) -> Result<Vec<usize>> {
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
fn parse_row(record: &csv::StringRecord, positions: &[usize]) -> Result<ClientFields, String> {
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
    })
}

/// Rows an import writes per store call.
pub const IMPORT_BATCH: usize = 1000;

/// `input` from its start again.
fn rewound<R: Read + Seek>(input: &mut R) -> Result<&mut R> {
    input
        .seek(SeekFrom::Start(0))
        .map_err(|error| Error::InvalidImport {
            reason: format!("The file cannot be read again ({error})."),
        })?;
    Ok(input)
}

/// A CSV reader over `input` whose header line has been checked.
fn csv_reader<R: Read>(input: R) -> Result<csv::Reader<R>> {
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

fn unreadable(error: csv::Error) -> Error {
    Error::InvalidImport {
        reason: format!("The file cannot be read as CSV ({error})."),
    }
}

/// The data rows of a file: every record but the blank ones (unreadable ones count).
fn count_records<R: Read>(mut reader: csv::Reader<R>) -> Result<u64> {
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
fn for_each_row<R: Read>(
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

impl Directory {
    /// One page of clients, masked for a masked operator. An unmasked
    /// operator's search matches parts of the real values (see
    /// [`ClientQuery::search`]); a masked operator's matches whole values
    /// only, is audited and may be slowed down, and their page is in order
    /// of creation whatever sort was asked (see the module's comment).
    pub async fn list_clients(
        &self,
        operator: &Operator,
        query: &ClientQuery,
    ) -> Result<ClientPage> {
        let (mut tx, actor) = self.read_clients(operator, query).await?;
        let masked = actor.user.mask_client_data;
        let (listing, after) = page_request(query, masked)?;
        let after = match after {
            Some(cursor) => Some(resume_after(&mut *tx, cursor).await?),
            None => None,
        };
        let page = tx.list_clients(&listing, after.as_ref()).await?;
        Ok(ClientPage {
            clients: page.rows.iter().map(|row| present(row, masked)).collect(),
            total: page.total,
            sort: listing.sort,
            next: page.next.map(|cursor| without_text_key(cursor).encode()),
        })
    }

    /// A read transaction for listing clients after the operator's search,
    /// if they are masked and search, was audited and waited for.
    async fn read_clients(
        &self,
        operator: &Operator,
        query: &ClientQuery,
    ) -> Result<(Box<dyn Tx>, Actor)> {
        let mut tx = self.store().begin(TxMode::Read).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::ClientsView).await?;
        let Some(term) = query
            .search
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        else {
            return Ok((tx, actor));
        };
        if !actor.user.mask_client_data {
            return Ok((tx, actor));
        }
        drop(tx);
        self.audit_masked_search(operator, term).await?;
        let mut tx = self.store().begin(TxMode::Read).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::ClientsView).await?;
        Ok((tx, actor))
    }

    /// Audits a masked operator's search (`client.search`, the term
    /// masked) and, when they made more than the setting allows in the last
    /// minute, waits ([`search_delay`]). The count comes from the audit log,
    /// so it holds across the desktop, the command line and several
    /// computers on one shared directory. The wait happens after the
    /// commit, holding no lock.
    async fn audit_masked_search(&self, operator: &Operator, term: &str) -> Result<()> {
        let mut tx = self.store().begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::ClientsView).await?;
        let per_minute = Self::load_settings(&mut *tx)
            .await?
            .masked_search_per_minute;
        let now = Self::now();
        let since = now - chrono::Duration::minutes(1);
        let window = per_minute.saturating_add(MAX_SEARCH_DELAY.as_secs() as u32);
        let recent = tx
            .audit_events(&AuditQuery {
                operator: Some(actor.user.id),
                action: Some(SEARCH_ACTION.into()),
                limit: window,
                ..AuditQuery::default()
            })
            .await?
            .iter()
            .filter(|event| event.at > since)
            .count();
        let event = actor.audit(
            SEARCH_ACTION,
            TargetKind::Client,
            None,
            "client search",
            vec![FieldChange {
                field: "search".into(),
                before: serde_json::Value::Null,
                after: json!(masked_term(term)),
            }],
            now,
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        let delay = search_delay(u32::try_from(recent).unwrap_or(u32::MAX), per_minute);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        Ok(())
    }

    /// One client, masked for a masked operator.
    pub async fn client(&self, operator: &Operator, id: ClientId) -> Result<Client> {
        let mut tx = self.store().begin(TxMode::Read).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::ClientsView).await?;
        let row = existing_client(&mut *tx, id).await?;
        Ok(present(&row, actor.user.mask_client_data))
    }

    /// Creates a client. Refused to a masked operator.
    pub async fn create_client(&self, operator: &Operator, new: NewClient) -> Result<Client> {
        let mut tx = self.store().begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::ClientsManage).await?;
        ensure_unmasked(&actor)?;
        let fields = parse_new(&new)?;
        let now = Self::now();
        let id = tx.insert_client(&fields, now).await?;
        let event = actor.audit(
            "client.create",
            TargetKind::Client,
            Some(id.0),
            fields.name.as_str(),
            client_snapshot(&fields),
            now,
        );
        tx.append_audit(&event).await?;
        let row = existing_client(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(present(&row, false))
    }

    /// Edits a client at the version the editor started from. A masked
    /// operator may change only the country.
    pub async fn update_client(
        &self,
        operator: &Operator,
        id: ClientId,
        changes: ClientChanges,
    ) -> Result<Client> {
        let mut tx = self.store().begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::ClientsManage).await?;
        let masked = actor.user.mask_client_data;
        if masked && (changes.name.is_some() || changes.email.is_some() || changes.phone.is_some())
        {
            return Err(Error::ClientDataMasked);
        }
        let before = existing_client(&mut *tx, id).await?;
        if before.version != changes.version {
            return Err(Error::ChangedBySomeoneElse);
        }
        let mut fields = before.fields();
        if let Some(country) = &changes.country {
            fields.country = parse_country(country.as_deref())?;
        }
        if let Some(name) = &changes.name {
            fields.name = ClientName::parse(name)?;
        }
        if let Some(email) = &changes.email {
            fields.email = parse_email(email.as_deref())?;
        }
        if let Some(phone) = &changes.phone {
            fields.phone = parse_phone(phone.as_deref(), fields.country)?;
        }
        let now = Self::now();
        if !tx.update_client(id, before.version, &fields, now).await? {
            return Err(Error::ChangedBySomeoneElse);
        }
        let changed = diff(client_snapshot(&before.fields()), client_snapshot(&fields));
        if !changed.is_empty() {
            let event = actor.audit(
                "client.update",
                TargetKind::Client,
                Some(id.0),
                before.name.as_str(),
                changed,
                now,
            );
            tx.append_audit(&event).await?;
        }
        let after = existing_client(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(present(&after, masked))
    }

    /// Deletes a client at the version the operator saw.
    pub async fn delete_client(
        &self,
        operator: &Operator,
        id: ClientId,
        version: i64,
    ) -> Result<()> {
        let mut tx = self.store().begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::ClientsManage).await?;
        let before = existing_client(&mut *tx, id).await?;
        if before.version != version || !tx.delete_client(id, version).await? {
            return Err(Error::ChangedBySomeoneElse);
        }
        let now = Self::now();
        let event = actor.audit(
            "client.delete",
            TargetKind::Client,
            Some(id.0),
            before.name.as_str(),
            removed(client_snapshot(&before.fields())),
            now,
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Imports clients from CSV text whose first line names the columns
    /// (`name`, and any of `email`, `phone`, `country`, in any order and
    /// case). Every row is checked first. A dry run only reports. A real
    /// import writes **all** rows in one transaction, and only when no row
    /// has an error: with any error it writes nothing and returns the
    /// errors, so a corrected file can simply be imported again. One audit
    /// event records the counts (not the rows).
    ///
    /// `progress(done, total)` is called every thousand rows and at the end:
    /// a dry run counts the rows checked (`total` = rows); an import counts
    /// rows checked and then rows written (`total` = twice the rows).
    /// Refused to a masked operator. A file whose header is wrong is an
    /// [`Error::InvalidImport`].
    pub async fn import_clients(
        &self,
        operator: &Operator,
        csv: &str,
        dry_run: bool,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<ImportReport> {
        let text = csv.strip_prefix('\u{feff}').unwrap_or(csv);
        self.import_clients_from(
            operator,
            std::io::Cursor::new(text.as_bytes()),
            dry_run,
            progress,
        )
        .await
    }

    /// [`Self::import_clients`] reading the CSV from `input` (a file), as a
    /// stream: it is read once to count and check the rows, and once more
    /// to write them in batches of [`IMPORT_BATCH`], so memory stays near
    /// one batch whatever the file's size. Cells are read through
    /// [`csv_cell::restore`].
    pub async fn import_clients_from<R: Read + Seek + Send>(
        &self,
        operator: &Operator,
        mut input: R,
        dry_run: bool,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<ImportReport> {
        {
            let mut tx = self.store().begin(TxMode::Read).await?;
            let actor = Self::authorize(&mut *tx, operator, Permission::ClientsManage).await?;
            ensure_unmasked(&actor)?;
        }
        let count = count_records(csv_reader(rewound(&mut input)?)?)?;
        let total = if dry_run { count } else { count * 2 };
        let mut errors = Vec::new();
        let mut done = 0;
        for_each_row(csv_reader(rewound(&mut input)?)?, |line, row| {
            if let Err(message) = row {
                errors.push(RowError { line, message });
            }
            done += 1;
            if done % PROGRESS_EVERY == 0 {
                progress(done, total);
            }
            Ok(())
        })?;
        let mut report = ImportReport {
            rows: count,
            created: 0,
            errors,
        };
        if dry_run || !report.errors.is_empty() {
            progress(total, total);
            return Ok(report);
        }
        progress(count, total);

        let mut tx = self.store().begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::ClientsManage).await?;
        ensure_unmasked(&actor)?;
        let now = Self::now();
        let mut reader = csv_reader(rewound(&mut input)?)?;
        let positions = read_header(reader.headers().map_err(unreadable)?)?;
        let mut batch = Vec::with_capacity(IMPORT_BATCH);
        let mut record = csv::StringRecord::new();
        let mut written = 0;
        loop {
            let more = reader.read_record(&mut record).map_err(unreadable)?;
            if more && record.iter().all(str::is_empty) {
                continue;
            }
            if more {
                let fields =
                    parse_row(&record, &positions).map_err(|message| Error::InvalidImport {
                        reason: format!("The file changed while it was imported ({message})."),
                    })?;
                batch.push(fields);
            }
            if batch.len() == IMPORT_BATCH || (!more && !batch.is_empty()) {
                tx.insert_clients(&batch, now).await?;
                let before = written;
                written += batch.len() as u64;
                batch.clear();
                if written / PROGRESS_EVERY > before / PROGRESS_EVERY {
                    progress(count + written, total);
                }
            }
            if !more {
                break;
            }
        }
        if written != count {
            return Err(Error::InvalidImport {
                reason: "The file changed while it was imported; nothing was imported.".into(),
            });
        }
        report.created = written;
        let event = actor.audit(
            "client.import",
            TargetKind::Client,
            None,
            "CSV import",
            [("rows", report.rows), ("created", report.created)]
                .into_iter()
                .filter_map(|(field, n)| change(field, serde_json::Value::Null, json!(n)))
                .collect(),
            now,
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        progress(total, total);
        Ok(report)
    }

    /// Every client matching `query` (its search, sort and direction; not
    /// its limit or position) as CSV with the import's columns
    /// (`name,email,phone,country`, phones in E.164), masked for a masked
    /// operator, whose search and sort follow the overview's rules for
    /// them. Every cell goes through [`csv_cell::neutralise`]. Read by one
    /// query from one snapshot of the store, a row at a time.
    pub async fn export_clients(&self, operator: &Operator, query: &ClientQuery) -> Result<String> {
        let (mut tx, actor) = self.read_clients(operator, query).await?;
        let masked = actor.user.mask_client_data;
        let listing = listing(query, masked);
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(COLUMNS).map_err(export_error)?;
        tx.each_client(&listing, &mut |row| {
            let client = present(&row, masked);
            let phone = match (&row.phone, masked) {
                (Some(phone), false) => phone.as_str().to_owned(),
                (Some(_), true) => client.phone.clone().unwrap_or_default(),
                (None, _) => String::new(),
            };
            let cells = [
                client.name.as_str(),
                client.email.as_deref().unwrap_or_default(),
                phone.as_str(),
                client.country.as_deref().unwrap_or_default(),
            ];
            writer
                .write_record(
                    cells
                        .iter()
                        .map(|cell| csv_cell::neutralise(cell).into_owned()),
                )
                .map_err(|error| export_store_error(&error))
        })
        .await?;
        let bytes = writer
            .into_inner()
            .map_err(|error| export_store_error(&error))?;
        String::from_utf8(bytes).map_err(|error| export_store_error(&error).into())
    }
}

/// A CSV writer's failure (it writes to memory; not expected).
fn export_store_error(error: &dyn std::fmt::Display) -> crate::store::StoreError {
    crate::store::StoreError::Internal {
        detail: format!("CSV export: {error}"),
    }
}

fn export_error(error: csv::Error) -> Error {
    Error::Store(export_store_error(&error))
}
