//! Importing users from a spreadsheet (`roster users import`, "Import
//! users…"): every row checked against every rule the create form applies,
//! then all rows written in one transaction, or none.
//!
//! Checked per row: the cells ([`users_sheet::read_row`]), the email free
//! in the directory and used once in the file, each group existing and
//! grantable by the operator, the supervisor an existing user or another
//! row of the file (in any order) without a circle through the file's own
//! rows, a masked operator importing masked users only, and a two-factor
//! method that works here. Every problem is listed; a dry run stops there.
//!
//! A real import with no problem generates a password for each user,
//! hashed on every core at once, then writes the users (supervisors before
//! those who report to them), their groups and one `user.create` audit
//! event each, and one `user.import` event, in one transaction, and only
//! then sends the credentials emails asked for. Cancelling before the
//! commit writes nothing.

use std::collections::HashMap;
use std::io::{Read, Seek};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::access::{ensure_may_grant_groups, ensure_may_grant_unmasked, Actor};
use super::audit::{import_counts, user_snapshot};
use super::{ensure_method_works, generate_passing, Directory};
use crate::domain::{GroupId, GroupName, Permission, UserId};
use crate::error::{Error, Result};
use crate::mail::{self, CredentialsOccasion, Delivery};
use crate::model::{Group, TargetKind, User, UserFields};
use crate::password::{
    GeneratorOptions, PasswordHash, PasswordPolicy, PlainPassword, PolicyContext,
};
use crate::sheet::{self, SheetRow};
use crate::store::{Tx, TxMode};
use crate::users_sheet::{
    quoted, read_row, CellError, Column, FailedDelivery, Header, IssuedCredentials, UserImport,
    UserImportOptions, UserImportReport, UserRow, MAX_LISTED_ERRORS,
};

/// A row that passed every check, with what the store knows of it.
struct Checked {
    row: UserRow,
    groups: Vec<GroupId>,
    supervisor: Option<Supervisor>,
    must_change_password: bool,
    mask_client_data: bool,
    two_factor: crate::domain::TwoFactor,
}

enum Supervisor {
    Existing(UserId),
    /// Another row of the file, by its index in the checked rows.
    Row(usize),
}

