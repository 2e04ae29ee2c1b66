//! Where the directory is kept, through the desktop's commands: testing a
//! PostgreSQL server, switching to it at first run or later (only with
//! `settings.manage`), back to the local file, and what a failed switch
//! leaves (nothing). Runs against the real test server
//! (`ROSTER_TEST_DATABASE_URL`, else 127.0.0.1:5432), each test in a schema
//! of its own that is dropped afterwards.

#[path = "support/ipc.rs"]
mod ipc;

use ipc::Desktop;

use roster_core::store::postgres::PgConfig;
use serde_json::{json, Value};

const PASSWORD: &str = "violet-harbour-lantern-42";

fn database_url() -> String {
    std::env::var("ROSTER_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A schema of the test database, dropped when the test ends.
struct Schema {
    name: String,
}

impl Schema {
    fn new() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        Self {
            name: format!("roster_d_{}_{nanos}", std::process::id()),
        }
    }

    /// The server's address as the UI sends it, pointed at this schema.
    fn remote(&self) -> Value {
        let config = PgConfig::from_url(&database_url()).expect("test database URL");
        json!({
            "host": config.host,
            "port": config.port,
            "database": config.database,
            "user": config.user,
            "tls": config.tls.as_str(),
            "schema": self.name,
        })
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let name = self.name.clone();
        // A runtime of its own: the test's may be gone or busy.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let (client, connection) =
                    tokio_postgres::connect(&database_url(), tokio_postgres::NoTls)
                        .await
                        .expect("connect to drop the test schema");
                tokio::spawn(connection);
                client
                    .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"))
                    .await
                    .expect("drop the test schema");
            });
        })
        .join();
    }
}

impl Desktop {
    fn initialize(&self, email: &str) {
        self.first_run("Ada Admin", email, PASSWORD);
    }

    fn choice_file(&self) -> Option<String> {
        std::fs::read_to_string(self.dir.path().join("store.json")).ok()
    }
}

#[test]
fn at_first_run_the_directory_can_be_created_on_the_server() {
    let schema = Schema::new();
    let desktop = Desktop::new();
    let server = desktop.ok(
        "test_store_connection",
        json!({"remote": schema.remote(), "password": ""}),
    );
    assert!(
        server["server"]
            .as_str()
            .unwrap_or_default()
            .starts_with("PostgreSQL"),
        "{server}"
    );

    let status = desktop.ok(
        "connect_store",
        json!({"remote": schema.remote(), "password": ""}),
    );
    assert_eq!(status["store"]["kind"], "postgres");
    assert_eq!(status["initialized"], false);
    assert!(status["store"]["remote"].get("password").is_none());
    let saved = desktop.choice_file().expect("the choice is saved");
    assert!(saved.contains("postgres"), "{saved}");

    desktop.initialize("ada@example.com");
    let status = desktop.ok("app_status", json!({}));
    assert_eq!(status["initialized"], true);
    assert_eq!(status["session"]["user"]["email"], "ada@example.com");
    assert!(
        status["store"]["description"]
            .as_str()
            .unwrap_or_default()
            .contains("PostgreSQL"),
        "{status}"
    );

    // A second computer connecting to the same directory must sign in.
    let other = Desktop::new();
    let joined = other.ok(
        "connect_store",
        json!({"remote": schema.remote(), "password": ""}),
    );
    assert_eq!(joined["initialized"], true);
    assert_eq!(joined["session"], Value::Null);
    let signed_in = other.sign_in_with_code(
        "ada@example.com",
        PASSWORD,
        &desktop.recovery_code("ada@example.com"),
    );
    assert_eq!(signed_in["stage"], "signed_in");
}

