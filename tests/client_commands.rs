//! The clients' commands through Tauri's own IPC (mock runtime, the app's
//! real configuration and capability), above all masking: an operator with
//! "mask client data" gets no real name, email or phone number from any
//! command that returns client data (or their history), and is refused
//! creating, importing and editing those fields.

#[path = "support/ipc.rs"]
mod ipc;

use ipc::Desktop;

use serde_json::{json, Value};

const ADMIN_PASSWORD: &str = "violet-harbour-lantern-42";
const MASKED_PASSWORD: &str = "quiet-meadow-window-19";
const PLAIN_PASSWORD: &str = "copper-tulip-saddle-58";

/// A client as the administrator enters them.
struct Real {
    name: &'static str,
    email: &'static str,
    phone: &'static str,
    country: &'static str,
}

const JANE: Real = Real {
    name: "Jane Smithson",
    email: "jane.smithson@harbourview.co.uk",
    phone: "+44 20 7946 0961",
    country: "GB",
};

const KARL: Real = Real {
    name: "Karl Oberhuber",
    email: "karl.oberhuber@beispiel.de",
    phone: "+49 30 90182745",
    country: "DE",
};

/// Imported as CSV by the administrator.
const LENA_CSV: &str = "name,email,phone,country\n\
                        Lena Lindqvist,lena.lindqvist@exempel.se,+46 8 123 456 78,SE\n";

/// Pieces of the real values that no masked answer may hold: each name
/// part, each email's local part and domain, and each phone number's
/// national digits (kept whole in the digit-only form of the answer).
const WORDS: &[&str] = &[
    "Jane",
    "Smithson",
    "jane.smithson",
    "harbourview",
    "Karl",
    "Oberhuber",
    "karl.oberhuber",
    "beispiel",
    "Lena",
    "Lindqvist",
    "lena.lindqvist",
    "exempel",
    "7946",
    "90182745",
];
const DIGITS: &[&str] = &["2079460961", "3090182745", "812345678"];

impl Desktop {
    /// An administrator, three clients (two typed, one imported, one of them
    /// edited so the history holds old values too), a masked operator and
    /// an unmasked one in a group that views and manages clients and the
    /// audit log; the administrator still signed in.
    fn prepared() -> (Self, Ids) {
        let desktop = Self::new();
        let admin = desktop.first_run("Ada Admin", "ada@example.com", ADMIN_PASSWORD);
        let jane = desktop.ok("create_client", json!({"client": client_json(&JANE)}));
        let karl = desktop.ok(
            "create_client",
            json!({"client": {"name": "Karl Typo", "email": null, "phone": null, "country": null}}),
        );
        let karl = desktop.ok(
            "update_client",
            json!({"id": karl["id"], "changes": {
                "version": karl["version"], "name": KARL.name, "email": KARL.email,
                "phone": KARL.phone, "country": KARL.country
            }}),
        );
        let report = desktop.ok(
            "import_clients_csv",
            json!({"csv": LENA_CSV, "dry_run": false}),
        );
        assert_eq!(report["created"], 1, "{report}");
        let desk = desktop.ok(
            "create_group",
            json!({"group": {"name": "Client desk", "description": "",
                "permissions": ["clients.view", "clients.manage", "audit.view", "users.view"]}}),
        );
        let user = |name: &str, email: &str, password: &str, masked: bool| {
            desktop.ok(
                "create_user",
                json!({"user": {
                    "name": name, "email": email, "group_ids": [desk["id"]],
                    "supervisor_id": null, "status": "enabled", "password": password,
                    "must_change_password": false, "mask_client_data": masked, "two_factor": "off"
                }}),
            )
        };
        let masked = user("Mo Masked", "mo@example.org", MASKED_PASSWORD, true);
        let plain = user("Pia Plain", "pia@example.org", PLAIN_PASSWORD, false);
        let ids = Ids {
            admin: admin["user"]["id"].clone(),
            masked: masked["id"].clone(),
            plain: plain["id"].clone(),
            jane: jane["id"].clone(),
            karl: karl["id"].clone(),
        };
        (desktop, ids)
    }

