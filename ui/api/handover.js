// Handing credentials over when they are not emailed: what creating a user
// or resetting a password answers, the clipboard and the sign-in sheet.

import { call } from './call.js';

/** @typedef {import('./users.js').User} User */

/**
 * @typedef {{status: "not_requested"} | {status: "sent"} | {status: "failed", reason: string}} Delivery
 *
 * @typedef {User & {delivery: Delivery, generated_password: string | null}} WithCredentials
 *   a user just given a password: `generated_password` only when Roster chose it and did not email it
 */

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
