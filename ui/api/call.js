// The one call of `invoke` in the UI, and what its failures become.
//
// Every function returns a promise that rejects with an `ApiError`
// (`{code, message, field}`), whatever went wrong: a refusal from Rust, a
// command the capability does not allow (Tauri rejects with a plain string),
// or the window opened outside the desktop app.

/**
 * @typedef {object} ApiError
 * @property {string} code stable, e.g. "email_taken", "changed_by_someone_else"
 * @property {string} message a sentence to show as is
 * @property {string | null} field the form field it belongs beside, or null
 */

/** Fired on `window` when a command says the session is gone (sign-out elsewhere, idle lock). */
export const SIGNED_OUT_EVENT = 'roster:signed-out';

/** Fired on `window` when a command says the session is locked (idle, or locked elsewhere). */
export const LOCKED_EVENT = 'roster:locked';

/** Fired on `window` when a command says the operator must change their password first. */
export const PASSWORD_CHANGE_EVENT = 'roster:password-change';

/**
 * Fired on `window` when a command fails because the directory server cannot
 * be reached (`store_unreachable`); the change it carried was not saved.
 */
export const STORE_UNREACHABLE_EVENT = 'roster:store-unreachable';

/** Fired on `window` when a command succeeds after STORE_UNREACHABLE_EVENT: the server is back. */
export const STORE_OK_EVENT = 'roster:store-ok';

/**
 * Commands that talk to a server other than the one in use (the one being
 * tried): their `store_unreachable` says nothing about the directory.
 */
const OTHER_SERVER_COMMANDS = new Set(['test_store_connection', 'connect_store', 'copy_store_to_remote']);

/** Commands that never touch the directory: their success proves nothing about the server. */
const STORELESS_COMMANDS = new Set([
  'confirm', 'first_screen_drawn', 'generate_password', 'test_store_connection', 'copy_secret', 'save_credentials_sheet',
  'cancel_users_import', 'save_import_credentials', 'discard_import_credentials',
]);

/** Whether the last word about the directory server was that it cannot be reached. */
let storeUnreachable = false;

/** @type {Record<string, string>} the event each session-state refusal fires */
const SESSION_EVENTS = {
  not_signed_in: SIGNED_OUT_EVENT,
  session_locked: LOCKED_EVENT,
  password_change_required: PASSWORD_CHANGE_EVENT,
};

/**
 * Invokes a Tauri command; the only call of `invoke` in the UI.
 *
 * `window.__TAURI__` exists because `app.withGlobalTauri` is true in
 * tauri.conf.json (there is no bundler to import `@tauri-apps/api` with).
 * Argument keys are snake_case: the commands use `rename_all = "snake_case"`.
 *
 * @template T
 * @param {string} command
 * @param {Record<string, unknown>} [args]
 * @returns {Promise<T>}
 */
export async function call(command, args) {
  const core = window.__TAURI__?.core;
  if (typeof core?.invoke !== 'function') {
    throw apiError('no_desktop', 'Roster must be opened as the desktop app, not in a browser.');
  }
  try {
    const result = await core.invoke(command, args ?? {});
    if (storeUnreachable && !STORELESS_COMMANDS.has(command)) {
      storeUnreachable = false;
      window.dispatchEvent(new CustomEvent(STORE_OK_EVENT));
    }
    return result;
  } catch (raw) {
    const error = toApiError(raw);
    const event = SESSION_EVENTS[error.code];
    if (event) window.dispatchEvent(new CustomEvent(event, { detail: error }));
    if (error.code === 'store_unreachable' && !OTHER_SERVER_COMMANDS.has(command)) {
      storeUnreachable = true;
      window.dispatchEvent(new CustomEvent(STORE_UNREACHABLE_EVENT, { detail: error }));
    }
    throw error;
  }
}

/**
 * @param {string} code
 * @param {string} message
 * @param {string | null} [field]
 * @returns {ApiError}
 */
function apiError(code, message, field = null) {
  return { code, message, field };
}

/**
 * Brings whatever a command rejected with into the `{code, message, field}` shape.
 *
 * @param {unknown} raw
 * @returns {ApiError}
 */
function toApiError(raw) {
  if (raw && typeof raw === 'object' && typeof raw.message === 'string' && !(raw instanceof Error)) {
    return apiError(
      typeof raw.code === 'string' ? raw.code : 'error',
      raw.message,
      typeof raw.field === 'string' ? raw.field : null,
    );
  }
  return apiError('error', messageOf(raw));
}

/**
 * A sentence to show for any error: an `ApiError`, a string (as Tauri itself
 * rejects with) or an `Error`.
 *
 * @param {unknown} error
 * @returns {string}
 */
export function messageOf(error) {
  if (typeof error === 'string' && error.trim() !== '') return error;
  if (error instanceof Error && error.message) return error.message;
  if (error && typeof error === 'object' && typeof error.message === 'string' && error.message) {
    return error.message;
  }
  return 'Something went wrong.';
}