    fn sign_in_as(&self, email: &str, password: &str) {
        self.ok("sign_out", json!({}));
        let signed_in = self.sign_in(email, password);
        assert_eq!(signed_in["stage"], "signed_in", "{signed_in}");
    }
}

struct Ids {
    admin: Value,
    masked: Value,
    plain: Value,
    jane: Value,
    karl: Value,
}

fn client_json(client: &Real) -> Value {
    json!({"name": client.name, "email": client.email, "phone": client.phone, "country": client.country})
}

/// The real values `answer` gives away in its text, if any, ignoring case.
fn leaks(answer: &Value) -> Vec<&'static str> {
    let text = answer.to_string();
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let text = text.to_lowercase();
    WORDS
        .iter()
        .filter(|word| text.contains(&word.to_lowercase()))
        .chain(DIGITS.iter().filter(|d| digits.contains(*d)))
        .copied()
        .collect()
}

/// A hex token's bytes as text (lossy), empty when it is not hex.
fn decode_hex(token: &str) -> String {
    let bytes: Option<Vec<u8>> = (0..token.len() / 2)
        .map(|i| u8::from_str_radix(token.get(2 * i..2 * i + 2)?, 16).ok())
        .collect();
    String::from_utf8_lossy(&bytes.unwrap_or_default()).into_owned()
}

/// Every answer carrying client data (or their history) that `desktop`'s
/// operator gets, by the command that gave it.
fn every_client_answer(desktop: &Desktop, ids: &Ids) -> Vec<(String, Value)> {
    let mut answers = Vec::new();
    let mut take = |what: &str, answer: Value| answers.push((what.to_owned(), answer));
    for sort in ["name", "created"] {
        for direction in ["asc", "desc"] {
            take(
                &format!("list_clients by {sort} {direction}"),
                desktop.ok(
                    "list_clients",
                    json!({"query": {"sort": sort, "direction": direction}}),
                ),
            );
        }
    }
    // One client per page (the paging tokens: see the next test).
    let mut after = Value::Null;
    for page in 1..=3 {
        let answer = desktop.ok(
            "list_clients",
            json!({"query": {"limit": 1, "after": after}}),
        );
        after = answer["next"].clone();
        take(&format!("list_clients page {page} of one"), answer);
    }
    for id in [&ids.jane, &ids.karl] {
        take(
            &format!("get_client {id}"),
            desktop.ok("get_client", json!({"id": id})),
        );
    }
    take(
        "export_clients_csv",
        Value::String(
            desktop
                .ok("export_clients_csv", json!({"query": {}}))
                .to_string(),
        ),
    );
    take(
        "export_clients_csv by created",
        desktop.ok(
            "export_clients_csv",
            json!({"query": {"sort": "created", "direction": "desc"}}),
        ),
    );
    // Editing what a masked operator may edit: the answer is the client.
    let jane = desktop.ok("get_client", json!({"id": ids.jane}));
    take(
        "update_client (country)",
        desktop.ok(
            "update_client",
            json!({"id": ids.jane, "changes": {"version": jane["version"], "country": "IE"}}),
        ),
    );
    let jane = desktop.ok("get_client", json!({"id": ids.jane}));
    take(
        "update_client (country back)",
        desktop.ok(
            "update_client",
            json!({"id": ids.jane, "changes": {"version": jane["version"], "country": "GB"}}),
        ),
    );
    // The audit history of everyone involved (the administrator wrote the
    // clients' events, with their values).
    for id in [&ids.admin, &ids.masked, &ids.plain] {
        take(
            &format!("user_audit {id}"),
            desktop.ok("user_audit", json!({"id": id, "limit": 500})),
        );
    }
    for command in ["me", "app_status"] {
        take(command, desktop.ok(command, json!({})));
    }
    take("list_users", desktop.ok("list_users", json!({"query": {}})));
    answers
}

