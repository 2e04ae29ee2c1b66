//! The user services: create, read, list, edit, enable or disable, and
//! delete users. Here live the rules on emails (unique ignoring case),
//! supervisors (another existing user, no cycle), the last enabled
//! administrator, and nobody lowering their own sign-in security or
//! disabling or deleting themselves.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::json;

use super::access::{
    ensure_may_grant_groups, ensure_may_grant_unmasked, ensure_may_manage, ensure_placed_in_reach,
    ensure_reaches, ensure_visible, Actor, Operator, USER_AREA,
};
use super::audit::{change, group_names, removed, user_diff, user_snapshot};
use super::{ensure_method_works, Created, Directory, PasswordChoice};
use crate::domain::{Email, GroupId, Permission, Status, TwoFactor, UserId, UserName, ValidUntil};
use crate::error::{Error, Result};
use crate::mail::{self, CredentialsOccasion, Delivery};
use crate::model::{FieldChange, Group, TargetKind, User, UserFields};
use crate::permission::Scope;
use crate::store::{StoreError, Total, Tx, TxMode, UserPage, UserQuery, ADMINISTRATORS};

/// What an operator may do to one user ([`Directory::user_with_rights`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UserRights {
    pub edit: bool,
    pub disable: bool,
    /// Reset the password or the second factor, unlock.
    pub credentials: bool,
    pub delete: bool,
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
    /// The last day the account may sign in on, as typed (`YYYY-MM-DD`);
    /// `None` for no end. A day already past is allowed: the account starts
    /// expired (`User::expired`), which the form and the CLI point out.
    pub valid_until: Option<String>,
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
    /// `Some(None)` removes the end date; `Some(Some(day))` sets it, as
    /// typed (`YYYY-MM-DD`). Extending a passed date revives the account.
    pub valid_until: Option<Option<String>>,
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

/// The longest supervisor chain walked before the data is called corrupt.
const MAX_SUPERVISOR_CHAIN: usize = 100_000;

impl Directory {
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
        let valid_until = new
            .valid_until
            .as_deref()
            .map(ValidUntil::parse)
            .transpose()?;
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::actor(&mut *tx, operator).await?;
        // One who creates for their team places the new user in it.
        if actor.reach(Permission::UsersCreate)?.is_some() {
            ensure_placed_in_reach(
                &mut *tx,
                &actor,
                Permission::UsersCreate,
                new.supervisor,
                "supervisor",
            )
            .await?;
        }
        let mailer = self.credentials_mailer(send_credentials)?;
        let all_groups = tx.groups().await?;
        let groups = checked_groups(&all_groups, &new.groups)?;
        ensure_may_grant_groups(&actor, &all_groups, &groups)?;
        ensure_may_grant_unmasked(&actor, new.mask_client_data)?;
        if let Some(supervisor) = new.supervisor {
            check_supervisor(&mut *tx, None, supervisor).await?;
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
        let company = Self::company_name(&mut *tx).await?;
        let (hash, password, generated) =
            self.choose_password_keeping(&policy, company.as_deref(), new.password, &name, &email)?;
        let now = Self::now();
        let fields = UserFields {
            name,
            email,
            status: new.status,
            supervisor: new.supervisor,
            must_change_password: new.must_change_password,
            mask_client_data: new.mask_client_data,
            two_factor,
            valid_until,
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
        Self::visible_user(&mut *tx, operator, id)
            .await
            .map(|(_, user)| user)
    }

    /// The user `id` as `operator` may see them (`users.view`, for everyone
    /// or for a team that holds them), and the operator's rights.
    async fn visible_user(
        tx: &mut dyn Tx,
        operator: &Operator,
        id: UserId,
    ) -> Result<(Actor, User)> {
        let actor = Self::authorize_reach(tx, operator, Permission::UsersView).await?;
        let user = Self::existing_user(tx, id).await?;
        ensure_visible(tx, &actor, &user).await?;
        Ok((actor, user))
    }

    /// [`Directory::user`], with what the operator may do to them: each
    /// right held for everyone, or for a team that holds them. (Each action
    /// is still checked as it is taken: yourself, the last administrator.)
    pub async fn user_with_rights(
        &self,
        operator: &Operator,
        id: UserId,
    ) -> Result<(User, UserRights)> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        let (actor, user) = Self::visible_user(&mut *tx, operator, id).await?;
        const ACTIONS: [Permission; 4] = [
            Permission::UsersEdit,
            Permission::UsersDisable,
            Permission::UsersCredentials,
            Permission::UsersDelete,
        ];
        let for_team = ACTIONS
            .iter()
            .any(|p| actor.permissions.scope(*p) == Some(Scope::Team));
        let in_team = for_team && tx.in_team(actor.user.id, user.id).await?;
        let may = |permission| match actor.permissions.scope(permission) {
            Some(Scope::All) => true,
            Some(Scope::Team) => in_team,
            None => false,
        };
        let rights = UserRights {
            edit: may(Permission::UsersEdit),
            disable: may(Permission::UsersDisable),
            credentials: may(Permission::UsersCredentials),
            delete: may(Permission::UsersDelete),
        };
        Ok((user, rights))
    }

