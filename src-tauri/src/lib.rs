//! Roster's desktop shell: a Tauri 2 window around the plain HTML/CSS/JS UI
//! in `ui/`. The shell only translates between the web view and
//! `roster_core`; it decides nothing itself.

pub mod backups;
mod commands;
pub mod data_dir;
pub mod inactivity;
pub mod startup;
pub mod startup_probe;
pub mod state;
pub mod store_choice;

pub use commands::{CommandError, COMMANDS};

/// Builds and runs the application until its last window closes. Without
/// a display, or when the window system cannot start, prints one sentence
/// saying so on standard error and fails, instead of a panic.
pub fn run() -> std::process::ExitCode {
    use std::process::ExitCode;
    if let Err(cannot) = startup::check_this_display() {
        eprintln!("{cannot}");
        return ExitCode::FAILURE;
    }
    let builder = with_commands(tauri::Builder::default(), state::AppState::open_default());
    let app = match startup::catch_window_system_panic(|| builder.build(tauri::generate_context!()))
    {
        Ok(Ok(app)) => app,
        Ok(Err(error)) => {
            eprintln!("Roster cannot open its window: {error}.");
            return ExitCode::FAILURE;
        }
        Err(cannot) => {
            eprintln!("{cannot}");
            return ExitCode::FAILURE;
        }
    };
    inactivity::hourly_in_background(app.handle().clone());
    app.run(|_, _| {});
    ExitCode::SUCCESS
}

/// Adds Roster's plugin, state and commands to a builder: the app's, or a
/// mock runtime's in tests, so both run exactly the same commands.
pub fn with_commands<R: tauri::Runtime>(
    builder: tauri::Builder<R>,
    state: state::AppState,
) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .manage(state)
        .manage(commands::clients::LastImport::default())
        .manage(commands::users_bulk::UsersImports::default())
        // Keep in step with `COMMANDS` in `src-tauri/build.rs` and with the
        // capability in `tauri.conf.json`, or the web view gets "not allowed".
        .invoke_handler(tauri::generate_handler![
            commands::session::app_status,
            commands::session::first_screen_drawn,
            commands::session::initialize,
            commands::session::sign_in,
            commands::session::verify_second_factor,
            commands::session::resend_email_code,
            commands::session::begin_totp_enrolment,
            commands::session::finish_totp_enrolment,
            commands::users::reset_two_factor,
            commands::users::administrators_without_second_factor,
            commands::users::inactivity_notice,
            commands::session::sign_out,
            commands::session::me,
            commands::session::change_password,
            commands::session::turn_off_own_two_factor,
            commands::session::lock_session,
            commands::session::unlock_session,
            commands::users::unlock_user,
            commands::settings::update_settings,
            commands::store::test_store_connection,
            commands::store::connect_store,
            commands::store::use_local_store,
            commands::store::copy_store_to_remote,
            commands::groups::permission_catalogue,
            commands::users::list_users,
            commands::users::count_users,
            commands::users::get_user,
            commands::users::email_available,
            commands::users::create_user,
            commands::users::update_user,
            commands::users::set_user_status,
            commands::users::delete_user,
            commands::recycle_bin::deleted_users,
            commands::recycle_bin::restore_user,
            commands::recycle_bin::purge_deleted_user,
            commands::users::reset_password,
            commands::users::user_audit,
            commands::passwords::generate_password,
            commands::passwords::check_password,
            commands::settings::settings,
            commands::dialogs::confirm,
            commands::groups::list_groups,
            commands::groups::create_group,
            commands::groups::update_group,
            commands::groups::delete_group,
            commands::mail::mail_settings,
            commands::mail::update_mail_settings,
            commands::mail::send_test_email,
            commands::handover::copy_secret,
            commands::handover::save_credentials_sheet,
            commands::clients::list_clients,
            commands::clients::count_clients,
            commands::clients::get_client,
            commands::clients::account_manager_choices,
            commands::clients::create_client,
            commands::clients::update_client,
            commands::clients::delete_client,
            commands::clients::import_clients,
            commands::clients::export_clients,
            commands::audit::audit_page,
            commands::audit::export_audit,
            commands::audit::verify_audit,
            commands::audit::verify_audit_checkpoint,
            commands::audit::save_audit_checkpoint,
            commands::audit::audit_archive_plan,
            commands::audit::archive_audit,
            commands::clients::import_clients_csv,
            commands::clients::export_clients_csv,
            commands::users_bulk::import_users,
            commands::users_bulk::cancel_users_import,
            commands::users_bulk::save_import_credentials,
            commands::users_bulk::discard_import_credentials,
            commands::users_bulk::save_users_template,
            commands::users_bulk::export_users,
            commands::users_bulk::plan_bulk_users,
            commands::users_bulk::apply_bulk_users,
            commands::backups::backups_overview,
            commands::backups::back_up_now,
            commands::backups::verify_backup,
            commands::backups::restore_backup,
            commands::backups::choose_backup_folder,
            commands::backups::set_backup_passphrase,
            commands::backups::check_store,
            commands::backups::save_store_copy
        ])
}
