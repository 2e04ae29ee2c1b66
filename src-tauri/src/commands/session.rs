//! Starting up, the first administrator, signing in and out.

use roster_core::directory::{PasswordChoice, SignIn};
use roster_core::model::Me;
use roster_core::password::PlainPassword;
use roster_core::two_factor::Enrolment;
use roster_core::{Directory, Operator};
use serde::Serialize;
use tauri::State;

use super::{checked, directory, signed_in, signed_in_for, CommandResult};
use crate::state::{Access, AppState, SessionFlags, Stage};
use crate::store_choice::{RemoteStore, StoreChoice};

#[derive(Debug, Serialize)]
pub struct StoreInfo {
    /// "local" or "postgres".
    pub kind: &'static str,
    pub description: String,
    /// The local SQLite file, when that is the store in use.
    pub path: Option<String>,
    /// The server, when the store is on one (never its password).
    pub remote: Option<RemoteStore>,
    /// Where the local file is or would be.
    pub local_path: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AppStatus {
    pub name: String,
    pub version: String,
    pub store: StoreInfo,
    pub initialized: bool,
    pub session: Option<Me>,
    /// Locked, or a password change pending, and the idle timeout.
    pub session_state: Option<SessionFlags>,
    /// Whether mail can be sent (credentials, email codes, notices).
    pub mail_configured: bool,
}

/// What the window needs to decide its first screen. A server that was
/// unreachable is tried again here, so "Try again" in the UI reconnects.
#[tauri::command(rename_all = "snake_case")]
pub async fn app_status<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<AppStatus> {
    status(&app, &state).await
}

/// The page's first screen is drawn and usable (`screen`: "first-run",
/// "sign-in" or "other"): recorded only for `cargo xtask bench`'s start-up
/// probe (see `crate::startup_probe`), otherwise nothing happens.
#[tauri::command(rename_all = "snake_case")]
pub fn first_screen_drawn(screen: String) {
    crate::startup_probe::first_screen_drawn(&screen);
}

pub(crate) async fn status<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    state: &AppState,
) -> CommandResult<AppStatus> {
    state.retry().await;
    let package = app.package_info();
    let directory = directory(state)?;
    let session = match state.current() {
        Some(operator) => checked(state, directory.me(&operator).await).ok(),
        None => None,
    };
    let local_path = state.local_store_path().map(|p| p.display().to_string());
    let (kind, path, remote) = match state.choice() {
        StoreChoice::Local => ("local", local_path.clone(), None),
        StoreChoice::Postgres(remote) => ("postgres", None, Some(remote)),
    };
    Ok(AppStatus {
        name: package.name.clone(),
        version: package.version.to_string(),
        store: StoreInfo {
            kind,
            description: directory.store().describe(),
            path,
            remote,
            local_path,
        },
        initialized: directory.is_initialized().await?,
        session_state: state.flags(),
        session,
        mail_configured: directory.mail_configured(),
    })
}

/// How far a sign-in got, for the web view.
#[derive(Debug, Serialize)]
pub struct SignInResult {
    pub stage: Stage,
    /// The operator once signed in; null while a second factor is owed.
    pub me: Option<Me>,
}

/// Creates the first administrator with the second factor that works here
/// and starts their sign-in: like any sign-in of theirs, it stays pending
/// until they have set up the authenticator app (or entered an emailed code).
#[tauri::command(rename_all = "snake_case")]
pub async fn initialize(
    state: State<'_, AppState>,
    name: String,
    email: String,
    password: String,
) -> CommandResult<SignInResult> {
    let directory = directory(&state)?;
    let password = PlainPassword::new(password);
    let created = directory
        .initialize(&name, &email, PasswordChoice::Given(password.clone()), None)
        .await?;
    state.sign_out();
    let outcome = directory
        .sign_in(created.user.email.as_str(), &password)
        .await?;
    start_session(&state, &directory, outcome).await
}

/// Checks the password; a second factor may still be owed.
#[tauri::command(rename_all = "snake_case")]
pub async fn sign_in(
    state: State<'_, AppState>,
    email: String,
    password: String,
) -> CommandResult<SignInResult> {
    let directory = directory(&state)?;
    state.sign_out();
    let outcome = directory
        .sign_in(&email, &PlainPassword::new(password))
        .await?;
    start_session(&state, &directory, outcome).await
}

/// Opens the session of a sign-in that is complete, or remembers one whose
/// second factor is still owed.
async fn start_session(
    state: &AppState,
    directory: &Directory,
    outcome: SignIn,
) -> CommandResult<SignInResult> {
    let (stage, pending) = match outcome {
        SignIn::Complete(operator) => {
            let me = open_session(state, directory, operator).await?;
            return Ok(SignInResult {
                stage: Stage::SignedIn,
                me: Some(me),
            });
        }
        SignIn::SecondFactor(pending) => (Stage::SecondFactor, pending),
        SignIn::TotpEnrolment(pending) => (Stage::TotpEnrolment, pending),
        SignIn::EmailCode(pending) => (Stage::EmailCode, pending),
    };
    state.await_second_factor(pending, stage);
    Ok(SignInResult { stage, me: None })
}

