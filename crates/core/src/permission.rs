//! The catalogue of rights a group can carry, and sets of them: a leaf
//! that imports nothing of the crate (the error type names a permission,
//! and parses codes with [`Permission::from_code`]). Re-exported as
//! `crate::domain::{Permission, PermissionSet}`.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

macro_rules! permissions {
    ($($variant:ident => $code:literal, $area:literal, $label:literal;)+) => {
        /// The fixed catalogue of rights a group can carry.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Permission {
            $($variant,)+
        }

        impl Permission {
            /// Every permission, in catalogue order.
            pub const ALL: &'static [Permission] = &[$(Permission::$variant,)+];

            /// The stable code stored in the database and shown in the CLI, e.g. `users.view`.
            pub fn code(self) -> &'static str {
                match self { $(Permission::$variant => $code,)+ }
            }

            /// The area the UI groups the permission under, e.g. "Users".
            pub fn area(self) -> &'static str {
                match self { $(Permission::$variant => $area,)+ }
            }

            /// What holding it allows, as a short phrase for people.
            pub fn label(self) -> &'static str {
                match self { $(Permission::$variant => $label,)+ }
            }
        }

        impl Permission {
            /// The permission whose code is `code` (surrounding spaces
            /// ignored); `str::parse` says which code is unknown.
            pub fn from_code(code: &str) -> Option<Permission> {
                match code.trim() {
                    $($code => Some(Permission::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

permissions! {
    UsersView => "users.view", "Users", "view users";
    UsersCreate => "users.create", "Users", "create users";
    UsersEdit => "users.edit", "Users", "edit users";
    UsersDisable => "users.disable", "Users", "enable and disable users";
    UsersDelete => "users.delete", "Users", "delete users";
    UsersCredentials => "users.credentials", "Users", "reset passwords and two-factor, unlock users";
    GroupsManage => "groups.manage", "Groups", "manage groups and their permissions";
    ClientsView => "clients.view", "Clients", "view clients";
    ClientsManage => "clients.manage", "Clients", "create, edit and import clients";
    AuditView => "audit.view", "Audit", "view the audit log";
    SettingsManage => "settings.manage", "Settings", "change settings";
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Permission {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Permission::from_code(&code).ok_or_else(|| {
            serde::de::Error::custom(format!("“{}” is not a permission.", code.trim()))
        })
    }
}

/// How far a permission reaches: everyone, or the holder's team — the
/// holder and their reports, direct and indirect, through the supervisor
/// tree (for clients: those whose account manager is in that team).
/// `Team` is the narrower, so `Team < All`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Team,
    All,
}

impl Scope {
    /// The code stored in the database: `all` or `team`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Team => "team",
            Scope::All => "all",
        }
    }

    pub fn parse(code: &str) -> Option<Scope> {
        match code.trim() {
            "team" => Some(Scope::Team),
            "all" => Some(Scope::All),
            _ => None,
        }
    }
}

impl Permission {
    /// Whether a group may grant it for a team only: the rights on users,
    /// and on clients (those whose account manager is in the team). The
    /// others always reach everything.
    pub fn scopable(self) -> bool {
        matches!(self.area(), "Users" | "Clients")
    }
}

/// One permission and its reach, written `users.edit` (everyone) or
/// `users.edit:team` in the command line, the app and backups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Grant {
    pub permission: Permission,
    pub scope: Scope,
}

impl Grant {
    /// Reads `code` or `code:team` (or `code:all`); `None` for an unknown
    /// code or scope, or a team scope on a permission that has none.
    pub fn parse(text: &str) -> Option<Grant> {
        let text = text.trim();
        let (code, scope) = match text.split_once(':') {
            Some((code, scope)) => (code, Scope::parse(scope)?),
            None => (text, Scope::All),
        };
        let permission = Permission::from_code(code)?;
        if scope == Scope::Team && !permission.scopable() {
            return None;
        }
        Some(Grant { permission, scope })
    }
}

impl fmt::Display for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.scope {
            Scope::All => f.write_str(self.permission.code()),
            Scope::Team => write!(f, "{}:team", self.permission.code()),
        }
    }
}

