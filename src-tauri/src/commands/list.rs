// The commands the web view may invoke, by their Rust name. Shared by
// `build.rs` (which declares them to Tauri) and the crate (whose tests check
// that every command has a row in the rights matrix). Every command
// registered in `lib.rs` must be listed here and allowed in the capability
// in `tauri.conf.json`.
pub const COMMANDS: &[&str] = &[
    "app_status",
    "initialize",
    "sign_in",
    "verify_second_factor",
    "begin_totp_enrolment",
    "finish_totp_enrolment",
    "reset_two_factor",
    "sign_out",
    "me",
    "change_password",
    "lock_session",
    "unlock_session",
    "unlock_user",
    "update_settings",
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
