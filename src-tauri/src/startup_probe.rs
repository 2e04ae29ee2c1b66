//! The start-up probe of `cargo xtask bench`: how long Roster takes from
//! the process's start to its first screen drawn and usable.
//!
//! The page tells when that is (`first_screen_drawn`, called once by
//! `ui/main.js` after the first-run or sign-in form is in the document and
//! two animation frames have passed, so the frame holding it was painted).
//! Only when `ROSTER_STARTUP_PROBE` names a file does this write anything:
//! one line, the screen's name and the wall-clock time in nanoseconds since
//! the Unix epoch, written beside the file and renamed onto it, so the bench
//! never reads half a line. Otherwise the call does nothing.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Names the file the probe writes; unset, the probe does nothing.
pub const STARTUP_PROBE_ENV: &str = "ROSTER_STARTUP_PROBE";

/// The screens the page may name (anything else is not written).
const SCREENS: &[&str] = &["first-run", "sign-in", "other"];

/// Only the first call of a process counts.
static TOLD: AtomicBool = AtomicBool::new(false);

/// Records that `screen` was drawn now, once per process, when the probe is
/// asked for; a failure to write is reported on standard error only (the
/// bench then says it saw no probe).
pub fn first_screen_drawn(screen: &str) {
    let Some(path) = std::env::var_os(STARTUP_PROBE_ENV).filter(|p| !p.is_empty()) else {
        return;
    };
    if !SCREENS.contains(&screen) || TOLD.swap(true, Ordering::SeqCst) {
        return;
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_nanos())
        .unwrap_or_default();
    if let Err(error) = write_probe(Path::new(&path), &probe_line(screen, now)) {
        eprintln!("The start-up probe could not be written: {error}.");
    }
}

/// `screen nanoseconds\n`.
fn probe_line(screen: &str, unix_nanos: u128) -> String {
    format!("{screen} {unix_nanos}\n")
}

fn write_probe(path: &Path, line: &str) -> std::io::Result<()> {
    let mut partial: PathBuf = path.to_path_buf();
    partial.as_mut_os_string().push(".partial");
    std::fs::write(&partial, line)?;
    std::fs::rename(&partial, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_line_names_the_screen_and_the_time() {
        assert_eq!(probe_line("sign-in", 17), "sign-in 17\n");
    }

    #[test]
    fn the_probe_file_appears_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("probe");
        write_probe(&path, "sign-in 5\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "sign-in 5\n");
        assert!(!dir.path().join("probe.partial").exists());
    }
}
