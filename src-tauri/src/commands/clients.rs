//! The clients overview, the client form, and importing and exporting CSV.
//!
//! Every value comes from the core as the operator may see it: for an
//! operator with "mask client data", names, emails and phone numbers are
//! masked by the core (in the CSV export too), and the core refuses them
//! creating or importing clients and editing those fields.
//!
//! Importing and exporting come in two forms:
//! - `import_clients` / `export_clients`, what the UI uses: the native open
//!   or save dialog, opened from Rust, so the web view never names a file;
//! - `import_clients_csv` / `export_clients_csv`, the same core calls on CSV
//!   text, with no dialog (scripts, and the rights matrix, which cannot
//!   answer a native dialog on the mock runtime).
//!
//! The core imports all rows or none: with any row in error, an import
//! writes nothing and reports the errors, like a dry run.
//!
//! A dry run and the import that follows it read the same file: the file
//! chosen for the dry run is remembered ([`LastImport`], for the operator who
//! chose it) and `use_last_file` reads it again.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use roster_core::clients::{
    ClientChanges, ClientPage, ClientQuery, ClientSort, Direction, ImportReport, NewClient,
};
use roster_core::domain::{ClientId, UserId};
use roster_core::model::{Client, UserRef};
use roster_core::store::Total;
use roster_core::Operator;
use serde::{Deserialize, Deserializer, Serialize};
use tauri::ipc::{Channel, JavaScriptChannelId};
use tauri::State;

use super::dialogs::{choose_file, save_privately, unreadable, SaveDialog, Saved};
use super::{checked, signed_in, CommandError, CommandResult};
use crate::state::AppState;

/// A CSV with no rows: a dry run of it only asks the core whether the
/// operator may import.
const PERMISSION_PROBE: &str = "name\n";

/// The largest CSV file an import reads.
pub const MAX_IMPORT_BYTES: u64 = 64 * 1024 * 1024;

/// The overview's query as the web view sends it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ClientListQuery {
    search: Option<String>,
    sort: Option<ClientSort>,
    direction: Option<Direction>,
    limit: Option<u32>,
    after: Option<String>,
}

impl ClientListQuery {
    fn into_core(self) -> ClientQuery {
        ClientQuery {
            search: self.search,
            sort: self.sort.unwrap_or_default(),
            direction: self.direction.unwrap_or_default(),
            limit: self.limit.unwrap_or(ClientQuery::DEFAULT_LIMIT),
            after: self.after,
        }
    }
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_clients(
    state: State<'_, AppState>,
    query: ClientListQuery,
) -> CommandResult<ClientPage> {
    let (directory, operator) = signed_in(&state)?;
    let query = query.into_core();
    checked(&state, directory.list_clients(&operator, &query).await)
}

/// The total of the overview's query counted in full, for a page whose
/// `counting` said only "more than" a number read quickly.
#[tauri::command(rename_all = "snake_case")]
pub async fn count_clients(
    state: State<'_, AppState>,
    query: ClientListQuery,
) -> CommandResult<Total> {
    let (directory, operator) = signed_in(&state)?;
    let query = query.into_core();
    checked(&state, directory.count_clients(&operator, &query).await)
}

/// Who may be chosen as a client's account manager (the form's picker).
#[tauri::command(rename_all = "snake_case")]
pub async fn account_manager_choices(
    state: State<'_, AppState>,
    search: String,
) -> CommandResult<Vec<UserRef>> {
    let (directory, operator) = signed_in(&state)?;
    checked(
        &state,
        directory.account_manager_choices(&operator, &search).await,
    )
}

#[tauri::command(rename_all = "snake_case")]
pub async fn get_client(state: State<'_, AppState>, id: ClientId) -> CommandResult<Client> {
    let (directory, operator) = signed_in(&state)?;
    checked(&state, directory.client(&operator, id).await)
}

/// The create-client form.
#[derive(Debug, Deserialize)]
pub struct NewClientForm {
    name: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    account_manager: Option<UserId>,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn create_client(
    state: State<'_, AppState>,
    client: NewClientForm,
) -> CommandResult<Client> {
    let (directory, operator) = signed_in(&state)?;
    let new = NewClient {
        name: client.name,
        email: client.email,
        phone: client.phone,
        country: client.country,
        account_manager: client.account_manager,
    };
    checked(&state, directory.create_client(&operator, new).await)
}

/// The edit-client form: a field left out is unchanged, `null` clears it.
#[derive(Debug, Deserialize)]
pub struct EditClientForm {
    version: i64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    country: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    account_manager: Option<Option<UserId>>,
}

/// A field that is present: `Some(None)` for `null`, `Some(Some(_))` for a
/// value (a missing field stays `None` through `#[serde(default)]`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn update_client(
    state: State<'_, AppState>,
    id: ClientId,
    changes: EditClientForm,
) -> CommandResult<Client> {
    let (directory, operator) = signed_in(&state)?;
    let changes = ClientChanges {
        version: changes.version,
        name: changes.name,
        email: changes.email,
        phone: changes.phone,
        country: changes.country,
        account_manager: changes.account_manager,
    };
    checked(
        &state,
        directory.update_client(&operator, id, changes).await,
    )
}

#[tauri::command(rename_all = "snake_case")]
pub async fn delete_client(
    state: State<'_, AppState>,
    id: ClientId,
    version: i64,
) -> CommandResult<()> {
    let (directory, operator) = signed_in(&state)?;
    checked(
        &state,
        directory.delete_client(&operator, id, version).await,
    )
}

/// How far an import got, sent to the web view as it works.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ImportProgress {
    pub done: u64,
    pub total: u64,
}