impl Directory {
    /// Whether `operator` may import users (`users.create`), before work
    /// that precedes an import (the app's backup); changes nothing.
    pub async fn may_import_users(&self, operator: &crate::Operator) -> Result<()> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        Self::authorize(&mut *tx, operator, Permission::UsersCreate)
            .await
            .map(drop)
    }

    /// Imports users from a CSV or XLSX file (see the module's comment).
    /// `progress(done, total)` is called about every hundred rows:
    /// checking counts the rows; an import then counts passwords made and
    /// users written (total = three times the rows). When `cancel` is set
    /// the import stops with [`Error::Cancelled`], writing nothing.
    /// A file that cannot be read at all is an [`Error::Sheet`] or
    /// [`Error::InvalidImport`]; problems of rows are in the report.
    pub async fn import_users<R: Read + Seek + Send>(
        &self,
        operator: &crate::Operator,
        input: R,
        options: UserImportOptions,
        progress: &mut (dyn FnMut(u64, u64) + Send),
        cancel: &AtomicBool,
    ) -> Result<UserImport> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::UsersCreate).await?;
        let mailer = self.credentials_mailer(options.send_credentials && !options.dry_run)?;
        let groups = tx.groups().await?;
        let default_two_factor = self.default_two_factor(&mut *tx).await?;
        let policy = Self::policy(&mut *tx).await?;
        let company = Self::company_name(&mut *tx).await?;

        let mut header: Option<Header> = None;
        let mut rows = Vec::new();
        let mut errors = Vec::new();
        let mut more_errors = 0_u64;
        let mut count = 0_u64;
        sheet::for_each_row(input, |row: &SheetRow| -> Result<()> {
            let Some(header) = &header else {
                header = Some(Header::read(row)?);
                return Ok(());
            };
            count += 1;
            if let Some(parsed) = read_row(header, row, &mut errors) {
                rows.push(parsed);
            }
            cap(&mut errors, &mut more_errors);
            if count.is_multiple_of(1000) && cancel.load(Ordering::Relaxed) {
                return Err(Error::Cancelled);
            }
            Ok(())
        })?;
        if header.is_none() {
            return Err(Error::InvalidImport {
                reason: "The file holds no rows: the first line must name the columns.".into(),
            });
        }
        let total = if options.dry_run { count } else { count * 3 };
        let checked = self
            .check_rows(
                &mut *tx,
                &actor,
                &groups,
                default_two_factor,
                rows,
                &mut errors,
                &mut |done| progress(done, total),
                cancel,
            )
            .await?;
        drop(tx);
        errors.sort_by_key(|e| e.line);
        cap(&mut errors, &mut more_errors);
        let mut report = UserImportReport {
            rows: count,
            more_errors,
            ..UserImportReport::default()
        };
        if options.dry_run || !errors.is_empty() || count == 0 {
            report.errors = errors;
            progress(total, total);
            return Ok(UserImport {
                report,
                credentials: Vec::new(),
            });
        }

        // The passwords are made before the write begins: hashing takes
        // the longest, and other writers need not wait for it.
        let passwords = self
            .make_passwords(
                &checked,
                policy,
                company,
                &mut |done| progress(count + done, total),
                cancel,
            )
            .await?;
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::UsersCreate).await?;
        // Hashing took a while: check every row again, with the operator's
        // rights, the groups and the directory as they are now.
        let groups = tx.groups().await?;
        let default_two_factor = self.default_two_factor(&mut *tx).await?;
        let mut changed = Vec::new();
        let checked = self
            .check_rows(
                &mut *tx,
                &actor,
                &groups,
                default_two_factor,
                checked.into_iter().map(|c| c.row).collect(),
                &mut changed,
                &mut |_| {},
                cancel,
            )
            .await?;
        if !changed.is_empty() {
            changed.sort_by_key(|e| e.line);
            cap(&mut changed, &mut report.more_errors);
            report.errors = changed;
            return Ok(UserImport {
                report,
                credentials: Vec::new(),
            });
        }
        let now = Self::now();
        let mut ids: Vec<Option<UserId>> = vec![None; checked.len()];
        let mut memberships = Vec::new();
        let order = write_order(&checked);
        for (written, &index) in order.iter().enumerate() {
            if cancel.load(Ordering::Relaxed) {
                return Err(Error::Cancelled);
            }
            let row = &checked[index];
            let supervisor = match row.supervisor {
                None => None,
                Some(Supervisor::Existing(id)) => Some(id),
                Some(Supervisor::Row(other)) => ids[other],
            };
            let fields = UserFields {
                name: row.row.name.clone(),
                email: row.row.email.clone(),
                status: row.row.status,
                supervisor,
                must_change_password: row.must_change_password,
                mask_client_data: row.mask_client_data,
                two_factor: row.two_factor,
                valid_until: row.row.valid_until,
            };
            let (hash, _) = &passwords[index];
            let id = tx
                .insert_user(&fields, hash, now)
                .await
                .map_err(Self::domain_error)?;
            let mut groups = row.groups.clone();
            groups.sort_unstable();
            groups.dedup();
            memberships.extend(groups.into_iter().map(|group| (id, group)));
            ids[index] = Some(id);
            let written = written as u64 + 1;
            if written.is_multiple_of(100) {
                progress(count * 2 + written, total);
            }
        }
        // Their groups, all at once; then each new user as stored, read
        // back all at once, audited in the order written. (Per user, the
        // groups were two statements of three, and the read three more:
        // 10,000 users took 15 s to write on PostgreSQL with the groups
        // still per user, about 0.5 ms a statement.)
        tx.add_memberships(&memberships).await?;
        let written: Vec<UserId> = ids.iter().flatten().copied().collect();
        let mut stored: HashMap<UserId, User> = tx
            .users(&written)
            .await?
            .into_iter()
            .map(|user| (user.id, user))
            .collect();
        let mut created = Vec::with_capacity(order.len());
        let mut events = Vec::with_capacity(order.len() + 1);
        for index in order {
            let Some(user) = ids[index].and_then(|id| stored.remove(&id)) else {
                return Err(Error::UserNotFound {
                    key: format!("on line {} (just imported)", checked[index].row.line),
                });
            };
            events.push(actor.audit(
                "user.create",
                TargetKind::User,
                Some(user.id.0),
                user.email.as_str(),
                user_snapshot(&user),
                now,
            ));
            created.push((index, user));
        }
        report.created = created.len() as u64;
        let event = actor.audit(
            "user.import",
            TargetKind::User,
            None,
            "Spreadsheet import",
            import_counts(report.rows, report.created),
            now,
        );
        events.push(event);
        tx.append_audits(&events).await?;
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        tx.commit().await?;
        progress(total, total);

        let mut passwords: Vec<Option<PlainPassword>> =
            passwords.into_iter().map(|(_, p)| Some(p)).collect();
        let mut credentials = Vec::new();
        for (index, user) in created {
            let Some(password) = passwords[index].take() else {
                continue;
            };
            if let Some(mailer) = &mailer {
                let message = mail::credentials(
                    &user.email,
                    user.name.as_str(),
                    &password,
                    user.must_change_password,
                    user.two_factor,
                    CredentialsOccasion::NewAccount,
                );
                match self
                    .send_after_commit(&**mailer, &actor, &user, "credentials", &message)
                    .await
                {
                    Delivery::Sent => continue,
                    Delivery::Failed { reason } => report.failed_deliveries.push(FailedDelivery {
                        email: user.email.as_str().to_owned(),
                        reason,
                    }),
                    Delivery::NotRequested => {}
                }
            }
            credentials.push(IssuedCredentials {
                name: user.name.as_str().to_owned(),
                email: user.email.as_str().to_owned(),
                password,
            });
        }
        Ok(UserImport {
            report,
            credentials,
        })
    }

    /// Checks each parsed row against the directory and the file's other
    /// rows; the rows without a problem come back resolved.
    #[allow(clippy::too_many_arguments)]
    async fn check_rows(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        groups: &[Group],
        default_two_factor: crate::domain::TwoFactor,
        rows: Vec<UserRow>,
        errors: &mut Vec<CellError>,
        progress: &mut (dyn FnMut(u64) + Send),
        cancel: &AtomicBool,
    ) -> Result<Vec<Checked>> {
        let by_name = GroupsByName::of(groups);
        let mut first_line: HashMap<String, u64> = HashMap::with_capacity(rows.len());
        for row in &rows {
            first_line
                .entry(row.email.normalized().to_owned())
                .or_insert(row.line);
        }
        // Every email the rows name, looked up at once: the rows' own and
        // their supervisors'.
        let mut wanted: Vec<String> = first_line.keys().cloned().collect();
        wanted.extend(
            rows.iter()
                .filter_map(|r| r.supervisor.as_ref())
                .map(|s| s.normalized().to_owned())
                .filter(|s| !first_line.contains_key(s)),
        );
        wanted.sort_unstable();
        wanted.dedup();
        let existing: HashMap<String, UserId> =
            tx.user_ids_by_emails(&wanted).await?.into_iter().collect();
        let mut checked: Vec<Checked> = Vec::with_capacity(rows.len());
        let mut index_of: HashMap<String, usize> = HashMap::with_capacity(rows.len());
        let mut pending_supervisors = Vec::new();
        let mail = self.mail_configured();
        for (done, row) in rows.into_iter().enumerate() {
            if done % 1000 == 999 {
                if cancel.load(Ordering::Relaxed) {
                    return Err(Error::Cancelled);
                }
                progress(done as u64 + 1);
            }
            let line = row.line;
            let before = errors.len();
            let email = row.email.normalized().to_owned();
            match first_line.get(&email) {
                Some(first) if *first != line => errors.push(CellError::at(
                    line,
                    Column::Email,
                    format!("{} is also on line {first}.", row.email.as_str()),
                )),
                _ => {
                    if existing.contains_key(&email) {
                        errors.push(CellError::at(
                            line,
                            Column::Email,
                            Error::EmailTaken {
                                email: row.email.as_str().to_owned(),
                            }
                            .to_string(),
                        ));
                    }
                }
            }
            let (group_ids, unknown) = resolve_groups(&row.groups, &by_name);
            match unknown.len() {
                0 => {}
                1 => errors.push(CellError::at(
                    line,
                    Column::Groups,
                    format!("There is no group called {}.", unknown[0]),
                )),
                n => errors.push(CellError::at(
                    line,
                    Column::Groups,
                    format!(
                        "There are no groups called {}{}.",
                        unknown[..n.min(5)].join(", "),
                        if n > 5 { ", …" } else { "" }
                    ),
                )),
            }
            if row.groups.is_empty() {
                errors.push(CellError::at(
                    line,
                    Column::Groups,
                    Error::NoGroups.to_string(),
                ));
            } else if let Err(error) = ensure_may_grant_groups(actor, groups, &group_ids) {
                errors.push(CellError::at(line, Column::Groups, error.to_string()));
            }
            let mask_client_data = row.mask_client_data.unwrap_or(actor.user.mask_client_data);
            if let Err(error) = ensure_may_grant_unmasked(actor, mask_client_data) {
                errors.push(CellError::at(
                    line,
                    Column::MaskClientData,
                    error.to_string(),
                ));
            }
            let two_factor = row.two_factor.unwrap_or(default_two_factor);
            if let Err(error) = ensure_method_works(two_factor, mail) {
                errors.push(CellError::at(line, Column::TwoFactor, error.to_string()));
            }
            let mut supervisor = None;
            let mut in_file = None;
            if let Some(boss) = &row.supervisor {
                let key = boss.normalized().to_owned();
                if key == email {
                    errors.push(CellError::at(
                        line,
                        Column::Supervisor,
                        Error::SupervisorIsSelf.to_string(),
                    ));
                } else if first_line.contains_key(&key) {
                    in_file = Some(key);
                } else {
                    match existing.get(&key) {
                        Some(id) => supervisor = Some(Supervisor::Existing(*id)),
                        None => errors.push(CellError::at(
                            line,
                            Column::Supervisor,
                            format!(
                                "There is no user {} in the directory or in this file.",
                                boss.as_str()
                            ),
                        )),
                    }
                }
            }
            if errors.len() > before {
                // Rows with problems stay out; a supervisor row named by
                // another row but itself refused is reported below.
                continue;
            }
            index_of.insert(email, checked.len());
            if let Some(key) = in_file {
                pending_supervisors.push((checked.len(), key));
            }
            checked.push(Checked {
                must_change_password: row.must_change_password.unwrap_or(true),
                mask_client_data,
                two_factor,
                groups: group_ids,
                supervisor,
                row,
            });
        }
        for (index, key) in pending_supervisors {
            let Some(row) = checked.get_mut(index) else {
                continue;
            };
            match index_of.get(&key) {
                Some(other) => row.supervisor = Some(Supervisor::Row(*other)),
                None => errors.push(CellError::at(
                    row.row.line,
                    Column::Supervisor,
                    format!("The supervisor's own row ({key}) has a problem, so this row cannot be imported either."),
                )),
            }
        }
        for index in in_circles(&checked) {
            let row = &checked[index].row;
            errors.push(CellError::at(
                row.line,
                Column::Supervisor,
                format!(
                    "{} reports, through the file's supervisors, back to this user: a circle.",
                    row.supervisor.as_ref().map_or("", |s| s.as_str())
                ),
            ));
        }
        progress(checked.len() as u64);
        Ok(checked)
    }

    /// A generated password for each row, checked against the policy with
    /// the row's own context words and hashed, on every core at once.
    async fn make_passwords(
        &self,
        rows: &[Checked],
        policy: PasswordPolicy,
        company: Option<String>,
        progress: &mut (dyn FnMut(u64) + Send),
        cancel: &AtomicBool,
    ) -> Result<Vec<(PasswordHash, PlainPassword)>> {
        let contexts: Arc<Vec<(String, String)>> = Arc::new(
            rows.iter()
                .map(|r| {
                    (
                        r.row.name.as_str().to_owned(),
                        r.row.email.as_str().to_owned(),
                    )
                })
                .collect(),
        );
        let company = Arc::new(company);
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        for _ in 0..workers {
            let (contexts, company, next, stop, sender) = (
                Arc::clone(&contexts),
                Arc::clone(&company),
                Arc::clone(&next),
                Arc::clone(&stop),
                sender.clone(),
            );
            let hasher = self.hasher.clone();
            std::thread::spawn(move || loop {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some((name, email)) = contexts.get(index) else {
                    return;
                };
                let context = PolicyContext {
                    name,
                    email,
                    company: company.as_deref(),
                };
                let made = sheet_password(policy, &context)
                    .and_then(|password| Ok((hasher.hash(&password)?, password)));
                if sender.send((index, made)).is_err() {
                    return;
                }
            });
        }
        drop(sender);
        let mut made: Vec<Option<(PasswordHash, PlainPassword)>> =
            (0..rows.len()).map(|_| None).collect();
        let mut done = 0_u64;
        while let Some((index, result)) = receiver.recv().await {
            if cancel.load(Ordering::Relaxed) {
                stop.store(true, Ordering::Relaxed);
                return Err(Error::Cancelled);
            }
            match result {
                Ok(pair) => made[index] = Some(pair),
                Err(error) => {
                    stop.store(true, Ordering::Relaxed);
                    return Err(error.into());
                }
            }
            done += 1;
            if done.is_multiple_of(10) {
                progress(done);
            }
        }
        made.into_iter()
            .map(|pair| {
                pair.ok_or_else(|| Error::InvalidImport {
                    reason: "A password could not be made; nothing was imported.".into(),
                })
            })
            .collect()
    }
}

