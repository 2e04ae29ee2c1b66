//! The desktop's commands through Tauri's own IPC (mock runtime, the app's
//! real configuration and capability): the web view's view of Roster,
//! without a window.

#[path = "support/ipc.rs"]
mod ipc;

use ipc::Desktop;

use serde_json::{json, Value};

const ADMIN_PASSWORD: &str = "violet-harbour-lantern-42";

impl Desktop {
    /// First run: the administrator, signed in.
    fn initialized() -> Self {
        let desktop = Self::new();
        desktop.first_run("Ada Admin", "ada@example.com", ADMIN_PASSWORD);
        desktop
    }
}

#[test]
fn first_run_sets_up_the_administrators_authenticator_before_signing_them_in() {
    let desktop = Desktop::new();
    let status = desktop.ok("app_status", json!({}));
    assert_eq!(status["initialized"], false);
    assert_eq!(status["session"], Value::Null);
    assert_eq!(status["store"]["kind"], "local");
    assert_eq!(
        desktop.code_of("list_users", json!({"query": {}})),
        "not_signed_in"
    );

    let started = desktop.ok(
        "initialize",
        json!({"name": "Ada Admin", "email": "ada@example.com", "password": ADMIN_PASSWORD}),
    );
    assert_eq!(started["stage"], "totp_enrolment");
    assert_eq!(started["me"], Value::Null);
    // Created, but nobody is signed in until the authenticator is set up.
    let status = desktop.ok("app_status", json!({}));
    assert_eq!(status["initialized"], true);
    assert_eq!(status["session"], Value::Null);
    assert_eq!(status["session_state"]["stage"], "totp_enrolment");
    for command in ["me", "administrators_without_second_factor", "settings"] {
        assert_eq!(desktop.code_of(command, json!({})), "not_signed_in");
    }
    assert_eq!(
        desktop.code_of("list_users", json!({"query": {}})),
        "not_signed_in"
    );
    assert_eq!(
        desktop.code_of("verify_second_factor", json!({"code": "000000"})),
        "sign_in_incomplete"
    );

    let enrolment = desktop.ok("begin_totp_enrolment", json!({}));
    let secret = enrolment["secret"].as_str().expect("the manual key");
    assert!(enrolment["uri"]
        .as_str()
        .is_some_and(|uri| uri.starts_with("otpauth://totp/")));
    assert!(enrolment["qr_svg"]
        .as_str()
        .is_some_and(|svg| svg.contains("<svg")));
    let wrong = if ipc::authenticator_code(secret) == "000000" {
        "111111"
    } else {
        "000000"
    };
    desktop.refused("finish_totp_enrolment", json!({"code": wrong}));
    assert_eq!(desktop.ok("app_status", json!({}))["session"], Value::Null);

    let done = desktop.ok(
        "finish_totp_enrolment",
        json!({"code": ipc::authenticator_code(secret)}),
    );
    assert_eq!(done["me"]["user"]["email"], "ada@example.com");
    assert_eq!(done["me"]["user"]["two_factor"], "totp");
    assert!(done["me"]["permissions"].as_array().unwrap().len() >= 11);
    assert_eq!(done["recovery_codes"].as_array().map(Vec::len), Some(10));
    let status = desktop.ok("app_status", json!({}));
    assert_eq!(status["session"]["user"]["name"], "Ada Admin");
    assert_eq!(status["session_state"]["stage"], "signed_in");
    let warning = desktop.ok("administrators_without_second_factor", json!({}));
    assert_eq!(warning["count"], 0);
}

#[test]
fn an_administrator_without_a_second_factor_is_reported_to_those_who_may_know() {
    let desktop = Desktop::initialized();
    let admins = desktop.ok("list_groups", json!({}))[0]["id"].clone();
    let settings_group = desktop.ok(
        "create_group",
        json!({"group": {"name": "Settings", "description": "", "permissions": ["settings.manage"]}}),
    );
    let user = |name: &str, email: &str, group: &Value| {
        desktop.ok(
            "create_user",
            json!({"user": {
                "name": name, "email": email, "group_ids": [group],
                "supervisor_id": null, "status": "enabled", "password": "quiet-meadow-window-19",
                "must_change_password": false, "mask_client_data": false, "two_factor": "off"
            }}),
        )
    };
    let olaf = user("Olaf Open", "olaf@example.com", &admins);
    user("Sid Settings", "sid@example.com", &settings_group["id"]);

    let warning = desktop.ok("administrators_without_second_factor", json!({}));
    assert_eq!(warning["count"], 1);
    assert_eq!(warning["administrators"][0]["name"], "Olaf Open");

    // Settings only: how many, not who.
    desktop.ok("sign_out", json!({}));
    desktop.sign_in("sid@example.com", "quiet-meadow-window-19");
    let counted = desktop.ok("administrators_without_second_factor", json!({}));
    assert_eq!(counted["count"], 1);
    assert_eq!(counted["administrators"], Value::Null);

    // Disabled, Olaf no longer counts.
    desktop.ok("sign_out", json!({}));
    desktop.sign_in("ada@example.com", ADMIN_PASSWORD);
    desktop.ok(
        "set_user_status",
        json!({"id": olaf["id"], "status": "disabled", "version": olaf["version"]}),
    );
    let warning = desktop.ok("administrators_without_second_factor", json!({}));
    assert_eq!(warning["count"], 0);
}

