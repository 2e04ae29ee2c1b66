// The only module that talks to the Rust side.
//
// One function per command of src-tauri/COMMANDS.md, so the set of commands
// the web view uses is visible in one place and matches the capability in
// tauri.conf.json. The Rust side checks every right itself; nothing here is
// a security decision.
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

/**
 * @typedef {"enabled" | "disabled"} Status
 * @typedef {"off" | "email_code" | "totp"} TwoFactor
 *
 * @typedef {object} GroupRef
 * @property {number} id
 * @property {string} name
 *
 * @typedef {object} PersonRef
 * @property {number} id
 * @property {string} name
 * @property {string} email
 *
 * @typedef {object} User
 * @property {number} id
 * @property {string} name
 * @property {string} email
 * @property {Status} status
 * @property {GroupRef[]} groups
 * @property {PersonRef | null} supervisor
 * @property {boolean} must_change_password
 * @property {boolean} mask_client_data
 * @property {TwoFactor} two_factor
 * @property {string} created_at RFC 3339, UTC
 * @property {string} updated_at RFC 3339, UTC
 * @property {string | null} last_sign_in_at RFC 3339, UTC
 * @property {number} failed_sign_ins
 * @property {string | null} locked_until RFC 3339, UTC
 * @property {number} version
 *
 * @typedef {object} Group
 * @property {number} id
 * @property {string} name
 * @property {string} description
 * @property {boolean} builtin
 * @property {string[]} permissions codes, e.g. "users.view"
 * @property {number} member_count
 * @property {string} created_at
 * @property {string} updated_at
 * @property {number} version
 *
 * @typedef {object} UserPage
 * @property {User[]} users
 * @property {{count: number, exact: boolean}} total `exact: false` means "more than count"
 * @property {string | null} next cursor of the following page, or null on the last
 *
 * @typedef {object} Me
 * @property {User} user the operator
 * @property {string[]} permissions the operator's rights
 *
 * @typedef {object} AppStatus
 * @property {string} name product name
 * @property {string} version
 * @property {Store} store where the directory is kept
 * @property {boolean} initialized whether a first administrator exists
 * @property {Me | null} session the signed-in operator, if any
 * @property {SessionState | null} session_state how the session stands, when someone is signed in
 * @property {boolean} mail_configured whether mail can be sent (credentials, email codes, notices)
 *
 * @typedef {object} Store
 * @property {"local" | "postgres"} kind
 * @property {string} description a phrase naming it, e.g. the server and database
 * @property {string | null} path the SQLite file, when `kind` is "local"
 * @property {Remote | null} remote the server, when `kind` is "postgres"
 * @property {string | null} local_path where the local file is (or would be), when known
 *
 * @typedef {"disable" | "require" | "verify-full"} Tls
 *
 * @typedef {object} Remote a PostgreSQL server holding the directory (the password goes separately)
 * @property {string} host
 * @property {number} port
 * @property {string} database
 * @property {string} user
 * @property {Tls} tls "disable" only on a trusted network
 *
 * @typedef {object} StoreServer
 * @property {string} server what the server says it is, e.g. "PostgreSQL 15.19"
 *
 * @typedef {object} StoreCopy what a copy wrote, each count checked against the source
 * @property {number} users
 * @property {number} groups
 * @property {number} memberships
 * @property {number} audit_events
 * @property {number} settings
 *
 * @typedef {object} SessionState
 * @property {SignInStage} [stage] how far the sign-in got ("signed_in" when left out)
 * @property {boolean} locked the lock screen must be passed first
 * @property {boolean} must_change_password only the password change is allowed
 * @property {number} idle_timeout_minutes minutes without activity before the screen locks
 *
 * @typedef {"signed_in" | "second_factor" | "totp_enrolment"} SignInStage
 *
 * @typedef {object} SignInResult
 * @property {SignInStage} stage "signed_in", or what the person must do first
 * @property {Me | null} me the operator once `stage` is "signed_in", otherwise null
 *
 * @typedef {object} TotpEnrolment
 * @property {string} secret the key in base32, for typing by hand
 * @property {string} uri the otpauth:// URI the QR code holds
 * @property {string} qr_svg the QR code, as an SVG document
 *
 * @typedef {object} TotpEnrolled
 * @property {Me} me the operator, now signed in
 * @property {string[]} recovery_codes ten one-time codes, shown only now
 *
 * @typedef {object} AdministratorsWithoutSecondFactor
 * @property {number} count
 * @property {PersonRef[] | null} administrators who, when the operator may view users
 *
 * @typedef {object} Settings
 * @property {number} password_min_length
 * @property {TwoFactor} default_two_factor for new users
 * @property {number} lockout_threshold failed sign-ins in a row that lock an account
 * @property {number} lockout_minutes the first lock's length; each further failure doubles it
 * @property {number} idle_timeout_minutes minutes without activity before the screen locks
 * @property {number} masked_search_per_minute client searches a masked operator makes in a minute before each further one is slowed down
 *
 * @typedef {object} Permission
 * @property {string} code e.g. "users.view"
 * @property {string} area e.g. "Users"
 * @property {string} label e.g. "view users"
 *
 * @typedef {object} FieldChange
 * @property {string} field
 * @property {unknown} before
 * @property {unknown} after
 *
 * @typedef {object} AuditEvent
 * @property {number} id
 * @property {string} at RFC 3339, UTC
 * @property {number | null} operator
 * @property {string} operator_label
 * @property {string} action e.g. "user.update"
 * @property {string} target_kind
 * @property {number | null} target_id
 * @property {string} target_label
 * @property {FieldChange[]} changes
 *
 * @typedef {object} PolicyVerdict
 * @property {{code: string, message: string}[]} problems empty when the policy accepts it
 * @property {{score: number, label: string, warning: string | null,
 *   suggestions: string[], crack_time: string}} strength score 0-4
 *
 * @typedef {object} UserQuery
 * @property {string} [search]
 * @property {Status} [status]
 * @property {number} [group_id]
 * @property {number} [supervisor_id]
 * @property {"name" | "email" | "created" | "last_sign_in"} [sort]
 * @property {"asc" | "desc"} [direction]
 * @property {number} [limit]
 * @property {string} [after] the `next` cursor of the previous page
 *
 * @typedef {object} NewUser
 * @property {string} name
 * @property {string} email
 * @property {number[]} group_ids
 * @property {number | null} supervisor_id
 * @property {Status} status
 * @property {string} password
 * @property {boolean} must_change_password
 * @property {boolean} mask_client_data
 * @property {TwoFactor | null} two_factor null: the default from settings
 *
 * @typedef {object} UserChanges
 * @property {number} version the version the form was filled from
 * @property {string} name
 * @property {string} email
 * @property {number[]} group_ids
 * @property {number | null} supervisor_id
 * @property {boolean} must_change_password
 * @property {boolean} mask_client_data
 * @property {TwoFactor} two_factor
 *
 * @typedef {object} GroupFields
 * @property {string} name
 * @property {string} description
 * @property {string[]} permissions
 *
 * @typedef {"starttls" | "tls" | "none"} MailSecurity
 *
 * @typedef {object} MailSettings the mail server (its password goes separately)
 * @property {string} host
 * @property {number} port
 * @property {MailSecurity} security "none" only for a relay on this computer or network
 * @property {string | null} user null for a relay that needs no sign-in
 * @property {string} sender_address
 * @property {string} sender_name
 *
 * @typedef {object} MailSettingsView
 * @property {MailSettings | null} settings null: no mail server
 * @property {boolean} has_password whether this computer's keychain holds the user's password
 *
 * @typedef {{status: "not_requested"} | {status: "sent"} | {status: "failed", reason: string}} Delivery
 *
 * @typedef {User & {delivery: Delivery, generated_password: string | null}} WithCredentials
 *   a user just given a password: `generated_password` only when Roster chose it and did not email it
 *
 * @typedef {object} PasswordOptions
 * @property {number} length
 * @property {boolean} lowercase
 * @property {boolean} uppercase
 * @property {boolean} digits
 * @property {boolean} symbols
 * @property {boolean} exclude_ambiguous
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
  'confirm', 'generate_password', 'test_store_connection', 'copy_secret', 'save_credentials_sheet',
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
async function call(command, args) {
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

// --- The app and the session -------------------------------------------------

/**
 * What the window needs to start: product, store, whether set up, who is signed in.
 * @returns {Promise<AppStatus>}
 */
