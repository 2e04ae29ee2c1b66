//! The audit page: its view (filters, keyset paging), its export through
//! the native save dialog, and verifying the hash chain. Every command
//! needs `audit.view`, which the core checks; exports and checkpoints ask
//! the core first, so a refused operator is refused before any dialog opens.

use chrono::{DateTime, Utc};
use roster_core::audit::export::ExportFormat;
use roster_core::audit::{AuditFilter, AuditPage, Checkpoint, Verification};
use roster_core::directory::{AuditArchivePlan, AuditArchived};
use serde::Serialize;
use tauri::State;

use super::dialogs::{
    choose_file, choose_save_path, create_private, save_privately, SaveDialog, Saved,
};
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

/// Verifies the chain against a checkpoint file chosen in the native open
/// dialog (null when cancelled): whether the log still holds the chain the
/// checkpoint recorded. A file that is not a checkpoint (damaged, foreign,
/// far too large) is `audit_file` with a sentence saying so. Refused before
/// the dialog without `audit.view`.
#[tauri::command(rename_all = "snake_case")]
pub async fn verify_audit_checkpoint<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<Option<Verification>> {
    let (directory, operator) = signed_in(&state)?;
    checked(
        &state,
        directory
            .audit_page(&operator, &AuditFilter::default(), None, 1)
            .await,
    )?;
    let filters: &[(&str, &[&str])] = &[("Audit checkpoint", &["checkpoint"])];
    let Some(path) = choose_file(&app, "Verify against a checkpoint", filters).await else {
        return Ok(None);
    };
    let checkpoint = path
        .into_path()
        .map_err(|error| error.to_string())
        .and_then(|path| Checkpoint::read_file(&path))
        .map_err(|reason| roster_core::Error::AuditFile { reason });
    let checkpoint = checked(&state, checkpoint)?;
    checked(
        &state,
        directory.verify_audit(&operator, Some(checkpoint)).await,
    )
    .map(Some)
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
        title: "Export audit checkpoint",
        file_name: "audit.checkpoint",
        filter: ("Audit checkpoint", "checkpoint"),
    };
    save_privately(&app, &dialog, checkpoint.to_file_text().as_bytes()).await
}

/// What archiving would take: the events older than the setting's months,
/// or than `before` when given. Needs `settings.manage` and `audit.view`;
/// `audit_archive_off` while the setting is off, `audit_nothing_to_archive`
/// when no event is that old.
#[tauri::command(rename_all = "snake_case")]
pub async fn audit_archive_plan(
    state: State<'_, AppState>,
    before: Option<DateTime<Utc>>,
) -> CommandResult<AuditArchivePlan> {
    let (directory, operator) = signed_in(&state)?;
    checked(
        &state,
        directory.audit_archive_plan(&operator, before).await,
    )
}

/// Where the archive went and what it took; both null when the dialog was
/// cancelled.
#[derive(Debug, Serialize)]
pub struct ArchivedTo {
    pub saved: Option<String>,
    pub archived: Option<AuditArchived>,
}

/// Moves the events older than the setting's months to an archive file
/// chosen in the native save dialog (readable by this computer's user
/// only) and out of the store. The plan is asked first, so a refused
/// operator, the setting off or nothing to archive is refused before the
/// dialog; a failed archive leaves no file and the store unchanged.
#[tauri::command(rename_all = "snake_case")]
pub async fn archive_audit<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<ArchivedTo> {
    let (directory, operator) = signed_in(&state)?;
    let plan = checked(&state, directory.audit_archive_plan(&operator, None).await)?;
    let file_name = format!("audit-archive-{}.jsonl", plan.before.format("%Y-%m-%d"));
    let dialog = SaveDialog {
        title: "Archive old audit events",
        file_name: &file_name,
        filter: ("Audit archive", "jsonl"),
    };
    let Some(path) = choose_save_path(&app, &dialog).await? else {
        return Ok(ArchivedTo {
            saved: None,
            archived: None,
        });
    };
    let file = create_private(&path)?;
    let archived = directory.archive_audit(&operator, plan.before, file).await;
    if archived.is_err() {
        let _ = std::fs::remove_file(&path);
    }
    Ok(ArchivedTo {
        archived: Some(checked(&state, archived)?),
        saved: Some(path.display().to_string()),
    })
}
