//! Where the directory is kept: testing a PostgreSQL server, switching to
//! it or back to the local file, and copying the local directory up.
//! Allowed before the first administrator exists, afterwards only with
//! `settings.manage` (decided by `Directory::authorize_store_change`); going
//! back to the local file asks the local directory (see [`use_local_store`]).

use roster_core::directory::SignIn;
use roster_core::password::PlainPassword;
use roster_core::store::copy::{copy_directory, CopyCounts};
use roster_core::store::postgres::PostgresStore;
use roster_core::{Directory, Operator};
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
    let operator = session_operator(state)?;
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
    let server = PostgresStore::test_connection(&remote.config(password)).await?;
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
///
/// The local file may hold an old copy of the directory, with old accounts
/// and passwords, so making it the one in use is decided by *its* rules: at
/// its first run anyone may, afterwards only a user of the local directory
/// with `settings.manage`. While this computer uses its file, that is the
/// signed-in operator; while it uses a server (reachable or not), the
/// operator of the server's directory means nothing to the file, so the
/// command takes a sign-in to the local directory (`email`, `password` and,
/// for the authenticator app, `code`: the code or a recovery code).
#[tauri::command(rename_all = "snake_case")]
pub async fn use_local_store<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    email: Option<String>,
    password: Option<String>,
    code: Option<String>,
) -> CommandResult<AppStatus> {
    let local = state.local_directory().await?;
    let operator = if state.choice() == StoreChoice::Local {
        session_operator(&state)?
    } else {
        match email {
            _ if !local.is_initialized().await? => None,
            Some(email) => Some(
                sign_in_locally(&local, &email, password.unwrap_or_default(), code).await?,
            ),
            None => {
                return Err(CommandError {
                    code: "local_sign_in_required".into(),
                    message: "Sign in to the local directory (as a user who may change settings) to go back to it.".into(),
                    field: None,
                })
            }
        }
    };
    local.authorize_store_change(operator.as_ref()).await?;
    state.switch_to_local(local)?;
    status(&app, &state).await
}

/// The session's operator, if any: none is fine at first run (the core
/// decides); a locked session or one owing a password change is refused.
fn session_operator(state: &AppState) -> CommandResult<Option<Operator>> {
    match state.operator(Access::Full) {
        Ok(operator) => Ok(Some(operator)),
        Err(roster_core::Error::NotSignedIn) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// A complete sign-in to the local directory, in one step: the password,
/// then the authenticator's code (or a recovery code) when one is owed.
/// Every attempt counts toward the local account's lockout and is audited
/// there, as at the sign-in screen.
async fn sign_in_locally(
    local: &Directory,
    email: &str,
    password: String,
    code: Option<String>,
) -> CommandResult<Operator> {
    let operator = match local.sign_in(email, &PlainPassword::new(password)).await? {
        SignIn::Complete(operator) => operator,
        SignIn::SecondFactor(pending) => {
            let code = code.filter(|code| !code.trim().is_empty()).ok_or_else(|| {
                CommandError {
                    code: "code_required".into(),
                    message: "Enter the code from your authenticator app (or a recovery code) for the local directory.".into(),
                    field: Some("code".into()),
                }
            })?;
            local.verify_second_factor(&pending, code.trim()).await?
        }
        SignIn::EmailCode(_) | SignIn::TotpEnrolment(_) => {
            return Err(CommandError {
                code: "local_sign_in_unavailable".into(),
                message: "This account cannot sign in here in one step (its second factor is an emailed code, or its authenticator app is not set up); use an administrator of the local directory who signs in with a password and the authenticator app.".into(),
                field: None,
            })
        }
    };
    if local.me(&operator).await?.user.must_change_password {
        return Err(roster_core::Error::PasswordChangeRequired.into());
    }
    Ok(operator)
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
    let target = PostgresStore::connect(remote.config(password)).await?;
    copy_directory(&**source.store(), &target)
        .await
        .map_err(CommandError::from)
}
