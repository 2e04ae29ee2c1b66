//! `roster users deleted|restore|purge`: the recycle bin.

use clap::Args;

#[derive(Debug, Args)]
pub struct UsersDeletedArgs {
    /// Deleted users per page (1 to 500).
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
pub struct UsersRestoreArgs {
    /// The deleted user's id, as `users deleted` lists it.
    pub id: i64,
    /// When their supervisor no longer exists, restore them without one.
    #[arg(long)]
    pub without_supervisor: bool,
}

#[derive(Debug, Args)]
pub struct UsersPurgeArgs {
    /// The deleted user's id, as `users deleted` lists it.
    pub id: i64,
    /// Confirm: they can no longer be restored.
    #[arg(long)]
    pub yes: bool,
}