export function appStatus() {
  return call('app_status');
}

/**
 * Creates the first administrator and starts their sign-in: like any
 * sign-in, it goes on with setting up the authenticator app (stage
 * "totp_enrolment") before they are signed in.
 * @param {{name: string, email: string, password: string}} admin
 * @returns {Promise<SignInResult>}
 */
export function initialize({ name, email, password }) {
  return call('initialize', { name, email, password });
}

/**
 * Checks the password; the result says whether a second factor or setting
 * up the authenticator app comes first.
 * @param {{email: string, password: string}} credentials
 * @returns {Promise<SignInResult>}
 */
export function signIn({ email, password }) {
  return call('sign_in', { email, password });
}

/**
 * The second step of a sign-in: a code from the authenticator app or a
 * recovery code (a wrong one counts toward the account's lockout).
 * @param {string} code
 * @returns {Promise<SignInResult>}
 */
export function verifySecondFactor(code) {
  return call('verify_second_factor', { code });
}

/**
 * Emails a new sign-in code (sign-in stage "email_code").
 * @returns {Promise<void>}
 */
export function resendEmailCode() {
  return call('resend_email_code');
}

/**
 * Starts setting up the authenticator app (sign-in stage "totp_enrolment").
 * @returns {Promise<TotpEnrolment>}
 */
