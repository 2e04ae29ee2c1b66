//! The client services: the overview, one client, create, edit, delete,
//! CSV import and export. Like every service they check the operator's
//! permission (`clients.view` to read, `clients.manage` to change), read
//! fresh from the store, and write the change and its audit event in one
//! transaction.
//!
//! Masking: for an operator with `mask_client_data`, every name, email
//! address and phone number leaving these services is masked
//! ([`crate::mask`]), and so are the audit log's events about clients
//! (`Directory::audit_events`). Searches still match the real values, so a
//! masked operator can find a client they were told about, but sees it
//! masked. A masked operator cannot enter or change those fields (create,
//! import, or edit name, email or phone: [`Error::ClientDataMasked`]); they
//! may change a client's country and delete clients. The audit log keeps the
//! real values, masked on reading.

use serde::Serialize;
use serde_json::json;

use crate::directory::{change, diff, removed, Actor, Directory, Operator};
use crate::domain::{ClientId, ClientName, Country, Email, Permission, Phone};
use crate::error::{Error, Result};
use crate::mask::{mask_email, mask_name, mask_phone};
use crate::model::{AuditEvent, Client, ClientFields, FieldChange, TargetKind};
use crate::store::{ClientCursor, ClientRow, SortKey, Total, Tx, TxMode};

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
/// Rows per page when export reads the store.
const EXPORT_PAGE: u32 = ClientQuery::MAX_LIMIT;

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
    if let SortKey::Text(_) = cursor.key {
        let row = tx
            .client(ClientId(cursor.id))
            .await?
            .ok_or(Error::InvalidCursor)?;
        cursor.key = SortKey::Text(row.name.sort_key());
    }
    Ok(cursor)
}

/// Checks a page request: a limit in range, and a token of this sort.
fn page_request(query: &ClientQuery) -> Result<(ClientQuery, Option<ClientCursor>)> {
    let after = query
        .after
        .as_deref()
        .map(ClientCursor::decode)
        .transpose()?;
    if let Some(cursor) = &after {
        if cursor.sort != query.sort || cursor.direction != query.direction {
            return Err(Error::InvalidCursor);
        }
    }
    let mut query = query.clone();
    if query.limit == 0 {
        query.limit = ClientQuery::DEFAULT_LIMIT;
    }
    query.limit = query.limit.min(ClientQuery::MAX_LIMIT);
    Ok((query, after))
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
        values[*column] = Some(value);
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

impl Directory {
    /// One page of clients, masked for a masked operator. Search matches the
    /// real values (see [`ClientQuery::search`]).
    pub async fn list_clients(
        &self,
        operator: &Operator,
        query: &ClientQuery,
    ) -> Result<ClientPage> {
        let (query, after) = page_request(query)?;
        let mut tx = self.store().begin(TxMode::Read).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::ClientsView).await?;
        let masked = actor.user.mask_client_data;
        let after = match after {
            Some(cursor) => Some(resume_after(&mut *tx, cursor).await?),
            None => None,
        };
        let page = tx.list_clients(&query, after.as_ref()).await?;
        Ok(ClientPage {
            clients: page.rows.iter().map(|row| present(row, masked)).collect(),
            total: page.total,
            next: page.next.map(|cursor| without_text_key(cursor).encode()),
        })
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
        {
            let mut tx = self.store().begin(TxMode::Read).await?;
            let actor = Self::authorize(&mut *tx, operator, Permission::ClientsManage).await?;
            ensure_unmasked(&actor)?;
        }
        let text = csv.strip_prefix('\u{feff}').unwrap_or(csv);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let header = reader.headers().map_err(|error| Error::InvalidImport {
            reason: format!("The file cannot be read as CSV ({error})."),
        })?;
        if header.iter().all(|h| h.trim().is_empty()) {
            return Err(Error::InvalidImport {
                reason: "The file is empty; its first line must name the columns name, email, phone and country.".into(),
            });
        }
        let positions = read_header(header)?;
        let mut rows = Vec::new();
        let mut errors = Vec::new();
        let mut line = 1;
        for record in reader.records() {
            match record {
                Ok(record) => {
                    line = record.position().map_or(line + 1, |p| p.line());
                    if record.iter().all(str::is_empty) {
                        continue;
                    }
                    rows.push((line, record));
                }
                Err(error) => {
                    line = error.position().map_or(line + 1, |p| p.line());
                    errors.push(RowError {
                        line,
                        message: format!("This row cannot be read as CSV ({error})."),
                    });
                }
            }
        }
        let count = rows.len() as u64 + errors.len() as u64;
        let total = if dry_run { count } else { count * 2 };
        let mut valid = Vec::with_capacity(rows.len());
        for (done, (line, record)) in rows.iter().enumerate() {
            match parse_row(record, &positions) {
                Ok(fields) => valid.push(fields),
                Err(message) => errors.push(RowError {
                    line: *line,
                    message,
                }),
            }
            let done = done as u64 + 1;
            if done.is_multiple_of(PROGRESS_EVERY) {
                progress(done, total);
            }
        }
        errors.sort_by_key(|e| e.line);
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
        for (done, fields) in valid.iter().enumerate() {
            tx.insert_client(fields, now).await?;
            let done = done as u64 + 1;
            if done.is_multiple_of(PROGRESS_EVERY) {
                progress(count + done, total);
            }
        }
        report.created = valid.len() as u64;
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
    /// operator. Read in pages from one snapshot of the store.
    pub async fn export_clients(&self, operator: &Operator, query: &ClientQuery) -> Result<String> {
        let mut tx = self.store().begin(TxMode::Read).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::ClientsView).await?;
        let masked = actor.user.mask_client_data;
        let query = ClientQuery {
            limit: EXPORT_PAGE,
            after: None,
            ..query.clone()
        };
        let mut writer = csv::Writer::from_writer(Vec::new());
        let write_error = |error: csv::Error| {
            Error::Store(crate::store::StoreError::Internal {
                detail: format!("CSV export: {error}"),
            })
        };
        writer.write_record(COLUMNS).map_err(write_error)?;
        let mut after: Option<ClientCursor> = None;
        loop {
            let page = tx.list_clients(&query, after.as_ref()).await?;
            for row in &page.rows {
                let client = present(row, masked);
                let phone = match (&row.phone, masked) {
                    (Some(phone), false) => phone.as_str().to_owned(),
                    (Some(_), true) => client.phone.clone().unwrap_or_default(),
                    (None, _) => String::new(),
                };
                writer
                    .write_record([
                        client.name.as_str(),
                        client.email.as_deref().unwrap_or_default(),
                        phone.as_str(),
                        client.country.as_deref().unwrap_or_default(),
                    ])
                    .map_err(write_error)?;
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        let bytes = writer.into_inner().map_err(|error| {
            Error::Store(crate::store::StoreError::Internal {
                detail: format!("CSV export: {error}"),
            })
        })?;
        String::from_utf8(bytes).map_err(|error| {
            Error::Store(crate::store::StoreError::Internal {
                detail: format!("CSV export: {error}"),
            })
        })
    }
}
