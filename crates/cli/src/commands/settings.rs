//! `roster settings …`: the password, lockout and session settings.

use roster_core::directory::Settings;

use super::Session;
use crate::cli::{SettingsCommand, SettingsSetArgs};
use crate::output;

pub async fn run(session: &Session, command: SettingsCommand) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    match command {
        SettingsCommand::Show(flag) => {
            let settings = session.directory.settings(&operator).await?;
            print(&settings, flag.json)
        }
        SettingsCommand::Set(args) => {
            let current = session.directory.settings(&operator).await?;
            let wanted = with_changes(current, &args);
            let saved = session
                .directory
                .update_settings(&operator, &wanted)
                .await?;
            print(&saved, args.json)
        }
    }
}

/// `current` with the values the flags name.
fn with_changes(current: Settings, args: &SettingsSetArgs) -> Settings {
    Settings {
        password_min_length: args
            .password_min_length
            .unwrap_or(current.password_min_length),
        default_two_factor: args
            .default_two_factor
            .unwrap_or(current.default_two_factor),
        lockout_threshold: args.lockout_threshold.unwrap_or(current.lockout_threshold),
        lockout_minutes: args.lockout_minutes.unwrap_or(current.lockout_minutes),
        idle_timeout_minutes: args
            .idle_timeout_minutes
            .unwrap_or(current.idle_timeout_minutes),
        masked_search_per_minute: args
            .masked_search_per_minute
            .unwrap_or(current.masked_search_per_minute),
        company_name: args.company_name.clone().unwrap_or(current.company_name),
        audit_archive_months: args
            .audit_archive_months
            .unwrap_or(current.audit_archive_months),
        disable_inactive_after_days: args
            .disable_inactive_after_days
            .unwrap_or(current.disable_inactive_after_days),
        recycle_bin_days: args.recycle_bin_days.unwrap_or(current.recycle_bin_days),
    }
}

fn print(settings: &Settings, json: bool) -> anyhow::Result<()> {
    if json {
        return output::json(settings);
    }
    output::fields(&[
        (
            "Minimum password length",
            settings.password_min_length.to_string(),
        ),
        (
            "Default two-factor method",
            settings.default_two_factor.to_string(),
        ),
        (
            "Failed sign-ins before a lock",
            settings.lockout_threshold.to_string(),
        ),
        ("First lock (minutes)", settings.lockout_minutes.to_string()),
        (
            "Idle lock (minutes)",
            settings.idle_timeout_minutes.to_string(),
        ),
        (
            "Masked client searches per minute before slowing down",
            settings.masked_search_per_minute.to_string(),
        ),
        (
            "Company name (refused in passwords)",
            if settings.company_name.is_empty() {
                "(none)".to_owned()
            } else {
                settings.company_name.clone()
            },
        ),
        (
            "Archive audit events older than (months)",
            match settings.audit_archive_months {
                0 => "never".to_owned(),
                months => months.to_string(),
            },
        ),
        (
            "Disable accounts with no sign-in for (days)",
            match settings.disable_inactive_after_days {
                0 => "never".to_owned(),
                days => days.to_string(),
            },
        ),
        (
            "Keep deleted users restorable for (days)",
            match settings.recycle_bin_days {
                0 => "not kept: deleted at once".to_owned(),
                days => days.to_string(),
            },
        ),
    ])
}
