//! The check of an import's rows, a chunk at a time (see the parent
//! module's comment for the rules). What the check keeps of the whole file
//! is small and the same for every row, however wide: the row's line, its
//! supervisor's row and whether it passed (12 bytes), and a digest of each
//! chunk's cells, so a later pass over the file can tell it is unchanged.
//! While it runs it also keeps a digest of each email seen (to find an
//! email used twice, and a supervisor named before their own row) and of
//! each supervisor who is not an earlier row: at most about 60 bytes a row.
//!
//! The digests are BLAKE2b cut to 128 bits: two different emails share one
//! with odds of about 10⁻²⁷ in a file of a million rows.

use std::collections::HashMap;

use blake2::digest::consts::U16;
use blake2::{Blake2b, Digest as _};

use super::super::access::{ensure_may_grant_groups, ensure_may_grant_unmasked, Actor};
use super::super::ensure_method_works;
use crate::domain::{GroupId, GroupName, TwoFactor, UserId};
use crate::error::{Error, Result};
use crate::model::Group;
use crate::sheet::SheetRow;
use crate::store::Tx;
use crate::users_sheet::{quoted, read_row, CellError, Column, Header, UserRow, MAX_LISTED_ERRORS};

/// A 128-bit digest of a text or of a row's cells.
pub(super) type Digest = [u8; 16];

/// No supervisor in the file.
const NO_ROW: u32 = u32::MAX;

/// What the check keeps of one data row.
pub(super) struct Entry {
    line: u32,
    /// The row of the file that is this row's supervisor: set once the row
    /// passed, `NO_ROW` otherwise.
    supervisor: u32,
    passed: bool,
}

/// What a check of the whole file found.
#[derive(Default)]
pub(super) struct Plan {
    has_header: bool,
    /// A digest of each chunk of the file's rows, in order.
    chunks: Vec<Digest>,
    entries: Vec<Entry>,
    /// Rows whose supervisor is nobody the directory or the file knows:
    /// their problem is written once the file is read for its text.
    unknown_supervisors: Vec<u32>,
    /// The directory's users the rows name (as themselves or as their
    /// supervisor), by the digest of their email.
    existing: HashMap<Digest, UserId>,
    pub(super) problems: Problems,
}

impl Plan {
    pub(super) fn has_header(&self) -> bool {
        self.has_header
    }

    /// The file's data rows.
    pub(super) fn rows(&self) -> usize {
        self.entries.len()
    }

    /// Whether `other` checked the same file, row for row.
    pub(super) fn same_file(&self, other: &Plan) -> bool {
        self.chunks == other.chunks && self.entries.len() == other.entries.len()
    }

    /// Who a checked row reports to.
    pub(super) fn supervisor(&self, index: usize, row: &UserRow) -> Result<Boss> {
        let Some(boss) = &row.supervisor else {
            return Ok(Boss::Nobody);
        };
        match self.entries.get(index).map(|e| e.supervisor) {
            Some(NO_ROW) => {}
            Some(other) => return Ok(Boss::Row(other as usize)),
            None => return Err(changed()),
        }
        match self.existing.get(&digest(boss.normalized())) {
            Some(id) => Ok(Boss::Existing(*id)),
            None => Err(changed()),
        }
    }
}

/// A row's supervisor, as the check resolved it.
pub(super) enum Boss {
    Nobody,
    Existing(UserId),
    /// Another row of the file, by its index among the data rows.
    Row(usize),
}

/// The problems found, the [`MAX_LISTED_ERRORS`] of the first lines kept
/// (in the order found within a line) and the others counted.
#[derive(Default)]
pub(super) struct Problems {
    listed: Vec<CellError>,
    more: u64,
}

