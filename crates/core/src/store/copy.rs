//! Moving a directory from one store to another (the local file up to a
//! PostgreSQL server, or a server's directory down to a file): everything
//! is read from the source in one snapshot, written into an empty target in
//! one transaction with its ids unchanged, and the target's counts are
//! checked against the source's. The source is only read.
//!
//! Outstanding email sign-in codes are not copied: they expire within
//! minutes and a new one is sent at the next sign-in.

use serde::Serialize;

use super::{Store, StoreError};

/// A group as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub builtin: bool,
    /// Milliseconds since 1970, as both stores keep times.
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
    pub permissions: Vec<String>,
}

/// A user as stored, password hash and sign-in bookkeeping included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub status: String,
    pub supervisor_id: Option<i64>,
    pub password_hash: String,
    pub must_change_password: bool,
    pub mask_client_data: bool,
    pub two_factor: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// 0 when the user never signed in.
    pub last_sign_in_at: i64,
    pub failed_sign_ins: i64,
    pub locked_until: Option<i64>,
    pub version: i64,
    /// `YYYY-MM-DD`, the last day the account may sign in on.
    pub valid_until: Option<String>,
    /// When the password was last set.
    pub password_changed_at: i64,
}

/// A client as stored: the phone in E.164, the country's two letters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRow {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
    pub account_manager_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub operator_id: Option<i64>,
    pub operator_label: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<i64>,
    pub target_label: String,
    /// The field changes as JSON text.
    pub changes: String,
    /// The event's place in the hash chain, its action group, its
    /// operator's label lowercased and its hash ([`crate::audit::chain`]),
    /// copied as they are so the chain verifies in the copy.
    pub seq: Option<i64>,
    pub category: Option<String>,
    pub operator_label_normalized: Option<String>,
    pub hash: Option<String>,
}

/// The audit chain's head, copied with the events it covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditChainRow {
    pub events: i64,
    pub last_hash: String,
    pub anchor_seq: i64,
    pub anchor_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpRow {
    pub user_id: i64,
    pub secret: String,
    pub confirmed: bool,
    pub last_step: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryCodeRow {
    pub user_id: i64,
    pub code_hash: String,
    pub used_at: Option<i64>,
}

/// A user in the recycle bin as stored (migration V12), the
/// authenticator secret opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedUserRow {
    pub id: i64,
    pub name: String,
    pub name_key: String,
    pub email: String,
    pub email_normalized: String,
    pub status: String,
    pub supervisor_id: Option<i64>,
    pub password_hash: String,
    pub must_change_password: bool,
    pub mask_client_data: bool,
    pub two_factor: String,
    pub created_at: i64,
    pub last_sign_in_at: i64,
    pub password_changed_at: i64,
    pub valid_until: Option<String>,
    pub version: i64,
    pub group_ids: String,
    pub totp_secret: Option<String>,
    pub totp_confirmed: Option<bool>,
    pub totp_last_step: Option<i64>,
    pub totp_created_at: Option<i64>,
    pub deleted_at: i64,
    pub deleted_by: String,
}

/// Everything a directory holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub groups: Vec<GroupRow>,
    pub users: Vec<UserRow>,
    /// (user id, group id)
    pub memberships: Vec<(i64, i64)>,
    /// (key, value)
    pub settings: Vec<(String, String)>,
    pub audit: Vec<AuditRow>,
    pub audit_chain: AuditChainRow,
    pub totp: Vec<TotpRow>,
    pub recovery_codes: Vec<RecoveryCodeRow>,
    pub clients: Vec<ClientRow>,
    /// The recycle bin: deleted users and their recovery codes.
    pub deleted_users: Vec<DeletedUserRow>,
    pub deleted_recovery_codes: Vec<RecoveryCodeRow>,
    /// The highest user, group and client ids ever handed out (deleted ones
    /// included), so the target never reuses the id of a deleted user or
    /// group, which the audit log still names.
    pub last_user_id: i64,
    pub last_group_id: i64,
    pub last_client_id: i64,
}

/// How much a copy moved; compared between source and target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CopyCounts {
    pub users: u64,
    pub groups: u64,
    pub memberships: u64,
    pub audit_events: u64,
    pub settings: u64,
    pub authenticators: u64,
    pub recovery_codes: u64,
    pub clients: u64,
    /// Users in the recycle bin.
    pub deleted_users: u64,
}

impl Snapshot {
    pub fn counts(&self) -> CopyCounts {
        let n = |len: usize| u64::try_from(len).unwrap_or(u64::MAX);
        CopyCounts {
            users: n(self.users.len()),
            groups: n(self.groups.len()),
            memberships: n(self.memberships.len()),
            audit_events: n(self.audit.len()),
            settings: n(self.settings.len()),
            authenticators: n(self.totp.len()),
            recovery_codes: n(self.recovery_codes.len()),
            clients: n(self.clients.len()),
            deleted_users: n(self.deleted_users.len()),
        }
    }

    /// True when the directory holds nothing but the built-in
    /// Administrators group (a new, empty store).
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.clients.is_empty() && self.groups.iter().all(|g| g.builtin)
    }
}

/// The derived columns of a copied user (the name's sort key, the
/// normalised email), checking that its values still parse; a row that no
/// longer does is reported, not copied.
pub(crate) fn user_keys(user: &UserRow) -> Result<(String, String), StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt {
        detail: format!("user {} has an invalid {what}", user.id),
    };
    let name = crate::domain::UserName::parse(&user.name).map_err(|_| corrupt("name"))?;
    let email = crate::domain::Email::parse(&user.email).map_err(|_| corrupt("email"))?;
    Ok((name.sort_key(), email.normalized().to_owned()))
}

/// The derived columns of a copied client (the name's sort key and folded
/// form, the normalised email), checking that its values still parse; a row
/// that no longer does is reported, not copied.
pub(crate) struct ClientKeys {
    pub name_key: String,
    pub name_folded: String,
    pub email_normalized: Option<String>,
}

pub(crate) fn client_keys(client: &ClientRow) -> Result<ClientKeys, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt {
        detail: format!("client {} has an invalid {what}", client.id),
    };
    let name = crate::domain::ClientName::parse(&client.name).map_err(|_| corrupt("name"))?;
    let email = client
        .email
        .as_deref()
        .map(crate::domain::Email::parse)
        .transpose()
        .map_err(|_| corrupt("email"))?;
    Ok(ClientKeys {
        name_key: name.sort_key(),
        name_folded: name.folded(),
        email_normalized: email.map(|e| e.normalized().to_owned()),
    })
}

/// Copies the directory in `from` into the empty directory in `to` and
/// checks that the target now holds exactly as much as the source.
pub async fn copy_directory(from: &dyn Store, to: &dyn Store) -> Result<CopyCounts, StoreError> {
    let snapshot = from.export().await?;
    to.import(&snapshot).await?;
    let expected = snapshot.counts();
    let found = to.export().await?.counts();
    if found != expected {
        return Err(StoreError::Internal {
            detail: format!("copy verification: expected {expected:?}, found {found:?}"),
        });
    }
    Ok(expected)
}
