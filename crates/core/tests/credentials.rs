//! Credentials are a right of their own: "must change password" and the
//! second factor need `users.credentials`, nobody lowers their own sign-in
//! security with an edit, a user's whole record needs `users.view`, and
//! secrets at rest (recovery codes, deleted hashes) give an attacker with
//! the store's file as little as possible.

mod support;

use chrono::Utc;
use roster_core::directory::{NewUser, SignIn, UserChanges};
use roster_core::domain::{Permission, TwoFactor};
use roster_core::password::PlainPassword;
use roster_core::two_factor::current_code;
use roster_core::{Directory, Error, Operator};
use support::*;

fn now() -> u64 {
    u64::try_from(Utc::now().timestamp()).expect("after 1970")
}

/// Creates a TOTP user, enrols their authenticator, and returns their
/// operator, secret and recovery codes.
async fn enrolled(
    world: &World,
    name: &str,
    groups: &[roster_core::domain::GroupId],
) -> (Operator, String, Vec<String>) {
    let user = world
        .directory
        .create_user(
            &world.admin,
            NewUser {
                two_factor: Some(TwoFactor::Totp),
                ..new_user(name, groups)
            },
        )
        .await
        .expect("create")
        .user;
    let pending = match world
        .directory
        .sign_in(user.email.as_str(), &PlainPassword::new(GOOD_PASSWORD))
        .await
        .expect("sign in")
    {
        SignIn::TotpEnrolment(pending) => pending,
        other => panic!("expected an enrolment, got {other:?}"),
    };
    let enrolment = world
        .directory
        .begin_totp_enrolment(&pending)
        .await
        .expect("begin");
    let code = current_code(&enrolment.secret, now()).expect("code");
    let (operator, recovery) = world
        .directory
        .finish_totp_enrolment(&pending, &code)
        .await
        .expect("finish");
    (operator, enrolment.secret, recovery)
}

every_store!(users_edit_alone_cannot_touch_credentials);
async fn users_edit_alone_cannot_touch_credentials(backend: Backend) {
    let world = World::on(backend).await;
    let (_, editor) = world
        .operator_with(
            "Eve Editor",
            &[Permission::UsersView, Permission::UsersEdit],
        )
        .await;
    let plain = world.group("Plain", &[]).await;
    let ann = world
        .directory
        .create_user(
            &world.admin,
            NewUser {
                two_factor: Some(TwoFactor::Totp),
                must_change_password: true,
                ..new_user("Ann Lee", &[plain.id])
            },
        )
        .await
        .expect("create Ann")
        .user;
    let before = world.snapshot().await;
    for changes in [
        UserChanges {
            two_factor: Some(TwoFactor::Off),
            ..UserChanges::default()
        },
        UserChanges {
            must_change_password: Some(false),
            ..UserChanges::default()
        },
    ] {
        let refused = world
            .directory
            .update_user(
                &editor,
                ann.id,
                UserChanges {
                    version: ann.version,
                    ..changes
                },
            )
            .await;
        assert!(
            matches!(
                refused,
                Err(Error::PermissionDenied {
                    permission: Permission::UsersCredentials
                })
            ),
            "{refused:?}"
        );
    }
    assert_eq!(
        world.snapshot().await,
        before,
        "a refusal changed something"
    );
    // Sending the values unchanged (as the form does) is an ordinary edit.
    let renamed = world
        .directory
        .update_user(
            &editor,
            ann.id,
            UserChanges {
                version: ann.version,
                name: Some("Ann Lee-Smith".into()),
                two_factor: Some(TwoFactor::Totp),
                must_change_password: Some(true),
                ..UserChanges::default()
            },
        )
        .await
        .expect("an edit that leaves the credentials alone");
    assert_eq!(renamed.name.as_str(), "Ann Lee-Smith");
}

every_store!(nobody_lowers_their_own_sign_in_security_with_an_edit);
async fn nobody_lowers_their_own_sign_in_security_with_an_edit(backend: Backend) {
    let world = World::on(backend).await;
    let (bea, bea_op) = world.second_admin("Bea Admin").await;
    // Bea holds every right, credentials included.
    let flagged = world
        .directory
        .update_user(
            &world.admin,
            bea.id,
            UserChanges {
                version: bea.version,
                must_change_password: Some(true),
                two_factor: Some(TwoFactor::Totp),
                ..UserChanges::default()
            },
        )
        .await
        .expect("the other administrator raises Bea's security");
    for changes in [
        UserChanges {
            must_change_password: Some(false),
            ..UserChanges::default()
        },
        UserChanges {
            two_factor: Some(TwoFactor::Off),
            ..UserChanges::default()
        },
    ] {
        let refused = world
            .directory
            .update_user(
                &bea_op,
                bea.id,
                UserChanges {
                    version: flagged.version,
                    ..changes
                },
            )
            .await;
        assert!(
            matches!(refused, Err(Error::CannotLowerOwnSecurity)),
            "{refused:?}"
        );
    }
    let still = world.reload(&bea).await;
    assert!(still.must_change_password);
    assert_eq!(still.two_factor, TwoFactor::Totp);
    // Another administrator with the right may clear them.
    world
        .directory
        .update_user(
            &world.admin,
            bea.id,
            UserChanges {
                version: still.version,
                must_change_password: Some(false),
                two_factor: Some(TwoFactor::Off),
                ..UserChanges::default()
            },
        )
        .await
        .expect("another administrator lowers it");
}

