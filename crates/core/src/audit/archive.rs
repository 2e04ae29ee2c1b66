//! The archive file: audit events moved out of the store, every column and
//! hash kept, so the archived part stays verifiable and joins the chain the
//! store continues ([`super::chain::ChainHead`]'s anchor).
//!
//! JSON lines, UTF-8: a header, one line per event in chain order, and an
//! end line counting them:
//!
//! ```text
//! {"format":"roster-audit-archive/1","after_seq":0,"previous_hash":"000…","last_seq":2,"archived_at":"2026-11-30T12:00:00Z"}
//! {"seq":1,"id":1,"at":…,"operator_id":…,…,"changes":"[…]","hash":"…"}
//! {"seq":2,…}
//! {"end":true,"events":2,"last_hash":"…"}
//! ```
//!
//! The changes are kept as the JSON text stored (a string), byte for byte:
//! the hash covers that text. A leaf: it knows no store.

use std::io::{BufRead, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::chain::ChainedEvent;

/// The first line of an archive file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchiveHeader {
    /// Always [`ArchiveHeader::FORMAT`].
    pub format: String,
    /// The `seq` of the event before the first archived one (0 for the log's start).
    pub after_seq: i64,
    /// That event's hash (the chain's genesis for the log's start).
    pub previous_hash: String,
    /// The `seq` of the newest archived event.
    pub last_seq: i64,
    /// When the archive was written (RFC 3339).
    pub archived_at: String,
}

impl ArchiveHeader {
    pub const FORMAT: &'static str = "roster-audit-archive/1";

    pub fn new(after_seq: i64, previous_hash: &str, last_seq: i64, at: DateTime<Utc>) -> Self {
        Self {
            format: Self::FORMAT.into(),
            after_seq,
            previous_hash: previous_hash.to_owned(),
            last_seq,
            archived_at: at.to_rfc3339_opts(SecondsFormat::Secs, true),
        }
    }
}

/// One archived event: every column as stored, and its hash.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArchivedEvent {
    seq: i64,
    id: i64,
    at: i64,
    operator_id: Option<i64>,
    operator_label: String,
    operator_label_normalized: String,
    action: String,
    category: String,
    target_kind: String,
    target_id: Option<i64>,
    target_label: String,
    target_label_normalized: String,
    changes: String,
    hash: String,
}

/// The last line.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArchiveEnd {
    end: bool,
    events: u64,
    last_hash: String,
}

/// The longest line read (an event's changes are a few kilobytes at most).
const MAX_LINE_BYTES: u64 = 1024 * 1024;

/// Writes an archive file, one event at a time.
pub struct ArchiveWriter<W: Write> {
    out: W,
    events: u64,
    last_hash: String,
}

impl<W: Write> ArchiveWriter<W> {
    pub fn new(mut out: W, header: &ArchiveHeader) -> std::io::Result<Self> {
        serde_json::to_writer(&mut out, header)?;
        out.write_all(b"\n")?;
        Ok(Self {
            out,
            events: 0,
            last_hash: header.previous_hash.clone(),
        })
    }

    pub fn event(&mut self, event: &ChainedEvent, hash: &str) -> std::io::Result<()> {
        let line = ArchivedEvent {
            seq: event.seq,
            id: event.id,
            at: event.at,
            operator_id: event.operator_id,
            operator_label: event.operator_label.clone(),
            operator_label_normalized: event.operator_label_normalized.clone(),
            action: event.action.clone(),
            category: event.category.clone(),
            target_kind: event.target_kind.clone(),
            target_id: event.target_id,
            target_label: event.target_label.clone(),
            target_label_normalized: event.target_label_normalized.clone(),
            changes: event.changes.clone(),
            hash: hash.to_owned(),
        };
        serde_json::to_writer(&mut self.out, &line)?;
        self.out.write_all(b"\n")?;
        self.events += 1;
        self.last_hash = hash.to_owned();
        Ok(())
    }

    /// Writes the end line; returns how many events were written and the
    /// writer, flushed.
    pub fn finish(mut self) -> std::io::Result<(u64, W)> {
        let end = ArchiveEnd {
            end: true,
            events: self.events,
            last_hash: self.last_hash,
        };
        serde_json::to_writer(&mut self.out, &end)?;
        self.out.write_all(b"\n")?;
        self.out.flush()?;
        Ok((self.events, self.out))
    }
}

/// Reads an archive file, one event at a time. Errors are sentences for
/// people that name the line.
pub struct ArchiveReader<R: BufRead> {
    input: R,
    line: u64,
    buffer: Vec<u8>,
    events: u64,
    ended: bool,
}

impl<R: BufRead> ArchiveReader<R> {
    /// Reads the header: a file that does not start with one is not an archive.
    pub fn open(input: R) -> Result<(Self, ArchiveHeader), String> {
        let mut reader = Self {
            input,
            line: 0,
            buffer: Vec::with_capacity(4096),
            events: 0,
            ended: false,
        };
        let not_one = "The file is not a Roster audit archive.";
        if !reader.read_line()? {
            return Err(not_one.into());
        }
        let header: ArchiveHeader =
            serde_json::from_slice(&reader.buffer).map_err(|_| not_one.to_owned())?;
        if header.format != ArchiveHeader::FORMAT {
            return Err(format!(
                "The archive's format “{}” is not one this version of Roster reads.",
                header.format.chars().take(60).collect::<String>()
            ));
        }
        if header.after_seq < 0 || header.last_seq < header.after_seq {
            return Err("The archive is damaged: its header's event numbers are not valid.".into());
        }
        Ok((reader, header))
    }

