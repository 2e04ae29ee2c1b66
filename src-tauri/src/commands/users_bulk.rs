//! Users in bulk: importing a spreadsheet (CSV or XLSX), its credentials
//! sheet, the template, exporting the overview, and one action on many users.
//!
//! Files are chosen in the native dialogs, opened from Rust, so the web view
//! never names a file. Every command asks the core first, so an operator the
//! core refuses gets the refusal before any dialog opens: an import asks with
//! an empty file (a dry run), the template with the same question (it is for
//! importing), an export writes the whole file into a private temporary file
//! before asking where to put it.
//!
//! The passwords an import generates never reach the web view: the shell
//! keeps them (`AppState::hold_credentials`, zeroized when dropped) until
//! they are saved on a credentials sheet, discarded, or the session ends.
//! The web view learns only how many there are.

use std::fs::File;
use std::io::{Cursor, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use roster_core::directory::{BulkAction, BulkPlan, BulkReport, BulkSelection};
use roster_core::domain::UserId;
use roster_core::sheet::SheetFormat;
use roster_core::users_sheet::{users_template, UserImportOptions, UserImportReport};
use roster_core::{Directory, Operator};
use serde::{Deserialize, Serialize};
use tauri::ipc::{Channel, JavaScriptChannelId};
use tauri::State;

use super::clients::ImportProgress;
use super::dialogs::{
    choose_file, save_privately, save_privately_with, unreadable, SaveDialog, Saved,
};
use super::users::ListQuery;
use super::{checked, signed_in, CommandError, CommandResult};
use crate::state::{Access, AppState};

/// A users file with a header and no row: a dry run of it only asks the
/// core whether the operator may import.
const PERMISSION_PROBE: &[u8] = b"name,email\n";

/// What the shell keeps of the imports: the file of each operator's last
/// check (for "Check again" and the import after it), and the running
/// import's cancel flag.
#[derive(Debug, Default)]
pub struct UsersImports {
    last_file: Mutex<Option<(UserId, PathBuf)>>,
    running: Mutex<Option<(UserId, Arc<AtomicBool>)>>,
}

impl UsersImports {
    fn remember(&self, operator: &Operator, path: &Path) {
        *lock(&self.last_file) = Some((operator.id(), path.into()));
    }

    fn recall(&self, operator: &Operator) -> Option<PathBuf> {
        lock(&self.last_file)
            .as_ref()
            .filter(|(chooser, _)| *chooser == operator.id())
            .map(|(_, path)| path.clone())
    }

    /// A fresh cancel flag for the operator's new import.
    fn start(&self, operator: &Operator) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        *lock(&self.running) = Some((operator.id(), flag.clone()));
        flag
    }

    fn finish(&self, flag: &Arc<AtomicBool>) {
        let mut running = lock(&self.running);
        if running
            .as_ref()
            .is_some_and(|(_, current)| Arc::ptr_eq(current, flag))
        {
            *running = None;
        }
    }

    /// Raises the flag of the operator's running import, if any.
    fn cancel(&self, operator: &Operator) {
        if let Some((owner, flag)) = lock(&self.running).as_ref() {
            if *owner == operator.id() {
                flag.store(true, Ordering::SeqCst);
            }
        }
    }
}

/// A poisoned lock only means a command panicked mid-update of an Option.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What an import through the open dialog did.
#[derive(Debug, Serialize)]
pub struct UserImportOutcome {
    /// The file read; null when the dialog was cancelled (and `report` too).
    pub file: Option<String>,
    pub report: Option<UserImportReport>,
    /// How many generated passwords the shell holds for the credentials
    /// sheet (this import's and any earlier one's not yet saved).
    pub credentials: usize,
}

/// Asks the core whether `operator` may import users, with a file of no row.
async fn may_import(
    state: &AppState,
    directory: &Directory,
    operator: &Operator,
) -> CommandResult<()> {
    let options = UserImportOptions {
        dry_run: true,
        send_credentials: false,
    };
    let never = AtomicBool::new(false);
    let probe = directory
        .import_users(
            operator,
            Cursor::new(PERMISSION_PROBE),
            options,
            &mut |_, _| {},
            &never,
        )
        .await;
    checked(state, probe).map(|_| ())
}

