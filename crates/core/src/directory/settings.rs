//! The settings an administrator can change (checked as a whole, so a bad
//! value changes nothing), and the reads every service needs: the
//! settings, the password policy, the default second factor.

use serde::Serialize;

use super::access::Operator;
use super::audit::{diff, fields_of};
use super::{ensure_method_works, Directory};
use crate::domain::{Permission, TwoFactor};
use crate::error::{Error, Result};
use crate::model::TargetKind;
use crate::password::{PasswordPolicy, PlainPassword, PolicyContext, PolicyVerdict};
use crate::store::{StoreError, Tx, TxMode};

/// Settings keys.
const SETTING_PASSWORD_MIN_LENGTH: &str = "password.min_length";
const SETTING_DEFAULT_TWO_FACTOR: &str = "two_factor.default";
const SETTING_LOCKOUT_THRESHOLD: &str = "lockout.threshold";
const SETTING_LOCKOUT_MINUTES: &str = "lockout.minutes";
const SETTING_IDLE_TIMEOUT_MINUTES: &str = "session.idle_timeout_minutes";
const SETTING_MASKED_SEARCH_PER_MINUTE: &str = "clients.masked_search_per_minute";
const SETTING_COMPANY_NAME: &str = "company.name";
const SETTING_AUDIT_ARCHIVE_MONTHS: &str = "audit.archive_months";
const SETTING_DISABLE_INACTIVE_AFTER_DAYS: &str = "accounts.disable_inactive_after_days";
const SETTING_RECYCLE_BIN_DAYS: &str = "accounts.recycle_bin_days";

/// The longest inactivity a setting may name, in days (ten years).
pub const MAX_INACTIVE_DAYS: u32 = 3650;

/// The longest a deleted user may be kept restorable, in days (a year).
pub const MAX_RECYCLE_BIN_DAYS: u32 = 365;

/// The longest retention an archive setting may name, in months (ten years).
pub const MAX_AUDIT_ARCHIVE_MONTHS: u32 = 120;

/// The longest company name, in characters.
const MAX_COMPANY_NAME: usize = 100;

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
    /// The company's name (empty when not set). A password that contains
    /// it, or a word of it, is refused, as one with the user's own name.
    #[serde(default)]
    pub company_name: String,
    /// Audit events older than this many months are to be archived to a
    /// file ("Archive old events…" on the audit page, `roster audit
    /// archive`); 0, the default, means never.
    #[serde(default)]
    pub audit_archive_months: u32,
    /// Enabled accounts with no sign-in for this many days (counted from
    /// their creation when they never signed in) are disabled
    /// (`directory/inactivity.rs`); 0, the default, means never.
    #[serde(default)]
    pub disable_inactive_after_days: u32,
    /// Deleted users are kept restorable this many days, then purged
    /// (`directory/recycle_bin.rs`); 0 deletes them at once.
    #[serde(default = "default_recycle_bin_days")]
    pub recycle_bin_days: u32,
}

fn default_masked_search_per_minute() -> u32 {
    30
}

fn default_recycle_bin_days() -> u32 {
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
            company_name: String::new(),
            audit_archive_months: 0,
            disable_inactive_after_days: 0,
            recycle_bin_days: default_recycle_bin_days(),
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
        in_range(
            self.audit_archive_months,
            0..=MAX_AUDIT_ARCHIVE_MONTHS,
            "The months after which audit events are archived (0 for never)",
        )?;
        in_range(
            self.disable_inactive_after_days,
            0..=MAX_INACTIVE_DAYS,
            "The days without a sign-in after which an account is disabled (0 for never)",
        )?;
        in_range(
            self.recycle_bin_days,
            0..=MAX_RECYCLE_BIN_DAYS,
            "The days a deleted user is kept restorable (0 to delete at once)",
        )?;
        let company = self.company_name.trim();
        if company.chars().count() > MAX_COMPANY_NAME {
            return Err(Error::InvalidSetting {
                reason: format!(
                    "The company's name can have at most {MAX_COMPANY_NAME} characters."
                ),
            });
        }
        if company.chars().any(char::is_control) {
            return Err(Error::InvalidSetting {
                reason: "The company's name cannot contain control characters such as tabs or line breaks.".into(),
            });
        }
        if !company.is_empty() {
            crate::look_alike::check_text(company, "The company's name")
                .and_then(|()| crate::look_alike::check_visible(company, "The company's name"))
                .map_err(|reason| Error::InvalidSetting { reason })?;
        }
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

impl Directory {
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
            company_name: tx
                .setting(SETTING_COMPANY_NAME)
                .await?
                .unwrap_or(defaults.company_name),
            audit_archive_months: setting_or(
                tx,
                SETTING_AUDIT_ARCHIVE_MONTHS,
                defaults.audit_archive_months,
            )
            .await?,
            disable_inactive_after_days: setting_or(
                tx,
                SETTING_DISABLE_INACTIVE_AFTER_DAYS,
                defaults.disable_inactive_after_days,
            )
            .await?,
            recycle_bin_days: setting_or(tx, SETTING_RECYCLE_BIN_DAYS, defaults.recycle_bin_days)
                .await?,
        })
    }

    /// The company's name when one is set: a context word of the password
    /// policy.
    pub(super) async fn company_name(tx: &mut dyn Tx) -> Result<Option<String>> {
        Ok(tx
            .setting(SETTING_COMPANY_NAME)
            .await?
            .filter(|name| !name.trim().is_empty()))
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
    pub(super) async fn default_two_factor(&self, tx: &mut dyn Tx) -> Result<TwoFactor> {
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

    pub(super) async fn policy(tx: &mut dyn Tx) -> Result<PasswordPolicy> {
        Ok(PasswordPolicy::new(
            Self::load_settings(tx).await?.password_min_length,
        )?)
    }

    /// The minutes of inactivity after which a session locks.
    pub async fn idle_timeout_minutes(&self) -> Result<u32> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        Ok(Self::load_settings(&mut *tx).await?.idle_timeout_minutes)
    }

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
        let settings = &Settings {
            company_name: settings.company_name.trim().to_owned(),
            ..settings.clone()
        };
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
            (SETTING_COMPANY_NAME, settings.company_name.clone()),
            (
                SETTING_AUDIT_ARCHIVE_MONTHS,
                settings.audit_archive_months.to_string(),
            ),
            (
                SETTING_DISABLE_INACTIVE_AFTER_DAYS,
                settings.disable_inactive_after_days.to_string(),
            ),
            (
                SETTING_RECYCLE_BIN_DAYS,
                settings.recycle_bin_days.to_string(),
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
        let company = Self::company_name(&mut *tx).await?;
        Ok(policy.check(
            password,
            &PolicyContext {
                name,
                email,
                company: company.as_deref(),
            },
        ))
    }
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
