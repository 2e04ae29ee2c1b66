//! `roster audit …`: list, export and verify the audit log.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use roster_core::audit::export::ExportFormat;
use roster_core::audit::{ActionGroup, AuditTarget};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// List audit events, newest first.
    List(AuditListArgs),
    /// Write the events the filters select to a CSV or XLSX file, newest first.
    Export(AuditExportArgs),
    /// Check that no event was changed, removed or reordered since it was
    /// written (the hash chain), optionally against a checkpoint file.
    Verify(AuditVerifyArgs),
    /// Verify the log and write its newest position and hash to FILE, to
    /// keep somewhere else and verify against later.
    Checkpoint(AuditCheckpointArgs),
    /// Move old events to an archive file (JSON lines, every column and
    /// hash kept) and out of the store; the log left still verifies, and
    /// `verify --archive FILE` checks the archive joins it. Needs
    /// settings.manage and audit.view.
    Archive(AuditArchiveArgs),
}

/// The filters `list` and `export` share.
#[derive(Debug, Args)]
pub struct AuditFilterArgs {
    /// Only events this user made (email).
    #[arg(long, value_name = "EMAIL")]
    pub operator: Option<String>,
    /// A user's whole trail: events about them and events they made (email).
    #[arg(long, value_name = "EMAIL")]
    pub person: Option<String>,
    /// Only events about: user, group, client, settings or sign-in.
    #[arg(long, value_name = "KIND", value_parser = parse_target)]
    pub kind: Option<AuditTarget>,
    /// Only actions of one group: accounts, rights, credentials, sign-in,
    /// settings or clients.
    #[arg(long, value_name = "GROUP", value_parser = parse_group)]
    pub action: Option<ActionGroup>,
    /// From this day (YYYY-MM-DD, local time) or time (RFC 3339) on.
    #[arg(long, value_name = "WHEN")]
    pub from: Option<String>,
    /// Up to the end of this day (YYYY-MM-DD, local time) or this time (RFC 3339).
    #[arg(long, value_name = "WHEN")]
    pub to: Option<String>,
    /// Only the last N days (today counts as one).
    #[arg(long, value_name = "N", conflicts_with = "from", value_parser = clap::value_parser!(u32).range(1..=36500))]
    pub days: Option<u32>,
    /// Only events whose target or operator name or email starts with TEXT.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
}

#[derive(Debug, Args)]
pub struct AuditListArgs {
    /// Only events about this user (email) or group (name), exactly.
    #[arg(long, value_name = "EMAIL_OR_GROUP", conflicts_with_all = ["operator", "person", "kind", "action", "from", "to", "days", "search"])]
    pub target: Option<String>,
    #[command(flatten)]
    pub filter: AuditFilterArgs,
    /// How many events to show.
    #[arg(long, value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: u32,
    /// Print the events as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AuditExportArgs {
    #[command(flatten)]
    pub filter: AuditFilterArgs,
    /// csv or xlsx.
    #[arg(long, value_name = "FORMAT", default_value = "csv", value_parser = parse_format)]
    pub format: ExportFormat,
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    /// Also check that the log still holds the chain this checkpoint file recorded.
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
    /// Verify this archive file (from `roster audit archive`) too, and that
    /// the log continues where it ends; repeat for several, oldest first.
    #[arg(long, value_name = "FILE")]
    pub archive: Vec<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AuditCheckpointArgs {
    /// The checkpoint file to write.
    pub file: PathBuf,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("when").args(["before", "older_than_months"]))]
pub struct AuditArchiveArgs {
    /// Archive the events written before this day (YYYY-MM-DD, local
    /// midnight) or time (RFC 3339).
    #[arg(long, value_name = "WHEN")]
    pub before: Option<String>,
    /// Archive the events older than N months (1 to 120). Without this or
    /// --before, the setting's months (`roster settings set
    /// --audit-archive-months N`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=120))]
    pub older_than_months: Option<u32>,
    /// The archive file to write (a new file: an existing one is never
    /// overwritten). Keep it: it is the only copy of those events.
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
}

fn parse_target(text: &str) -> Result<AuditTarget, String> {
    text.parse()
        .map_err(|error: roster_core::Error| error.to_string())
}

fn parse_group(text: &str) -> Result<ActionGroup, String> {
    text.parse()
        .map_err(|error: roster_core::Error| error.to_string())
}

fn parse_format(text: &str) -> Result<ExportFormat, String> {
    text.parse()
        .map_err(|error: roster_core::Error| error.to_string())
}
