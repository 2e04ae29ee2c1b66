// Sign in with email and password; main.js then shows what the result's
// `stage` asks for (the app, the second factor, or the authenticator's set-up).
//
// The error is shown exactly as Rust words it: it never says whether the
// email exists, and neither may the UI (so no field is marked as the culprit).

import { h } from '../dom.js';
import { field, formError, progress, submitting } from '../widgets.js';

/**
 * @param {HTMLElement} root
 * @param {import('../main.js').Context} ctx
 */
export function render(root, ctx) {
  const { api } = ctx;
  const email = /** @type {HTMLInputElement} */ (h('input', {
    type: 'email', autocomplete: 'username', spellcheck: 'false', autocapitalize: 'off',
  }));
  const password = /** @type {HTMLInputElement} */ (h('input', { type: 'password', autocomplete: 'current-password' }));
  const general = formError();
  const working = progress('Signing in');
  working.hidden = true;
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'button button-primary' }, 'Sign in'));

  const form = h('form', { class: 'panel narrow stack', novalidate: true, onsubmit: onSubmit },
    h('h1', null, 'Sign in to Roster'),
    h('p', { class: 'product-version' }, `Version ${ctx.app?.version ?? ''}`),
    field('Email', email).root,
    field('Password', password).root,
    general.root,
    working,
    h('div', { class: 'actions' }, submit),
  );
  root.append(h('div', { class: 'centered' }, form));
  email.focus();

  /** @param {SubmitEvent} event */
  async function onSubmit(event) {
    event.preventDefault();
    general.show(null);
    try {
      const result = await submitting(form, submit, working, () => api.signIn({ email: email.value, password: password.value }));
      password.value = '';
      // Signed in, or on to the second factor or the authenticator's set-up.
      ctx.continueSignIn(result);
    } catch (error) {
      if (ctx.signal.aborted) return;
      general.show(api.messageOf(error));
      password.value = '';
      password.focus();
    }
  }
}
