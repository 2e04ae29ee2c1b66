//! The client services: the overview, one client, create, edit, delete,
//! CSV import and export. Like every service they check the operator's
//! permission (`clients.view` to read, `clients.manage` to change), read
//! fresh from the store, and write the change and its audit event in one
//! transaction. What they are made of (the values, the masked search's
//! rules, CSV reading) is in [`crate::clients`], whose comment says how
//! masking works.

use std::io::{Read, Seek};

use serde_json::json;

use super::access::{ensure_placed_in_reach, ensure_unmasked, Actor, Operator};
use super::audit::{client_snapshot, diff, import_counts, removed};
use super::Directory;
use crate::clients::{
    count_records, csv_reader, export_error, export_store_error, for_each_row, listing,
    masked_term, page_request, parse_country, parse_email, parse_new, parse_phone, parse_row,
    present, read_header, resume_after, rewound, search_delay, unreadable, without_text_key,
    ClientChanges, ClientPage, ClientQuery, ImportReport, NewClient, RowError, COLUMNS,
    IMPORT_BATCH, MAX_SEARCH_DELAY, PROGRESS_EVERY, SEARCH_ACTION,
};
use crate::csv_cell;
use crate::domain::{ClientId, ClientName, Email, Permission, Status, UserId};
use crate::error::{Error, Result};
use crate::model::{AuditQuery, Client, FieldChange, TargetKind, UserRef};
use crate::store::{ClientRow, StatusFilter, Total, Tx, TxMode, UserQuery};

