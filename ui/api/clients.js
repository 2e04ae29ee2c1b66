// Clients: the overview, one client, the forms, and CSV import and export.
//
// For an operator who sees client data masked, every name, email and phone
// number arrives masked from Rust (`masked: true`); nothing here unmasks.
// The account manager is a user, not client data: never masked.

import { call } from './call.js';

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
 * @property {import('./users.js').PersonRef | null} account_manager the user who
 *   looks after the client; with `clients.view:team` it decides who sees them
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
 * @property {boolean} counting `total` is a lower bound read quickly; countClients counts it in full
 * @property {"name" | "created"} sort the order the page is in (always "created" for a masked operator)
 * @property {string | null} next
 *
 * @typedef {object} ClientFields
 * @property {string} name
 * @property {string | null} email
 * @property {string | null} phone
 * @property {string | null} country
 * @property {number | null} [account_manager] a user's id
 *
 * @typedef {object} ClientChanges only the fields sent change; null clears one
 * @property {number} version the version the form was filled from
 * @property {string} [name]
 * @property {string | null} [email]
 * @property {string | null} [phone]
 * @property {string | null} [country]
 * @property {number | null} [account_manager] a user's id
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

/**
 * The total of a query's clients counted in full (up to the overview's cap),
 * for a page whose `counting` said only "more than" a number read quickly.
 * @param {ClientQuery} query
 * @returns {Promise<{count: number, exact: boolean}>}
 */
export function countClients(query) {
  return call('count_clients', { query });
}

/** @param {number} id @returns {Promise<Client>} */
export function getClient(id) {
  return call('get_client', { id });
}

/**
 * Who may be chosen as a client's account manager: up to 20 enabled users
 * whose name or email matches `search`, only the operator's team when they
 * manage clients for their team. Needs `clients.manage` only (not
 * `users.view`), so the client form asks this rather than listUsers.
 * @param {string} search
 * @returns {Promise<import('./users.js').PersonRef[]>}
 */
export function accountManagerChoices(search) {
  return call('account_manager_choices', { search });
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
