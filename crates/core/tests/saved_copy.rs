//! "Save a copy to a file" (Settings → Backups, on a server too): the whole
//! directory written as a backup file where someone chose, encrypted with
//! the passphrase given. The file lists and checks like any backup, holds
//! the same users, groups and audit events, and restores into a local
//! store; an operator without `settings.manage` gets no file at all.

mod support;

use roster_core::backup::{BackupError, Backups, Reason, Retention};
use roster_core::domain::Permission;
use roster_core::error::Error;
use secrecy::SecretString;
use support::*;

const PASSPHRASE: &str = "a passphrase for the copy";

fn secret(text: &str) -> SecretString {
    SecretString::from(text.to_owned())
}

every_store!(a_saved_copy_is_a_backup_that_restores_into_a_local_store);
async fn a_saved_copy_is_a_backup_that_restores_into_a_local_store(backend: Backend) {
    let world = World::on(backend).await;
    let sales = world.group("Sales", &[Permission::UsersView]).await;
    world.user_in("Ann Lee", &[sales.id]).await;
    world.user_in("Bob Ray", &[sales.id]).await;
    let before = world.snapshot().await;
    let folder = tempfile::tempdir().expect("a folder");
    let destination = folder.path().join("directory-copy.roster-backup");

    let saved = world
        .directory
        .save_copy_to_file(&world.admin, &destination, Some(&secret(PASSPHRASE)))
        .await
        .expect("saved");
    assert_eq!(saved.path, destination);
    assert_eq!(saved.manifest.reason, Reason::Copy);
    assert!(saved.manifest.encrypted);
    assert_eq!(saved.manifest.users, before.users.len() as i64);
    assert_eq!(saved.manifest.groups, before.groups.len() as i64);
    // Nothing but the copy is left beside it.
    let names: Vec<String> = std::fs::read_dir(folder.path())
        .expect("the folder")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(names, ["directory-copy.roster-backup"]);
    let audit = world.audit(None).await;
    assert_eq!(audit[0].action, "settings.backup");
    assert_eq!(audit.len(), before.audit.len() + 1);

    // It checks like any backup, with its passphrase only.
    let scratch = tempfile::tempdir().expect("scratch");
    let opened = |passphrase: Option<&str>| {
        Backups::new(
            folder.path().to_owned(),
            Retention::default(),
            passphrase.map(secret),
        )
    };
    let listed = opened(None).list().expect("listed");
    assert_eq!(listed.len(), 1);
    let summary = opened(Some(PASSPHRASE))
        .verify(&listed[0], scratch.path())
        .expect("intact");
    assert_eq!(summary.users, before.users.len() as i64);
    assert_eq!(summary.groups, before.groups.len() as i64);
    assert!(matches!(
        opened(Some("another passphrase of length")).verify(&listed[0], scratch.path()),
        Err(BackupError::WrongPassphrase)
    ));

    // Restored into a local store, it holds the same directory.
    let local = World::new().await;
    local
        .directory
        .restore_backup(
            &local.admin,
            &opened(Some(PASSPHRASE)),
            destination.to_str().expect("a path"),
        )
        .await
        .expect("restored");
    let restored = local.snapshot().await;
    let names = |snapshot: &Snapshot| {
        let mut names: Vec<String> = snapshot
            .users
            .iter()
            .map(|user| user.email.as_str().to_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(&restored), names(&before));
    let group_names = |snapshot: &Snapshot| {
        let mut names: Vec<String> = snapshot
            .groups
            .iter()
            .map(|group| group.name.as_str().to_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(group_names(&restored), group_names(&before));
    // The copied log, then the restore's own event.
    assert_eq!(restored.audit.len(), before.audit.len() + 1);
    assert_eq!(restored.audit[0].action, "settings.restore");
    let verified = local
        .directory
        .verify_audit(&local.admin, None)
        .await
        .expect("verified");
    assert!(verified.intact, "{}", verified.message);
    let check = local
        .directory
        .check_store(&local.admin, false)
        .await
        .expect("checked");
    assert!(check.sound(), "{check:?}");
}

every_store!(a_copy_without_a_passphrase_is_plain_and_a_short_one_is_refused);
async fn a_copy_without_a_passphrase_is_plain_and_a_short_one_is_refused(backend: Backend) {
    let world = World::on(backend).await;
    let folder = tempfile::tempdir().expect("a folder");
    let short = folder.path().join("short.roster-backup");
    let error = world
        .directory
        .save_copy_to_file(&world.admin, &short, Some(&secret("too short")))
        .await
        .expect_err("refused");
    assert!(
        matches!(error, Error::Backup(BackupError::ShortPassphrase)),
        "{error:?}"
    );
    assert!(std::fs::read_dir(folder.path())
        .expect("the folder")
        .next()
        .is_none());
    let plain = folder.path().join("plain.roster-backup");
    let saved = world
        .directory
        .save_copy_to_file(&world.admin, &plain, None)
        .await
        .expect("saved");
    assert!(!saved.manifest.encrypted);
    assert_eq!(saved.manifest.users, 1);
}

every_store!(an_operator_without_settings_manage_gets_no_copy);
async fn an_operator_without_settings_manage_gets_no_copy(backend: Backend) {
    let world = World::on(backend).await;
    let (_, viewer) = world
        .operator_with(
            "Vic Viewer",
            &[Permission::UsersView, Permission::AuditView],
        )
        .await;
    let before = world.snapshot().await;
    let folder = tempfile::tempdir().expect("a folder");
    let destination = folder.path().join("copy.roster-backup");
    let error = world
        .directory
        .save_copy_to_file(&viewer, &destination, None)
        .await
        .expect_err("refused");
    assert!(matches!(error, Error::PermissionDenied { .. }), "{error:?}");
    assert!(
        std::fs::read_dir(folder.path())
            .expect("the folder")
            .next()
            .is_none(),
        "no file at all"
    );
    assert_eq!(world.snapshot().await.audit.len(), before.audit.len());
}
