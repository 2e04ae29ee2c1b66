//! Tamper evidence for the audit log: a hash chain.
//!
//! Every event carries a SHA-256 hash over a canonical encoding of all its
//! columns (in a fixed order, each length-prefixed, so no two different
//! events encode alike) and the hash of the event before it. The chain's
//! head (how many events it holds and the newest hash) is kept beside it in
//! the store, and an exported [`Checkpoint`] keeps it outside the store.
//!
//! [`ChainWalk`] checks a chain one event at a time, so a whole log is
//! verified without holding it in memory. A leaf: it knows no store.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The "previous hash" of the first event of a log that was never archived.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Written first into every event's encoding: a later encoding gets a new tag.
const ENCODING: &[u8] = b"roster audit event v1";

/// One event as the chain covers it: every column as stored, except its own
/// hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedEvent {
    /// The event's place in the chain: 1, 2, 3, … with no gaps.
    pub seq: i64,
    pub id: i64,
    /// Milliseconds since 1970.
    pub at: i64,
    pub operator_id: Option<i64>,
    pub operator_label: String,
    pub operator_label_normalized: String,
    pub action: String,
    pub category: String,
    pub target_kind: String,
    pub target_id: Option<i64>,
    pub target_label: String,
    pub target_label_normalized: String,
    /// The field changes as the JSON text stored.
    pub changes: String,
}

impl ChainedEvent {
    /// This event's hash when `previous` is the hash before it (lowercase hex).
    pub fn hash(&self, previous: &str) -> String {
        let mut hasher = Sha256::new();
        text(&mut hasher, ENCODING);
        integer(&mut hasher, Some(self.seq));
        integer(&mut hasher, Some(self.id));
        integer(&mut hasher, Some(self.at));
        integer(&mut hasher, self.operator_id);
        text(&mut hasher, self.operator_label.as_bytes());
        text(&mut hasher, self.operator_label_normalized.as_bytes());
        text(&mut hasher, self.action.as_bytes());
        text(&mut hasher, self.category.as_bytes());
        text(&mut hasher, self.target_kind.as_bytes());
        integer(&mut hasher, self.target_id);
        text(&mut hasher, self.target_label.as_bytes());
        text(&mut hasher, self.target_label_normalized.as_bytes());
        text(&mut hasher, self.changes.as_bytes());
        text(&mut hasher, previous.as_bytes());
        hex(&hasher.finalize())
    }

    fn reference(&self) -> EventRef {
        EventRef {
            id: self.id,
            seq: self.seq,
            at: self.at,
            action: self.action.clone(),
            target_kind: self.target_kind.clone(),
            target_label: self.target_label.clone(),
        }
    }
}

/// A text column: its length in bytes (8 bytes, big-endian), then the bytes.
fn text(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update((bytes.len() as u64).to_be_bytes());
    hasher.update(bytes);
}

/// An integer column: 0 for NULL, or 1 and the value (8 bytes, big-endian).
fn integer(hasher: &mut Sha256, value: Option<i64>) {
    match value {
        None => hasher.update([0u8]),
        Some(n) => {
            hasher.update([1u8]);
            hasher.update(n.to_be_bytes());
        }
    }
}

/// Lowercase hexadecimal, through a table (once per event verified, where
/// `write!` per byte is slow).
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

fn is_hash(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The chain's head as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    /// The `seq` of the newest event (0 when there is none).
    pub events: i64,
    /// The newest event's hash ([`GENESIS`] or the anchor when there is none).
    pub last_hash: String,
    /// The `seq` and hash of the newest archived event (0 and [`GENESIS`]
    /// when nothing was archived): the stored chain continues from it.
    pub anchor_seq: i64,
    pub anchor_hash: String,
}

/// An event named in a verification's result. Its label is masked for a
/// masked operator when it names a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventRef {
    pub id: i64,
    pub seq: i64,
    /// Milliseconds since 1970.
    pub at: i64,
    pub action: String,
    pub target_kind: String,
    pub target_label: String,
}

impl std::fmt::Display for EventRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "event {} ({}, {}, {})",
            self.id,
            time_text(self.at),
            self.action,
            self.target_label
        )
    }
}

