// The forced password change: an operator flagged "must change password"
// sees only this screen after signing in. Rust refuses every other command
// until the change is made; the only way elsewhere is signing out.

import { h } from '../dom.js';
import { field, formError, passwordFields, placeError, progress, submitting } from '../widgets.js';

/**
 * @param {HTMLElement} root
 * @param {import('../main.js').Context} ctx `signOut` leaves the screen
 */
export function render(root, ctx) {
  const { api, signal, me } = ctx;
  const current = /** @type {HTMLInputElement} */ (h('input', { type: 'password', autocomplete: 'current-password' }));
  const currentField = field('Current password', current);
  const password = passwordFields({
    api,
    label: 'New password',
    confirmLabel: 'Confirm new password',
    account: () => ({ name: me.user.name, email: me.user.email }),
  });
  signal.addEventListener('abort', () => password.dispose());
  current.addEventListener('input', () => currentField.setError(null));

  const general = formError();
  const working = progress('Changing the password');
  working.hidden = true;
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'button button-primary' }, 'Change password'));
  const signOut = h('button', { type: 'button', class: 'button', onclick: () => ctx.signOut() }, 'Sign out');

  const form = h('form', { class: 'panel medium stack', novalidate: true, onsubmit: onSubmit },
    h('h1', null, 'Change your password'),
    h('p', { class: 'lead' }, 'Your administrator asks you to choose a new password before you continue.'),
    h('p', { class: 'hint' }, `Signed in as ${me.user.name} (${me.user.email}).`),
    currentField.root,
    password.root,
    general.root,
    working,
    h('div', { class: 'actions' }, submit, signOut),
  );
  root.append(h('div', { class: 'centered' }, form));
  current.focus();

  /** @param {SubmitEvent} event */
  async function onSubmit(event) {
    event.preventDefault();
    general.show(null);
    if (!password.confirmMatches()) {
      password.confirm?.focus();
      return;
    }
    try {
      const changed = await submitting(form, submit, working, () => api.changePassword(current.value, password.input.value));
      // The plaintexts leave the page before the app replaces it.
      current.value = '';
      password.clear();
      password.dispose();
      ctx.signedIn(changed, { message: 'Your password was changed.' });
    } catch (error) {
      if (signal.aborted) return;
      placeError(error, { current_password: currentField, password: password.field }, general);
    }
  }
}