/// Finishes a sign-in with a code from the authenticator app or a recovery code.
#[tauri::command(rename_all = "snake_case")]
pub async fn verify_second_factor(
    state: State<'_, AppState>,
    code: String,
) -> CommandResult<SignInResult> {
    let directory = directory(&state)?;
    let pending = state
        .pending_at(Stage::SecondFactor)
        .or_else(|_| state.pending_at(Stage::EmailCode))?;
    let operator = directory.verify_second_factor(&pending, &code).await?;
    let me = open_session(&state, &directory, operator).await?;
    Ok(SignInResult {
        stage: Stage::SignedIn,
        me: Some(me),
    })
}

/// Emails a new sign-in code (not sooner than half a minute after the last).
#[tauri::command(rename_all = "snake_case")]
pub async fn resend_email_code(state: State<'_, AppState>) -> CommandResult<()> {
    let directory = directory(&state)?;
    let pending = state.pending_at(Stage::EmailCode)?;
    Ok(directory.resend_email_code(&pending).await?)
}

/// A new authenticator secret, its URI and QR code, shown this once.
#[tauri::command(rename_all = "snake_case")]
pub async fn begin_totp_enrolment(state: State<'_, AppState>) -> CommandResult<Enrolment> {
    let directory = directory(&state)?;
    let pending = state.pending_at(Stage::TotpEnrolment)?;
    Ok(directory.begin_totp_enrolment(&pending).await?)
}

#[derive(Debug, Serialize)]
pub struct EnrolmentResult {
    pub me: Me,
    /// Shown once, never stored as text.
    pub recovery_codes: Vec<String>,
}

/// Confirms the authenticator with a first code and finishes the sign-in.
#[tauri::command(rename_all = "snake_case")]
pub async fn finish_totp_enrolment(
    state: State<'_, AppState>,
    code: String,
) -> CommandResult<EnrolmentResult> {
    let directory = directory(&state)?;
    let pending = state.pending_at(Stage::TotpEnrolment)?;
    let (operator, recovery_codes) = directory.finish_totp_enrolment(&pending, &code).await?;
    let me = open_session(&state, &directory, operator).await?;
    Ok(EnrolmentResult { me, recovery_codes })
}

/// Opens the session of a finished sign-in: pending a password change when
/// the user is flagged for one.
async fn open_session(
    state: &AppState,
    directory: &Directory,
    operator: Operator,
) -> CommandResult<Me> {
    let me = directory.me(&operator).await?;
    let idle = directory.idle_timeout_minutes().await?;
    state.sign_in(operator, me.user.must_change_password, idle);
    Ok(me)
}

#[tauri::command(rename_all = "snake_case")]
pub fn sign_out(state: State<'_, AppState>) {
    state.sign_out();
}

#[tauri::command(rename_all = "snake_case")]
pub async fn me(state: State<'_, AppState>) -> CommandResult<Me> {
    let (directory, operator) = signed_in_for(&state, Access::PasswordChange)?;
    checked(&state, directory.me(&operator).await)
}

/// Changes the signed-in operator's own password; ends a pending change.
#[tauri::command(rename_all = "snake_case")]
pub async fn change_password(
    state: State<'_, AppState>,
    current_password: String,
    new_password: String,
) -> CommandResult<Me> {
    let (directory, operator) = signed_in_for(&state, Access::PasswordChange)?;
    let me = checked(
        &state,
        directory
            .change_own_password(
                &operator,
                &PlainPassword::new(current_password),
                &PlainPassword::new(new_password),
            )
            .await,
    )?;
    state.password_changed();
    Ok(me)
}

/// Switches off the operator's own second factor: takes their password and
/// a current code from their authenticator app (or a recovery code).
#[tauri::command(rename_all = "snake_case")]
pub async fn turn_off_own_two_factor(
    state: State<'_, AppState>,
    password: String,
    code: String,
) -> CommandResult<Me> {
    let (directory, operator) = signed_in(&state)?;
    checked(
        &state,
        directory
            .turn_off_own_two_factor(&operator, &PlainPassword::new(password), &code)
            .await,
    )
}

/// Locks the session now (the UI's idle timer or the person's choice).
#[tauri::command(rename_all = "snake_case")]
pub fn lock_session(state: State<'_, AppState>) {
    state.lock();
}

/// Unlocks a locked session with the operator's password. Wrong passwords
/// count toward the account's lockout like any sign-in.
#[tauri::command(rename_all = "snake_case")]
pub async fn unlock_session(state: State<'_, AppState>, password: String) -> CommandResult<Me> {
    let directory = directory(&state)?;
    let operator = state.current().ok_or(roster_core::Error::NotSignedIn)?;
    let me = checked(&state, directory.me(&operator).await)?;
    // The password alone unlocks: the second factor was given at sign-in.
    directory
        .confirm_password(&operator, &PlainPassword::new(password))
        .await?;
    state.unlock();
    Ok(me)
}