export function beginTotpEnrolment() {
  return call('begin_totp_enrolment');
}

/**
 * Ends the set-up with a code the app shows, and signs in.
 * @param {string} code
 * @returns {Promise<TotpEnrolled>}
 */
export function finishTotpEnrolment(code) {
  return call('finish_totp_enrolment', { code });
}

/** @returns {Promise<null>} */
export function signOut() {
  return call('sign_out');
}

/** The signed-in operator and their rights. @returns {Promise<Me>} */
export function me() {
  return call('me');
}

/**
 * Changes the operator's own password; ends a pending forced change.
 * @param {string} current_password
 * @param {string} new_password
 * @returns {Promise<Me>}
 */
export function changePassword(current_password, new_password) {
  return call('change_password', { current_password, new_password });
}

/**
 * Switches off the operator's own second factor, confirmed with their
 * password and a current code from their authenticator app (or a recovery code).
 * @param {string} password
 * @param {string} code
 * @returns {Promise<Me>}
 */
export function turnOffOwnTwoFactor(password, code) {
  return call('turn_off_own_two_factor', { password, code });
}

/** Locks the session now, until `unlockSession`. @returns {Promise<null>} */
export function lockSession() {
  return call('lock_session');
}

/**
 * Unlocks a locked session (a wrong password counts toward the account's lockout).
 * @param {string} password
 * @returns {Promise<Me>}
 */
export function unlockSession(password) {
  return call('unlock_session', { password });
}

/** Every permission a group can carry. @returns {Promise<Permission[]>} */
export function permissionCatalogue() {
  return call('permission_catalogue');
}

/** @returns {Promise<Settings>} */
export function settings() {
  return call('settings');
}

/**
 * Saves every setting at once (needs `settings.manage`); a bad value changes nothing.
 * @param {Settings} settings
 * @returns {Promise<Settings>} the saved settings
 */
export function updateSettings(settings) {
  return call('update_settings', { settings });
}

