//! Backups of a local store and their restore: a backup is the state of one
//! moment, lists and checks itself without a restore, is encrypted with a
//! passphrase when one is set, is pruned by the retention; a restore puts
//! the state back, keeps a backup of the state it replaced and is audited;
//! a damaged, truncated, foreign, newer or wrongly-opened backup is refused
//! with the store untouched; a folder that cannot be written says so.

mod support;

use std::path::{Path, PathBuf};

use roster_core::backup::{BackupError, Backups, Reason, Retention};
use roster_core::domain::Permission;
use roster_core::error::Error;
use secrecy::SecretString;
use support::*;

fn folder_of(world: &World) -> PathBuf {
    world
        .sqlite_file()
        .expect("a SQLite world")
        .parent()
        .expect("a folder")
        .join("backups")
}

fn plain(world: &World) -> Backups {
    Backups::new(folder_of(world), Retention::default(), None)
}

fn encrypted(world: &World, passphrase: &str) -> Backups {
    Backups::new(
        folder_of(world),
        Retention::default(),
        Some(SecretString::from(passphrase.to_owned())),
    )
}

fn backup_error(error: Error) -> BackupError {
    match error {
        Error::Backup(error) => error,
        other => panic!("a backup error expected, got {other:?}"),
    }
}

fn user_names(snapshot: &Snapshot) -> Vec<String> {
    let mut names: Vec<String> = snapshot
        .users
        .iter()
        .map(|user| user.name.as_str().to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_restore_puts_back_the_state_of_the_backup_and_keeps_the_state_it_replaced() {
    let world = World::new().await;
    let sales = world.group("Sales", &[Permission::UsersView]).await;
    world.user_in("Ann Lee", &[sales.id]).await;
    let backups = plain(&world);
    let backup = world
        .directory
        .back_up(&world.admin, &backups)
        .await
        .expect("back up");
    assert_eq!(backup.manifest.users, 2);
    assert_eq!(backup.manifest.groups, 2);
    assert!(!backup.manifest.encrypted);
    assert_eq!(backup.manifest.reason, Reason::Manual);
    let before = world.snapshot().await;

    world.user_in("Bob Later", &[sales.id]).await;
    assert_eq!(world.snapshot().await.users.len(), 3);

    let restored = world
        .directory
        .restore_backup(&world.admin, &backups, &backup.name)
        .await
        .expect("restore");
    let after = world.snapshot().await;
    assert_eq!(user_names(&after), user_names(&before));
    assert_eq!(restored.replaced.manifest.users, 3);
    assert_eq!(restored.replaced.manifest.reason, Reason::BeforeRestore);
    assert!(restored.replaced.path.is_file());
    // The restore is audited in the restored log, and the chain holds.
    let newest = &world.audit(None).await[0];
    assert_eq!(newest.action, "settings.restore");
    let verification = world
        .directory
        .verify_audit(&world.admin, None)
        .await
        .expect("verify");
    assert!(verification.intact, "{}", verification.message);
    // The replaced state can itself be restored.
    world
        .directory
        .restore_backup(&world.admin, &backups, &restored.replaced.name)
        .await
        .expect("restore the replaced state");
    assert_eq!(world.snapshot().await.users.len(), 3);
}

#[tokio::test]
async fn a_backup_lists_and_verifies_without_a_restore() {
    let world = World::new().await;
    let backups = plain(&world);
    let first = world
        .directory
        .back_up(&world.admin, &backups)
        .await
        .unwrap();
    let listed = world
        .directory
        .list_backups(&world.admin, &backups)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, first.name);
    assert!(listed[0].size > 0);
    let (_, summary) = world
        .directory
        .verify_backup(&world.admin, &backups, &first.name)
        .await
        .expect("verify");
    assert_eq!(summary.users, 1);
    assert!(summary.last_event.is_some());
}

#[tokio::test]
async fn an_encrypted_backup_needs_its_passphrase() {
    let world = World::new().await;
    let backups = encrypted(&world, "correct horse battery staple");
    let backup = world
        .directory
        .back_up(&world.admin, &backups)
        .await
        .unwrap();
    assert!(backup.manifest.encrypted);
    let bytes = std::fs::read(&backup.path).unwrap();
    assert!(
        !bytes
            .windows(b"SQLite format 3".len())
            .any(|w| w == b"SQLite format 3"),
        "the copy is encrypted"
    );
    assert!(!bytes
        .windows(b"ada@example.com".len())
        .any(|w| w == b"ada@example.com"));

    let staff = world.group("Staff", &[]).await;
    world.user_in("Cal Later", &[staff.id]).await;
    let before = world.snapshot().await;
    let wrong = encrypted(&world, "not the passphrase at all");
    let error = world
        .directory
        .restore_backup(&world.admin, &wrong, &backup.name)
        .await
        .unwrap_err();
    assert!(matches!(backup_error(error), BackupError::WrongPassphrase));
    let none = plain(&world);
    let error = world
        .directory
        .restore_backup(&world.admin, &none, &backup.name)
        .await
        .unwrap_err();
    assert!(matches!(backup_error(error), BackupError::PassphraseNeeded));
    assert_eq!(world.snapshot().await, before);

    world
        .directory
        .restore_backup(&world.admin, &backups, &backup.name)
        .await
        .expect("the right passphrase restores");
    assert_eq!(world.snapshot().await.users.len(), 1);
}

/// Writes a changed copy of `backup` beside it and returns its name.
fn tampered(backup: &Path, name: &str, change: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut bytes = std::fs::read(backup).unwrap();
    change(&mut bytes);
    let path = backup.with_file_name(name);
    std::fs::write(&path, bytes).unwrap();
    name.to_owned()
}

#[tokio::test]
async fn truncated_corrupted_foreign_and_newer_backups_are_refused_and_the_store_is_untouched() {
    let world = World::new().await;
    let backups = plain(&world);
    let backup = world
        .directory
        .back_up(&world.admin, &backups)
        .await
        .unwrap();
    let staff = world.group("Staff", &[]).await;
    world.user_in("Dan Now", &[staff.id]).await;
    let before = world.snapshot().await;

    let truncated = tampered(&backup.path, "truncated.roster-backup", |bytes| {
        bytes.truncate(bytes.len() / 2)
    });
    let corrupted = tampered(&backup.path, "corrupted.roster-backup", |bytes| {
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0xff;
    });
    let foreign = tampered(&backup.path, "foreign.roster-backup", |bytes| {
        *bytes = b"PK\x03\x04 a zip file, not a backup".to_vec()
    });
    let newer = tampered(&backup.path, "newer.roster-backup", |bytes| {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let schema_at = text.find("\"schema\":").expect("a schema");
        let end = schema_at + text[schema_at..].find(',').expect("a comma");
        let mut changed = bytes[..schema_at].to_vec();
        changed.extend_from_slice(b"\"schema\":999");
        changed.extend_from_slice(&bytes[end..]);
        *bytes = changed;
    });
    for (name, expected) in [
        (&truncated, "damaged or incomplete"),
        (&corrupted, "damaged or incomplete"),
        (&foreign, "is not a Roster backup"),
        (&newer, "newer"),
    ] {
        let error = world
            .directory
            .restore_backup(&world.admin, &backups, name)
            .await
            .unwrap_err();
        let message = error.to_string();
        assert!(message.contains(expected), "{name}: {message}");
        assert_eq!(world.snapshot().await, before, "{name}");
        let error = world
            .directory
            .verify_backup(&world.admin, &backups, name)
            .await
            .unwrap_err();
        assert!(error.to_string().contains(expected), "{name}: {error}");
    }
}

#[tokio::test]
async fn a_folder_that_cannot_be_written_is_named_and_the_store_keeps_working() {
    let world = World::new().await;
    let blocked = folder_of(&world).with_file_name("a-file-not-a-folder");
    std::fs::write(&blocked, b"in the way").unwrap();
    let backups = Backups::new(blocked.join("backups"), Retention::default(), None);
    let error = world
        .directory
        .back_up(&world.admin, &backups)
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(message.contains("cannot be written"), "{message}");
    assert!(message.contains("not changed"), "{message}");
    let staff = world.group("Staff", &[]).await;
    world.user_in("Eve Still", &[staff.id]).await;
}

#[tokio::test]
async fn backups_and_restores_need_settings_manage() {
    let world = World::new().await;
    let backups = plain(&world);
    let backup = world
        .directory
        .back_up(&world.admin, &backups)
        .await
        .unwrap();
    let (_, viewer) = world
        .operator_with(
            "Vic Viewer",
            &[Permission::UsersView, Permission::AuditView],
        )
        .await;
    let before = world.snapshot().await;
    for result in [
        world.directory.back_up(&viewer, &backups).await.map(drop),
        world
            .directory
            .list_backups(&viewer, &backups)
            .await
            .map(drop),
        world
            .directory
            .verify_backup(&viewer, &backups, &backup.name)
            .await
            .map(drop),
        world
            .directory
            .restore_backup(&viewer, &backups, &backup.name)
            .await
            .map(drop),
    ] {
        let error = result.unwrap_err();
        assert!(error.is_permission_error(), "{error:?}");
    }
    assert_eq!(world.snapshot().await, before);
    assert_eq!(backups.list().unwrap().len(), 1);
}

#[tokio::test]
async fn a_server_directory_leaves_backups_to_the_server() {
    let world = World::on(Backend::Postgres).await;
    let backups = Backups::new(
        std::env::temp_dir().join("roster-never-written"),
        Retention::default(),
        None,
    );
    let error = world
        .directory
        .back_up(&world.admin, &backups)
        .await
        .unwrap_err();
    assert!(matches!(backup_error(error), BackupError::NotLocal));
    assert!(world
        .directory
        .back_up_automatically(&backups, Reason::Daily)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn old_backups_are_pruned_and_partial_files_removed() {
    let world = World::new().await;
    let keep_two = Backups::new(
        folder_of(&world),
        Retention {
            daily: 1,
            weekly: 1,
            monthly: 1,
        },
        None,
    );
    std::fs::create_dir_all(folder_of(&world)).unwrap();
    let left_by_a_kill = folder_of(&world).join(".roster-x.roster-backup.partial");
    std::fs::write(&left_by_a_kill, b"half").unwrap();
    for _ in 0..3 {
        world
            .directory
            .back_up_automatically(&keep_two, Reason::BeforeBulk)
            .await
            .unwrap();
    }
    // All three are of today: only the newest is kept.
    assert_eq!(keep_two.list().unwrap().len(), 1);
    assert!(!left_by_a_kill.exists());
    assert!(!keep_two.daily_due(chrono::Utc::now()).unwrap());
}

#[tokio::test]
async fn a_store_about_to_be_migrated_is_backed_up_first_and_a_current_one_is_not() {
    let world = World::new().await;
    let file = world.sqlite_file().expect("a file").to_owned();
    let backups = plain(&world);
    assert!(backups.before_migration(&file).unwrap().is_none());
    // As if the store were from before schema V7 (and so before every
    // later one).
    world
        .raw_sql(
            "DROP TRIGGER user_ancestors_insert; DROP TRIGGER user_ancestors_move; \
             DROP TRIGGER user_ancestors_keys; DROP TRIGGER clients_manager_insert; \
             DROP TRIGGER clients_manager_delete; DROP TRIGGER clients_manager_change; \
             DROP TABLE users_words; DROP TABLE clients_words; \
             DROP TRIGGER users_words_insert; DROP TRIGGER users_words_delete; \
             DROP TRIGGER users_words_update; DROP TRIGGER clients_words_insert; \
             DROP TRIGGER clients_words_delete; DROP TRIGGER clients_words_update; \
             DROP TABLE store_opened_by; DROP INDEX audit_events_target_at; \
             DROP INDEX users_valid_until; ALTER TABLE users DROP COLUMN valid_until; \
             DROP TABLE deleted_recovery_codes; DROP TABLE deleted_users; \
             DROP INDEX users_password_changed_at; DROP INDEX users_failed_sign_ins; \
             DROP INDEX users_locked_until; DROP INDEX users_email_walk; \
             DROP INDEX users_disabled; DROP TABLE name_keys_pending; \
             ALTER TABLE users DROP COLUMN password_changed_at; \
             DROP TABLE user_ancestors; ALTER TABLE group_permissions DROP COLUMN scope; \
             DROP INDEX clients_account_manager; ALTER TABLE clients DROP COLUMN account_manager_id; \
             DELETE FROM refinery_schema_history WHERE version >= 7;",
        )
        .await;
    let backup = backups
        .before_migration(&file)
        .unwrap()
        .expect("a backup before the migration");
    assert_eq!(backup.manifest.reason, Reason::BeforeMigration);
    assert_eq!(backup.manifest.schema, 6);
    assert_eq!(backup.manifest.users, 1);
    // The open store reads users and groups with V11's, V12's and V13's
    // columns again; the backup keeps the older schema.
    world
        .raw_sql(
            "ALTER TABLE users ADD COLUMN valid_until TEXT; \
             ALTER TABLE users ADD COLUMN password_changed_at INTEGER NOT NULL DEFAULT 0; \
             ALTER TABLE group_permissions ADD COLUMN scope TEXT NOT NULL DEFAULT 'all'; \
             ALTER TABLE clients ADD COLUMN account_manager_id INTEGER;",
        )
        .await;
    // A backup of an older schema is restored and brought up to date.
    world
        .directory
        .restore_backup(&world.admin, &backups, &backup.name)
        .await
        .expect("restore an older schema");
    assert!(backups.before_migration(&file).unwrap().is_none());
    assert_eq!(world.snapshot().await.users.len(), 1);
}

#[tokio::test]
async fn the_folder_and_passphrase_are_chosen_with_settings_manage_and_audited() {
    let world = World::new().await;
    let file = world.sqlite_file().expect("a file").to_owned();
    let usb = file.with_file_name("usb-disk");
    let config = world
        .directory
        .set_backup_folder(&world.admin, Some(usb.clone()))
        .await
        .expect("a folder");
    assert_eq!(config.folder_for(&file), usb);
    assert!(usb.is_dir());
    let keychain = roster_core::secrets::Keychain::mock();
    let passphrase = SecretString::from("a passphrase for the usb disk".to_owned());
    world
        .directory
        .set_backup_passphrase(&world.admin, &keychain, Some(&passphrase))
        .await
        .expect("a passphrase");
    let backups = roster_core::backup::config::backups_for(&file, &keychain).unwrap();
    assert!(backups.encrypts());
    assert_eq!(backups.folder(), usb);
    let made = world
        .directory
        .back_up(&world.admin, &backups)
        .await
        .unwrap();
    assert!(made.manifest.encrypted);
    let audit = world.audit(None).await;
    let actions: Vec<&str> = audit.iter().map(|event| event.action.as_str()).collect();
    assert_eq!(
        &actions[..3],
        &["settings.backup", "settings.backups", "settings.backups"]
    );
    assert!(
        !format!("{audit:?}").contains("usb disk"),
        "no passphrase in the audit"
    );
    let short = SecretString::from("short".to_owned());
    let error = world
        .directory
        .set_backup_passphrase(&world.admin, &keychain, Some(&short))
        .await
        .unwrap_err();
    assert!(matches!(backup_error(error), BackupError::ShortPassphrase));
}
