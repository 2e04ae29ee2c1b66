//! Where Roster's data lives, behind one async contract.
//!
//! A [`Store`] opens transactions; a [`Tx`] offers the primitive reads and
//! writes the services compose. The services decide every rule; a store only
//! keeps data and enforces what the database itself can (unique emails and
//! group names, foreign keys). Each service call runs in one transaction, so
//! a change, its checks and its audit event commit together or not at all.
//!
//! Invariant: no SQL outside this module.

pub mod copy;
pub mod opened_by;
pub mod postgres;
pub mod rows;
mod sql;
pub mod sqlite;
#[doc(hidden)]
pub mod statement_log;

pub use crate::error::StoreError;
pub use rows::{
    AuditArchiveTx, AuditSeedTx, AuditTx, BinCursor, BinnedUser, CheckTx, ClientsTx, CopyTx,
    GroupsTx, RecycleBinTx, SettingsTx, SignInTx, TwoFactorTx, UsersTx,
};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{ClientId, ClientName, Country, Email, GroupId, Phone, Status, UserId};
use crate::error::Error;
use crate::model::{ClientFields, User, UserRef};

/// The built-in Administrators group. Every store's first migration creates
/// it with this id.
pub const ADMINISTRATORS: GroupId = GroupId(1);

/// Read transactions see one consistent snapshot; write transactions are
/// serialised against other writers, so checks made inside them still hold
/// at commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxMode {
    Read,
    Write,
    /// A write that first stages rows of its own (a big import) without
    /// holding up other writers, then calls [`Tx::lock_writer`] and from
    /// there on is a `Write`: checks made after the lock hold at commit.
    /// On a server store the writer lock waits for that call; SQLite, with
    /// one writer per file, takes it at once.
    Stage,
}

#[async_trait]
pub trait Store: Send + Sync {
    /// Starts a transaction. Dropping it without `commit` rolls it back.
    async fn begin(&self, mode: TxMode) -> Result<Box<dyn Tx>, StoreError>;

    /// Where the data is, for people: "SQLite file /path/roster.sqlite3".
    fn describe(&self) -> String;

    /// True only for a local file this process opened for writing. Whoever
    /// can write such a file can change anything in it without Roster, so
    /// the command line's recovery path ([`crate::Directory::recover_as`])
    /// is allowed there and nowhere else.
    fn is_writable_local_file(&self) -> bool {
        false
    }

    /// The local file store, for what only a local file has (backups and
    /// restores); `None` on a server, whose backups are the server's job.
    fn as_local_file(&self) -> Option<&sqlite::SqliteStore> {
        None
    }

    /// Everything this directory holds, read in one snapshot ([`copy`]).
    async fn export(&self) -> Result<copy::Snapshot, StoreError> {
        let mut tx = self.begin(TxMode::Read).await?;
        tx.read_snapshot().await
    }

    /// Writes `snapshot` into this directory, ids unchanged, in one
    /// transaction; refuses with [`StoreError::NotEmpty`] unless the
    /// directory is new and empty.
    async fn import(&self, snapshot: &copy::Snapshot) -> Result<(), StoreError> {
        let mut tx = self.begin(TxMode::Write).await?;
        if !tx.is_empty_directory().await? {
            return Err(StoreError::NotEmpty {
                target: self.describe(),
            });
        }
        tx.write_snapshot(snapshot).await?;
        tx.commit().await
    }
}

/// One transaction: the row traits of every concern ([`rows`]), plus
/// committing and the one lock a server store needs beyond its writer lock.
/// Dropping a transaction without `commit` rolls it back.
#[async_trait]
pub trait Tx:
    UsersTx
    + SignInTx
    + TwoFactorTx
    + GroupsTx
    + ClientsTx
    + AuditTx
    + AuditArchiveTx
    + AuditSeedTx
    + SettingsTx
    + RecycleBinTx
    + CopyTx
    + CheckTx
    + Send
{
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
    /// Takes the directory's writer lock in a [`TxMode::Stage`]
    /// transaction (a no-op where it is already held).
    async fn lock_writer(&mut self) -> Result<(), StoreError>;
    /// Serialises changes that could remove the last enabled administrator.
    /// SQLite's write transactions already are; a server store locks here.
    async fn lock_administrators(&mut self) -> Result<(), StoreError>;
}

/// A user's authenticator-app enrolment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpEnrolment {
    /// Base32; never leaves the core after enrolment.
    pub secret: String,
    pub confirmed: bool,
    /// The last time step a code was accepted at (0 when none).
    pub last_step: u64,
}

/// An emailed sign-in code, as kept: only its hash, when it was sent and
/// expires, and how many wrong attempts were made against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailCode {
    pub code_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub attempts: u32,
}

