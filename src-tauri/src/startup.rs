//! What must hold before Roster's window can open, and a plain message when
//! it does not: started over SSH, from a service, or on a machine without a
//! desktop, GTK would otherwise end the process with a panic and a
//! backtrace that tell an office worker nothing.
//!
//! Two checks: on Linux and the BSDs, a display to draw on (`DISPLAY` or
//! `WAYLAND_DISPLAY`) before anything else; then the creation of the window
//! system itself, whose panic (a display that cannot be reached, a broken
//! GTK or WebKitGTK) is caught and told in one sentence. A missing
//! WebKitGTK library stops the program before it runs at all; the installers
//! declare it, so only a hand-copied binary meets that.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};

/// Why the window cannot open, as the sentence printed on standard error.
#[derive(Debug, PartialEq, Eq)]
pub struct CannotStart(pub String);

impl std::fmt::Display for CannotStart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// On a desktop without a display server to talk to, says so; elsewhere
/// (Windows, macOS) there is always one.
pub fn check_display(
    display: Option<&str>,
    wayland_display: Option<&str>,
) -> Result<(), CannotStart> {
    if !cfg!(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "openbsd",
        target_os = "netbsd",
        target_os = "dragonfly"
    )) {
        return Ok(());
    }
    let set = |value: Option<&str>| value.is_some_and(|value| !value.trim().is_empty());
    if set(display) || set(wayland_display) {
        Ok(())
    } else {
        Err(CannotStart(
            "Roster cannot open its window: no display was found (neither DISPLAY nor \
             WAYLAND_DISPLAY is set). Start Roster from a desktop session; on a server, \
             use the `roster` command line instead."
                .to_owned(),
        ))
    }
}

/// [`check_display`] on this process's environment.
pub fn check_this_display() -> Result<(), CannotStart> {
    let display = std::env::var("DISPLAY").ok();
    let wayland = std::env::var("WAYLAND_DISPLAY").ok();
    check_display(display.as_deref(), wayland.as_deref())
}

/// Runs `create` (building the Tauri app, which starts GTK and the web
/// view) and turns a panic inside it into [`CannotStart`], without the
/// panic's own message and backtrace on standard error.
pub fn catch_window_system_panic<T>(create: impl FnOnce() -> T) -> Result<T, CannotStart> {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let created = panic::catch_unwind(AssertUnwindSafe(create));
    panic::set_hook(previous);
    created.map_err(|payload| {
        CannotStart(format!(
            "Roster cannot open its window: the window system could not be started ({}). \
             Check that this desktop session works and that WebKitGTK 4.1 is installed.",
            panic_text(payload.as_ref())
        ))
    })
}

/// The panic's own words, up to the first `: ` (after which GTK's panics
/// carry a Rust debug dump with source paths, no help to anyone).
fn panic_text(payload: &(dyn Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no detail".to_owned());
    let first = text.split(": ").next().unwrap_or_default();
    first.trim().trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn no_display_at_all_is_told_plainly() {
        let error = check_display(None, None).unwrap_err();
        assert!(error.0.contains("no display was found"), "{error}");
        assert!(check_display(Some(" "), Some("")).is_err());
    }

    #[test]
    fn an_x11_or_wayland_display_is_enough() {
        assert!(check_display(Some(":0"), None).is_ok());
        assert!(check_display(None, Some("wayland-0")).is_ok());
    }

    #[test]
    fn a_panic_while_starting_becomes_one_sentence() {
        let error =
            catch_window_system_panic(|| -> u8 { panic!("Failed to initialize gtk backend!") })
                .unwrap_err();
        assert_eq!(
            error.0,
            "Roster cannot open its window: the window system could not be started \
             (Failed to initialize gtk backend!). Check that this desktop session works and \
             that WebKitGTK 4.1 is installed."
        );
        assert_eq!(catch_window_system_panic(|| 7), Ok(7));
        let error = catch_window_system_panic(|| -> u8 {
            panic!("Failed to initialize gtk backend!: BoolError {{ filename: \"rt.rs\" }}")
        })
        .unwrap_err();
        assert!(
            error.0.contains("(Failed to initialize gtk backend!)"),
            "{error}"
        );
        assert!(!error.0.contains("BoolError"), "{error}");
    }
}
