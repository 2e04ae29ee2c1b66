//! What the shell keeps between commands: the open directory and the
//! session.
//!
//! The session lives only here, in Rust: the web view never holds a token it
//! could forge or replay. A session can be *pending a password change* (the
//! operator was flagged "must change password": only the change itself is
//! allowed) or *locked* (no activity for the idle timeout: only re-entering
//! the password unlocks it). Both are enforced here, whatever the UI shows.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use roster_core::directory::PendingSignIn;
use roster_core::domain::UserId;
use roster_core::secrets::{Keychain, Secrets};
use roster_core::sheet::SheetFormat;
use roster_core::smtp::KeychainMailer;
use roster_core::store::postgres::PostgresStore;
use roster_core::store::sqlite::SqliteStore;
use roster_core::store::Store;
use roster_core::users_sheet::{credentials_sheet, IssuedCredentials};
use roster_core::{paths, Directory, Error, Operator};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::commands::CommandError;
use crate::store_choice::{self, RemoteStore, StoreChoice};

pub struct AppState {
    /// The open directory, or why it could not be opened.
    directory: RwLock<Result<Arc<Directory>, CommandError>>,
    /// The data folder (the local store, the store choice), if there is one.
    data_dir: Option<PathBuf>,
    /// Which store the directory is in.
    choice: Mutex<StoreChoice>,
    /// Where the server's password is kept.
    keychain: Arc<dyn Secrets>,
    session: Mutex<Option<Session>>,
    /// A sign-in whose password was right and whose second factor is owed.
    pending: Mutex<Option<(PendingSignIn, Stage)>>,
    /// The passwords the operator's imports generated, until they are saved
    /// on a credentials sheet, discarded, or the session ends. Never sent to
    /// the web view; each is zeroized when dropped.
    credentials: Mutex<Option<(UserId, Vec<IssuedCredentials>)>>,
    /// Why the last automatic backup failed (shown in Settings → Backups).
    backup_problem: Arc<Mutex<Option<String>>>,
}

/// A credentials sheet written from the held passwords.
pub struct CredentialsSheet {
    /// The file's bytes, wiped when dropped.
    pub bytes: Zeroizing<Vec<u8>>,
    /// How many users' passwords it holds (the first held ones).
    pub count: usize,
}

/// Where a sign-in stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    SignedIn,
    /// A code from the authenticator app (or a recovery code) is owed.
    SecondFactor,
    /// The authenticator app must be set up first.
    TotpEnrolment,
    /// A code sent by email is owed.
    EmailCode,
}

#[derive(Debug, Clone, Copy)]
struct Session {
    operator: Operator,
    must_change_password: bool,
    locked: bool,
    last_activity: Instant,
    idle_timeout: Duration,
}

impl Session {
    /// Locks the session once it has been idle for longer than its timeout.
    fn lock_if_idle(&mut self, now: Instant) {
        if now.duration_since(self.last_activity) > self.idle_timeout {
            self.locked = true;
        }
    }
}

/// What a command needs of the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Everything but a pending password change or a lock.
    Full,
    /// Allowed while a password change is pending (not while locked).
    PasswordChange,
}

/// How the web view should present the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SessionFlags {
    pub stage: Stage,
    pub locked: bool,
    pub must_change_password: bool,
    pub idle_timeout_minutes: u64,
}

/// Opens the store a choice names, with its mailer. The server's password
/// comes from the keychain.
async fn open_store(
    data_dir: &Path,
    choice: &StoreChoice,
    keychain: &Arc<dyn Secrets>,
) -> Result<Arc<Directory>, CommandError> {
    let store: Arc<dyn Store> = match choice {
        // The authenticator secrets of a local store are sealed with a key
        // in this computer's keychain (see `roster_core::sealing`).
        StoreChoice::Local => Arc::new(
            SqliteStore::open(&data_dir.join(paths::LOCAL_STORE_FILE))?
                .with_sealing(keychain.clone()),
        ),
        StoreChoice::Postgres(remote) => {
            let password = saved_password(keychain, remote)
                .map_err(|error| CommandError::store_unavailable(error.to_string()))?;
            Arc::new(PostgresStore::connect(remote.config(password)).await?)
        }
    };
    let directory = Arc::new(Directory::new(store));
    install_mailer(&directory, keychain).await;
    Ok(directory)
}