/**
 * Asks a yes/no question in a native dialog.
 * @param {{title: string, message: string, ok_label: string}} question
 * @returns {Promise<boolean>} true when the person chose `ok_label`
 */
export function confirm({ title, message, ok_label }) {
  return call('confirm', { title, message, ok_label });
}

// --- Mail and handing credentials over ------------------------------------------

/**
 * The mail server's settings (needs `settings.manage`); never its password.
 * @returns {Promise<MailSettingsView>}
 */
export function mailSettings() {
  return call('mail_settings');
}

/**
 * Saves the mail server's settings, or with `settings` null removes them.
 * @param {MailSettings | null} settings
 * @param {string | null} password null keeps the one in this computer's
 *   keychain, "" forgets it, anything else is kept there
 * @returns {Promise<MailSettingsView>}
 */
export function updateMailSettings(settings, password) {
  return call('update_mail_settings', { settings, password });
}

/**
 * Sends a short test message through the mail server.
 * @param {string} to
 * @returns {Promise<null>}
 */
export function sendTestEmail(to) {
  return call('send_test_email', { to });
}

/**
 * Puts a password on the clipboard; Rust clears it after 60 seconds if it
 * is still there. Nothing can be read back.
 * @param {string} text
 * @returns {Promise<null>}
 */
export function copySecret(text) {
  return call('copy_secret', { text });
}

/**
 * Asks where to save a sign-in sheet (the native save dialog) and writes it.
 * @param {{name: string, email: string, password: string, must_change_password: boolean}} sheet
 * @returns {Promise<{saved: string | null}>} the file, or null when cancelled
 */
export function saveCredentialsSheet({ name, email, password, must_change_password }) {
  return call('save_credentials_sheet', { name, email, password, must_change_password });
}

// --- Where the directory is kept ----------------------------------------------
//
// Allowed on first run (before any administrator exists); afterwards they
// need `settings.manage`. Switching signs out: call app_status again after.

/**
 * Connects to a server and reads its version, changing nothing.
 * @param {Remote} remote
 * @param {string} password "" for none (e.g. trust authentication)
 * @returns {Promise<StoreServer>}
 */
export function testStoreConnection(remote, password) {
  return call('test_store_connection', { remote, password });
}

/**
 * Switches this computer to the directory on that server: saves the choice,
 * keeps the password in the OS keychain, and signs out. `initialized` in the
 * result says whether the server's directory already has users (sign in
 * there) or is empty (create its first administrator with `initialize`).
 * @param {Remote} remote
 * @param {string} password
 * @returns {Promise<AppStatus>}
 */
export function connectStore(remote, password) {
  return call('connect_store', { remote, password });
}

/**
 * @typedef {object} LocalSignIn
 * @property {string} email
 * @property {string} password
 * @property {string} code from the authenticator app or a recovery code ("" for none)
 */

/**
 * Switches this computer back to the local SQLite file, and signs out.
 * While a server is in use, Rust asks for a sign-in to the local directory
 * (error `local_sign_in_required`), unless that directory is still empty.
 * @param {LocalSignIn | null} [local]
 * @returns {Promise<AppStatus>}
 */
export function useLocalStore(local = null) {
  if (!local) return call('use_local_store');
  return call('use_local_store', {
    email: local.email,
    password: local.password,
    code: local.code === '' ? null : local.code,
  });
}

/**
 * Copies the local directory into an empty one on that server and checks
 * the counts (`store_not_empty` if it holds a directory already). The local
 * store stays as it is, and in use. May take tens of seconds.
 * @param {Remote} remote
 * @param {string} password
 * @returns {Promise<StoreCopy>}
 */
export function copyStoreToRemote(remote, password) {
  return call('copy_store_to_remote', { remote, password });
}

// --- Users -------------------------------------------------------------------

/**
 * One page of the users overview (keyset paging: pass the previous page's `next` as `after`).
 * @param {UserQuery} [query]
 * @returns {Promise<UserPage>}
 */
export function listUsers(query = {}) {
  return call('list_users', { query });
}

