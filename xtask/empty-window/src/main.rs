//! The smallest Tauri 2 app: one window showing one static page, no
//! plugins; the window as large as Roster's (1200 × 800, its
//! `tauri.conf.json`), so that the start-up bench compares what Roster
//! draws, not the window's size (under Xvfb WebKitGTK paints in software). Built in release mode beside Roster by `cargo xtask dist` (so
//! Roster's binary size is read against what Tauri alone costs) and by
//! `cargo xtask bench` (start-up time and memory against Roster's).
//!
//! Its one command is the bench's start-up probe, as in Roster: the page
//! calls `first_screen_drawn` two animation frames after it loaded, and
//! when `ROSTER_STARTUP_PROBE` names a file the time is written there as
//! `empty <nanoseconds since the Unix epoch>`.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static TOLD: AtomicBool = AtomicBool::new(false);

#[tauri::command]
fn first_screen_drawn() {
    let Some(path) = std::env::var_os("ROSTER_STARTUP_PROBE").filter(|p| !p.is_empty()) else {
        return;
    };
    if TOLD.swap(true, Ordering::SeqCst) {
        return;
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_nanos())
        .unwrap_or_default();
    let mut partial = std::path::PathBuf::from(&path);
    partial.as_mut_os_string().push(".partial");
    let written = std::fs::write(&partial, format!("empty {now}\n"))
        .and_then(|()| std::fs::rename(&partial, &path));
    if let Err(error) = written {
        eprintln!("empty-window: the start-up probe could not be written: {error}");
    }
}

fn main() {
    let app =
        tauri::Builder::default().invoke_handler(tauri::generate_handler![first_screen_drawn]);
    if let Err(error) = app.run(tauri::generate_context!()) {
        eprintln!("empty-window: {error}");
        std::process::exit(1);
    }
}
