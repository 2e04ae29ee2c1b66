// A sign-in to this computer's local directory, asked for when this computer
// uses a server and is to go back to its local file. The local file may hold
// an old copy of the directory, so Rust lets only a user of *that* directory
// who may change settings switch back (or anyone, if it is still empty).

import { h } from '../dom.js';
import { field } from '../widgets.js';

/**
 * @typedef {object} LocalSignIn
 * @property {HTMLElement} root the fields, to place in a form
 * @property {() => import('../api.js').LocalSignIn} value as typed
 * @property {() => void} clear forgets the password and the code
 */

/** @returns {LocalSignIn} */
export function localSignInFields() {
  const email = /** @type {HTMLInputElement} */ (h('input', {
    type: 'email', autocomplete: 'username', spellcheck: 'false', autocapitalize: 'off',
  }));
  const password = /** @type {HTMLInputElement} */ (h('input', {
    type: 'password', autocomplete: 'current-password', maxlength: '128',
  }));
  const code = /** @type {HTMLInputElement} */ (h('input', {
    type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', spellcheck: 'false',
  }));
  const root = h('div', { class: 'stack' },
    h('p', { class: 'hint' },
      'Sign in to the local directory with an account that may change settings there.'),
    field('Email (local directory)', email).root,
    field('Password', password).root,
    field('Code', code, { class: 'field-narrow', hint: 'From your authenticator app, or a recovery code; leave empty if none is asked.' }).root,
  );
  return {
    root,
    value: () => ({ email: email.value.trim(), password: password.value, code: code.value.trim() }),
    clear: () => { password.value = ''; code.value = ''; },
  };
}
