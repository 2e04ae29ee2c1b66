//! `roster clients …`: the clients overview, one client, its changes, and
//! CSV import and export. Masking is the core's: a masked operator gets
//! masked values from every service, and this module only prints them.

use std::io::{IsTerminal, Read, Write};

use anyhow::{bail, Context as _};
use roster_core::clients::{ClientChanges, ClientQuery, Direction, ImportReport, NewClient};
use roster_core::domain::UserId;
use roster_core::Operator;

use super::Session;
use crate::cli::{
    ClientsAddArgs, ClientsCommand, ClientsDeleteArgs, ClientsEditArgs, ClientsExportArgs,
    ClientsImportArgs, ClientsListArgs, ClientsShowArgs,
};
use crate::output;

pub async fn run(session: &Session, command: ClientsCommand) -> anyhow::Result<()> {
    match command {
        ClientsCommand::List(args) => list(session, args).await,
        ClientsCommand::Show(args) => show(session, args).await,
        ClientsCommand::Add(args) => add(session, args).await,
        ClientsCommand::Edit(args) => edit(session, args).await,
        ClientsCommand::Delete(args) => delete(session, args).await,
        ClientsCommand::Import(args) => import(session, args).await,
        ClientsCommand::Export(args) => export(session, args).await,
    }
}

async fn list(session: &Session, args: ClientsListArgs) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let query = ClientQuery {
        search: args.search,
        sort: args.sort,
        direction: if args.desc {
            Direction::Desc
        } else {
            Direction::Asc
        },
        limit: args.limit,
        after: args.after,
    };
    let mut page = session.directory.list_clients(&operator, &query).await?;
    // A script reads the total counted in full, however long it takes.
    if page.counting {
        page.total = session.directory.count_clients(&operator, &query).await?;
        page.counting = false;
    }
    if args.json {
        return output::json(&page);
    }
    if page.clients.is_empty() {
        return output::line("No clients match.");
    }
    let rows: Vec<Vec<String>> = page.clients.iter().map(output::client_row).collect();
    output::table(output::CLIENT_COLUMNS, &rows)?;
    let of = if page.total.exact { "" } else { "more than " };
    output::line(format!(
        "Showing {} of {of}{}.",
        page.clients.len(),
        page.total.count
    ))?;
    match &page.next {
        Some(next) => output::line(format!("Next page: --after {next}")),
        None => Ok(()),
    }
}

async fn show(session: &Session, args: ClientsShowArgs) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let client = session.directory.client(&operator, args.id).await?;
    if args.json {
        return output::json(&client);
    }
    output::fields(&output::client_fields(&client))
}

async fn add(session: &Session, args: ClientsAddArgs) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let account_manager = match &args.account_manager {
        Some(email) => Some(account_manager(session, &operator, email).await?),
        None => None,
    };
    let new = NewClient {
        name: args.name,
        email: args.email,
        phone: args.phone,
        country: args.country,
        account_manager,
    };
    let client = session.directory.create_client(&operator, new).await?;
    if args.json {
        return output::json(&client);
    }
    output::line(format!("Created client {} ({}).", client.id, client.name))
}

/// The user with address `email`, if the operator may choose them as an
/// account manager (the app's picker offers the same people).
async fn account_manager(
    session: &Session,
    operator: &Operator,
    email: &str,
) -> anyhow::Result<UserId> {
    Ok(session
        .directory
        .account_manager_by_email(operator, email)
        .await?
        .id)
}

/// `Some(Some(v))` to set, `Some(None)` to clear, `None` to leave as it is.
fn change(value: Option<String>, clear: bool) -> Option<Option<String>> {
    if clear {
        Some(None)
    } else {
        value.map(Some)
    }
}

async fn edit(session: &Session, args: ClientsEditArgs) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let account_manager = match (&args.account_manager, args.no_account_manager) {
        (_, true) => Some(None),
        (Some(email), false) => Some(Some(account_manager(session, &operator, email).await?)),
        (None, false) => None,
    };
    let changes = ClientChanges {
        version: args.version,
        name: args.name,
        email: change(args.email, args.no_email),
        phone: change(args.phone, args.no_phone),
        country: change(args.country, args.no_country),
        account_manager,
    };
    let client = session
        .directory
        .update_client(&operator, args.id, changes)
        .await?;
    if args.json {
        return output::json(&client);
    }
    output::line(format!(
        "Updated client {} ({}); it is now at version {}.",
        client.id, client.name, client.version
    ))
}

