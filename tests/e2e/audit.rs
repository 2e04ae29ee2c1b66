//! The audit page: filtered by operator and time, an event opened to its
//! fields before and after, the filtered view exported, the chain verified.

use std::fs;

use crate::steps::{NewUser, ADMIN};
use crate::Session;

#[test]
fn an_auditor_filters_opens_exports_and_verifies_the_log() {
    let s = Session::start();
    s.set_up();
    s.create_user(&NewUser {
        name: "Ann Lee",
        email: "ann.lee@example.com",
        groups: &["Administrators"],
        password: "violet-harbour-lantern-42",
    });

    assert!(s.has_nav("Audit log"));
    s.navigate("Audit log");
    s.wait_for_heading("Audit log");
    s.choose_suggestion("Operator", "ada", ADMIN.email);
    s.select("Time", "Today");
    let operators = s.wait_for_row("ann.lee@example.com").column("Operator");
    assert!(
        operators.iter().all(|o| o == ADMIN.email),
        "only Ada's events: {operators:?}"
    );
    s.settle();
    s.screenshot("audit-filtered");

    // The event opens to its fields.
    s.click_row("ann.lee@example.com");
    s.wait_for_heading("Created: ann.lee@example.com");
    s.wait_for_text("Before");
    s.wait_for_text("Open Ann Lee");
    s.settle();
    s.screenshot("audit-event");

    // Exactly the filtered view goes to the file.
    let out = s
        .data_dir()
        .parent()
        .expect("the data folder has a parent")
        .join("audit-out.csv");
    s.select("Export format", "CSV");
    s.click_button("Export…");
    s.save_in_native_dialog("Export audit log", &out);
    s.wait_for_text(&format!("Exported to {}.", out.display()));
    let exported = fs::read_to_string(&out).expect("the export was written");
    assert!(
        exported.starts_with("id,time_utc,operator,action"),
        "{exported}"
    );
    assert!(exported.contains("ann.lee@example.com"), "{exported}");
    for line in exported.lines().skip(1) {
        assert!(
            line.contains(ADMIN.email),
            "another operator's event: {line}"
        );
    }

    s.click_button("Verify");
    s.wait_for_text("events, intact.");
    s.settle();
    s.screenshot("audit-verified");

    // From Ann's page, her whole trail.
    s.navigate("Users");
    s.wait_for_heading("Users");
    s.click_row("ann.lee@example.com");
    s.wait_for_heading("Ann Lee");
    s.navigate("Whole audit trail (as target and as operator)");
    s.wait_for_heading("Audit log");
    s.wait_for_text("The whole trail of Ann Lee");
    s.wait_for_row("ann.lee@example.com");
}

#[test]
fn an_auditor_verifies_the_log_against_an_exported_checkpoint() {
    let s = Session::start();
    s.set_up();
    s.navigate("Audit log");
    s.wait_for_heading("Audit log");
    let folder = s
        .data_dir()
        .parent()
        .expect("the data folder has a parent")
        .to_path_buf();

    // The verified head, exported through the save dialog.
    let checkpoint = folder.join("audit.checkpoint");
    s.click_button("Export checkpoint…");
    s.save_in_native_dialog("Export audit checkpoint", &checkpoint);
    s.wait_for_text(&format!("Checkpoint exported to {}.", checkpoint.display()));
    let text = fs::read_to_string(&checkpoint).expect("the checkpoint was written");
    assert!(text.contains("roster-audit-checkpoint/1"), "{text}");

    // Later events do not spoil it: the log still holds the chain it recorded.
    s.navigate("Users");
    s.wait_for_heading("Users");
    s.navigate("Audit log");
    s.wait_for_heading("Audit log");
    s.click_button("Verify against a checkpoint…");
    s.save_in_native_dialog("Verify against a checkpoint", &checkpoint);
    s.wait_for_text("intact, and they match the checkpoint.");
    s.settle();
    s.screenshot("audit-checkpoint-verified");

    // A file that is not a checkpoint: a sentence, not a verification.
    let foreign = folder.join("notes.checkpoint");
    fs::write(&foreign, "meeting notes, not a checkpoint").expect("written");
    s.click_button("Verify against a checkpoint…");
    s.save_in_native_dialog("Verify against a checkpoint", &foreign);
    s.wait_for_text("The file is not a Roster audit checkpoint.");
    let huge = folder.join("huge.checkpoint");
    fs::write(&huge, vec![b' '; 3_000_000]).expect("written");
    s.click_button("Verify against a checkpoint…");
    s.save_in_native_dialog("Verify against a checkpoint", &huge);
    s.wait_for_text("The file is not a Roster audit checkpoint.");
}
