//! The bulk users commands through Tauri's own IPC (mock runtime, the app's
//! real configuration and capability): an operator the core refuses gets
//! the refusal from every one of them, before any native dialog opens (on
//! the mock runtime one would never be answered, so a command that reached
//! its dialog would hang the test); "every matching user" is exactly what
//! the overview's query finds; and the held passwords of an import never
//! come back through a command.

#[path = "support/ipc.rs"]
mod ipc;

use ipc::Desktop;
use serde_json::{json, Value};

const ADMIN_PASSWORD: &str = "violet-harbour-lantern-42";
const PASSWORD: &str = "copper-tulip-saddle-58";

/// The commands that open a native dialog, with arguments.
fn dialog_commands() -> Vec<(&'static str, Value)> {
    vec![
        ("import_users", json!({"dry_run": true})),
        (
            "import_users",
            json!({"dry_run": false, "use_last_file": true}),
        ),
        ("save_users_template", json!({"format": "xlsx"})),
        ("export_users", json!({"query": {}, "format": "csv"})),
    ]
}

impl Desktop {
    /// An administrator, still signed in, and a group of viewers.
    fn prepared() -> (Self, Value) {
        let desktop = Self::new();
        desktop.first_run("Ada Admin", "ada@example.com", ADMIN_PASSWORD);
        let viewers = desktop.ok(
            "create_group",
            json!({"group": {"name": "Viewers", "description": "", "permissions": ["users.view"]}}),
        );
        (desktop, viewers)
    }

    fn user(&self, name: &str, email: &str, groups: &[&Value]) -> Value {
        let ids: Vec<Value> = groups.iter().map(|g| g["id"].clone()).collect();
        self.ok(
            "create_user",
            json!({"user": {
                "name": name, "email": email, "group_ids": ids,
                "supervisor_id": null, "status": "enabled", "password": PASSWORD,
                "must_change_password": false, "mask_client_data": false, "two_factor": "off"
            }}),
        )
    }

    fn switch_to(&self, email: &str) {
        self.ok("sign_out", json!({}));
        let signed_in = self.sign_in(email, PASSWORD);
        assert_eq!(signed_in["stage"], "signed_in", "{signed_in}");
    }

