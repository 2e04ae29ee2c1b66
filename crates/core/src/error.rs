//! The errors the core reports.
//!
//! Every message is a sentence an office worker can act on, shown by the UI
//! and the CLI as it is. No message carries SQL, a password, a hash or a
//! secret. `field()` names the form field an error belongs to, so the UI can
//! put it beside that field; `code()` is a stable identifier for scripts.

use crate::password::PasswordError;
use crate::permission::Permission;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    // --- Input that does not parse -------------------------------------
    #[error("{reason}")]
    InvalidEmail { reason: String },
    #[error("{reason}")]
    InvalidName { reason: String },
    #[error("{reason}")]
    InvalidGroupName { reason: String },
    #[error("{reason}")]
    InvalidDescription { reason: String },
    #[error("{reason}")]
    InvalidChoice { field: &'static str, reason: String },
    #[error("“{permission}” is not a known permission.")]
    UnknownPermission { permission: String },
    #[error("The page position is no longer valid; start again from the first page.")]
    InvalidCursor,
    #[error("{reason}")]
    InvalidSetting { reason: String },
    #[error("“{value}” is not a date; write it as YYYY-MM-DD, for example 2026-12-31.")]
    InvalidDate { value: String },
    #[error("{reason}")]
    InvalidPhone { reason: String },
    #[error("{reason}")]
    InvalidCountry { reason: String },
    /// A CSV file that cannot be imported at all (its header); problems of
    /// single rows are listed in the import's report instead.
    #[error("{reason}")]
    InvalidImport { reason: String },
    /// A spreadsheet that cannot be read or written at all.
    #[error(transparent)]
    Sheet(#[from] crate::sheet::SheetError),
    /// A backup that cannot be made, checked or restored.
    #[error(transparent)]
    Backup(#[from] crate::backup::BackupError),
    #[error("The import was cancelled; nothing was written.")]
    Cancelled,

    // --- Users ---------------------------------------------------------
    #[error("The email address {email} is already used by another user.")]
    EmailTaken { email: String },
    #[error("There is no user {key}.")]
    UserNotFound { key: String },
    #[error("Choose at least one group.")]
    NoGroups,
    #[error("A user cannot be their own supervisor.")]
    SupervisorIsSelf,
    #[error("{supervisor} cannot be the supervisor: {supervisor} already reports, directly or indirectly, to this user.")]
    SupervisorCycle { supervisor: String },
    #[error(
        "This record was changed by someone else since you opened it. Reload it and try again."
    )]
    ChangedBySomeoneElse,
    #[error("At least one enabled administrator must remain, so this change is not possible.")]
    LastAdministrator,
    #[error("You cannot lower your own sign-in security with an edit. To switch off your own second factor, confirm it with your password and a current code; another administrator can clear a forced password change.")]
    CannotLowerOwnSecurity,
    #[error("Emailed sign-in codes cannot be switched off from your own account; ask another administrator who may reset credentials.")]
    OwnEmailCodesStay,
    #[error("You cannot disable your own account.")]
    CannotDisableSelf,
    #[error("You cannot delete your own account.")]
    CannotDeleteSelf,
    #[error("This user is no longer in the recycle bin: someone restored or deleted them permanently. Reload the list.")]
    DeletedUserNotFound,
    #[error("{name} cannot be restored: the address {email} is now used by another user. Change that user's address first, or delete {name} permanently.")]
    RestoreEmailTaken { name: String, email: String },
    #[error("{name} cannot be restored as they were: {missing} of their groups no longer exist(s). Nothing was restored.")]
    RestoreGroupGone { name: String, missing: usize },
    #[error("{name}'s supervisor no longer exists. Restore them without a supervisor, or restore the supervisor first if they are in the recycle bin.")]
    RestoreSupervisorGone { name: String },
    #[error("Roster is already set up: the first administrator exists.")]
    AlreadyInitialized,
    #[error("Roster is not set up yet: create the first administrator first.")]
    NotInitialized,
    #[error("There is no enabled administrator to act as; name another operator.")]
    NoEnabledAdministrator,

    // --- Groups --------------------------------------------------------
    #[error("There is no group {key}.")]
    GroupNotFound { key: String },
    #[error("A group named {name} already exists.")]
    GroupNameTaken { name: String },
    #[error("The group name “{name}” looks the same as the existing group “{existing}”; choose a name that is clearly different.")]
    GroupNameLookAlike { name: String, existing: String },
    #[error("The Administrators group always holds every permission; it cannot be deleted, renamed or reduced.")]
    BuiltinGroup,
    #[error("The group {name} still has {members} member(s); move them to another group first.")]
    GroupHasMembers { name: String, members: u64 },

    // --- Clients -------------------------------------------------------
    #[error("There is no client {key}.")]
    ClientNotFound { key: String },
    #[error("Client personal data is masked for you, so you cannot enter or change names, email addresses or phone numbers.")]
    ClientDataMasked,

    // --- Signing in ----------------------------------------------------
    /// Deliberately the same for an unknown email, a wrong password and a
    /// disabled account: the message must not reveal which accounts exist.
    #[error("The email address or the password is not correct, or the account cannot sign in.")]
    SignInFailed,
    #[error("You are not signed in. Sign in to continue.")]
    NotSignedIn,
    #[error("The current password is not correct.")]
    CurrentPasswordIncorrect,
    #[error("Choose a new password that differs from the current one.")]
    PasswordUnchanged,
    #[error("Change your password before you continue.")]
    PasswordChangeRequired,
    #[error("The code is not correct, or it was already used.")]
    SecondFactorFailed,
    #[error("This account signs in with email codes, which need a mail server; ask an administrator to choose another two-factor method.")]
    TwoFactorUnavailable,
    #[error("Email codes need a mail server, and none is configured; choose the authenticator app or Off.")]
    EmailCodesNeedMail,
    #[error("This code has expired or was already used. Send a new code and enter that one.")]
    EmailCodeExpired,
    #[error("A code was sent moments ago; wait {seconds} seconds before asking for another.")]
    EmailCodeTooSoon { seconds: i64 },
    #[error("The email could not be sent: {reason}")]
    MailFailed { reason: String },

    // --- Mail ----------------------------------------------------------
    #[error("{reason}")]
    InvalidMailSetting { field: &'static str, reason: String },
    /// `hint` says what to do instead, for the call that was refused.
    #[error("No mail server is configured; {hint}")]
    MailNotConfigured { hint: &'static str },
    #[error("{users} user(s) sign in with email codes, which need the mail server; choose another two-factor method for them before removing it.")]
    MailNeededForEmailCodes { users: u64 },
    #[error("No authenticator set-up is in progress; sign in again.")]
    NotEnrolling,
    #[error("Finish signing in first.")]
    SignInIncomplete,
    #[error(
        "The screen was locked after a period without activity. Enter your password to continue."
    )]
    SessionLocked,

    // --- Audit log ------------------------------------------------------
    #[error("{message} No checkpoint was made.")]
    AuditChainBroken { message: String },
    #[error("{reason}")]
    AuditFile { reason: String },
    #[error("Archiving audit events is off: set after how many months events are archived in the settings first, or name a date.")]
    AuditArchiveOff,
    #[error("No audit events older than {before} are left to archive.")]
    AuditNothingToArchive { before: String },
    #[error("{message} Nothing was archived.")]
    AuditArchiveBroken { message: String },

    // --- Rights --------------------------------------------------------
    #[error("You do not have permission to {}.", permission.label())]
    PermissionDenied { permission: Permission },
    #[error("You cannot grant {what}: you do not hold it yourself.")]
    CannotGrant { what: String },
    #[error("You cannot change {name}: they hold permissions you do not have.")]
    CannotManage { name: String },
    #[error("You may {} only for your team, and this reaches beyond it.", permission.label())]
    OnlyForTeam { permission: Permission },
    #[error("{name} is not in your team: you may act only on yourself and the people who report to you, directly or through others.")]
    NotInTeam { name: String },
    #[error(
        "Choose yourself or someone in your team as {role}: your rights reach only your team."
    )]
    OutsideTeam { role: &'static str },
    #[error("{name} has people reporting to them: give those people another supervisor in your team first, or deleting {name} would take them out of your team.")]
    WouldLeaveTeam { name: String },
    #[error("Your account can no longer act here (it was disabled or deleted). Sign in again.")]
    OperatorInvalid,
    /// Acting as someone without their password (the command line's
    /// recovery path) is refused on a shared server and on a file opened
    /// read-only.
    #[error("Acting as a user without signing in works only on a local SQLite file that this account can write; sign in with the user's password instead.")]
    RecoveryNotAllowed,

    // --- Passwords and the store -----------------------------------------
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Error {
    /// The form field this error belongs beside, if any.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::InvalidEmail { .. } | Error::EmailTaken { .. } => Some("email"),
            Error::InvalidName { .. } => Some("name"),
            Error::InvalidGroupName { .. } | Error::GroupNameTaken { .. } => Some("name"),
            Error::GroupNameLookAlike { .. } => Some("name"),
            Error::InvalidDescription { .. } => Some("description"),
            Error::InvalidChoice { field, .. } => Some(field),
            Error::InvalidDate { .. } => Some("valid_until"),
            Error::InvalidPhone { .. } => Some("phone"),
            Error::InvalidCountry { .. } => Some("country"),
            Error::UnknownPermission { .. } => Some("permissions"),
            Error::NoGroups => Some("groups"),
            Error::SupervisorIsSelf | Error::SupervisorCycle { .. } => Some("supervisor"),
            Error::OutsideTeam { role } if *role == "account manager" => Some("account_manager"),
            Error::OutsideTeam { .. } => Some("supervisor"),
            Error::Password(PasswordError::Policy(_)) => Some("password"),
            Error::CurrentPasswordIncorrect => Some("current_password"),
            Error::PasswordUnchanged => Some("password"),
            Error::SecondFactorFailed | Error::EmailCodeExpired => Some("code"),
            Error::EmailCodesNeedMail => Some("two_factor"),
            Error::InvalidMailSetting { field, .. } => Some(field),
            _ => None,
        }
    }

    /// A stable, machine-readable name for the error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidEmail { .. } => "invalid_email",
            Error::InvalidName { .. } => "invalid_name",
            Error::InvalidGroupName { .. } => "invalid_group_name",
            Error::InvalidDescription { .. } => "invalid_description",
            Error::InvalidChoice { .. } => "invalid_choice",
            Error::UnknownPermission { .. } => "unknown_permission",
            Error::InvalidCursor => "invalid_cursor",
            Error::InvalidSetting { .. } => "invalid_setting",
            Error::InvalidDate { .. } => "invalid_date",
            Error::InvalidPhone { .. } => "invalid_phone",
            Error::InvalidCountry { .. } => "invalid_country",
            Error::InvalidImport { .. } => "invalid_import",
            Error::Sheet(_) => "invalid_file",
            Error::Backup(_) => "backup",
            Error::Cancelled => "cancelled",
            Error::ClientNotFound { .. } => "client_not_found",
            Error::ClientDataMasked => "client_data_masked",
            Error::EmailTaken { .. } => "email_taken",
            Error::UserNotFound { .. } => "user_not_found",
            Error::NoGroups => "no_groups",
            Error::SupervisorIsSelf => "supervisor_is_self",
            Error::SupervisorCycle { .. } => "supervisor_cycle",
            Error::CannotLowerOwnSecurity => "cannot_lower_own_security",
            Error::OwnEmailCodesStay => "own_email_codes_stay",
            Error::ChangedBySomeoneElse => "changed_by_someone_else",
            Error::LastAdministrator => "last_administrator",
            Error::CannotDisableSelf => "cannot_disable_self",
            Error::CannotDeleteSelf => "cannot_delete_self",
            Error::DeletedUserNotFound => "deleted_user_not_found",
            Error::RestoreEmailTaken { .. } => "restore_email_taken",
            Error::RestoreGroupGone { .. } => "restore_group_gone",
            Error::RestoreSupervisorGone { .. } => "restore_supervisor_gone",
            Error::AlreadyInitialized => "already_initialized",
            Error::NotInitialized => "not_initialized",
            Error::NoEnabledAdministrator => "no_enabled_administrator",
            Error::GroupNotFound { .. } => "group_not_found",
            Error::GroupNameTaken { .. } => "group_name_taken",
            Error::GroupNameLookAlike { .. } => "group_name_look_alike",
            Error::BuiltinGroup => "builtin_group",
            Error::GroupHasMembers { .. } => "group_has_members",
            Error::SignInFailed => "sign_in_failed",
            Error::NotSignedIn => "not_signed_in",
            Error::CurrentPasswordIncorrect => "current_password_incorrect",
            Error::PasswordUnchanged => "password_unchanged",
            Error::PasswordChangeRequired => "password_change_required",
            Error::SecondFactorFailed => "second_factor_failed",
            Error::TwoFactorUnavailable => "two_factor_unavailable",
            Error::EmailCodesNeedMail => "email_codes_need_mail",
            Error::EmailCodeExpired => "email_code_expired",
            Error::EmailCodeTooSoon { .. } => "email_code_too_soon",
            Error::MailFailed { .. } => "mail_failed",
            Error::InvalidMailSetting { .. } => "invalid_mail_setting",
            Error::MailNotConfigured { .. } => "mail_not_configured",
            Error::MailNeededForEmailCodes { .. } => "mail_needed_for_email_codes",
            Error::NotEnrolling => "not_enrolling",
            Error::SignInIncomplete => "sign_in_incomplete",
            Error::SessionLocked => "session_locked",
            Error::AuditChainBroken { .. } => "audit_chain_broken",
            Error::AuditFile { .. } => "audit_file",
            Error::AuditArchiveOff => "audit_archive_off",
            Error::AuditNothingToArchive { .. } => "audit_nothing_to_archive",
            Error::AuditArchiveBroken { .. } => "audit_archive_broken",
            Error::PermissionDenied { .. } => "permission_denied",
            Error::CannotGrant { .. } => "cannot_grant",
            Error::CannotManage { .. } => "cannot_manage",
            Error::OnlyForTeam { .. } => "only_for_team",
            Error::NotInTeam { .. } => "not_in_team",
            Error::OutsideTeam { .. } => "outside_team",
            Error::WouldLeaveTeam { .. } => "would_leave_team",
            Error::OperatorInvalid => "operator_invalid",
            Error::RecoveryNotAllowed => "recovery_not_allowed",
            Error::Password(PasswordError::Policy(_)) => "password_policy",
            Error::Password(_) => "password",
            Error::Store(StoreError::Unreachable { .. }) => "store_unreachable",
            Error::Store(StoreError::NotEmpty { .. }) => "store_not_empty",
            Error::Store(StoreError::Newer { .. }) => "store_newer",
            Error::Store(_) => "store",
        }
    }

    /// True for the refusals the rights rules produce.
    pub fn is_permission_error(&self) -> bool {
        matches!(
            self,
            Error::PermissionDenied { .. }
                | Error::CannotGrant { .. }
                | Error::CannotManage { .. }
                | Error::OnlyForTeam { .. }
                | Error::NotInTeam { .. }
                | Error::OutsideTeam { .. }
                | Error::WouldLeaveTeam { .. }
                | Error::ClientDataMasked
                | Error::OperatorInvalid
        )
    }
}