/// The columns the users overview sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortField {
    #[default]
    Name,
    Email,
    Created,
    LastSignIn,
    PasswordChanged,
    FailedSignIns,
}

impl std::str::FromStr for SortField {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "name" => Ok(SortField::Name),
            "email" => Ok(SortField::Email),
            "created" | "created_at" => Ok(SortField::Created),
            "last_sign_in" | "last_sign_in_at" => Ok(SortField::LastSignIn),
            "password_changed" | "password_changed_at" => Ok(SortField::PasswordChanged),
            "failed_sign_ins" => Ok(SortField::FailedSignIns),
            _ => Err(Error::InvalidChoice {
                field: "sort",
                reason: format!(
                    "“{s}” is not a sort order; use name, email, created, last_sign_in, password_changed or failed_sign_ins."
                ),
            }),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    #[default]
    Asc,
    Desc,
}

/// Which users the overview's status filter keeps. Each user is in exactly
/// one: disabled; else expired (their "valid until" has passed); else enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusFilter {
    Enabled,
    Disabled,
    Expired,
}

impl From<Status> for StatusFilter {
    fn from(status: Status) -> Self {
        match status {
            Status::Enabled => StatusFilter::Enabled,
            Status::Disabled => StatusFilter::Disabled,
        }
    }
}

impl std::str::FromStr for StatusFilter {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "enabled" => Ok(StatusFilter::Enabled),
            "disabled" => Ok(StatusFilter::Disabled),
            "expired" => Ok(StatusFilter::Expired),
            _ => Err(Error::InvalidChoice {
                field: "status",
                reason: format!("“{s}” is not a status; use enabled, disabled or expired."),
            }),
        }
    }
}

/// One page request of the users overview.
/// The overview's filter on password and sign-in facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactFilter {
    /// Never signed in.
    NeverSignedIn,
    /// The password was last set more than a year ago.
    PasswordOlderThanYear,
    /// Locked now after failed sign-ins.
    Locked,
    /// Failed sign-ins since the last success.
    FailedSignIns,
}

impl std::str::FromStr for FactFilter {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "never_signed_in" => Ok(FactFilter::NeverSignedIn),
            "password_older_than_year" => Ok(FactFilter::PasswordOlderThanYear),
            "locked" => Ok(FactFilter::Locked),
            "failed_sign_ins" => Ok(FactFilter::FailedSignIns),
            _ => Err(Error::InvalidChoice {
                field: "facts",
                reason: format!(
                    "“{s}” is not a sign-in filter; use never_signed_in, password_older_than_year, locked or failed_sign_ins."
                ),
            }),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    /// Matched case-insensitively against name and email: three or more
    /// characters match anywhere; one or two match the start.
    pub search: Option<String>,
    pub status: Option<StatusFilter>,
    pub group: Option<GroupId>,
    pub supervisor: Option<UserId>,
    /// Password and sign-in facts.
    pub facts: Option<FactFilter>,
    /// Only this user's team: themselves and their reports, direct and
    /// indirect. The core sets it from the operator's reach and replaces
    /// whatever a caller put here.
    pub team_of: Option<UserId>,
    pub sort: SortField,
    pub direction: Direction,
    pub limit: u32,
    pub after: Option<Cursor>,
}

impl UserQuery {
    pub const DEFAULT_LIMIT: u32 = 50;
    pub const MAX_LIMIT: u32 = 500;
    /// Users read at a time when a whole selection is read
    /// ([`UsersTx::read_users`]).
    pub const READ_LIMIT: u32 = 5_000;

    /// The trimmed search text keyed as names are (lowercase, without
    /// accents: [`crate::domain::search_key`]), if any is left: accents
    /// alone are no search.
    pub fn search_text(&self) -> Option<String> {
        self.search
            .as_deref()
            .map(|s| crate::domain::search_key(s.trim()))
            .filter(|s| !s.is_empty())
    }
}

/// A total that is exact, or a lower bound when counting everything would be
/// slow (many matches of a filter): the UI says "more than N".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Total {
    pub count: u64,
    pub exact: bool,
}

/// How far a capped count goes before it stops and reports a lower bound.
pub const COUNT_CAP: u64 = 10_000;

/// The tables whose rows keep a name's key (`name_key`), each keyed again
/// when listed in `name_keys_pending` (SQLite's V24, PostgreSQL's V25):
/// `sqlite/search_keys.rs`, `postgres/search_keys.rs`.
const NAME_KEYED: [&str; 3] = ["clients", "deleted_users", "users"];

impl Total {
    pub fn exact(count: u64) -> Self {
        Self { count, exact: true }
    }

