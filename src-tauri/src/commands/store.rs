//! Where the directory is kept: testing a PostgreSQL server, switching to
//! it or back to the local file, and copying the local directory up.
//! Allowed before the first administrator exists, afterwards only with
//! `settings.manage` (decided by `Directory::authorize_store_change`).

use roster_core::store::copy::{copy_directory, CopyCounts};
use roster_core::store::postgres::PostgresStore;
use serde::Serialize;
use tauri::State;

use super::session::{status, AppStatus};
use super::{directory, CommandError, CommandResult};
use crate::state::{Access, AppState};
use crate::store_choice::{RemoteStore, StoreChoice};

#[derive(Debug, Serialize)]
pub struct ServerInfo {
    /// "PostgreSQL 15.19".
    pub server: String,
}

/// Refuses unless the session's operator may change the store (or nobody
/// exists yet to ask).
async fn authorize(state: &AppState) -> CommandResult<()> {
    let directory = directory(state)?;
    // No session is fine at first run (the core decides); a locked one or
    // one owing a password change is not.
    let operator = match state.operator(Access::Full) {
        Ok(operator) => Some(operator),
        Err(roster_core::Error::NotSignedIn) => None,
        Err(other) => return Err(other.into()),
    };
    Ok(directory.authorize_store_change(operator.as_ref()).await?)
}

fn cleaned(remote: RemoteStore) -> CommandResult<RemoteStore> {
    remote.cleaned().map_err(|reason| CommandError {
        code: "invalid_store".into(),
        message: reason,
        field: None,
    })
}

/// Connects once to the server and says what it is; changes nothing.
#[tauri::command(rename_all = "snake_case")]
pub async fn test_store_connection(
    state: State<'_, AppState>,
    remote: RemoteStore,
    password: String,
) -> CommandResult<ServerInfo> {
    authorize(&state).await?;
    let remote = cleaned(remote)?;
    let password = state.remote_password(&remote, &password)?;
    let server = PostgresStore::test_connection(&remote.config(password))
        .await
        .map_err(|error| CommandError::from(roster_core::Error::Store(error)))?;
    Ok(ServerInfo { server })
}

/// Switches this computer to the directory on `remote` (created there if
/// the database holds none yet) and signs out.
#[tauri::command(rename_all = "snake_case")]
pub async fn connect_store<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    remote: RemoteStore,
    password: String,
) -> CommandResult<AppStatus> {
    authorize(&state).await?;
    let remote = cleaned(remote)?;
    let password = state.remote_password(&remote, &password)?;
    state
        .switch_to(StoreChoice::Postgres(remote), password)
        .await?;
    status(&app, &state).await
}

/// Switches this computer back to its local file and signs out.
#[tauri::command(rename_all = "snake_case")]
pub async fn use_local_store<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<AppStatus> {
    // The directory that cannot be reached cannot be asked: going back to
    // the local file is always allowed then, as it is at first run.
    if state.directory().is_ok() {
        authorize(&state).await?;
    }
    state.switch_to(StoreChoice::Local, None).await?;
    status(&app, &state).await
}

/// Copies the directory in use into the empty directory on `remote` and
/// checks the counts; this computer goes on using its store.
#[tauri::command(rename_all = "snake_case")]
pub async fn copy_store_to_remote(
    state: State<'_, AppState>,
    remote: RemoteStore,
    password: String,
) -> CommandResult<CopyCounts> {
    authorize(&state).await?;
    let remote = cleaned(remote)?;
    let password = state.remote_password(&remote, &password)?;
    let source = directory(&state)?;
    let target = PostgresStore::connect(remote.config(password))
        .await
        .map_err(|error| CommandError::from(roster_core::Error::Store(error)))?;
    copy_directory(&**source.store(), &target)
        .await
        .map_err(|error| CommandError::from(roster_core::Error::Store(error)))
}