/// Keeps the first [`MAX_LISTED_ERRORS`] problems and counts the others.
fn cap(errors: &mut Vec<CellError>, more: &mut u64) {
    if errors.len() > MAX_LISTED_ERRORS {
        *more += (errors.len() - MAX_LISTED_ERRORS) as u64;
        errors.truncate(MAX_LISTED_ERRORS);
    }
}

/// A generated password for a credentials sheet: as long as the policy
/// asks (16 characters at least), accepted by the policy with the user's
/// own context words, and not beginning with a character a spreadsheet
/// reads as a formula (the sheet would otherwise have to change it).
fn sheet_password(
    policy: PasswordPolicy,
    context: &PolicyContext<'_>,
) -> std::result::Result<PlainPassword, crate::password::PasswordError> {
    let options = GeneratorOptions {
        length: policy.min_length.max(GeneratorOptions::default().length),
        ..GeneratorOptions::default()
    };
    generate_passing(&policy, &options, context, |password| {
        crate::csv_cell::neutralise(password.expose()).len() == password.expose().len()
    })
}

/// The rows in an order where each in-file supervisor comes before those
/// who report to them.
/// The groups of the directory by the key a groups cell names them with.
struct GroupsByName<'a> {
    /// Each group by its lowercased name.
    single: HashMap<String, &'a Group>,
    /// Groups named before `;` was refused in names, by their pieces
    /// (split at `;`, trimmed, lowercased) joined with `;`, so an export of
    /// them imports unchanged; with the most pieces such a name has.
    legacy: HashMap<String, &'a Group>,
    most_pieces: usize,
}

