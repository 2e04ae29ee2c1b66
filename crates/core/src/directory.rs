//! The services: every change to users, groups and settings goes through
//! [`Directory`], which checks the operator's rights and the invariants, writes
//! the change and its audit event in one transaction, and commits.
//!
//! Invariants enforced here (each has a test in `tests/`):
//! - every call checks the operator's permission, read fresh from the store;
//! - an email is unique ignoring case (the store's unique index backs this up);
//! - a supervisor exists, is another user and forms no cycle;
//! - at least one enabled administrator remains;
//! - the first administrator gets the second factor that works here; none
//!   only when asked for, and that choice is audited;
//! - nobody disables or deletes themselves;
//! - nobody grants a group, a permission or unmasked client data they do not
//!   hold, nor manages a user who holds rights they lack;
//! - the built-in Administrators group is never deleted, renamed or reduced;
//! - an operator with `mask_client_data` sees client names, emails and
//!   phones only masked, in the audit log too, and cannot enter or change
//!   them (the client services are in `clients.rs`).

use std::collections::BTreeSet;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::domain::{
    Description, Email, GroupId, GroupName, Permission, PermissionSet, Status, TwoFactor, UserId,
    UserName,
};
use crate::error::{Error, Result};
use crate::mail::{self, CredentialsOccasion, Delivery, Mailer};
use crate::model::{
    AuditEvent, AuditQuery, FieldChange, Group, Me, NewAuditEvent, TargetKind, User, UserFields,
};
use crate::password::{
    generate, GeneratorOptions, Hasher, PasswordPolicy, PlainPassword, PolicyContext,
    PolicyVerdict, Verification,
};
use crate::smtp::{MailSecurity, MailSettings};
use crate::store::{
    EmailCode, Store, StoreError, TotpEnrolment, Tx, TxMode, UserPage, UserQuery, ADMINISTRATORS,
};
use crate::two_factor;

/// Settings keys.
const SETTING_PASSWORD_MIN_LENGTH: &str = "password.min_length";
const SETTING_DEFAULT_TWO_FACTOR: &str = "two_factor.default";
const SETTING_LOCKOUT_THRESHOLD: &str = "lockout.threshold";
const SETTING_LOCKOUT_MINUTES: &str = "lockout.minutes";
const SETTING_IDLE_TIMEOUT_MINUTES: &str = "session.idle_timeout_minutes";
const SETTING_MASKED_SEARCH_PER_MINUTE: &str = "clients.masked_search_per_minute";
/// The mail server's settings (never its password, which stays in the
/// keychain of each computer that sends). An empty host means none.
const SETTING_MAIL_HOST: &str = "mail.host";
const SETTING_MAIL_PORT: &str = "mail.port";
const SETTING_MAIL_SECURITY: &str = "mail.security";
const SETTING_MAIL_USER: &str = "mail.user";
const SETTING_MAIL_SENDER_ADDRESS: &str = "mail.sender_address";
const SETTING_MAIL_SENDER_NAME: &str = "mail.sender_name";

/// The longest supervisor chain walked before the data is called corrupt.
const MAX_SUPERVISOR_CHAIN: usize = 100_000;

/// The signed-in user a call acts for. Only the core makes one: by sign-in,
/// or by the command line's audited recovery path on a local file
/// ([`Directory::recover_as`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator {
    id: UserId,
    /// Acting without a sign-in: every audit event says so.
    recovery: bool,
}

impl Operator {
    pub fn id(&self) -> UserId {
        self.id
    }
}

/// A sign-in attempt counted in advance (see `Directory::check_credentials`).
struct Attempt {
    /// The account as it was before this attempt was counted.
    user: User,
    hash: crate::password::PasswordHash,
    /// The lock this attempt set by reaching the threshold, if it did.
    claimed_lock: Option<DateTime<Utc>>,
}

/// A password that was accepted for a user whose second factor is still
/// owed. Only the core makes one, and only [`Directory::verify_second_factor`]
/// or [`Directory::finish_totp_enrolment`] turn it into an [`Operator`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingSignIn {
    id: UserId,
}

impl PendingSignIn {
    pub fn user_id(&self) -> UserId {
        self.id
    }
}

/// How far a sign-in got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignIn {
    /// Signed in.
    Complete(Operator),
    /// The password was right; a code from the authenticator app (or a
    /// recovery code) is owed.
    SecondFactor(PendingSignIn),
    /// The password was right; the user must first set up their authenticator app.
    TotpEnrolment(PendingSignIn),
    /// The password was right; a code was emailed to the user and is owed.
    EmailCode(PendingSignIn),
}

impl SignIn {
    /// The operator when the sign-in is complete.
    pub fn operator(self) -> Option<Operator> {
        match self {
            SignIn::Complete(operator) => Some(operator),
            SignIn::SecondFactor(_) | SignIn::TotpEnrolment(_) | SignIn::EmailCode(_) => None,
        }
    }
}

/// How a new password is chosen.
#[derive(Debug)]
pub enum PasswordChoice {
    /// The administrator typed it.
    Given(PlainPassword),
    /// Roster generates one and returns it once.
    Generate(GeneratorOptions),
}

/// Everything the create-user form holds.
#[derive(Debug)]
pub struct NewUser {
    pub name: String,
    pub email: String,
    pub groups: Vec<GroupId>,
    pub supervisor: Option<UserId>,
    pub status: Status,
    pub password: PasswordChoice,
    pub must_change_password: bool,
    pub mask_client_data: bool,
    /// `None` takes the default from settings.
    pub two_factor: Option<TwoFactor>,
}

/// An edit of a user: `None` leaves a field as it is. `version` is the one
/// the editor started from.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub version: i64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub groups: Option<Vec<GroupId>>,
    /// `Some(None)` removes the supervisor.
    pub supervisor: Option<Option<UserId>>,
    pub must_change_password: Option<bool>,
    pub mask_client_data: Option<bool>,
    pub two_factor: Option<TwoFactor>,
}

/// A created user, with the generated password when Roster chose it (and
/// did not email it), and what became of the credentials email.
#[derive(Debug)]
pub struct Created {
    pub user: User,
    pub generated_password: Option<PlainPassword>,
    pub delivery: Delivery,
}

/// How an action names a user without handing out the whole record: see
/// [`Directory::user_handle`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserHandle {
    pub id: UserId,
    /// For the optimistic check of the action that follows.
    pub version: i64,
    pub name: String,
    pub email: String,
}

/// A password reset: the user as it is now, the generated password when
/// Roster chose it (and did not email it), and what became of the email.
#[derive(Debug)]
pub struct PasswordReset {
    pub user: User,
    pub generated_password: Option<PlainPassword>,
    pub delivery: Delivery,
}

/// An edit of a group: `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct GroupChanges {
    pub version: i64,
    pub name: Option<String>,
    pub description: Option<String>,
    pub permissions: Option<PermissionSet>,
}

/// The settings an administrator can change in this version.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Settings {
    pub password_min_length: usize,
    pub default_two_factor: TwoFactor,
    /// Failed sign-ins in a row that lock an account.
    pub lockout_threshold: u32,
    /// How long the first lock lasts; each further failure doubles it (at most a day).
    pub lockout_minutes: u32,
    /// Minutes without activity after which the desktop locks its session.
    pub idle_timeout_minutes: u32,
    /// Client searches a masked operator makes in a minute before each
    /// further one is slowed down (`Directory::list_clients`).
    #[serde(default = "default_masked_search_per_minute")]
    pub masked_search_per_minute: u32,
}

fn default_masked_search_per_minute() -> u32 {
    30
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            password_min_length: PasswordPolicy::default().min_length,
            // Where mail is configured and nobody chose, email codes instead
            // (`Directory::default_two_factor`).
            default_two_factor: TwoFactor::Totp,
            lockout_threshold: 5,
            lockout_minutes: 5,
            idle_timeout_minutes: 15,
            masked_search_per_minute: default_masked_search_per_minute(),
        }
    }
}

impl Settings {
    /// Checks every value, so a bad one changes nothing.
    fn validate(&self, mail_configured: bool) -> Result<PasswordPolicy> {
        ensure_method_works(self.default_two_factor, mail_configured)?;
        let policy = PasswordPolicy::new(self.password_min_length).map_err(|error| {
            Error::InvalidSetting {
                reason: error.to_string(),
            }
        })?;
        let in_range = |value: u32, range: std::ops::RangeInclusive<u32>, what: &str| {
            if range.contains(&value) {
                Ok(())
            } else {
                Err(Error::InvalidSetting {
                    reason: format!(
                        "{what} must be between {} and {}.",
                        range.start(),
                        range.end()
                    ),
                })
            }
        };
        in_range(
            self.lockout_threshold,
            3..=100,
            "The number of failed sign-ins before a lock",
        )?;
        in_range(
            self.lockout_minutes,
            1..=1440,
            "The lock duration in minutes",
        )?;
        in_range(
            self.idle_timeout_minutes,
            1..=480,
            "The idle time before the screen locks, in minutes,",
        )?;
        in_range(
            self.masked_search_per_minute,
            1..=1000,
            "The client searches a masked operator may make in a minute before being slowed down",
        )?;
        Ok(policy)
    }

    /// How long an account stays locked after its `failed`-th failure in a
    /// row, or `None` below the threshold: the base duration, doubled for
    /// each failure past the threshold, at most a day.
    pub fn lock_duration(&self, failed: u32) -> Option<chrono::Duration> {
        let past = failed.checked_sub(self.lockout_threshold)?;
        let minutes = u64::from(self.lockout_minutes)
            .saturating_mul(1u64 << past.min(20))
            .min(24 * 60);
        Some(chrono::Duration::minutes(minutes as i64))
    }
}

/// The operator as loaded inside a transaction: who, and what they may do.
pub(crate) struct Actor {
    pub(crate) user: User,
    pub(crate) permissions: PermissionSet,
    /// The operator acts through the recovery path, not a sign-in.
    pub(crate) recovery: bool,
}

/// Every permission that acts on users.
const USER_AREA: &[Permission] = &[
    Permission::UsersView,
    Permission::UsersCreate,
    Permission::UsersEdit,
    Permission::UsersDisable,
    Permission::UsersDelete,
    Permission::UsersCredentials,
];

impl Actor {
    /// Requires one of `permissions`; a refusal names the first.
    pub(crate) fn require_any(&self, permissions: &[Permission]) -> Result<()> {
        if permissions.iter().any(|p| self.permissions.contains(*p)) {
            return Ok(());
        }
        Err(Error::PermissionDenied {
            permission: permissions
                .first()
                .copied()
                .unwrap_or(Permission::UsersView),
        })
    }

