//! The command line's shape: every subcommand, flag and help text.
//!
//! Values with a closed set of words (status, sort, two-factor method,
//! permission) are parsed by the core's own `FromStr`, so the words and the
//! messages are the same here, in the desktop app and in the store.

use std::ffi::OsString;

use clap::{Args, Parser, Subcommand};
use roster_core::clients::ClientSort;
use roster_core::domain::ClientId;
use roster_core::domain::{Grant, TwoFactor};
use roster_core::store::{FactFilter, SortField, StatusFilter};

mod audit;
mod backup;
mod bench;
mod recycle_bin;
mod settings;
mod users_bulk;

pub use audit::{AuditArchiveArgs, AuditCommand, AuditFilterArgs};
pub use backup::{BackupArgs, BackupCommand, BackupConfigArgs};
pub use bench::BenchArgs;
pub use recycle_bin::{UsersDeletedArgs, UsersPurgeArgs, UsersRestoreArgs};
pub use settings::{MailCommand, MailSetArgs, SettingsCommand, SettingsSetArgs};
pub use users_bulk::{
    BulkActionArg, UserFilters, UsersBulkArgs, UsersExportArgs, UsersImportArgs, UsersTemplateArgs,
};

#[derive(Debug, Parser)]
#[command(
    name = "roster",
    version,
    about = "Administer Roster's back-office user accounts from a terminal or a script.",
    long_about = "Administer Roster's back-office user accounts from a terminal or a script.\n\n\
        Every command that reads or changes the directory signs in first, as the desktop app \
        does: --user EMAIL, the password from the first line of standard input (or asked for \
        when standard input is a terminal), then the second factor (--code, the next line of \
        standard input, or a prompt). Every change is checked and audited exactly as in the \
        desktop app, for the user who signed in.\n\n\
        Recovery: on a local SQLite file this account can write, --as EMAIL acts as that user \
        without a password (whoever can write the file could change it anyway); each use is \
        recorded in the audit log as cli.recovery_as with the computer's account name. It is \
        refused on a PostgreSQL server and on a file opened read-only.\n\n\
        The directory is the desktop app's local SQLite file unless --store names another \
        file or a directory on a PostgreSQL server (postgres://…); `roster store copy` moves \
        a directory from one store into a new one. Only `roster init` creates a store.\n\n\
        Errors are printed as one line starting with \"roster:\" on standard error; the exit \
        status is 0 on success, 1 when Roster refused or failed, 2 for a usage mistake."
)]
pub struct Cli {
    /// The store to use: a SQLite file (PATH or sqlite:PATH) or a directory
    /// on a PostgreSQL server
    /// (postgres://USER@HOST[:PORT]/DATABASE[?sslmode=MODE][&schema=NAME]).
    /// Defaults to the desktop app's local store in the OS's app-data folder.
    ///
    /// The server's password comes from PGPASSWORD, else from the keychain
    /// entry the desktop app keeps for that server and TLS mode; without
    /// either, Roster connects without one. A password written in the URL
    /// works but is visible to other users, and Roster warns about it.
    /// sslmode is disable, require or verify-full (the default, except for
    /// this computer).
    #[arg(long, env = "ROSTER_STORE", value_name = "STORE")]
    pub store: Option<OsString>,

