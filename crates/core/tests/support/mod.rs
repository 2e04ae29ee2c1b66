//! Test fixtures: a fresh directory on a real SQLite file, and helpers that
//! let each test state only what matters.

#![allow(dead_code)]

use std::sync::Arc;

use roster_core::directory::{Created, NewUser, PasswordChoice};
use roster_core::domain::{GroupId, Permission, PermissionSet, Status, UserId};
use roster_core::model::{AuditEvent, AuditQuery, Group, User};
use roster_core::password::PlainPassword;
use roster_core::store::sqlite::SqliteStore;
use roster_core::store::{Store, UserQuery};
use roster_core::{Directory, Operator};

/// A password that passes the default policy for any test user.
pub const GOOD_PASSWORD: &str = "violet-harbour-lantern-42";

pub struct World {
    pub directory: Directory,
    pub admin: Operator,
    pub admin_id: UserId,
    _dir: tempfile::TempDir,
}

impl World {
    /// A new directory in a temporary SQLite file, with its first administrator.
    pub async fn new() -> World {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open(&dir.path().join("roster.sqlite3")).expect("open store");
        let store: Arc<dyn Store> = Arc::new(store);
        let directory = Directory::new(store);
        let created = directory
            .initialize("Ada Admin", "ada@example.com", password(GOOD_PASSWORD))
            .await
            .expect("initialize");
        let admin = directory
            .act_as("ada@example.com")
            .await
            .expect("act as admin");
        World {
            directory,
            admin,
            admin_id: created.user.id,
            _dir: dir,
        }
    }

    /// Creates a group holding `permissions`, as the administrator.
    pub async fn group(&self, name: &str, permissions: &[Permission]) -> Group {
        self.directory
            .create_group(
                &self.admin,
                name,
                "",
                permissions.iter().copied().collect::<PermissionSet>(),
            )
            .await
            .expect("create group")
    }

    /// Creates an enabled user in `groups`, as the administrator.
    pub async fn user_in(&self, name: &str, groups: &[GroupId]) -> User {
        self.directory
            .create_user(&self.admin, new_user(name, groups))
            .await
            .expect("create user")
            .user
    }

    /// A user who holds exactly `permissions` (through a group of their own),
    /// and the operator that acts as them.
    pub async fn operator_with(&self, name: &str, permissions: &[Permission]) -> (User, Operator) {
        let group = self.group(&format!("{name} group"), permissions).await;
        let user = self.user_in(name, &[group.id]).await;
        let operator = self
            .directory
            .act_as(user.email.as_str())
            .await
            .expect("act as");
        (user, operator)
    }

    /// A second enabled administrator.
    pub async fn second_admin(&self, name: &str) -> (User, Operator) {
        let user = self
            .user_in(name, &[roster_core::store::ADMINISTRATORS])
            .await;
        let operator = self
            .directory
            .act_as(user.email.as_str())
            .await
            .expect("act as");
        (user, operator)
    }

    pub async fn reload(&self, user: &User) -> User {
        self.directory
            .user(&self.admin, user.id)
            .await
            .expect("reload user")
    }

    /// Everything a change could touch, to compare before and after a refusal.
    pub async fn snapshot(&self) -> Snapshot {
        let mut users = Vec::new();
        let mut query = UserQuery {
            limit: 500,
            ..UserQuery::default()
        };
        loop {
            let page = self
                .directory
                .list_users(&self.admin, &query)
                .await
                .expect("list");
            users.extend(page.users);
            match page.next {
                Some(next) => query.after = Some(next),
                None => break,
            }
        }
        let groups = self.directory.groups(&self.admin).await.expect("groups");
        let audit = self.audit(None).await;
        Snapshot {
            users,
            groups,
            audit,
        }
    }

    pub async fn audit(&self, target: Option<&str>) -> Vec<AuditEvent> {
        self.directory
            .audit_events(
                &self.admin,
                &AuditQuery {
                    target_label: target.map(str::to_owned),
                    limit: 10_000,
                    ..AuditQuery::default()
                },
            )
            .await
            .expect("audit")
    }
}

#[derive(Debug, PartialEq)]
pub struct Snapshot {
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub audit: Vec<AuditEvent>,
}

pub fn password(text: &str) -> PasswordChoice {
    PasswordChoice::Given(PlainPassword::new(text))
}

/// The email a fixture user named `name` gets: `ann.lee@example.com` for "Ann Lee".
pub fn email_of(name: &str) -> String {
    format!("{}@example.com", name.to_lowercase().replace(' ', "."))
}

pub fn new_user(name: &str, groups: &[GroupId]) -> NewUser {
    NewUser {
        name: name.to_owned(),
        email: email_of(name),
        groups: groups.to_vec(),
        supervisor: None,
        status: Status::Enabled,
        password: password(GOOD_PASSWORD),
        must_change_password: false,
        mask_client_data: false,
        // Signing in as fixture users needs no second factor; tests of
        // two-factor choose it.
        two_factor: Some(roster_core::domain::TwoFactor::Off),
    }
}

pub fn created_user(created: Created) -> User {
    created.user
}