/// The most users [`Directory::account_manager_choices`] offers.
pub const ACCOUNT_MANAGER_CHOICES: u32 = 20;

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
        let (mut listing, after) = page_request(query, masked)?;
        listing.team_of = actor.reach(Permission::ClientsView)?;
        let after = match after {
            Some(cursor) => Some(resume_after(&mut *tx, cursor).await?),
            None => None,
        };
        let page = tx.list_clients(&listing, after.as_ref()).await?;
        Ok(ClientPage {
            clients: page.rows.iter().map(|row| present(row, masked)).collect(),
            total: page.total,
            counting: page.counting,
            sort: listing.sort,
            next: page.next.map(|cursor| without_text_key(cursor).encode()),
        })
    }

    /// The total of the clients overview's `query` (its cursor and limit
    /// ignored) counted in full, up to the overview's cap: what a page
    /// whose `counting` is set said only "more than" of. Read as the page
    /// is: the same right, reach and masking, and a masked operator's
    /// search is audited and may be slowed down as theirs is.
    pub async fn count_clients(&self, operator: &Operator, query: &ClientQuery) -> Result<Total> {
        let query = ClientQuery {
            after: None,
            ..query.clone()
        };
        let (mut tx, actor) = self.read_clients(operator, &query).await?;
        let (mut listing, _) = page_request(&query, actor.user.mask_client_data)?;
        listing.team_of = actor.reach(Permission::ClientsView)?;
        Ok(tx.count_listed_clients(&listing).await?)
    }

    /// Who may be chosen as a client's account manager, for the form's
    /// picker: enabled users whose name or email matches `search` (as in
    /// the users overview), at most [`ACCOUNT_MANAGER_CHOICES`], by name;
    /// within the operator's team when their `clients.manage` reaches only
    /// it. Needs `clients.manage`, not `users.view`: it names users, and
    /// nothing more about them.
    pub async fn account_manager_choices(
        &self,
        operator: &Operator,
        search: &str,
    ) -> Result<Vec<UserRef>> {
        let mut tx = self.store().begin(TxMode::Read).await?;
        let actor = Self::actor(&mut *tx, operator).await?;
        let team = actor.reach(Permission::ClientsManage)?;
        let query = UserQuery {
            search: Some(search.to_owned()),
            status: Some(StatusFilter::Enabled),
            team_of: team,
            limit: ACCOUNT_MANAGER_CHOICES,
            ..UserQuery::default()
        };
        let page = tx.list_users(&query).await?;
        Ok(page
            .users
            .into_iter()
            .map(|user| UserRef {
                id: user.id,
                name: user.name,
                email: user.email,
            })
            .collect())
    }

    /// The user with address `email`, when the picker would offer them as
    /// an account manager ([`Directory::account_manager_choices`]): enabled,
    /// and within the operator's team when their `clients.manage` reaches
    /// only it. For the command line, which names the manager by address:
    /// the exact address, however many others contain it.
    pub async fn account_manager_by_email(
        &self,
        operator: &Operator,
        email: &str,
    ) -> Result<UserRef> {
        let email = Email::parse(email)?;
        let mut tx = self.store().begin(TxMode::Read).await?;
        let actor = Self::actor(&mut *tx, operator).await?;
        let team = actor.reach(Permission::ClientsManage)?;
        let not_offered = || Error::UserNotFound {
            key: format!(
                "{} among those you may choose as account manager",
                email.as_str()
            ),
        };
        let id = tx
            .user_id_by_email(email.normalized())
            .await?
            .ok_or_else(not_offered)?;
        let user = tx.user(id).await?.ok_or_else(not_offered)?;
        if user.status != Status::Enabled {
            return Err(not_offered());
        }
        if let Some(lead) = team {
            if !tx.in_team(lead, id).await? {
                return Err(not_offered());
            }
        }
        Ok(UserRef {
            id: user.id,
            name: user.name,
            email: user.email,
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
        let actor = Self::authorize_reach(&mut *tx, operator, Permission::ClientsView).await?;
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
        let actor = Self::authorize_reach(&mut *tx, operator, Permission::ClientsView).await?;
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
        let actor = Self::authorize_reach(&mut *tx, operator, Permission::ClientsView).await?;
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
        let actor = Self::actor(&mut *tx, operator).await?;
        let row = client_in_reach(&mut *tx, &actor, Permission::ClientsView, id).await?;
        Ok(present(&row, actor.user.mask_client_data))
    }

    /// Creates a client. Refused to a masked operator.
    pub async fn create_client(&self, operator: &Operator, new: NewClient) -> Result<Client> {
        let mut tx = self.store().begin(TxMode::Write).await?;
        let actor = Self::authorize_reach(&mut *tx, operator, Permission::ClientsManage).await?;
        ensure_unmasked(&actor)?;
        let fields = parse_new(&new)?;
        check_account_manager(&mut *tx, &actor, fields.account_manager).await?;
        let now = Self::now();
        let id = tx.insert_client(&fields, now).await?;
        let row = existing_client(&mut *tx, id).await?;
        let event = actor.audit(
            "client.create",
            TargetKind::Client,
            Some(id.0),
            fields.name.as_str(),
            client_snapshot(&row),
            now,
        );
        tx.append_audit(&event).await?;
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
        let actor = Self::authorize_reach(&mut *tx, operator, Permission::ClientsManage).await?;
        let masked = actor.user.mask_client_data;
        if masked && (changes.name.is_some() || changes.email.is_some() || changes.phone.is_some())
        {
            return Err(Error::ClientDataMasked);
        }
        let before = client_in_reach(&mut *tx, &actor, Permission::ClientsManage, id).await?;
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
        if let Some(manager) = changes.account_manager {
            if manager != fields.account_manager {
                check_account_manager(&mut *tx, &actor, manager).await?;
                fields.account_manager = manager;
            }
        }
        let now = Self::now();
        if !tx.update_client(id, before.version, &fields, now).await? {
            return Err(Error::ChangedBySomeoneElse);
        }
        let after = existing_client(&mut *tx, id).await?;
        let changed = diff(client_snapshot(&before), client_snapshot(&after));
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
        let actor = Self::actor(&mut *tx, operator).await?;
        let before = client_in_reach(&mut *tx, &actor, Permission::ClientsManage, id).await?;
        if before.version != version || !tx.delete_client(id, version).await? {
            return Err(Error::ChangedBySomeoneElse);
        }
        let now = Self::now();
        let event = actor.audit(
            "client.delete",
            TargetKind::Client,
            Some(id.0),
            before.name.as_str(),
            removed(client_snapshot(&before)),
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

        // The rows are staged first, without holding up other writers; the
        // writer lock is taken only for the one statement that moves them
        // into `clients`, and the operator's right is checked again under it.
        let mut tx = self.store().begin(TxMode::Stage).await?;
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
                tx.stage_clients(written, &batch, now).await?;
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
        tx.lock_writer().await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::ClientsManage).await?;
        ensure_unmasked(&actor)?;
        let created = tx.insert_staged_clients().await?;
        if created != written {
            return Err(Error::InvalidImport {
                reason: "The clients could not all be written; nothing was imported.".into(),
            });
        }
        report.created = written;
        let event = actor.audit(
            "client.import",
            TargetKind::Client,
            None,
            "CSV import",
            import_counts(report.rows, report.created),
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
        let mut listing = listing(query, masked);
        listing.team_of = actor.reach(Permission::ClientsView)?;
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

/// The client `id`, when `permission` reaches it: for everyone, or for a
/// team that holds its account manager. A client the operator may see but
/// not change is refused as beyond their team; one they cannot even see is
/// not found, as if it did not exist.
async fn client_in_reach(
    tx: &mut dyn Tx,
    actor: &Actor,
    permission: Permission,
    id: ClientId,
) -> Result<ClientRow> {
    let team = actor.reach(permission)?;
    let row = existing_client(tx, id).await?;
    if reaches(tx, team, &row).await? {
        return Ok(row);
    }
    let seen = match actor.reach(Permission::ClientsView) {
        Ok(view) if view != team => reaches(tx, view, &row).await?,
        _ => false,
    };
    if seen {
        Err(Error::OnlyForTeam { permission })
    } else {
        Err(Error::ClientNotFound {
            key: format!("with id {id}"),
        })
    }
}

/// Whether a reach (`None`: everyone; `Some(lead)`: the lead's team) holds
/// the client: a team holds the clients its members manage.
async fn reaches(tx: &mut dyn Tx, team: Option<UserId>, row: &ClientRow) -> Result<bool> {
    match (team, &row.account_manager) {
        (None, _) => Ok(true),
        (Some(lead), Some(manager)) => Ok(tx.in_team(lead, manager.id).await?),
        (Some(_), None) => Ok(false),
    }
}

/// Checks a client's new account manager: an existing user, in the
/// operator's team when their `clients.manage` reaches only it (so no
/// client leaves it, and none comes without a manager).
async fn check_account_manager(
    tx: &mut dyn Tx,
    actor: &Actor,
    manager: Option<UserId>,
) -> Result<()> {
    ensure_placed_in_reach(
        tx,
        actor,
        Permission::ClientsManage,
        manager,
        "account manager",
    )
    .await?;
    if let Some(id) = manager {
        if tx.user(id).await?.is_none() {
            return Err(Error::UserNotFound {
                key: format!("with id {id} (the chosen account manager)"),
            });
        }
    }
    Ok(())
}

async fn existing_client(tx: &mut dyn Tx, id: ClientId) -> Result<ClientRow> {
    tx.client(id).await?.ok_or_else(|| Error::ClientNotFound {
        key: format!("with id {id}"),
    })
}