impl<'a> GroupsByName<'a> {
    fn of(groups: &'a [Group]) -> Self {
        let mut legacy = HashMap::new();
        let mut most_pieces = 1;
        for group in groups.iter().filter(|g| g.name.as_str().contains(';')) {
            let pieces = legacy_pieces(group.name.as_str());
            most_pieces = most_pieces.max(pieces.len());
            legacy.insert(pieces.join(";"), group);
        }
        GroupsByName {
            single: groups.iter().map(|g| (g.name.normalized(), g)).collect(),
            legacy,
            most_pieces,
        }
    }
}

fn legacy_pieces(name: &str) -> Vec<String> {
    name.split(';').map(|p| p.trim().to_lowercase()).collect()
}

/// The ids of the groups a cell's names (split at `;`) name, and the
/// names that name none, quoted. A run of names that together spell an
/// older group's name holding `;` is that group; the longest run wins.
fn resolve_groups(names: &[String], groups: &GroupsByName) -> (Vec<GroupId>, Vec<String>) {
    let mut ids = Vec::new();
    let mut unknown = Vec::new();
    let mut at = 0;
    while at < names.len() {
        let longest = groups.most_pieces.min(names.len() - at);
        let run = (2..=longest).rev().find_map(|pieces| {
            let key: Vec<String> = names[at..at + pieces]
                .iter()
                .map(|n| n.to_lowercase())
                .collect();
            groups.legacy.get(&key.join(";")).map(|g| (pieces, *g))
        });
        let (used, found) = match run {
            Some((pieces, group)) => (pieces, Some(group)),
            None => {
                let name = &names[at];
                let key =
                    GroupName::parse(name).map_or_else(|_| name.to_lowercase(), |n| n.normalized());
                (1, groups.single.get(&key).copied())
            }
        };
        match found {
            Some(group) if !ids.contains(&group.id) => ids.push(group.id),
            Some(_) => {}
            None => unknown.push(quoted(&names[at])),
        }
        at += used;
    }
    (ids, unknown)
}

