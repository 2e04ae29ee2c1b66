//! Groups and the permission catalogue.

use roster_core::directory::GroupChanges;
use roster_core::domain::{Grant, GroupId, Permission, PermissionSet};
use roster_core::model::Group;
use serde::{Deserialize, Serialize};
use tauri::State;

use super::{checked, signed_in, CommandResult};
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct PermissionInfo {
    code: &'static str,
    area: &'static str,
    label: &'static str,
    /// Whether a group may grant it for the holder's team only.
    scopable: bool,
}

/// Every permission, in catalogue order, for the permission matrix.
#[tauri::command(rename_all = "snake_case")]
pub fn permission_catalogue() -> Vec<PermissionInfo> {
    Permission::ALL
        .iter()
        .map(|p| PermissionInfo {
            code: p.code(),
            area: p.area(),
            label: p.label(),
            scopable: p.scopable(),
        })
        .collect()
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_groups(state: State<'_, AppState>) -> CommandResult<Vec<Group>> {
    let (directory, operator) = signed_in(&state)?;
    checked(&state, directory.groups(&operator).await)
}

#[derive(Debug, Deserialize)]
pub struct NewGroupForm {
    name: String,
    description: String,
    permissions: Vec<Grant>,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn create_group(state: State<'_, AppState>, group: NewGroupForm) -> CommandResult<Group> {
    let (directory, operator) = signed_in(&state)?;
    let permissions: PermissionSet = group.permissions.into_iter().collect();
    checked(
        &state,
        directory
            .create_group(&operator, &group.name, &group.description, permissions)
            .await,
    )
}

#[derive(Debug, Deserialize)]
pub struct EditGroupForm {
    version: i64,
    name: String,
    description: String,
    permissions: Vec<Grant>,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn update_group(
    state: State<'_, AppState>,
    id: GroupId,
    group: EditGroupForm,
) -> CommandResult<Group> {
    let (directory, operator) = signed_in(&state)?;
    let changes = GroupChanges {
        version: group.version,
        name: Some(group.name),
        description: Some(group.description),
        permissions: Some(group.permissions.into_iter().collect()),
    };
    checked(&state, directory.update_group(&operator, id, changes).await)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn delete_group(
    state: State<'_, AppState>,
    id: GroupId,
    version: i64,
) -> CommandResult<()> {
    let (directory, operator) = signed_in(&state)?;
    checked(&state, directory.delete_group(&operator, id, version).await)
}
