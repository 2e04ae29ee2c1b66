//! The app on a PostgreSQL server: the first-run wizard's Remote choice
//! creates the directory there, the app works on it, and a second computer
//! connecting to the same server signs in to the same directory.

use crate::steps::ADMIN;
use crate::Session;

/// A database of its own on the test server, dropped afterwards.
struct Database {
    name: String,
    host: String,
    port: u16,
    user: String,
}

fn admin_url() -> String {
    std::env::var("ROSTER_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

fn run_sql(sql: String) {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let (client, connection) = tokio_postgres::connect(&admin_url(), tokio_postgres::NoTls)
                .await
                .expect("the test database server must be reachable");
            tokio::spawn(connection);
            client
                .batch_execute(&sql)
                .await
                .expect("SQL on the test server");
        });
    })
    .join()
    .expect("SQL thread");
}

impl Database {
    fn create() -> Self {
        let config =
            roster_core::store::postgres::PgConfig::from_url(&admin_url()).expect("test URL");
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let name = format!("roster_e2e_{}_{nanos}", std::process::id());
        run_sql(format!("CREATE DATABASE \"{name}\""));
        Self {
            name,
            host: config.host,
            port: config.port,
            user: config.user,
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        run_sql(format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.name
        ));
    }
}

/// On the first-run screen: Remote, the server's address, Test connection, Connect.
fn connect(s: &Session, database: &Database) {
    s.wait_for_heading("Set up Roster");
    s.check("Remote — PostgreSQL server");
    s.fill("Host", &database.host);
    s.fill("Port", &database.port.to_string());
    s.fill("Database", &database.name);
    s.fill("User", &database.user);
    s.select("Encryption (TLS)", "Off — trusted network only");
    s.click_button("Test connection");
    s.wait_for_text("Connected: PostgreSQL");
    s.screenshot("remote-store-first-run");
    s.click_button("Connect");
}

#[test]
fn the_directory_lives_on_the_server_and_a_second_computer_shares_it() {
    let database = Database::create();
    let first = Session::start_with_env(&[("ROSTER_KEYCHAIN", "mock")]);
    connect(&first, &database);
    first.wait_for_text("The directory will be created on");
    first.fill("Name", ADMIN.name);
    first.fill("Email", ADMIN.email);
    first.fill("Password", ADMIN.password);
    first.fill("Confirm password", ADMIN.password);
    first.wait_for_text("This password meets the policy.");
    first.click_button("Create administrator");
    let mut admin = first.enrol_authenticator();
    first.wait_for_heading("Users");
    first.wait_for_row(ADMIN.name);
    first.screenshot("remote-store-users");

    // The choice survives a restart of the app: it opens on the server.
    let saved = std::fs::read_to_string(first.data_dir().join("store.json"))
        .expect("the store choice is saved");
    assert!(saved.contains(&database.name), "{saved}");
    assert!(!saved.contains("password"), "{saved}");

    // A second computer: connecting finds the directory and asks to sign in.
    let second = Session::start_with_env(&[("ROSTER_KEYCHAIN", "mock")]);
    connect(&second, &database);
    second.wait_for_heading("Sign in to Roster");
    second.wait_for_text("Sign in with your account on that server.");
    second.sign_in_with_second_factor(ADMIN.email, ADMIN.password, &mut admin);
    second.wait_for_heading("Users");
    second.wait_for_row(ADMIN.name);
}
