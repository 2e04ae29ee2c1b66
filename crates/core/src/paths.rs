//! Where Roster keeps its data by default.
//!
//! The desktop app and the `roster` command must open the same local store
//! without being told where it is, so the location is decided here, once.

use std::path::PathBuf;

/// The application identifier, shared with `tauri.conf.json`: Tauri's
/// `app_data_dir()` is the OS data folder joined with it.
pub const APP_IDENTIFIER: &str = "com.roster.desktop";

/// File name of the local SQLite store inside the app-data folder.
pub const LOCAL_STORE_FILE: &str = "roster.sqlite3";

/// The OS's app-data folder for Roster (`~/.local/share/com.roster.desktop` on
/// Linux, `~/Library/Application Support/com.roster.desktop` on macOS,
/// `%APPDATA%\com.roster.desktop` on Windows), or `None` when the OS has none.
pub fn app_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|dir| dir.join(APP_IDENTIFIER))
}

/// The default local store: `roster.sqlite3` in the app-data folder.
pub fn default_store_path() -> Option<PathBuf> {
    app_data_dir().map(|dir| dir.join(LOCAL_STORE_FILE))
}