    /// Finds a user's whole record by email: like [`Directory::user`], it
    /// needs `users.view`.
    pub async fn user_by_email(&self, operator: &Operator, email: &str) -> Result<User> {
        let email = Email::parse(email)?;
        let mut tx = self.store.begin(TxMode::Read).await?;
        let actor = Self::authorize_reach(&mut *tx, operator, Permission::UsersView).await?;
        let id = Self::user_id_by_email(&mut *tx, &email).await?;
        let user = Self::existing_user(&mut *tx, id).await?;
        ensure_visible(&mut *tx, &actor, &user).await?;
        Ok(user)
    }

    /// Names a user for an action: their id, version, name and email, and
    /// nothing more. Anyone who may act on users may look one up (the command
    /// line names users by email for every action); the whole record needs
    /// `users.view` ([`Directory::user_by_email`]).
    pub async fn user_handle(&self, operator: &Operator, email: &str) -> Result<UserHandle> {
        let email = Email::parse(email)?;
        let mut tx = self.store.begin(TxMode::Read).await?;
        let actor = Self::actor(&mut *tx, operator).await?;
        let team = actor.reach_any(USER_AREA)?;
        let id = Self::user_id_by_email(&mut *tx, &email).await?;
        let user = Self::existing_user(&mut *tx, id).await?;
        // One whose rights reach only their team finds nobody else.
        if let Some(lead) = team {
            if !tx.in_team(lead, user.id).await? {
                return Err(Error::UserNotFound {
                    key: email.as_str().to_owned(),
                });
            }
        }
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
        let actor = Self::actor(&mut *tx, operator).await?;
        let mut query = query.clone();
        query.team_of = actor.reach(Permission::UsersView)?;
        if query.limit == 0 {
            query.limit = UserQuery::DEFAULT_LIMIT;
        }
        query.limit = query.limit.min(UserQuery::MAX_LIMIT);
        Ok(tx.list_users(&query).await?)
    }

    /// The total of the users overview's `query` (its cursor ignored)
    /// counted in full, up to the overview's cap: what a page whose
    /// `counting` is set said only "more than" of. The same right and
    /// reach as the page.
    pub async fn count_users(&self, operator: &Operator, query: &UserQuery) -> Result<Total> {
        let mut tx = self.store.begin(TxMode::Read).await?;
        let actor = Self::actor(&mut *tx, operator).await?;
        let query = UserQuery {
            after: None,
            team_of: actor.reach(Permission::UsersView)?,
            ..query.clone()
        };
        Ok(tx.count_listed_users(&query).await?)
    }

