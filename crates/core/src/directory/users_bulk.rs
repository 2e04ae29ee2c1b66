//! Acting on many users at once (`roster users bulk`, the overview's
//! selection): enable, disable, add to or remove from a group, set the
//! supervisor, require a password change, reset two-factor, delete.
//!
//! [`Directory::plan_bulk`] checks every selected user against every rule
//! the one-user action applies (the right, managing someone with more
//! rights, yourself, the last enabled administrator, supervisor circles,
//! a user's last group) and lists the refusals; [`Directory::apply_bulk`]
//! checks again in its own transaction and applies the action to everyone
//! else, in that one transaction, with one audit event per user, as the
//! one-user action writes it. Users the action would not change are
//! counted, not refused. After the commit, the emails the one-user action
//! sends go out too (account disabled, second factor reset), when a mail
//! server is configured.
//!
//! Every bulk action needs `users.view` besides its own right: the
//! selection and the refusals name users. "Select all matching" is applied
//! as planned: [`Directory::apply_bulk_as_planned`] refuses when the users
//! the query finds changed since the plan that was confirmed.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::access::{
    ensure_may_grant_groups, ensure_may_manage_holding, ensure_placed_in_reach, Actor,
};
use super::audit::{change, group_names, removed, user_snapshot};
use super::Directory;
use crate::domain::{GroupId, Permission, PermissionSet, Status, UserId};
use crate::error::{Error, Result};
use crate::mail;
use crate::model::{FieldChange, Group, NewAuditEvent, TargetKind, User, UserFields};
use crate::store::{Tx, TxMode, UserQuery, ADMINISTRATORS};
use crate::Operator;

/// Which users a bulk action is for.
#[derive(Debug, Clone)]
pub enum BulkSelection {
    /// These users (ticked one by one).
    Ids(Vec<UserId>),
    /// Every user the overview's query finds (its search and filters; not
    /// its limit or position).
    Matching(UserQuery),
}

/// What to do to each selected user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum BulkAction {
    Enable,
    Disable,
    AddToGroup { group: GroupId },
    RemoveFromGroup { group: GroupId },
    SetSupervisor { supervisor: Option<UserId> },
    RequirePasswordChange,
    ResetTwoFactor,
    Delete,
}

impl BulkAction {
    /// The rights the action needs besides `users.view`.
    fn permissions(self) -> Vec<Permission> {
        match self {
            // A forced password change is an edit of a credential, as in
            // the edit form.
            BulkAction::RequirePasswordChange => {
                vec![Permission::UsersEdit, Permission::UsersCredentials]
            }
            _ => vec![self.permission()],
        }
    }

    fn permission(self) -> Permission {
        match self {
            BulkAction::Enable | BulkAction::Disable => Permission::UsersDisable,
            BulkAction::AddToGroup { .. }
            | BulkAction::RemoveFromGroup { .. }
            | BulkAction::SetSupervisor { .. } => Permission::UsersEdit,
            BulkAction::RequirePasswordChange | BulkAction::ResetTwoFactor => {
                Permission::UsersCredentials
            }
            BulkAction::Delete => Permission::UsersDelete,
        }
    }
}

/// A selected user the action will not be applied to, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BulkRefusal {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub message: String,
}

/// What a bulk action would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BulkPlan {
    /// Identifies the users the action would change (a digest of their ids
    /// and versions): pass it to [`Directory::apply_bulk_as_planned`].
    pub fingerprint: String,
    /// Users selected (that still exist).
    pub selected: u64,
    /// Users the action would change.
    pub applicable: u64,
    /// Users the action would leave as they are (already so).
    pub unchanged: u64,
    pub refusals: Vec<BulkRefusal>,
}

/// What a bulk action did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BulkReport {
    pub applied: u64,
    pub unchanged: u64,
    pub refusals: Vec<BulkRefusal>,
}

/// The users a plan sorted.
struct Sorted {
    selected: u64,
    apply: Vec<User>,
    unchanged: u64,
    refusals: Vec<BulkRefusal>,
}

/// The longest supervisor chain walked before the data is called corrupt.
const MAX_CHAIN: usize = 100_000;

