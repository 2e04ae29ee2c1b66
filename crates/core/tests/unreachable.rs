//! The PostgreSQL store's own promises: how it describes itself and tests a
//! connection, and what happens when the server cannot be reached: every
//! call says so plainly (`store_unreachable`), nothing is half-written, and
//! the store carries on by itself once the server is back.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use roster_core::directory::NewUser;
use roster_core::store::postgres::{PgConfig, PostgresStore};
use roster_core::store::{Store, StoreError, TxMode};
use roster_core::{Directory, Error};
use support::*;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// A TCP port on the loopback interface that nothing listens on.
async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    port
}

fn is_unreachable(error: &StoreError, server: &str) -> bool {
    matches!(error, StoreError::Unreachable { server: s } if s == server)
}

#[tokio::test]
async fn a_server_that_does_not_answer_is_unreachable() {
    let schema = TestSchema::new().await;
    let mut config = schema.config.clone();
    config.host = "127.0.0.1".into();
    config.port = closed_port().await;
    let server = format!("127.0.0.1:{}", config.port);

    let connected = PostgresStore::connect(config.clone()).await;
    match connected {
        Err(error) => assert!(is_unreachable(&error, &server), "{error:?}"),
        Ok(_) => panic!("connected to a closed port"),
    }
    let tested = PostgresStore::test_connection(&config).await;
    assert!(
        matches!(&tested, Err(error) if is_unreachable(error, &server)),
        "{tested:?}"
    );
    let error = Error::from(tested.unwrap_err());
    assert_eq!(error.code(), "store_unreachable");
    assert!(error.to_string().contains(&server), "{error}");
}

#[tokio::test]
async fn a_store_describes_itself_tests_connections_and_knows_when_it_is_empty() {
    let schema = TestSchema::new().await;
    let version = PostgresStore::test_connection(&schema.config)
        .await
        .expect("test connection");
    assert!(
        version.starts_with("PostgreSQL ")
            && version[11..].starts_with(|c: char| c.is_ascii_digit()),
        "{version}"
    );
    let store = schema.connect().await;
    let described = store.describe();
    assert_eq!(
        described,
        format!(
            "PostgreSQL database {} (schema {}) on {}",
            schema.config.database,
            schema.name(),
            schema.config.server()
        )
    );
    assert!(store.is_empty().await.unwrap());

    let directory = Directory::new(std::sync::Arc::new(store));
    directory
        .initialize(
            "Ada Admin",
            "ada@example.com",
            password(GOOD_PASSWORD),
            None,
        )
        .await
        .unwrap();
    // A second store on the same schema finds the migrations done.
    let again = schema.connect().await;
    assert!(!again.is_empty().await.unwrap());
}

