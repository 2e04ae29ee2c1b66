// The mail server (Settings → Mail): its settings and a test message.

import { call } from './call.js';

/**
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
 */

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
