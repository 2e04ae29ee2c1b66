// Generating a password and checking one against the policy as it is typed.

import { call } from './call.js';

/**
 * @typedef {object} PolicyVerdict
 * @property {{code: string, message: string}[]} problems empty when the policy accepts it
 * @property {{score: number, label: string, warning: string | null,
 *   suggestions: string[], crack_time: string}} strength score 0-4
 *
 * @typedef {object} PasswordOptions
 * @property {number} length
 * @property {boolean} lowercase
 * @property {boolean} uppercase
 * @property {boolean} digits
 * @property {boolean} symbols
 * @property {boolean} exclude_ambiguous
 */

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
