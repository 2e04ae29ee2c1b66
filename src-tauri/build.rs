//! Build script of the desktop shell.
//!
//! Besides what `tauri_build::build()` does (embed `tauri.conf.json`, resolve
//! the capabilities, compile the Windows resources), it declares our own
//! commands in an app manifest. Declaring them makes Tauri generate an
//! `allow-<command>` permission for each and, more importantly, stops it from
//! allowing every app command to every window by default: a command is then
//! callable only from a window whose capability lists its permission (see
//! `app.security.capabilities` in `tauri.conf.json`).
//!
//! The list itself is in `src/commands/list.rs`, shared with the crate.

include!("src/commands/list.rs");

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("failed to run tauri-build");
}