    /// The next event and its stored hash, or `None` after the end line.
    /// An `Err` says what is wrong with the line (the file was changed or
    /// cut short).
    pub fn next_event(&mut self) -> Result<Option<(ChainedEvent, String)>, String> {
        if self.ended {
            return Ok(None);
        }
        if !self.read_line()? {
            return Err(format!(
                "The archive file ends at line {} without its end line: it was cut short.",
                self.line
            ));
        }
        if let Ok(e) = serde_json::from_slice::<ArchivedEvent>(&self.buffer) {
            self.events += 1;
            let event = ChainedEvent {
                seq: e.seq,
                id: e.id,
                at: e.at,
                operator_id: e.operator_id,
                operator_label: e.operator_label,
                operator_label_normalized: e.operator_label_normalized,
                action: e.action,
                category: e.category,
                target_kind: e.target_kind,
                target_id: e.target_id,
                target_label: e.target_label,
                target_label_normalized: e.target_label_normalized,
                changes: e.changes,
            };
            return Ok(Some((event, e.hash)));
        }
        match serde_json::from_slice::<ArchiveEnd>(&self.buffer) {
            Ok(end) if end.end && end.events == self.events => {
                self.ended = true;
                if self.read_line()? {
                    return Err(format!(
                        "Line {} of the archive file follows its end line: lines were added.",
                        self.line
                    ));
                }
                Ok(None)
            }
            Ok(end) => Err(format!(
                "The archive file's end line counts {} events but it holds {}: events were removed or added.",
                end.events, self.events
            )),
            Err(_) => Err(format!(
                "Line {} of the archive file is not an archived event: it was changed.",
                self.line
            )),
        }
    }

    /// Reads the next line into the buffer (without its line break);
    /// false at the end of the file.
    fn read_line(&mut self) -> Result<bool, String> {
        use std::io::Read as _;
        self.buffer.clear();
        let read = (&mut self.input)
            .take(MAX_LINE_BYTES + 1)
            .read_until(b'\n', &mut self.buffer)
            .map_err(|error| format!("The archive file could not be read ({error})."))?;
        if read == 0 {
            return Ok(false);
        }
        self.line += 1;
        if self.buffer.last() == Some(&b'\n') {
            self.buffer.pop();
        } else if read as u64 > MAX_LINE_BYTES {
            return Err(format!(
                "Line {} of the archive file is far too long to be an archived event.",
                self.line
            ));
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::chain::GENESIS;

    fn event(seq: i64) -> ChainedEvent {
        ChainedEvent {
            seq,
            id: seq + 100,
            at: 1_700_000_000_000 + seq,
            operator_id: None,
            operator_label: "Ada \"Admin\"\nLovelace".into(),
            operator_label_normalized: "ada".into(),
            action: "user.update".into(),
            category: "accounts".into(),
            target_kind: "user".into(),
            target_id: Some(7),
            target_label: "ann@example.com".into(),
            target_label_normalized: "ann@example.com".into(),
            changes: r#"[{"field":"name","before":"Ann","after":"Anne \u00e9"}]"#.into(),
        }
    }

    fn archive(n: i64) -> Vec<u8> {
        let header = ArchiveHeader::new(0, GENESIS, n, Utc::now());
        let mut writer = ArchiveWriter::new(Vec::new(), &header).expect("header");
        let mut previous = GENESIS.to_owned();
        for seq in 1..=n {
            let e = event(seq);
            previous = e.hash(&previous);
            writer.event(&e, &previous).expect("event");
        }
        writer.finish().expect("end").1
    }

    fn read_all(bytes: &[u8]) -> Result<Vec<(ChainedEvent, String)>, String> {
        let (mut reader, _) = ArchiveReader::open(bytes)?;
        let mut events = Vec::new();
        while let Some(event) = reader.next_event()? {
            events.push(event);
        }
        Ok(events)
    }

    #[test]
    fn every_column_comes_back_byte_for_byte() {
        let bytes = archive(3);
        let events = read_all(&bytes).expect("reads");
        assert_eq!(events.len(), 3);
        assert_eq!(events[1].0, event(2));
        let mut previous = GENESIS.to_owned();
        for (e, hash) in &events {
            previous = e.hash(&previous);
            assert_eq!(&previous, hash);
        }
    }

    #[test]
    fn a_cut_short_padded_or_foreign_file_is_refused_with_the_line() {
        let bytes = archive(3);
        let text = String::from_utf8(bytes.clone()).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        let cut = lines[..4].join("\n");
        assert!(read_all(cut.as_bytes()).unwrap_err().contains("cut short"));
        let added = format!("{text}{}\n", lines[1]);
        assert!(read_all(added.as_bytes()).unwrap_err().contains("Line 6"));
        let mut removed = lines.clone();
        removed.remove(2);
        assert!(read_all(removed.join("\n").as_bytes())
            .unwrap_err()
            .contains("end line counts 3 events but it holds 2"));
        let mut garbled = lines.clone();
        garbled[2] = "{\"seq\": 2, \"hello\"";
        assert!(read_all(garbled.join("\n").as_bytes())
            .unwrap_err()
            .contains("Line 3 of the archive file is not an archived event"));
        assert_eq!(
            ArchiveReader::open(&b"id,time\n1,2\n"[..]).err(),
            Some("The file is not a Roster audit archive.".to_owned())
        );
        let long = vec![b'x'; 2 * MAX_LINE_BYTES as usize];
        let with_long = [lines[0].as_bytes(), b"\n", &long].concat();
        assert!(read_all(&with_long).unwrap_err().contains("far too long"));
    }
}
