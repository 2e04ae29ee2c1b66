// The directory's settings (the mail server's are in mail.js).

import { call } from './call.js';

/** @typedef {import('./users.js').TwoFactor} TwoFactor */

/**
 * @typedef {object} Settings
 * @property {number} password_min_length
 * @property {TwoFactor} default_two_factor for new users
 * @property {number} lockout_threshold failed sign-ins in a row that lock an account
 * @property {number} lockout_minutes the first lock's length; each further failure doubles it
 * @property {number} idle_timeout_minutes minutes without activity before the screen locks
 * @property {number} masked_search_per_minute client searches a masked operator makes in a minute before each further one is slowed down
 * @property {string} company_name the company's name, refused in passwords ("" when not set)
 * @property {number} disable_inactive_after_days enabled accounts with no sign-in for this many days are disabled; 0: never
 * @property {number} recycle_bin_days deleted users are kept restorable this many days; 0: deleted at once
 * @property {number} audit_archive_months audit events older than this are archived ("Archive old events…"); 0: never
 */

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