/// Imports users from a CSV or XLSX file chosen in the native open dialog,
/// or with `use_last_file` the file of the operator's last check. `dry_run`
/// checks every row and writes nothing; `send_credentials` emails each new
/// user their password (the others' go on the credentials sheet). Progress
/// goes to `on_progress` as `{done, total}`; `cancel_users_import` stops it,
/// writing nothing.
#[allow(clippy::too_many_arguments)]
#[tauri::command(rename_all = "snake_case")]
pub async fn import_users<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    webview: tauri::Webview<R>,
    state: State<'_, AppState>,
    imports: State<'_, UsersImports>,
    dry_run: bool,
    use_last_file: Option<bool>,
    send_credentials: Option<bool>,
    on_progress: Option<JavaScriptChannelId>,
) -> CommandResult<UserImportOutcome> {
    let (directory, operator) = signed_in(&state)?;
    may_import(&state, &directory, &operator).await?;
    let path = if use_last_file.unwrap_or(false) {
        imports.recall(&operator).ok_or_else(|| CommandError {
            code: "import_file_unknown".into(),
            message: "Choose the file to import again.".into(),
            field: None,
        })?
    } else {
        let filters: &[(&str, &[&str])] = &[
            ("Spreadsheets", &["csv", "xlsx"]),
            ("CSV", &["csv"]),
            ("Excel workbook", &["xlsx"]),
        ];
        let Some(path) = choose_file(&app, "Import users", filters).await else {
            return Ok(UserImportOutcome {
                file: None,
                report: None,
                credentials: state.credentials_held(&operator),
            });
        };
        path.into_path()
            .map_err(|error| unreadable(&error.to_string()))?
    };
    imports.remember(&operator, &path);
    let file = File::open(&path).map_err(|error| unreadable(&error.to_string()))?;
    let options = UserImportOptions {
        dry_run,
        send_credentials: send_credentials.unwrap_or(false),
    };
    if !dry_run {
        // A refused operator costs no backup.
        checked(&state, directory.may_import_users(&operator).await)?;
        state.back_up_before_bulk().await;
    }
    let mut progress = progress_to(on_progress.map(|id| id.channel_on(webview)));
    let cancel = imports.start(&operator);
    let result = directory
        .import_users(&operator, file, options, &mut progress, &cancel)
        .await;
    imports.finish(&cancel);
    let import = checked(&state, result)?;
    let credentials = state.hold_credentials(&operator, import.credentials);
    Ok(UserImportOutcome {
        file: Some(path.display().to_string()),
        report: Some(import.report),
        credentials,
    })
}

/// Sends `{done, total}` to the channel about a hundred times at most (and
/// always at the end).
fn progress_to(channel: Option<Channel<ImportProgress>>) -> impl FnMut(u64, u64) + Send {
    let mut last = 0_u64;
    move |done, total| {
        let Some(channel) = &channel else { return };
        let step = (total / 100).max(1);
        if done == total || done >= last + step {
            last = done;
            // A window that went away wants no progress.
            let _ = channel.send(ImportProgress { done, total });
        }
    }
}

/// Stops the operator's running import: it fails with `cancelled` and
/// writes nothing. Nothing happens when none is running.
#[tauri::command(rename_all = "snake_case")]
pub async fn cancel_users_import(
    state: State<'_, AppState>,
    imports: State<'_, UsersImports>,
) -> CommandResult<()> {
    let operator = state.operator(Access::Full)?;
    imports.cancel(&operator);
    Ok(())
}

/// Writes the passwords the operator's imports generated on a credentials
/// sheet (CSV or XLSX) through the native save dialog, readable by this
/// computer's user only, then forgets them. `no_credentials` when none are held.
#[tauri::command(rename_all = "snake_case")]
pub async fn save_import_credentials<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    format: SheetFormat,
) -> CommandResult<Saved> {
    let operator = state.operator(Access::Full)?;
    let sheet = state
        .credentials_sheet(&operator, format)?
        .ok_or_else(|| CommandError {
            code: "no_credentials".into(),
            message: "There are no passwords to save: they were saved or discarded already, or the session ended.".into(),
            field: None,
        })?;
    let file_name = format!("roster-credentials.{}", format.extension());
    let dialog = SaveDialog {
        title: "Save the credentials sheet",
        file_name: &file_name,
        filter: (format.filter_name(), format.extension()),
    };
    let saved = save_privately(&app, &dialog, &sheet.bytes).await?;
    if saved.saved.is_some() {
        state.forget_credentials(&operator, sheet.count);
    }
    Ok(saved)
}

