// The hand-over panel: after a user was created or their password reset,
// and the credentials were not emailed, it shows the email address and the
// password once, to give to the person: copy the password (Rust clears the
// clipboard after 60 seconds if it still holds it), save a sign-in sheet
// through the native save dialog, or print the panel (style.css prints only
// the panel while it is open).
//
// A modal dialog inside the view, not in the browser's top layer: the lock
// screen still covers it, and leaving the view (sign-out, session end)
// closes it. When it closes, the password leaves the page: its text is
// emptied, the panel removed, and no reference to it is kept here.

import { h, uid } from '../dom.js';
import { busy } from '../widgets.js';

/** The controls Tab moves between inside the panel. */
const FOCUSABLE = 'button:not(:disabled), [href], input:not(:disabled), select:not(:disabled), [tabindex]:not([tabindex="-1"])';

/**
 * @typedef {object} Credentials
 * @property {string} name the user's name
 * @property {string} email
 * @property {string} password
 * @property {boolean} must_change_password whether they choose their own at first sign-in
 */

/**
 * Opens the panel over `container` (the view's root).
 *
 * @param {object} options
 * @param {typeof import('../api.js')} options.api
 * @param {HTMLElement} options.container where the panel goes; its other children are inert meanwhile
 * @param {AbortSignal} options.signal the view's: leaving the view closes the panel
 * @param {Credentials} options.credentials
 * @param {string} options.intro what just happened, e.g. "Ann Lee was created."
 * @param {string | null} [options.failure] why the credentials email could not be sent
 * @param {() => void} [options.onClose] after "Done" or Escape (not when the view is left)
 */
export function openHandover({ api, container, signal, credentials, intro, failure = null, onClose }) {
  /** @type {Credentials | null} dropped on close */
  let held = { ...credentials };
  const headingId = uid('handover');
  const introId = uid('handover-intro');
  const password = h('code', { class: 'chip handover-password' }, held.password);
  const status = h('p', { class: 'ok handover-status', role: 'status' });
  const copy = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', onclick: onCopy }, 'Copy password'));
  const save = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', onclick: onSave }, 'Save to a file…'));
  const print = h('button', { type: 'button', class: 'button', onclick: () => window.print() }, 'Print');
  const done = h('button', { type: 'button', class: 'button button-primary', onclick: () => close(true) }, 'Done');

  const dialog = h('div', {
    class: 'panel stack handover',
    role: 'dialog',
    'aria-modal': 'true',
    'aria-labelledby': headingId,
    'aria-describedby': introId,
  },
  h('h2', { id: headingId }, 'Hand over the credentials'),
  failure ? h('p', { class: 'alert alert-error', role: 'alert' }, `The credentials email could not be sent. ${failure}`) : null,
  h('p', { id: introId }, `${intro} Give ${held.name} these details in person or by phone. They are shown only this once.`),
  h('dl', { class: 'facts handover-facts' },
    h('div', { class: 'fact' }, h('dt', null, 'Name'), h('dd', null, held.name)),
    h('div', { class: 'fact' }, h('dt', null, 'Email'), h('dd', null, held.email)),
    h('div', { class: 'fact' }, h('dt', null, 'Password'), h('dd', null, password)),
  ),
  held.must_change_password
    ? h('p', null, 'They will be asked to choose a new password at first sign-in.')
    : null,
  h('p', { class: 'print-only' },
    'Sign in to Roster with this email address and password. Keep this sheet private, and destroy it once you have signed in.'),
  h('div', { class: 'actions handover-actions' }, copy, save, print, done),
  status,
  );
  const backdrop = h('div', { class: 'handover-backdrop' }, dialog);

  // Everything else is out of reach while the panel is open.
  const header = document.querySelector('.app-header');
  /** @type {Element[]} */
  const madeInert = [...container.children, header].filter(
    (el) => el instanceof HTMLElement && !el.inert,
  );
  for (const el of madeInert) /** @type {HTMLElement} */ (el).inert = true;
  const returnFocus = document.activeElement;
  container.append(backdrop);
  document.body.classList.add('handover-open');
  dialog.addEventListener('keydown', onKeydown);
  signal.addEventListener('abort', () => close(false), { once: true });
  copy.focus();

  /** @param {KeyboardEvent} event */
  function onKeydown(event) {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close(true);
      return;
    }
    if (event.key !== 'Tab') return;
    const focusable = [...dialog.querySelectorAll(FOCUSABLE)];
    if (!focusable.length) return;
    const first = /** @type {HTMLElement} */ (focusable[0]);
    const last = /** @type {HTMLElement} */ (focusable[focusable.length - 1]);
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  async function onCopy() {
    if (!held) return;
    const text = held.password;
    status.textContent = '';
    try {
      await busy(copy, () => api.copySecret(text));
      status.textContent = 'Copied. The clipboard is cleared in 60 seconds.';
    } catch (error) {
      status.textContent = api.messageOf(error);
    }
  }

  async function onSave() {
    if (!held) return;
    const sheet = { ...held };
    status.textContent = '';
    try {
      const { saved } = await busy(save, () => api.saveCredentialsSheet(sheet));
      if (!held) return;
      status.textContent = saved ? `Saved to ${saved}.` : 'Not saved.';
    } catch (error) {
      if (held) status.textContent = api.messageOf(error);
    }
  }

  /** @param {boolean} byPerson "Done" or Escape, rather than leaving the view */
  function close(byPerson) {
    if (!held) return;
    held = null;
    password.textContent = '';
    status.textContent = '';
    backdrop.remove();
    document.body.classList.remove('handover-open');
    for (const el of madeInert) /** @type {HTMLElement} */ (el).inert = false;
    if (!byPerson) return;
    const back = returnFocus instanceof HTMLElement && returnFocus.isConnected && returnFocus !== document.body
      ? returnFocus
      : /** @type {HTMLElement | null} */ (container.querySelector('h1'));
    if (back && back.tabIndex < 0 && !back.matches(FOCUSABLE)) back.tabIndex = -1;
    back?.focus({ preventScroll: true });
    onClose?.();
  }
}
