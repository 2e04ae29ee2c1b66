// Where the directory is kept: a PostgreSQL server, or the local file.
//
// Allowed on first run (before any administrator exists); afterwards they
// need `settings.manage`. Switching signs out: call app_status again after.

import { call } from './call.js';

/** @typedef {import('./session.js').AppStatus} AppStatus */

/**
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
 */

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