    fn status_of(&self, id: &Value) -> String {
        self.ok("get_user", json!({"id": id}))["status"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

#[test]
fn a_refused_operator_gets_nothing_from_any_bulk_command() {
    let (desktop, viewers) = desktop_with_viewer();
    let target = desktop.user("Tom Target", "tom@example.org", &[&viewers]);
    desktop.switch_to("val@example.org");

    // A viewer may list and export, but not import (nor its template).
    for (command, args) in dialog_commands() {
        if command == "export_users" {
            continue;
        }
        assert_eq!(
            desktop.code_of(command, args),
            "permission_denied",
            "{command}"
        );
    }
    let selection = json!({"kind": "ids", "ids": [target["id"]]});
    for action in [
        json!({"action": "disable"}),
        json!({"action": "delete"}),
        json!({"action": "reset_two_factor"}),
        json!({"action": "add_to_group", "group": viewers["id"]}),
    ] {
        for command in ["plan_bulk_users", "apply_bulk_users"] {
            assert_eq!(
                desktop.code_of(command, json!({"selection": selection, "action": action})),
                "permission_denied",
                "{command} {action}"
            );
        }
    }
    // No import of theirs, so no passwords to save.
    assert_eq!(
        desktop.code_of("save_import_credentials", json!({"format": "csv"})),
        "no_credentials"
    );

    // Someone with no right at all may not export either.
    desktop.ok("sign_out", json!({}));
    desktop.sign_in("ada@example.com", ADMIN_PASSWORD);
    let nothing = desktop.ok(
        "create_group",
        json!({"group": {"name": "Nothing", "description": "", "permissions": []}}),
    );
    desktop.user("Nia Nothing", "nia@example.org", &[&nothing]);
    desktop.switch_to("nia@example.org");
    for (command, args) in dialog_commands() {
        assert_eq!(
            desktop.code_of(command, args),
            "permission_denied",
            "{command}"
        );
    }

    // Signed out: nothing from any of them.
    desktop.ok("sign_out", json!({}));
    let mut all = dialog_commands();
    all.extend([
        ("cancel_users_import", json!({})),
        ("save_import_credentials", json!({"format": "csv"})),
        ("discard_import_credentials", json!({})),
        (
            "plan_bulk_users",
            json!({"selection": selection, "action": {"action": "disable"}}),
        ),
        (
            "apply_bulk_users",
            json!({"selection": selection, "action": {"action": "disable"}}),
        ),
    ]);
    for (command, args) in all {
        assert_eq!(desktop.code_of(command, args), "not_signed_in", "{command}");
    }
    desktop.sign_in("ada@example.com", ADMIN_PASSWORD);
    assert_eq!(desktop.status_of(&target["id"]), "enabled");
}

/// An administrator and Val, a member of "Viewers" (users.view only).
fn desktop_with_viewer() -> (Desktop, Value) {
    let (desktop, viewers) = Desktop::prepared();
    desktop.user("Val Viewer", "val@example.org", &[&viewers]);
    (desktop, viewers)
}

#[test]
fn every_matching_user_is_what_the_overview_query_finds() {
    let (desktop, viewers) = Desktop::prepared();
    let mut team = Vec::new();
    for n in 1..=4 {
        team.push(desktop.user(
            &format!("Team Member {n}"),
            &format!("member{n}@team.example.org"),
            &[&viewers],
        ));
    }
    let other = desktop.user("Olga Other", "olga@elsewhere.example.net", &[&viewers]);
    let query = json!({"search": "team.example.org", "limit": 2});
    let page = desktop.ok("list_users", json!({"query": query}));
    assert_eq!(page["total"]["count"], 4, "{page}");

    // The plan counts every match (not the page of two), writing nothing.
    let selection = json!({"kind": "matching", "query": query});
    let plan = desktop.ok(
        "plan_bulk_users",
        json!({"selection": selection, "action": {"action": "disable"}}),
    );
    assert_eq!(plan["selected"], 4, "{plan}");
    assert_eq!(plan["applicable"], 4, "{plan}");
    assert_eq!(plan["refusals"], json!([]), "{plan}");
    assert_eq!(desktop.status_of(&team[0]["id"]), "enabled");

    let report = desktop.ok(
        "apply_bulk_users",
        json!({"selection": selection, "action": {"action": "disable"}}),
    );
    assert_eq!(report["applied"], 4, "{report}");
    for member in &team {
        assert_eq!(desktop.status_of(&member["id"]), "disabled");
    }
    assert_eq!(desktop.status_of(&other["id"]), "enabled");

    // Chosen ids with the operator among them: she is refused first and
    // the others are enabled again.
    let me = desktop.ok("me", json!({}));
    let ids: Vec<Value> = team
        .iter()
        .map(|m| m["id"].clone())
        .chain([me["user"]["id"].clone()])
        .collect();
    let selection = json!({"kind": "ids", "ids": ids});
    let plan = desktop.ok(
        "plan_bulk_users",
        json!({"selection": selection, "action": {"action": "delete"}}),
    );
    assert_eq!(plan["selected"], 5, "{plan}");
    let refusals = plan["refusals"].as_array().expect("refusals");
    assert_eq!(refusals.len(), 1, "{plan}");
    assert_eq!(refusals[0]["email"], "ada@example.com", "{plan}");
    let report = desktop.ok(
        "apply_bulk_users",
        json!({"selection": selection, "action": {"action": "enable"}}),
    );
    assert_eq!(report["applied"], 4, "{report}");

    // A cursor that is not one of the overview's is refused, not ignored.
    assert!(desktop
        .call(
            "plan_bulk_users",
            json!({"selection": {"kind": "matching", "query": {"after": "zz"}}, "action": {"action": "disable"}}),
        )
        .is_err());
}

#[test]
fn with_no_import_there_are_no_passwords_to_save_or_forget() {
    let (desktop, _) = Desktop::prepared();
    assert_eq!(
        desktop.code_of("save_import_credentials", json!({"format": "xlsx"})),
        "no_credentials"
    );
    assert_eq!(
        desktop.ok("discard_import_credentials", json!({})),
        Value::Null
    );
    assert_eq!(desktop.ok("cancel_users_import", json!({})), Value::Null);
    // A format Rust does not write is refused by the command's arguments.
    assert!(desktop
        .call("save_users_template", json!({"format": "ods"}))
        .is_err());
}

/// How many backups the app made before bulk work, as Settings lists them.
fn backups_before_bulk(desktop: &Desktop) -> usize {
    let overview = desktop.ok("backups_overview", json!({}));
    overview["backups"].as_array().map_or(0, |backups| {
        backups
            .iter()
            .filter(|b| b["manifest"]["reason"] == "before_bulk")
            .count()
    })
}

#[test]
fn bulk_work_is_backed_up_first_only_when_the_operator_may_do_it() {
    let (desktop, viewers) = desktop_with_viewer();
    let target = desktop.user("Tom Target", "tom@example.org", &[&viewers]);
    assert_eq!(backups_before_bulk(&desktop), 0);
    let args = json!({
        "selection": {"kind": "ids", "ids": [target["id"]]},
        "action": {"action": "disable"},
    });

    // A viewer's refused bulk action costs no backup.
    desktop.switch_to("val@example.org");
    assert_eq!(
        desktop.code_of("apply_bulk_users", args.clone()),
        "permission_denied"
    );
    desktop.ok("sign_out", json!({}));
    desktop.sign_in("ada@example.com", ADMIN_PASSWORD);
    assert_eq!(backups_before_bulk(&desktop), 0);

    // The administrator's is backed up first, then applied.
    let report = desktop.ok("apply_bulk_users", args);
    assert_eq!(report["applied"], 1, "{report}");
    assert_eq!(backups_before_bulk(&desktop), 1);
}