/** @param {number} id @returns {Promise<User>} */
export function getUser(id) {
  return call('get_user', { id });
}

/**
 * Whether no user (other than `except_id`) has this email, ignoring case.
 * @param {string} email
 * @param {number | null} [except_id] the user being edited
 * @returns {Promise<boolean>}
 */
export function emailAvailable(email, except_id = null) {
  return call('email_available', { email, except_id });
}

/**
 * Creates a user; with `send_credentials`, emails them their password
 * (`mail_not_configured` without a mail server; a failed send leaves the
 * user created and says why in `delivery`).
 * @param {NewUser} user
 * @param {boolean} [send_credentials]
 * @returns {Promise<WithCredentials>}
 */
export function createUser(user, send_credentials = false) {
  return call('create_user', { user, send_credentials });
}

/**
 * Saves a user's fields; refused with `changed_by_someone_else` when `user.version` is stale.
 * @param {number} id
 * @param {UserChanges} user
 * @returns {Promise<User>}
 */
export function updateUser(id, user) {
  return call('update_user', { id, user });
}

/**
 * @param {number} id
 * @param {Status} status
 * @param {number} version
 * @returns {Promise<User>}
 */
export function setUserStatus(id, status, version) {
  return call('set_user_status', { id, status, version });
}

/** @param {number} id @param {number} version @returns {Promise<null>} */
export function deleteUser(id, version) {
  return call('delete_user', { id, version });
}

/**
 * Sets a new password; with `send_credentials`, emails it (as `createUser`).
 * @param {number} id
 * @param {string} password
 * @param {boolean} must_change_password
 * @param {boolean} [send_credentials]
 * @returns {Promise<WithCredentials>}
 */
export function resetPassword(id, password, must_change_password, send_credentials = false) {
  return call('reset_password', { id, password, must_change_password, send_credentials });
}

/**
 * Clears a user's failed sign-ins and lock (needs `users.credentials`).
 * @param {number} id
 * @returns {Promise<User>}
 */
export function unlockUser(id) {
  return call('unlock_user', { id });
}

/**
 * Makes a user set up their authenticator app again at their next sign-in
 * (needs `users.credentials`).
 * @param {number} id
 * @returns {Promise<User>}
 */
export function resetTwoFactor(id) {
  return call('reset_two_factor', { id });
}

/**
 * Enabled administrators who sign in without a second factor (needs
 * `users.view` or `settings.manage`; `administrators` is null without
 * `users.view`).
 * @returns {Promise<AdministratorsWithoutSecondFactor>}
 */
export function administratorsWithoutSecondFactor() {
  return call('administrators_without_second_factor');
}

/**
 * A new random password from the OS's random source.
 * @param {PasswordOptions} [options] the app's defaults when left out
 * @returns {Promise<string>}
 */
export function generatePassword(options) {
  return call('generate_password', options ? { options } : {});
}

/**
 * The policy's verdict and a strength estimate, for feedback while typing.
 * @param {string} password
 * @param {string} name the account's name (a password may not equal it)
 * @param {string} email the account's email (likewise)
 * @returns {Promise<PolicyVerdict>}
 */
export function checkPassword(password, name, email) {
  return call('check_password', { password, name, email });
}

/**
 * The newest audit events about one user (needs `audit.view`).
 * @param {number} id
 * @param {number} [limit]
 * @returns {Promise<AuditEvent[]>}
 */
export function userAudit(id, limit) {
  return call('user_audit', limit === undefined ? { id } : { id, limit });
}

// --- Groups ------------------------------------------------------------------

/** @returns {Promise<Group[]>} */
export function listGroups() {
  return call('list_groups');
}

/** @param {GroupFields} group @returns {Promise<Group>} */
export function createGroup(group) {
  return call('create_group', { group });
}

/**
 * @param {number} id
 * @param {GroupFields & {version: number}} group
 * @returns {Promise<Group>}
 */
