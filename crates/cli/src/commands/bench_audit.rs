//! `roster bench --audit-events N`: seeds N audit events and measures the
//! audit page's first page under each single filter, alone and with the
//! time range "30 days" (p50, p95, max of `--queries` runs), the export rate (CSV of
//! up to a million events to a temporary file) with the process's peak
//! resident memory during it, and a whole verification.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::time::Instant;

use chrono::{Duration, Utc};
use roster_core::audit::export::ExportFormat;
use roster_core::audit::{ActionGroup, AuditFilter, AuditTarget};
use roster_core::domain::UserId;
use roster_core::store::Store;
use roster_core::{Directory, Operator};
use serde::Serialize;

use super::bench::{round, summarise, Latency};

/// Events exported for the export rate (the figure: a million).
const EXPORTED: usize = 1_000_000;

/// Events written per transaction while seeding (at least): the bigger the
/// batch, the fewer statements and commits for ten million events.
const SEED_BATCH: usize = 50_000;

#[derive(Serialize)]
pub(super) struct AuditReport {
    events: usize,
    /// Seeding, chained as written (hashes computed in memory).
    seed_seconds: f64,
    /// The first page (50 events), newest first, under each single filter.
    first_page: BTreeMap<&'static str, Latency>,
    /// The same with the time range "30 days" as well.
    first_page_30_days: BTreeMap<&'static str, Latency>,
    export_events: u64,
    export_seconds: f64,
    export_rows_per_second: f64,
    /// The process's peak resident memory (MB, Linux) before the export and
    /// at its end: flat means the export streams.
    export_peak_rss_mb_before: Option<f64>,
    export_peak_rss_mb_after: Option<f64>,
    verify_events: u64,
    verify_seconds: f64,
}

/// Seeds the events; returns the seconds it took.
pub(super) async fn seed(store: &dyn Store, events: usize, batch: usize) -> anyhow::Result<f64> {
    let started = Instant::now();
    let on_terminal = std::io::stderr().is_terminal();
    let batch = batch.max(SEED_BATCH);
    roster_core::bench::seed_audit(store, events, batch, |written| {
        if on_terminal {
            eprint!("\rSeeded {written} of {events} audit events");
        } else if written.is_multiple_of(batch * 20) || written == events {
            eprintln!("Seeded {written} of {events} audit events");
        }
    })
    .await?;
    if on_terminal {
        eprintln!();
    }
    Ok(round(started.elapsed().as_secs_f64()))
}

pub(super) async fn measure(
    directory: &Directory,
    operator: &Operator,
    runs: usize,
    events: usize,
    seed_seconds: f64,
) -> anyhow::Result<AuditReport> {
    let now = Utc::now();
    let last_30_days = |filter: AuditFilter| AuditFilter {
        from: Some(now - Duration::days(30)),
        ..filter
    };
    let shapes: Vec<(&'static str, AuditFilter)> = vec![
        ("no_filter", AuditFilter::default()),
        (
            "busy_operator",
            AuditFilter {
                operator: Some(UserId(1)),
                ..AuditFilter::default()
            },
        ),
        (
            "quiet_operator",
            AuditFilter {
                operator: Some(UserId(77)),
                ..AuditFilter::default()
            },
        ),
        (
            "person",
            AuditFilter {
                person: Some(UserId(77)),
                ..AuditFilter::default()
            },
        ),
        (
            "kind_group",
            AuditFilter {
                target: Some(AuditTarget::Group),
                ..AuditFilter::default()
            },
        ),
        (
            "kind_sign_in",
            AuditFilter {
                target: Some(AuditTarget::SignIn),
                ..AuditFilter::default()
            },
        ),
        (
            "action_rights",
            AuditFilter {
                action: Some(ActionGroup::Rights),
                ..AuditFilter::default()
            },
        ),
        (
            "action_settings",
            AuditFilter {
                action: Some(ActionGroup::Settings),
                ..AuditFilter::default()
            },
        ),
        (
            "search",
            AuditFilter {
                search: Some("olga".into()),
                ..AuditFilter::default()
            },
        ),
        // One operator of 300 (a third of a percent of the events): about
        // where walking the log and reading the label index cost the same.
        (
            "search_operator",
            AuditFilter {
                search: Some("operator77@".into()),
                ..AuditFilter::default()
            },
        ),
        // One user of 100,000: a rare name.
        (
            "search_user",
            AuditFilter {
                search: Some(roster_core::bench::audit_user_label(4242)),
                ..AuditFilter::default()
            },
        ),
    ];
    let mut first_page = BTreeMap::new();
    let mut first_page_30_days = BTreeMap::new();
    for (name, filter) in shapes {
        first_page.insert(name, first_pages(directory, operator, &filter, runs).await?);
        let filter = last_30_days(filter);
        first_page_30_days.insert(name, first_pages(directory, operator, &filter, runs).await?);
    }
    // The newest million (or all) events: a time range that holds them.
    let exported = events.min(EXPORTED);
    let span_ms = Duration::days(730).num_milliseconds() as i128;
    let skip_ms = span_ms * (events - exported) as i128 / events.max(1) as i128;
    let from = now - Duration::days(730) + Duration::milliseconds(skip_ms as i64);
    let filter = AuditFilter {
        from: Some(from),
        ..AuditFilter::default()
    };
    let file = tempfile::tempfile()?;
    // The peak so far is the seeding's: start counting afresh (Linux).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let export_peak_rss_mb_before = peak_rss_mb();
    let started = Instant::now();
    let export_events = directory
        .export_audit(operator, &filter, ExportFormat::Csv, file)
        .await?;
    let export_seconds = started.elapsed().as_secs_f64();
    let export_peak_rss_mb_after = peak_rss_mb();
    let started = Instant::now();
    let verification = directory.verify_audit(operator, None).await?;
    let verify_seconds = started.elapsed().as_secs_f64();
    if !verification.intact {
        anyhow::bail!("the seeded log does not verify: {}", verification.message);
    }
    Ok(AuditReport {
        events,
        seed_seconds,
        first_page,
        first_page_30_days,
        export_events,
        export_seconds: round(export_seconds),
        export_rows_per_second: (export_events as f64 / export_seconds.max(1e-9)).round(),
        export_peak_rss_mb_before,
        export_peak_rss_mb_after,
        verify_events: verification.events,
        verify_seconds: round(verify_seconds),
    })
}

/// `runs` first pages of the view `filter` selects, timed.
async fn first_pages(
    directory: &Directory,
    operator: &Operator,
    filter: &AuditFilter,
    runs: usize,
) -> anyhow::Result<Latency> {
    let mut millis = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        directory.audit_page(operator, filter, None, 50).await?;
        millis.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(summarise(millis))
}

/// The process's peak resident memory in MB (Linux; none elsewhere).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(round(kib / 1024.0))
}
