//! Settings → Backups' "Back up now" through Tauri's IPC (mock runtime)
//! with the backup folder on a real full disk (a filled-up tmpfs) and on a
//! real read-only mount: the command fails with the reason in words, no
//! file is left, and the app goes on working. Linux only, as root (see
//! `crates/cli/tests/support/mount.rs`).
#![cfg(target_os = "linux")]

#[path = "support/ipc.rs"]
mod ipc;

#[path = "../crates/cli/tests/support/mount.rs"]
mod mount;

use ipc::Desktop;
use mount::Mount;
use roster_core::backup::{BackupConfig, Retention};
use serde_json::json;

const ADMIN_PASSWORD: &str = "violet-harbour-lantern-42";

/// Chooses `folder` for backups as Settings does (the folder dialog cannot
/// be answered on the mock runtime): `backups.json` beside the store.
fn back_up_into(desktop: &Desktop, folder: &std::path::Path) {
    BackupConfig {
        folder: Some(folder.to_owned()),
        keep: Retention::default(),
    }
    .save(&desktop.dir.path().join("roster.sqlite3"))
    .expect("the settings kept");
}

fn the_app_keeps_working(desktop: &Desktop, group: &str) {
    desktop.ok(
        "create_group",
        json!({"group": {"name": group, "description": "", "permissions": []}}),
    );
    let groups = desktop.ok("list_groups", json!({})).to_string();
    assert!(groups.contains(group), "{groups}");
}

#[test]
fn back_up_now_onto_a_full_disk_or_a_read_only_folder_says_why_and_the_app_goes_on() {
    let desktop = Desktop::new();
    desktop.first_run("Ada Admin", "ada@example.com", ADMIN_PASSWORD);

    let disk = Mount::tmpfs(&desktop.dir.path().join("usb"), "1m");
    disk.fill();
    back_up_into(&desktop, disk.path());
    let error = desktop.refused("back_up_now", json!({}));
    let message = error["message"].as_str().expect("a message");
    assert!(message.contains("the disk is full"), "{error}");
    assert_eq!(disk.files(), ["filler"]);
    the_app_keeps_working(&desktop, "After a full disk");
    let overview = desktop.ok("backups_overview", json!({}));
    assert_eq!(overview["backups"], json!([]));

    let share = Mount::read_only(
        &desktop.dir.path().join("share"),
        &desktop.dir.path().join("read-only"),
    );
    back_up_into(&desktop, share.path());
    let error = desktop.refused("back_up_now", json!({}));
    let message = error["message"].as_str().expect("a message");
    assert!(message.contains("the folder cannot be written"), "{error}");
    assert!(share.files().is_empty());
    the_app_keeps_working(&desktop, "After a read-only folder");
}
