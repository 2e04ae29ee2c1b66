//! The audit page: its view (filters, keyset paging), its export through
//! the native save dialog, and verifying the hash chain. Every command
//! needs `audit.view`, which the core checks; exports and checkpoints ask
//! the core first, so a refused operator is refused before any dialog opens.

use roster_core::audit::export::ExportFormat;
use roster_core::audit::{AuditFilter, AuditPage, Verification};
use tauri::State;

use super::dialogs::{choose_save_path, create_private, save_privately, SaveDialog, Saved};
use super::{checked, signed_in, CommandResult};
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn audit_page(
    state: State<'_, AppState>,
    filter: AuditFilter,
    after: Option<String>,
    limit: Option<u32>,
) -> CommandResult<AuditPage> {
    let (directory, operator) = signed_in(&state)?;
    let page = directory
        .audit_page(&operator, &filter, after.as_deref(), limit.unwrap_or(50))
        .await;
    checked(&state, page)
}

/// Writes exactly the filtered view to a CSV or XLSX file chosen in the
/// native save dialog, readable by this computer's user only.
#[tauri::command(rename_all = "snake_case")]
pub async fn export_audit<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    filter: AuditFilter,
    format: ExportFormat,
) -> CommandResult<Saved> {
    let (directory, operator) = signed_in(&state)?;
    checked(
        &state,
        directory.audit_page(&operator, &filter, None, 1).await,
    )?;
    let dialog = match format {
        ExportFormat::Csv => SaveDialog {
            title: "Export audit log",
            file_name: "audit.csv",
            filter: ("CSV", "csv"),
        },
        ExportFormat::Xlsx => SaveDialog {
            title: "Export audit log",
            file_name: "audit.xlsx",
            filter: ("Excel workbook", "xlsx"),
        },
    };
    let Some(path) = choose_save_path(&app, &dialog).await? else {
        return Ok(Saved { saved: None });
    };
    let file = create_private(&path)?;
    checked(
        &state,
        directory
            .export_audit(&operator, &filter, format, file)
            .await,
    )?;
    Ok(Saved {
        saved: Some(path.display().to_string()),
    })
}

/// Walks the hash chain: "N events, intact", or the first event changed,
/// removed or reordered.
#[tauri::command(rename_all = "snake_case")]
pub async fn verify_audit(state: State<'_, AppState>) -> CommandResult<Verification> {
    let (directory, operator) = signed_in(&state)?;
    checked(&state, directory.verify_audit(&operator, None).await)
}

/// Verifies the chain and saves a checkpoint of its head (the native save
/// dialog), to keep outside the store and verify against with
/// `roster audit verify --checkpoint FILE`.
#[tauri::command(rename_all = "snake_case")]
pub async fn save_audit_checkpoint<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<Saved> {
    let (directory, operator) = signed_in(&state)?;
    let checkpoint = checked(&state, directory.audit_checkpoint(&operator).await)?;
    let dialog = SaveDialog {
        title: "Save audit checkpoint",
        file_name: "audit.checkpoint",
        filter: ("Audit checkpoint", "checkpoint"),
    };
    save_privately(&app, &dialog, checkpoint.to_file_text().as_bytes()).await
}
