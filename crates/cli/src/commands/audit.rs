//! `roster audit`: the audit log, newest first.

use roster_core::model::{AuditEvent, AuditQuery};
use serde_json::Value;

use super::Session;
use crate::cli::AuditCommand;
use crate::output;

pub async fn run(session: &Session, command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::List(args) => {
            let operator = session.operator().await?;
            let query = AuditQuery {
                target_label: args.target,
                limit: args.limit,
                ..AuditQuery::default()
            };
            let events = session.directory.audit_events(&operator, &query).await?;
            if args.json {
                return output::json(&events);
            }
            let rows: Vec<Vec<String>> = events.iter().map(event_row).collect();
            output::table(&["WHEN", "OPERATOR", "ACTION", "TARGET", "CHANGES"], &rows)
        }
    }
}

fn event_row(event: &AuditEvent) -> Vec<String> {
    let changes = event
        .changes
        .iter()
        .map(|c| match (&c.before, &c.after) {
            (Value::Null, after) => format!("{}: {after}", c.field),
            (before, after) => format!("{}: {before} → {after}", c.field),
        })
        .collect::<Vec<_>>()
        .join("; ");
    vec![
        output::time(&event.at),
        event.operator_label.clone(),
        event.action.clone(),
        event.target_label.clone(),
        changes,
    ]
}