    pub(crate) fn require(&self, permission: Permission) -> Result<()> {
        if self.permissions.contains(permission) {
            Ok(())
        } else {
            Err(Error::PermissionDenied { permission })
        }
    }

    pub(crate) fn audit(
        &self,
        action: &'static str,
        target_kind: TargetKind,
        target_id: Option<i64>,
        target_label: &str,
        changes: Vec<FieldChange>,
        at: DateTime<Utc>,
    ) -> NewAuditEvent {
        NewAuditEvent {
            at,
            operator: Some(self.user.id),
            operator_label: if self.recovery {
                format!("{} (recovery, no sign-in)", self.user.email.as_str())
            } else {
                self.user.email.as_str().to_owned()
            },
            action,
            target_kind,
            target_id,
            target_label: target_label.to_owned(),
            changes,
        }
    }
}

pub(crate) fn change(
    field: &str,
    before: serde_json::Value,
    after: serde_json::Value,
) -> Option<FieldChange> {
    (before != after).then(|| FieldChange {
        field: field.to_owned(),
        before,
        after,
    })
}

fn group_names(groups: &[Group], ids: &[GroupId]) -> serde_json::Value {
    let mut names: Vec<&str> = groups
        .iter()
        .filter(|g| ids.contains(&g.id))
        .map(|g| g.name.as_str())
        .collect();
    names.sort_unstable();
    json!(names)
}

pub struct Directory {
    store: Arc<dyn Store>,
    hasher: Hasher,
    /// How mail leaves this installation, when it can.
    mailer: RwLock<Option<Arc<dyn Mailer>>>,
}

