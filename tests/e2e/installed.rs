//! The installed program, as an office gets it from a bundle: `cargo xtask
//! test-dist` installs the `.deb` (or extracts the AppImage), names the
//! installed program in `ROSTER_E2E_APP`, and runs this test. It starts
//! under the installed name, reaches the first run and names the version
//! it was built as.

use crate::harness::APP_ENV;
use crate::Session;

#[test]
#[ignore = "needs an installed Roster: `cargo xtask test-dist` runs it"]
fn the_installed_app_reaches_its_first_run() {
    let app = std::env::var(APP_ENV).unwrap_or_default();
    assert!(
        !app.is_empty(),
        "set {APP_ENV} to the installed program (cargo xtask test-dist does)"
    );
    let s = Session::start();
    s.wait_for_heading("Set up Roster");
    s.wait_for_text("Where to keep the directory");
    s.click_button("About");
    assert_eq!(s.fact("Version"), roster_core::VERSION);
    s.click_button("Close");
    // The program under test really is the installed one (an AppImage
    // runs the copy it extracted).
    if cfg!(target_os = "linux") {
        let pids = s.app_pids();
        assert_eq!(pids.len(), 1, "one app process: {pids:?}");
        let exe = std::fs::read_link(format!("/proc/{}/exe", pids[0])).unwrap_or_default();
        if app.ends_with(".AppImage") {
            assert!(exe.ends_with("usr/bin/roster-desktop"), "{}", exe.display());
        } else {
            assert_eq!(exe, std::path::Path::new(&app));
        }
    }
}
