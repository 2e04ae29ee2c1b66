//! `roster users import|export|template|bulk`: users from and to
//! spreadsheets, and one action on many users.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use roster_core::sheet::SheetFormat;
use roster_core::store::{FactFilter, SortField, StatusFilter};

use super::{parse_facts, parse_sort, parse_status_filter};

/// Which users `users export` and `users bulk` take: the overview's filters.
#[derive(Debug, Args)]
pub struct UserFilters {
    /// Users whose name or email matches, as for `users list --search`.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Only users with this status: enabled, disabled or expired.
    #[arg(long, value_name = "STATUS", value_parser = parse_status_filter)]
    pub status: Option<StatusFilter>,
    /// Only members of this group.
    #[arg(long = "in-group", value_name = "NAME")]
    pub in_group: Option<String>,
    /// Only users who report directly to this user.
    #[arg(long = "reports-to", value_name = "EMAIL")]
    pub reports_to: Option<String>,
    /// Only users with this password or sign-in fact, as for `users list --facts`.
    #[arg(long, value_name = "FACT", value_parser = parse_facts)]
    pub facts: Option<FactFilter>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Csv,
    Xlsx,
}

impl From<FormatArg> for SheetFormat {
    fn from(format: FormatArg) -> Self {
        match format {
            FormatArg::Csv => SheetFormat::Csv,
            FormatArg::Xlsx => SheetFormat::Xlsx,
        }
    }
}

#[derive(Debug, Args)]
pub struct UsersImportArgs {
    /// The CSV or XLSX file (the format is read from its content).
    pub file: PathBuf,
    /// Check every row and list the problems; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Write the new users' passwords to this sheet (readable by you only;
    /// .xlsx for a workbook, CSV otherwise). It must not exist yet.
    #[arg(long, value_name = "FILE")]
    pub credentials: Option<PathBuf>,
    /// Email each new user how to sign in (needs a mail server); the
    /// passwords that could not be sent go to --credentials, or are printed.
    #[arg(long)]
    pub send_credentials: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UsersExportArgs {
    #[command(flatten)]
    pub filters: UserFilters,
    /// Sort by name, email, created, last_sign_in, password_changed or
    /// failed_sign_ins.
    #[arg(long, value_name = "FIELD", value_parser = parse_sort, default_value = "name")]
    pub sort: SortField,
    /// Sort in descending order.
    #[arg(long)]
    pub desc: bool,
    /// csv or xlsx (an XLSX file needs --output).
    #[arg(long, value_enum, default_value = "csv")]
    pub format: FormatArg,
    /// Write to this file (readable by you only) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct UsersTemplateArgs {
    /// csv or xlsx (an XLSX file needs --output).
    #[arg(long, value_enum, default_value = "csv")]
    pub format: FormatArg,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The actions `users bulk` can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BulkActionArg {
    Enable,
    Disable,
    AddToGroup,
    RemoveFromGroup,
    SetSupervisor,
    RequirePasswordChange,
    ResetTwoFactor,
    Delete,
}

#[derive(Debug, Args)]
pub struct UsersBulkArgs {
    /// What to do to each user.
    #[arg(value_enum)]
    pub action: BulkActionArg,
    /// The group to add to or remove from.
    #[arg(long, value_name = "NAME", required_if_eq_any = [("action", "add-to-group"), ("action", "remove-from-group")])]
    pub group: Option<String>,
    /// The new supervisor's email (set-supervisor).
    #[arg(long, value_name = "EMAIL")]
    pub supervisor: Option<String>,
    /// Remove the supervisor (set-supervisor).
    #[arg(long, conflicts_with = "supervisor")]
    pub no_supervisor: bool,
    /// These users (repeat); otherwise the users the filters find.
    #[arg(long = "email", value_name = "EMAIL", conflicts_with_all = ["search", "status", "in_group", "reports_to", "all"])]
    pub emails: Vec<String>,
    #[command(flatten)]
    pub filters: UserFilters,
    /// Every user (when no filter and no --email is given).
    #[arg(long)]
    pub all: bool,
    /// Apply the action; without it, only the plan is printed.
    #[arg(long)]
    pub yes: bool,
    /// Print the plan or the report as JSON.
    #[arg(long)]
    pub json: bool,
}