    /// Sign in as this user. The password is the first line of standard
    /// input, or is asked for when standard input is a terminal.
    #[arg(
        long,
        env = "ROSTER_USER",
        value_name = "EMAIL",
        conflicts_with = "recovery_as"
    )]
    pub user: Option<String>,

    /// The code from the authenticator app, or a recovery code, for --user.
    /// Without it the code is the next line of standard input, or is asked
    /// for. (Emailed codes are always read after they are sent.)
    #[arg(long, value_name = "CODE", requires = "user")]
    pub code: Option<String>,

    /// Recovery on a local SQLite file this account can write: act as this
    /// user without signing in. Audited as cli.recovery_as; refused on a
    /// PostgreSQL server and on a read-only file.
    #[arg(long = "as", env = "ROSTER_AS", value_name = "EMAIL")]
    pub recovery_as: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set up a new store: create its first administrator.
    Init(InitArgs),
    /// List, show, add, edit, enable, disable and delete users.
    #[command(subcommand)]
    Users(UsersCommand),
    /// List, show, add, edit and delete groups.
    #[command(subcommand)]
    Groups(GroupsCommand),
    /// List, show, add, edit, delete, import and export clients.
    #[command(subcommand)]
    Clients(ClientsCommand),
    /// Read the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Generate passwords and check them against the password policy.
    #[command(subcommand)]
    Password(PasswordCommand),
    /// Show or change the password, lockout and session settings.
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Show, set, remove or test the mail server Roster sends through.
    #[command(subcommand)]
    Mail(MailCommand),
    /// Show where the store is, test the connection to it, or copy a
    /// directory into a new store.
    #[command(subcommand)]
    Store(StoreCommand),
    /// Back up the local store, list, check and restore its backups.
    #[command(subcommand)]
    Backup(BackupCommand),
    /// Measure listing speed on a freshly seeded temporary store (for developers).
    #[command(hide = true)]
    Bench(BenchArgs),
}

/// Where a new password comes from: exactly one of the two.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct PasswordSource {
    /// Read the password from one line of standard input (it is never echoed).
    #[arg(long)]
    pub password_stdin: bool,
    /// Let Roster generate a strong password and print it once.
    #[arg(long)]
    pub generate: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The administrator's name.
    #[arg(long)]
    pub name: String,
    /// The administrator's email address, used to sign in.
    #[arg(long)]
    pub email: String,
    #[command(flatten)]
    pub password: PasswordSource,
    /// The administrator's second factor. By default the one that works
    /// here (totp: they set up their authenticator app, with its QR code,
    /// at their first sign-in in the desktop app). `off` leaves the account
    /// that holds every right without one: the choice is audited and the
    /// app warns about it until a second factor is set.
    #[arg(long, value_name = "METHOD", value_parser = parse_two_factor)]
    pub two_factor: Option<TwoFactor>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List users, one page at a time.
    List(UsersListArgs),
    /// Show every field of one user.
    Show(UsersShowArgs),
    /// Create a user.
    Add(UsersAddArgs),
    /// Change a user's fields; fields not given stay as they are.
    Edit(UsersEditArgs),
    /// Allow a user to sign in again.
    Enable(UserTarget),
    /// Stop a user from signing in.
    Disable(UserTarget),
    /// Delete a user (needs --yes): into the recycle bin while the setting
    /// keeps deleted users, else for good.
    Delete(UsersDeleteArgs),
    /// List the deleted users the recycle bin keeps, newest first.
    Deleted(UsersDeletedArgs),
    /// Bring a deleted user back with their groups, supervisor and history.
    Restore(UsersRestoreArgs),
    /// Remove a deleted user from the recycle bin for good (needs --yes).
    Purge(UsersPurgeArgs),
    /// Give a user a new password.
    ResetPassword(UsersResetPasswordArgs),
    /// Lift a lock after repeated failed sign-ins.
    Unlock(UserTarget),
    /// Create users from a CSV or XLSX file: all rows, or none.
    Import(UsersImportArgs),
    /// Write the users the filters find to CSV or XLSX, re-importable.
    Export(UsersExportArgs),
    /// Write a users file to fill in for `users import`.
    Template(UsersTemplateArgs),
    /// Do one thing to many users: prints the plan, applies it with --yes.
    Bulk(UsersBulkArgs),
}