impl Directory {
    /// Whether `operator` holds the rights `action` needs, before work that
    /// precedes it (the app's backup before bulk work); changes nothing.
    pub async fn may_apply_bulk(&self, operator: &Operator, action: BulkAction) -> Result<()> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        authorize(&mut *tx, operator, action).await.map(drop)
    }

    /// Checks the action against every selected user; changes nothing.
    pub async fn plan_bulk(
        &self,
        operator: &Operator,
        selection: &BulkSelection,
        action: BulkAction,
    ) -> Result<BulkPlan> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        let actor = authorize(&mut *tx, operator, action).await?;
        let sorted = sort(&mut *tx, &actor, selection, action).await?;
        Ok(BulkPlan {
            fingerprint: fingerprint(&sorted.apply),
            selected: sorted.selected,
            applicable: sorted.apply.len() as u64,
            unchanged: sorted.unchanged,
            refusals: sorted.refusals,
        })
    }

    /// Applies the action to every selected user that passes every rule,
    /// in one transaction; the others are returned as refusals.
    pub async fn apply_bulk(
        &self,
        operator: &Operator,
        selection: &BulkSelection,
        action: BulkAction,
    ) -> Result<BulkReport> {
        self.apply(operator, selection, action, None).await
    }

    /// [`Self::apply_bulk`], refused with [`Error::ChangedBySomeoneElse`]
    /// (nothing applied) unless the users it would change are exactly
    /// those of the confirmed plan (`fingerprint`, from [`BulkPlan`]).
    pub async fn apply_bulk_as_planned(
        &self,
        operator: &Operator,
        selection: &BulkSelection,
        action: BulkAction,
        fingerprint: &str,
    ) -> Result<BulkReport> {
        self.apply(operator, selection, action, Some(fingerprint))
            .await
    }

    async fn apply(
        &self,
        operator: &Operator,
        selection: &BulkSelection,
        action: BulkAction,
        planned: Option<&str>,
    ) -> Result<BulkReport> {
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = authorize(&mut *tx, operator, action).await?;
        if matches!(
            action,
            BulkAction::Disable | BulkAction::Delete | BulkAction::RemoveFromGroup { .. }
        ) {
            tx.lock_administrators().await?;
        }
        let sorted = sort(&mut *tx, &actor, selection, action).await?;
        if planned.is_some_and(|planned| planned != fingerprint(&sorted.apply)) {
            return Err(Error::ChangedBySomeoneElse);
        }
        let groups = tx.groups().await?;
        let keep_days = Self::recycle_bin_days(&mut *tx).await?;
        let context = Applying {
            actor: &actor,
            groups: &groups,
            keep_days,
        };
        let now = Self::now();
        if let BulkAction::Enable | BulkAction::Disable = action {
            // One statement per few hundred users: they were read, and
            // judged, in this same writing transaction.
            let status = if action == BulkAction::Enable {
                Status::Enabled
            } else {
                Status::Disabled
            };
            let ids: Vec<UserId> = sorted.apply.iter().map(|u| u.id).collect();
            if tx.set_statuses(&ids, status, now).await? != ids.len() as u64 {
                return Err(Error::ChangedBySomeoneElse);
            }
        }
        let mut events = Vec::with_capacity(sorted.apply.len());
        for user in &sorted.apply {
            apply_one(&mut *tx, &context, user, action, now, &mut events).await?;
        }
        tx.append_audits(&events).await?;
        tx.commit().await?;
        self.mail_after_bulk(&actor, &sorted.apply, action).await;
        Ok(BulkReport {
            applied: sorted.apply.len() as u64,
            unchanged: sorted.unchanged,
            refusals: sorted.refusals,
        })
    }
}

impl Directory {
    /// The emails the one-user action sends, to each user changed.
    async fn mail_after_bulk(&self, actor: &Actor, users: &[User], action: BulkAction) {
        let Some(mailer) = self.mailer() else {
            return;
        };
        for user in users {
            let (what, message) = match action {
                BulkAction::Disable => (
                    "account_disabled",
                    mail::account_disabled(&user.email, user.name.as_str()),
                ),
                BulkAction::ResetTwoFactor => (
                    "two_factor_reset",
                    mail::two_factor_reset(&user.email, user.name.as_str(), user.two_factor),
                ),
                _ => return,
            };
            self.send_after_commit(&*mailer, actor, user, what, &message)
                .await;
        }
    }
}