fn time_text(millis: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(millis)
        .map(|at| at.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| millis.to_string())
}

/// The first thing found wrong with a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChainBreak {
    /// The event no longer matches its hash.
    Changed { event: EventRef },
    /// Events are missing from the middle (or the start) of the chain.
    Removed {
        /// The event after the gap.
        event: EventRef,
        missing: u64,
    },
    /// The event stands where it was not written (its id is out of order).
    Reordered { event: EventRef },
    /// A row that is not part of the chain (written outside Roster).
    Unchained { id: i64 },
    /// The newest events are gone: the chain ends before its recorded head.
    NewestRemoved { missing: u64 },
    /// The head kept in the store does not match the newest event.
    HeadChanged,
    /// The event at the checkpoint's position is not the one checkpointed.
    CheckpointMismatch { seq: i64 },
    /// The log holds fewer events than the checkpoint counted.
    CheckpointAhead { checkpoint: i64, events: i64 },
    /// The checkpoint is older than the archived events.
    CheckpointArchived { checkpoint: i64, anchor: i64 },
    /// What follows an archive does not start where the archive ends (an
    /// archive file missing, or one that ends early or late).
    DoesNotJoin { ends: i64, continues_after: i64 },
    /// What follows an archive continues from another event than the
    /// archive's last: one of them was rewritten.
    JoinChanged { seq: i64 },
    /// An archive file's line that is not an archived event.
    ArchiveDamaged { reason: String },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Changed { event } => write!(
                f,
                "{} does not match its hash: it was changed after it was written (or the event before it was, together with its hash).",
                capitalised(event)
            ),
            ChainBreak::Removed { event, missing } => write!(
                f,
                "{missing} event(s) just before {event} were removed."
            ),
            ChainBreak::Reordered { event } => write!(
                f,
                "{} is out of order: the log was reordered.",
                capitalised(event)
            ),
            ChainBreak::Unchained { id } => write!(
                f,
                "Event {id} is not part of the chain: it was added outside Roster."
            ),
            ChainBreak::NewestRemoved { missing } => write!(
                f,
                "The newest {missing} event(s) were removed."
            ),
            ChainBreak::HeadChanged => write!(
                f,
                "The log's record of its newest event does not match that event: the log was changed outside Roster."
            ),
            ChainBreak::CheckpointMismatch { seq } => write!(
                f,
                "The log does not match the checkpoint: its event number {seq} is not the one checkpointed, so the log was rewritten from there or earlier."
            ),
            ChainBreak::CheckpointAhead { checkpoint, events } => write!(
                f,
                "The checkpoint counts {checkpoint} events but the log holds only {events}: events were removed since it was taken."
            ),
            ChainBreak::CheckpointArchived { checkpoint, anchor } => write!(
                f,
                "The checkpoint (event number {checkpoint}) is older than the archived events (up to number {anchor}); verify it against the archive file."
            ),
            ChainBreak::DoesNotJoin { ends, continues_after } => write!(
                f,
                "The archive ends at event number {ends}, but what follows it continues after number {continues_after}: an archive file is missing, or one was cut short."
            ),
            ChainBreak::JoinChanged { seq } => write!(
                f,
                "What follows the archive does not continue from its last event (number {seq}): the archive or the log was rewritten."
            ),
            ChainBreak::ArchiveDamaged { reason } => f.write_str(reason),
        }
    }
}

fn capitalised(event: &EventRef) -> String {
    let text = event.to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

/// What verifying a chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// How many events were checked (and found intact, when `problem` is `None`).
    pub events: u64,
    /// How many of them came from archive files.
    pub archived_events: u64,
    pub intact: bool,
    /// The first thing found wrong.
    pub problem: Option<ChainBreak>,
    /// Whether a checkpoint was compared, and matched.
    pub checkpoint_matched: Option<bool>,
    /// One sentence for people: "1,234 events, intact." or what is wrong.
    pub message: String,
}

impl Verification {
    fn describe(&mut self) {
        self.message = match &self.problem {
            None => match self.checkpoint_matched {
                Some(true) => format!("{}, intact, and they match the checkpoint.", self.counted()),
                _ => format!("{}, intact.", self.counted()),
            },
            Some(problem) => format!("The audit log was changed: {problem}"),
        };
    }

