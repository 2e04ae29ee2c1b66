//! The smallest Tauri 2 app: one window showing one static page, no
//! commands, no plugins. Built in release mode beside Roster by `cargo xtask
//! dist`, so Roster's binary size is read against what Tauri alone costs.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(error) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("empty-window: {error}");
        std::process::exit(1);
    }
}
