//! The records services hand out: users, groups and audit events as the
//! desktop and the CLI show them. They carry no password hash.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::{
    ClientId, ClientName, Country, Description, Email, GroupId, GroupName, PermissionSet, Phone,
    Status, TwoFactor, UserId, UserName, ValidUntil,
};

/// A short reference to another user, enough to show and link them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserRef {
    pub id: UserId,
    pub name: UserName,
    pub email: Email,
}

/// The signed-in operator as the UI needs them: who, and what they may do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Me {
    pub user: User,
    pub permissions: PermissionSet,
}

/// A short reference to a group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRef {
    pub id: GroupId,
    pub name: GroupName,
}

/// A back-office account as everyone but the sign-in code sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: UserId,
    pub name: UserName,
    pub email: Email,
    pub status: Status,
    /// Sorted by name.
    pub groups: Vec<GroupRef>,
    pub supervisor: Option<UserRef>,
    pub must_change_password: bool,
    pub mask_client_data: bool,
    pub two_factor: TwoFactor,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    pub failed_sign_ins: u32,
    pub locked_until: Option<DateTime<Utc>>,
    /// When the password was last set: by its user, by an administrator's
    /// reset, or at creation.
    pub password_changed_at: DateTime<Utc>,
    /// The last day the account may sign in on, if it ends.
    pub valid_until: Option<ValidUntil>,
    /// True when `valid_until` had passed when the record was read: the
    /// account cannot sign in, and the overview shows it as "Expired".
    pub expired: bool,
    /// Bumped by every change; an edit names the version it started from.
    pub version: i64,
}

impl User {
    /// Enabled and not expired: the account may sign in and act.
    pub fn may_sign_in(&self) -> bool {
        self.status == Status::Enabled && !self.expired
    }

    pub fn as_ref(&self) -> UserRef {
        UserRef {
            id: self.id,
            name: self.name.clone(),
            email: self.email.clone(),
        }
    }

    pub fn is_in(&self, group: GroupId) -> bool {
        self.groups.iter().any(|g| g.id == group)
    }

    pub fn group_ids(&self) -> Vec<GroupId> {
        self.groups.iter().map(|g| g.id).collect()
    }
}

/// The fields of a user that a store writes as one row.
#[derive(Debug, Clone)]
pub struct UserFields {
    pub name: UserName,
    pub email: Email,
    pub status: Status,
    pub supervisor: Option<UserId>,
    pub must_change_password: bool,
    pub mask_client_data: bool,
    pub two_factor: TwoFactor,
    pub valid_until: Option<ValidUntil>,
}

impl UserFields {
    pub fn of(user: &User) -> Self {
        Self {
            name: user.name.clone(),
            email: user.email.clone(),
            status: user.status,
            supervisor: user.supervisor.as_ref().map(|s| s.id),
            must_change_password: user.must_change_password,
            mask_client_data: user.mask_client_data,
            two_factor: user.two_factor,
            valid_until: user.valid_until,
        }
    }
}

/// A group with its permissions. The built-in Administrators group reports
/// every permission, whatever the catalogue holds at the time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub id: GroupId,
    pub name: GroupName,
    pub description: Description,
    pub builtin: bool,
    pub permissions: PermissionSet,
    pub member_count: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A client as services hand it out. For an operator whose client data is
/// masked (`mask_client_data`), `name`, `email` and `phone` are masked
/// ([`crate::mask`]) and `masked` is true; `country` is never masked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
    pub email: Option<String>,
    /// In the international format, `+44 20 7946 0958` (masked: `+44 ******958`).
    pub phone: Option<String>,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: Option<String>,
    /// The user who looks after the client, if any.
    pub account_manager: Option<UserRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Bumped by every change; an edit names the version it started from.
    pub version: i64,
    pub masked: bool,
}

/// The fields of a client that a store writes as one row.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientFields {
    pub name: ClientName,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub country: Option<Country>,
    pub account_manager: Option<UserId>,
}

/// What an audit event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    User,
    Group,
    Settings,
    Client,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::User => "user",
            TargetKind::Group => "group",
            TargetKind::Settings => "settings",
            TargetKind::Client => "client",
        }
    }

    pub fn parse_stored(value: &str) -> Option<Self> {
        match value {
            "user" => Some(TargetKind::User),
            "group" => Some(TargetKind::Group),
            "settings" => Some(TargetKind::Settings),
            "client" => Some(TargetKind::Client),
            _ => None,
        }
    }
}

/// One field's value before and after a change. Values are JSON so lists
/// (groups, permissions) read naturally; never a secret.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

/// An audit event about to be written, in the same transaction as its change.
#[derive(Debug, Clone)]
pub struct NewAuditEvent {
    pub at: DateTime<Utc>,
    pub operator: Option<UserId>,
    /// The operator's email at the time, so the log reads after a deletion.
    pub operator_label: String,
    pub action: &'static str,
    pub target_kind: TargetKind,
    pub target_id: Option<i64>,
    /// The target's email or group name at the time.
    pub target_label: String,
    pub changes: Vec<FieldChange>,
}

/// An audit event as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub operator: Option<UserId>,
    pub operator_label: String,
    pub action: String,
    pub target_kind: TargetKind,
    pub target_id: Option<i64>,
    pub target_label: String,
    pub changes: Vec<FieldChange>,
}

/// Which audit events to read, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Events whose target label (a user's email, a group's name) matches, ignoring case.
    pub target_label: Option<String>,
    pub target_kind: Option<TargetKind>,
    /// Events about the record with this id (with `target_kind`), whatever
    /// its label was at the time.
    pub target_id: Option<i64>,
    pub operator: Option<UserId>,
    pub action: Option<String>,
    /// Leaves out events about this kind of record.
    pub except_kind: Option<TargetKind>,
    /// Only events older than this id (keyset paging).
    pub before_id: Option<i64>,
    pub limit: u32,
}
