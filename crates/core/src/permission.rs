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

/// A set of permissions, kept sorted so it prints and compares stably.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PermissionSet(std::collections::BTreeSet<Permission>);

impl PermissionSet {
    pub fn all() -> Self {
        Self(Permission::ALL.iter().copied().collect())
    }

    pub fn contains(&self, permission: Permission) -> bool {
        self.0.contains(&permission)
    }

    pub fn insert(&mut self, permission: Permission) {
        self.0.insert(permission);
    }

    pub fn extend(&mut self, other: &PermissionSet) {
        self.0.extend(other.0.iter().copied());
    }

    pub fn is_subset(&self, other: &PermissionSet) -> bool {
        self.0.is_subset(&other.0)
    }

    /// The permissions in `self` that `other` lacks.
    pub fn missing_from(&self, other: &PermissionSet) -> Vec<Permission> {
        self.0.difference(&other.0).copied().collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = Permission> + '_ {
        self.0.iter().copied()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}