    /// The total counted in full that takes the place of a page's own
    /// (`self`, read quickly: "more than" a number): the count, unless it
    /// is a lower bound too and says less, where the page's stays. Both
    /// are true: SQLite's count in full reads at most 10,001 candidates in
    /// their index's order, where a first page counted by its rows found a
    /// full page in the sort's order (a rare status among a frequent
    /// search's hits: "more than 50", then "more than 20").
    pub fn counted_in_full(self, counted: Total) -> Total {
        if !self.exact && !counted.exact && self.count > counted.count {
            self
        } else {
            counted
        }
    }

    /// A count that was stopped after `COUNT_CAP + 1` rows.
    pub fn capped(counted: u64) -> Self {
        Self {
            count: counted.min(COUNT_CAP),
            exact: counted <= COUNT_CAP,
        }
    }

    /// A count that stopped before it had read every candidate: there are
    /// at least `counted`, said as more than the round number below it
    /// (1,037 as "more than 1,000", 1,000 as "more than 900"), or as
    /// [`Total::capped`] past the cap; `None` for none, of which nothing
    /// true can be said.
    pub fn at_least(counted: u64) -> Option<Self> {
        if counted == 0 {
            return None;
        }
        if counted > COUNT_CAP {
            return Some(Self::capped(counted));
        }
        let mut step = 1;
        while step * 10 < counted {
            step *= 10;
        }
        Some(Self {
            count: (counted - 1) / step * step,
            exact: false,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct UserPage {
    pub users: Vec<User>,
    pub total: Total,
    /// Whether `total` is a lower bound read quickly ("more than 2,000"),
    /// for the page to come sooner: `count_users` counts it in full.
    pub counting: bool,
    /// Pass back as `after` for the next page; `None` on the last page.
    pub next: Option<Cursor>,
}

/// The columns the clients overview sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientSort {
    #[default]
    Name,
    Created,
}

impl std::str::FromStr for ClientSort {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "name" => Ok(ClientSort::Name),
            "created" | "created_at" => Ok(ClientSort::Created),
            _ => Err(Error::InvalidChoice {
                field: "sort",
                reason: format!("“{s}” is not a sort order for clients; use name or created."),
            }),
        }
    }
}

/// One page request of the clients overview.
#[derive(Debug, Clone, Default)]
pub struct ClientQuery {
    /// Matched case-insensitively against the real name, email and phone
    /// (a search made of digits and `+ -().` matches the phone's digits):
    /// three or more characters match anywhere; one or two match the start.
    pub search: Option<String>,
    pub sort: ClientSort,
    pub direction: Direction,
    /// 0 means [`ClientQuery::DEFAULT_LIMIT`]; at most [`ClientQuery::MAX_LIMIT`].
    pub limit: u32,
    /// The `next` token of the previous page.
    pub after: Option<String>,
}

impl ClientQuery {
    pub const DEFAULT_LIMIT: u32 = 50;
    pub const MAX_LIMIT: u32 = 500;

    /// The trimmed, lowercased search text, if any is left.
    pub fn search_text(&self) -> Option<String> {
        self.search
            .as_deref()
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty())
    }

    /// The digits of a search that looks like a phone number (only digits,
    /// spaces and `+ - ( ) . /`), for matching the stored E.164 number.
    pub fn search_digits(&self) -> Option<String> {
        let text = self.search_text()?;
        let phone_like = text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.' | '/'));
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        (phone_like && !digits.is_empty()).then_some(digits)
    }
}

/// What the services ask a store to list: which clients (decided by the
/// services: substring search for unmasked operators, whole values only for
/// masked ones), in which order, how many.
#[derive(Debug, Clone, Default)]
pub struct ClientListing {
    pub matching: Option<ClientMatch>,
    pub sort: ClientSort,
    pub direction: Direction,
    /// At most [`ClientQuery::MAX_LIMIT`].
    pub limit: u32,
    /// Only the clients whose account manager is in this user's team (set
    /// by the core from the operator's reach).
    pub team_of: Option<UserId>,
}

/// Which clients a search keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientMatch {
    /// Lowercased `text` in the name or email (three or more characters
    /// anywhere, one or two at the start), or `digits` in the phone.
    Substring {
        text: String,
        digits: Option<String>,
    },
    /// Whole values only: a client matches when any value given equals its own.
    Whole(WholeValues),
}

/// The whole values a masked operator's search term may stand for. A store
/// compares each with `=` on an indexed column, never with a pattern.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WholeValues {
    pub id: Option<i64>,
    /// The normalised (lowercased) email address.
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    /// [`crate::domain::fold_name`] of the full name.
    pub name: Option<String>,
}

impl WholeValues {
    pub fn is_empty(&self) -> bool {
        self.id.is_none() && self.email.is_none() && self.phone.is_none() && self.name.is_none()
    }
}

