//! What the shell keeps between commands: the open directory and the
//! session.
//!
//! The session lives only here, in Rust: the web view never holds a token it
//! could forge or replay. A session can be *pending a password change* (the
//! operator was flagged "must change password": only the change itself is
//! allowed) or *locked* (no activity for the idle timeout: only re-entering
//! the password unlocks it). Both are enforced here, whatever the UI shows.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use roster_core::directory::PendingSignIn;
use roster_core::store::sqlite::SqliteStore;
use roster_core::{Directory, Error, Operator};

pub struct AppState {
    /// The directory, or why the local store could not be opened.
    directory: Result<Directory, String>,
    store_path: Option<PathBuf>,
    session: Mutex<Option<Session>>,
    /// A sign-in whose password was right and whose second factor is owed.
    pending: Mutex<Option<(PendingSignIn, Stage)>>,
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

impl AppState {
    /// Opens the local store in the data folder (creating it on first run).
    pub fn open_local() -> Self {
        match crate::data_dir::store_path() {
            Some(path) => Self::open_at(path),
            None => Self {
                directory: Err(format!(
                    "This system has no folder for application data; start Roster with {} PATH.",
                    crate::data_dir::DATA_DIR_ARG
                )),
                store_path: None,
                session: Mutex::new(None),
                pending: Mutex::new(None),
            },
        }
    }

    /// Opens (creating if needed) the SQLite store at `path`.
    pub fn open_at(path: PathBuf) -> Self {
        let directory = SqliteStore::open(&path)
            .map(|store| Directory::new(Arc::new(store)))
            .map_err(|error| error.to_string());
        Self {
            directory,
            store_path: Some(path),
            session: Mutex::new(None),
            pending: Mutex::new(None),
        }
    }

    pub fn directory(&self) -> Result<&Directory, String> {
        self.directory.as_ref().map_err(Clone::clone)
    }

    pub fn store_path(&self) -> Option<&PathBuf> {
        self.store_path.as_ref()
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::directory::PasswordChoice;
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