impl Problems {
    pub(super) fn push(&mut self, problem: CellError) {
        self.listed.push(problem);
        if self.listed.len() >= 2 * MAX_LISTED_ERRORS {
            self.trim();
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.listed.is_empty() && self.more == 0
    }

    fn trim(&mut self) {
        self.listed.sort_by_key(|p| p.line);
        if self.listed.len() > MAX_LISTED_ERRORS {
            self.more += (self.listed.len() - MAX_LISTED_ERRORS) as u64;
            self.listed.truncate(MAX_LISTED_ERRORS);
        }
    }

    /// Takes in the problems of `other`.
    pub(super) fn absorb(&mut self, other: Problems) {
        let (listed, more) = other.into_listed();
        self.more += more;
        listed.into_iter().for_each(|p| self.push(p));
    }

    /// The problems listed, by line, and how many more there are.
    pub(super) fn into_listed(mut self) -> (Vec<CellError>, u64) {
        self.trim();
        (self.listed, self.more)
    }
}

/// A row's settings as the import writes them: the file's, or the form's
/// defaults where the file leaves them blank.
pub(super) struct Settled {
    pub(super) groups: Vec<GroupId>,
    pub(super) must_change_password: bool,
    pub(super) mask_client_data: bool,
    pub(super) two_factor: TwoFactor,
}

/// A supervisor who is not an earlier row: a later one, the directory's
/// user, or nobody.
struct Pending {
    row: u32,
    boss: Digest,
}

/// Checks a file's rows a chunk at a time, in order.
pub(super) struct Checker<'a> {
    actor: &'a Actor,
    groups: &'a [Group],
    by_name: GroupsByName<'a>,
    default_two_factor: TwoFactor,
    mail: bool,
    header: Option<Header>,
    /// Each email's first row.
    seen: HashMap<Digest, u32>,
    pending: Vec<Pending>,
    plan: Plan,
}

impl<'a> Checker<'a> {
    pub(super) fn new(
        actor: &'a Actor,
        groups: &'a [Group],
        default_two_factor: TwoFactor,
        mail: bool,
    ) -> Self {
        Self {
            actor,
            groups,
            by_name: GroupsByName::of(groups),
            default_two_factor,
            mail,
            header: None,
            seen: HashMap::new(),
            pending: Vec::new(),
            plan: Plan::default(),
        }
    }

    /// Checks the next rows of the file (the first chunk holds the header).
    pub(super) async fn chunk(&mut self, tx: &mut dyn Tx, rows: &[SheetRow]) -> Result<()> {
        self.plan.chunks.push(chunk_digest(rows));
        let mut parsed = Vec::with_capacity(rows.len());
        for row in rows {
            let Some(header) = &self.header else {
                self.header = Some(Header::read(row)?);
                self.plan.has_header = true;
                continue;
            };
            let index = u32::try_from(self.plan.entries.len())
                .ok()
                .filter(|i| *i != NO_ROW)
                .ok_or_else(|| Error::InvalidImport {
                    reason: "The file holds too many rows to import at once.".into(),
                })?;
            let line = u32::try_from(row.line).map_err(|_| Error::InvalidImport {
                reason: "The file holds too many lines to import at once.".into(),
            })?;
            let mut errors = Vec::new();
            let user = read_row(header, row, &mut errors);
            errors.into_iter().for_each(|e| self.plan.problems.push(e));
            self.plan.entries.push(Entry {
                line,
                supervisor: NO_ROW,
                passed: false,
            });
            if let Some(user) = user {
                parsed.push((index, user));
            }
        }
        // The emails these rows name, their own and their supervisors',
        // looked up at once.
        let mut wanted: Vec<String> = parsed
            .iter()
            .flat_map(|(_, row)| std::iter::once(&row.email).chain(row.supervisor.as_ref()))
            .map(|email| email.normalized().to_owned())
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        for (email, id) in tx.user_ids_by_emails(&wanted).await? {
            self.plan.existing.insert(digest(&email), id);
        }
        for (index, row) in parsed {
            self.row(index, &row);
        }
        Ok(())
    }