#[test]
fn an_operator_without_users_create_is_refused_by_the_command() {
    let desktop = Desktop::initialized();
    let viewers = desktop.ok(
        "create_group",
        json!({"group": {"name": "Viewers", "description": "", "permissions": ["users.view"]}}),
    );
    desktop.ok(
        "create_user",
        json!({"user": {
            "name": "Val Viewer", "email": "val@example.com", "group_ids": [viewers["id"]],
            "supervisor_id": null, "status": "enabled", "password": "quiet-meadow-window-19",
            "must_change_password": false, "mask_client_data": false, "two_factor": "off"
        }}),
    );
    desktop.ok("sign_out", json!({}));
    desktop.ok(
        "sign_in",
        json!({"email": "val@example.com", "password": "quiet-meadow-window-19"}),
    );
    let before = desktop.ok("list_users", json!({"query": {}}));

    let refused = desktop.call(
        "create_user",
        json!({"user": {
            "name": "Eve Extra", "email": "eve@example.com", "group_ids": [viewers["id"]],
            "supervisor_id": null, "status": "enabled", "password": "quiet-meadow-window-20",
            "must_change_password": false, "mask_client_data": false, "two_factor": "off"
        }}),
    );
    let error = refused.expect_err("creating a user without users.create");
    assert_eq!(error["code"], "permission_denied");
    assert_eq!(
        error["message"],
        "You do not have permission to create users."
    );
    assert_eq!(desktop.ok("list_users", json!({"query": {}})), before);
    assert_eq!(
        desktop.code_of(
            "create_group",
            json!({"group": {"name": "Mine", "description": "", "permissions": []}})
        ),
        "permission_denied"
    );
}

#[test]
fn field_errors_name_their_field_and_sign_in_errors_reveal_nothing() {
    let desktop = Desktop::initialized();
    let error = desktop
        .call(
            "create_user",
            json!({"user": {
                "name": "Ann Lee", "email": "ADA@example.com", "group_ids": [1],
                "supervisor_id": null, "status": "enabled", "password": "quiet-meadow-window-19",
                "must_change_password": false, "mask_client_data": false, "two_factor": "off"
            }}),
        )
        .expect_err("duplicate email");
    assert_eq!(error["code"], "email_taken");
    assert_eq!(error["field"], "email");

    desktop.ok("sign_out", json!({}));
    let unknown = desktop
        .call(
            "sign_in",
            json!({"email": "nobody@example.com", "password": "whatever-it-is"}),
        )
        .expect_err("unknown email");
    let wrong = desktop
        .call(
            "sign_in",
            json!({"email": "ada@example.com", "password": "not-the-password"}),
        )
        .expect_err("wrong password");
    assert_eq!(unknown, wrong);
    assert_eq!(unknown["code"], "sign_in_failed");
}

#[test]
fn markup_in_a_name_comes_back_as_plain_data() {
    let desktop = Desktop::initialized();
    let user = desktop.ok(
        "create_user",
        json!({"user": {
            "name": "<img src=x onerror=alert(1)>", "email": "img@example.com", "group_ids": [1],
            "supervisor_id": null, "status": "enabled", "password": "quiet-meadow-window-19",
            "must_change_password": false, "mask_client_data": false, "two_factor": "totp"
        }}),
    );
    assert_eq!(user["name"], "<img src=x onerror=alert(1)>");
    let found = desktop.ok("list_users", json!({"query": {"search": "onerror"}}));
    assert_eq!(found["users"][0]["name"], "<img src=x onerror=alert(1)>");
    assert_eq!(found["total"], json!({"count": 1, "exact": true}));
}

#[test]
fn commands_outside_the_capability_are_refused() {
    let desktop = Desktop::new();
    // The dialog plugin is used from Rust only; the web view may not call it.
    let refused = desktop.call(
        "plugin:dialog|message",
        json!({"message": "hello", "title": "x", "kind": "info"}),
    );
    let error = refused.expect_err("the dialog plugin from the web view");
    assert!(error.to_string().contains("not allowed"), "{error}");
}

