//! Roster's desktop shell: a Tauri 2 window around the plain HTML/CSS/JS UI
//! in `ui/`. The shell only translates between the web view and
//! `roster_core`; it decides nothing itself.

mod commands;
pub mod data_dir;

/// Builds and runs the application until its last window closes.
///
/// # Panics
/// When the window or the web view cannot be created: there is nothing
/// useful the app can do without them.
pub fn run() {
    tauri::Builder::default()
        // Keep in step with `COMMANDS` in `src-tauri/build.rs` and with the
        // capability in `tauri.conf.json`, or the web view gets "not allowed".
        .invoke_handler(tauri::generate_handler![commands::app_info])
        .run(tauri::generate_context!())
        .expect("error while running Roster");
}
