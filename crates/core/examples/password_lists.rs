//! Builds the password policy's shipped lists from their sources. Run by
//! hand when a source changes, never at build time; `data/README.md` says
//! where each source comes from and the exact commands.
//!
//! ```text
//! cargo run --release -p roster-core --example password_lists -- \
//!     breached OUT.bloom [--min-chars N] FILE... [--min-chars N] FILE...
//! cargo run --release -p roster-core --example password_lists -- \
//!     words OUT.fst FILE...
//! ```
//!
//! A FILE is plain text, one entry a line, or a `.json` array of strings.
//! Every entry is put in the form the policy looks things up in (NFKC, then
//! lowercase) and deduplicated.
//!
//! - `breached`: entries of 4 to 128 characters without control or format
//!   characters (and at least `--min-chars`, which applies to the files after
//!   it) go into a Bloom filter with a false-positive rate of 1 in 100,000.
//! - `words`: entries of at least 4 characters, all of them letters, go into
//!   an FST set.

use std::collections::BTreeSet;
use std::process::ExitCode;

use roster_core::password::{list_form, BloomFilter};

/// The breached list's false-positive rate.
const FALSE_POSITIVE_RATE: f64 = 1e-5;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("password_lists: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let [kind, out, inputs @ ..] = args else {
        return Err("usage: password_lists (breached|words) OUT FILE...".into());
    };
    let mut entries = BTreeSet::new();
    let mut min_chars = 4;
    let mut inputs = inputs.iter();
    while let Some(input) = inputs.next() {
        if input == "--min-chars" {
            let value = inputs.next().ok_or("--min-chars needs a number")?;
            min_chars = value
                .parse()
                .map_err(|_| format!("--min-chars needs a number, got {value}"))?;
            continue;
        }
        let before = entries.len();
        for raw in read_entries(input)? {
            let entry = list_form(raw.trim_end_matches(['\r', '\n']));
            let chars = entry.chars().count();
            let keep = match kind.as_str() {
                "breached" => {
                    (min_chars.max(4)..=128).contains(&chars)
                        && !entry.chars().any(is_control_or_format)
                }
                "words" => chars >= 4 && entry.chars().all(char::is_alphabetic),
                other => return Err(format!("unknown list kind {other}")),
            };
            if keep {
                entries.insert(entry);
            }
        }
        eprintln!("{input}: {} new entries", entries.len() - before);
    }
    let bytes = match kind.as_str() {
        "breached" => {
            let refs: Vec<&str> = entries.iter().map(String::as_str).collect();
            BloomFilter::build(&refs, FALSE_POSITIVE_RATE)
        }
        _ => fst::Set::from_iter(entries.iter())
            .map_err(|error| format!("building the FST failed: {error}"))?
            .into_fst()
            .into_inner(),
    };
    std::fs::write(out, &bytes).map_err(|error| format!("cannot write {out}: {error}"))?;
    eprintln!("{out}: {} entries, {} bytes", entries.len(), bytes.len());
    Ok(())
}

/// The entries of one source file: JSON arrays of strings, or lines.
fn read_entries(path: &str) -> Result<Vec<String>, String> {
    let bytes = std::fs::read(path).map_err(|error| format!("cannot read {path}: {error}"))?;
    if path.ends_with(".json") {
        return serde_json::from_slice(&bytes)
            .map_err(|error| format!("{path} is not a JSON array of strings: {error}"));
    }
    // Lines that are not UTF-8 cannot be typed as a password here; skip them.
    Ok(bytes
        .split(|&byte| byte == b'\n')
        .filter_map(|line| String::from_utf8(line.to_vec()).ok())
        .filter(|line| !line.is_empty())
        .collect())
}

fn is_control_or_format(character: char) -> bool {
    character.is_control() || roster_core::password::is_format_character(character)
}
