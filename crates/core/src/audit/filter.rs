//! What the audit page and `roster audit list|export` filter by, parsed
//! once: operator, target, action group, time range, search.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::UserId;
use crate::error::Error;
use crate::model::AuditEvent;

/// The groups of actions people filter by. Each event belongs to exactly
/// one, kept in its `category` column (so a group is one index range).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionGroup {
    /// Users created, edited (without a change of groups), disabled,
    /// enabled, deleted; setting up the directory; recovery.
    Accounts,
    /// Groups created, changed or deleted, and a user's groups changed.
    Rights,
    /// Passwords and second factors set, changed or reset.
    Credentials,
    /// Sign-ins and their failures, lockouts, unlocks, second-factor codes.
    SignIn,
    /// Settings and mail settings, failed mail.
    Settings,
    /// Clients created, changed, deleted, imported, searched.
    Clients,
}

impl ActionGroup {
    pub const ALL: [ActionGroup; 6] = [
        ActionGroup::Accounts,
        ActionGroup::Rights,
        ActionGroup::Credentials,
        ActionGroup::SignIn,
        ActionGroup::Settings,
        ActionGroup::Clients,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionGroup::Accounts => "accounts",
            ActionGroup::Rights => "rights",
            ActionGroup::Credentials => "credentials",
            ActionGroup::SignIn => "sign_in",
            ActionGroup::Settings => "settings",
            ActionGroup::Clients => "clients",
        }
    }

    /// The group of an event: its action, and for `user.update` whether it
    /// changed the user's groups (`changed_fields`).
    pub fn of<'a>(action: &str, mut changed_fields: impl Iterator<Item = &'a str>) -> Self {
        match action {
            "user.update" if changed_fields.any(|field| field == "groups") => ActionGroup::Rights,
            "user.unlock" => ActionGroup::SignIn,
            "user.change_password"
            | "user.reset_password"
            | "user.reset_two_factor"
            | "user.turn_off_own_two_factor"
            | "user.enrol_totp" => ActionGroup::Credentials,
            "mail.failed" => ActionGroup::Settings,
            _ => match action.split('.').next().unwrap_or_default() {
                "auth" => ActionGroup::SignIn,
                "group" => ActionGroup::Rights,
                "settings" => ActionGroup::Settings,
                "client" => ActionGroup::Clients,
                _ => ActionGroup::Accounts,
            },
        }
    }

    /// The group of an event whose changes are stored as JSON text.
    pub fn of_stored(action: &str, changes: &str) -> Self {
        #[derive(Deserialize)]
        struct Field<'a> {
            #[serde(borrow)]
            field: std::borrow::Cow<'a, str>,
        }
        if action != "user.update" {
            return Self::of(action, std::iter::empty());
        }
        let fields: Vec<Field<'_>> = serde_json::from_str(changes).unwrap_or_default();
        Self::of(action, fields.iter().map(|f| f.field.as_ref()))
    }
}

impl std::str::FromStr for ActionGroup {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let key = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        ActionGroup::ALL
            .into_iter()
            .find(|group| group.as_str() == key)
            .ok_or_else(|| Error::InvalidChoice {
                field: "action",
                reason: format!(
                    "“{}” is not an action group; use accounts, rights, credentials, sign-in, settings or clients.",
                    s.chars().take(40).collect::<String>()
                ),
            })
    }
}

/// What an event is about, as people filter it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditTarget {
    User,
    Group,
    Client,
    Settings,
    /// Sign-in events (about a user's own account): the sign-in action group.
    SignIn,
}

impl std::str::FromStr for AuditTarget {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "user" | "users" => Ok(AuditTarget::User),
            "group" | "groups" => Ok(AuditTarget::Group),
            "client" | "clients" => Ok(AuditTarget::Client),
            "settings" => Ok(AuditTarget::Settings),
            "sign_in" => Ok(AuditTarget::SignIn),
            _ => Err(Error::InvalidChoice {
                field: "target",
                reason: format!(
                    "“{}” is not a kind of target; use user, group, client, settings or sign-in.",
                    s.chars().take(40).collect::<String>()
                ),
            }),
        }
    }
}

/// Which events the audit page shows (and an export writes), newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditFilter {
    /// Events this user made.
    pub operator: Option<UserId>,
    /// A user's whole trail: events about them and events they made.
    pub person: Option<UserId>,
    pub target: Option<AuditTarget>,
    pub action: Option<ActionGroup>,
    /// From this time on (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Up to this time (exclusive).
    pub to: Option<DateTime<Utc>>,
    /// The start of a target's or operator's name or email, ignoring case.
    pub search: Option<String>,
}

