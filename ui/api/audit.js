// The audit log: the audit page's view, its export, and verifying the hash
// chain. Every command needs `audit.view`, which Rust checks; for an
// operator who sees client data masked, client events arrive masked.

import { call } from './call.js';

/**
 * @typedef {object} AuditFilter
 * @property {number} [operator] events this user made
 * @property {number} [person] a user's whole trail: about them or made by them
 * @property {"user" | "group" | "client" | "settings" | "sign_in"} [target]
 * @property {"accounts" | "rights" | "credentials" | "sign_in" | "settings" | "clients"} [action]
 * @property {string} [from] RFC 3339, inclusive
 * @property {string} [to] RFC 3339, exclusive
 * @property {string} [search] the start of a target's or operator's name or email
 *
 * @typedef {object} AuditPage
 * @property {import('./users.js').AuditEvent[]} events newest first
 * @property {string | null} next the cursor of the following page
 *
 * @typedef {object} Verification
 * @property {number} events how many events were checked
 * @property {boolean} intact
 * @property {string} message one sentence, e.g. "1234 events, intact."
 */

/**
 * @param {AuditFilter} filter
 * @param {{after?: string | null, limit?: number}} [paging]
 * @returns {Promise<AuditPage>}
 */
export function auditPage(filter, paging = {}) {
  return call('audit_page', { filter, after: paging.after ?? null, limit: paging.limit ?? 50 });
}

/**
 * Asks where to save (the native save dialog) and writes exactly the
 * filtered view there as CSV or XLSX.
 * @param {AuditFilter} filter
 * @param {"csv" | "xlsx"} format
 * @returns {Promise<{saved: string | null}>} the file, or null when cancelled
 */
export function exportAudit(filter, format) {
  return call('export_audit', { filter, format });
}

/** @returns {Promise<Verification>} */
export function verifyAudit() {
  return call('verify_audit', {});
}

/**
 * Verifies the chain against a checkpoint file chosen in the native open
 * dialog: whether the log still holds the chain the checkpoint recorded.
 * @returns {Promise<Verification | null>} null when the dialog was cancelled
 */
export function verifyAuditCheckpoint() {
  return call('verify_audit_checkpoint', {});
}

/**
 * Verifies the chain and saves a checkpoint of its head (the native save dialog).
 * @returns {Promise<{saved: string | null}>}
 */
export function saveAuditCheckpoint() {
  return call('save_audit_checkpoint', {});
}

/**
 * @typedef {object} AuditArchivePlan
 * @property {string} before events written before this time go (RFC 3339)
 * @property {number} events how many
 *
 * @typedef {object} AuditArchived
 * @property {number} events how many went to the file and out of the directory
 * @property {number} last_seq the newest of them: the log continues after it
 * @property {string} before
 */

/**
 * What archiving would take: the events older than the setting's months.
 * Needs settings.manage and audit.view.
 * @returns {Promise<AuditArchivePlan>}
 */
export function auditArchivePlan() {
  return call('audit_archive_plan', {});
}

/**
 * Moves the events older than the setting's months to a file chosen in the
 * native save dialog, and out of the directory.
 * @returns {Promise<{saved: string | null, archived: AuditArchived | null}>} nulls when cancelled
 */
export function archiveAudit() {
  return call('archive_audit', {});
}