    fn counted(&self) -> String {
        match self.archived_events {
            0 => format!("{} events", self.events),
            archived => format!("{} events ({archived} of them archived)", self.events),
        }
    }

    /// Passes the label of a client event named in the result through
    /// `mask` (for an operator who sees client data masked).
    pub fn mask_client_labels(&mut self, mask: impl Fn(&str) -> String) {
        let event = match &mut self.problem {
            Some(
                ChainBreak::Changed { event }
                | ChainBreak::Removed { event, .. }
                | ChainBreak::Reordered { event },
            ) => event,
            _ => return,
        };
        if event.target_kind == "client" {
            event.target_label = mask(&event.target_label);
            self.describe();
        }
    }
}

/// The chain's newest position and hash, kept outside the store: a later
/// verification against it catches a chain rewritten from any point up to
/// it (which the chain alone cannot, as a rewrite can recompute every hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Always [`Checkpoint::FORMAT`].
    pub format: String,
    /// The `seq` of the newest event (how many events the log has held).
    pub events: i64,
    /// That event's hash.
    pub hash: String,
    /// When the checkpoint was taken (RFC 3339).
    pub taken_at: String,
}

impl Checkpoint {
    pub const FORMAT: &'static str = "roster-audit-checkpoint/1";
    /// A checkpoint file is a few hundred bytes; anything far larger is not one.
    pub const MAX_FILE_BYTES: usize = 16 * 1024;

    pub fn new(head: &ChainHead, taken_at: DateTime<Utc>) -> Self {
        Self {
            format: Self::FORMAT.into(),
            events: head.events,
            hash: head.last_hash.clone(),
            taken_at: taken_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        }
    }

    /// The file's text (JSON, one object).
    pub fn to_file_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a checkpoint file's text; `Err` holds a sentence for people.
    pub fn parse(text: &[u8]) -> Result<Self, String> {
        let not_one = "The file is not a Roster audit checkpoint.";
        if text.len() > Self::MAX_FILE_BYTES {
            return Err(not_one.into());
        }
        let checkpoint: Checkpoint = serde_json::from_slice(text).map_err(|_| not_one)?;
        if checkpoint.format != Self::FORMAT {
            return Err(format!(
                "The checkpoint's format “{}” is not one this version of Roster reads.",
                checkpoint.format.chars().take(60).collect::<String>()
            ));
        }
        if checkpoint.events < 0 || !is_hash(&checkpoint.hash) {
            return Err("The checkpoint is damaged: its count or hash is not valid.".into());
        }
        Ok(checkpoint)
    }

    /// Reads a checkpoint file: at most [`Checkpoint::MAX_FILE_BYTES`] and
    /// one more byte are read, so a huge file is refused without being read
    /// whole. `Err` holds a sentence for people.
    pub fn read_file(path: &std::path::Path) -> Result<Self, String> {
        use std::io::Read as _;
        let file = std::fs::File::open(path)
            .map_err(|error| format!("The checkpoint file could not be read ({error})."))?;
        let mut text = Vec::with_capacity(1024);
        file.take(Self::MAX_FILE_BYTES as u64 + 1)
            .read_to_end(&mut text)
            .map_err(|error| format!("The checkpoint file could not be read ({error})."))?;
        Self::parse(&text)
    }
}

/// Walks a chain in `seq` order, one event at a time, and stops at the
/// first problem.
#[derive(Debug)]
pub struct ChainWalk {
    expected_seq: i64,
    previous_hash: String,
    previous_id: i64,
    checked: u64,
    archived: u64,
    checkpoint: Option<Checkpoint>,
    checkpoint_matched: Option<bool>,
    problem: Option<ChainBreak>,
    /// An event that does not match its hash, judged at the next step.
    suspect: Option<EventRef>,
}