#[derive(Debug, Args)]
pub struct UsersListArgs {
    /// Find users by name or email: three or more characters match anywhere,
    /// one or two match the start.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Only users with this status: enabled, disabled or expired (past
    /// their "valid until" day).
    #[arg(long, value_name = "STATUS", value_parser = parse_status_filter)]
    pub status: Option<StatusFilter>,
    /// Only members of this group.
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    /// Only users who report directly to this user.
    #[arg(long, value_name = "EMAIL")]
    pub supervisor: Option<String>,
    /// Only users with this password or sign-in fact: never_signed_in,
    /// password_older_than_year, locked or failed_sign_ins.
    #[arg(long, value_name = "FACT", value_parser = parse_facts)]
    pub facts: Option<FactFilter>,
    /// Sort by name, email, created, last_sign_in, password_changed or
    /// failed_sign_ins.
    #[arg(long, value_name = "FIELD", value_parser = parse_sort, default_value = "name")]
    pub sort: SortField,
    /// Sort in descending order.
    #[arg(long)]
    pub desc: bool,
    /// Users per page (1 to 500).
    #[arg(long, value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=500))]
    pub limit: u32,
    /// Continue after this position, as printed at the end of the previous page.
    #[arg(long, value_name = "CURSOR")]
    pub after: Option<String>,
    /// Print the page as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UsersShowArgs {
    /// The user's email address.
    pub email: String,
    /// Print the user as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UsersAddArgs {
    /// The user's name.
    #[arg(long)]
    pub name: String,
    /// The user's email address (unique, ignoring case).
    #[arg(long)]
    pub email: String,
    /// A group to put the user in; repeat for several.
    #[arg(long = "group", value_name = "NAME", required = true)]
    pub groups: Vec<String>,
    /// The email address of the user's supervisor.
    #[arg(long, value_name = "EMAIL")]
    pub supervisor: Option<String>,
    /// Create the account disabled.
    #[arg(long)]
    pub disabled: bool,
    /// Make the user choose a new password at first sign-in.
    #[arg(long)]
    pub force_password_change: bool,
    /// Mask clients' personal data for this user.
    #[arg(long)]
    pub mask_client_data: bool,
    /// Two-factor method: off, email_code or totp (default: from settings).
    #[arg(long, value_name = "METHOD", value_parser = parse_two_factor)]
    pub two_factor: Option<TwoFactor>,
    /// The last day the account may sign in on, YYYY-MM-DD (a day in UTC).
    /// A day already past creates the account expired, with a warning.
    #[arg(long, value_name = "DATE")]
    pub valid_until: Option<String>,
    #[command(flatten)]
    pub password: PasswordSource,
    /// Email the user how to sign in, with the password (needs a mail server;
    /// see `roster mail`). A generated password is then printed only if the
    /// email could not be sent.
    #[arg(long)]
    pub send_credentials: bool,
    /// Print the user (and a generated password) as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UsersEditArgs {
    /// The user's current email address.
    pub email: String,
    /// A new name.
    #[arg(long)]
    pub name: Option<String>,
    /// A new email address.
    #[arg(long = "email", value_name = "NEW")]
    pub new_email: Option<String>,
    /// Replace the user's groups with these; repeat for several.
    #[arg(long = "group", value_name = "NAME", conflicts_with_all = ["add_groups", "remove_groups"])]
    pub groups: Vec<String>,
    /// Add the user to this group, keeping the others; repeat for several.
    #[arg(long = "add-group", value_name = "NAME")]
    pub add_groups: Vec<String>,
    /// Remove the user from this group; repeat for several.
    #[arg(long = "remove-group", value_name = "NAME")]
    pub remove_groups: Vec<String>,
    /// The email address of the new supervisor.
    #[arg(long, value_name = "EMAIL")]
    pub supervisor: Option<String>,
    /// Remove the supervisor.
    #[arg(long, conflicts_with = "supervisor")]
    pub no_supervisor: bool,
    /// Whether the user must choose a new password at next sign-in.
    #[arg(long, value_name = "true|false")]
    pub force_password_change: Option<bool>,
    /// Whether clients' personal data is masked for this user.
    #[arg(long, value_name = "true|false")]
    pub mask_client_data: Option<bool>,
    /// Two-factor method: off, email_code or totp.
    #[arg(long, value_name = "METHOD", value_parser = parse_two_factor)]
    pub two_factor: Option<TwoFactor>,
    /// The last day the account may sign in on, YYYY-MM-DD (a day in UTC);
    /// a later day revives an expired account.
    #[arg(long, value_name = "DATE")]
    pub valid_until: Option<String>,
    /// Remove the last day: the account no longer ends.
    #[arg(long, conflicts_with = "valid_until")]
    pub no_valid_until: bool,
    /// Print the updated user as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UserTarget {
    /// The user's email address.
    pub email: String,
}

