//! The commands the web view may invoke; `src-tauri/COMMANDS.md` is their
//! contract.
//!
//! They live in this module rather than at the crate root because
//! `#[tauri::command]` generates a hidden macro named after each function,
//! and those clash with other items at the crate root. Each command must also
//! be listed in `src-tauri/build.rs` and allowed in `tauri.conf.json`.
//!
//! Every command is thin: it takes the session's operator from [`AppState`],
//! calls one core service and returns its serde type. No rule lives here.

pub mod audit;
pub mod backups;
pub mod clients;
pub mod dialogs;
pub mod groups;
pub mod handover;
mod list;
pub mod mail;
pub use list::COMMANDS;
pub mod passwords;
pub mod recycle_bin;
pub mod session;
pub mod settings;
pub mod store;
pub mod users;
pub mod users_bulk;

use std::sync::Arc;

use roster_core::store::StoreError;
use roster_core::{Directory, Error, Operator};
use serde::Serialize;

use crate::state::{Access, AppState};

/// A failed command as the web view receives it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CommandError {
    /// Stable, for code: `email_taken`, `permission_denied`, …
    pub code: String,
    /// A sentence to show as it is.
    pub message: String,
    /// The form field the error belongs beside, if any.
    pub field: Option<String>,
}

impl From<Error> for CommandError {
    fn from(error: Error) -> Self {
        Self {
            code: error.code().to_owned(),
            message: error.to_string(),
            field: error.field().map(str::to_owned),
        }
    }
}

/// A store that failed to open or answer (e.g. "Cannot reach the directory
/// server"), as the core words it.
impl From<StoreError> for CommandError {
    fn from(error: StoreError) -> Self {
        Error::Store(error).into()
    }
}

impl CommandError {
    pub(crate) fn store_unavailable(reason: String) -> Self {
        Self {
            code: "store_unavailable".into(),
            message: reason,
            field: None,
        }
    }
}

pub type CommandResult<T> = Result<T, CommandError>;

/// The open directory, or why there is none.
fn directory(state: &AppState) -> CommandResult<Arc<Directory>> {
    state.directory()
}

/// The directory and the operator of an active session.
fn signed_in(state: &AppState) -> CommandResult<(Arc<Directory>, Operator)> {
    signed_in_for(state, Access::Full)
}

fn signed_in_for(state: &AppState, access: Access) -> CommandResult<(Arc<Directory>, Operator)> {
    Ok((directory(state)?, state.operator(access)?))
}

/// Passes a service's result on; an operator the core no longer accepts
/// (disabled or deleted meanwhile) is signed out.
fn checked<T>(state: &AppState, result: roster_core::Result<T>) -> CommandResult<T> {
    if let Err(Error::OperatorInvalid) = &result {
        state.sign_out();
    }
    result.map_err(CommandError::from)
}
