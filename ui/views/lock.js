// The lock screen: shown over the whole window when the session is locked
// (idle too long, Ctrl+L, or Rust refusing a command with `session_locked`).
// main.js keeps the view underneath as it is (an unsaved form keeps what was
// typed) but hidden and inert; only the operator's password brings it back.

import { h } from '../dom.js';
import { field, formError, placeError, progress, submitting } from '../widgets.js';

/**
 * @param {HTMLElement} root the overlay
 * @param {import('../main.js').Context} ctx `unlocked` removes the overlay; `signOut` leaves
 */
export function render(root, ctx) {
  const { api, signal, me } = ctx;
  const password = /** @type {HTMLInputElement} */ (h('input', { type: 'password', autocomplete: 'current-password' }));
  const passwordField = field('Password', password);
  password.addEventListener('input', () => passwordField.setError(null));
  const general = formError();
  const working = progress('Unlocking');
  working.hidden = true;
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'button button-primary' }, 'Unlock'));
  const signOut = h('button', { type: 'button', class: 'button', onclick: () => ctx.signOut() }, 'Sign out');

  const form = h('form', { class: 'panel narrow stack', novalidate: true, onsubmit: onSubmit },
    h('h1', { id: 'lock-heading' }, 'Roster is locked'),
    h('p', null, `Signed in as ${me.user.name} (${me.user.email}). Enter your password to continue.`),
    passwordField.root,
    general.root,
    working,
    h('div', { class: 'actions' }, submit, signOut),
  );
  root.append(h('div', { class: 'centered' }, form));
  password.focus();

  /** @param {SubmitEvent} event */
  async function onSubmit(event) {
    event.preventDefault();
    general.show(null);
    try {
      const fresh = await submitting(form, submit, working, () => api.unlockSession(password.value));
      password.value = '';
      if (signal.aborted) return;
      ctx.unlocked(fresh);
    } catch (error) {
      if (signal.aborted) return;
      password.value = '';
      placeError(error, { password: passwordField }, general);
      password.focus();
    }
  }
}