export function updateGroup(id, group) {
  return call('update_group', { id, group });
}

/** @param {number} id @param {number} version @returns {Promise<null>} */
export function deleteGroup(id, version) {
  return call('delete_group', { id, version });
}

// --- Clients -----------------------------------------------------------------
//
// For an operator who sees client data masked, every name, email and phone
// number arrives masked from Rust (`masked: true`); nothing here unmasks.

/**
 * @typedef {object} Client
 * @property {number} id
 * @property {string} name
 * @property {string | null} email
 * @property {string | null} phone international format, e.g. "+44 20 7946 0961"
 * @property {string | null} country ISO 3166-1 alpha-2, e.g. "GB"
 * @property {string} created_at RFC 3339, UTC
 * @property {string} updated_at RFC 3339, UTC
 * @property {number} version
 * @property {boolean} masked whether name, email and phone are shown masked
 *
 * @typedef {object} ClientQuery
 * @property {string} [search]
 * @property {"name" | "created"} [sort]
 * @property {"asc" | "desc"} [direction]
 * @property {number} [limit]
 * @property {string} [after] the `next` cursor of the previous page
 *
 * @typedef {object} ClientPage
 * @property {Client[]} clients
 * @property {{count: number, exact: boolean}} total
 * @property {"name" | "created"} sort the order the page is in (always "created" for a masked operator)
 * @property {string | null} next
 *
 * @typedef {object} ClientFields
 * @property {string} name
 * @property {string | null} email
 * @property {string | null} phone
 * @property {string | null} country
 *
 * @typedef {object} ClientChanges only the fields sent change; null clears one
 * @property {number} version the version the form was filled from
 * @property {string} [name]
 * @property {string | null} [email]
 * @property {string | null} [phone]
 * @property {string | null} [country]
 *
 * @typedef {object} ImportReport
 * @property {number} rows data rows read
 * @property {number} created clients created (or that would be, in a dry run)
 * @property {{line: number, message: string}[]} errors
 *
 * @typedef {object} ImportResult
 * @property {string | null} file the file chosen, null when the dialog was cancelled
 * @property {ImportReport | null} report
 */

/** @param {ClientQuery} [query] @returns {Promise<ClientPage>} */
export function listClients(query = {}) {
  return call('list_clients', { query });
}

/** @param {number} id @returns {Promise<Client>} */
export function getClient(id) {
  return call('get_client', { id });
}

/** @param {ClientFields} client @returns {Promise<Client>} */
export function createClient(client) {
  return call('create_client', { client });
}

/** @param {number} id @param {ClientChanges} changes @returns {Promise<Client>} */
export function updateClient(id, changes) {
  return call('update_client', { id, changes });
}

/** @param {number} id @param {number} version @returns {Promise<null>} */
export function deleteClient(id, version) {
  return call('delete_client', { id, version });
}

/**
 * Imports clients from a CSV file chosen in the native open dialog (or, with
 * `use_last_file`, the file of the last dry run). `onProgress` receives
 * `{done, total}` rows as Rust works through them.
 * @param {{dry_run: boolean, use_last_file?: boolean,
 *   onProgress?: (progress: {done: number, total: number}) => void}} options
 * @returns {Promise<ImportResult>}
 */
export function importClients({ dry_run, use_last_file = false, onProgress }) {
  const Channel = window.__TAURI__?.core?.Channel;
  /** @type {Record<string, unknown>} */
  const args = { dry_run, use_last_file };
  if (onProgress && typeof Channel === 'function') {
    const channel = new Channel();
    channel.onmessage = onProgress;
    args.on_progress = channel;
  }
  return call('import_clients', args);
}

/**
 * Asks where to save (the native save dialog) and writes the clients the
 * query finds as CSV, masked as the operator sees them.
 * @param {ClientQuery} [query]
 * @returns {Promise<{saved: string | null}>} the file, or null when cancelled
 */
export function exportClients(query = {}) {
  return call('export_clients', { query });
}
