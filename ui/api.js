// The only module views talk to the Rust side through.
//
// One function per command of src-tauri/COMMANDS.md, filed by area under
// api/ as the commands are in src-tauri/src/commands/, so the set of
// commands the web view uses is visible in one place and matches the
// capability in tauri.conf.json. `api/call.js` holds the UI's one call of
// `invoke`. The Rust side checks every right itself; nothing here is a
// security decision.
//
// Every function returns a promise that rejects with an `ApiError`
// (`{code, message, field}`), whatever went wrong: a refusal from Rust, a
// command the capability does not allow (Tauri rejects with a plain string),
// or the window opened outside the desktop app.

export {
  LOCKED_EVENT,
  PASSWORD_CHANGE_EVENT,
  SIGNED_OUT_EVENT,
  STORE_OK_EVENT,
  STORE_UNREACHABLE_EVENT,
  messageOf,
} from './api/call.js';
export * from './api/session.js';
export * from './api/settings.js';
export * from './api/dialogs.js';
export * from './api/mail.js';
export * from './api/handover.js';
export * from './api/store.js';
export * from './api/users.js';
export * from './api/passwords.js';
export * from './api/groups.js';
export * from './api/clients.js';
export * from './api/audit.js';
export * from './api/bulk.js';
export * from './api/backups.js';

/** @typedef {import('./api/call.js').ApiError} ApiError */
