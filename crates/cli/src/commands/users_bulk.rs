//! `roster users import|export|template|bulk`. The core checks and does
//! everything; this reads and writes the files and prints the reports.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::AtomicBool;

use anyhow::{bail, Context};
use roster_core::directory::{BulkAction, BulkPlan, BulkRefusal, BulkSelection};
use roster_core::sheet::SheetFormat;
use roster_core::store::{Direction, SortField, UserQuery};
use roster_core::users_sheet::{credentials_sheet, users_template, UserImportOptions};
use roster_core::Operator;

use super::users::{group_id, user_id};
use super::{print_generated_password, Session};
use crate::cli::{
    BulkActionArg, UserFilters, UsersBulkArgs, UsersExportArgs, UsersImportArgs, UsersTemplateArgs,
};
use crate::output;

pub async fn import(session: &Session, args: UsersImportArgs) -> anyhow::Result<()> {
    if !args.dry_run && args.credentials.is_none() && !args.send_credentials {
        bail!("Say where the new users' passwords go: --credentials FILE (a sheet only you can read) or --send-credentials.");
    }
    if let Some(path) = &args.credentials {
        if path.exists() {
            bail!(
                "{} already exists; choose a new file for the credentials.",
                path.display()
            );
        }
    }
    let file = std::fs::File::open(&args.file)
        .with_context(|| format!("{} could not be opened", args.file.display()))?;
    let operator = session.operator().await?;
    let on_terminal = std::io::stderr().is_terminal();
    let mut last_tenth = 0;
    let mut progress = |done: u64, total: u64| {
        let tenth = done.saturating_mul(10) / total.max(1);
        if on_terminal && tenth > last_tenth && done < total {
            last_tenth = tenth;
            eprintln!("{}% done", tenth * 10);
        }
    };
    // Ctrl+C ends the process before the commit: nothing is written.
    let never = AtomicBool::new(false);
    let result = session
        .directory
        .import_users(
            &operator,
            std::io::BufReader::new(file),
            UserImportOptions {
                dry_run: args.dry_run,
                send_credentials: args.send_credentials,
            },
            &mut progress,
            &never,
        )
        .await?;
    let report = &result.report;
    if !result.credentials.is_empty() {
        match &args.credentials {
            Some(path) => {
                let format = if path
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
                {
                    SheetFormat::Xlsx
                } else {
                    SheetFormat::Csv
                };
                let written = credentials_sheet(&result.credentials, format)
                    .map_err(anyhow::Error::from)
                    .and_then(|sheet| write_private(path, &sheet, true));
                if let Err(error) = written {
                    // The users exist now: their passwords must not be lost.
                    for issued in &result.credentials {
                        print_generated_password(&issued.email, &issued.password)?;
                    }
                    return Err(error);
                }
                eprintln!(
                    "The passwords of {} new users are in {} (readable by you only).",
                    result.credentials.len(),
                    path.display()
                );
            }
            None => {
                for issued in &result.credentials {
                    print_generated_password(&issued.email, &issued.password)?;
                }
            }
        }
    }
    if args.json {
        output::json(report)?;
    } else {
        let mut lines = vec![
            format!("Rows: {}", report.rows),
            if args.dry_run {
                "Created: 0 (dry run)".to_owned()
            } else {
                format!("Created: {}", report.created)
            },
        ];
        lines.extend(report.errors.iter().map(ToString::to_string));
        if report.more_errors > 0 {
            lines.push(format!("… and {} more problem(s).", report.more_errors));
        }
        lines.extend(
            report
                .failed_deliveries
                .iter()
                .map(|failed| format!("Not sent to {}: {}", failed.email, failed.reason)),
        );
        output::lines(lines)?;
    }
    match report.errors.len() as u64 + report.more_errors {
        0 => Ok(()),
        n if args.dry_run => bail!("{n} problem(s) found."),
        n => bail!("{n} problem(s) found; nothing was imported."),
    }
}

async fn query(
    session: &Session,
    operator: &Operator,
    filters: &UserFilters,
    sort: SortField,
    desc: bool,
) -> anyhow::Result<UserQuery> {
    Ok(UserQuery {
        search: filters.search.clone(),
        status: filters.status,
        group: match &filters.in_group {
            Some(name) => Some(group_id(session, operator, name).await?),
            None => None,
        },
        supervisor: match &filters.reports_to {
            Some(email) => Some(user_id(session, operator, email).await?),
            None => None,
        },
        facts: filters.facts,
        sort,
        direction: if desc {
            Direction::Desc
        } else {
            Direction::Asc
        },
        ..UserQuery::default()
    })
}