/// A clients row as stored; the services turn it into a [`crate::model::Client`].
#[derive(Debug, Clone, PartialEq)]
pub struct ClientRow {
    pub id: ClientId,
    pub name: ClientName,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub country: Option<Country>,
    pub account_manager: Option<UserRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl ClientRow {
    pub fn fields(&self) -> ClientFields {
        ClientFields {
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            country: self.country,
            account_manager: self.account_manager.as_ref().map(|m| m.id),
        }
    }

    /// The key this row sorts by under `sort`, for the page's cursor.
    pub fn sort_key(&self, sort: ClientSort) -> SortKey {
        match sort {
            ClientSort::Name => SortKey::Text(self.name.sort_key()),
            ClientSort::Created => SortKey::Integer(self.created_at.timestamp_millis()),
        }
    }
}

/// A page of client rows, with the total and where the next page starts.
#[derive(Debug, Clone)]
pub struct ClientRows {
    pub rows: Vec<ClientRow>,
    pub total: Total,
    /// Whether `total` is a lower bound read quickly, which
    /// `count_listed_clients` counts in full.
    pub counting: bool,
    pub next: Option<ClientCursor>,
}

/// Where a page of clients ended. Travels as an opaque hex token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientCursor {
    pub sort: ClientSort,
    pub direction: Direction,
    pub key: SortKey,
    pub id: i64,
}

impl ClientCursor {
    pub fn encode(&self) -> String {
        to_token(self)
    }

    pub fn decode(token: &str) -> Result<Self, Error> {
        from_token(token)
    }
}

/// `value` as JSON, written as hex: opaque and safe in any transport.
fn to_token<T: Serialize>(value: &T) -> String {
    let json = serde_json::to_vec(value).unwrap_or_default();
    json.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads a [`to_token`] token back; anything else is an invalid cursor.
fn from_token<T: serde::de::DeserializeOwned>(token: &str) -> Result<T, Error> {
    let token = token.trim();
    if !token.len().is_multiple_of(2) || token.len() > 4096 || !token.is_ascii() {
        return Err(Error::InvalidCursor);
    }
    let bytes = (0..token.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&token[i..i + 2], 16))
        .collect::<Result<Vec<u8>, _>>()
        .map_err(|_| Error::InvalidCursor)?;
    serde_json::from_slice(&bytes).map_err(|_| Error::InvalidCursor)
}

/// The sort key a keyset page resumes after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SortKey {
    Text(String),
    Integer(i64),
}

/// Where a page ended: the sort it belongs to, the last row's sort key and id.
/// Opaque to callers: it travels as a short hex token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub sort: SortField,
    pub direction: Direction,
    pub key: SortKey,
    pub id: i64,
}

/// The token's content; `Cursor` itself serialises as the token.
#[derive(Serialize, Deserialize)]
struct CursorFields {
    sort: SortField,
    direction: Direction,
    key: SortKey,
    id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        to_token(&CursorFields {
            sort: self.sort,
            direction: self.direction,
            key: self.key.clone(),
            id: self.id,
        })
    }

    pub fn decode(token: &str) -> Result<Self, Error> {
        let fields: CursorFields = from_token(token)?;
        Ok(Self {
            sort: fields.sort,
            direction: fields.direction,
            key: fields.key,
            id: fields.id,
        })
    }
}

impl Serialize for Cursor {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.encode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_in_full_that_is_a_lesser_lower_bound_leaves_the_page_s() {
        let page = Total::at_least(51).expect("some");
        let less = Total::at_least(27).expect("some");
        let more = Total::at_least(10_001).expect("some");
        assert_eq!(page.counted_in_full(less), page);
        assert_eq!(page.counted_in_full(more), more);
        // An exact count is the truth, whatever the page said.
        assert_eq!(page.counted_in_full(Total::exact(51)), Total::exact(51));
        assert_eq!(
            Total::exact(7).counted_in_full(Total::exact(7)),
            Total::exact(7)
        );
    }

    #[test]
    fn a_partial_count_says_more_than_a_round_number_below_it() {
        let said = |counted| {
            let total = Total::at_least(counted).unwrap_or(Total::exact(u64::MAX));
            (total.count, total.exact)
        };
        assert_eq!(Total::at_least(0), None);
        assert_eq!(said(1_037), (1_000, false));
        assert_eq!(said(1_000), (900, false));
        assert_eq!(said(57), (50, false));
        assert_eq!(said(10), (9, false));
        assert_eq!(said(1), (0, false));
        assert_eq!(said(10_000), (9_000, false));
        assert_eq!(said(10_001), (COUNT_CAP, false));
    }
}
