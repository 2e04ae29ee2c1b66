//! `roster audit`: the audit log, newest first; its export; verifying its
//! hash chain and checkpoints.

use anyhow::Context;
use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};
use roster_core::audit::{AuditFilter, Checkpoint};
use roster_core::model::{AuditEvent, AuditQuery};
use roster_core::Operator;

use super::Session;
use crate::cli::{AuditCommand, AuditFilterArgs};
use crate::output;

pub async fn run(session: &Session, command: AuditCommand) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let directory = &session.directory;
    match command {
        AuditCommand::List(args) => {
            let events = match args.target {
                Some(target) => {
                    let query = AuditQuery {
                        target_label: Some(target),
                        limit: args.limit,
                        ..AuditQuery::default()
                    };
                    directory.audit_events(&operator, &query).await?
                }
                None => {
                    let filter = filter(session, operator, &args.filter).await?;
                    directory
                        .audit_page(&operator, &filter, None, args.limit)
                        .await?
                        .events
                }
            };
            if args.json {
                return output::json(&events);
            }
            let rows: Vec<Vec<String>> = events.iter().map(event_row).collect();
            output::table(&["WHEN", "OPERATOR", "ACTION", "TARGET", "CHANGES"], &rows)
        }
        AuditCommand::Export(args) => {
            let filter = filter(session, operator, &args.filter).await?;
            let file = std::fs::File::create(&args.output)
                .with_context(|| format!("{} could not be created", args.output.display()))?;
            let count = directory
                .export_audit(&operator, &filter, args.format, file)
                .await?;
            eprintln!("Exported {count} events to {}.", args.output.display());
            Ok(())
        }
        AuditCommand::Verify(args) => {
            let checkpoint = match &args.checkpoint {
                Some(path) => Some(Checkpoint::read_file(path).map_err(anyhow::Error::msg)?),
                None => None,
            };
            let archives: Vec<&std::path::Path> =
                args.archive.iter().map(|path| path.as_path()).collect();
            let result = directory
                .verify_audit_with_archives(&operator, &archives, checkpoint)
                .await?;
            if args.json {
                output::json(&result)?;
            } else if result.intact {
                output::line(&result.message)?;
            }
            if result.intact {
                Ok(())
            } else {
                anyhow::bail!(result.message)
            }
        }
        AuditCommand::Checkpoint(args) => {
            let checkpoint = directory.audit_checkpoint(&operator).await?;
            std::fs::write(&args.file, checkpoint.to_file_text())
                .with_context(|| format!("{} could not be written", args.file.display()))?;
            output::line(format!(
                "Checkpoint of {} events written to {}.",
                checkpoint.events,
                args.file.display()
            ))
        }
        AuditCommand::Archive(args) => archive(session, operator, args).await,
    }
}

/// `roster audit archive`: the plan first (rights, something to archive),
/// then a new file, removed again when archiving fails.
async fn archive(
    session: &Session,
    operator: Operator,
    args: crate::cli::AuditArchiveArgs,
) -> anyhow::Result<()> {
    let before = match (&args.before, args.older_than_months) {
        (Some(text), _) => Some(when(text, false)?),
        (None, Some(months)) => Some(roster_core::directory::archive_cutoff(Utc::now(), months)?),
        (None, None) => None,
    };
    let directory = &session.directory;
    let plan = directory.audit_archive_plan(&operator, before).await?;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&args.to)
        .with_context(|| format!("{} could not be created", args.to.display()))?;
    match directory.archive_audit(&operator, plan.before, file).await {
        Ok(archived) => output::line(format!(
            "Archived {} events written before {} to {}; the log continues after event number {}.",
            archived.events,
            output::time(&archived.before),
            args.to.display(),
            archived.last_seq
        )),
        Err(error) => {
            let _ = std::fs::remove_file(&args.to);
            Err(error.into())
        }
    }
}

/// The core's filter from the arguments: emails resolved to users, days to
/// local midnights.
async fn filter(
    session: &Session,
    operator: Operator,
    args: &AuditFilterArgs,
) -> anyhow::Result<AuditFilter> {
    let user = |email: &Option<String>| {
        let email = email.clone();
        async move {
            match email {
                Some(email) => Ok::<_, anyhow::Error>(Some(
                    session.directory.audit_user_id(&operator, &email).await?,
                )),
                None => Ok(None),
            }
        }
    };
    let from = match (args.days, &args.from) {
        (Some(days), _) => {
            let today = Local::now().date_naive();
            Some(local_midnight(
                today - chrono::Days::new(u64::from(days) - 1),
            )?)
        }
        (None, Some(text)) => Some(when(text, false)?),
        (None, None) => None,
    };
    Ok(AuditFilter {
        operator: user(&args.operator).await?,
        person: user(&args.person).await?,
        target: args.kind,
        action: args.action,
        from,
        to: args
            .to
            .as_deref()
            .map(|text| when(text, true))
            .transpose()?,
        search: args.search.clone(),
    })
}

/// A day (local time; the end of the day when `end`) or an RFC 3339 time.
fn when(text: &str, end: bool) -> anyhow::Result<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(at.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| anyhow::anyhow!("“{text}” is not a day (YYYY-MM-DD) or a time (RFC 3339)."))?;
    local_midnight(if end { day + chrono::Days::new(1) } else { day })
}

fn local_midnight(day: NaiveDate) -> anyhow::Result<DateTime<Utc>> {
    let midnight = day
        .and_hms_opt(0, 0, 0)
        .ok_or_else(|| anyhow::anyhow!("{day} has no midnight."))?;
    Local
        .from_local_datetime(&midnight)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        .ok_or_else(|| anyhow::anyhow!("{day} has no midnight here."))
}

fn event_row(event: &AuditEvent) -> Vec<String> {
    vec![
        output::time(&event.at),
        event.operator_label.clone(),
        event.action.clone(),
        event.target_label.clone(),
        roster_core::audit::export::summary(event),
    ]
}