/// A store failure (re-exported as `crate::store::StoreError`), described
/// for people; the underlying detail is kept for
/// logs but never shown, so no SQL text reaches the UI.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("The store cannot be opened: {reason}")]
    Open { reason: String },
    #[error("The store is busy with another change; try again in a moment.")]
    Busy,
    /// The store's schema is newer than this Roster knows: a newer Roster
    /// migrated it. Nothing was changed.
    #[error("This directory was last opened by {opened_by}, which changed how it is stored; this Roster ({this}) cannot use it and left it unchanged. Install {opened_by} or a later version on this computer.")]
    Newer { opened_by: String, this: String },
    /// The directory server could not be reached (network, server down).
    /// Nothing was changed; the next call tries again.
    #[error("Cannot reach the directory server ({server}); nothing was changed. Roster reconnects by itself when it is back.")]
    Unreachable { server: String },
    #[error("The email address {email} is already used by another user.")]
    DuplicateEmail { email: String },
    #[error("A group named {name} already exists.")]
    DuplicateGroupName { name: String },
    #[error("{target} already holds a directory; copy only into an empty one.")]
    NotEmpty { target: String },
    #[error("The store holds data this version of Roster cannot read ({detail}); restore a backup or contact support.")]
    Corrupt { detail: String },
    #[error(
        "The store reported an unexpected problem; nothing was changed. Details are in the log."
    )]
    Internal { detail: String },
    /// The key that seals a local store's authenticator secrets (kept in the
    /// OS keychain) cannot be had.
    #[error("The authenticator secrets of this store are sealed with a key kept in this computer's keychain, which cannot be used ({reason}). An administrator can reset the affected users' two-factor.")]
    Sealing { reason: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Reads `code`, `code:team` or `code:all` (see [`Grant`]).
impl std::str::FromStr for crate::domain::Grant {
    type Err = Error;

    fn from_str(s: &str) -> std::result::Result<Self, Error> {
        if let Some(grant) = crate::domain::Grant::parse(s) {
            return Ok(grant);
        }
        match s.split_once(':') {
            Some((code, _)) if Permission::from_code(code).is_some() => Err(Error::InvalidChoice {
                field: "permissions",
                reason: format!(
                    "“{}” cannot be granted that way: only the rights on users and clients can be \
                     limited to a team (“:team”).",
                    s.trim()
                ),
            }),
            _ => Err(Error::UnknownPermission {
                permission: s.trim().to_owned(),
            }),
        }
    }
}

impl std::str::FromStr for Permission {
    type Err = Error;

    fn from_str(s: &str) -> std::result::Result<Self, Error> {
        Permission::from_code(s).ok_or_else(|| Error::UnknownPermission {
            permission: s.trim().to_owned(),
        })
    }
}