pub async fn export(session: &Session, args: UsersExportArgs) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let query = query(session, &operator, &args.filters, args.sort, args.desc).await?;
    let format = SheetFormat::from(args.format);
    let mut bytes = Vec::new();
    let rows = session
        .directory
        .export_users(&operator, &query, format, &mut bytes)
        .await?;
    match &args.output {
        Some(path) => {
            write_private(path, &bytes, false)?;
            eprintln!("Exported {rows} users to {}.", path.display());
            Ok(())
        }
        None if format == SheetFormat::Xlsx => {
            bail!("An XLSX file needs --output FILE.")
        }
        None => to_stdout(&bytes),
    }
}

pub fn template(args: UsersTemplateArgs) -> anyhow::Result<()> {
    let format = SheetFormat::from(args.format);
    let bytes = users_template(format)?;
    match &args.output {
        Some(path) => {
            std::fs::write(path, &bytes)
                .with_context(|| format!("{} could not be written", path.display()))?;
            Ok(())
        }
        None if format == SheetFormat::Xlsx => bail!("An XLSX file needs --output FILE."),
        None => to_stdout(&bytes),
    }
}

pub async fn bulk(session: &Session, args: UsersBulkArgs) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let action = match args.action {
        BulkActionArg::Enable => BulkAction::Enable,
        BulkActionArg::Disable => BulkAction::Disable,
        BulkActionArg::AddToGroup | BulkActionArg::RemoveFromGroup => {
            let Some(name) = &args.group else {
                bail!("Name the group with --group.");
            };
            let group = group_id(session, &operator, name).await?;
            if args.action == BulkActionArg::AddToGroup {
                BulkAction::AddToGroup { group }
            } else {
                BulkAction::RemoveFromGroup { group }
            }
        }
        BulkActionArg::SetSupervisor => {
            let supervisor = match (&args.supervisor, args.no_supervisor) {
                (Some(email), _) => Some(user_id(session, &operator, email).await?),
                (None, true) => None,
                (None, false) => {
                    bail!("Name the supervisor with --supervisor EMAIL, or use --no-supervisor.")
                }
            };
            BulkAction::SetSupervisor { supervisor }
        }
        BulkActionArg::RequirePasswordChange => BulkAction::RequirePasswordChange,
        BulkActionArg::ResetTwoFactor => BulkAction::ResetTwoFactor,
        BulkActionArg::Delete => BulkAction::Delete,
    };
    // (A search the core keys to nothing, spaces or accents alone, is none.)
    let searched = args
        .filters
        .search
        .as_deref()
        .is_some_and(|text| !roster_core::domain::search_key(text.trim()).is_empty());
    let filtered = searched
        || args.filters.status.is_some()
        || args.filters.in_group.is_some()
        || args.filters.reports_to.is_some()
        || args.filters.facts.is_some();
    let selection = if !args.emails.is_empty() {
        let mut ids = Vec::with_capacity(args.emails.len());
        for email in &args.emails {
            ids.push(user_id(session, &operator, email).await?);
        }
        BulkSelection::Ids(ids)
    } else if filtered || args.all {
        BulkSelection::Matching(
            query(session, &operator, &args.filters, SortField::Name, false).await?,
        )
    } else {
        bail!(
            "Choose the users: --email (repeat), filters such as --in-group or --status, or --all."
        );
    };
    if !args.yes {
        let plan = session
            .directory
            .plan_bulk(&operator, &selection, action)
            .await?;
        if args.json {
            return output::json(&plan);
        }
        print_refusals(&plan.refusals)?;
        return print_plan(&plan);
    }
    let report = session
        .directory
        .apply_bulk(&operator, &selection, action)
        .await?;
    if args.json {
        return output::json(&report);
    }
    print_refusals(&report.refusals)?;
    output::line(format!(
        "Applied to {} user(s); {} already so; {} refused.",
        report.applied,
        report.unchanged,
        report.refusals.len()
    ))
}

fn print_refusals(refusals: &[BulkRefusal]) -> anyhow::Result<()> {
    output::lines(
        refusals
            .iter()
            .map(|r| format!("Refused for {} ({}): {}", r.name, r.email, r.message)),
    )
}

fn print_plan(plan: &BulkPlan) -> anyhow::Result<()> {
    output::line(format!(
        "{} selected: {} would change, {} already so, {} refused. Nothing changed: add --yes to apply.",
        plan.selected,
        plan.applicable,
        plan.unchanged,
        plan.refusals.len()
    ))
}

fn to_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

/// Writes `bytes` to `path`, readable and writable by its owner only;
/// with `new_only`, refuses a file that exists.
fn write_private(path: &Path, bytes: &[u8], new_only: bool) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if new_only {
        options.create_new(true);
    } else {
        options.create(true).truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("{} could not be written", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}