#[derive(Debug, Args)]
pub struct UsersDeleteArgs {
    /// The user's email address.
    pub email: String,
    /// Confirm the deletion.
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct UsersResetPasswordArgs {
    /// The user's email address.
    pub email: String,
    #[command(flatten)]
    pub password: PasswordSource,
    /// Make the user choose a new password at next sign-in.
    #[arg(long)]
    pub force_password_change: bool,
    /// Email the user the new password (needs a mail server; see `roster
    /// mail`). A generated password is then printed only if the email could
    /// not be sent.
    #[arg(long)]
    pub send_credentials: bool,
    /// Print the result (and a generated password) as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum GroupsCommand {
    /// List every group.
    List(JsonFlag),
    /// Show a group, its permissions and its members.
    Show(GroupsShowArgs),
    /// Create a group.
    Add(GroupsAddArgs),
    /// Rename a group, change its description or its permissions.
    Edit(GroupsEditArgs),
    /// Delete a group that has no members.
    Delete(GroupTarget),
}

#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct GroupsShowArgs {
    /// The group's name (ignoring case).
    pub name: String,
    /// Print the group and its members as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct GroupsAddArgs {
    /// The new group's name.
    pub name: String,
    /// What the group is for.
    #[arg(long, default_value = "")]
    pub description: String,
    /// A permission the group grants, e.g. users.view, or users.edit:team
    /// for the holder's team only (themselves and their reports, direct and
    /// indirect); repeat for several.
    #[arg(long = "permission", value_name = "PERMISSION", value_parser = parse_grant)]
    pub permissions: Vec<Grant>,
    /// Print the group as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct GroupsEditArgs {
    /// The group's current name.
    pub name: String,
    /// A new name.
    #[arg(long = "name", value_name = "NEW")]
    pub new_name: Option<String>,
    /// A new description.
    #[arg(long)]
    pub description: Option<String>,
    /// Replace the group's permissions with these (users.edit, or
    /// users.edit:team for the holder's team only); repeat for several.
    #[arg(long = "permission", value_name = "PERMISSION", value_parser = parse_grant)]
    pub permissions: Vec<Grant>,
    /// Remove every permission from the group.
    #[arg(long, conflicts_with = "permissions")]
    pub no_permissions: bool,
    /// Print the group as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct GroupTarget {
    /// The group's name (ignoring case).
    pub name: String,
}

#[derive(Debug, Subcommand)]
pub enum ClientsCommand {
    /// List clients, one page at a time.
    List(ClientsListArgs),
    /// Show every field of one client.
    Show(ClientsShowArgs),
    /// Create a client.
    Add(ClientsAddArgs),
    /// Change a client's fields; fields not given stay as they are.
    Edit(ClientsEditArgs),
    /// Delete a client.
    Delete(ClientsDeleteArgs),
    /// Import clients from a CSV file whose first line names the columns
    /// (name, and any of email, phone, country).
    ///
    /// Every row is checked first; the rows are written only when none has an
    /// error, all in one go. The exit status is 1 when any row has an error.
    Import(ClientsImportArgs),
    /// Export clients as CSV (name,email,phone,country).
    Export(ClientsExportArgs),
}