fn write_order(rows: &[Checked]) -> Vec<usize> {
    let mut placed = vec![false; rows.len()];
    // Marks the rows of the chain being walked: a long chain in the file
    // costs its length, not its length squared.
    let mut walking = vec![false; rows.len()];
    let mut order = Vec::with_capacity(rows.len());
    for start in 0..rows.len() {
        let mut chain = Vec::new();
        let mut current = Some(start);
        while let Some(index) = current {
            if placed[index] || walking[index] {
                break;
            }
            walking[index] = true;
            chain.push(index);
            current = match rows[index].supervisor {
                Some(Supervisor::Row(other)) => Some(other),
                _ => None,
            };
        }
        for index in chain.into_iter().rev() {
            walking[index] = false;
            if !placed[index] {
                placed[index] = true;
                order.push(index);
            }
        }
    }
    order
}

/// The rows whose chain of in-file supervisors comes back to them.
fn in_circles(rows: &[Checked]) -> Vec<usize> {
    // 0 = not visited, 1 = on the current path, 2 = done and not in a circle,
    // 3 = done and in a circle.
    let mut state = vec![0_u8; rows.len()];
    for start in 0..rows.len() {
        if state[start] != 0 {
            continue;
        }
        let mut path = Vec::new();
        let mut current = Some(start);
        let mut circle_from = None;
        while let Some(index) = current {
            match state[index] {
                0 => {
                    state[index] = 1;
                    path.push(index);
                    current = match rows[index].supervisor {
                        Some(Supervisor::Row(other)) => Some(other),
                        _ => None,
                    };
                }
                1 => {
                    circle_from = path.iter().position(|i| *i == index);
                    current = None;
                }
                _ => current = None,
            }
        }
        for (position, index) in path.iter().enumerate() {
            state[*index] = match circle_from {
                Some(from) if position >= from => 3,
                _ => 2,
            };
        }
    }
    (0..rows.len()).filter(|i| state[*i] == 3).collect()
}