    pub async fn update_user(
        &self,
        operator: &Operator,
        id: UserId,
        changes: UserChanges,
    ) -> Result<User> {
        let name = changes.name.as_deref().map(UserName::parse).transpose()?;
        let email = changes.email.as_deref().map(Email::parse).transpose()?;
        let valid_until = changes
            .valid_until
            .as_ref()
            .map(|day| day.as_deref().map(ValidUntil::parse).transpose())
            .transpose()?;
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::authorize_reach(&mut *tx, operator, Permission::UsersEdit).await?;
        let before = Self::existing_user(&mut *tx, id).await?;
        ensure_reaches(&mut *tx, &actor, Permission::UsersEdit, &before).await?;
        if before.version != changes.version {
            return Err(Error::ChangedBySomeoneElse);
        }
        ensure_may_manage(&mut *tx, &actor, &before).await?;

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
            if supervisor != before.supervisor.as_ref().map(|s| s.id) {
                // Within a team, nobody is moved out of it.
                ensure_placed_in_reach(
                    &mut *tx,
                    &actor,
                    Permission::UsersEdit,
                    supervisor,
                    "supervisor",
                )
                .await?;
                if let Some(supervisor) = supervisor {
                    check_supervisor(&mut *tx, Some(id), supervisor).await?;
                }
            }
            fields.supervisor = supervisor;
        }
        if let Some(mask) = changes.mask_client_data {
            ensure_may_grant_unmasked(&actor, mask)?;
            fields.mask_client_data = mask;
        }
        if let Some(valid_until) = valid_until {
            fields.valid_until = valid_until;
        }
        // "Must change password" and the second factor are credentials: they
        // need `users.credentials` besides `users.edit`, and nobody lowers
        // their own sign-in security through an edit.
        let forced_change = changes
            .must_change_password
            .filter(|flag| *flag != before.must_change_password);
        let method = changes.two_factor.filter(|m| *m != before.two_factor);
        if forced_change.is_some() || method.is_some() {
            ensure_reaches(&mut *tx, &actor, Permission::UsersCredentials, &before).await?;
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
            Some(ids) => checked_groups(&all_groups, ids)?,
            None => old_groups.clone(),
        };
        let changed_groups: Vec<GroupId> = old_groups
            .iter()
            .filter(|g| !new_groups.contains(g))
            .chain(new_groups.iter().filter(|g| !old_groups.contains(g)))
            .copied()
            .collect();
        ensure_may_grant_groups(&actor, &all_groups, &changed_groups)?;
        // An administrator who may sign in stops being one by leaving the
        // group, or by an end date that has already passed.
        let leaves_administrators =
            old_groups.contains(&ADMINISTRATORS) && !new_groups.contains(&ADMINISTRATORS);
        let ends_now = fields
            .valid_until
            .is_some_and(|day| day.has_passed(Self::now()));
        if (leaves_administrators || (ends_now && old_groups.contains(&ADMINISTRATORS)))
            && before.may_sign_in()
        {
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
        let actor = Self::authorize_reach(&mut *tx, operator, Permission::UsersDisable).await?;
        let before = Self::existing_user(&mut *tx, id).await?;
        ensure_reaches(&mut *tx, &actor, Permission::UsersDisable, &before).await?;
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
            if before.is_in(ADMINISTRATORS) && before.may_sign_in() {
                tx.lock_administrators().await?;
                if tx.count_enabled_members(ADMINISTRATORS).await? <= 1 {
                    return Err(Error::LastAdministrator);
                }
            }
        }
        ensure_may_manage(&mut *tx, &actor, &before).await?;
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

    /// Deletes a user: into the recycle bin while the setting keeps them
    /// (`recycle_bin.rs`). Those who reported to them are left without a
    /// supervisor.
    pub async fn delete_user(&self, operator: &Operator, id: UserId, version: i64) -> Result<()> {
        let mut tx = self.store.begin(TxMode::Write).await?;
        let actor = Self::actor(&mut *tx, operator).await?;
        let team = actor.reach(Permission::UsersDelete)?;
        let before = Self::existing_user(&mut *tx, id).await?;
        ensure_reaches(&mut *tx, &actor, Permission::UsersDelete, &before).await?;
        if before.version != version {
            return Err(Error::ChangedBySomeoneElse);
        }
        if id == actor.user.id {
            return Err(Error::CannotDeleteSelf);
        }
        if before.is_in(ADMINISTRATORS) && before.may_sign_in() {
            tx.lock_administrators().await?;
            if tx.count_enabled_members(ADMINISTRATORS).await? <= 1 {
                return Err(Error::LastAdministrator);
            }
        }
        ensure_may_manage(&mut *tx, &actor, &before).await?;
        let now = Self::now();
        let subordinates = tx.subordinates(id).await?;
        // Released reports would leave the team of one whose right reaches
        // only it.
        if team.is_some() && !subordinates.is_empty() {
            return Err(Error::WouldLeaveTeam {
                name: before.name.as_str().to_owned(),
            });
        }
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
        let keep_days = Self::recycle_bin_days(&mut *tx).await?;
        if !Self::remove_user(&mut *tx, keep_days, &actor, id, now).await? {
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
async fn check_supervisor(tx: &mut dyn Tx, user: Option<UserId>, supervisor: UserId) -> Result<()> {
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
