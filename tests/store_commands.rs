//! Where the directory is kept, through the desktop's commands: testing a
//! PostgreSQL server, switching to it at first run or later (only with
//! `settings.manage`), back to the local file, and what a failed switch
//! leaves (nothing). Runs against the real test server
//! (`ROSTER_TEST_DATABASE_URL`, else 127.0.0.1:5432), each test in a schema
//! of its own that is dropped afterwards.

#[path = "support/ipc.rs"]
mod ipc;

use std::sync::Arc;

use ipc::Desktop;

use roster_core::directory::{NewUser, PasswordChoice};
use roster_core::domain::{Permission, Status, TwoFactor};
use roster_core::password::PlainPassword;
use roster_core::secrets::Keychain;
use roster_core::store::postgres::PgConfig;
use roster_core::store::sqlite::SqliteStore;
use roster_core::Directory;
use roster_desktop::state::AppState;
use secrecy::SecretString;
use serde_json::{json, Value};
use tauri::Manager;

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

    // Back to the local file, whose directory is still there: only with a
    // sign-in to that directory, as someone who may change settings there.
    assert_eq!(
        desktop.code_of("use_local_store", json!({})),
        "local_sign_in_required"
    );
    assert_eq!(
        desktop.code_of(
            "use_local_store",
            json!({"email": "vic@example.com", "password": PASSWORD})
        ),
        "permission_denied"
    );
    assert!(
        desktop
            .choice_file()
            .unwrap_or_default()
            .contains("postgres"),
        "a refusal changed the choice"
    );
    // Ada set up her authenticator app at first run: a code is owed too.
    assert_eq!(
        desktop.code_of(
            "use_local_store",
            json!({"email": "ada@example.com", "password": PASSWORD})
        ),
        "code_required"
    );
    let status = desktop.ok(
        "use_local_store",
        json!({
            "email": "ada@example.com",
            "password": PASSWORD,
            "code": desktop.recovery_code("ada@example.com"),
        }),
    );
    assert_eq!(status["store"]["kind"], "local");
    assert_eq!(status["initialized"], true);
}

/// A data folder whose `store.json` names a server nobody listens on, and
/// whose local file holds an old directory (Ada administers it, Vic only
/// views users), opened as the app starts.
fn desktop_with_unreachable_server(local_directory: bool) -> Desktop {
    let dir = tempfile::tempdir().expect("temp dir");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if local_directory {
        runtime.block_on(old_local_directory(&dir.path().join("roster.sqlite3")));
    }
    std::fs::write(
        dir.path().join("store.json"),
        r#"{"kind":"postgres","host":"127.0.0.1","port":1,"database":"gone","user":"roster","tls":"disable"}"#,
    )
    .expect("store.json");
    let state = runtime.block_on(AppState::open_in(
        dir.path().to_path_buf(),
        Arc::new(Keychain::mock()),
    ));
    Desktop::with_state(state, dir)
}

async fn old_local_directory(path: &std::path::Path) {
    let directory = Directory::new(Arc::new(SqliteStore::open(path).expect("local store")));
    directory
        .initialize(
            "Ada Admin",
            "ada@example.com",
            PasswordChoice::Given(PlainPassword::new(PASSWORD)),
            Some(roster_core::domain::TwoFactor::Off),
        )
        .await
        .expect("initialize");
    let ada = directory
        .sign_in("ada@example.com", &PlainPassword::new(PASSWORD))
        .await
        .expect("sign in")
        .operator()
        .expect("no second factor");
    let viewers = directory
        .create_group(
            &ada,
            "Viewers",
            "",
            [Permission::UsersView].into_iter().collect(),
        )
        .await
        .expect("group");
    directory
        .create_user(
            &ada,
            NewUser {
                name: "Vic Viewer".into(),
                email: "vic@example.com".into(),
                groups: vec![viewers.id],
                supervisor: None,
                status: Status::Enabled,
                password: PasswordChoice::Given(PlainPassword::new(PASSWORD)),
                must_change_password: false,
                mask_client_data: false,
                two_factor: Some(TwoFactor::Off),
                valid_until: None,
            },
        )
        .await
        .expect("vic");
}