#[test]
fn a_masked_operator_gets_no_real_client_data_from_any_command() {
    let (desktop, ids) = Desktop::prepared();
    desktop.sign_in_as("mo@example.org", MASKED_PASSWORD);

    let answers = every_client_answer(&desktop, &ids);
    let mut leaked = Vec::new();
    for (what, answer) in &answers {
        let found = leaks(answer);
        if !found.is_empty() {
            leaked.push(format!("{what} gives away {found:?}: {answer}"));
        }
    }
    assert!(leaked.is_empty(), "{}", leaked.join("\n"));

    // The values are there, masked, and say so.
    let page = desktop.ok("list_clients", json!({"query": {"sort": "name"}}));
    let clients = page["clients"].as_array().expect("clients");
    assert_eq!(clients.len(), 3, "{page}");
    for client in clients {
        assert_eq!(client["masked"], true, "{client}");
        for field in ["name", "email", "phone"] {
            let value = client[field].as_str().unwrap_or_default();
            assert!(value.contains('*'), "{field} is masked: {client}");
        }
    }
    let jane = desktop.ok("get_client", json!({"id": ids.jane}));
    assert_eq!(jane["name"], "J*** S*******", "{jane}");
    assert_eq!(jane["country"], "GB", "the country is not personal data");
    let csv = desktop.ok("export_clients_csv", json!({"query": {}}));
    assert!(csv.as_str().unwrap_or_default().contains('*'), "{csv}");
}

/// The `next` token is opaque to the UI, but it is only hex: anyone with
/// the web view's devtools reads it. It must not carry a real value either.
#[test]
fn a_masked_operators_paging_tokens_hold_no_real_values() {
    let (desktop, _) = Desktop::prepared();
    desktop.sign_in_as("mo@example.org", MASKED_PASSWORD);
    let mut leaked = Vec::new();
    for sort in ["name", "created"] {
        let mut after = Value::Null;
        loop {
            let page = desktop.ok(
                "list_clients",
                json!({"query": {"sort": sort, "limit": 1, "after": after}}),
            );
            let Some(token) = page["next"].as_str() else {
                break;
            };
            let decoded = decode_hex(token);
            // Its numbers are the row's id and creation time (a masked
            // operator's lists are always in order of creation), whose
            // digits may hold a phone's fragment by chance: its texts are
            // read for words and digits, and its key must be a number.
            let fields: Value = serde_json::from_str(&decoded).unwrap_or(Value::Null);
            assert!(fields["key"].is_i64(), "a creation time: {decoded}");
            let texts: Vec<Value> = fields
                .as_object()
                .map(|object| object.values().filter(|v| v.is_string()).cloned().collect())
                .unwrap_or_else(|| vec![Value::String(decoded.clone())]);
            let found = leaks(&Value::Array(texts));
            if !found.is_empty() {
                leaked.push(format!("sorted by {sort}: {found:?} in {decoded}"));
            }
            after = page["next"].clone();
        }
    }
    assert!(
        leaked.is_empty(),
        "paging tokens carry real client values:\n{}",
        leaked.join("\n")
    );
}

#[test]
fn a_masked_operator_may_not_create_import_or_edit_personal_fields() {
    let (desktop, ids) = Desktop::prepared();
    desktop.sign_in_as("mo@example.org", MASKED_PASSWORD);
    let before = desktop.ok("list_clients", json!({"query": {}}));

    assert_eq!(
        desktop.code_of(
            "create_client",
            json!({"client": {"name": "New Person", "email": null, "phone": null, "country": null}})
        ),
        "client_data_masked"
    );
    for dry_run in [true, false] {
        assert_eq!(
            desktop.code_of(
                "import_clients_csv",
                json!({"csv": LENA_CSV, "dry_run": dry_run})
            ),
            "client_data_masked"
        );
    }
    let jane = desktop.ok("get_client", json!({"id": ids.jane}));
    for (field, value) in [
        ("name", json!("Jane Doe")),
        ("email", json!("jane.doe@example.com")),
        ("phone", json!("+44 20 7946 0000")),
        ("email", Value::Null),
        ("phone", Value::Null),
    ] {
        let mut changes = json!({"version": jane["version"]});
        changes[field] = value;
        assert_eq!(
            desktop.code_of("update_client", json!({"id": ids.jane, "changes": changes})),
            "client_data_masked",
            "changing {field}"
        );
    }
    // Sending the masked values back is no way round it either.
    assert_eq!(
        desktop.code_of(
            "update_client",
            json!({"id": ids.jane, "changes": {
                "version": jane["version"], "name": jane["name"], "email": jane["email"],
                "phone": jane["phone"], "country": "GB"
            }})
        ),
        "client_data_masked"
    );
    // The dialog import is refused before its dialog opens.
    assert_eq!(
        desktop.code_of("import_clients", json!({"dry_run": true})),
        "client_data_masked"
    );
    assert_eq!(desktop.ok("list_clients", json!({"query": {}})), before);

    // Nothing was changed underneath: the administrator still sees Jane.
    desktop.sign_in_as("ada@example.com", ADMIN_PASSWORD);
    let jane = desktop.ok("get_client", json!({"id": ids.jane}));
    assert_eq!(jane["name"], JANE.name);
    assert_eq!(jane["email"], JANE.email);
}

