//! Entry point of the Roster desktop app; everything lives in the library so
//! that tests can reach it.

// Release builds on Windows must not open a console window next to the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    roster_desktop::run()
}