#[test]
fn a_flagged_user_can_do_nothing_but_change_their_password() {
    let desktop = Desktop::initialized();
    desktop.ok(
        "create_user",
        json!({"user": {
            "name": "Fay Flag", "email": "fay@example.com", "group_ids": [1],
            "supervisor_id": null, "status": "enabled", "password": "quiet-meadow-window-19",
            "must_change_password": true, "mask_client_data": false, "two_factor": "off"
        }}),
    );
    desktop.ok("sign_out", json!({}));
    let signed_in = desktop.ok(
        "sign_in",
        json!({"email": "fay@example.com", "password": "quiet-meadow-window-19"}),
    );
    assert_eq!(signed_in["stage"], "signed_in");
    assert_eq!(signed_in["me"]["user"]["must_change_password"], true);
    let status = desktop.ok("app_status", json!({}));
    assert_eq!(status["session_state"]["must_change_password"], true);
    for (command, args) in [
        ("list_users", json!({"query": {}})),
        ("get_user", json!({"id": 1})),
        ("list_groups", json!({})),
        ("settings", json!({})),
    ] {
        assert_eq!(
            desktop.code_of(command, args),
            "password_change_required",
            "{command}"
        );
    }
    assert_eq!(
        desktop.ok("me", json!({}))["user"]["email"],
        "fay@example.com"
    );
    assert_eq!(
        desktop.code_of(
            "change_password",
            json!({"current_password": "quiet-meadow-window-19", "new_password": "quiet-meadow-window-19"})
        ),
        "password_unchanged"
    );
    let changed = desktop.ok(
        "change_password",
        json!({"current_password": "quiet-meadow-window-19", "new_password": "a-brand-new-passphrase-7"}),
    );
    assert_eq!(changed["user"]["must_change_password"], false);
    desktop.ok("list_users", json!({"query": {}}));
}

#[test]
fn a_locked_session_opens_only_with_the_password() {
    let desktop = Desktop::initialized();
    desktop.ok("lock_session", json!({}));
    assert_eq!(
        desktop.code_of("list_users", json!({"query": {}})),
        "session_locked"
    );
    assert_eq!(
        desktop.ok("app_status", json!({}))["session_state"]["locked"],
        true
    );
    assert_eq!(
        desktop.code_of("unlock_session", json!({"password": "not-it-at-all"})),
        "sign_in_failed"
    );
    assert_eq!(
        desktop.code_of("list_users", json!({"query": {}})),
        "session_locked"
    );
    desktop.ok("unlock_session", json!({"password": ADMIN_PASSWORD}));
    desktop.ok("list_users", json!({"query": {}}));
}

#[test]
fn an_authenticator_user_enrols_then_needs_a_code_before_any_command() {
    let desktop = Desktop::initialized();
    desktop.ok(
        "create_user",
        json!({"user": {
            "name": "Tom Totp", "email": "tom@example.com", "group_ids": [1],
            "supervisor_id": null, "status": "enabled", "password": "quiet-meadow-window-19",
            "must_change_password": false, "mask_client_data": false, "two_factor": "totp"
        }}),
    );
    desktop.ok("sign_out", json!({}));
    let credentials = json!({"email": "tom@example.com", "password": "quiet-meadow-window-19"});
    let first = desktop.ok("sign_in", credentials.clone());
    assert_eq!(first, json!({"stage": "totp_enrolment", "me": null}));
    assert_eq!(
        desktop.code_of("list_users", json!({"query": {}})),
        "not_signed_in"
    );
    assert_eq!(
        desktop.code_of("verify_second_factor", json!({"code": "123456"})),
        "sign_in_incomplete"
    );
    let status = desktop.ok("app_status", json!({}));
    assert_eq!(status["session_state"]["stage"], "totp_enrolment");
    assert_eq!(status["session"], Value::Null);

    let enrolment = desktop.ok("begin_totp_enrolment", json!({}));
    let secret = enrolment["secret"].as_str().expect("secret").to_owned();
    assert!(enrolment["qr_svg"].as_str().expect("svg").contains("<svg"));
    let code = roster_core::two_factor::current_code(&secret, now()).expect("code");
    let enrolled = desktop.ok("finish_totp_enrolment", json!({"code": code}));
    assert_eq!(enrolled["me"]["user"]["email"], "tom@example.com");
    let recovery: Vec<String> =
        serde_json::from_value(enrolled["recovery_codes"].clone()).expect("codes");
    assert_eq!(recovery.len(), 10);
    desktop.ok("list_users", json!({"query": {}}));

    desktop.ok("sign_out", json!({}));
    let second = desktop.ok("sign_in", credentials);
    assert_eq!(second, json!({"stage": "second_factor", "me": null}));
    assert_eq!(
        desktop.code_of("begin_totp_enrolment", json!({})),
        "sign_in_incomplete"
    );
    assert_eq!(
        desktop.code_of("verify_second_factor", json!({"code": "12345x"})),
        "second_factor_failed"
    );
    let done = desktop.ok("verify_second_factor", json!({"code": recovery[0]}));
    assert_eq!(done["stage"], "signed_in");
    desktop.ok("list_users", json!({"query": {}}));
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