    /// Checks one row against the directory and the rows before it.
    fn row(&mut self, index: u32, row: &UserRow) {
        let line = row.line;
        let mut errors = Vec::new();
        let email = digest(row.email.normalized());
        match self.seen.get(&email) {
            Some(first) => errors.push(CellError::at(
                line,
                Column::Email,
                format!(
                    "{} is also on line {}.",
                    row.email.as_str(),
                    self.line_of(*first)
                ),
            )),
            None => {
                self.seen.insert(email, index);
                if self.plan.existing.contains_key(&email) {
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
        self.settle(row, &mut errors);
        let mut in_file = None;
        let mut pending = None;
        if let Some(boss) = &row.supervisor {
            let key = digest(boss.normalized());
            if key == email {
                errors.push(CellError::at(
                    line,
                    Column::Supervisor,
                    Error::SupervisorIsSelf.to_string(),
                ));
            } else if let Some(other) = self.seen.get(&key) {
                in_file = Some(*other);
            } else {
                // A later row (which comes first, even when the directory
                // has the same email: that row is then refused); else the
                // directory's user; else nobody. Found out at the end.
                pending = Some(Pending {
                    row: index,
                    boss: key,
                });
            }
        }
        if let Some(other) = in_file {
            if !self.passed(other) {
                errors.push(refused_supervisor(line, self.line_of(other)));
            }
        }
        if !errors.is_empty() {
            errors.into_iter().for_each(|e| self.plan.problems.push(e));
            return;
        }
        if let Some(entry) = self.plan.entries.get_mut(index as usize) {
            entry.passed = true;
            entry.supervisor = in_file.unwrap_or(NO_ROW);
        }
        self.pending.extend(pending);
    }

    /// A row's groups, masking and second factor, which need no other row
    /// nor the directory's users; their problems go to `errors`.
    pub(super) fn settle(&self, row: &UserRow, errors: &mut Vec<CellError>) -> Settled {
        let line = row.line;
        let (groups, unknown) = resolve_groups(&row.groups, &self.by_name);
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
        } else if let Err(error) = ensure_may_grant_groups(self.actor, self.groups, &groups) {
            errors.push(CellError::at(line, Column::Groups, error.to_string()));
        }
        let mask_client_data = row
            .mask_client_data
            .unwrap_or(self.actor.user.mask_client_data);
        if let Err(error) = ensure_may_grant_unmasked(self.actor, mask_client_data) {
            errors.push(CellError::at(
                line,
                Column::MaskClientData,
                error.to_string(),
            ));
        }
        let two_factor = row.two_factor.unwrap_or(self.default_two_factor);
        if let Err(error) = ensure_method_works(two_factor, self.mail) {
            errors.push(CellError::at(line, Column::TwoFactor, error.to_string()));
        }
        Settled {
            groups,
            must_change_password: row.must_change_password.unwrap_or(true),
            mask_client_data,
            two_factor,
        }
    }

    /// Ends the check: the supervisors named before their rows, then the
    /// circles among the rows' supervisors.
    pub(super) fn finish(&mut self) -> Plan {
        for pending in std::mem::take(&mut self.pending) {
            let line = self.line_of(pending.row);
            match self.seen.get(&pending.boss).copied() {
                Some(other) if self.passed(other) => {
                    if let Some(entry) = self.plan.entries.get_mut(pending.row as usize) {
                        entry.supervisor = other;
                    }
                }
                Some(other) => {
                    let problem = refused_supervisor(line, self.line_of(other));
                    self.refuse(pending.row, problem);
                }
                None if self.plan.existing.contains_key(&pending.boss) => {}
                None => {
                    self.plan.unknown_supervisors.push(pending.row);
                    if let Some(entry) = self.plan.entries.get_mut(pending.row as usize) {
                        entry.passed = false;
                    }
                }
            }
        }
        for index in in_circles(&self.plan.entries) {
            let Some(entry) = self.plan.entries.get(index) else {
                continue;
            };
            let problem = CellError::at(
                u64::from(entry.line),
                Column::Supervisor,
                format!(
                    "The supervisor on line {} reports, through the file's supervisors, back to this user: a circle.",
                    self.line_of(entry.supervisor)
                ),
            );
            self.plan.problems.push(problem);
        }
        self.seen = HashMap::new();
        std::mem::take(&mut self.plan)
    }

    fn refuse(&mut self, row: u32, problem: CellError) {
        self.plan.problems.push(problem);
        if let Some(entry) = self.plan.entries.get_mut(row as usize) {
            entry.passed = false;
            entry.supervisor = NO_ROW;
        }
    }

    fn line_of(&self, row: u32) -> u64 {
        self.plan
            .entries
            .get(row as usize)
            .map_or(0, |e| u64::from(e.line))
    }

    fn passed(&self, row: u32) -> bool {
        self.plan
            .entries
            .get(row as usize)
            .is_some_and(|e| e.passed)
    }
}

fn refused_supervisor(line: u64, supervisor_line: u64) -> CellError {
    CellError::at(
        line,
        Column::Supervisor,
        format!("The supervisor's own row (line {supervisor_line}) has a problem, so this row cannot be imported either."),
    )
}

/// Reads a file again after its check: every chunk must be the one
/// checked.
pub(super) struct Replay<'p> {
    plan: &'p Plan,
    header: Option<Header>,
    chunk: usize,
    next: usize,
}

impl<'p> Replay<'p> {
    pub(super) fn new(plan: &'p Plan) -> Self {
        Self {
            plan,
            header: None,
            chunk: 0,
            next: 0,
        }
    }