/// Forgets the passwords the operator's imports generated, unsaved.
#[tauri::command(rename_all = "snake_case")]
pub async fn discard_import_credentials(state: State<'_, AppState>) -> CommandResult<()> {
    let operator = state.operator(Access::Full)?;
    state.forget_credentials(&operator, usize::MAX);
    Ok(())
}

/// Saves the users file's template (its header and one example row)
/// through the native save dialog; for operators who may import.
#[tauri::command(rename_all = "snake_case")]
pub async fn save_users_template<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    format: SheetFormat,
) -> CommandResult<Saved> {
    let (directory, operator) = signed_in(&state)?;
    may_import(&state, &directory, &operator).await?;
    let template = users_template(format)?;
    let file_name = format!("roster-users-template.{}", format.extension());
    let dialog = SaveDialog {
        title: "Save the users template",
        file_name: &file_name,
        filter: (format.filter_name(), format.extension()),
    };
    save_privately(&app, &dialog, &template).await
}

/// Writes every user the overview's query finds (its search, filters and
/// sort; every page) as CSV or XLSX to a file chosen in the native save
/// dialog. The core writes it first into a private temporary file, so a
/// refusal or a failure comes before the dialog and leaves no file behind.
#[tauri::command(rename_all = "snake_case")]
pub async fn export_users<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    query: ListQuery,
    format: SheetFormat,
) -> CommandResult<Saved> {
    let (directory, operator) = signed_in(&state)?;
    let query = query.into_core()?;
    let mut staged = tempfile::tempfile().map_err(|error| export_failed(&error.to_string()))?;
    checked(
        &state,
        directory
            .export_users(&operator, &query, format, &mut staged)
            .await,
    )?;
    staged
        .seek(SeekFrom::Start(0))
        .map_err(|error| export_failed(&error.to_string()))?;
    let file_name = format!("users.{}", format.extension());
    let dialog = SaveDialog {
        title: "Export users",
        file_name: &file_name,
        filter: (format.filter_name(), format.extension()),
    };
    save_privately_with(&app, &dialog, |file| {
        std::io::copy(&mut staged, file).map(|_| ())
    })
    .await
}

fn export_failed(detail: &str) -> CommandError {
    CommandError {
        code: "export_failed".into(),
        message: format!("The export could not be written ({detail})."),
        field: None,
    }
}

/// The users an action applies to, as the web view sends them: chosen ids,
/// or every user the overview's query matches (its paging is ignored).
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SelectionForm {
    Ids { ids: Vec<UserId> },
    Matching { query: ListQuery },
}

impl SelectionForm {
    fn into_core(self) -> CommandResult<BulkSelection> {
        Ok(match self {
            SelectionForm::Ids { ids } => BulkSelection::Ids(ids),
            SelectionForm::Matching { query } => BulkSelection::Matching(query.into_core()?),
        })
    }
}

/// What `action` would do to the selected users, writing nothing: how many
/// are selected, how many it applies to, and who it skips and why.
#[tauri::command(rename_all = "snake_case")]
pub async fn plan_bulk_users(
    state: State<'_, AppState>,
    selection: SelectionForm,
    action: BulkAction,
) -> CommandResult<BulkPlan> {
    let (directory, operator) = signed_in(&state)?;
    let selection = selection.into_core()?;
    checked(
        &state,
        directory.plan_bulk(&operator, &selection, action).await,
    )
}

/// Applies `action` to every selected user its rules allow, in one
/// transaction (the rules are checked again; the others are skipped).
#[tauri::command(rename_all = "snake_case")]
pub async fn apply_bulk_users(
    state: State<'_, AppState>,
    selection: SelectionForm,
    action: BulkAction,
) -> CommandResult<BulkReport> {
    let (directory, operator) = signed_in(&state)?;
    let selection = selection.into_core()?;
    // A refused operator costs no backup.
    checked(&state, directory.may_apply_bulk(&operator, action).await)?;
    state.back_up_before_bulk().await;
    checked(
        &state,
        directory.apply_bulk(&operator, &selection, action).await,
    )
}