impl AuditFilter {
    /// The longest search accepted.
    pub const MAX_SEARCH: usize = 200;

    /// Refuses filters that cannot mean anything: a time range that ends
    /// before it starts, a search longer than any name.
    pub fn check(&self) -> Result<(), Error> {
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if to <= from {
                return Err(Error::InvalidChoice {
                    field: "to",
                    reason: "The time range ends before it starts; choose an end after the start."
                        .into(),
                });
            }
        }
        if self
            .search
            .as_deref()
            .is_some_and(|s| s.chars().count() > Self::MAX_SEARCH)
        {
            return Err(Error::InvalidChoice {
                field: "search",
                reason: format!(
                    "The search is longer than {} characters; shorten it.",
                    Self::MAX_SEARCH
                ),
            });
        }
        Ok(())
    }

    /// The trimmed, lowercased search, if any is left.
    pub fn search_text(&self) -> Option<String> {
        self.search
            .as_deref()
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty())
    }
}

/// Where an audit page ended: the last event's time and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditCursor {
    pub at: i64,
    pub id: i64,
}

impl AuditCursor {
    pub fn encode(&self) -> String {
        format!("{:x}.{:x}", self.at, self.id)
    }

    pub fn decode(token: &str) -> Result<Self, Error> {
        let (at, id) = token.trim().split_once('.').ok_or(Error::InvalidCursor)?;
        let parse = |hex: &str| {
            (hex.len() <= 16)
                .then(|| i64::from_str_radix(hex, 16).ok())
                .flatten()
                .ok_or(Error::InvalidCursor)
        };
        Ok(Self {
            at: parse(at)?,
            id: parse(id)?,
        })
    }
}

/// One page of the audit log, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    /// Pass back as `after` for the next page; `None` on the last page.
    pub next: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_one_group() {
        assert_eq!(
            ActionGroup::of_stored(
                "user.update",
                r#"[{"field":"groups","before":[],"after":["Administrators"]}]"#
            ),
            ActionGroup::Rights
        );
        assert_eq!(
            ActionGroup::of_stored(
                "user.update",
                r#"[{"field":"name","before":"a","after":"b"}]"#
            ),
            ActionGroup::Accounts
        );
        assert_eq!(
            ActionGroup::of_stored("auth.sign_in_failed", "[]"),
            ActionGroup::SignIn
        );
        assert_eq!(
            ActionGroup::of_stored("user.unlock", "[]"),
            ActionGroup::SignIn
        );
        assert_eq!(
            ActionGroup::of_stored("user.reset_password", "[]"),
            ActionGroup::Credentials
        );
        assert_eq!(
            ActionGroup::of_stored("group.delete", "[]"),
            ActionGroup::Rights
        );
        assert_eq!(
            ActionGroup::of_stored("client.search", "[]"),
            ActionGroup::Clients
        );
        assert_eq!(
            ActionGroup::of_stored("settings.mail", "[]"),
            ActionGroup::Settings
        );
        assert_eq!(
            ActionGroup::of_stored("user.create", "not json"),
            ActionGroup::Accounts
        );
    }

    #[test]
    fn unknown_groups_and_targets_are_refused_with_a_sentence() {
        let error = "bogus".parse::<ActionGroup>().unwrap_err();
        assert!(
            error.to_string().contains("is not an action group"),
            "{error}"
        );
        assert_eq!(
            "Sign-in".parse::<ActionGroup>().ok(),
            Some(ActionGroup::SignIn)
        );
        assert!("%".parse::<AuditTarget>().is_err());
        assert_eq!(
            "sign-in".parse::<AuditTarget>().ok(),
            Some(AuditTarget::SignIn)
        );
    }

    #[test]
    fn an_inverted_time_range_is_refused() {
        let now = Utc::now();
        let filter = AuditFilter {
            from: Some(now),
            to: Some(now - chrono::Duration::days(1)),
            ..AuditFilter::default()
        };
        assert!(filter
            .check()
            .unwrap_err()
            .to_string()
            .contains("ends before it starts"));
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursor = AuditCursor {
            at: 1_700_000_000_000,
            id: 42,
        };
        assert_eq!(AuditCursor::decode(&cursor.encode()).ok(), Some(cursor));
        assert!(AuditCursor::decode("zz").is_err());
        assert!(AuditCursor::decode("1.2.3").is_err());
    }
}