impl ChainWalk {
    /// A walk of the chain that continues from `head`'s anchor, compared
    /// with `checkpoint` on the way when one is given.
    pub fn new(head: &ChainHead, checkpoint: Option<Checkpoint>) -> Self {
        let mut walk = Self {
            expected_seq: head.anchor_seq + 1,
            previous_hash: head.anchor_hash.clone(),
            previous_id: i64::MIN,
            checked: 0,
            archived: 0,
            checkpoint_matched: None,
            checkpoint,
            problem: None,
            suspect: None,
        };
        if let Some(checkpoint) = &walk.checkpoint {
            if checkpoint.events < head.anchor_seq {
                walk.problem = Some(ChainBreak::CheckpointArchived {
                    checkpoint: checkpoint.events,
                    anchor: head.anchor_seq,
                });
            } else if checkpoint.events == head.anchor_seq {
                walk.compare_checkpoint(head.anchor_seq);
            }
        }
        walk
    }

    pub fn is_broken(&self) -> bool {
        self.problem.is_some()
    }

    fn settle(&mut self) {
        if let Some(event) = self.suspect.take() {
            if self.problem.is_none() {
                self.problem = Some(ChainBreak::Changed { event });
            }
        }
    }

    /// Checks the next event and its stored hash; false once broken.
    pub fn step(&mut self, event: &ChainedEvent, stored_hash: &str) -> bool {
        if self.problem.is_some() {
            return false;
        }
        if let Some(suspect) = self.suspect.take() {
            // The event after one that does not match its hash tells a
            // reordering (ids out of order) from a change.
            self.problem = Some(if event.id < suspect.id {
                ChainBreak::Reordered { event: suspect }
            } else {
                ChainBreak::Changed { event: suspect }
            });
            return false;
        }
        if event.seq < self.expected_seq || event.id <= self.previous_id {
            self.problem = Some(ChainBreak::Reordered {
                event: event.reference(),
            });
            return false;
        }
        if event.seq > self.expected_seq {
            self.problem = Some(ChainBreak::Removed {
                event: event.reference(),
                missing: u64::try_from(event.seq - self.expected_seq).unwrap_or(0),
            });
            return false;
        }
        if event.hash(&self.previous_hash) != stored_hash {
            self.suspect = Some(event.reference());
            return true;
        }
        self.previous_hash.clear();
        self.previous_hash.push_str(stored_hash);
        self.previous_id = event.id;
        self.expected_seq += 1;
        self.checked += 1;
        self.compare_checkpoint(event.seq);
        self.problem.is_none()
    }

    /// Records a row found outside the chain.
    pub fn unchained(&mut self, id: i64) {
        self.settle();
        if self.problem.is_none() {
            self.problem = Some(ChainBreak::Unchained { id });
        }
    }

    fn compare_checkpoint(&mut self, seq: i64) {
        if let Some(checkpoint) = &self.checkpoint {
            if checkpoint.events == seq {
                let matched = checkpoint.hash == self.previous_hash;
                self.checkpoint_matched = Some(matched);
                if !matched {
                    self.problem = Some(ChainBreak::CheckpointMismatch { seq });
                }
            }
        }
    }

    /// The result, once every event was handed over, compared with the
    /// head the store keeps.
    pub fn finish(mut self, head: &ChainHead) -> Verification {
        self.settle();
        let last_seq = self.expected_seq - 1;
        if self.problem.is_none() {
            if head.events > last_seq {
                self.problem = Some(ChainBreak::NewestRemoved {
                    missing: u64::try_from(head.events - last_seq).unwrap_or(0),
                });
            } else if head.events != last_seq || head.last_hash != self.previous_hash {
                self.problem = Some(ChainBreak::HeadChanged);
            }
        }
        if self.problem.is_none() {
            if let Some(checkpoint) = &self.checkpoint {
                if self.checkpoint_matched.is_none() {
                    self.checkpoint_matched = Some(false);
                    self.problem = Some(ChainBreak::CheckpointAhead {
                        checkpoint: checkpoint.events,
                        events: last_seq,
                    });
                }
            }
        }
        let mut verification = Verification {
            events: self.checked,
            archived_events: self.archived,
            intact: self.problem.is_none(),
            problem: self.problem,
            checkpoint_matched: self.checkpoint_matched,
            message: String::new(),
        };
        verification.describe();
        verification
    }

