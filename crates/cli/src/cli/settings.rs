//! `roster settings …` and `roster mail …`: the directory's settings and
//! the mail server it sends through.

use clap::{Args, Subcommand};
use roster_core::domain::TwoFactor;
use roster_core::smtp::MailSecurity;

use super::{parse_two_factor, JsonFlag};

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Show every setting.
    Show(JsonFlag),
    /// Change some settings; those not given stay as they are.
    Set(SettingsSetArgs),
}

#[derive(Debug, Args)]
pub struct SettingsSetArgs {
    /// Fewest characters a password may have (8 to 64).
    #[arg(long, value_name = "N")]
    pub password_min_length: Option<usize>,
    /// Two-factor method for new users: off, email_code or totp.
    #[arg(long, value_name = "METHOD", value_parser = parse_two_factor)]
    pub default_two_factor: Option<TwoFactor>,
    /// Failed sign-ins in a row that lock an account (3 to 100).
    #[arg(long, value_name = "N")]
    pub lockout_threshold: Option<u32>,
    /// Minutes the first lock lasts; each further failure doubles it (1 to 1440).
    #[arg(long, value_name = "MINUTES")]
    pub lockout_minutes: Option<u32>,
    /// Minutes without activity before the desktop locks its screen (1 to 480).
    #[arg(long, value_name = "MINUTES")]
    pub idle_timeout_minutes: Option<u32>,
    /// Client searches a masked user may make in a minute before each
    /// further one is slowed down (1 to 1000).
    #[arg(long, value_name = "N")]
    pub masked_search_per_minute: Option<u32>,
    /// The company's name: passwords that contain it (or a word of it) are
    /// refused. "" removes it.
    #[arg(long, value_name = "NAME")]
    pub company_name: Option<String>,
    /// Archive audit events older than this many months (`roster audit
    /// archive`, or the audit page); 0 (the default) means never (0 to 120).
    #[arg(long, value_name = "MONTHS")]
    pub audit_archive_months: Option<u32>,
    /// Disable accounts with no sign-in for this many days (counted from
    /// their creation when they never signed in); 0 (the default) means
    /// never (0 to 3650). Never the last enabled administrator.
    #[arg(long, value_name = "DAYS")]
    pub disable_inactive_after_days: Option<u32>,
    /// Days a deleted user stays in the recycle bin, restorable, before
    /// being purged; 0 deletes at once (0 to 365; 30 by default).
    #[arg(long, value_name = "DAYS")]
    pub recycle_bin_days: Option<u32>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Show the mail server's settings.
    Show(JsonFlag),
    /// Set the mail server every administrator of this store sends through.
    ///
    /// The password of --user is read from the ROSTER_SMTP_PASSWORD
    /// environment variable and kept in this computer's keychain, never in
    /// the store; it is never taken from the command line.
    Set(MailSetArgs),
    /// Remove the mail server (refused while users sign in with email codes),
    /// and forget its password on this computer.
    Clear,
    /// Send a test message through the mail server.
    Test(MailTestArgs),
}

#[derive(Debug, Args)]
pub struct MailSetArgs {
    /// The mail server's name, e.g. smtp.example.com.
    #[arg(long)]
    pub host: String,
    /// The port (default: 587 for starttls, 465 for tls, 25 for none).
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,
    /// How the connection is protected: starttls, tls or none (none only for
    /// a relay that needs no password, or one on this computer).
    #[arg(long, value_name = "SECURITY", value_parser = parse_mail_security)]
    pub security: MailSecurity,
    /// The account to sign in with; its password comes from ROSTER_SMTP_PASSWORD.
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// The address mail is sent from.
    #[arg(long = "from", value_name = "ADDRESS")]
    pub from: String,
    /// The name shown beside the sender address.
    #[arg(long = "from-name", value_name = "NAME", default_value = "Roster")]
    pub from_name: String,
    /// Print the saved settings as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct MailTestArgs {
    /// Where to send the test message.
    #[arg(long, value_name = "ADDRESS")]
    pub to: String,
}

fn parse_mail_security(value: &str) -> Result<MailSecurity, String> {
    value.parse().map_err(|e: roster_core::Error| e.to_string())
}