#[test]
fn an_unmasked_operator_sees_the_real_values() {
    let (desktop, ids) = Desktop::prepared();
    desktop.sign_in_as("pia@example.org", PLAIN_PASSWORD);

    let jane = desktop.ok("get_client", json!({"id": ids.jane}));
    assert_eq!(jane["name"], JANE.name);
    assert_eq!(jane["email"], JANE.email);
    assert_eq!(jane["phone"], JANE.phone);
    assert_eq!(jane["country"], JANE.country);
    assert_eq!(jane["masked"], false);

    let page = desktop.ok("list_clients", json!({"query": {"sort": "name"}}));
    let names: Vec<&str> = page["clients"]
        .as_array()
        .expect("clients")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, [JANE.name, KARL.name, "Lena Lindqvist"]);
    assert_eq!(page["total"], json!({"count": 3, "exact": true}));

    let csv = desktop.ok("export_clients_csv", json!({"query": {}}));
    let csv = csv.as_str().expect("CSV text");
    for value in [
        JANE.name,
        JANE.email,
        KARL.name,
        KARL.email,
        "Lena Lindqvist",
    ] {
        assert!(csv.contains(value), "{value:?} is in the export:\n{csv}");
    }
    let found = leaks(&json!(csv));
    assert!(found.len() > 5, "the real values are exported: {found:?}");
}

#[test]
fn client_commands_follow_the_permissions_and_versions() {
    let (desktop, ids) = Desktop::prepared();
    let jane = desktop.ok("get_client", json!({"id": ids.jane}));
    assert_eq!(
        desktop.code_of(
            "update_client",
            json!({"id": ids.jane, "changes": {"version": jane["version"].as_i64().unwrap() + 1, "country": "FR"}})
        ),
        "changed_by_someone_else"
    );
    assert_eq!(
        desktop.code_of("delete_client", json!({"id": ids.karl, "version": 999})),
        "changed_by_someone_else"
    );
    let karl = desktop.ok("get_client", json!({"id": ids.karl}));
    desktop.ok(
        "delete_client",
        json!({"id": ids.karl, "version": karl["version"]}),
    );
    let page = desktop.ok("list_clients", json!({"query": {}}));
    assert_eq!(page["total"]["count"], 2);

    // A dry run writes nothing and reports each bad line.
    let report = desktop.ok(
        "import_clients_csv",
        json!({"csv": "name,email,phone,country\nOk Person,,,\n,bad,,\n", "dry_run": true}),
    );
    assert_eq!(report["rows"], 2, "{report}");
    assert_eq!(
        report["errors"].as_array().map(Vec::len),
        Some(1),
        "{report}"
    );
    assert_eq!(report["errors"][0]["line"], 3, "{report}");
    assert_eq!(
        desktop.ok("list_clients", json!({"query": {}}))["total"]["count"],
        2
    );

    // Without the permission, the dialog commands are refused before any
    // dialog opens (on the mock runtime one would never be answered).
    let viewers = desktop.ok(
        "create_group",
        json!({"group": {"name": "Client viewers", "description": "", "permissions": ["clients.view"]}}),
    );
    let nobody = desktop.ok(
        "create_group",
        json!({"group": {"name": "User viewers", "description": "", "permissions": ["users.view"]}}),
    );
    for (name, email, group) in [
        ("Val Viewer", "val@example.org", &viewers),
        ("Uma Users", "uma@example.org", &nobody),
    ] {
        desktop.ok(
            "create_user",
            json!({"user": {
                "name": name, "email": email, "group_ids": [group["id"]],
                "supervisor_id": null, "status": "enabled", "password": PLAIN_PASSWORD,
                "must_change_password": false, "mask_client_data": false, "two_factor": "off"
            }}),
        );
    }
    desktop.sign_in_as("val@example.org", PLAIN_PASSWORD);
    assert_eq!(
        desktop.ok("list_clients", json!({"query": {}}))["total"]["count"],
        2
    );
    assert_eq!(
        desktop.code_of("import_clients", json!({"dry_run": true})),
        "permission_denied"
    );
    assert_eq!(
        desktop.code_of(
            "import_clients",
            json!({"dry_run": false, "use_last_file": true})
        ),
        "permission_denied"
    );
    desktop.sign_in_as("uma@example.org", PLAIN_PASSWORD);
    for command in ["list_clients", "export_clients", "export_clients_csv"] {
        assert_eq!(
            desktop.code_of(command, json!({"query": {}})),
            "permission_denied",
            "{command}"
        );
    }
    assert_eq!(
        desktop.code_of("import_clients", json!({"dry_run": true})),
        "permission_denied"
    );

    // Without a session, nothing.
    desktop.ok("sign_out", json!({}));
    assert_eq!(
        desktop.code_of("list_clients", json!({"query": {}})),
        "not_signed_in"
    );
    assert_eq!(
        desktop.code_of("import_clients", json!({"dry_run": true})),
        "not_signed_in"
    );
    assert_eq!(
        desktop.code_of("export_clients", json!({"query": {}})),
        "not_signed_in"
    );
}