async fn delete(session: &Session, args: ClientsDeleteArgs) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let client = session.directory.client(&operator, args.id).await?;
    session
        .directory
        .delete_client(&operator, args.id, args.version)
        .await?;
    output::line(format!("Deleted client {} ({}).", client.id, client.name))
}

/// Rows between two progress lines on a terminal.
const PROGRESS_LINE_EVERY: u64 = 2000;

async fn import(session: &Session, args: ClientsImportArgs) -> anyhow::Result<()> {
    // A file is read as a stream (twice: checked, then written), so a large
    // one never sits in memory; standard input cannot be read twice and is
    // kept in memory.
    let input = if args.file == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .context("The CSV could not be read from standard input")?;
        Input::Memory(std::io::Cursor::new(bytes))
    } else {
        let path = std::path::Path::new(&args.file);
        let file = std::fs::File::open(path)
            .with_context(|| format!("{} could not be opened", path.display()))?;
        Input::File(std::io::BufReader::new(file))
    };
    let operator = session.operator().await?;
    let on_terminal = std::io::stderr().is_terminal();
    let dry_run = args.dry_run;
    let mut progress = move |done: u64, total: u64| {
        if !on_terminal {
            return;
        }
        // A real import reports rows checked, then rows written (total is
        // twice the rows); a dry run only checks. The last call is left to
        // the report: with errors it comes without any row written.
        let (verb, done, rows) = if dry_run {
            ("checked", done, total)
        } else if done <= total / 2 {
            ("checked", done, total / 2)
        } else {
            ("imported", done - total / 2, total / 2)
        };
        if done > 0 && done < rows && done.is_multiple_of(PROGRESS_LINE_EVERY) {
            eprintln!("{verb} {done} of {rows} rows");
        }
    };
    let report = match input {
        Input::Memory(bytes) => {
            session
                .directory
                .import_clients_from(&operator, bytes, dry_run, &mut progress)
                .await?
        }
        Input::File(file) => {
            session
                .directory
                .import_clients_from(&operator, file, dry_run, &mut progress)
                .await?
        }
    };
    if args.json {
        output::json(&report)?;
    } else {
        print_report(&report, dry_run)?;
    }
    match report.errors.len() {
        0 => Ok(()),
        1 if dry_run => bail!("1 row has an error."),
        1 => bail!("1 row has an error; nothing was imported."),
        n if dry_run => bail!("{n} rows have errors."),
        n => bail!("{n} rows have errors; nothing was imported."),
    }
}

/// Where an import reads its CSV from.
enum Input {
    Memory(std::io::Cursor<Vec<u8>>),
    File(std::io::BufReader<std::fs::File>),
}

fn print_report(report: &ImportReport, dry_run: bool) -> anyhow::Result<()> {
    let mut lines = vec![format!("Rows: {}", report.rows)];
    if dry_run {
        lines.push("Created: 0 (dry run)".to_owned());
    } else {
        lines.push(format!("Created: {}", report.created));
    }
    lines.extend(
        report
            .errors
            .iter()
            .map(|error| format!("line {}: {}", error.line, error.message)),
    );
    output::lines(lines)
}

async fn export(session: &Session, args: ClientsExportArgs) -> anyhow::Result<()> {
    let operator = session.operator().await?;
    let query = ClientQuery {
        search: args.search,
        ..ClientQuery::default()
    };
    let csv = session.directory.export_clients(&operator, &query).await?;
    match &args.output {
        Some(path) => {
            std::fs::write(path, csv.as_bytes())
                .with_context(|| format!("{} could not be written", path.display()))?;
            let rows = csv.lines().count().saturating_sub(1);
            eprintln!("Exported {rows} clients to {}.", path.display());
            Ok(())
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(csv.as_bytes())?;
            out.flush()?;
            Ok(())
        }
    }
}
