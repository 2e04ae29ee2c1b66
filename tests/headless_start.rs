//! Started where there is no display (over SSH, in a service, on a server),
//! the app says so in one sentence and exits with a failure, instead of a
//! GTK panic and a backtrace.

use std::process::Command;

/// Runs the built app with `display` as DISPLAY (none when `None`), no
/// Wayland, and a data folder of its own.
fn start(display: Option<&str>) -> (Option<i32>, String) {
    let data = tempfile::tempdir().expect("temporary folder");
    let mut command = Command::new(env!("CARGO_BIN_EXE_roster-desktop"));
    command
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("ROSTER_DATA_DIR", data.path())
        .env("ROSTER_KEYCHAIN", "mock")
        .env("RUST_BACKTRACE", "1");
    if let Some(display) = display {
        command.env("DISPLAY", display);
    }
    let output = command.output().expect("the app starts");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn assert_one_sentence_no_panic(stderr: &str) {
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("backtrace"), "{stderr}");
}

#[test]
#[cfg(target_os = "linux")]
fn without_a_display_the_app_says_so_and_fails() {
    let (code, stderr) = start(None);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("Roster cannot open its window: no display was found"),
        "{stderr}"
    );
    assert_one_sentence_no_panic(&stderr);
}

#[test]
#[cfg(target_os = "linux")]
fn with_a_display_that_cannot_be_reached_the_app_says_so_and_fails() {
    // No X server listens on :9876 (Xvfb's automatic numbers start at :99).
    let (code, stderr) = start(Some(":9876"));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.starts_with("Roster cannot open its window"),
        "{stderr}"
    );
    assert!(!stderr.contains(".rs"), "no source paths: {stderr}");
    assert_one_sentence_no_panic(&stderr);
}
