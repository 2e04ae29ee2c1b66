//! Who acts, and what they may do: the [`Operator`] a call names, the
//! [`PendingSignIn`] still owing a second factor, the [`Actor`] loaded in a
//! transaction, and the rights checks as functions of them. A leaf: it
//! imports no service file.

use chrono::{DateTime, Utc};

use crate::domain::{GroupId, Permission, PermissionSet, Scope, UserId};
use crate::error::{Error, Result};
use crate::model::{FieldChange, Group, NewAuditEvent, TargetKind, User};
use crate::store::Tx;

/// The signed-in user a call acts for. Only the core makes one: by sign-in,
/// or by the command line's audited recovery path on a local file
/// ([`Directory::recover_as`](super::Directory::recover_as)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator {
    pub(super) id: UserId,
    /// Acting without a sign-in: every audit event says so.
    pub(super) recovery: bool,
}

impl Operator {
    pub fn id(&self) -> UserId {
        self.id
    }
}

/// A password that was accepted for a user whose second factor is still
/// owed. Only the core makes one, and only
/// [`Directory::verify_second_factor`](super::Directory::verify_second_factor)
/// or
/// [`Directory::finish_totp_enrolment`](super::Directory::finish_totp_enrolment)
/// turn it into an [`Operator`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingSignIn {
    pub(super) id: UserId,
}

impl PendingSignIn {
    pub fn user_id(&self) -> UserId {
        self.id
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
pub(super) const USER_AREA: &[Permission] = &[
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

    /// Requires `permission` for everyone: a right held for a team only
    /// does not pass, so a path that does not check the team refuses.
    pub(crate) fn require(&self, permission: Permission) -> Result<()> {
        match self.permissions.scope(permission) {
            Some(Scope::All) => Ok(()),
            Some(Scope::Team) => Err(Error::OnlyForTeam { permission }),
            None => Err(Error::PermissionDenied { permission }),
        }
    }

    /// Requires `permission` at any reach, and says how far: `None` for
    /// everyone, `Some(lead)` for the team of `lead` (the operator).
    pub(crate) fn reach(&self, permission: Permission) -> Result<Option<UserId>> {
        match self.permissions.scope(permission) {
            Some(Scope::All) => Ok(None),
            Some(Scope::Team) => Ok(Some(self.user.id)),
            None => Err(Error::PermissionDenied { permission }),
        }
    }

    /// The widest reach of any of `permissions` (see [`Actor::reach`]).
    pub(crate) fn reach_any(&self, permissions: &[Permission]) -> Result<Option<UserId>> {
        let widest = permissions
            .iter()
            .filter_map(|p| self.permissions.scope(*p))
            .max();
        match widest {
            Some(Scope::All) => Ok(None),
            Some(Scope::Team) => Ok(Some(self.user.id)),
            None => Err(Error::PermissionDenied {
                permission: permissions
                    .first()
                    .copied()
                    .unwrap_or(Permission::UsersView),
            }),
        }
    }

    /// How the audit log names this operator.
    pub(crate) fn label(&self) -> String {
        if self.recovery {
            format!("{} (recovery, no sign-in)", self.user.email.as_str())
        } else {
            self.user.email.as_str().to_owned()
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
            operator_label: self.label(),
            action,
            target_kind,
            target_id,
            target_label: target_label.to_owned(),
            changes,
        }
    }
}

/// Refuses `permission` on `target` when the operator holds it for their
/// team only and `target` is not in it. Someone the operator cannot even
/// see is not named: they are "not found", as if they did not exist.
pub(super) async fn ensure_reaches(
    tx: &mut dyn Tx,
    actor: &Actor,
    permission: Permission,
    target: &User,
) -> Result<()> {
    let Some(lead) = actor.reach(permission)? else {
        return Ok(());
    };
    if tx.in_team(lead, target.id).await? {
        return Ok(());
    }
    if actor.permissions.covers(Permission::UsersView, Scope::All) {
        Err(Error::NotInTeam {
            name: target.name.as_str().to_owned(),
        })
    } else {
        Err(Error::UserNotFound {
            key: format!("with id {}", target.id),
        })
    }
}

/// Whether the operator may see `target` at all (`users.view`, for
/// everyone or for a team that holds them).
pub(super) async fn ensure_visible(tx: &mut dyn Tx, actor: &Actor, target: &User) -> Result<()> {
    ensure_reaches(tx, actor, Permission::UsersView, target).await
}

/// Refuses to place someone (as supervisor, or as a client's account
/// manager) outside the operator's team when `permission` reaches only
/// that team: nobody moves a person, or a client, out of their own reach.
pub(super) async fn ensure_placed_in_reach(
    tx: &mut dyn Tx,
    actor: &Actor,
    permission: Permission,
    placed_under: Option<UserId>,
    role: &'static str,
) -> Result<()> {
    let Some(lead) = actor.reach(permission)? else {
        return Ok(());
    };
    match placed_under {
        Some(user) if tx.in_team(lead, user).await? => Ok(()),
        _ => Err(Error::OutsideTeam { role }),
    }
}

pub(super) fn ensure_holds(actor: &Actor, permissions: &PermissionSet) -> Result<()> {
    match permissions.missing_from(&actor.permissions).first() {
        Some(missing) => Err(Error::CannotGrant {
            what: format!("the permission {}", missing.code()),
        }),
        None => Ok(()),
    }
}

/// Refuses to let `actor` manage `target` when the target holds rights the
/// actor lacks: otherwise a password reset would be a way to those rights.
pub(super) async fn ensure_may_manage(tx: &mut dyn Tx, actor: &Actor, target: &User) -> Result<()> {
    if actor.user.id == target.id {
        return Ok(());
    }
    let target_permissions = tx.user_permissions(target.id).await?;
    ensure_may_manage_holding(actor, target, &target_permissions)
}

/// [`ensure_may_manage`] when the target's permissions are known (from
/// their groups).
pub(super) fn ensure_may_manage_holding(
    actor: &Actor,
    target: &User,
    target_permissions: &PermissionSet,
) -> Result<()> {
    if actor.user.id == target.id {
        return Ok(());
    }
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
pub(super) fn ensure_may_grant_groups(
    actor: &Actor,
    groups: &[Group],
    changed: &[GroupId],
) -> Result<()> {
    for id in changed {
        let group = groups
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

pub(super) fn ensure_may_grant_unmasked(actor: &Actor, mask_client_data: bool) -> Result<()> {
    if actor.user.mask_client_data && !mask_client_data {
        return Err(Error::CannotGrant {
            what: "unmasked client data".into(),
        });
    }
    Ok(())
}

/// Refuses a masked operator any call that enters client personal data.
pub(super) fn ensure_unmasked(actor: &Actor) -> Result<()> {
    if actor.user.mask_client_data {
        Err(Error::ClientDataMasked)
    } else {
        Ok(())
    }
}
