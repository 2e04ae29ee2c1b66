//! The store check (`roster store check`, Settings → Backups): the
//! database's own checks, then Roster's invariants as they stand in the
//! rows — at least one enabled administrator, no supervisor cycle, kept
//! counts equal to real counts, every email normalised as this Roster does
//! and unique — and the audit chain. Each finding is a sentence. The only
//! repair is the safe one: kept counts recounted (audited as
//! `settings.store_repair`). Needs `settings.manage`.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::json;

use super::access::Operator;
use super::Directory;
use crate::domain::{Email, Permission};
use crate::error::Result;
use crate::model::{FieldChange, TargetKind};
use crate::store::{Tx, TxMode, ADMINISTRATORS};

/// The most findings of one kind listed one by one.
const LISTED: usize = 20;

/// One thing found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable for scripts: `database`, `no_enabled_administrator`,
    /// `supervisor_cycle`, `kept_count`, `email`, `audit_chain`.
    pub kind: &'static str,
    pub message: String,
    /// Put right by this run (`--repair`).
    pub repaired: bool,
}

/// What the check found; nothing means the store is sound.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreCheck {
    pub findings: Vec<Finding>,
    /// One sentence for people.
    pub summary: String,
}

impl StoreCheck {
    /// True when nothing is left wrong (repaired findings do not count).
    pub fn sound(&self) -> bool {
        self.findings.iter().all(|finding| finding.repaired)
    }
}

fn finding(kind: &'static str, message: String) -> Finding {
    Finding {
        kind,
        message,
        repaired: false,
    }
}

/// Lists at most [`LISTED`] findings of a kind, then says how many more.
fn capped(kind: &'static str, messages: Vec<String>, findings: &mut Vec<Finding>) {
    let more = messages.len().saturating_sub(LISTED);
    findings.extend(
        messages
            .into_iter()
            .take(LISTED)
            .map(|message| finding(kind, message)),
    );
    if more > 0 {
        findings.push(finding(kind, format!("…and {more} more like these.")));
    }
}

impl Directory {
    /// Checks the store; with `repair`, recounts kept counts that are wrong.
    pub async fn check_store(&self, operator: &Operator, repair: bool) -> Result<StoreCheck> {
        let mut findings = Vec::new();
        let mut tx = self.store.begin(TxMode::Read).await?;
        Self::authorize(&mut *tx, operator, Permission::SettingsManage).await?;
        capped(
            "database",
            tx.database_problems()
                .await?
                .into_iter()
                .map(|line| format!("The database reports: {line}."))
                .collect(),
            &mut findings,
        );
        if tx.count_enabled_members(ADMINISTRATORS).await? == 0 {
            findings.push(finding(
                "no_enabled_administrator",
                "No enabled user is in Administrators: nobody can manage this directory; use `roster --as` on this computer to enable one."
                    .into(),
            ));
        }
        capped(
            "supervisor_cycle",
            supervisor_cycles(&mut *tx).await?,
            &mut findings,
        );
        let differences = tx.count_differences().await?;
        let counts: Vec<String> = differences
            .iter()
            .map(|difference| {
                format!(
                    "The kept count of {} is {}, but there are {}; --repair recounts it.",
                    difference.what, difference.kept, difference.real
                )
            })
            .collect();
        let first_count = findings.len();
        capped("kept_count", counts, &mut findings);
        let count_findings = first_count..findings.len();
        capped("email", email_problems(&mut *tx).await?, &mut findings);
        drop(tx);
        match self.verify_audit(operator, None).await {
            Ok(verification) if !verification.intact => {
                findings.push(finding("audit_chain", verification.message));
            }
            Ok(_) => {}
            Err(error) if error.is_permission_error() => findings.push(finding(
                "audit_chain",
                "The audit log's chain was not checked: that needs the audit.view permission."
                    .into(),
            )),
            Err(error) => return Err(error),
        }
        if repair && !differences.is_empty() {
            let mut tx = self.store.begin(TxMode::Write).await?;
            let actor = Self::authorize(&mut *tx, operator, Permission::SettingsManage).await?;
            tx.recount().await?;
            let changes = differences
                .iter()
                .map(|difference| FieldChange {
                    field: format!("count of {}", difference.what),
                    before: json!(difference.kept),
                    after: json!(difference.real),
                })
                .collect();
            let event = actor.audit(
                "settings.store_repair",
                TargetKind::Settings,
                None,
                "store",
                changes,
                Self::now(),
            );
            tx.append_audit(&event).await?;
            tx.commit().await?;
            for finding in &mut findings[count_findings] {
                finding.repaired = true;
            }
        }
        let open = findings.iter().filter(|finding| !finding.repaired).count();
        let repaired = findings.len() - open;
        let summary = match (open, repaired) {
            (0, 0) => "The store is sound: nothing was found wrong.".to_owned(),
            (0, _) => format!("The store is sound again: {repaired} findings were repaired."),
            (_, 0) => format!("{open} findings: the store needs attention."),
            (_, _) => format!("{open} findings need attention; {repaired} were repaired."),
        };
        Ok(StoreCheck { findings, summary })
    }
}

/// A sentence for each supervisor cycle (each cycle once).
async fn supervisor_cycles(tx: &mut dyn Tx) -> Result<Vec<String>> {
    let links: HashMap<i64, i64> = tx.supervisor_links().await?.into_iter().collect();
    // 0: not seen, 1: on the current walk, 2: done.
    let mut state: HashMap<i64, u8> = HashMap::with_capacity(links.len());
    let mut cycles = Vec::new();
    for start in links.keys() {
        if state.get(start).copied().unwrap_or(0) != 0 {
            continue;
        }
        let mut walk = Vec::new();
        let mut at = *start;
        loop {
            match state.get(&at).copied().unwrap_or(0) {
                0 => {
                    state.insert(at, 1);
                    walk.push(at);
                    match links.get(&at) {
                        Some(next) => at = *next,
                        None => break,
                    }
                }
                1 => {
                    let from = walk.iter().position(|id| *id == at).unwrap_or(0);
                    let ids: Vec<String> = walk[from..].iter().map(|id| format!("#{id}")).collect();
                    cycles.push(format!(
                        "Users {} are each other's supervisors in a circle; change one of their supervisors.",
                        ids.join(" → ")
                    ));
                    break;
                }
                _ => break,
            }
        }
        for id in walk {
            state.insert(id, 2);
        }
    }
    cycles.sort();
    Ok(cycles)
}

/// A sentence for each email that is not as this Roster keeps it, and for
/// each address held by more than one user.
async fn email_problems(tx: &mut dyn Tx) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    tx.each_user_email(&mut |id, email, normalized| match Email::parse(&email) {
        Ok(parsed) if parsed.normalized() == normalized => {}
        Ok(parsed) => problems.push(format!(
            "User #{id}'s email “{email}” is kept for uniqueness as “{normalized}” instead of “{}”; edit and save the user to set it right.",
            parsed.normalized()
        )),
        Err(error) => problems.push(format!(
            "User #{id}'s email “{email}” is not a valid address ({}); edit the user.",
            error.to_string().trim_end_matches('.')
        )),
    })
    .await?;
    for (email, users) in tx.shared_emails().await? {
        problems.push(format!(
            "{users} users share the email “{email}”; each needs an address of their own."
        ));
    }
    Ok(problems)
}
