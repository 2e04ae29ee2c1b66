// Users in bulk: importing and exporting spreadsheets (CSV or XLSX), the
// template, the credentials sheet of an import, and one action on many users.
//
// Files are chosen in native dialogs opened by Rust: nothing here names a
// path. The passwords an import generates stay in Rust; the web view learns
// only how many there are and asks Rust to save them.

import { call } from './call.js';

/**
 * @typedef {"csv" | "xlsx"} SheetFormat
 *
 * @typedef {object} CellError
 * @property {number} line the file's line (the header is line 1)
 * @property {string | null} column the column's header, when the problem is in one cell
 * @property {string} message a sentence to show as is
 *
 * @typedef {object} FailedDelivery
 * @property {string} email
 * @property {string} reason why the credentials email was not sent
 *
 * @typedef {object} UserImportReport
 * @property {number} rows data rows read
 * @property {number} created users created (0 on a dry run or with errors)
 * @property {CellError[]} errors the first problems (at most 1,000); empty when the file is good
 * @property {number} more_errors problems past those listed
 * @property {FailedDelivery[]} failed_deliveries credentials emails that failed after the import
 *
 * @typedef {object} UserImportResult
 * @property {string | null} file the file read; null when the dialog was cancelled
 * @property {UserImportReport | null} report
 * @property {number} credentials passwords Rust holds for "Save credentials sheet…"
 *
 * @typedef {object} UserFilters the users overview's query, without paging
 * @property {string} [search]
 * @property {"enabled" | "disabled" | "expired"} [status]
 * @property {number} [group_id]
 * @property {number} [supervisor_id]
 * @property {import('./users.js').FactFilter} [facts]
 * @property {"name" | "email" | "created" | "last_sign_in" | "password_changed" | "failed_sign_ins"} [sort]
 * @property {"asc" | "desc"} [direction]
 *
 * @typedef {{kind: "ids", ids: number[]} | {kind: "matching", query: UserFilters}} BulkSelection
 *
 * @typedef {{action: "enable"} | {action: "disable"} | {action: "add_to_group", group: number}
 *   | {action: "remove_from_group", group: number} | {action: "set_supervisor", supervisor: number | null}
 *   | {action: "require_password_change"} | {action: "reset_two_factor"} | {action: "delete"}} BulkAction
 *
 * @typedef {object} BulkRefusal a selected user the action skips, and why
 * @property {number} id
 * @property {string} name
 * @property {string} email
 * @property {string} message
 *
 * @typedef {object} BulkPlan
 * @property {number} selected
 * @property {number} applicable those the action would change
 * @property {number} unchanged those it would leave as they are (already so)
 * @property {BulkRefusal[]} refusals
 *
 * @typedef {object} BulkReport
 * @property {number} applied
 * @property {number} unchanged
 * @property {BulkRefusal[]} refusals
 */

/**
 * Imports users from a CSV or XLSX file chosen in the native open dialog
 * (with `use_last_file`, the file of the last check again). `dry_run` checks
 * every row and writes nothing. `onProgress` receives `{done, total}` rows.
 * @param {{dry_run: boolean, use_last_file?: boolean, send_credentials?: boolean,
 *   onProgress?: (progress: {done: number, total: number}) => void}} options
 * @returns {Promise<UserImportResult>}
 */
export function importUsers({ dry_run, use_last_file = false, send_credentials = false, onProgress }) {
  const Channel = window.__TAURI__?.core?.Channel;
  /** @type {Record<string, unknown>} */
  const args = { dry_run, use_last_file, send_credentials };
  if (onProgress && typeof Channel === 'function') {
    const channel = new Channel();
    channel.onmessage = onProgress;
    args.on_progress = channel;
  }
  return call('import_users', args);
}

/** Stops the running import: it then fails with `cancelled` and writes nothing. @returns {Promise<null>} */
export function cancelUsersImport() {
  return call('cancel_users_import');
}

/**
 * Writes the last import's passwords through the native save dialog (readable
 * by this computer's user only); Rust forgets them once saved.
 * @param {SheetFormat} format
 * @returns {Promise<{saved: string | null}>}
 */
export function saveImportCredentials(format) {
  return call('save_import_credentials', { format });
}

/** Forgets the last import's passwords without saving them. @returns {Promise<null>} */
export function discardImportCredentials() {
  return call('discard_import_credentials');
}

/**
 * Saves an empty users file (its header and one example row) through the native save dialog.
 * @param {SheetFormat} format
 * @returns {Promise<{saved: string | null}>}
 */
export function saveUsersTemplate(format) {
  return call('save_users_template', { format });
}

/**
 * Writes every user the query finds (every page) through the native save dialog.
 * @param {UserFilters} query
 * @param {SheetFormat} format
 * @returns {Promise<{saved: string | null}>}
 */
export function exportUsers(query, format) {
  return call('export_users', { query, format });
}

/**
 * What an action would do to the selected users, writing nothing.
 * @param {BulkSelection} selection
 * @param {BulkAction} action
 * @returns {Promise<BulkPlan>}
 */
export function planBulkUsers(selection, action) {
  return call('plan_bulk_users', { selection, action });
}

/**
 * Applies an action to every selected user its rules allow (one transaction).
 * @param {BulkSelection} selection
 * @param {BulkAction} action
 * @returns {Promise<BulkReport>}
 */
export function applyBulkUsers(selection, action) {
  return call('apply_bulk_users', { selection, action });
}
