//! `roster bench`'s bulk section, on the store the bench seeded: a dry run
//! of a users file of `--dry-run-rows` rows, a real import of
//! `--import-users` users with generated passwords (beside this machine's
//! limit: Argon2id hashes per second at the store's parameters with a hash
//! running on every core, measured before and after the import), and, with `--bulk-disable`, one bulk action
//! disabling every enabled user. The process's peak resident memory is
//! read after each step (Linux), to show it stays flat with the file's size.

use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use roster_core::directory::{BulkAction, BulkSelection};
use roster_core::domain::Status;
use roster_core::password::{Hasher, PlainPassword};
use roster_core::store::UserQuery;
use roster_core::users_sheet::UserImportOptions;
use roster_core::{Directory, Operator};
use serde::Serialize;

use crate::cli::BenchArgs;

/// Realistic names: many first names and surnames from several languages,
/// drawn with a Zipf-like skew so that some are frequent.
const FIRST: &[&str] = &[
    "Maria", "Wei", "Anna", "Mohammed", "José", "Olga", "Jan", "Fatima", "Hiroshi", "Emma",
    "Lucas", "Aisha", "Chen", "Ingrid", "Pedro", "Sofia", "Kwame", "Yuki", "Elena", "Omar",
    "Priya", "Lars", "Zoë", "Ahmed", "Mei", "Noah", "Amara", "Ivan", "Lucía", "Tomasz", "Nia",
    "Ravi", "Chloé", "Sipho", "Hana", "Mateo", "Leila", "Björn", "Ana", "Kenji",
];
const LAST: &[&str] = &[
    "Li",
    "Wang",
    "García",
    "Smith",
    "Müller",
    "Nguyen",
    "Kim",
    "Rossi",
    "Ng",
    "Kowalski",
    "Silva",
    "Wu",
    "Dubois",
    "Yilmaz",
    "Ivanova",
    "Okafor",
    "Tanaka",
    "Hansen",
    "Xu",
    "Novak",
    "Haddad",
    "Fernández",
    "Le",
    "Jensen",
    "Petrov",
    "Mensah",
    "Ho",
    "Schmidt",
    "O'Brien",
    "Sato",
    "Andersen",
    "Popescu",
    "Ma",
    "Costa",
    "Kaya",
    "Virtanen",
    "Yu",
    "Horvat",
    "Oh",
    "Lambert",
];
const DOMAINS: &[&str] = &["northwind.example", "contoso.example", "fabrikam.example"];
const GROUPS: &[&str] = &["Sales", "Support", "Compliance", "Finance", "Operations"];

#[derive(Serialize)]
pub struct BulkReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    dry_run: Option<DryRun>,
    #[serde(skip_serializing_if = "Option::is_none")]
    import: Option<Import>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bulk_disable: Option<Disable>,
}

#[derive(Serialize)]
struct DryRun {
    rows: usize,
    file_mb: f64,
    seconds: f64,
    rows_per_second: f64,
    problems: usize,
    peak_rss_mb_before: Option<f64>,
    peak_rss_mb_after: Option<f64>,
}

#[derive(Serialize)]
struct Import {
    users: u64,
    seconds: f64,
    users_per_second: f64,
    /// One Argon2id hash at the store's parameters, on one core.
    one_hash_ms: f64,
    cores: usize,
    /// Hashes per second with one hash running on every core, measured
    /// before and after the import (their mean): no import can make
    /// passwords faster.
    limit_users_per_second: f64,
    limit_before: f64,
    limit_after: f64,
    share_of_limit: f64,
    /// The import's phases: checking every row, hashing every password
    /// (on every core), and writing the users in one transaction.
    checking_seconds: f64,
    hashing_seconds: f64,
    writing_seconds: f64,
    /// The hashing phase alone against the limit.
    hashing_share_of_limit: f64,
    /// The limit: cores ÷ one hash's time, as if every core
    /// hashed as fast as one core alone (two hashes at once share the
    /// memory bus, so this may be above what the machine can do).
    cores_over_one_hash: f64,
    share_of_cores_over_one_hash: f64,
    peak_rss_mb_after: Option<f64>,
}

#[derive(Serialize)]
struct Disable {
    selected: u64,
    applied: u64,
    plan_seconds: f64,
    apply_seconds: f64,
    peak_rss_mb_after: Option<f64>,
}