impl Directory {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self::with_hasher(store, Hasher::default())
    }

    /// A directory whose new passwords are hashed with `hasher` (tests of
    /// parameter upgrades; benchmark seeding).
    pub fn with_hasher(store: Arc<dyn Store>, hasher: Hasher) -> Self {
        Self {
            store,
            hasher,
            mailer: RwLock::new(None),
        }
    }

    /// Sets (or, with `None`, removes) the way mail is sent. Without one,
    /// nothing that needs mail is offered.
    pub fn set_mailer(&self, mailer: Option<Arc<dyn Mailer>>) {
        match self.mailer.write() {
            Ok(mut slot) => *slot = mailer,
            Err(poisoned) => *poisoned.into_inner() = mailer,
        }
    }

    fn mailer(&self) -> Option<Arc<dyn Mailer>> {
        match self.mailer.read() {
            Ok(slot) => slot.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// True when this installation can send mail.
    pub fn mail_configured(&self) -> bool {
        self.mailer().is_some()
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub(crate) fn now() -> DateTime<Utc> {
        Utc::now()
    }

    /// Loads the operator fresh: a deleted or disabled account acts no more.
    pub(crate) async fn actor(tx: &mut dyn Tx, operator: &Operator) -> Result<Actor> {
        let user = tx
            .user(operator.id)
            .await?
            .filter(|u| u.status == Status::Enabled)
            .ok_or(Error::OperatorInvalid)?;
        let permissions = tx.user_permissions(user.id).await?;
        Ok(Actor {
            user,
            permissions,
            recovery: operator.recovery,
        })
    }

    pub(crate) async fn authorize(
        tx: &mut dyn Tx,
        operator: &Operator,
        permission: Permission,
    ) -> Result<Actor> {
        let actor = Self::actor(tx, operator).await?;
        actor.require(permission)?;
        Ok(actor)
    }

    async fn existing_user(tx: &mut dyn Tx, id: UserId) -> Result<User> {
        tx.user(id).await?.ok_or_else(|| Error::UserNotFound {
            key: format!("with id {id}"),
        })
    }

    async fn existing_group(tx: &mut dyn Tx, id: GroupId) -> Result<Group> {
        tx.group(id).await?.ok_or_else(|| Error::GroupNotFound {
            key: format!("with id {id}"),
        })
    }

    /// Refuses to let `actor` manage `target` when the target holds rights the
    /// actor lacks: otherwise a password reset would be a way to those rights.
    async fn ensure_may_manage(tx: &mut dyn Tx, actor: &Actor, target: &User) -> Result<()> {
        if actor.user.id == target.id {
            return Ok(());
        }
        let target_permissions = tx.user_permissions(target.id).await?;
        // A masked operator must not manage someone who sees client data unmasked.
        let sees_no_more_client_data = !actor.user.mask_client_data || target.mask_client_data;
        if target_permissions.is_subset(&actor.permissions) && sees_no_more_client_data {
            Ok(())
        } else {
            Err(Error::CannotManage {
                name: target.name.as_str().to_owned(),
            })
        }
    }

    /// Checks that `actor` may add or remove membership of every group in
    /// `changed`: they must hold all of its permissions themselves.
    fn ensure_may_grant_groups(actor: &Actor, groups: &[Group], changed: &[GroupId]) -> Result<()> {
        for id in changed {
            let group =
                groups
                    .iter()
                    .find(|g| g.id == *id)
                    .ok_or_else(|| Error::GroupNotFound {
                        key: format!("with id {id}"),
                    })?;
            if !group.permissions.is_subset(&actor.permissions) {
                return Err(Error::CannotGrant {
                    what: format!("membership of {}", group.name),
                });
            }
        }
        Ok(())
    }

    fn ensure_may_grant_unmasked(actor: &Actor, mask_client_data: bool) -> Result<()> {
        if actor.user.mask_client_data && !mask_client_data {
            return Err(Error::CannotGrant {
                what: "unmasked client data".into(),
            });
        }
        Ok(())
    }

    /// Resolves a set of group ids, refusing unknown ones and an empty set.
    fn checked_groups(groups: &[Group], ids: &[GroupId]) -> Result<Vec<GroupId>> {
        let unique: BTreeSet<GroupId> = ids.iter().copied().collect();
        if unique.is_empty() {
            return Err(Error::NoGroups);
        }
        for id in &unique {
            if !groups.iter().any(|g| g.id == *id) {
                return Err(Error::GroupNotFound {
                    key: format!("with id {id}"),
                });
            }
        }
        Ok(unique.into_iter().collect())
    }

    /// Checks that `supervisor` exists, is not `user`, and that `user` is not
    /// above `supervisor` in the chain (which would close a circle).
    async fn check_supervisor(
        tx: &mut dyn Tx,
        user: Option<UserId>,
        supervisor: UserId,
    ) -> Result<()> {
        let supervisor_user = tx
            .user(supervisor)
            .await?
            .ok_or_else(|| Error::UserNotFound {
                key: format!("with id {supervisor} (the chosen supervisor)"),
            })?;
        let Some(user) = user else { return Ok(()) };
        if user == supervisor {
            return Err(Error::SupervisorIsSelf);
        }
        let mut current = Some(supervisor);
        let mut steps = 0;
        while let Some(id) = current {
            if id == user {
                return Err(Error::SupervisorCycle {
                    supervisor: supervisor_user.name.as_str().to_owned(),
                });
            }
            steps += 1;
            if steps > MAX_SUPERVISOR_CHAIN {
                return Err(StoreError::Corrupt {
                    detail: "supervisor chain without end".into(),
                }
                .into());
            }
            current = tx.supervisor_of(id).await?;
        }
        Ok(())
    }

    /// Every setting, with the default for those never set.
    pub(crate) async fn load_settings(tx: &mut dyn Tx) -> Result<Settings> {
        let defaults = Settings::default();
        Ok(Settings {
            password_min_length: setting_or(
                tx,
                SETTING_PASSWORD_MIN_LENGTH,
                defaults.password_min_length,
            )
            .await?,
            default_two_factor: setting_or(
                tx,
                SETTING_DEFAULT_TWO_FACTOR,
                defaults.default_two_factor,
            )
            .await?,
            lockout_threshold: setting_or(
                tx,
                SETTING_LOCKOUT_THRESHOLD,
                defaults.lockout_threshold,
            )
            .await?,
            lockout_minutes: setting_or(tx, SETTING_LOCKOUT_MINUTES, defaults.lockout_minutes)
                .await?,
            idle_timeout_minutes: setting_or(
                tx,
                SETTING_IDLE_TIMEOUT_MINUTES,
                defaults.idle_timeout_minutes,
            )
            .await?,
            masked_search_per_minute: setting_or(
                tx,
                SETTING_MASKED_SEARCH_PER_MINUTE,
                defaults.masked_search_per_minute,
            )
            .await?,
        })
    }

    /// The settings as they apply on this installation: the default
    /// two-factor method is one that works here.
    async fn current_settings(&self, tx: &mut dyn Tx) -> Result<Settings> {
        let mut settings = Self::load_settings(tx).await?;
        settings.default_two_factor = self.default_two_factor(tx).await?;
        Ok(settings)
    }

    /// The method new users get: the one chosen in settings, or when none
    /// was chosen, email codes where mail is configured and the
    /// authenticator app elsewhere; never email codes without mail.
    async fn default_two_factor(&self, tx: &mut dyn Tx) -> Result<TwoFactor> {
        let mail = self.mail_configured();
        let chosen: Option<TwoFactor> = match tx.setting(SETTING_DEFAULT_TWO_FACTOR).await? {
            Some(value) => Some(value.parse().map_err(|_| StoreError::Corrupt {
                detail: format!("setting {SETTING_DEFAULT_TWO_FACTOR}"),
            })?),
            None => None,
        };
        Ok(match chosen {
            Some(TwoFactor::EmailCode) if !mail => TwoFactor::Totp,
            Some(method) => method,
            None if mail => TwoFactor::EmailCode,
            None => TwoFactor::Totp,
        })
    }

    async fn policy(tx: &mut dyn Tx) -> Result<PasswordPolicy> {
        Ok(PasswordPolicy::new(
            Self::load_settings(tx).await?.password_min_length,
        )?)
    }

    /// Picks or checks the password for `name`/`email` and hashes it; returns
    /// the generated password when Roster chose it.
    fn choose_password(
        &self,
        policy: &PasswordPolicy,
        choice: PasswordChoice,
        name: &UserName,
        email: &Email,
    ) -> Result<(crate::password::PasswordHash, Option<PlainPassword>)> {
        let (hash, password, generated) =
            self.choose_password_keeping(policy, choice, name, email)?;
        Ok((hash, generated.then_some(password)))
    }

    /// [`Self::choose_password`], keeping the password whoever chose it (to
    /// email it), and whether Roster generated it.
    fn choose_password_keeping(
        &self,
        policy: &PasswordPolicy,
        choice: PasswordChoice,
        name: &UserName,
        email: &Email,
    ) -> Result<(crate::password::PasswordHash, PlainPassword, bool)> {
        let context = PolicyContext {
            name: name.as_str(),
            email: email.as_str(),
            company: None,
        };
        let (password, generated) = match choice {
            PasswordChoice::Given(password) => (password, false),
            PasswordChoice::Generate(options) => (generate(&options)?, true),
        };
        policy.enforce(&password, &context)?;
        let hash = self.hasher.hash(&password)?;
        Ok((hash, password, generated))
    }

    /// Turns the store's duplicate errors into the domain's.
    fn domain_error(error: StoreError) -> Error {
        match error {
            StoreError::DuplicateEmail { email } => Error::EmailTaken { email },
            StoreError::DuplicateGroupName { name } => Error::GroupNameTaken { name },
            other => Error::Store(other),
        }
    }

    // --- setting up ---------------------------------------------------------

    /// Whether `operator` may move this installation to another store (or
    /// test a connection to one): anyone before the first administrator
    /// exists, afterwards only holders of `settings.manage`.
    pub async fn authorize_store_change(&self, operator: Option<&Operator>) -> Result<()> {
        if !self.is_initialized().await? {
            return Ok(());
        }
        let operator = operator.ok_or(Error::NotSignedIn)?;
        let mut tx = self.store.begin(TxMode::Read).await?;
        Self::authorize(&mut *tx, operator, Permission::SettingsManage).await?;
        Ok(())
    }

    /// True once the first administrator exists.
    pub async fn is_initialized(&self) -> Result<bool> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        Ok(tx.count_users().await? > 0)
    }

    /// Creates the first administrator. Refused once any user exists.
    ///
    /// `two_factor` is their second factor; `None` means the method that
    /// works here (the authenticator app without mail), so the account
    /// holding every right is protected like any other: they set it up at
    /// their first sign-in. [`TwoFactor::Off`] only when asked for, and
    /// then audited as `directory.initialize_without_two_factor` too.
    pub async fn initialize(
        &self,
        name: &str,
        email: &str,
        password: PasswordChoice,
        two_factor: Option<TwoFactor>,
    ) -> Result<Created> {
        let name = UserName::parse(name)?;
        let email = Email::parse(email)?;
        let mut tx = self.store.begin(TxMode::Write).await?;
        if tx.count_users().await? > 0 {
            return Err(Error::AlreadyInitialized);
        }
        let two_factor = match two_factor {
            Some(method) => method,
            None => self.default_two_factor(&mut *tx).await?,
        };
        ensure_method_works(two_factor, self.mail_configured())?;
        let policy = Self::policy(&mut *tx).await?;
        let (hash, generated_password) = self.choose_password(&policy, password, &name, &email)?;
        let now = Self::now();
        let fields = UserFields {
            name,
            email,
            status: Status::Enabled,
            supervisor: None,
            must_change_password: false,
            mask_client_data: false,
            two_factor,
        };
        let id = tx
            .insert_user(&fields, &hash, now)
            .await
            .map_err(Self::domain_error)?;
        tx.set_memberships(id, &[ADMINISTRATORS]).await?;
        let user = Self::existing_user(&mut *tx, id).await?;
        tx.append_audit(&own_event(
            &user,
            Some(id),
            "directory.initialize",
            user_snapshot(&user),
            now,
        ))
        .await?;
        if two_factor == TwoFactor::Off {
            // An action of its own, so an audit search finds the choice.
            tx.append_audit(&own_event(
                &user,
                Some(id),
                "directory.initialize_without_two_factor",
                vec![FieldChange {
                    field: "two_factor".into(),
                    before: serde_json::Value::Null,
                    after: json!(TwoFactor::Off),
                }],
                now,
            ))
            .await?;
        }
        tx.commit().await?;
        Ok(Created {
            user,
            generated_password,
            delivery: Delivery::NotRequested,
        })
    }

    /// The operator for the local command line, which anyone able to open the
    /// store file could act as anyway: the named user, who must be enabled.
    pub async fn act_as(&self, email: &str) -> Result<Operator> {
        let email = Email::parse(email)?;
        let mut tx = self.store.begin(TxMode::Read).await?;
        let id = tx
            .user_id_by_email(email.normalized())
            .await?
            .ok_or_else(|| Error::UserNotFound {
                key: email.as_str().to_owned(),
            })?;
        let operator = Operator {
            id,
            recovery: false,
        };
        Self::actor(&mut *tx, &operator).await?;
        Ok(operator)
    }

    /// The command line's recovery path: acts as `email` without their
    /// password. Only someone who can write the store's file can do this,
    /// and they could change the file without Roster anyway, so it is
    /// allowed on a local file opened for writing and nowhere else (never on
    /// a shared server). It is recorded as `cli.recovery_as` naming the
    /// computer's account `by`, and every later event of this operator is
    /// labelled as a recovery.
    pub async fn recover_as(&self, email: &str, by: &str) -> Result<Operator> {
        if !self.store.is_writable_local_file() {
            return Err(Error::RecoveryNotAllowed);
        }
        let email = Email::parse(email)?;
        let mut tx = self.store.begin(TxMode::Write).await?;
        let id = tx
            .user_id_by_email(email.normalized())
            .await?
            .ok_or_else(|| Error::UserNotFound {
                key: email.as_str().to_owned(),
            })?;
        let operator = Operator { id, recovery: true };
        let actor = Self::actor(&mut *tx, &operator).await?;
        let event = actor.audit(
            "cli.recovery_as",
            TargetKind::User,
            Some(id.0),
            actor.user.email.as_str(),
            vec![FieldChange {
                field: "os_account".into(),
                before: serde_json::Value::Null,
                after: json!(by),
            }],
            Self::now(),
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(operator)
    }

    /// The command line's default operator: the longest-standing enabled administrator.
    pub async fn first_administrator(&self) -> Result<Operator> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        if tx.count_users().await? == 0 {
            return Err(Error::NotInitialized);
        }
        let page = tx
            .list_users(&UserQuery {
                group: Some(ADMINISTRATORS),
                status: Some(Status::Enabled),
                sort: crate::store::SortField::Created,
                limit: 1,
                ..UserQuery::default()
            })
            .await?;
        page.users
            .first()
            .map(|u| Operator {
                id: u.id,
                recovery: false,
            })
            .ok_or(Error::NoEnabledAdministrator)
    }

    // --- signing in ----------------------------------------------------------

    /// Checks an email and password. Every failure gives the same error
    /// (unknown email, wrong password, disabled or locked account), and an
    /// unknown email still costs one Argon2 verification, so neither the
    /// message nor the time tells whether an account exists.
    ///
    /// Failures in a row are counted; at the threshold the account locks for
    /// a delay that doubles with each further failure. While locked even the
    /// right password fails. Attempts on existing accounts are audited. A hash
    /// made with older parameters is replaced on success.
    pub async fn sign_in(&self, email: &str, password: &PlainPassword) -> Result<SignIn> {
        let (user, mut tx, now) = self.check_credentials(email, password).await?;
        let pending = PendingSignIn { id: user.id };
        let outcome = match user.two_factor {
            TwoFactor::Off => SignIn::Complete(Self::complete_sign_in(&mut *tx, &user, now).await?),
            TwoFactor::Totp => match tx.totp_enrolment(user.id).await? {
                Some(enrolment) if enrolment.confirmed => SignIn::SecondFactor(pending),
                _ => SignIn::TotpEnrolment(pending),
            },
            TwoFactor::EmailCode => {
                let Some(mailer) = self.mailer() else {
                    return Err(Error::TwoFactorUnavailable);
                };
                let message = Self::issue_email_code(&mut *tx, &user, now).await?;
                tx.commit().await?;
                Self::deliver(&*mailer, &message).await?;
                return Ok(SignIn::EmailCode(pending));
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Confirms the signed-in operator's password, to open a locked screen:
    /// the same checks, failure count and lockout as a sign-in, but no
    /// second factor (that was given at sign-in, and no code is emailed).
    pub async fn confirm_password(
        &self,
        operator: &Operator,
        password: &PlainPassword,
    ) -> Result<()> {
        let email = {
            let mut tx = self.store.begin(TxMode::Read).await?;
            Self::actor(&mut *tx, operator).await?.user.email
        };
        let (user, tx, _) = self.check_credentials(email.as_str(), password).await?;
        if user.id != operator.id {
            return Err(Error::SignInFailed);
        }
        tx.commit().await?;
        Ok(())
    }

    /// The password half of a sign-in. On success returns the user and the
    /// open write transaction (the rehash, if any, is in it) for the caller
    /// to finish.
    ///
    /// The lockout is decided before the password is checked, under the
    /// store's writer lock: the attempt is first counted as a failure (and
    /// locks the account at the threshold), then verified, and a right
    /// password takes its count back. So parallel wrong guesses see each
    /// other's counts, the account locks, and no more than the threshold's
    /// worth of guesses is ever tried against the hash.
    async fn check_credentials(
        &self,
        email: &str,
        password: &PlainPassword,
    ) -> Result<(User, Box<dyn Tx>, DateTime<Utc>)> {
        let now = Self::now();
        // An unknown address and a locked account cost one verification
        // too, so the time taken does not tell them apart from a wrong password.
        let attempt = match self.claim_attempt(email, now).await {
            Ok(Some(attempt)) => attempt,
            Ok(None) | Err(Error::SignInFailed) => {
                self.hasher.verify_dummy(password);
                return Err(Error::SignInFailed);
            }
            Err(other) => return Err(other),
        };
        let Attempt {
            user,
            hash,
            claimed_lock,
        } = attempt;
        let verification = self.hasher.verify(password, &hash);
        let mut tx = self.store.begin(TxMode::Write).await?;
        let event = |action: &'static str, changes: Vec<FieldChange>| {
            own_event(&user, None, action, changes, now)
        };
        if !verification.is_match() {
            let failed = user.failed_sign_ins.saturating_add(1);
            let mut changes = vec![FieldChange {
                field: "failed_sign_ins".into(),
                before: json!(user.failed_sign_ins),
                after: json!(failed),
            }];
            if let Some(until) = claimed_lock {
                changes.push(FieldChange {
                    field: "locked_until".into(),
                    before: serde_json::Value::Null,
                    after: json!(until),
                });
            }
            tx.append_audit(&event("auth.sign_in_failed", changes))
                .await?;
            tx.commit().await?;
            return Err(Error::SignInFailed);
        }
        tx.undo_failed_sign_in(user.id, claimed_lock, user.locked_until)
            .await?;
        if user.status != Status::Enabled {
            tx.append_audit(&event("auth.sign_in_refused_disabled", Vec::new()))
                .await?;
            tx.commit().await?;
            return Err(Error::SignInFailed);
        }
        if verification == Verification::MatchNeedsRehash {
            let rehashed = self.hasher.hash(password)?;
            tx.replace_password_hash(user.id, &rehashed).await?;
        }
        Ok((user, tx, now))
    }

    /// Counts a sign-in attempt on `email` as a failure in advance, in one
    /// write transaction: `None` for an address with no account (nothing to
    /// count), a refusal while the account is locked (audited), otherwise
    /// the account as it was before this attempt, its hash, and the lock
    /// this attempt set.
    async fn claim_attempt(&self, email: &str, now: DateTime<Utc>) -> Result<Option<Attempt>> {
        let Ok(email) = Email::parse(email) else {
            return Ok(None);
        };
        let mut tx = self.store.begin(TxMode::Write).await?;
        let Some(id) = tx.user_id_by_email(email.normalized()).await? else {
            return Ok(None);
        };
        let user = Self::existing_user(&mut *tx, id).await?;
        let Some(hash) = tx.password_hash(id).await? else {
            return Ok(None);
        };
        if user.locked_until.is_some_and(|until| until > now) {
            tx.append_audit(&own_event(
                &user,
                None,
                "auth.sign_in_refused_locked",
                Vec::new(),
                now,
            ))
            .await?;
            tx.commit().await?;
            return Err(Error::SignInFailed);
        }
        let settings = Self::load_settings(&mut *tx).await?;
        let failed = user.failed_sign_ins.saturating_add(1);
        let claimed_lock = settings.lock_duration(failed).map(|delay| now + delay);
        tx.record_failed_sign_in(id, claimed_lock).await?;
        tx.commit().await?;
        Ok(Some(Attempt {
            user,
            hash,
            claimed_lock,
        }))
    }

    /// Makes a new emailed code for `user` (replacing any earlier one),
    /// audits it, and returns the message to send once the change commits.
    async fn issue_email_code(
        tx: &mut dyn Tx,
        user: &User,
        now: DateTime<Utc>,
    ) -> Result<mail::Message> {
        let code = two_factor::new_email_code();
        tx.store_email_code(
            user.id,
            &EmailCode {
                code_hash: two_factor::hash_email_code(&code),
                created_at: now,
                expires_at: now + chrono::Duration::minutes(two_factor::EMAIL_CODE_MINUTES),
                attempts: 0,
            },
        )
        .await?;
        tx.append_audit(&own_event(
            user,
            None,
            "auth.email_code_sent",
            Vec::new(),
            now,
        ))
        .await?;
        Ok(mail::sign_in_code(
            &user.email,
            user.name.as_str(),
            &code,
            two_factor::EMAIL_CODE_MINUTES,
        ))
    }

    async fn deliver(mailer: &dyn Mailer, message: &mail::Message) -> Result<()> {
        mailer
            .send(message)
            .await
            .map_err(|error| Error::MailFailed {
                reason: error.to_string(),
            })
    }

    /// Emails a new sign-in code for a pending sign-in, replacing the
    /// earlier one; not sooner than half a minute after the last.
    pub async fn resend_email_code(&self, pending: &PendingSignIn) -> Result<()> {
        let now = Self::now();
        let mut tx = self.store.begin(TxMode::Write).await?;
        let user = Self::pending_user(&mut *tx, pending).await?;
        if user.two_factor != TwoFactor::EmailCode {
            return Err(Error::NotEnrolling);
        }
        let Some(mailer) = self.mailer() else {
            return Err(Error::TwoFactorUnavailable);
        };
        if let Some(previous) = tx.email_code(user.id).await? {
            let wait =
                two_factor::EMAIL_CODE_RESEND_SECONDS - (now - previous.created_at).num_seconds();
            if wait > 0 {
                return Err(Error::EmailCodeTooSoon { seconds: wait });
            }
        }
        let message = Self::issue_email_code(&mut *tx, &user, now).await?;
        tx.commit().await?;
        Self::deliver(&*mailer, &message).await
    }

    /// Records a finished sign-in: the time, no failures, an audit event.
    async fn complete_sign_in(
        tx: &mut dyn Tx,
        user: &User,
        now: DateTime<Utc>,
    ) -> Result<Operator> {
        tx.record_sign_in(user.id, now).await?;
        tx.append_audit(&own_event(
            user,
            Some(user.id),
            "auth.sign_in",
            Vec::new(),
            now,
        ))
        .await?;
        Ok(Operator {
            id: user.id,
            recovery: false,
        })
    }

    /// Loads the user of a pending sign-in; one who was disabled or deleted
    /// meanwhile cannot finish.
    async fn pending_user(tx: &mut dyn Tx, pending: &PendingSignIn) -> Result<User> {
        tx.user(pending.id)
            .await?
            .filter(|u| u.status == Status::Enabled)
            .ok_or(Error::SignInFailed)
    }

    /// Checks a code from the user's authenticator app (each time step
    /// accepted once, so a seen code cannot be replayed) or one of their
    /// unused recovery codes (then used up). Records what it accepted.
    async fn accept_authenticator_code(
        tx: &mut dyn Tx,
        user: &User,
        enrolment: &TotpEnrolment,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        if two_factor::looks_like_recovery_code(code) {
            for stored in tx.unused_recovery_codes(user.id).await? {
                if two_factor::recovery_code_matches(&stored, code) {
                    return Ok(tx.use_recovery_code(user.id, &stored, now).await?);
                }
            }
            return Ok(false);
        }
        let seconds = u64::try_from(now.timestamp()).unwrap_or(0);
        match two_factor::check_code(&enrolment.secret, code, seconds)? {
            Some(step) if step > enrolment.last_step => {
                tx.record_totp_step(user.id, step).await?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Finishes a sign-in with a code from the authenticator app (each time
    /// step accepted once) or an unused recovery code. Wrong codes count
    /// toward the account's lockout like wrong passwords.
    pub async fn verify_second_factor(
        &self,
        pending: &PendingSignIn,
        code: &str,
    ) -> Result<Operator> {
        let now = Self::now();
        let mut tx = self.store.begin(TxMode::Write).await?;
        let user = Self::pending_user(&mut *tx, pending).await?;
        if user.locked_until.is_some_and(|until| until > now) {
            return Err(Error::SignInFailed);
        }
        if user.two_factor == TwoFactor::EmailCode {
            return Self::verify_email_code(tx, &user, code, now).await;
        }
        let enrolment = tx
            .totp_enrolment(user.id)
            .await?
            .filter(|e| e.confirmed)
            .ok_or(Error::NotEnrolling)?;
        let accepted =
            Self::accept_authenticator_code(&mut *tx, &user, &enrolment, code, now).await?;
        if !accepted {
            Self::record_wrong_code(&mut *tx, &user, now).await?;
            tx.commit().await?;
            return Err(Error::SecondFactorFailed);
        }
        let operator = Self::complete_sign_in(&mut *tx, &user, now).await?;
        tx.commit().await?;
        Ok(operator)
    }

    /// A wrong second-factor code counts toward the account's lockout like a
    /// wrong password.
    async fn record_wrong_code(tx: &mut dyn Tx, user: &User, now: DateTime<Utc>) -> Result<()> {
        let settings = Self::load_settings(tx).await?;
        let failed = user.failed_sign_ins.saturating_add(1);
        let locked_until = settings.lock_duration(failed).map(|delay| now + delay);
        tx.record_failed_sign_in(user.id, locked_until).await?;
        tx.append_audit(&own_event(
            user,
            None,
            "auth.second_factor_failed",
            vec![FieldChange {
                field: "failed_sign_ins".into(),
                before: json!(user.failed_sign_ins),
                after: json!(failed),
            }],
            now,
        ))
        .await?;
        Ok(())
    }

    /// Checks an emailed code: it works once, for ten minutes, and a fifth
    /// wrong attempt voids it (a new one must be sent).
    async fn verify_email_code(
        mut tx: Box<dyn Tx>,
        user: &User,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<Operator> {
        let Some(outstanding) = tx.email_code(user.id).await? else {
            return Err(Error::EmailCodeExpired);
        };
        if outstanding.expires_at <= now || outstanding.attempts >= two_factor::EMAIL_CODE_ATTEMPTS
        {
            tx.delete_email_code(user.id).await?;
            tx.commit().await?;
            return Err(Error::EmailCodeExpired);
        }
        if !two_factor::email_code_matches(&outstanding.code_hash, code) {
            if outstanding.attempts + 1 >= two_factor::EMAIL_CODE_ATTEMPTS {
                tx.delete_email_code(user.id).await?;
            } else {
                tx.record_email_code_attempt(user.id).await?;
            }
            Self::record_wrong_code(&mut *tx, user, now).await?;
            tx.commit().await?;
            return Err(Error::SecondFactorFailed);
        }
        tx.delete_email_code(user.id).await?;
        let operator = Self::complete_sign_in(&mut *tx, user, now).await?;
        tx.commit().await?;
        Ok(operator)
    }

    /// Starts setting up the authenticator app for a pending sign-in: a new
    /// secret, shown this once.
    pub async fn begin_totp_enrolment(
        &self,
        pending: &PendingSignIn,
    ) -> Result<two_factor::Enrolment> {
        let mut tx = self.store.begin(TxMode::Write).await?;
        let user = Self::pending_user(&mut *tx, pending).await?;
        if user.two_factor != TwoFactor::Totp
            || tx
                .totp_enrolment(user.id)
                .await?
                .is_some_and(|e| e.confirmed)
        {
            return Err(Error::NotEnrolling);
        }
        let secret = two_factor::new_secret();
        tx.start_totp_enrolment(user.id, &secret, Self::now())
            .await?;
        let enrolment = two_factor::enrolment(&secret, user.email.as_str())?;
        tx.commit().await?;
        Ok(enrolment)
    }

    /// Confirms the set-up with a first code, finishes the sign-in, and
    /// returns the ten recovery codes, which are shown only now.
    pub async fn finish_totp_enrolment(
        &self,
        pending: &PendingSignIn,
        code: &str,
    ) -> Result<(Operator, Vec<String>)> {
        let now = Self::now();
        let mut tx = self.store.begin(TxMode::Write).await?;
        let user = Self::pending_user(&mut *tx, pending).await?;
        let enrolment = tx
            .totp_enrolment(user.id)
            .await?
            .filter(|e| !e.confirmed)
            .ok_or(Error::NotEnrolling)?;
        let seconds = u64::try_from(now.timestamp()).unwrap_or(0);
        let step = two_factor::check_code(&enrolment.secret, code, seconds)?
            .ok_or(Error::SecondFactorFailed)?;
        let codes = two_factor::new_recovery_codes();
        let hashes = codes
            .iter()
            .map(|c| two_factor::hash_recovery_code(c))
            .collect::<Result<Vec<String>>>()?;
        tx.confirm_totp_enrolment(user.id, step, &hashes).await?;
        tx.append_audit(&own_event(
            &user,
            Some(user.id),
            "user.enrol_totp",
            Vec::new(),
            now,
        ))
        .await?;
        let operator = Self::complete_sign_in(&mut *tx, &user, now).await?;
        tx.commit().await?;
        Ok((operator, codes))
    }

    /// Forgets a user's authenticator set-up and recovery codes: they set it
    /// up again at their next sign-in.
    pub async fn reset_two_factor(&self, operator: &Operator, id: UserId) -> Result<User> {
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::UsersCredentials).await?;
        let user = Self::existing_user(&mut *tx, id).await?;
        Self::ensure_may_manage(&mut *tx, &actor, &user).await?;
        tx.clear_two_factor(id).await?;
        let event = actor.audit(
            "user.reset_two_factor",
            TargetKind::User,
            Some(id.0),
            user.email.as_str(),
            Vec::new(),
            Self::now(),
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        if let Some(mailer) = self.mailer() {
            let message = mail::two_factor_reset(&user.email, user.name.as_str(), user.two_factor);
            self.send_after_commit(&*mailer, &actor, &user, "two_factor_reset", &message)
                .await;
        }
        Ok(user)
    }

    /// Changes the operator's own password: the current one must be given,
    /// the new one must pass the policy and differ from it. Clears "must
    /// change password".
    pub async fn change_own_password(
        &self,
        operator: &Operator,
        current: &PlainPassword,
        new: &PlainPassword,
    ) -> Result<Me> {
        let (user, hash, policy) = {
            let mut tx = self.store.begin(TxMode::Read).await?;
            let actor = Self::actor(&mut *tx, operator).await?;
            let hash = tx
                .password_hash(actor.user.id)
                .await?
                .ok_or(Error::OperatorInvalid)?;
            (actor.user, hash, Self::policy(&mut *tx).await?)
        };
        if !self.hasher.verify(current, &hash).is_match() {
            return Err(Error::CurrentPasswordIncorrect);
        }
        policy.enforce(
            new,
            &PolicyContext {
                name: user.name.as_str(),
                email: user.email.as_str(),
                company: None,
            },
        )?;
        if self.hasher.verify(new, &hash).is_match() {
            return Err(Error::PasswordUnchanged);
        }
        let new_hash = self.hasher.hash(new)?;
        let now = Self::now();
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::actor(&mut *tx, operator).await?;
        tx.set_password(user.id, &new_hash, false, now).await?;
        let diff = change(
            "must_change_password",
            json!(user.must_change_password),
            json!(false),
        )
        .into_iter()
        .collect();
        let event = actor.audit(
            "user.change_password",
            TargetKind::User,
            Some(user.id.0),
            user.email.as_str(),
            diff,
            now,
        );
        tx.append_audit(&event).await?;
        let me = Me {
            user: Self::existing_user(&mut *tx, user.id).await?,
            permissions: actor.permissions,
        };
        tx.commit().await?;
        Ok(me)
    }

    /// Switches off the operator's own second factor. Lowering one's own
    /// sign-in security takes both factors again, so that someone at an
    /// unattended session cannot do it: the password (wrong ones count
    /// toward the lockout, as at sign-in) and a current code from the
    /// authenticator app or an unused recovery code (likewise). Someone who
    /// signs in with emailed codes asks another administrator instead.
    pub async fn turn_off_own_two_factor(
        &self,
        operator: &Operator,
        password: &PlainPassword,
        code: &str,
    ) -> Result<Me> {
        self.confirm_password(operator, password).await?;
        let now = Self::now();
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::actor(&mut *tx, operator).await?;
        let before = actor.user.clone();
        match before.two_factor {
            TwoFactor::Off => {
                return Ok(Me {
                    user: before,
                    permissions: actor.permissions,
                })
            }
            TwoFactor::EmailCode => return Err(Error::OwnEmailCodesStay),
            TwoFactor::Totp => {}
        }
        let Some(enrolment) = tx.totp_enrolment(before.id).await?.filter(|e| e.confirmed) else {
            return Err(Error::NotEnrolling);
        };
        if !Self::accept_authenticator_code(&mut *tx, &before, &enrolment, code, now).await? {
            Self::record_wrong_code(&mut *tx, &before, now).await?;
            tx.commit().await?;
            return Err(Error::SecondFactorFailed);
        }
        let mut fields = UserFields::of(&before);
        fields.two_factor = TwoFactor::Off;
        if !tx
            .update_user(before.id, before.version, &fields, now)
            .await?
        {
            return Err(Error::ChangedBySomeoneElse);
        }
        tx.clear_two_factor(before.id).await?;
        let after = Self::existing_user(&mut *tx, before.id).await?;
        let event = actor.audit(
            "user.turn_off_own_two_factor",
            TargetKind::User,
            Some(before.id.0),
            before.email.as_str(),
            user_diff(&before, &after),
            now,
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(Me {
            user: after,
            permissions: actor.permissions,
        })
    }

    /// Lifts a lock and forgets the failed sign-ins.
    pub async fn unlock_user(&self, operator: &Operator, id: UserId) -> Result<User> {
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::UsersCredentials).await?;
        let before = Self::existing_user(&mut *tx, id).await?;
        Self::ensure_may_manage(&mut *tx, &actor, &before).await?;
        if before.failed_sign_ins == 0 && before.locked_until.is_none() {
            return Ok(before);
        }
        let now = Self::now();
        tx.clear_lockout(id, now).await?;
        let diff = [
            change("failed_sign_ins", json!(before.failed_sign_ins), json!(0)),
            change(
                "locked_until",
                json!(before.locked_until),
                serde_json::Value::Null,
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        let event = actor.audit(
            "user.unlock",
            TargetKind::User,
            Some(id.0),
            before.email.as_str(),
            diff,
            now,
        );
        tx.append_audit(&event).await?;
        let after = Self::existing_user(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The minutes of inactivity after which a session locks.
    pub async fn idle_timeout_minutes(&self) -> Result<u32> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        Ok(Self::load_settings(&mut *tx).await?.idle_timeout_minutes)
    }

    /// The operator's own record and rights, read fresh.
    pub async fn me(&self, operator: &Operator) -> Result<Me> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        let actor = Self::actor(&mut *tx, operator).await?;
        Ok(Me {
            user: actor.user,
            permissions: actor.permissions,
        })
    }

    // --- users ---------------------------------------------------------------

    pub async fn create_user(&self, operator: &Operator, new: NewUser) -> Result<Created> {
        self.create_user_and_send(operator, new, false).await
    }

    /// [`Self::create_user`], then, with `send_credentials`, emails the new
    /// user how to sign in and their password. Refused before anything
    /// changes when no mail server is configured. A failed send leaves the
    /// user created: `delivery` says why, and the generated password is
    /// returned for the hand-over; once sent, it is not returned.
    pub async fn create_user_and_send(
        &self,
        operator: &Operator,
        new: NewUser,
        send_credentials: bool,
    ) -> Result<Created> {
        let name = UserName::parse(&new.name)?;
        let email = Email::parse(&new.email)?;
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::UsersCreate).await?;
        let mailer = self.credentials_mailer(send_credentials)?;
        let all_groups = tx.groups().await?;
        let groups = Self::checked_groups(&all_groups, &new.groups)?;
        Self::ensure_may_grant_groups(&actor, &all_groups, &groups)?;
        Self::ensure_may_grant_unmasked(&actor, new.mask_client_data)?;
        if let Some(supervisor) = new.supervisor {
            Self::check_supervisor(&mut *tx, None, supervisor).await?;
        }
        if tx.user_id_by_email(email.normalized()).await?.is_some() {
            return Err(Error::EmailTaken {
                email: email.as_str().to_owned(),
            });
        }
        let two_factor = match new.two_factor {
            Some(method) => method,
            None => self.default_two_factor(&mut *tx).await?,
        };
        ensure_method_works(two_factor, self.mail_configured())?;
        let policy = Self::policy(&mut *tx).await?;
        let (hash, password, generated) =
            self.choose_password_keeping(&policy, new.password, &name, &email)?;
        let now = Self::now();
        let fields = UserFields {
            name,
            email,
            status: new.status,
            supervisor: new.supervisor,
            must_change_password: new.must_change_password,
            mask_client_data: new.mask_client_data,
            two_factor,
        };
        let id = tx
            .insert_user(&fields, &hash, now)
            .await
            .map_err(Self::domain_error)?;
        tx.set_memberships(id, &groups).await?;
        let user = Self::existing_user(&mut *tx, id).await?;
        let event = actor.audit(
            "user.create",
            TargetKind::User,
            Some(id.0),
            user.email.as_str(),
            user_snapshot(&user),
            now,
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        let delivery = match mailer {
            Some(mailer) => {
                let message = mail::credentials(
                    &user.email,
                    user.name.as_str(),
                    &password,
                    user.must_change_password,
                    user.two_factor,
                    CredentialsOccasion::NewAccount,
                );
                self.send_after_commit(&*mailer, &actor, &user, "credentials", &message)
                    .await
            }
            None => Delivery::NotRequested,
        };
        let generated_password = (generated && !delivery.is_sent()).then_some(password);
        Ok(Created {
            user,
            generated_password,
            delivery,
        })
    }

    pub async fn user(&self, operator: &Operator, id: UserId) -> Result<User> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        Self::authorize(&mut *tx, operator, Permission::UsersView).await?;
        Self::existing_user(&mut *tx, id).await
    }

    /// Finds a user's whole record by email: like [`Directory::user`], it
    /// needs `users.view`.
    pub async fn user_by_email(&self, operator: &Operator, email: &str) -> Result<User> {
        let email = Email::parse(email)?;
        let mut tx = self.store.begin(TxMode::Read).await?;
        Self::authorize(&mut *tx, operator, Permission::UsersView).await?;
        let id = Self::user_id_by_email(&mut *tx, &email).await?;
        Self::existing_user(&mut *tx, id).await
    }

    /// Names a user for an action: their id, version, name and email, and
    /// nothing more. Anyone who may act on users may look one up (the command
    /// line names users by email for every action); the whole record needs
    /// `users.view` ([`Directory::user_by_email`]).
    pub async fn user_handle(&self, operator: &Operator, email: &str) -> Result<UserHandle> {
        let email = Email::parse(email)?;
        let mut tx = self.store.begin(TxMode::Read).await?;
        let actor = Self::actor(&mut *tx, operator).await?;
        actor.require_any(USER_AREA)?;
        let id = Self::user_id_by_email(&mut *tx, &email).await?;
        let user = Self::existing_user(&mut *tx, id).await?;
        Ok(UserHandle {
            id: user.id,
            version: user.version,
            name: user.name.as_str().to_owned(),
            email: user.email.as_str().to_owned(),
        })
    }

    async fn user_id_by_email(tx: &mut dyn Tx, email: &Email) -> Result<UserId> {
        tx.user_id_by_email(email.normalized())
            .await?
            .ok_or_else(|| Error::UserNotFound {
                key: email.as_str().to_owned(),
            })
    }

    /// Whether `email` is free for a new user, or for `except` when editing:
    /// the form checks this as the address is typed.
    pub async fn email_available(
        &self,
        operator: &Operator,
        email: &str,
        except: Option<UserId>,
    ) -> Result<bool> {
        let email = Email::parse(email)?;
        let mut tx = self.store.begin(TxMode::Read).await?;
        let actor = Self::actor(&mut *tx, operator).await?;
        actor.require_any(&[Permission::UsersCreate, Permission::UsersEdit])?;
        let owner = tx.user_id_by_email(email.normalized()).await?;
        Ok(owner.is_none() || owner == except)
    }

    pub async fn list_users(&self, operator: &Operator, query: &UserQuery) -> Result<UserPage> {
        if let Some(cursor) = &query.after {
            if cursor.sort != query.sort || cursor.direction != query.direction {
                return Err(Error::InvalidCursor);
            }
        }
        let mut tx = self.store.begin(TxMode::Read).await?;
        Self::authorize(&mut *tx, operator, Permission::UsersView).await?;
        let mut query = query.clone();
        if query.limit == 0 {
            query.limit = UserQuery::DEFAULT_LIMIT;
        }
        query.limit = query.limit.min(UserQuery::MAX_LIMIT);
        Ok(tx.list_users(&query).await?)
    }

    pub async fn update_user(
        &self,
        operator: &Operator,
        id: UserId,
        changes: UserChanges,
    ) -> Result<User> {
        let name = changes.name.as_deref().map(UserName::parse).transpose()?;
        let email = changes.email.as_deref().map(Email::parse).transpose()?;
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::UsersEdit).await?;
        let before = Self::existing_user(&mut *tx, id).await?;
        if before.version != changes.version {
            return Err(Error::ChangedBySomeoneElse);
        }
        Self::ensure_may_manage(&mut *tx, &actor, &before).await?;

        let mut fields = UserFields::of(&before);
        if let Some(name) = name {
            fields.name = name;
        }
        if let Some(email) = email {
            if let Some(owner) = tx.user_id_by_email(email.normalized()).await? {
                if owner != id {
                    return Err(Error::EmailTaken {
                        email: email.as_str().to_owned(),
                    });
                }
            }
            fields.email = email;
        }
        if let Some(supervisor) = changes.supervisor {
            if let Some(supervisor) = supervisor {
                if Some(supervisor) != before.supervisor.as_ref().map(|s| s.id) {
                    Self::check_supervisor(&mut *tx, Some(id), supervisor).await?;
                }
            }
            fields.supervisor = supervisor;
        }
        if let Some(mask) = changes.mask_client_data {
            Self::ensure_may_grant_unmasked(&actor, mask)?;
            fields.mask_client_data = mask;
        }
        // "Must change password" and the second factor are credentials: they
        // need `users.credentials` besides `users.edit`, and nobody lowers
        // their own sign-in security through an edit.
        let forced_change = changes
            .must_change_password
            .filter(|flag| *flag != before.must_change_password);
        let method = changes.two_factor.filter(|m| *m != before.two_factor);
        if forced_change.is_some() || method.is_some() {
            actor.require(Permission::UsersCredentials)?;
        }
        if let Some(flag) = forced_change {
            if actor.user.id == id && !flag {
                return Err(Error::CannotLowerOwnSecurity);
            }
            fields.must_change_password = flag;
        }
        if let Some(method) = method {
            if actor.user.id == id && before.two_factor != TwoFactor::Off {
                return Err(Error::CannotLowerOwnSecurity);
            }
            ensure_method_works(method, self.mail_configured())?;
            fields.two_factor = method;
        }

        let all_groups = tx.groups().await?;
        let old_groups = before.group_ids();
        let new_groups = match &changes.groups {
            Some(ids) => Self::checked_groups(&all_groups, ids)?,
            None => old_groups.clone(),
        };
        let changed_groups: Vec<GroupId> = old_groups
            .iter()
            .filter(|g| !new_groups.contains(g))
            .chain(new_groups.iter().filter(|g| !old_groups.contains(g)))
            .copied()
            .collect();
        Self::ensure_may_grant_groups(&actor, &all_groups, &changed_groups)?;
        let leaves_administrators =
            old_groups.contains(&ADMINISTRATORS) && !new_groups.contains(&ADMINISTRATORS);
        if leaves_administrators && before.status == Status::Enabled {
            tx.lock_administrators().await?;
            if tx.count_enabled_members(ADMINISTRATORS).await? <= 1 {
                return Err(Error::LastAdministrator);
            }
        }

        let now = Self::now();
        if !tx
            .update_user(id, before.version, &fields, now)
            .await
            .map_err(Self::domain_error)?
        {
            return Err(Error::ChangedBySomeoneElse);
        }
        if !changed_groups.is_empty() {
            tx.set_memberships(id, &new_groups).await?;
        }
        let after = Self::existing_user(&mut *tx, id).await?;
        let mut diff = user_diff(&before, &after);
        if let Some(groups) = change(
            "groups",
            group_names(&all_groups, &old_groups),
            group_names(&all_groups, &new_groups),
        ) {
            diff.push(groups);
        }
        if !diff.is_empty() {
            let event = actor.audit(
                "user.update",
                TargetKind::User,
                Some(id.0),
                before.email.as_str(),
                diff,
                now,
            );
            tx.append_audit(&event).await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    /// Enables or disables a user.
    pub async fn set_status(
        &self,
        operator: &Operator,
        id: UserId,
        status: Status,
        version: i64,
    ) -> Result<User> {
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::UsersDisable).await?;
        let before = Self::existing_user(&mut *tx, id).await?;
        if before.version != version {
            return Err(Error::ChangedBySomeoneElse);
        }
        if before.status == status {
            return Ok(before);
        }
        if status == Status::Disabled {
            if id == actor.user.id {
                return Err(Error::CannotDisableSelf);
            }
            if before.is_in(ADMINISTRATORS) {
                tx.lock_administrators().await?;
                if tx.count_enabled_members(ADMINISTRATORS).await? <= 1 {
                    return Err(Error::LastAdministrator);
                }
            }
        }
        Self::ensure_may_manage(&mut *tx, &actor, &before).await?;
        let mut fields = UserFields::of(&before);
        fields.status = status;
        let now = Self::now();
        if !tx.update_user(id, version, &fields, now).await? {
            return Err(Error::ChangedBySomeoneElse);
        }
        let action = match status {
            Status::Enabled => "user.enable",
            Status::Disabled => "user.disable",
        };
        let diff = change("status", json!(before.status), json!(status))
            .into_iter()
            .collect();
        let event = actor.audit(
            action,
            TargetKind::User,
            Some(id.0),
            before.email.as_str(),
            diff,
            now,
        );
        tx.append_audit(&event).await?;
        let after = Self::existing_user(&mut *tx, id).await?;
        tx.commit().await?;
        if status == Status::Disabled {
            if let Some(mailer) = self.mailer() {
                let message = mail::account_disabled(&after.email, after.name.as_str());
                self.send_after_commit(&*mailer, &actor, &after, "account_disabled", &message)
                    .await;
            }
        }
        Ok(after)
    }

    /// Deletes a user. Those who reported to them are left without a supervisor.
    pub async fn delete_user(&self, operator: &Operator, id: UserId, version: i64) -> Result<()> {
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::UsersDelete).await?;
        let before = Self::existing_user(&mut *tx, id).await?;
        if before.version != version {
            return Err(Error::ChangedBySomeoneElse);
        }
        if id == actor.user.id {
            return Err(Error::CannotDeleteSelf);
        }
        if before.is_in(ADMINISTRATORS) && before.status == Status::Enabled {
            tx.lock_administrators().await?;
            if tx.count_enabled_members(ADMINISTRATORS).await? <= 1 {
                return Err(Error::LastAdministrator);
            }
        }
        Self::ensure_may_manage(&mut *tx, &actor, &before).await?;
        let now = Self::now();
        let subordinates = tx.subordinates(id).await?;
        tx.release_subordinates(id, now).await?;
        for subordinate in &subordinates {
            let diff = vec![FieldChange {
                field: "supervisor".into(),
                before: json!(before.email.as_str()),
                after: serde_json::Value::Null,
            }];
            let event = actor.audit(
                "user.update",
                TargetKind::User,
                Some(subordinate.id.0),
                subordinate.email.as_str(),
                diff,
                now,
            );
            tx.append_audit(&event).await?;
        }
        if !tx.delete_user(id).await? {
            return Err(Error::ChangedBySomeoneElse);
        }
        let event = actor.audit(
            "user.delete",
            TargetKind::User,
            Some(id.0),
            before.email.as_str(),
            removed(user_snapshot(&before)),
            now,
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a new password (typed or generated) and the forced-change flag.
    /// Returns the generated password, once, when Roster chose it.
    pub async fn reset_password(
        &self,
        operator: &Operator,
        id: UserId,
        password: PasswordChoice,
        must_change_password: bool,
    ) -> Result<Option<PlainPassword>> {
        let reset = self
            .reset_password_and_send(operator, id, password, must_change_password, false)
            .await?;
        Ok(reset.generated_password)
    }

    /// [`Self::reset_password`], then, with `send_credentials`, emails the
    /// user the new password. Refused before anything changes when no mail
    /// server is configured; a failed send leaves the password changed, and
    /// `delivery` says why (the generated password is returned for the
    /// hand-over; once sent, it is not returned).
    pub async fn reset_password_and_send(
        &self,
        operator: &Operator,
        id: UserId,
        password: PasswordChoice,
        must_change_password: bool,
        send_credentials: bool,
    ) -> Result<PasswordReset> {
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::UsersCredentials).await?;
        let user = Self::existing_user(&mut *tx, id).await?;
        Self::ensure_may_manage(&mut *tx, &actor, &user).await?;
        let mailer = self.credentials_mailer(send_credentials)?;
        let policy = Self::policy(&mut *tx).await?;
        let (hash, password, generated) =
            self.choose_password_keeping(&policy, password, &user.name, &user.email)?;
        let now = Self::now();
        tx.set_password(id, &hash, must_change_password, now)
            .await?;
        let diff = vec![FieldChange {
            field: "must_change_password".into(),
            before: json!(user.must_change_password),
            after: json!(must_change_password),
        }];
        let event = actor.audit(
            "user.reset_password",
            TargetKind::User,
            Some(id.0),
            user.email.as_str(),
            diff,
            now,
        );
        tx.append_audit(&event).await?;
        let after = Self::existing_user(&mut *tx, id).await?;
        tx.commit().await?;
        let delivery = match mailer {
            Some(mailer) => {
                let message = mail::credentials(
                    &after.email,
                    after.name.as_str(),
                    &password,
                    must_change_password,
                    after.two_factor,
                    CredentialsOccasion::PasswordReset,
                );
                self.send_after_commit(&*mailer, &actor, &after, "credentials", &message)
                    .await
            }
            None => Delivery::NotRequested,
        };
        let generated_password = (generated && !delivery.is_sent()).then_some(password);
        Ok(PasswordReset {
            user: after,
            generated_password,
            delivery,
        })
    }

    /// The mailer for a credentials email when one was asked for; refuses
    /// when none is configured, before anything changes.
    fn credentials_mailer(&self, send_credentials: bool) -> Result<Option<Arc<dyn Mailer>>> {
        if !send_credentials {
            return Ok(None);
        }
        self.mailer().map(Some).ok_or(Error::MailNotConfigured {
            hint: "hand the credentials over in person.",
        })
    }

    /// Sends `message` about `target` after a change has committed. A
    /// failure does not undo the change: it is returned, and recorded in the
    /// audit log as `mail.failed` with what was being sent and why it failed
    /// (never the message itself).
    async fn send_after_commit(
        &self,
        mailer: &dyn Mailer,
        actor: &Actor,
        target: &User,
        what: &'static str,
        message: &mail::Message,
    ) -> Delivery {
        let reason = match mailer.send(message).await {
            Ok(()) => return Delivery::Sent,
            Err(error) => error.to_string(),
        };
        let event = actor.audit(
            "mail.failed",
            TargetKind::User,
            Some(target.id.0),
            target.email.as_str(),
            vec![
                FieldChange {
                    field: "message".into(),
                    before: serde_json::Value::Null,
                    after: json!(what),
                },
                FieldChange {
                    field: "reason".into(),
                    before: serde_json::Value::Null,
                    after: json!(reason),
                },
            ],
            Self::now(),
        );
        // Best effort: the change itself has committed, and the caller learns
        // of the failure from the returned delivery either way.
        if let Ok(mut tx) = self.store.begin(TxMode::Write).await {
            if tx.append_audit(&event).await.is_ok() {
                let _ = tx.commit().await;
            }
        }
        Delivery::Failed { reason }
    }

    // --- groups --------------------------------------------------------------

    /// Groups are visible to whoever acts on users (to pick them) or manages groups.
    pub async fn groups(&self, operator: &Operator) -> Result<Vec<Group>> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        let actor = Self::actor(&mut *tx, operator).await?;
        actor.require_any(&[USER_AREA, &[Permission::GroupsManage]].concat())?;
        Ok(tx.groups().await?)
    }

    pub async fn group_by_name(&self, operator: &Operator, name: &str) -> Result<Group> {
        let name = GroupName::parse(name)?;
        let groups = self.groups(operator).await?;
        groups
            .into_iter()
            .find(|g| g.name.normalized() == name.normalized())
            .ok_or_else(|| Error::GroupNotFound {
                key: name.as_str().to_owned(),
            })
    }

    pub async fn create_group(
        &self,
        operator: &Operator,
        name: &str,
        description: &str,
        permissions: PermissionSet,
    ) -> Result<Group> {
        let name = GroupName::parse(name)?;
        let description = Description::parse(description)?;
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::GroupsManage).await?;
        ensure_holds(&actor, &permissions)?;
        if tx.group_id_by_name(&name.normalized()).await?.is_some() {
            return Err(Error::GroupNameTaken {
                name: name.as_str().to_owned(),
            });
        }
        crate::look_alike::ensure_group_name_distinct(&mut *tx, &name, None).await?;
        let now = Self::now();
        let id = tx
            .insert_group(&name, &description, &permissions, now)
            .await
            .map_err(Self::domain_error)?;
        let group = Self::existing_group(&mut *tx, id).await?;
        let diff = group_snapshot(&group);
        let event = actor.audit(
            "group.create",
            TargetKind::Group,
            Some(id.0),
            name.as_str(),
            diff,
            now,
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(group)
    }

    pub async fn update_group(
        &self,
        operator: &Operator,
        id: GroupId,
        changes: GroupChanges,
    ) -> Result<Group> {
        let name = changes.name.as_deref().map(GroupName::parse).transpose()?;
        let description = changes
            .description
            .as_deref()
            .map(Description::parse)
            .transpose()?;
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::GroupsManage).await?;
        let before = Self::existing_group(&mut *tx, id).await?;
        if before.version != changes.version {
            return Err(Error::ChangedBySomeoneElse);
        }
        let renamed = name
            .as_ref()
            .is_some_and(|n| n.as_str() != before.name.as_str());
        let permissions = changes
            .permissions
            .unwrap_or_else(|| before.permissions.clone());
        if before.builtin && (renamed || permissions != before.permissions) {
            return Err(Error::BuiltinGroup);
        }
        // Adding or removing a permission is granting or revoking it for every member.
        let mut touched = PermissionSet::default();
        for p in permissions.missing_from(&before.permissions) {
            touched.insert(p);
        }
        for p in before.permissions.missing_from(&permissions) {
            touched.insert(p);
        }
        ensure_holds(&actor, &touched)?;
        let name = name.unwrap_or_else(|| before.name.clone());
        let description = description.unwrap_or_else(|| before.description.clone());
        if renamed {
            if let Some(other) = tx.group_id_by_name(&name.normalized()).await? {
                if other != id {
                    return Err(Error::GroupNameTaken {
                        name: name.as_str().to_owned(),
                    });
                }
            }
            crate::look_alike::ensure_group_name_distinct(&mut *tx, &name, Some(id)).await?;
        }
        let now = Self::now();
        if !tx
            .update_group(id, before.version, &name, &description, &permissions, now)
            .await
            .map_err(Self::domain_error)?
        {
            return Err(Error::ChangedBySomeoneElse);
        }
        let after = Self::existing_group(&mut *tx, id).await?;
        let diff = diff(group_snapshot(&before), group_snapshot(&after));
        if !diff.is_empty() {
            let event = actor.audit(
                "group.update",
                TargetKind::Group,
                Some(id.0),
                before.name.as_str(),
                diff,
                now,
            );
            tx.append_audit(&event).await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes an empty group that is not built in.
    pub async fn delete_group(&self, operator: &Operator, id: GroupId, version: i64) -> Result<()> {
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::GroupsManage).await?;
        let group = Self::existing_group(&mut *tx, id).await?;
        if group.builtin {
            return Err(Error::BuiltinGroup);
        }
        if group.version != version {
            return Err(Error::ChangedBySomeoneElse);
        }
        ensure_holds(&actor, &group.permissions)?;
        if group.member_count > 0 {
            return Err(Error::GroupHasMembers {
                name: group.name.as_str().to_owned(),
                members: group.member_count,
            });
        }
        if !tx.delete_group(id).await? {
            return Err(Error::ChangedBySomeoneElse);
        }
        let now = Self::now();
        let diff = removed(group_snapshot(&group));
        let event = actor.audit(
            "group.delete",
            TargetKind::Group,
            Some(id.0),
            group.name.as_str(),
            diff,
            now,
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }

    // --- audit ---------------------------------------------------------------

    pub async fn audit_events(
        &self,
        operator: &Operator,
        query: &AuditQuery,
    ) -> Result<Vec<AuditEvent>> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::AuditView).await?;
        let mut query = query.clone();
        if query.limit == 0 {
            query.limit = 100;
        }
        if actor.user.mask_client_data && query.target_label.is_some() {
            // A label filter compares the real client name: for a masked
            // operator it never matches a client event, so a right and a
            // wrong guess of a name look the same.
            if query.target_kind == Some(TargetKind::Client) {
                return Ok(Vec::new());
            }
            query.except_kind = Some(TargetKind::Client);
        }
        let mut events = tx.audit_events(&query).await?;
        if actor.user.mask_client_data {
            events.iter_mut().for_each(crate::clients::mask_event);
        }
        Ok(events)
    }

    /// The history of one user, newest first.
    pub async fn user_audit(
        &self,
        operator: &Operator,
        id: UserId,
        limit: u32,
    ) -> Result<Vec<AuditEvent>> {
        self.audit_events(
            operator,
            &AuditQuery {
                target_kind: Some(TargetKind::User),
                target_id: Some(id.0),
                limit,
                ..AuditQuery::default()
            },
        )
        .await
    }

    // --- settings and passwords ----------------------------------------------

    pub async fn settings(&self, operator: &Operator) -> Result<Settings> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        Self::actor(&mut *tx, operator).await?;
        self.current_settings(&mut *tx).await
    }

    pub async fn update_settings(
        &self,
        operator: &Operator,
        settings: &Settings,
    ) -> Result<Settings> {
        settings.validate(self.mail_configured())?;
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::SettingsManage).await?;
        let before = self.current_settings(&mut *tx).await?;
        let values = [
            (
                SETTING_PASSWORD_MIN_LENGTH,
                settings.password_min_length.to_string(),
            ),
            (
                SETTING_DEFAULT_TWO_FACTOR,
                settings.default_two_factor.as_str().to_owned(),
            ),
            (
                SETTING_LOCKOUT_THRESHOLD,
                settings.lockout_threshold.to_string(),
            ),
            (
                SETTING_LOCKOUT_MINUTES,
                settings.lockout_minutes.to_string(),
            ),
            (
                SETTING_IDLE_TIMEOUT_MINUTES,
                settings.idle_timeout_minutes.to_string(),
            ),
            (
                SETTING_MASKED_SEARCH_PER_MINUTE,
                settings.masked_search_per_minute.to_string(),
            ),
        ];
        for (key, value) in &values {
            tx.set_setting(key, value).await?;
        }
        let diff = diff(fields_of(&before), fields_of(settings));
        if !diff.is_empty() {
            let event = actor.audit(
                "settings.update",
                TargetKind::Settings,
                None,
                "settings",
                diff,
                Self::now(),
            );
            tx.append_audit(&event).await?;
        }
        tx.commit().await?;
        Ok(settings.clone())
    }

    /// The policy's verdict and a strength estimate for a password being typed.
    pub async fn check_password(
        &self,
        password: &PlainPassword,
        name: &str,
        email: &str,
    ) -> Result<PolicyVerdict> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        let policy = Self::policy(&mut *tx).await?;
        Ok(policy.check(
            password,
            &PolicyContext {
                name,
                email,
                company: None,
            },
        ))
    }

    // --- mail ----------------------------------------------------------------
    //
    // The mail server's settings live in the store, so every administrator
    // of a shared directory sees the same; its password does not: each
    // computer keeps it in its keychain (`MailSettings::keychain_name`),
    // builds the mailer and hands it to `set_mailer`.

    /// The mail server's settings, or `None` when no mail server is configured.
    pub async fn mail_settings(&self, operator: &Operator) -> Result<Option<MailSettings>> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        Self::authorize(&mut *tx, operator, Permission::SettingsManage).await?;
        Self::read_mail_settings(&mut *tx).await
    }

    /// The mail server's settings for the desktop and the command line to
    /// build their mailer at start-up, before anyone signs in. They hold no
    /// secret.
    pub async fn load_mail_settings(&self) -> Result<Option<MailSettings>> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        Self::read_mail_settings(&mut *tx).await
    }

    /// Saves the mail server's settings, or with `None` removes them (and
    /// this directory's mailer). Removing them is refused while any user
    /// signs in with email codes. Audited as `settings.mail` with the fields
    /// that changed; no password passes through here. After saving new
    /// settings the caller builds the mailer (it holds the password) and
    /// hands it to [`Self::set_mailer`].
    pub async fn update_mail_settings(
        &self,
        operator: &Operator,
        settings: Option<MailSettings>,
    ) -> Result<Option<MailSettings>> {
        let settings = settings.map(MailSettings::validate).transpose()?;
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize(&mut *tx, operator, Permission::SettingsManage).await?;
        let before = Self::read_mail_settings(&mut *tx).await?;
        if settings.is_none() && (before.is_some() || self.mail_configured()) {
            let users = count_email_code_users(&mut *tx).await?;
            if users > 0 {
                return Err(Error::MailNeededForEmailCodes { users });
            }
        }
        let values: [(&str, String); 6] = match &settings {
            Some(settings) => [
                (SETTING_MAIL_HOST, settings.host.clone()),
                (SETTING_MAIL_PORT, settings.port.to_string()),
                (SETTING_MAIL_SECURITY, settings.security.as_str().to_owned()),
                (SETTING_MAIL_USER, settings.user.clone().unwrap_or_default()),
                (
                    SETTING_MAIL_SENDER_ADDRESS,
                    settings.sender_address.as_str().to_owned(),
                ),
                (SETTING_MAIL_SENDER_NAME, settings.sender_name.clone()),
            ],
            None => [
                SETTING_MAIL_HOST,
                SETTING_MAIL_PORT,
                SETTING_MAIL_SECURITY,
                SETTING_MAIL_USER,
                SETTING_MAIL_SENDER_ADDRESS,
                SETTING_MAIL_SENDER_NAME,
            ]
            .map(|key| (key, String::new())),
        };
        for (key, value) in &values {
            tx.set_setting(key, value).await?;
        }
        let diff = diff(
            mail_snapshot(before.as_ref()),
            mail_snapshot(settings.as_ref()),
        );
        if !diff.is_empty() {
            let event = actor.audit(
                "settings.mail",
                TargetKind::Settings,
                None,
                "mail",
                diff,
                Self::now(),
            );
            tx.append_audit(&event).await?;
        }
        tx.commit().await?;
        if settings.is_none() {
            self.set_mailer(None);
        }
        Ok(settings)
    }

    /// Sends a short test message to `to` through this directory's mailer.
    pub async fn send_test_email(&self, operator: &Operator, to: &str) -> Result<()> {
        let to = Email::parse(to)?;
        let actor = {
            let mut tx = self.store.begin(TxMode::Read).await?;
            Self::authorize(&mut *tx, operator, Permission::SettingsManage).await?
        };
        let mailer = self.mailer().ok_or(Error::MailNotConfigured {
            hint: "enter the mail server's settings first.",
        })?;
        let message = mail::test_message(&to, actor.user.email.as_str());
        Self::deliver(&*mailer, &message).await
    }

    async fn read_mail_settings(tx: &mut dyn Tx) -> Result<Option<MailSettings>> {
        let host = tx.setting(SETTING_MAIL_HOST).await?.unwrap_or_default();
        if host.is_empty() {
            return Ok(None);
        }
        let corrupt = |key: &str| -> Error {
            StoreError::Corrupt {
                detail: format!("setting {key}"),
            }
            .into()
        };
        let port = tx
            .setting(SETTING_MAIL_PORT)
            .await?
            .and_then(|port| port.parse::<u16>().ok())
            .ok_or_else(|| corrupt(SETTING_MAIL_PORT))?;
        let security = tx
            .setting(SETTING_MAIL_SECURITY)
            .await?
            .and_then(|security| security.parse::<MailSecurity>().ok())
            .ok_or_else(|| corrupt(SETTING_MAIL_SECURITY))?;
        let user = tx
            .setting(SETTING_MAIL_USER)
            .await?
            .filter(|user| !user.is_empty());
        let sender_address = tx
            .setting(SETTING_MAIL_SENDER_ADDRESS)
            .await?
            .and_then(|address| Email::parse(&address).ok())
            .ok_or_else(|| corrupt(SETTING_MAIL_SENDER_ADDRESS))?;
        let sender_name = tx
            .setting(SETTING_MAIL_SENDER_NAME)
            .await?
            .unwrap_or_default();
        Ok(Some(MailSettings {
            host,
            port,
            security,
            user,
            sender_address,
            sender_name,
        }))
    }
}

/// How many users sign in with email codes. A scan of the overview, page by
/// page: removing the mail server is rare, and the store has no count by
/// method (yet).
async fn count_email_code_users(tx: &mut dyn Tx) -> Result<u64> {
    let mut query = UserQuery {
        limit: UserQuery::MAX_LIMIT,
        ..UserQuery::default()
    };
    let mut count = 0;
    loop {
        let page = tx.list_users(&query).await?;
        count += page
            .users
            .iter()
            .filter(|user| user.two_factor == TwoFactor::EmailCode)
            .count() as u64;
        match page.next {
            Some(next) => query.after = Some(next),
            None => return Ok(count),
        }
    }
}

/// The mail settings as audit "after" values (all null when there are none).
/// Never a password: the settings hold none.
fn mail_snapshot(settings: Option<&MailSettings>) -> Vec<FieldChange> {
    let value = |get: fn(&MailSettings) -> serde_json::Value| {
        settings.map(get).unwrap_or(serde_json::Value::Null)
    };
    [
        ("host", value(|s| json!(s.host))),
        ("port", value(|s| json!(s.port))),
        ("security", value(|s| json!(s.security))),
        ("user", value(|s| json!(s.user))),
        ("sender_address", value(|s| json!(s.sender_address))),
        ("sender_name", value(|s| json!(s.sender_name))),
    ]
    .into_iter()
    .map(|(field, after)| FieldChange {
        field: field.into(),
        before: serde_json::Value::Null,
        after,
    })
    .collect()
}

fn ensure_holds(actor: &Actor, permissions: &PermissionSet) -> Result<()> {
    match permissions.missing_from(&actor.permissions).first() {
        Some(missing) => Err(Error::CannotGrant {
            what: format!("the permission {}", missing.code()),
        }),
        None => Ok(()),
    }
}

/// A new user's fields as audit "after" values. Never the password.
fn user_snapshot(user: &User) -> Vec<FieldChange> {
    let groups: Vec<&str> = user.groups.iter().map(|g| g.name.as_str()).collect();
    [
        ("name", json!(user.name.as_str())),
        ("email", json!(user.email.as_str())),
        ("status", json!(user.status)),
        ("groups", json!(groups)),
        (
            "supervisor",
            json!(user.supervisor.as_ref().map(|s| s.email.as_str())),
        ),
        ("must_change_password", json!(user.must_change_password)),
        ("mask_client_data", json!(user.mask_client_data)),
        ("two_factor", json!(user.two_factor)),
    ]
    .into_iter()
    .map(|(field, value)| FieldChange {
        field: field.into(),
        before: serde_json::Value::Null,
        after: value,
    })
    .collect()
}

/// The fields that differ between two states of a user (groups are diffed by the caller).
fn user_diff(before: &User, after: &User) -> Vec<FieldChange> {
    diff(user_snapshot(before), user_snapshot(after))
        .into_iter()
        .filter(|c| c.field != "groups")
        .collect()
}

/// The fields whose values differ between two snapshots of the same fields.
pub(crate) fn diff(before: Vec<FieldChange>, after: Vec<FieldChange>) -> Vec<FieldChange> {
    after
        .into_iter()
        .zip(before)
        .filter_map(|(a, b)| change(&a.field, b.after, a.after))
        .collect()
}

/// A snapshot turned into "these values were removed", for deletions.
pub(crate) fn removed(snapshot: Vec<FieldChange>) -> Vec<FieldChange> {
    snapshot
        .into_iter()
        .map(|c| FieldChange {
            field: c.field,
            before: c.after,
            after: serde_json::Value::Null,
        })
        .collect()
}

fn group_snapshot(group: &Group) -> Vec<FieldChange> {
    let permissions: Vec<&str> = group.permissions.iter().map(Permission::code).collect();
    [
        ("name", json!(group.name.as_str())),
        ("description", json!(group.description.as_str())),
        ("permissions", json!(permissions)),
    ]
    .into_iter()
    .map(|(field, value)| FieldChange {
        field: field.into(),
        before: serde_json::Value::Null,
        after: value,
    })
    .collect()
}

/// A setting's stored value parsed, or `default` when it was never set.
async fn setting_or<T: std::str::FromStr>(tx: &mut dyn Tx, key: &str, default: T) -> Result<T> {
    match tx.setting(key).await? {
        Some(value) => value.parse().map_err(|_| {
            StoreError::Corrupt {
                detail: format!("setting {key}"),
            }
            .into()
        }),
        None => Ok(default),
    }
}

/// A serialisable record's top-level fields as audit "after" values.
fn fields_of(record: &impl Serialize) -> Vec<FieldChange> {
    match serde_json::to_value(record) {
        Ok(serde_json::Value::Object(fields)) => fields
            .into_iter()
            .map(|(field, after)| FieldChange {
                field,
                before: serde_json::Value::Null,
                after,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Refuses a two-factor method this installation cannot carry out: email
/// codes need a mail server.
fn ensure_method_works(method: TwoFactor, mail_configured: bool) -> Result<()> {
    match method {
        TwoFactor::EmailCode if !mail_configured => Err(Error::EmailCodesNeedMail),
        TwoFactor::EmailCode | TwoFactor::Off | TwoFactor::Totp => Ok(()),
    }
}

/// An event about a user's own account (sign-in attempts, their own
/// set-up), labelled with their email; `operator` is `None` when the attempt
/// did not prove who was acting.
fn own_event(
    user: &User,
    operator: Option<UserId>,
    action: &'static str,
    changes: Vec<FieldChange>,
    at: DateTime<Utc>,
) -> NewAuditEvent {
    NewAuditEvent {
        at,
        operator,
        operator_label: user.email.as_str().to_owned(),
        action,
        target_kind: TargetKind::User,
        target_id: Some(user.id.0),
        target_label: user.email.as_str().to_owned(),
        changes,
    }
}
