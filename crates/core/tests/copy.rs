//! Moving a directory to another store: everything arrives with its ids,
//! the counts are checked, the source is only read, and a target that
//! already holds a directory is refused.

mod support;

use std::sync::Arc;

use roster_core::directory::NewUser;
use roster_core::domain::Permission;
use roster_core::password::PlainPassword;
use roster_core::store::copy::copy_directory;
use roster_core::store::sqlite::SqliteStore;
use roster_core::store::{Store, StoreError};
use roster_core::Directory;
use support::*;

/// A directory with a bit of everything: groups, a supervisor chain,
/// a disabled user, changed settings and their audit trail.
async fn populated(backend: Backend) -> World {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[Permission::UsersView]).await;
    let support_group = world.group("Support", &[]).await;
    // A name from before `;` was refused in group names is copied too.
    let legal = world.group("Legal", &[]).await;
    world
        .raw_sql(&format!(
            "UPDATE groups SET name = 'Legal; Compliance', \
             name_normalized = 'legal; compliance' WHERE id = {}",
            legal.id.0
        ))
        .await;
    let boss = world.user_in("Bea Boss", &[sales.id]).await;
    world
        .directory
        .create_user(
            &world.admin,
            NewUser {
                supervisor: Some(boss.id),
                ..new_user("Cal Clerk", &[sales.id, support_group.id])
            },
        )
        .await
        .unwrap();
    let gone = world.user_in("Dee Gone", &[support_group.id]).await;
    // In the recycle bin with an authenticator and a recovery code: the copy
    // carries them, the secret sealed the target's way.
    world
        .execute_raw(&format!(
            "INSERT INTO totp_enrolments (user_id, secret, confirmed, last_step, created_at) \
             VALUES ({id}, 'JBSWY3DPEHPK3PXP', TRUE, 3, 0); \
             INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES ({id}, 'code', NULL);",
            id = gone.id.0
        ))
        .await;
    world
        .directory
        .delete_user(&world.admin, gone.id, gone.version)
        .await
        .unwrap();
    world
        .directory
        .create_client(
            &world.admin,
            roster_core::clients::NewClient {
                name: "Cleo Client".into(),
                email: Some("cleo@example.com".into()),
                phone: Some("+44 20 7946 0958".into()),
                country: Some("GB".into()),
                account_manager: None,
            },
        )
        .await
        .unwrap();
    let gone_client = world
        .directory
        .create_client(
            &world.admin,
            roster_core::clients::NewClient {
                name: "Gil Gone".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    world
        .directory
        .delete_client(&world.admin, gone_client.id, gone_client.version)
        .await
        .unwrap();
    let mut settings = world.directory.settings(&world.admin).await.unwrap();
    settings.lockout_threshold = 7;
    world
        .directory
        .update_settings(&world.admin, &settings)
        .await
        .unwrap();
    world
}

/// An empty store of the other kind than `backend`: the local file is
/// copied up to a server, and a server's directory down to a file.
/// The place is held only so that it outlives the test (dropped, it goes).
enum Target {
    Sqlite(#[allow(dead_code)] tempfile::TempDir, Arc<dyn Store>),
    Postgres(#[allow(dead_code)] TestSchema, Arc<dyn Store>),
}

impl Target {
    async fn other_than(backend: Backend) -> Target {
        match backend {
            Backend::Sqlite => {
                let schema = TestSchema::new().await;
                let store: Arc<dyn Store> = Arc::new(schema.connect().await);
                Target::Postgres(schema, store)
            }
            Backend::Postgres => {
                let dir = tempfile::tempdir().unwrap();
                let store: Arc<dyn Store> =
                    Arc::new(SqliteStore::open(&dir.path().join("copy.sqlite3")).unwrap());
                Target::Sqlite(dir, store)
            }
        }
    }

    fn store(&self) -> Arc<dyn Store> {
        match self {
            Target::Sqlite(_, store) | Target::Postgres(_, store) => store.clone(),
        }
    }
}

every_store!(a_copy_holds_exactly_what_the_source_holds_and_leaves_the_source_alone);
async fn a_copy_holds_exactly_what_the_source_holds_and_leaves_the_source_alone(backend: Backend) {
    let world = populated(backend).await;
    let source = world.directory.store().clone();
    let before = source.export().await.unwrap();

    let place = Target::other_than(backend).await;
    let target = place.store();
    let counts = copy_directory(&*source, &*target).await.unwrap();
    assert_eq!(counts.users, 3);
    assert_eq!(counts.groups, 4);
    assert_eq!(counts.clients, 1);
    assert_eq!(
        counts.settings, 10,
        "every setting is saved when settings are saved"
    );
    assert!(counts.audit_events >= 6);

    assert_eq!(source.export().await.unwrap(), before, "source changed");
    assert_eq!(target.export().await.unwrap(), before, "target differs");

    // The copy is a working directory: its users sign in with their passwords,
    // and new ids do not reuse the deleted user's.
    let copied = Directory::new(target);
    let signed_in = copied
        .sign_in("cal.clerk@example.com", &PlainPassword::new(GOOD_PASSWORD))
        .await
        .unwrap();
    assert!(signed_in.operator().is_some());
    let admin = copied.act_as("ada@example.com").await.unwrap();
    let sales = copied.group_by_name(&admin, "Sales").await.unwrap();
    let newcomer = copied
        .create_user(&admin, new_user("Eve New", &[sales.id]))
        .await
        .unwrap()
        .user;
    let highest = before.users.iter().map(|u| u.id).max().unwrap();
    assert!(newcomer.id.0 > highest + 1, "id {} reused", newcomer.id.0);
    // The recycle bin came too: Dee is restored on the copy, enrolment and all.
    assert_eq!(counts.deleted_users, 1);
    let binned = copied.deleted_users(&admin, None, 50).await.unwrap();
    let dee = copied
        .restore_user(&admin, binned.users[0].id, Default::default())
        .await
        .unwrap();
    assert_eq!(dee.email.as_str(), "dee.gone@example.com");
    assert_eq!(dee.groups.len(), 1);
    let new_client = copied
        .create_client(
            &admin,
            roster_core::clients::NewClient {
                name: "Nia New".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        new_client.id.0 > before.last_client_id,
        "client id {} reused",
        new_client.id.0
    );
    let cleo = copied
        .list_clients(&admin, &roster_core::clients::ClientQuery::default())
        .await
        .unwrap()
        .clients
        .into_iter()
        .find(|c| c.name == "Cleo Client")
        .expect("the client was copied");
    assert_eq!(cleo.phone.as_deref(), Some("+44 20 7946 0958"));
    let cal = copied
        .user_by_email(&admin, "cal.clerk@example.com")
        .await
        .unwrap();
    assert_eq!(
        cal.supervisor.map(|s| s.email.as_str().to_owned()),
        Some("bea.boss@example.com".to_owned())
    );
}

every_store!(a_target_that_holds_a_directory_is_refused_and_unchanged);
async fn a_target_that_holds_a_directory_is_refused_and_unchanged(backend: Backend) {
    let world = populated(backend).await;
    let other = World::on(backend).await;
    let target = other.directory.store().clone();
    let before = target.export().await.unwrap();
    let refused = copy_directory(&**world.directory.store(), &*target).await;
    assert!(
        matches!(refused, Err(StoreError::NotEmpty { .. })),
        "{refused:?}"
    );
    assert_eq!(target.export().await.unwrap(), before);
}