pub async fn measure(
    directory: &Directory,
    operator: &Operator,
    args: &BenchArgs,
) -> anyhow::Result<Option<BulkReport>> {
    if args.dry_run_rows == 0 && args.import_users == 0 && !args.bulk_disable {
        return Ok(None);
    }
    let mut report = BulkReport {
        dry_run: None,
        import: None,
        bulk_disable: None,
    };
    let never = AtomicBool::new(false);
    if args.dry_run_rows > 0 {
        let before = peak_rss_mb();
        let file = users_file(args.dry_run_rows, "dry")?;
        let file_mb = round(file.as_file().metadata()?.len() as f64 / 1_048_576.0);
        let started = Instant::now();
        let result = directory
            .import_users(
                operator,
                std::io::BufReader::new(file.reopen()?),
                UserImportOptions {
                    dry_run: true,
                    send_credentials: false,
                },
                &mut |_, _| {},
                &never,
            )
            .await?;
        let seconds = started.elapsed().as_secs_f64();
        report.dry_run = Some(DryRun {
            rows: args.dry_run_rows,
            file_mb,
            seconds: round(seconds),
            rows_per_second: round(args.dry_run_rows as f64 / seconds),
            problems: result.report.errors.len(),
            peak_rss_mb_before: before,
            peak_rss_mb_after: peak_rss_mb(),
        });
        eprintln!("Dry run of {} rows: {seconds:.1} s", args.dry_run_rows);
    }
    if args.import_users > 0 {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let one_hash = one_hash_seconds()?;
        // The limit is measured on every core at once, before and after
        // the import, so a busy machine lowers the limit as it lowers the
        // import instead of flattering or condemning it.
        let limit_before = hashes_per_second_on_every_core(cores)?;
        let file = users_file(args.import_users, "new")?;
        let started = Instant::now();
        // The import reports its rows checked, then hashed, then written
        // (a third of its total each): when it passes a third and two
        // thirds, checking and hashing are done.
        let (mut checked_at, mut hashed_at) = (None, None);
        let result = directory
            .import_users(
                operator,
                std::io::BufReader::new(file.reopen()?),
                UserImportOptions::default(),
                &mut |done, total| {
                    if done * 3 >= total && checked_at.is_none() {
                        checked_at = Some(started.elapsed());
                    }
                    if done * 3 >= total * 2 && hashed_at.is_none() {
                        hashed_at = Some(started.elapsed());
                    }
                },
                &never,
            )
            .await?;
        if let Some(problem) = result.report.errors.first() {
            anyhow::bail!("The bench's users file was refused: {problem}");
        }
        let seconds = started.elapsed().as_secs_f64();
        let rate = result.report.created as f64 / seconds;
        let limit_after = hashes_per_second_on_every_core(cores)?;
        let limit = (limit_before + limit_after) / 2.0;
        let checked_at = checked_at.unwrap_or_default().as_secs_f64();
        let hashed_at = hashed_at.unwrap_or_default().as_secs_f64();
        let hashing = hashed_at - checked_at;
        report.import = Some(Import {
            users: result.report.created,
            seconds: round(seconds),
            users_per_second: round(rate),
            one_hash_ms: round(one_hash * 1000.0),
            cores,
            limit_users_per_second: round(limit),
            limit_before: round(limit_before),
            limit_after: round(limit_after),
            share_of_limit: round(rate / limit),
            checking_seconds: round(checked_at),
            hashing_seconds: round(hashing),
            writing_seconds: round(seconds - hashed_at),
            hashing_share_of_limit: round(result.report.created as f64 / hashing / limit),
            cores_over_one_hash: round(cores as f64 / one_hash),
            share_of_cores_over_one_hash: round(rate * one_hash / cores as f64),
            peak_rss_mb_after: peak_rss_mb(),
        });
        eprintln!("Imported {} users: {seconds:.1} s", result.report.created);
    }
    if args.bulk_disable {
        let selection = BulkSelection::Matching(UserQuery {
            status: Some(Status::Enabled.into()),
            ..UserQuery::default()
        });
        let started = Instant::now();
        let plan = directory
            .plan_bulk(operator, &selection, BulkAction::Disable)
            .await?;
        let plan_seconds = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let done = directory
            .apply_bulk(operator, &selection, BulkAction::Disable)
            .await?;
        let apply_seconds = started.elapsed().as_secs_f64();
        report.bulk_disable = Some(Disable {
            selected: plan.selected,
            applied: done.applied,
            plan_seconds: round(plan_seconds),
            apply_seconds: round(apply_seconds),
            peak_rss_mb_after: peak_rss_mb(),
        });
        eprintln!("Disabled {} users: {apply_seconds:.1} s", done.applied);
    }
    Ok(Some(report))
}