/// Reloads the operator and checks `users.view` and the action's rights,
/// for everyone or for the operator's team.
async fn authorize(tx: &mut dyn Tx, operator: &Operator, action: BulkAction) -> Result<Actor> {
    let actor = Directory::actor(tx, operator).await?;
    actor.reach(Permission::UsersView)?;
    for permission in action.permissions() {
        actor.reach(permission)?;
    }
    Ok(actor)
}

/// The lead whose team the action is limited to, when one of its rights
/// reaches only the operator's team.
fn action_team(actor: &Actor, action: BulkAction) -> Result<Option<UserId>> {
    let mut team = None;
    for permission in action.permissions() {
        if let Some(lead) = actor.reach(permission)? {
            team = Some(lead);
        }
    }
    Ok(team)
}

/// A digest of the users an action would change, ids and versions.
fn fingerprint(users: &[User]) -> String {
    use blake2::{Blake2s256, Digest};
    let mut digest = Blake2s256::new();
    for user in users {
        digest.update(user.id.0.to_le_bytes());
        digest.update(user.version.to_le_bytes());
    }
    digest
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The selected users, each sorted into applicable, unchanged or refused.
async fn sort(
    tx: &mut dyn Tx,
    actor: &Actor,
    selection: &BulkSelection,
    action: BulkAction,
) -> Result<Sorted> {
    let users = selected_users(tx, actor, selection).await?;
    let groups = tx.groups().await?;
    let team = action_team(actor, action)?;
    if let BulkAction::SetSupervisor { supervisor } = action {
        ensure_placed_in_reach(tx, actor, Permission::UsersEdit, supervisor, "supervisor").await?;
    }
    let group = match action {
        BulkAction::AddToGroup { group } | BulkAction::RemoveFromGroup { group } => {
            let found =
                groups
                    .iter()
                    .find(|g| g.id == group)
                    .ok_or_else(|| Error::GroupNotFound {
                        key: format!("with id {group}"),
                    })?;
            ensure_may_grant_groups(actor, &groups, &[group])?;
            Some(found)
        }
        _ => None,
    };
    let supervisor_chain = match action {
        BulkAction::SetSupervisor {
            supervisor: Some(id),
        } => Some(chain_of(tx, id).await?),
        _ => None,
    };
    let mut enabled_administrators = tx.count_enabled_members(ADMINISTRATORS).await?;
    let mut sorted = Sorted {
        selected: users.len() as u64,
        apply: Vec::new(),
        unchanged: 0,
        refusals: Vec::new(),
    };
    for user in users {
        if let Some(error) = beyond_team(tx, team, &user, action).await? {
            sorted.refusals.push(refusal(&user, &error));
            continue;
        }
        let verdict = judge(
            actor,
            &groups,
            &user,
            action,
            group,
            supervisor_chain.as_ref(),
            &mut enabled_administrators,
        );
        match verdict {
            Verdict::Apply => sorted.apply.push(user),
            Verdict::Unchanged => sorted.unchanged += 1,
            Verdict::Refuse(error) => sorted.refusals.push(refusal(&user, &error)),
        }
    }
    Ok(sorted)
}

fn refusal(user: &User, error: &Error) -> BulkRefusal {
    BulkRefusal {
        id: user.id,
        name: user.name.as_str().to_owned(),
        email: user.email.as_str().to_owned(),
        message: error.to_string(),
    }
}

/// Why an action limited to `team` cannot reach `user`: they are not in
/// it, or deleting them would take their reports out of it.
async fn beyond_team(
    tx: &mut dyn Tx,
    team: Option<UserId>,
    user: &User,
    action: BulkAction,
) -> Result<Option<Error>> {
    let Some(lead) = team else { return Ok(None) };
    if !tx.in_team(lead, user.id).await? {
        return Ok(Some(Error::NotInTeam {
            name: user.name.as_str().to_owned(),
        }));
    }
    if action == BulkAction::Delete && !tx.subordinates(user.id).await?.is_empty() {
        return Ok(Some(Error::WouldLeaveTeam {
            name: user.name.as_str().to_owned(),
        }));
    }
    Ok(None)
}

enum Verdict {
    Apply,
    Unchanged,
    Refuse(Error),
}

/// The chosen supervisor's chain upwards (themselves first): a user on it
/// cannot report to them.
async fn chain_of(tx: &mut dyn Tx, supervisor: UserId) -> Result<HashSet<UserId>> {
    let found = tx
        .user(supervisor)
        .await?
        .ok_or_else(|| Error::UserNotFound {
            key: format!("with id {supervisor} (the chosen supervisor)"),
        })?;
    let mut chain = HashSet::from([found.id]);
    let mut current = tx.supervisor_of(found.id).await?;
    while let Some(id) = current {
        if chain.len() > MAX_CHAIN || !chain.insert(id) {
            break;
        }
        current = tx.supervisor_of(id).await?;
    }
    Ok(chain)
}

fn judge(
    actor: &Actor,
    groups: &[Group],
    user: &User,
    action: BulkAction,
    group: Option<&Group>,
    supervisor_chain: Option<&HashSet<UserId>>,
    enabled_administrators: &mut u64,
) -> Verdict {
    let myself = user.id == actor.user.id;
    // One who may sign in: an expired administrator is counted by nobody.
    let enabled_administrator = user.may_sign_in() && user.is_in(ADMINISTRATORS);
    let unchanged = match action {
        BulkAction::Enable => user.status == Status::Enabled,
        BulkAction::Disable => user.status == Status::Disabled,
        BulkAction::AddToGroup { group } => user.is_in(group),
        BulkAction::RemoveFromGroup { group } => !user.is_in(group),
        BulkAction::SetSupervisor { supervisor } => {
            user.supervisor.as_ref().map(|s| s.id) == supervisor
        }
        BulkAction::RequirePasswordChange => user.must_change_password,
        BulkAction::ResetTwoFactor | BulkAction::Delete => false,
    };
    if unchanged {
        return Verdict::Unchanged;
    }
    let refusal = match action {
        BulkAction::Disable if myself => Some(Error::CannotDisableSelf),
        BulkAction::Delete if myself => Some(Error::CannotDeleteSelf),
        BulkAction::RemoveFromGroup { .. } if user.groups.len() <= 1 => Some(Error::NoGroups),
        BulkAction::SetSupervisor {
            supervisor: Some(id),
        } if id == user.id => Some(Error::SupervisorIsSelf),
        BulkAction::SetSupervisor { .. }
            if supervisor_chain.is_some_and(|chain| chain.contains(&user.id)) =>
        {
            Some(Error::SupervisorCycle {
                supervisor: "The chosen supervisor".into(),
            })
        }
        _ => None,
    };
    if let Some(error) = refusal {
        return Verdict::Refuse(error);
    }
    // The user's permissions from their groups, as the store would sum them.
    let mut holds = PermissionSet::default();
    for group in groups.iter().filter(|g| user.is_in(g.id)) {
        if group.builtin {
            holds = PermissionSet::all();
            break;
        }
        holds.extend(&group.permissions);
    }
    if let Err(error) = ensure_may_manage_holding(actor, user, &holds) {
        return Verdict::Refuse(error);
    }
    let leaves_administrators = enabled_administrator
        && match action {
            BulkAction::Disable | BulkAction::Delete => true,
            BulkAction::RemoveFromGroup { .. } => group.is_some_and(|g| g.id == ADMINISTRATORS),
            _ => false,
        };
    if leaves_administrators {
        if *enabled_administrators <= 1 {
            return Verdict::Refuse(Error::LastAdministrator);
        }
        *enabled_administrators -= 1;
    }
    Verdict::Apply
}

/// Every selected user that exists and that the operator may see, each
/// once, in the selection's order.
async fn selected_users(
    tx: &mut dyn Tx,
    actor: &Actor,
    selection: &BulkSelection,
) -> Result<Vec<User>> {
    let visible_to = actor.reach(Permission::UsersView)?;
    match selection {
        BulkSelection::Ids(ids) => {
            let mut seen = HashSet::new();
            let mut users = Vec::with_capacity(ids.len());
            for id in ids {
                if seen.insert(*id) {
                    if let Some(user) = tx.user(*id).await? {
                        let visible = match visible_to {
                            None => true,
                            Some(lead) => tx.in_team(lead, user.id).await?,
                        };
                        if visible {
                            users.push(user);
                        }
                    }
                }
            }
            Ok(users)
        }
        BulkSelection::Matching(query) => {
            let mut query = UserQuery {
                after: None,
                team_of: visible_to,
                ..query.clone()
            };
            let mut users = Vec::new();
            loop {
                let (page, next) = tx.read_users(&query, UserQuery::READ_LIMIT).await?;
                users.extend(page);
                match next {
                    Some(next) => query.after = Some(next),
                    None => return Ok(users),
                }
            }
        }
    }
}

/// What every user of one bulk action is applied with.
struct Applying<'a> {
    actor: &'a Actor,
    groups: &'a [Group],
    /// The recycle bin's setting, for a delete.
    keep_days: u32,
}

