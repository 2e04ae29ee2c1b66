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
//! Every `#[tauri::command]` registered in `lib.rs` must be listed here too.

/// Commands exposed to the web view, by their Rust name.
const COMMANDS: &[&str] = &[
    "app_status",
    "initialize",
    "sign_in",
    "sign_out",
    "me",
    "permission_catalogue",
    "list_users",
    "get_user",
    "email_available",
    "create_user",
    "update_user",
    "set_user_status",
    "delete_user",
    "reset_password",
    "user_audit",
    "generate_password",
    "check_password",
    "settings",
    "confirm",
    "list_groups",
    "create_group",
    "update_group",
    "delete_group",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("failed to run tauri-build");
}
