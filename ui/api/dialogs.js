// Native dialogs opened from Rust.

import { call } from './call.js';

/**
 * Asks a yes/no question in a native dialog.
 * @param {{title: string, message: string, ok_label: string}} question
 * @returns {Promise<boolean>} true when the person chose `ok_label`
 */
export function confirm({ title, message, ok_label }) {
  return call('confirm', { title, message, ok_label });
}