#[derive(Debug, Args)]
pub struct ClientsListArgs {
    /// Find clients by name, email or phone: three or more characters match
    /// anywhere, one or two match the start. For a user whose client data is
    /// masked only whole values match: a full email, phone number or name,
    /// or a client id (#123).
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Sort by name or created (masked users' lists are always by created).
    #[arg(long, value_name = "FIELD", value_parser = parse_client_sort, default_value = "name")]
    pub sort: ClientSort,
    /// Sort in descending order.
    #[arg(long)]
    pub desc: bool,
    /// Clients per page (1 to 500).
    #[arg(long, value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=500))]
    pub limit: u32,
    /// Continue after this position, as printed at the end of the previous page.
    #[arg(long, value_name = "CURSOR")]
    pub after: Option<String>,
    /// Print the page as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ClientsShowArgs {
    /// The client's id.
    #[arg(value_parser = parse_client_id)]
    pub id: ClientId,
    /// Print the client as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ClientsAddArgs {
    /// The client's name.
    #[arg(long)]
    pub name: String,
    /// The client's email address.
    #[arg(long)]
    pub email: Option<String>,
    /// The client's phone number: international (+44 20 7946 0958), or
    /// national when --country is given.
    #[arg(long)]
    pub phone: Option<String>,
    /// The client's country, ISO 3166-1 alpha-2 (e.g. GB).
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,
    /// The email address of the user who looks after the client.
    #[arg(long, value_name = "EMAIL")]
    pub account_manager: Option<String>,
    /// Print the client as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ClientsEditArgs {
    /// The client's id.
    #[arg(value_parser = parse_client_id)]
    pub id: ClientId,
    /// The version you started from, as `clients show` prints it; the edit
    /// is refused if someone changed the client since.
    #[arg(long, value_name = "V")]
    pub version: i64,
    /// A new name.
    #[arg(long)]
    pub name: Option<String>,
    /// A new email address.
    #[arg(long)]
    pub email: Option<String>,
    /// Remove the email address.
    #[arg(long, conflicts_with = "email")]
    pub no_email: bool,
    /// A new phone number.
    #[arg(long)]
    pub phone: Option<String>,
    /// Remove the phone number.
    #[arg(long, conflicts_with = "phone")]
    pub no_phone: bool,
    /// A new country, ISO 3166-1 alpha-2.
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,
    /// Remove the country.
    #[arg(long, conflicts_with = "country")]
    pub no_country: bool,
    /// The email address of a new account manager.
    #[arg(long, value_name = "EMAIL")]
    pub account_manager: Option<String>,
    /// Remove the account manager.
    #[arg(long, conflicts_with = "account_manager")]
    pub no_account_manager: bool,
    /// Print the updated client as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ClientsDeleteArgs {
    /// The client's id.
    #[arg(value_parser = parse_client_id)]
    pub id: ClientId,
    /// The version you saw, as `clients show` prints it.
    #[arg(long, value_name = "V")]
    pub version: i64,
}

#[derive(Debug, Args)]
pub struct ClientsImportArgs {
    /// The CSV file (UTF-8); - reads standard input.
    pub file: OsString,
    /// Only check the rows and report; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ClientsExportArgs {
    /// Only clients matching this text, as for `clients list --search`.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Write the CSV to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum PasswordCommand {
    /// Print a new random password (or passphrase).
    Generate(PasswordGenerateArgs),
    /// Check a password read from standard input against the password policy.
    ///
    /// Exits with 0 when the password is acceptable, 1 when it is not.
    Check(PasswordCheckArgs),
}

#[derive(Debug, Args)]
pub struct PasswordGenerateArgs {
    /// Number of characters (8 to 128).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 16,
        conflicts_with = "passphrase"
    )]
    pub length: usize,
    /// Leave out symbols.
    #[arg(long)]
    pub no_symbols: bool,
    /// Leave out digits.
    #[arg(long)]
    pub no_digits: bool,
    /// Leave out capital letters.
    #[arg(long)]
    pub no_uppercase: bool,
    /// Leave out small letters.
    #[arg(long)]
    pub no_lowercase: bool,
    /// Allow characters that are easy to confuse, such as 0/O and 1/l.
    #[arg(long)]
    pub include_ambiguous: bool,
    /// Generate a passphrase of words instead.
    #[arg(long)]
    pub passphrase: bool,
    /// Number of words in the passphrase.
    #[arg(long, value_name = "N", default_value_t = 5, requires = "passphrase")]
    pub words: usize,
}