impl Serialize for Grant {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Grant {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Grant::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "“{}” is not a permission that can be granted (a team scope, “:team”, fits only \
                 the rights on users and clients).",
                text.trim()
            ))
        })
    }
}

/// A set of permissions, each with its reach, kept sorted so it prints and
/// compares stably. Serialized as its grants (`users.view`,
/// `users.edit:team`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PermissionSet(std::collections::BTreeMap<Permission, Scope>);

impl PermissionSet {
    pub fn all() -> Self {
        Self(Permission::ALL.iter().map(|p| (*p, Scope::All)).collect())
    }

    /// Held, for everyone or for a team.
    pub fn contains(&self, permission: Permission) -> bool {
        self.0.contains_key(&permission)
    }

    /// How far `permission` reaches, if it is held at all.
    pub fn scope(&self, permission: Permission) -> Option<Scope> {
        self.0.get(&permission).copied()
    }

    /// Held at least as far as `scope`.
    pub fn covers(&self, permission: Permission, scope: Scope) -> bool {
        self.scope(permission).is_some_and(|held| held >= scope)
    }

    /// Adds `permission` for everyone.
    pub fn insert(&mut self, permission: Permission) {
        self.grant(Grant {
            permission,
            scope: Scope::All,
        });
    }

    /// Adds a grant; the wider reach wins, and a permission that cannot be
    /// scoped reaches everyone.
    pub fn grant(&mut self, grant: Grant) {
        let scope = if grant.permission.scopable() {
            grant.scope
        } else {
            Scope::All
        };
        let held = self.0.entry(grant.permission).or_insert(scope);
        *held = (*held).max(scope);
    }

    pub fn extend(&mut self, other: &PermissionSet) {
        for grant in other.grants() {
            self.grant(grant);
        }
    }

    /// Every permission of `self` is held by `other` at least as far.
    pub fn is_subset(&self, other: &PermissionSet) -> bool {
        self.grants().all(|g| other.covers(g.permission, g.scope))
    }

    /// The permissions in `self` that `other` lacks, or holds less far.
    pub fn missing_from(&self, other: &PermissionSet) -> Vec<Permission> {
        self.grants()
            .filter(|g| !other.covers(g.permission, g.scope))
            .map(|g| g.permission)
            .collect()
    }

    /// The permissions held, whatever their reach.
    pub fn iter(&self) -> impl Iterator<Item = Permission> + '_ {
        self.0.keys().copied()
    }

    pub fn grants(&self) -> impl Iterator<Item = Grant> + '_ {
        self.0.iter().map(|(permission, scope)| Grant {
            permission: *permission,
            scope: *scope,
        })
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for PermissionSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.grants())
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        let mut set = Self::default();
        for permission in iter {
            set.insert(permission);
        }
        set
    }
}

impl FromIterator<Grant> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Grant>>(iter: I) -> Self {
        let mut set = Self::default();
        for grant in iter {
            set.grant(grant);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(text: &str) -> Grant {
        Grant::parse(text).unwrap_or_else(|| panic!("{text} parses"))
    }

    #[test]
    fn a_team_grant_is_narrower_than_one_for_everyone() {
        let team: PermissionSet = [grant("users.edit:team")].into_iter().collect();
        let all: PermissionSet = [grant("users.edit")].into_iter().collect();
        assert!(team.is_subset(&all));
        assert!(!all.is_subset(&team));
        assert_eq!(all.missing_from(&team), vec![Permission::UsersEdit]);
        let mut both = team.clone();
        both.extend(&all);
        assert_eq!(both.scope(Permission::UsersEdit), Some(Scope::All));
    }

    #[test]
    fn only_rights_on_users_and_clients_take_a_team_scope() {
        assert!(Grant::parse("users.delete:team").is_some());
        assert!(Grant::parse("clients.view:team").is_some());
        assert!(Grant::parse("settings.manage:team").is_none());
        assert!(Grant::parse("users.view:everyone").is_none());
        assert_eq!(grant(" users.view:all ").to_string(), "users.view");
        assert_eq!(grant("users.view:team").to_string(), "users.view:team");
    }
}
