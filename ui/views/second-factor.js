// The second step of a sign-in: the 6-digit code the authenticator app
// shows (or one of the recovery codes saved when it was set up), or the code
// just sent by email, with a way to send another. The password was right;
// the session exists only once the code is.
//
// Errors are shown as Rust words them; a wrong code counts toward the
// account's lockout like a wrong password.

import { h } from '../dom.js';
import { field, formError, placeError, progress, submitting } from '../widgets.js';

/**
 * @param {HTMLElement} root
 * @param {import('../main.js').Context} ctx `continueSignIn` goes on; `signOut` goes back
 * @param {{byEmail?: boolean}} [options] the code was sent by email
 */
export function render(root, ctx, options = {}) {
  const byEmail = Boolean(options.byEmail);
  const { api, signal } = ctx;
  // Text, not numeric: recovery codes have letters and a dash.
  const code = /** @type {HTMLInputElement} */ (h('input', {
    type: 'text',
    autocomplete: 'one-time-code',
    spellcheck: 'false',
    autocapitalize: 'characters',
    maxlength: '32',
    class: 'code-input',
  }));
  const codeField = field('Code', code);
  code.addEventListener('input', () => codeField.setError(null));
  const general = formError();
  const working = progress('Verifying');
  working.hidden = true;
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'button button-primary' }, 'Verify'));
  const cancel = h('button', { type: 'button', class: 'button', onclick: () => ctx.signOut() }, 'Cancel');
  const sent = h('p', { role: 'status', class: 'muted' });
  const resend = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', onclick: onResend }, 'Send a new code'));

  const form = h('form', { class: 'panel narrow stack', novalidate: true, onsubmit: onSubmit },
    h('h1', null, 'Two-step verification'),
    h('p', null, byEmail
      ? 'We emailed you a 6-digit code. Enter it here; it works once, for 10 minutes.'
      : 'Enter the 6-digit code from your authenticator app, or one of your recovery codes.'),
    codeField.root,
    general.root,
    working,
    byEmail ? sent : null,
    h('div', { class: 'actions' }, submit, byEmail ? resend : null, cancel),
  );
  root.append(h('div', { class: 'centered' }, form));
  code.focus();

  async function onResend() {
    general.show(null);
    sent.textContent = '';
    resend.disabled = true;
    try {
      await api.resendEmailCode();
      if (signal.aborted) return;
      sent.textContent = 'A new code is on its way. Earlier codes no longer work.';
    } catch (error) {
      if (signal.aborted) return;
      placeError(error, { code: codeField }, general);
    } finally {
      resend.disabled = false;
      code.focus();
    }
  }

  /** @param {SubmitEvent} event */
  async function onSubmit(event) {
    event.preventDefault();
    general.show(null);
    try {
      const result = await submitting(form, submit, working, () => api.verifySecondFactor(code.value.trim()));
      code.value = '';
      if (signal.aborted) return;
      ctx.continueSignIn(result);
    } catch (error) {
      if (signal.aborted) return;
      code.value = '';
      placeError(error, { code: codeField }, general);
      code.focus();
    }
  }
}