#[derive(Debug, Args)]
pub struct PasswordCheckArgs {
    /// The name of the user the password is for (it must not contain it).
    #[arg(long, default_value = "")]
    pub name: String,
    /// The email address of the user the password is for.
    #[arg(long, default_value = "")]
    pub email: String,
    /// Print the verdict as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Show which store --store (or ROSTER_STORE, or the default) names,
    /// without opening it.
    Show(JsonFlag),
    /// Connect to the store and report the server's version (a SQLite file
    /// must exist and open).
    Test(JsonFlag),
    /// Copy a whole directory into a new, empty store: everything it holds
    /// (users with their passwords and authenticators, groups, memberships,
    /// settings, the audit log).
    ///
    /// Each STORE is a SQLite file (PATH or sqlite:PATH) or a postgres:// URL,
    /// as for --store (the password from PGPASSWORD or the keychain). The
    /// source is only read. The copy is written in one transaction, and the
    /// target's counts are checked against the source's; a target that
    /// already holds a directory is refused. Ids are kept, so the audit log
    /// still names the same users.
    ///
    /// Example: roster store copy --from sqlite:roster.sqlite3 --to
    /// postgres://roster@db.example.com/roster
    Copy(StoreCopyArgs),
    /// Check the store: the database's own checks (SQLite) and Roster's
    /// invariants (an enabled administrator, no supervisor circle, kept
    /// counts, normalised and unique emails, the audit chain). Prints each
    /// finding; exit status 1 when something is left wrong.
    Check(StoreCheckArgs),
}

#[derive(Debug, Args)]
pub struct StoreCheckArgs {
    /// Repair what can be repaired safely: recount kept counts (audited).
    #[arg(long)]
    pub repair: bool,
    /// Print the findings as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StoreCopyArgs {
    /// The store to copy from; it must exist and is not changed.
    #[arg(long, value_name = "STORE")]
    pub from: OsString,
    /// The store to copy into: a new SQLite file, or an empty PostgreSQL
    /// directory (a schema is created if the URL names one that is absent).
    #[arg(long, value_name = "STORE")]
    pub to: OsString,
    /// Print the counts as JSON.
    #[arg(long)]
    pub json: bool,
}

fn parse_status_filter(value: &str) -> Result<StatusFilter, String> {
    value.parse().map_err(|e: roster_core::Error| e.to_string())
}

fn parse_facts(value: &str) -> Result<FactFilter, String> {
    value.parse().map_err(|e: roster_core::Error| e.to_string())
}

fn parse_sort(value: &str) -> Result<SortField, String> {
    value.parse().map_err(|e: roster_core::Error| e.to_string())
}

fn parse_client_sort(value: &str) -> Result<ClientSort, String> {
    value.parse().map_err(|e: roster_core::Error| e.to_string())
}

fn parse_client_id(value: &str) -> Result<ClientId, String> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(ClientId)
        .ok_or_else(|| format!("“{value}” is not a client id; ids are whole numbers, as `clients list` shows them."))
}

fn parse_two_factor(value: &str) -> Result<TwoFactor, String> {
    value.parse().map_err(|e: roster_core::Error| e.to_string())
}

fn parse_grant(value: &str) -> Result<Grant, String> {
    value.parse().map_err(|e: roster_core::Error| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