    /// The newest hash walked so far (the head's, after a whole intact walk).
    pub fn last_hash(&self) -> &str {
        &self.previous_hash
    }

    /// The `seq` of the newest event walked so far (the anchor before any).
    pub fn last_seq(&self) -> i64 {
        self.expected_seq - 1
    }

    /// Counts every event walked so far as archived (called once the
    /// archive files are walked, before the store's events).
    pub fn walked_archives(&mut self) {
        self.archived = self.checked;
    }

    /// Checks that what comes next continues after `seq` with `hash` (an
    /// archive's start, or the store's anchor after the archives); false
    /// once broken.
    pub fn join(&mut self, seq: i64, hash: &str) -> bool {
        self.settle();
        if self.problem.is_none() {
            if seq != self.last_seq() {
                self.problem = Some(ChainBreak::DoesNotJoin {
                    ends: self.last_seq(),
                    continues_after: seq,
                });
            } else if hash != self.previous_hash {
                self.problem = Some(ChainBreak::JoinChanged { seq });
            }
        }
        self.problem.is_none()
    }

    /// Records an archive file's line that could not be read as an event.
    pub fn damaged(&mut self, reason: String) {
        self.settle();
        if self.problem.is_none() {
            self.problem = Some(ChainBreak::ArchiveDamaged { reason });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: i64, id: i64) -> ChainedEvent {
        ChainedEvent {
            seq,
            id,
            at: 1_700_000_000_000 + seq,
            operator_id: Some(1),
            operator_label: "ada@example.com".into(),
            operator_label_normalized: "ada@example.com".into(),
            action: "user.update".into(),
            category: "accounts".into(),
            target_kind: "user".into(),
            target_id: Some(2),
            target_label: "ann@example.com".into(),
            target_label_normalized: "ann@example.com".into(),
            changes: "[]".into(),
        }
    }

    fn chain(n: i64) -> (Vec<(ChainedEvent, String)>, ChainHead) {
        let mut previous = GENESIS.to_owned();
        let mut events = Vec::new();
        for seq in 1..=n {
            let e = event(seq, seq * 10);
            let hash = e.hash(&previous);
            previous = hash.clone();
            events.push((e, hash));
        }
        let head = ChainHead {
            events: n,
            last_hash: previous,
            anchor_seq: 0,
            anchor_hash: GENESIS.into(),
        };
        (events, head)
    }

    fn walk(
        events: &[(ChainedEvent, String)],
        head: &ChainHead,
        cp: Option<Checkpoint>,
    ) -> Verification {
        let mut walk = ChainWalk::new(head, cp);
        for (e, h) in events {
            if !walk.step(e, h) {
                break;
            }
        }
        walk.finish(head)
    }

    #[test]
    fn an_untouched_chain_is_intact() {
        let (events, head) = chain(5);
        let result = walk(&events, &head, None);
        assert!(result.intact, "{}", result.message);
        assert_eq!(result.message, "5 events, intact.");
    }

    #[test]
    fn every_column_is_covered_and_fields_do_not_run_together() {
        let base = event(1, 1);
        let h = base.hash(GENESIS);
        let mut moved = base.clone();
        moved.operator_label = "ada@example.co".into();
        moved.operator_label_normalized = "mada@example.com".into();
        assert_ne!(moved.hash(GENESIS), h);
        let mut null_target = base.clone();
        null_target.target_id = None;
        assert_ne!(null_target.hash(GENESIS), h);
        let mut later = base.clone();
        later.at += 1;
        assert_ne!(later.hash(GENESIS), h);
        assert_ne!(base.hash(&"1".repeat(64)), h);
        assert_eq!(base.hash(GENESIS), h);
    }

    #[test]
    fn a_changed_event_is_named() {
        let (mut events, head) = chain(5);
        events[2].0.changes = r#"[{"field":"x"}]"#.into();
        let result = walk(&events, &head, None);
        assert!(
            matches!(&result.problem, Some(ChainBreak::Changed { event }) if event.id == 30),
            "{:?}",
            result.problem
        );
        assert_eq!(result.events, 2);
    }

    #[test]
    fn removed_reordered_and_truncated_chains_are_caught() {
        let (events, head) = chain(5);
        let mut removed = events.clone();
        removed.remove(1);
        assert!(matches!(
            walk(&removed, &head, None).problem,
            Some(ChainBreak::Removed { missing: 1, ref event }) if event.id == 30
        ));
        let mut swapped = events.clone();
        swapped[1].0.id = 35;
        swapped[2].0.id = 25;
        assert!(matches!(
            walk(&swapped, &head, None).problem,
            Some(ChainBreak::Reordered { ref event }) if event.id == 35
        ));
        let mut by_seq = events.clone();
        by_seq.swap(1, 2);
        by_seq[1].0.seq = 2;
        by_seq[2].0.seq = 3;
        assert!(matches!(
            walk(&by_seq, &head, None).problem,
            Some(ChainBreak::Reordered { ref event }) if event.id == 30
        ));
        let mut last_changed = events.clone();
        last_changed[4].0.action = "user.delete".into();
        assert!(matches!(
            walk(&last_changed, &head, None).problem,
            Some(ChainBreak::Changed { ref event }) if event.id == 50
        ));
        let truncated = &events[..3];
        assert!(matches!(
            walk(truncated, &head, None).problem,
            Some(ChainBreak::NewestRemoved { missing: 2 })
        ));
    }

    #[test]
    fn a_rewritten_chain_is_caught_only_by_the_checkpoint() {
        let (events, head) = chain(5);
        let checkpoint = Checkpoint::new(&head, Utc::now());
        // Rewrite from the third event on, every hash recomputed.
        let mut previous = events[1].1.clone();
        let mut rewritten = events[..2].to_vec();
        for (mut e, _) in events[2..].iter().cloned() {
            e.target_label = "someone-else@example.com".into();
            let h = e.hash(&previous);
            previous = h.clone();
            rewritten.push((e, h));
        }
        let new_head = ChainHead {
            last_hash: previous,
            ..head.clone()
        };
        assert!(walk(&rewritten, &new_head, None).intact);
        let against = walk(&rewritten, &new_head, Some(checkpoint.clone()));
        assert_eq!(
            against.problem,
            Some(ChainBreak::CheckpointMismatch { seq: 5 })
        );
        assert!(walk(&events, &head, Some(checkpoint.clone())).intact);
        let parsed = Checkpoint::parse(checkpoint.to_file_text().as_bytes()).expect("parses");
        assert_eq!(parsed, checkpoint);
    }

    #[test]
    fn a_checkpoint_file_is_read_back_and_a_huge_or_foreign_one_refused() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let (_, head) = chain(3);
        let checkpoint = Checkpoint::new(&head, Utc::now());
        let good = dir.path().join("audit.checkpoint");
        std::fs::write(&good, checkpoint.to_file_text()).expect("written");
        assert_eq!(Checkpoint::read_file(&good), Ok(checkpoint));
        let huge = dir.path().join("huge.checkpoint");
        std::fs::write(&huge, vec![b'{'; 5_000_000]).expect("written");
        assert_eq!(
            Checkpoint::read_file(&huge).unwrap_err(),
            "The file is not a Roster audit checkpoint."
        );
        let foreign = dir.path().join("foreign.checkpoint");
        std::fs::write(
            &foreign,
            r#"{"format":"other/2","events":1,"hash":"","taken_at":""}"#,
        )
        .expect("written");
        assert!(Checkpoint::read_file(&foreign)
            .unwrap_err()
            .contains("not one this version of Roster reads"));
        assert!(Checkpoint::read_file(&dir.path().join("missing"))
            .unwrap_err()
            .starts_with("The checkpoint file could not be read"));
    }

    #[test]
    fn bad_checkpoint_files_are_refused_with_a_sentence() {
        assert!(Checkpoint::parse(b"hello").is_err());
        assert!(Checkpoint::parse(&vec![b' '; 20_000]).is_err());
        let wrong =
            r#"{"format":"roster-audit-checkpoint/1","events":3,"hash":"xyz","taken_at":""}"#;
        assert!(Checkpoint::parse(wrong.as_bytes())
            .unwrap_err()
            .contains("damaged"));
    }
}