#[test]
fn with_the_server_out_of_reach_only_a_local_settings_manager_goes_back_to_the_local_file() {
    let desktop = desktop_with_unreachable_server(true);
    assert_eq!(
        desktop.code_of("app_status", json!({})),
        "store_unreachable"
    );
    assert_eq!(
        desktop.code_of("use_local_store", json!({})),
        "local_sign_in_required"
    );
    assert_eq!(
        desktop.code_of(
            "use_local_store",
            json!({"email": "ada@example.com", "password": "not-the-password"})
        ),
        "sign_in_failed"
    );
    assert_eq!(
        desktop.code_of(
            "use_local_store",
            json!({"email": "vic@example.com", "password": PASSWORD})
        ),
        "permission_denied"
    );
    let kept = desktop.choice_file().expect("store.json");
    assert!(
        kept.contains("postgres"),
        "a refusal changed the choice: {kept}"
    );

    let status = desktop.ok(
        "use_local_store",
        json!({"email": "ada@example.com", "password": PASSWORD}),
    );
    assert_eq!(status["store"]["kind"], "local");
    assert_eq!(status["session"], Value::Null);
    assert!(desktop
        .choice_file()
        .is_some_and(|saved| saved.contains("local")));
}

#[test]
fn with_the_server_out_of_reach_an_empty_local_file_is_a_first_run() {
    let desktop = desktop_with_unreachable_server(false);
    let status = desktop.ok("use_local_store", json!({}));
    assert_eq!(status["store"]["kind"], "local");
    assert_eq!(status["initialized"], false);
}

/// A stand-in PostgreSQL server on loopback that asks for the password in
/// clear text and reports what the client sent: `Some(password)`, or
/// `None` when the client gave up without one.
fn password_catcher() -> (u16, std::sync::mpsc::Receiver<Option<String>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("address").port();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let Ok((mut socket, _)) = listener.accept() else {
            return;
        };
        let _ = socket.set_read_timeout(Some(std::time::Duration::from_secs(10)));
        let mut length = [0u8; 4];
        if socket.read_exact(&mut length).is_err() {
            return;
        }
        let mut startup = vec![0u8; (u32::from_be_bytes(length) as usize).saturating_sub(4)];
        if socket.read_exact(&mut startup).is_err() {
            return;
        }
        // AuthenticationCleartextPassword.
        let _ = socket.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 3]);
        let mut kind = [0u8; 1];
        let sent = match socket.read_exact(&mut kind) {
            Ok(()) if kind[0] == b'p' => {
                let mut length = [0u8; 4];
                let _ = socket.read_exact(&mut length);
                let mut body = vec![0u8; (u32::from_be_bytes(length) as usize).saturating_sub(4)];
                let _ = socket.read_exact(&mut body);
                Some(
                    String::from_utf8_lossy(&body)
                        .trim_end_matches('\0')
                        .to_owned(),
                )
            }
            _ => None,
        };
        let _ = sender.send(sent);
    });
    (port, receiver)
}

/// Saves `password` in the app's keychain for the catcher on `port` with `tls`.
fn save_password(desktop: &Desktop, port: u16, tls: &str, password: &str) {
    let config = PgConfig::from_url(&format!(
        "postgres://roster@127.0.0.1:{port}/roster?sslmode={tls}"
    ))
    .expect("URL");
    let state = desktop.app.state::<AppState>();
    state
        .keychain()
        .set(
            &roster_core::secrets::server_entry(&config),
            &SecretString::from(password.to_owned()),
        )
        .expect("saved");
}

fn catcher_remote(port: u16, tls: &str) -> Value {
    json!({"remote": {
        "host": "127.0.0.1", "port": port, "database": "roster", "user": "roster", "tls": tls,
    }, "password": ""})
}

#[test]
fn a_plain_connection_test_never_sends_a_password_saved_for_tls() {
    let desktop = Desktop::new();
    let (port, sent) = password_catcher();
    save_password(&desktop, port, "require", "saved-for-tls");
    desktop.refused("test_store_connection", catcher_remote(port, "disable"));
    let received = sent
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the catcher reports");
    assert_eq!(received, None, "a password saved for TLS went out in clear");

    // The catcher does see a password saved for the plain connection itself.
    let (port, sent) = password_catcher();
    save_password(&desktop, port, "disable", "saved-for-plain");
    desktop.refused("test_store_connection", catcher_remote(port, "disable"));
    let received = sent
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the catcher reports");
    assert_eq!(received.as_deref(), Some("saved-for-plain"));
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