every_store!(turning_off_ones_own_second_factor_takes_the_password_and_a_code);
async fn turning_off_ones_own_second_factor_takes_the_password_and_a_code(backend: Backend) {
    let world = World::on(backend).await;
    let plain = world.group("Plain", &[]).await;
    let (ann, _, recovery) = enrolled(&world, "Ann Lee", &[plain.id]).await;

    let wrong_password = world
        .directory
        .turn_off_own_two_factor(&ann, &PlainPassword::new("not-her-password"), "123456")
        .await;
    assert!(
        matches!(wrong_password, Err(Error::SignInFailed)),
        "{wrong_password:?}"
    );
    let wrong_code = world
        .directory
        .turn_off_own_two_factor(
            &ann,
            &PlainPassword::new(GOOD_PASSWORD),
            "ABCD-EFGH-JKLM-NPQR",
        )
        .await;
    assert!(
        matches!(wrong_code, Err(Error::SecondFactorFailed)),
        "{wrong_code:?}"
    );
    let me = world.directory.me(&ann).await.expect("me");
    assert_eq!(me.user.two_factor, TwoFactor::Totp);
    assert_eq!(me.user.failed_sign_ins, 2, "both wrong factors count");

    // The app's current code was just used to enrol (each step counts
    // once), so a recovery code confirms here.
    let off = world
        .directory
        .turn_off_own_two_factor(&ann, &PlainPassword::new(GOOD_PASSWORD), &recovery[0])
        .await
        .expect("turn off");
    assert_eq!(off.user.two_factor, TwoFactor::Off);
    let signed_in = world
        .directory
        .sign_in(off.user.email.as_str(), &PlainPassword::new(GOOD_PASSWORD))
        .await
        .expect("sign in");
    assert!(matches!(signed_in, SignIn::Complete(_)), "{signed_in:?}");
    let actions: Vec<String> = world
        .audit(Some(off.user.email.as_str()))
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"user.turn_off_own_two_factor".to_owned()));
}

every_store!(a_users_whole_record_needs_users_view);
async fn a_users_whole_record_needs_users_view(backend: Backend) {
    let world = World::on(backend).await;
    let plain = world.group("Plain", &[]).await;
    let ann = world.user_in("Ann Lee", &[plain.id]).await;
    let (_, unlocker) = world
        .operator_with("Una Unlocker", &[Permission::UsersCredentials])
        .await;
    let refused = world
        .directory
        .user_by_email(&unlocker, ann.email.as_str())
        .await;
    assert!(
        matches!(
            refused,
            Err(Error::PermissionDenied {
                permission: Permission::UsersView
            })
        ),
        "{refused:?}"
    );
    // Naming Ann for an action gives her id and version, not her record.
    let handle = world
        .directory
        .user_handle(&unlocker, ann.email.as_str())
        .await
        .expect("handle");
    assert_eq!((handle.id, handle.version), (ann.id, ann.version));
    let json = serde_json::to_value(&handle).expect("json");
    let keys: Vec<&str> = json
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 4, "{keys:?}");
}

every_store!(recovery_codes_carry_80_bits_and_are_stored_salted);
async fn recovery_codes_carry_80_bits_and_are_stored_salted(backend: Backend) {
    let world = World::on(backend).await;
    let plain = world.group("Plain", &[]).await;
    let (ann, _, recovery) = enrolled(&world, "Ann Lee", &[plain.id]).await;
    for code in &recovery {
        let letters: String = code.chars().filter(|c| *c != '-').collect();
        assert_eq!(letters.len(), 16, "{code}");
    }
    let id = world.directory.me(&ann).await.expect("me").user.id;
    let mut tx = world
        .directory
        .store()
        .begin(roster_core::store::TxMode::Read)
        .await
        .expect("tx");
    let stored = tx.unused_recovery_codes(id).await.expect("codes");
    drop(tx);
    assert_eq!(stored.len(), 10);
    assert!(
        stored.iter().all(|h| h.starts_with("$argon2id$")),
        "{stored:?}"
    );
    // A recovery code finishes a sign-in once.
    let pending = match world
        .directory
        .sign_in("ann.lee@example.com", &PlainPassword::new(GOOD_PASSWORD))
        .await
        .expect("sign in")
    {
        SignIn::SecondFactor(pending) => pending,
        other => panic!("{other:?}"),
    };
    world
        .directory
        .verify_second_factor(&pending, &recovery[7].to_lowercase())
        .await
        .expect("recovery code");
    let mut tx = world
        .directory
        .store()
        .begin(roster_core::store::TxMode::Read)
        .await
        .expect("tx");
    assert_eq!(tx.unused_recovery_codes(id).await.expect("codes").len(), 9);
}