/// Applies the action to one user already judged, adding to `events` the
/// audit events the one-user action writes (the caller appends them all).
async fn apply_one(
    tx: &mut dyn Tx,
    context: &Applying<'_>,
    user: &User,
    action: BulkAction,
    now: chrono::DateTime<chrono::Utc>,
    events: &mut Vec<NewAuditEvent>,
) -> Result<()> {
    let Applying {
        actor,
        groups,
        keep_days,
    } = *context;
    let target = (TargetKind::User, Some(user.id.0), user.email.as_str());
    let audit = |action: &'static str, diff: Vec<FieldChange>| {
        actor.audit(action, target.0, target.1, target.2, diff, now)
    };
    let mut fields = UserFields::of(user);
    let event = match action {
        BulkAction::Enable | BulkAction::Disable => {
            let (status, name) = if action == BulkAction::Enable {
                (Status::Enabled, "user.enable")
            } else {
                (Status::Disabled, "user.disable")
            };
            // Written for all of them at once by the caller.
            audit(
                name,
                change("status", json!(user.status), json!(status))
                    .into_iter()
                    .collect(),
            )
        }
        BulkAction::AddToGroup { group } | BulkAction::RemoveFromGroup { group } => {
            let old = user.group_ids();
            let new: Vec<GroupId> = if matches!(action, BulkAction::AddToGroup { .. }) {
                let mut new = old.clone();
                new.push(group);
                new.sort();
                new
            } else {
                old.iter().copied().filter(|g| *g != group).collect()
            };
            update(tx, user, &fields, now).await?;
            tx.set_memberships(user.id, &new).await?;
            audit(
                "user.update",
                change(
                    "groups",
                    group_names(groups, &old),
                    group_names(groups, &new),
                )
                .into_iter()
                .collect(),
            )
        }
        BulkAction::SetSupervisor { supervisor } => {
            fields.supervisor = supervisor;
            update(tx, user, &fields, now).await?;
            let after = match supervisor {
                Some(id) => tx.user(id).await?.map(|s| json!(s.email.as_str())),
                None => None,
            };
            let before = user.supervisor.as_ref().map(|s| json!(s.email.as_str()));
            audit(
                "user.update",
                change(
                    "supervisor",
                    before.unwrap_or(serde_json::Value::Null),
                    after.unwrap_or(serde_json::Value::Null),
                )
                .into_iter()
                .collect(),
            )
        }
        BulkAction::RequirePasswordChange => {
            fields.must_change_password = true;
            update(tx, user, &fields, now).await?;
            audit(
                "user.update",
                change("must_change_password", json!(false), json!(true))
                    .into_iter()
                    .collect(),
            )
        }
        BulkAction::ResetTwoFactor => {
            tx.clear_two_factor(user.id).await?;
            audit("user.reset_two_factor", Vec::new())
        }
        BulkAction::Delete => {
            for subordinate in tx.subordinates(user.id).await? {
                let diff = vec![FieldChange {
                    field: "supervisor".into(),
                    before: json!(user.email.as_str()),
                    after: serde_json::Value::Null,
                }];
                events.push(actor.audit(
                    "user.update",
                    TargetKind::User,
                    Some(subordinate.id.0),
                    subordinate.email.as_str(),
                    diff,
                    now,
                ));
            }
            tx.release_subordinates(user.id, now).await?;
            if !Directory::remove_user(tx, keep_days, actor, user.id, now).await? {
                return Err(Error::ChangedBySomeoneElse);
            }
            audit("user.delete", removed(user_snapshot(user)))
        }
    };
    events.push(event);
    Ok(())
}

async fn update(
    tx: &mut dyn Tx,
    user: &User,
    fields: &UserFields,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    if tx
        .update_user_settings(user.id, user.version, fields, now)
        .await?
    {
        Ok(())
    } else {
        Err(Error::ChangedBySomeoneElse)
    }
}
