//! The users overview, the user form and the actions on one user.

use roster_core::administrators::AdministratorsWithoutSecondFactor;
use roster_core::directory::{InactivityNotice, NewUser, PasswordChoice, UserChanges, UserRights};
use roster_core::domain::{GroupId, Status, TwoFactor, UserId};
use roster_core::model::{AuditEvent, User};
use roster_core::password::PlainPassword;
use roster_core::store::{
    Cursor, Direction, FactFilter, SortField, StatusFilter, Total, UserPage, UserQuery,
};
use serde::{Deserialize, Serialize};
use tauri::State;

use super::handover::WithCredentials;
use super::{checked, signed_in, CommandResult};
use crate::state::AppState;

/// The overview's query as the web view sends it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    search: Option<String>,
    status: Option<StatusFilter>,
    group_id: Option<GroupId>,
    supervisor_id: Option<UserId>,
    facts: Option<FactFilter>,
    sort: Option<SortField>,
    direction: Option<Direction>,
    limit: Option<u32>,
    after: Option<String>,
}

impl ListQuery {
    /// The core's query; a cursor that does not decode is refused. The
    /// export and "every matching user" take the same query (the core
    /// ignores its paging there), so they find exactly what the overview shows.
    pub(super) fn into_core(self) -> CommandResult<UserQuery> {
        let after = self.after.as_deref().map(Cursor::decode).transpose()?;
        Ok(UserQuery {
            search: self.search,
            status: self.status,
            group: self.group_id,
            supervisor: self.supervisor_id,
            facts: self.facts,
            // The core sets the operator's team.
            team_of: None,
            sort: self.sort.unwrap_or_default(),
            direction: self.direction.unwrap_or_default(),
            limit: self.limit.unwrap_or(UserQuery::DEFAULT_LIMIT),
            after,
        })
    }
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_users(state: State<'_, AppState>, query: ListQuery) -> CommandResult<UserPage> {
    let (directory, operator) = signed_in(&state)?;
    let query = query.into_core()?;
    checked(&state, directory.list_users(&operator, &query).await)
}

/// The total of the overview's query counted in full, for a page whose
/// `counting` said only "more than" a number read quickly.
#[tauri::command(rename_all = "snake_case")]
pub async fn count_users(state: State<'_, AppState>, query: ListQuery) -> CommandResult<Total> {
    let (directory, operator) = signed_in(&state)?;
    let query = query.into_core()?;
    checked(&state, directory.count_users(&operator, &query).await)
}

/// One user, with what the operator may do to them (each right checked
/// with its reach by the core, so a team lead is not offered what would be
/// refused).
#[derive(Debug, Serialize)]
pub struct UserDetail {
    #[serde(flatten)]
    user: User,
    rights: UserRights,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn get_user(state: State<'_, AppState>, id: UserId) -> CommandResult<UserDetail> {
    let (directory, operator) = signed_in(&state)?;
    let (user, rights) = checked(&state, directory.user_with_rights(&operator, id).await)?;
    Ok(UserDetail { user, rights })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn email_available(
    state: State<'_, AppState>,
    email: String,
    except_id: Option<UserId>,
) -> CommandResult<bool> {
    let (directory, operator) = signed_in(&state)?;
    checked(
        &state,
        directory
            .email_available(&operator, &email, except_id)
            .await,
    )
}

/// The create-user form.
#[derive(Debug, Deserialize)]
pub struct NewUserForm {
    name: String,
    email: String,
    group_ids: Vec<GroupId>,
    supervisor_id: Option<UserId>,
    status: Status,
    password: String,
    must_change_password: bool,
    mask_client_data: bool,
    two_factor: Option<TwoFactor>,
    /// `YYYY-MM-DD`, or none for no end.
    #[serde(default)]
    valid_until: Option<String>,
}

/// Creates a user; with `send_credentials`, emails them their password
/// (refused with `mail_not_configured` when there is no mail server; a
/// failed send leaves the user created and says why in `delivery`).
#[tauri::command(rename_all = "snake_case")]
pub async fn create_user(
    state: State<'_, AppState>,
    user: NewUserForm,
    send_credentials: Option<bool>,
) -> CommandResult<WithCredentials> {
    let (directory, operator) = signed_in(&state)?;
    let new = NewUser {
        name: user.name,
        email: user.email,
        groups: user.group_ids,
        supervisor: user.supervisor_id,
        status: user.status,
        password: PasswordChoice::Given(PlainPassword::new(user.password)),
        must_change_password: user.must_change_password,
        mask_client_data: user.mask_client_data,
        two_factor: user.two_factor,
        valid_until: user.valid_until.filter(|day| !day.trim().is_empty()),
    };
    let send = send_credentials.unwrap_or(false);
    checked(
        &state,
        directory.create_user_and_send(&operator, new, send).await,
    )
    .map(|created| WithCredentials::new(created.user, created.delivery, created.generated_password))
}

/// The edit-user form: it always sends every field it shows.
#[derive(Debug, Deserialize)]
pub struct EditUserForm {
    version: i64,
    name: String,
    email: String,
    group_ids: Vec<GroupId>,
    supervisor_id: Option<UserId>,
    must_change_password: bool,
    mask_client_data: bool,
    two_factor: TwoFactor,
    /// `YYYY-MM-DD`, or none (or blank) for no end.
    #[serde(default)]
    valid_until: Option<String>,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn update_user(
    state: State<'_, AppState>,
    id: UserId,
    user: EditUserForm,
) -> CommandResult<User> {
    let (directory, operator) = signed_in(&state)?;
    let changes = UserChanges {
        version: user.version,
        name: Some(user.name),
        email: Some(user.email),
        groups: Some(user.group_ids),
        supervisor: Some(user.supervisor_id),
        must_change_password: Some(user.must_change_password),
        mask_client_data: Some(user.mask_client_data),
        two_factor: Some(user.two_factor),
        valid_until: Some(user.valid_until.filter(|day| !day.trim().is_empty())),
    };
    checked(&state, directory.update_user(&operator, id, changes).await)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_user_status(
    state: State<'_, AppState>,
    id: UserId,
    status: Status,
    version: i64,
) -> CommandResult<User> {
    let (directory, operator) = signed_in(&state)?;
    checked(
        &state,
        directory.set_status(&operator, id, status, version).await,
    )
}

#[tauri::command(rename_all = "snake_case")]
pub async fn delete_user(
    state: State<'_, AppState>,
    id: UserId,
    version: i64,
) -> CommandResult<()> {
    let (directory, operator) = signed_in(&state)?;
    checked(&state, directory.delete_user(&operator, id, version).await)
}

/// Sets a new password; with `send_credentials`, emails it to the user (as
/// for `create_user`).
#[tauri::command(rename_all = "snake_case")]
pub async fn reset_password(
    state: State<'_, AppState>,
    id: UserId,
    password: String,
    must_change_password: bool,
    send_credentials: Option<bool>,
) -> CommandResult<WithCredentials> {
    let (directory, operator) = signed_in(&state)?;
    let choice = PasswordChoice::Given(PlainPassword::new(password));
    let send = send_credentials.unwrap_or(false);
    checked(
        &state,
        directory
            .reset_password_and_send(&operator, id, choice, must_change_password, send)
            .await,
    )
    .map(|reset| WithCredentials::new(reset.user, reset.delivery, reset.generated_password))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn user_audit(
    state: State<'_, AppState>,
    id: UserId,
    limit: Option<u32>,
) -> CommandResult<Vec<AuditEvent>> {
    let (directory, operator) = signed_in(&state)?;
    checked(
        &state,
        directory
            .user_audit(&operator, id, limit.unwrap_or(100))
            .await,
    )
}

/// Lifts a lock after repeated failed sign-ins.
#[tauri::command(rename_all = "snake_case")]
pub async fn unlock_user(state: State<'_, AppState>, id: UserId) -> CommandResult<User> {
    let (directory, operator) = signed_in(&state)?;
    checked(&state, directory.unlock_user(&operator, id).await)
}

/// Forgets a user's authenticator set-up: they enrol again at next sign-in.
#[tauri::command(rename_all = "snake_case")]
pub async fn reset_two_factor(state: State<'_, AppState>, id: UserId) -> CommandResult<User> {
    let (directory, operator) = signed_in(&state)?;
    checked(&state, directory.reset_two_factor(&operator, id).await)
}

/// Enabled administrators without a second factor, for the warning on the
/// users overview and Settings (names only for those who may view users).
#[tauri::command(rename_all = "snake_case")]
pub async fn administrators_without_second_factor(
    state: State<'_, AppState>,
) -> CommandResult<AdministratorsWithoutSecondFactor> {
    let (directory, operator) = signed_in(&state)?;
    checked(
        &state,
        directory
            .administrators_without_second_factor(&operator)
            .await,
    )
}

/// How many accounts were disabled for inactivity since an administrator
/// was last told, for the notice after sign-in; asking tells, so it is
/// shown once (null for anyone not in Administrators, or nothing to tell).
#[tauri::command(rename_all = "snake_case")]
pub async fn inactivity_notice(
    state: State<'_, AppState>,
) -> CommandResult<Option<InactivityNotice>> {
    let (directory, operator) = signed_in(&state)?;
    checked(&state, directory.take_inactivity_notice(&operator).await)
}