/// The password saved for the server and TLS mode this computer chose. One
/// that an earlier version filed without its TLS mode is moved to the
/// current name: it was saved together with this choice.
fn saved_password(
    keychain: &Arc<dyn Secrets>,
    remote: &RemoteStore,
) -> Result<Option<SecretString>, roster_core::secrets::SecretsError> {
    let name = remote.keychain_name();
    if let Some(password) = keychain.get(&name)? {
        return Ok(Some(password));
    }
    let legacy = roster_core::secrets::legacy_server_entry(&remote.config(None));
    let Some(password) = keychain.get(&legacy)? else {
        return Ok(None);
    };
    keychain.set(&name, &password)?;
    keychain.delete(&legacy)?;
    Ok(Some(password))
}

/// Gives `directory` the mailer its stored mail settings describe (the
/// password is read from `keychain` at each send), or none when there are
/// none. Every directory the shell opens goes through here, and so does a
/// change of the mail settings. Settings that cannot be read leave it
/// without a mailer: the mail settings page then says why.
pub async fn install_mailer(directory: &Directory, keychain: &Arc<dyn Secrets>) {
    let mailer = match directory.load_mail_settings().await {
        Ok(Some(settings)) => Some(Arc::new(KeychainMailer::new(settings, keychain.clone()))
            as Arc<dyn roster_core::mail::Mailer>),
        Ok(None) | Err(_) => None,
    };
    directory.set_mailer(mailer);
}

impl AppState {
    /// Opens the store chosen in the data folder (the local file unless a
    /// server was chosen), creating the local file on first run. A server
    /// that cannot be reached now is tried again by [`AppState::retry`].
    pub async fn open(keychain: Arc<dyn Secrets>) -> Self {
        let Some(data_dir) = crate::data_dir::data_dir() else {
            return Self::with(
                Err(CommandError::store_unavailable(format!(
                    "This system has no folder for application data; start Roster with {} PATH.",
                    crate::data_dir::DATA_DIR_ARG
                ))),
                None,
                StoreChoice::Local,
                keychain,
            );
        };
        Self::open_in(data_dir, keychain).await
    }

    /// Opens the store chosen in `data_dir` (tests name their own folder).
    pub async fn open_in(data_dir: PathBuf, keychain: Arc<dyn Secrets>) -> Self {
        let choice = match store_choice::load(&data_dir) {
            Ok(choice) => choice,
            Err(reason) => {
                return Self::with(
                    Err(CommandError::store_unavailable(reason)),
                    Some(data_dir),
                    StoreChoice::Local,
                    keychain,
                )
            }
        };
        let local = choice == StoreChoice::Local;
        let problem = Arc::new(Mutex::new(None));
        if local {
            // Before a migration: the store is not open yet.
            let store = data_dir.join(paths::LOCAL_STORE_FILE);
            let made = crate::backups::local_backups(&store, &keychain)
                .await
                .and_then(|backups| backups.before_migration(&store).map(drop));
            crate::backups::note(&problem, made);
        }
        let directory = open_store(&data_dir, &choice, &keychain).await;
        let state = Self::with(directory, Some(data_dir), choice, keychain);
        *state
            .backup_problem
            .lock()
            .unwrap_or_else(|p| p.into_inner()) =
            problem.lock().unwrap_or_else(|p| p.into_inner()).take();
        if local {
            crate::backups::daily_in_background(&state);
        }
        state
    }

    /// The local store's backups, as this computer chose them.
    pub async fn local_backups(&self) -> Result<roster_core::backup::Backups, CommandError> {
        let store = self.local_store_path().ok_or_else(|| {
            CommandError::store_unavailable(
                "This system has no folder for application data.".into(),
            )
        })?;
        crate::backups::local_backups(&store, &self.keychain)
            .await
            .map_err(|error| Error::from(error).into())
    }