#[test]
fn later_only_settings_managers_switch_stores() {
    let schema = Schema::new();
    let desktop = Desktop::new();
    desktop.initialize("ada@example.com");
    let remote = json!({"remote": schema.remote(), "password": ""});

    desktop.ok("sign_out", json!({}));
    for command in [
        "test_store_connection",
        "connect_store",
        "copy_store_to_remote",
    ] {
        assert_eq!(desktop.code_of(command, remote.clone()), "not_signed_in");
    }
    assert_eq!(
        desktop.code_of("use_local_store", json!({})),
        "not_signed_in"
    );

    // A user without settings.manage is refused.
    desktop.sign_in("ada@example.com", PASSWORD);
    let group = desktop.ok(
        "create_group",
        json!({"group": {"name": "Viewers", "description": "", "permissions": ["users.view"]}}),
    );
    desktop.ok(
        "create_user",
        json!({"user": {
            "name": "Vic Viewer", "email": "vic@example.com", "group_ids": [group["id"]],
            "supervisor_id": null, "status": "enabled", "password": PASSWORD,
            "must_change_password": false, "mask_client_data": false, "two_factor": "off"
        }}),
    );
    desktop.ok("sign_out", json!({}));
    desktop.ok(
        "sign_in",
        json!({"email": "vic@example.com", "password": PASSWORD}),
    );
    for command in ["test_store_connection", "connect_store"] {
        assert_eq!(
            desktop.code_of(command, remote.clone()),
            "permission_denied"
        );
    }
    assert_eq!(
        desktop.code_of("use_local_store", json!({})),
        "permission_denied"
    );
    assert!(desktop.choice_file().is_none(), "a refusal saved a choice");

    // The administrator may, and the switch ends the session.
    desktop.ok("sign_out", json!({}));
    desktop.sign_in("ada@example.com", PASSWORD);
    let status = desktop.ok("connect_store", remote);
    assert_eq!(status["store"]["kind"], "postgres");
    assert_eq!(status["initialized"], false);
    assert_eq!(status["session"], Value::Null);

    // Back to the local file, whose directory is still there.
    let status = desktop.ok("use_local_store", json!({}));
    assert_eq!(status["store"]["kind"], "local");
    assert_eq!(status["initialized"], true);
}

#[test]
fn an_unreachable_server_changes_nothing() {
    let desktop = Desktop::new();
    let mut remote = Schema::new().remote();
    remote["host"] = json!("127.0.0.1");
    remote["port"] = json!(1);
    let code = desktop.code_of(
        "connect_store",
        json!({"remote": remote, "password": "secret"}),
    );
    assert_eq!(code, "store_unreachable");
    assert!(desktop.choice_file().is_none());
    let status = desktop.ok("app_status", json!({}));
    assert_eq!(status["store"]["kind"], "local");

    let mut incomplete = remote.clone();
    incomplete["host"] = json!(" ");
    assert_eq!(
        desktop.code_of(
            "test_store_connection",
            json!({"remote": incomplete, "password": ""})
        ),
        "invalid_store"
    );
}

#[test]
fn the_local_directory_is_copied_up_and_then_used_from_the_server() {
    let schema = Schema::new();
    let desktop = Desktop::new();
    desktop.initialize("ada@example.com");
    let group = desktop.ok(
        "create_group",
        json!({"group": {"name": "Sales", "description": "", "permissions": ["users.view"]}}),
    );
    desktop.ok(
        "create_user",
        json!({"user": {
            "name": "Sam Seller", "email": "sam@example.com", "group_ids": [group["id"]],
            "supervisor_id": null, "status": "enabled", "password": PASSWORD,
            "must_change_password": false, "mask_client_data": false, "two_factor": "off"
        }}),
    );
    let local_users = desktop.ok("list_users", json!({"query": {}}));
    let remote = json!({"remote": schema.remote(), "password": ""});

    let counts = desktop.ok("copy_store_to_remote", remote.clone());
    assert_eq!(counts["users"], 2);
    assert_eq!(counts["groups"], 2);
    assert!(
        counts["audit_events"].as_u64().unwrap_or_default() >= 3,
        "{counts}"
    );
    // The copy changed nothing here, and this computer still uses its file.
    assert_eq!(desktop.ok("list_users", json!({"query": {}})), local_users);
    assert_eq!(
        desktop.ok("app_status", json!({}))["store"]["kind"],
        "local"
    );
    // A second copy finds the server's directory no longer empty.
    assert_eq!(
        desktop.code_of("copy_store_to_remote", remote.clone()),
        "store_not_empty"
    );

    // Switching to the server: the same people sign in there.
    desktop.ok("connect_store", remote);
    desktop.ok(
        "sign_in",
        json!({"email": "sam@example.com", "password": PASSWORD}),
    );
    let me = desktop.ok("me", json!({}));
    assert_eq!(me["user"]["email"], "sam@example.com");
}