#[tokio::test]
async fn a_wrong_database_name_is_reported_as_such() {
    let mut config = test_database();
    config.database = "roster_no_such_database".into();
    match PostgresStore::test_connection(&config).await {
        Err(StoreError::Open { reason }) => {
            assert!(reason.contains("roster_no_such_database"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

/// A TCP forwarder to the test database that can be stopped (dropping every
/// connection through it, as a network outage or a server restart does) and
/// started again on the same port.
struct Proxy {
    port: u16,
    target: SocketAddr,
    running: Option<JoinHandle<()>>,
}

impl Proxy {
    async fn start(target: &PgConfig) -> Proxy {
        let target = tokio::net::lookup_host((target.host.as_str(), target.port))
            .await
            .expect("resolve the test database")
            .next()
            .expect("an address for the test database");
        let mut proxy = Proxy {
            port: 0,
            target,
            running: None,
        };
        proxy.resume().await;
        proxy
    }

    async fn resume(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("bind the proxy");
        self.port = listener.local_addr().unwrap().port();
        let target = self.target;
        self.running = Some(tokio::spawn(async move {
            // Dropped with this task, the set aborts every forwarding.
            let mut connections = JoinSet::new();
            while let Ok((mut client, _)) = listener.accept().await {
                connections.spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        }));
    }

    async fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.abort();
            let _ = running.await;
        }
        // Let the aborted forwarders drop their sockets.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn new_user_named(name: &str) -> NewUser {
    new_user(name, &[roster_core::store::ADMINISTRATORS])
}

#[tokio::test]
async fn a_lost_server_fails_calls_plainly_writes_nothing_and_is_found_again() {
    let schema = TestSchema::new().await;
    let mut proxy = Proxy::start(&schema.config).await;
    let mut config = schema.config.clone();
    config.host = "127.0.0.1".into();
    config.port = proxy.port;
    let server = format!("127.0.0.1:{}", proxy.port);
    let store = PostgresStore::connect(config)
        .await
        .expect("connect through the proxy");
    let directory = Directory::new(std::sync::Arc::new(store));
    directory
        .initialize(
            "Ada Admin",
            "ada@example.com",
            password(GOOD_PASSWORD),
            None,
        )
        .await
        .unwrap();
    let admin = directory.act_as("ada@example.com").await.unwrap();
    directory
        .create_user(&admin, new_user_named("Before Outage"))
        .await
        .expect("a call while the server is there");

    // The server goes away between calls.
    proxy.stop().await;
    let refused = directory
        .create_user(&admin, new_user_named("During Outage"))
        .await;
    match &refused {
        Err(error @ Error::Store(StoreError::Unreachable { server: s })) => {
            assert_eq!(s, &server);
            assert_eq!(error.code(), "store_unreachable");
        }
        other => panic!("expected the store to be unreachable, got {other:?}"),
    }
    let listed = directory.me(&admin).await;
    assert!(
        matches!(&listed, Err(Error::Store(error)) if is_unreachable(error, &server)),
        "{listed:?}"
    );

    // Back: the next call works without reconnecting by hand.
    proxy.resume().await;
    directory
        .create_user(&admin, new_user_named("After Outage"))
        .await
        .expect("a call once the server is back");
    let refused = directory
        .user_by_email(&admin, "during.outage@example.com")
        .await;
    assert!(
        matches!(refused, Err(Error::UserNotFound { .. })),
        "{refused:?}"
    );

    // The server goes away in the middle of a transaction: its commit fails
    // and none of it is kept.
    let mut tx = directory.store().begin(TxMode::Write).await.unwrap();
    tx.set_setting("lockout.threshold", "3").await.unwrap();
    proxy.stop().await;
    let committed = tx.commit().await;
    assert!(
        matches!(&committed, Err(error) if is_unreachable(error, &server)),
        "{committed:?}"
    );
    proxy.resume().await;
    let settings = directory.settings(&admin).await.expect("back again");
    assert_ne!(settings.lockout_threshold, 3);
    let names: Vec<String> = directory
        .list_users(&admin, &Default::default())
        .await
        .unwrap()
        .users
        .into_iter()
        .map(|u| u.name.as_str().to_owned())
        .collect();
    assert_eq!(names, ["Ada Admin", "After Outage", "Before Outage"]);
    proxy.stop().await;
}

#[tokio::test]
async fn tls_require_encrypts_and_verify_full_checks_the_certificate() {
    use roster_core::store::postgres::TlsMode;
    let schema = TestSchema::new().await;
    let mut config = schema.config.clone();

    // The test server's certificate (if it has one) is not issued for its
    // address by a public authority: verify-full refuses it, and says why.
    config.tls = TlsMode::VerifyFull;
    match PostgresStore::connect(config.clone()).await {
        Err(StoreError::Open { reason }) => {
            assert!(reason.contains("sslmode=verify-full"), "{reason}")
        }
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("verify-full accepted the test server's certificate"),
    }

    config.tls = TlsMode::Require;
    match PostgresStore::connect(config).await {
        Ok(store) => {
            // Hold a session open and find it encrypted on the server.
            let _tx = store.begin(TxMode::Read).await.unwrap();
            let admin = admin_connection(&test_database()).await.unwrap();
            let encrypted: bool = admin
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
                     WHERE a.application_name = 'roster' AND s.ssl)",
                    &[],
                )
                .await
                .unwrap()
                .get(0);
            assert!(encrypted, "no encrypted Roster session on the server");
        }
        // A server without TLS: require refuses to go on unencrypted.
        Err(StoreError::Open { reason }) => {
            assert!(reason.contains("sslmode=require"), "{reason}")
        }
        Err(other) => panic!("{other:?}"),
    }
}