    /// Why the last automatic backup failed, if it did.
    pub fn backup_problem(&self) -> Option<String> {
        self.backup_problem
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Where automatic backups note their failures.
    pub(crate) fn backup_problem_slot(&self) -> Arc<Mutex<Option<String>>> {
        self.backup_problem.clone()
    }

    /// A backup before bulk work or an import, when the local file is in
    /// use; a failure is noted for Settings → Backups and the work goes on.
    pub async fn back_up_before_bulk(&self) {
        if self.choice() != StoreChoice::Local {
            return;
        }
        let Ok(directory) = self.directory() else {
            return;
        };
        let made = match self.local_backups().await {
            Ok(backups) => directory
                .back_up_automatically(&backups, roster_core::backup::Reason::BeforeBulk)
                .await
                .map(drop)
                .map_err(|error| error.to_string()),
            Err(error) => Err(error.message),
        };
        crate::backups::note(&self.backup_problem, made);
    }

    /// The app's state with the OS keychain (or its mock under `ROSTER_KEYCHAIN=mock`).
    pub fn open_default() -> Self {
        let keychain: Arc<dyn Secrets> = Arc::new(Keychain::from_env());
        tauri::async_runtime::block_on(Self::open(keychain))
    }

    /// Opens (creating if needed) the SQLite store at `path` (tests), with
    /// the mock keychain and no mailer: a test that configures mail calls
    /// [`AppState::reinstall_mailer`] (the `update_mail_settings` command does).
    pub fn open_at(path: PathBuf) -> Self {
        let keychain: Arc<dyn Secrets> = Arc::new(Keychain::mock());
        let directory = SqliteStore::open(&path)
            .map(|store| {
                Arc::new(Directory::new(Arc::new(
                    store.with_sealing(keychain.clone()),
                )))
            })
            .map_err(CommandError::from);
        let data_dir = path.parent().map(Path::to_path_buf);
        Self::with(directory, data_dir, StoreChoice::Local, keychain)
    }

    fn with(
        directory: Result<Arc<Directory>, CommandError>,
        data_dir: Option<PathBuf>,
        choice: StoreChoice,
        keychain: Arc<dyn Secrets>,
    ) -> Self {
        Self {
            directory: RwLock::new(directory),
            data_dir,
            choice: Mutex::new(choice),
            keychain,
            session: Mutex::new(None),
            pending: Mutex::new(None),
            credentials: Mutex::new(None),
            backup_problem: Arc::new(Mutex::new(None)),
        }
    }

    /// The open directory, or why there is none.
    pub fn directory(&self) -> Result<Arc<Directory>, CommandError> {
        self.directory
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Tries again to open a store that could not be opened (a server that
    /// was down at start).
    pub async fn retry(&self) {
        if self.directory().is_ok() {
            return;
        }
        let Some(data_dir) = self.data_dir.clone() else {
            return;
        };
        let choice = self.choice();
        let opened = open_store(&data_dir, &choice, &self.keychain).await;
        *self
            .directory
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = opened;
    }

    /// Where this computer keeps passwords (the mail server's, the
    /// directory server's).
    pub fn keychain(&self) -> Arc<dyn Secrets> {
        self.keychain.clone()
    }

    /// Installs the open directory's mailer again from its stored mail
    /// settings (after they changed).
    pub async fn reinstall_mailer(&self) -> Result<(), CommandError> {
        let directory = self.directory()?;
        install_mailer(&directory, &self.keychain).await;
        Ok(())
    }

    pub fn choice(&self) -> StoreChoice {
        self.choice
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The local SQLite file (used or not), when there is a data folder.
    pub fn local_store_path(&self) -> Option<PathBuf> {
        self.data_dir
            .as_ref()
            .map(|dir| dir.join(paths::LOCAL_STORE_FILE))
    }

    /// The password for `remote`: the one typed, else the keychain's.
    pub fn remote_password(
        &self,
        remote: &RemoteStore,
        typed: &str,
    ) -> Result<Option<SecretString>, CommandError> {
        if !typed.is_empty() {
            return Ok(Some(SecretString::from(typed.to_owned())));
        }
        self.keychain
            .get(&remote.keychain_name())
            .map_err(|error| CommandError::store_unavailable(error.to_string()))
    }

    /// Switches this computer to another store: opens it first (so a
    /// failure changes nothing), keeps the server's password in the
    /// keychain, saves the choice, and ends any session.
    pub async fn switch_to(
        &self,
        choice: StoreChoice,
        password: Option<SecretString>,
    ) -> Result<(), CommandError> {
        let data_dir = self.data_dir.clone().ok_or_else(|| {
            CommandError::store_unavailable(
                "This system has no folder for application data.".into(),
            )
        })?;
        let directory = match &choice {
            StoreChoice::Local => open_store(&data_dir, &choice, &self.keychain).await?,
            StoreChoice::Postgres(remote) => {
                let store = PostgresStore::connect(remote.config(password.clone())).await?;
                let name = remote.keychain_name();
                match password
                    .as_ref()
                    .filter(|secret| !secret.expose_secret().is_empty())
                {
                    Some(secret) => self
                        .keychain
                        .set(&name, secret)
                        .map_err(|error| CommandError::store_unavailable(error.to_string()))?,
                    // No password (a trusted network): forget any old one if
                    // a keychain is there to ask; none is needed.
                    None => {
                        let _ = self.keychain.delete(&name);
                    }
                }
                let directory = Arc::new(Directory::new(Arc::new(store)));
                install_mailer(&directory, &self.keychain).await;
                directory
            }
        };
        self.install(&data_dir, choice, directory)
    }

    /// The directory in this computer's local file: the open one when the
    /// file is in use, else opened now (and created, at first run).
    pub async fn local_directory(&self) -> Result<Arc<Directory>, CommandError> {
        if self.choice() == StoreChoice::Local {
            if let Ok(directory) = self.directory() {
                return Ok(directory);
            }
        }
        let data_dir = self.data_dir.clone().ok_or_else(|| {
            CommandError::store_unavailable(
                "This system has no folder for application data.".into(),
            )
        })?;
        open_store(&data_dir, &StoreChoice::Local, &self.keychain).await
    }

    /// Switches this computer back to its local file, whose directory
    /// `local` is ([`AppState::local_directory`]): saves the choice and ends
    /// any session.
    pub fn switch_to_local(&self, local: Arc<Directory>) -> Result<(), CommandError> {
        let data_dir = self.data_dir.clone().ok_or_else(|| {
            CommandError::store_unavailable(
                "This system has no folder for application data.".into(),
            )
        })?;
        self.install(&data_dir, StoreChoice::Local, local)
    }

    /// Makes `directory`, opened for `choice`, the one in use: saves the
    /// choice and ends any session.
    fn install(
        &self,
        data_dir: &Path,
        choice: StoreChoice,
        directory: Arc<Directory>,
    ) -> Result<(), CommandError> {
        store_choice::save(data_dir, &choice).map_err(CommandError::store_unavailable)?;
        self.sign_out();
        *self
            .choice
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = choice;
        *self
            .directory
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Ok(directory);
        Ok(())
    }

    fn session(&self) -> MutexGuard<'_, Option<Session>> {
        // A poisoned lock only means another command panicked mid-update of
        // an Option; its value is still a valid session or none.
        self.session
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The operator of an active session, or why there is none: not signed
    /// in, locked (idle too long), or a password change pending. Counts as
    /// activity.
    pub fn operator(&self, access: Access) -> Result<Operator, Error> {
        let mut guard = self.session();
        let session = guard.as_mut().ok_or(Error::NotSignedIn)?;
        let now = Instant::now();
        session.lock_if_idle(now);
        if session.locked {
            return Err(Error::SessionLocked);
        }
        if session.must_change_password && access == Access::Full {
            return Err(Error::PasswordChangeRequired);
        }
        session.last_activity = now;
        Ok(session.operator)
    }

    /// The signed-in operator, whatever the session's state.
    pub fn current(&self) -> Option<Operator> {
        self.session().map(|session| session.operator)
    }

    /// The session's state for the web view, if anyone is signed in or
    /// half-way through signing in.
    pub fn flags(&self) -> Option<SessionFlags> {
        if let Some((_, stage)) = *self.pending() {
            return Some(SessionFlags {
                stage,
                locked: false,
                must_change_password: false,
                idle_timeout_minutes: 0,
            });
        }
        let mut guard = self.session();
        let session = guard.as_mut()?;
        session.lock_if_idle(Instant::now());
        Some(SessionFlags {
            stage: Stage::SignedIn,
            locked: session.locked,
            must_change_password: session.must_change_password,
            idle_timeout_minutes: session.idle_timeout.as_secs() / 60,
        })
    }

    fn pending(&self) -> MutexGuard<'_, Option<(PendingSignIn, Stage)>> {
        self.pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Remembers a sign-in that still owes its second factor.
    pub fn await_second_factor(&self, pending: PendingSignIn, stage: Stage) {
        *self.session() = None;
        *self.pending() = Some((pending, stage));
    }

    /// The pending sign-in at `stage`, or why there is none.
    pub fn pending_at(&self, stage: Stage) -> Result<PendingSignIn, Error> {
        match *self.pending() {
            Some((pending, at)) if at == stage => Ok(pending),
            Some(_) => Err(Error::SignInIncomplete),
            None => Err(Error::NotSignedIn),
        }
    }

    pub fn sign_in(
        &self,
        operator: Operator,
        must_change_password: bool,
        idle_timeout_minutes: u32,
    ) {
        *self.pending() = None;
        *self.session() = Some(Session {
            operator,
            must_change_password,
            locked: false,
            last_activity: Instant::now(),
            idle_timeout: Duration::from_secs(u64::from(idle_timeout_minutes) * 60),
        });
    }

    /// After the password was changed: the session becomes active.
    pub fn password_changed(&self) {
        if let Some(session) = self.session().as_mut() {
            session.must_change_password = false;
            session.last_activity = Instant::now();
        }
    }

    /// Locks the session now (the UI's idle timer, or the person's choice).
    pub fn lock(&self) {
        if let Some(session) = self.session().as_mut() {
            session.locked = true;
        }
    }

    /// After the password was entered again on the lock screen.
    pub fn unlock(&self) {
        if let Some(session) = self.session().as_mut() {
            session.locked = false;
            session.last_activity = Instant::now();
        }
    }

    /// Applies a changed idle timeout to the running session.
    pub fn set_idle_timeout(&self, minutes: u32) {
        if let Some(session) = self.session().as_mut() {
            session.idle_timeout = Duration::from_secs(u64::from(minutes) * 60);
        }
    }

    pub fn sign_out(&self) {
        *self.pending() = None;
        *self.session() = None;
        *self.held() = None;
    }

    fn held(&self) -> MutexGuard<'_, Option<(UserId, Vec<IssuedCredentials>)>> {
        self.credentials
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Keeps the passwords an import by `operator` generated, after any of
    /// theirs not yet saved; returns how many are held now.
    pub fn hold_credentials(&self, operator: &Operator, issued: Vec<IssuedCredentials>) -> usize {
        let mut held = self.held();
        match held.as_mut() {
            Some((owner, kept)) if *owner == operator.id() => kept.extend(issued),
            _ if issued.is_empty() => return 0,
            _ => *held = Some((operator.id(), issued)),
        }
        held.as_ref().map_or(0, |(_, kept)| kept.len())
    }

    /// How many generated passwords are held for `operator`.
    pub fn credentials_held(&self, operator: &Operator) -> usize {
        self.held()
            .as_ref()
            .filter(|(owner, _)| *owner == operator.id())
            .map_or(0, |(_, kept)| kept.len())
    }

    /// The credentials sheet of the passwords held for `operator`; `None`
    /// when none are held.
    pub fn credentials_sheet(
        &self,
        operator: &Operator,
        format: SheetFormat,
    ) -> Result<Option<CredentialsSheet>, Error> {
        let held = self.held();
        let Some((_, kept)) = held
            .as_ref()
            .filter(|(owner, kept)| *owner == operator.id() && !kept.is_empty())
        else {
            return Ok(None);
        };
        Ok(Some(CredentialsSheet {
            bytes: credentials_sheet(kept, format)?,
            count: kept.len(),
        }))
    }

    /// Forgets the first `count` passwords held for `operator` (those a
    /// saved sheet holds; `usize::MAX` for all).
    pub fn forget_credentials(&self, operator: &Operator, count: usize) {
        let mut held = self.held();
        if let Some((owner, kept)) = held.as_mut() {
            if *owner == operator.id() {
                kept.drain(..count.min(kept.len()));
                if kept.is_empty() {
                    *held = None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::directory::PasswordChoice;
    use roster_core::domain::TwoFactor;
    use roster_core::password::PlainPassword;

    const PASSWORD: &str = "violet-harbour-lantern-42";

    /// A state over a fresh store, signed in as its first administrator.
    async fn signed_in_state(dir: &tempfile::TempDir) -> AppState {
        let state = AppState::open_at(dir.path().join("roster.sqlite3"));
        let directory = state.directory().expect("store opens");
        directory
            .initialize(
                "Ada Admin",
                "ada@example.com",
                PasswordChoice::Given(PlainPassword::new(PASSWORD)),
                // This test is about the session, not the second factor.
                Some(TwoFactor::Off),
            )
            .await
            .expect("initialize");
        let operator = directory
            .sign_in("ada@example.com", &PlainPassword::new(PASSWORD))
            .await
            .expect("sign in")
            .operator()
            .expect("no second factor");
        state.sign_in(operator, false, 15);
        state
    }

    /// Pretends the last activity was `ago` in the past.
    fn idle_for(state: &AppState, ago: Duration) {
        if let Some(session) = state.session().as_mut() {
            session.last_activity = Instant::now().checked_sub(ago).expect("a past instant");
        }
    }

    #[test]
    fn a_password_filed_under_the_old_name_moves_to_the_entry_with_the_tls_mode() {
        let keychain: Arc<dyn Secrets> = Arc::new(Keychain::mock());
        let remote = RemoteStore {
            host: "legacy.example.com".into(),
            port: 5432,
            database: "roster".into(),
            user: "roster".into(),
            tls: roster_core::store::postgres::TlsMode::VerifyFull,
            schema: None,
        };
        let legacy = roster_core::secrets::legacy_server_entry(&remote.config(None));
        keychain
            .set(&legacy, &SecretString::from("old-entry".to_owned()))
            .expect("saved");
        let found = saved_password(&keychain, &remote).expect("read");
        assert_eq!(found.as_ref().map(|p| p.expose_secret()), Some("old-entry"));
        assert!(keychain.get(&legacy).expect("read").is_none());
        let moved = keychain.get(&remote.keychain_name()).expect("read");
        assert_eq!(moved.as_ref().map(|p| p.expose_secret()), Some("old-entry"));
        assert_ne!(remote.keychain_name(), legacy);
    }

    fn issued(n: usize) -> Vec<IssuedCredentials> {
        (0..n)
            .map(|i| IssuedCredentials {
                name: format!("New Person {i}"),
                email: format!("new{i}@example.com"),
                password: PlainPassword::new(format!("tulip-quartz-{i}")),
            })
            .collect()
    }

    #[tokio::test]
    async fn held_passwords_are_the_operators_own_until_saved_or_signed_out() {
        let dir = tempfile::tempdir().expect("temp dir");
        let state = signed_in_state(&dir).await;
        let operator = state.current().expect("signed in");
        assert_eq!(state.hold_credentials(&operator, issued(2)), 2);
        // A second import adds to the sheet rather than losing the first.
        assert_eq!(state.hold_credentials(&operator, issued(1)), 3);
        let sheet = state
            .credentials_sheet(&operator, SheetFormat::Csv)
            .expect("written")
            .expect("held");
        assert_eq!(sheet.count, 3);
        let text = String::from_utf8(sheet.bytes.to_vec()).expect("CSV text");
        assert!(text.contains("new1@example.com") && text.contains("tulip-quartz-1"));
        // Saving forgets exactly what the sheet held.
        state.forget_credentials(&operator, sheet.count);
        assert_eq!(state.credentials_held(&operator), 0);
        assert!(state
            .credentials_sheet(&operator, SheetFormat::Csv)
            .expect("nothing to write")
            .is_none());
        // Signing out forgets them too.
        state.hold_credentials(&operator, issued(2));
        state.sign_out();
        assert_eq!(state.credentials_held(&operator), 0);
    }

    #[tokio::test]
    async fn a_session_locks_only_after_its_idle_timeout() {
        let dir = tempfile::tempdir().expect("temp dir");
        let state = signed_in_state(&dir).await;
        idle_for(&state, Duration::from_secs(14 * 60));
        assert!(
            state.operator(Access::Full).is_ok(),
            "14 minutes idle is still active"
        );
        idle_for(&state, Duration::from_secs(15 * 60 + 5));
        assert!(matches!(
            state.operator(Access::Full),
            Err(Error::SessionLocked)
        ));
        assert!(state.flags().is_some_and(|flags| flags.locked));
        state.unlock();
        assert!(state.operator(Access::Full).is_ok());
    }
}
