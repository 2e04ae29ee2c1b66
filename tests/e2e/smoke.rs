//! The harness itself: the app starts, shows its window, and uses the data
//! folder the test gave it (never the real one).

use crate::Session;

#[test]
fn the_app_starts_with_the_data_folder_it_was_given() {
    let session = Session::start();
    session.wait_for_text("Roster");
    let store = session.data_dir().join("roster.sqlite3");
    session.eventually("waiting for the store in the test's data folder", || {
        if store.is_file() {
            Ok(())
        } else {
            Err(format!("{} does not exist", store.display()))
        }
    });

    // How the folder reaches the app: tauri-driver → WebKitWebDriver → app,
    // as an argument (from the capabilities) and through the environment
    // (inherited from tauri-driver).
    if cfg!(target_os = "linux") {
        let pids = session.app_pids();
        assert_eq!(pids.len(), 1, "one app process: {pids:?}");
        let read = |what: &str| {
            std::fs::read(format!("/proc/{}/{what}", pids[0]))
                .map(|bytes| {
                    bytes
                        .split(|b| *b == 0)
                        .map(|part| String::from_utf8_lossy(part).into_owned())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        let dir = session.data_dir().display().to_string();
        let args = read("cmdline");
        assert!(
            args.windows(2)
                .any(|pair| pair[0] == "--data-dir" && pair[1] == dir),
            "the app's arguments: {args:?}"
        );
        let environment = read("environ");
        assert!(
            environment.contains(&format!("ROSTER_DATA_DIR={dir}")),
            "ROSTER_DATA_DIR is not in the app's environment"
        );
    }
}