/// A users file of `rows` distinct users in the seeded groups, a third of
/// them reporting to an earlier row of the file.
fn users_file(rows: usize, tag: &str) -> anyhow::Result<tempfile::NamedTempFile> {
    let mut file = tempfile::NamedTempFile::new()?;
    {
        let mut out = std::io::BufWriter::new(file.as_file_mut());
        writeln!(out, "name,email,groups,supervisor,must change password")?;
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15 ^ rows as u64;
        let mut draw = |n: usize| -> usize {
            // xorshift, squared for a Zipf-like skew towards the first names.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let unit = (state >> 11) as f64 / (1u64 << 53) as f64;
            ((unit * unit) * n as f64) as usize
        };
        for row in 0..rows {
            let first = FIRST[draw(FIRST.len())];
            let last = LAST[draw(LAST.len())];
            let domain = DOMAINS[row % DOMAINS.len()];
            let group = GROUPS[draw(GROUPS.len())];
            // A third report to the row before, a third to the row after
            // (named before their own row, as in a file sorted by name).
            let supervisor = match row % 3 {
                1 => format!("{tag}{}@{}", row - 1, DOMAINS[(row - 1) % DOMAINS.len()]),
                2 if row + 1 < rows => {
                    format!("{tag}{}@{}", row + 1, DOMAINS[(row + 1) % DOMAINS.len()])
                }
                _ => String::new(),
            };
            writeln!(
                out,
                "{first} {last},{tag}{row}@{domain},{group},{supervisor},yes"
            )?;
        }
        out.flush()?;
    }
    Ok(file)
}

/// The process's peak resident memory in MB (Linux; none elsewhere).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(round(kib / 1024.0))
}

fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// How long each hashing measurement runs, after one hash to warm up.
/// Shorter runs understate the machine: the first hashes of a thread are
/// slow (measured on this 2-core machine with the argon2 crate: two
/// threads made 68–76 hashes a second over 8 hashes each, 101–103 over
/// 50, and an import made 97), which made the limit look lower than what
/// an import reached.
const HASHING_WINDOW: std::time::Duration = std::time::Duration::from_secs(2);

/// One Argon2id hash at the store's parameters, on one core, in seconds.
fn one_hash_seconds() -> anyhow::Result<f64> {
    let hasher = Hasher::default();
    let password = PlainPassword::new("a bench password of some length");
    hasher.hash(&password)?;
    let mut runs = 0_u32;
    let started = Instant::now();
    while started.elapsed() < HASHING_WINDOW {
        hasher.hash(&password)?;
        runs += 1;
    }
    Ok(started.elapsed().as_secs_f64() / f64::from(runs))
}

/// Argon2id hashes per second at the store's parameters with one thread
/// hashing on each of `cores` cores, all started together after one hash
/// each to warm up.
fn hashes_per_second_on_every_core(cores: usize) -> anyhow::Result<f64> {
    let ready = std::sync::Barrier::new(cores);
    let counts = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..cores)
            .map(|_| {
                scope.spawn(|| -> anyhow::Result<(u32, f64)> {
                    let hasher = Hasher::default();
                    let password = PlainPassword::new("a bench password of some length");
                    // Every thread reaches the barrier, even one whose
                    // first hash failed, so that none waits forever.
                    let warmed = hasher.hash(&password);
                    ready.wait();
                    warmed?;
                    let started = Instant::now();
                    let mut runs = 0_u32;
                    while started.elapsed() < HASHING_WINDOW {
                        hasher.hash(&password)?;
                        runs += 1;
                    }
                    Ok((runs, started.elapsed().as_secs_f64()))
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|thread| {
                thread
                    .join()
                    .map_err(|_| anyhow::anyhow!("a hashing thread failed"))?
            })
            .collect::<anyhow::Result<Vec<_>>>()
    })?;
    Ok(counts
        .iter()
        .map(|(runs, seconds)| f64::from(*runs) / seconds)
        .sum())
}