    /// The data rows of the next chunk, each with its index among them
    /// (every row of a checked file passed).
    pub(super) fn rows(&mut self, chunk: &[SheetRow]) -> Result<Vec<(usize, UserRow)>> {
        let rows = self.rows_where(chunk, |_| true)?;
        let entries = &self.plan.entries;
        match rows
            .iter()
            .all(|(i, _)| entries.get(*i).is_some_and(|e| e.passed))
        {
            true => Ok(rows),
            false => Err(changed()),
        }
    }

    /// The problems of the rows of the next chunk whose supervisor is
    /// nobody known, quoting the supervisor as the file writes them.
    pub(super) fn unknown_supervisors(&mut self, chunk: &[SheetRow]) -> Result<Vec<CellError>> {
        let unknown = &self.plan.unknown_supervisors;
        let wanted = |i: usize| u32::try_from(i).is_ok_and(|i| unknown.binary_search(&i).is_ok());
        let rows = self.rows_where(chunk, wanted)?;
        Ok(rows
            .into_iter()
            .filter_map(|(_, row)| {
                let boss = row.supervisor.as_ref()?;
                Some(CellError::at(
                    row.line,
                    Column::Supervisor,
                    format!(
                        "There is no user {} in the directory or in this file.",
                        boss.as_str()
                    ),
                ))
            })
            .collect())
    }

    /// The data rows of the next chunk for which `wanted(index)`.
    fn rows_where(
        &mut self,
        chunk: &[SheetRow],
        wanted: impl Fn(usize) -> bool,
    ) -> Result<Vec<(usize, UserRow)>> {
        if self.plan.chunks.get(self.chunk) != Some(&chunk_digest(chunk)) {
            return Err(changed());
        }
        self.chunk += 1;
        let mut rows = Vec::new();
        for row in chunk {
            let Some(header) = &self.header else {
                self.header = Some(Header::read(row)?);
                continue;
            };
            let index = self.next;
            self.next += 1;
            if !wanted(index) {
                continue;
            }
            let mut errors = Vec::new();
            let user = read_row(header, row, &mut errors).ok_or_else(changed)?;
            rows.push((index, user));
        }
        Ok(rows)
    }

    /// Whether the file ended where the check saw it end.
    pub(super) fn end(&self) -> Result<()> {
        match self.chunk == self.plan.chunks.len() && self.next == self.plan.entries.len() {
            true => Ok(()),
            false => Err(changed()),
        }
    }
}

impl Plan {
    /// Whether the file must be read again for the text of problems (see
    /// [`Replay::unknown_supervisors`]).
    pub(super) fn lacks_texts(&self) -> bool {
        !self.unknown_supervisors.is_empty()
    }
}

/// The file is not the one checked.
pub(super) fn changed() -> Error {
    Error::InvalidImport {
        reason:
            "The file changed while it was being imported, so nothing was imported: check it again."
                .into(),
    }
}

fn digest(text: &str) -> Digest {
    Blake2b::<U16>::digest(text.as_bytes()).into()
}

/// A digest of rows: each row's line and cells, each cell with its length,
/// so no two different chunks can be written the same way.
fn chunk_digest(rows: &[SheetRow]) -> Digest {
    let mut hasher = Blake2b::<U16>::new();
    for row in rows {
        hasher.update(row.line.to_le_bytes());
        hasher.update((row.cells.len() as u64).to_le_bytes());
        for cell in &row.cells {
            hasher.update((cell.len() as u64).to_le_bytes());
            hasher.update(cell.as_bytes());
        }
    }
    hasher.finalize().into()
}

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

/// The rows whose chain of in-file supervisors comes back to them.
fn in_circles(entries: &[Entry]) -> Vec<usize> {
    let supervisor = |index: usize| match entries[index].supervisor {
        NO_ROW => None,
        other => Some(other as usize).filter(|o| *o < entries.len()),
    };
    // 0 = not visited, 1 = on the current path, 2 = done and not in a circle,
    // 3 = done and in a circle.
    let mut state = vec![0_u8; entries.len()];
    for start in 0..entries.len() {
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
                    current = supervisor(index);
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
    (0..entries.len()).filter(|i| state[*i] == 3).collect()
}
