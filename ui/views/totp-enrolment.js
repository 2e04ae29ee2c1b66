// Setting up the authenticator app, the first time someone whose two-factor
// method is "Authenticator app (TOTP)" signs in (or after an administrator
// reset it): scan the QR code (or type the key), confirm with a code the app
// shows, then save the ten recovery codes, shown this once, before going on.
//
// The QR code arrives from Rust as an SVG document and is shown as an
// `<img>` with a data: URL (the CSP allows `img-src data:`), so it is never
// parsed into the page.

import { h, replaceChildren } from '../dom.js';
import { checkbox, field, formError, placeError, progress, submitting } from '../widgets.js';

/**
 * @param {HTMLElement} root
 * @param {import('../main.js').Context} ctx `signedIn` opens the app; `signOut` leaves
 */
export function render(root, ctx) {
  const { api, signal } = ctx;
  const heading = h('h1', { tabindex: '-1' }, 'Set up your authenticator app');
  const loading = progress('Preparing the set-up');
  const panel = h('section', { class: 'panel medium stack', 'aria-busy': 'true' }, heading, loading);
  root.append(h('div', { class: 'centered' }, panel));
  start();

  async function start() {
    panel.setAttribute('aria-busy', 'true');
    replaceChildren(panel, heading, loading);
    try {
      const enrolment = await api.beginTotpEnrolment();
      if (signal.aborted) return;
      showSetUp(enrolment);
    } catch (error) {
      if (signal.aborted) return;
      replaceChildren(panel, heading,
        h('p', { class: 'alert alert-error', role: 'alert' }, api.messageOf(error)),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'button button-primary', onclick: start }, 'Try again'),
          h('button', { type: 'button', class: 'button', onclick: () => ctx.signOut() }, 'Sign out'),
        ),
      );
    } finally {
      panel.removeAttribute('aria-busy');
    }
  }

  /** @param {import('../api.js').TotpEnrolment} enrolment */
  function showSetUp(enrolment) {
    const code = /** @type {HTMLInputElement} */ (h('input', {
      type: 'text',
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
      spellcheck: 'false',
      maxlength: '10',
      class: 'code-input',
    }));
    const codeField = field('Code', code);
    code.addEventListener('input', () => codeField.setError(null));
    const general = formError();
    const working = progress('Confirming');
    working.hidden = true;
    const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'button button-primary' }, 'Confirm'));
    const signOut = h('button', { type: 'button', class: 'button', onclick: () => ctx.signOut() }, 'Sign out');

    const form = h('form', { class: 'stack', novalidate: true, onsubmit: onSubmit },
      h('p', { class: 'step' }, '2. Enter the 6-digit code it shows:'),
      codeField.root,
      general.root,
      working,
      h('div', { class: 'actions' }, submit, signOut),
    );
    replaceChildren(panel, heading,
      h('div', { class: 'stack' },
        h('p', { class: 'step' }, '1. Scan this QR code with an authenticator app (or enter the key by hand).'),
        h('div', { class: 'enrol-code' },
          h('img', {
            class: 'qr-code',
            alt: 'QR code for your authenticator app',
            src: `data:image/svg+xml;base64,${base64(enrolment.qr_svg)}`,
          }),
          h('dl', { class: 'enrol-key' },
            h('div', { class: 'fact' },
              h('dt', null, 'Key'),
              h('dd', null, h('code', { class: 'chip' }, enrolment.secret)),
            ),
          ),
        ),
      ),
      form,
    );
    heading.focus({ preventScroll: true });

    /** @param {SubmitEvent} event */
    async function onSubmit(event) {
      event.preventDefault();
      general.show(null);
      try {
        const done = await submitting(form, submit, working, () => api.finishTotpEnrolment(code.value.trim()));
        code.value = '';
        if (signal.aborted) return;
        showRecoveryCodes(done);
      } catch (error) {
        if (signal.aborted) return;
        code.value = '';
        placeError(error, { code: codeField }, general);
        code.focus();
      }
    }
  }

  /** @param {import('../api.js').TotpEnrolled} done */
  function showRecoveryCodes(done) {
    const title = h('h1', { tabindex: '-1' }, 'Save your recovery codes');
    const proceed = /** @type {HTMLButtonElement} */ (h('button', {
      type: 'button',
      class: 'button button-primary',
      disabled: true,
      onclick: () => {
        // The codes leave the page before the app replaces it.
        replaceChildren(panel);
        ctx.signedIn(done.me);
      },
    }, 'Continue'));
    const saved = checkbox('I have saved these codes', {
      onchange: () => { proceed.disabled = !saved.input.checked; },
    });
    replaceChildren(panel, title,
      h('p', null, 'Each code lets you sign in once if you lose your phone. They are shown only now.'),
      h('ul', { class: 'recovery-codes', 'aria-label': 'Recovery codes' },
        done.recovery_codes.map((c) => h('li', null, h('code', null, c)))),
      saved.root,
      h('div', { class: 'actions' }, proceed),
    );
    document.title = 'Save your recovery codes — Roster';
    title.focus({ preventScroll: true });
  }
}

/**
 * Base64 of a string's UTF-8 bytes (`btoa` alone takes only Latin-1).
 * @param {string} text
 * @returns {string}
 */
function base64(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
