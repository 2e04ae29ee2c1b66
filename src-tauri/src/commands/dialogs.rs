//! The native dialogs: the confirmation question the UI asks for, and for
//! the other commands the open dialog and the save dialog (the file written
//! for this computer's user only). They are opened from Rust, so the web
//! view never names a file.

use std::fs::File;
use std::path::Path;

use serde::Serialize;
use tauri_plugin_dialog::{DialogExt, FilePath, MessageDialogButtons, MessageDialogKind};

use super::{CommandError, CommandResult};

/// Asks a question in a native dialog; true when the person chose `ok_label`.
#[tauri::command(rename_all = "snake_case")]
pub async fn confirm<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    title: String,
    message: String,
    ok_label: String,
) -> CommandResult<bool> {
    let answer = app
        .dialog()
        .message(message)
        .title(title)
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom(
            ok_label,
            "Cancel".into(),
        ))
        .blocking_show();
    Ok(answer)
}

/// Where a file was saved; null when the person cancelled the dialog.
#[derive(Debug, Serialize)]
pub struct Saved {
    pub saved: Option<String>,
}

/// The file chosen in the native open dialog, or `None` when the person
/// cancelled it. `filters`: each filter's name and its extensions, e.g.
/// `&[("CSV", &["csv"])]`; the first is the one the dialog starts with.
pub(super) async fn choose_file<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    title: &str,
    filters: &[(&str, &[&str])],
) -> Option<FilePath> {
    let (chosen, answer) = tokio::sync::oneshot::channel();
    let mut dialog = app.dialog().file().set_title(title);
    for (name, extensions) in filters {
        dialog = dialog.add_filter(*name, extensions);
    }
    dialog.pick_file(move |path| {
        let _ = chosen.send(path);
    });
    answer.await.ok().flatten()
}

/// What the native save dialog proposes.
pub(super) struct SaveDialog<'a> {
    pub title: &'a str,
    pub file_name: &'a str,
    /// The filter's name and its one extension, e.g. `("CSV", "csv")`.
    pub filter: (&'a str, &'a str),
}

/// Asks where to save (the native save dialog) and writes `contents` there
/// (text, or an XLSX workbook's bytes), readable by its owner only.
pub(super) async fn save_privately<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    dialog: &SaveDialog<'_>,
    contents: &[u8],
) -> CommandResult<Saved> {
    use std::io::Write as _;
    save_privately_with(app, dialog, |file| file.write_all(contents)).await
}

/// Asks where to save (the native save dialog) and lets `write` fill the
/// file, readable by its owner only. A file `write` fails on is removed, so
/// no half-written file is left where the person looks for it.
pub(super) async fn save_privately_with<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    dialog: &SaveDialog<'_>,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> CommandResult<Saved> {
    let Some(path) = choose_save_path(app, dialog).await? else {
        return Ok(Saved { saved: None });
    };
    if let Err(error) = write_private(&path, write) {
        let _ = std::fs::remove_file(&path);
        return Err(save_failed(&error.to_string()));
    }
    Ok(Saved {
        saved: Some(path.display().to_string()),
    })
}

/// Asks where to save (the native save dialog); `None` when cancelled.
pub(super) async fn choose_save_path<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    dialog: &SaveDialog<'_>,
) -> CommandResult<Option<std::path::PathBuf>> {
    let (chosen, answer) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title(dialog.title)
        .set_file_name(dialog.file_name)
        .add_filter(dialog.filter.0, &[dialog.filter.1])
        .save_file(move |path| {
            let _ = chosen.send(path);
        });
    let Some(path) = answer.await.ok().flatten() else {
        return Ok(None);
    };
    path.into_path()
        .map(Some)
        .map_err(|error| save_failed(&error.to_string()))
}

/// Creates (or empties) `path` for writing, readable and writable by its
/// owner only: for exports the core streams into.
pub(super) fn create_private(path: &Path) -> CommandResult<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        options.mode(0o600);
        let file = options
            .open(path)
            .map_err(|error| save_failed(&error.to_string()))?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|error| save_failed(&error.to_string()))?;
        Ok(file)
    }
    #[cfg(not(unix))]
    {
        options
            .open(path)
            .map_err(|error| save_failed(&error.to_string()))
    }
}

/// A file chosen to import that cannot be read, and why.
pub(super) fn unreadable(detail: &str) -> CommandError {
    CommandError {
        code: "import_unreadable".into(),
        message: format!("The file could not be read ({detail})."),
        field: None,
    }
}

fn save_failed(detail: &str) -> CommandError {
    CommandError {
        code: "save_failed".into(),
        message: format!("The file could not be saved ({detail})."),
        field: None,
    }
}

/// Opens `path` readable and writable by its owner only, lets `write` fill
/// it, and syncs it.
fn write_private(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    let mut file = {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        options.mode(0o600);
        let file = options.open(path)?;
        // An existing file keeps its mode on open: narrow it too.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        file
    };
    #[cfg(not(unix))]
    let mut file = options.open(path)?;
    write(&mut file)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_saved_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sheet.txt");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&path, |file| {
            use std::io::Write as _;
            file.write_all(b"new")
        })
        .unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }
}