/// Imports `csv`, reporting progress on `channel` about a hundred times at
/// most (and always at the end).
async fn import_text(
    state: &AppState,
    operator: &Operator,
    csv: &str,
    dry_run: bool,
    channel: Option<Channel<ImportProgress>>,
) -> CommandResult<ImportReport> {
    let directory = state.directory()?;
    let mut last = 0_u64;
    let mut progress = move |done: u64, total: u64| {
        let Some(channel) = &channel else { return };
        let step = (total / 100).max(1);
        if done == total || done >= last + step {
            last = done;
            // A window that went away wants no progress.
            let _ = channel.send(ImportProgress { done, total });
        }
    };
    checked(
        state,
        directory
            .import_clients(operator, csv, dry_run, &mut progress)
            .await,
    )
}

/// Imports clients from CSV text (`dry_run`: checks every row and reports,
/// writing nothing). Needs `clients.manage`; refused to masked operators.
#[tauri::command(rename_all = "snake_case")]
pub async fn import_clients_csv<R: tauri::Runtime>(
    webview: tauri::Webview<R>,
    state: State<'_, AppState>,
    csv: String,
    dry_run: bool,
    on_progress: Option<JavaScriptChannelId>,
) -> CommandResult<ImportReport> {
    let (_, operator) = signed_in(&state)?;
    let channel = on_progress.map(|id| id.channel_on(webview));
    import_text(&state, &operator, &csv, dry_run, channel).await
}

/// The clients the query finds (every page), as CSV text, masked as the
/// operator sees them.
#[tauri::command(rename_all = "snake_case")]
pub async fn export_clients_csv(
    state: State<'_, AppState>,
    query: ClientListQuery,
) -> CommandResult<String> {
    let (directory, operator) = signed_in(&state)?;
    let query = query.into_core();
    checked(&state, directory.export_clients(&operator, &query).await)
}

/// The file chosen for the last import (dry run or not), and who chose it.
#[derive(Debug, Default)]
pub struct LastImport(Mutex<Option<(UserId, PathBuf)>>);

impl LastImport {
    fn remember(&self, operator: &Operator, path: &Path) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some((operator.id(), path.into()));
    }

    fn recall(&self, operator: &Operator) -> Option<PathBuf> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .filter(|(chooser, _)| *chooser == operator.id())
            .map(|(_, path)| path.clone())
    }
}

/// What an import through the open dialog did.
#[derive(Debug, Serialize)]
pub struct ImportOutcome {
    /// The file read; null when the dialog was cancelled (and `report` too).
    pub file: Option<String>,
    pub report: Option<ImportReport>,
}

/// Imports clients from a CSV file chosen in the native open dialog, or with
/// `use_last_file` the file of the last import (the dry run before it).
/// Progress goes to `on_progress` as `{done, total}`. Refused before the
/// dialog opens when the operator may not import (the core's answer to an
/// empty dry run).
#[tauri::command(rename_all = "snake_case")]
pub async fn import_clients<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    webview: tauri::Webview<R>,
    state: State<'_, AppState>,
    last: State<'_, LastImport>,
    dry_run: bool,
    use_last_file: Option<bool>,
    on_progress: Option<JavaScriptChannelId>,
) -> CommandResult<ImportOutcome> {
    let (_, operator) = signed_in(&state)?;
    // The core decides whether this operator may import: ask it with nothing
    // to import (a header alone, dry) before asking the person for a file.
    import_text(&state, &operator, PERMISSION_PROBE, true, None).await?;
    let path = if use_last_file.unwrap_or(false) {
        last.recall(&operator).ok_or_else(|| CommandError {
            code: "import_file_unknown".into(),
            message: "Choose the file to import again.".into(),
            field: None,
        })?
    } else {
        let Some(path) = choose_file(&app, "Import clients", &[("CSV", &["csv"])]).await else {
            return Ok(ImportOutcome {
                file: None,
                report: None,
            });
        };
        path.into_path()
            .map_err(|error| unreadable(&error.to_string()))?
    };
    last.remember(&operator, &path);
    let csv = read_csv(&path)?;
    let channel = on_progress.map(|id| id.channel_on(webview));
    let report = import_text(&state, &operator, &csv, dry_run, channel).await?;
    Ok(ImportOutcome {
        file: Some(path.display().to_string()),
        report: Some(report),
    })
}

fn read_csv(path: &Path) -> CommandResult<String> {
    let size = std::fs::metadata(path)
        .map_err(|error| unreadable(&error.to_string()))?
        .len();
    if size > MAX_IMPORT_BYTES {
        return Err(unreadable(&format!(
            "it is larger than {} MB",
            MAX_IMPORT_BYTES / 1024 / 1024
        )));
    }
    let bytes = std::fs::read(path).map_err(|error| unreadable(&error.to_string()))?;
    String::from_utf8(bytes).map_err(|_| unreadable("it is not UTF-8 text"))
}

/// Writes the clients the query finds as CSV (masked as the operator sees
/// them) to a file chosen in the native save dialog, readable by this
/// computer's user only. The core answers first, so a refused operator is
/// refused before any dialog opens.
#[tauri::command(rename_all = "snake_case")]
pub async fn export_clients<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    query: ClientListQuery,
) -> CommandResult<Saved> {
    let (directory, operator) = signed_in(&state)?;
    let query = query.into_core();
    let csv = checked(&state, directory.export_clients(&operator, &query).await)?;
    let dialog = SaveDialog {
        title: "Export clients",
        file_name: "clients.csv",
        filter: ("CSV", "csv"),
    };
    save_privately(&app, &dialog, csv.as_bytes()).await
}
