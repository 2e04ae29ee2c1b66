//! Whether the accounts that hold every right are protected: enabled
//! administrators who sign in without a second factor, for the warning the
//! users overview and Settings show.

use serde::Serialize;

use crate::directory::{Directory, Operator};
use crate::domain::{Permission, Scope, Status, TwoFactor};
use crate::error::Result;
use crate::model::UserRef;
use crate::store::{TxMode, UserQuery, ADMINISTRATORS};

/// Who may hear that an administrator is unprotected: those who see the
/// users, and those who manage the settings (second factors among them).
const MAY_SEE: &[Permission] = &[Permission::UsersView, Permission::SettingsManage];

/// Enabled administrators whose second factor is off.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdministratorsWithoutSecondFactor {
    pub count: u64,
    /// Who they are, for an operator who may view users (sorted by name);
    /// `None` for one who manages settings only: they learn the count.
    pub administrators: Option<Vec<UserRef>>,
}

impl AdministratorsWithoutSecondFactor {
    /// True while at least one such administrator exists.
    pub fn any(&self) -> bool {
        self.count > 0
    }
}

impl Directory {
    /// The enabled members of Administrators whose two-factor method is off
    /// (disabled ones cannot sign in, and an authenticator still to be set
    /// up is demanded at the next sign-in, so neither counts). Needs
    /// `users.view` or `settings.manage`; names only with `users.view`.
    pub async fn administrators_without_second_factor(
        &self,
        operator: &Operator,
    ) -> Result<AdministratorsWithoutSecondFactor> {
        let mut tx = self.store().begin(TxMode::Read).await?;
        let actor = Self::actor(&mut *tx, operator).await?;
        actor.require_any(MAY_SEE)?;
        let mut unprotected = Vec::new();
        let mut query = UserQuery {
            group: Some(ADMINISTRATORS),
            status: Some(Status::Enabled.into()),
            ..UserQuery::default()
        };
        loop {
            let (page, next) = tx.read_users(&query, UserQuery::READ_LIMIT).await?;
            unprotected.extend(
                page.into_iter()
                    .filter(|user| user.two_factor == TwoFactor::Off)
                    .map(|user| UserRef {
                        id: user.id,
                        name: user.name,
                        email: user.email,
                    }),
            );
            match next {
                Some(next) => query.after = Some(next),
                None => break,
            }
        }
        let count = u64::try_from(unprotected.len()).unwrap_or(u64::MAX);
        // Names for one who sees every user; one who sees a team learns
        // the count.
        let administrators = actor
            .permissions
            .covers(Permission::UsersView, Scope::All)
            .then_some(unprotected);
        Ok(AdministratorsWithoutSecondFactor {
            count,
            administrators,
        })
    }
}
