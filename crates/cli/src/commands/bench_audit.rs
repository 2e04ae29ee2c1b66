//! `roster bench --audit-events N`: seeds N audit events and measures the
//! audit page's first page under each single filter with the time range
//! "30 days" (p50, p95, max of `--queries` runs), the export rate (CSV of
//! up to a million events to a temporary file) and a whole verification.

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

#[derive(Serialize)]
pub(super) struct AuditReport {
    events: usize,
    seed_seconds: f64,
    /// Chaining the seeded log in one transaction, as for a log from
    /// before the chain (schema V6).
    chain_seconds: f64,
    /// The first page (50 events), newest first, each filter with "30 days".
    first_page: BTreeMap<&'static str, Latency>,
    export_events: u64,
    export_seconds: f64,
    export_rows_per_second: f64,
    verify_events: u64,
    verify_seconds: f64,
}

/// Seeds the events; returns (seed seconds, chain seconds).
pub(super) async fn seed(
    store: &dyn Store,
    events: usize,
    batch: usize,
) -> anyhow::Result<(f64, f64)> {
    let started = Instant::now();
    let on_terminal = std::io::stderr().is_terminal();
    let chain_seconds = roster_core::bench::seed_audit(store, events, batch, |written| {
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
    Ok((round(started.elapsed().as_secs_f64()), round(chain_seconds)))
}

pub(super) async fn measure(
    directory: &Directory,
    operator: &Operator,
    runs: usize,
    events: usize,
    (seed_seconds, chain_seconds): (f64, f64),
) -> anyhow::Result<AuditReport> {
    let now = Utc::now();
    let last_30_days = |filter: AuditFilter| AuditFilter {
        from: Some(now - Duration::days(30)),
        ..filter
    };
    let shapes: Vec<(&'static str, AuditFilter)> = vec![
        ("30_days", AuditFilter::default()),
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
    ];
    let mut first_page = BTreeMap::new();
    for (name, filter) in shapes {
        let filter = last_30_days(filter);
        let mut millis = Vec::with_capacity(runs);
        for _ in 0..runs {
            let started = Instant::now();
            directory.audit_page(operator, &filter, None, 50).await?;
            millis.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        first_page.insert(name, summarise(millis));
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
    let started = Instant::now();
    let export_events = directory
        .export_audit(operator, &filter, ExportFormat::Csv, file)
        .await?;
    let export_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let verification = directory.verify_audit(operator, None).await?;
    let verify_seconds = started.elapsed().as_secs_f64();
    if !verification.intact {
        anyhow::bail!("the seeded log does not verify: {}", verification.message);
    }
    Ok(AuditReport {
        events,
        seed_seconds,
        chain_seconds,
        first_page,
        export_events,
        export_seconds: round(export_seconds),
        export_rows_per_second: (export_events as f64 / export_seconds.max(1e-9)).round(),
        verify_events: verification.events,
        verify_seconds: round(verify_seconds),
    })
}