/// Scans a file for a byte string.
fn file_contains(path: &std::path::Path, needle: &[u8]) -> bool {
    std::fs::read(path)
        .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
        .unwrap_or(false)
}

#[tokio::test]
async fn a_purged_users_hash_is_not_left_in_the_sqlite_file() {
    let world = World::on(Backend::Sqlite).await;
    let plain = world.group("Plain", &[]).await;
    let ann = world.user_in("Ann Lee", &[plain.id]).await;
    let hash = {
        let mut tx = world
            .directory
            .store()
            .begin(roster_core::store::TxMode::Read)
            .await
            .expect("tx");
        tx.password_hash(ann.id)
            .await
            .expect("hash")
            .expect("Ann has a hash")
            .as_str()
            .to_owned()
    };
    let file = world.sqlite_file().expect("a SQLite world").to_owned();
    world
        .directory
        .delete_user(&world.admin, ann.id, ann.version)
        .await
        .expect("delete");
    // The recycle bin keeps the account, hash included, until it is
    // deleted permanently (or its days are up).
    world
        .directory
        .purge_deleted_user(&world.admin, ann.id)
        .await
        .expect("delete permanently");
    // Closing the store checkpoints the write-ahead log into the file.
    let World { directory, .. } = world;
    drop::<Directory>(directory);
    let wal = file.with_extension("sqlite3-wal");
    for path in [&file, &wal] {
        assert!(
            !file_contains(path, hash.as_bytes()),
            "the deleted user's hash is still readable in {}",
            path.display()
        );
    }
}

/// Reads a user's stored authenticator secret straight from the file.
fn stored_secret(file: &std::path::Path, user_id: i64) -> String {
    let connection = rusqlite::Connection::open(file).expect("open");
    connection
        .query_row(
            "SELECT secret FROM totp_enrolments WHERE user_id = ?1",
            [user_id],
            |row| row.get(0),
        )
        .expect("stored secret")
}

#[tokio::test]
async fn a_local_stores_authenticator_secrets_are_sealed_with_a_keychain_key() {
    use roster_core::secrets::Keychain;
    use roster_core::store::sqlite::SqliteStore;
    use roster_core::store::Store;
    use std::sync::Arc;

    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("roster.sqlite3");
    let keychain: Arc<Keychain> = Arc::new(Keychain::mock());
    let sealed_store = || {
        Arc::new(
            SqliteStore::open(&file)
                .expect("open")
                .with_sealing(keychain.clone()),
        )
    };
    let directory = Directory::new(sealed_store());
    directory
        .initialize(
            "Ada Admin",
            "ada@example.com",
            password(GOOD_PASSWORD),
            None,
        )
        .await
        .expect("initialize");
    let admin = directory.act_as("ada@example.com").await.expect("admin");
    let plain = directory
        .create_group(&admin, "Plain", "", Default::default())
        .await
        .expect("group");
    let ann = directory
        .create_user(
            &admin,
            NewUser {
                two_factor: Some(TwoFactor::Totp),
                ..new_user("Ann Lee", &[plain.id])
            },
        )
        .await
        .expect("create")
        .user;
    let pending = match directory
        .sign_in("ann.lee@example.com", &PlainPassword::new(GOOD_PASSWORD))
        .await
        .expect("sign in")
    {
        SignIn::TotpEnrolment(pending) => pending,
        other => panic!("{other:?}"),
    };
    let enrolment = directory
        .begin_totp_enrolment(&pending)
        .await
        .expect("begin");
    let at_rest = stored_secret(&file, ann.id.0);
    assert!(at_rest.starts_with("sealed:v1:"), "{at_rest}");
    assert!(!at_rest.contains(&enrolment.secret));
    let code = current_code(&enrolment.secret, now()).expect("code");
    directory
        .finish_totp_enrolment(&pending, &code)
        .await
        .expect("the sealed secret opens again");

    // The same file opened without the keychain cannot check Ann's codes,
    // and says why instead of refusing every code as wrong.
    drop(directory);
    let bare = Directory::new(Arc::new(SqliteStore::open(&file).expect("open")));
    let refused = bare
        .sign_in("ann.lee@example.com", &PlainPassword::new(GOOD_PASSWORD))
        .await;
    assert!(
        matches!(
            refused,
            Err(Error::Store(roster_core::store::StoreError::Sealing { .. }))
        ),
        "{refused:?}"
    );

    // A copy holds the secret itself (its target seals its own way).
    drop(bare);
    let snapshot = sealed_store().export().await.expect("export");
    assert_eq!(snapshot.totp.len(), 1);
    assert_eq!(snapshot.totp[0].secret, enrolment.secret);
    assert!(snapshot.settings.iter().all(|(key, _)| key != "store_id"));
}
