//! The commands the web view may invoke.
//!
//! They live in this module rather than at the crate root because
//! `#[tauri::command]` generates a hidden macro named after each function,
//! and those clash with other items at the crate root. Each command must also
//! be listed in `src-tauri/build.rs` and allowed in `tauri.conf.json`.

use serde::Serialize;

use crate::data_dir;

/// What the window shows about the running app.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AppInfo {
    /// Product name from `tauri.conf.json`.
    pub name: String,
    /// Version from `Cargo.toml`.
    pub version: String,
    /// Full path of the local SQLite store.
    pub store_path: String,
}

/// Name, version and local store location of the running app.
#[tauri::command]
pub fn app_info(app: tauri::AppHandle) -> Result<AppInfo, String> {
    let package = app.package_info();
    let store_path = data_dir::store_path().ok_or_else(|| {
        format!(
            "This system has no folder for application data; set {} to choose one.",
            data_dir::DATA_DIR_ENV
        )
    })?;
    Ok(AppInfo {
        name: package.name.clone(),
        version: package.version.to_string(),
        store_path: store_path.display().to_string(),
    })
}