/// The masked operator's search as the clients view sends it: only a whole
/// email, phone number, name or id finds a client (masked); any part of one
/// gets the same empty page as a wrong guess, and the list is in order of
/// creation whatever sort is asked.
#[test]
fn a_masked_operators_search_matches_whole_values_only() {
    let (desktop, ids) = Desktop::prepared();
    desktop.sign_in_as("mo@example.org", MASKED_PASSWORD);
    let search = |text: &str| {
        desktop.ok(
            "list_clients",
            json!({"query": {"search": text, "sort": "created", "direction": "desc", "limit": 50}}),
        )
    };
    let miss = search("nobody@nowhere.example");
    assert_eq!(miss["clients"], json!([]), "{miss}");
    for partial in [
        "jane",
        "Jane Smith",
        "jane.smithson@",
        "jane.smithson@harbourview",
        "harbourview.co.uk",
        "7946",
        "+44 20 7946 096",
        "20 7946 0961",
        "Lindqvist",
    ] {
        assert_eq!(search(partial), miss, "{partial}");
    }
    for whole in [
        JANE.email.to_uppercase(),
        JANE.phone.to_owned(),
        "+442079460961".to_owned(),
        "jane   SMITHSON".to_owned(),
        format!("#{}", ids.jane),
    ] {
        let found = search(&whole);
        let clients = found["clients"].as_array().expect("clients");
        assert_eq!(clients.len(), 1, "{whole}: {found}");
        assert_eq!(clients[0]["id"], ids.jane, "{whole}");
        assert_eq!(clients[0]["masked"], true);
        assert!(leaks(&found).is_empty(), "{whole}: {found}");
    }
    let by_name = desktop.ok("list_clients", json!({"query": {"sort": "name"}}));
    assert_eq!(by_name["sort"], "created", "{by_name}");
    let order: Vec<Value> = by_name["clients"]
        .as_array()
        .expect("clients")
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(order[0], ids.jane, "in order of creation: {by_name}");

    // The administrator still finds parts of values.
    desktop.sign_in_as("ada@example.com", ADMIN_PASSWORD);
    let found = desktop.ok("list_clients", json!({"query": {"search": "7946"}}));
    assert_eq!(found["clients"][0]["id"], ids.jane, "{found}");
}
