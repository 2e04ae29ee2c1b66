// "About Roster": the product, its version (the one `roster --version` and
// the installers carry) and where this window's directory is kept. A modal
// <dialog>: Escape or Close ends it and focus returns to the About button.

import { h } from '../dom.js';

/**
 * Opens the About dialog over the window.
 * @param {import('../api.js').AppStatus | null} app as app_status reported it
 */
export function showAbout(app) {
  const name = app?.name || 'Roster';
  const close = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'button button-primary' }, 'Close'));
  const dialog = /** @type {HTMLDialogElement} */ (h('dialog', { class: 'about', 'aria-labelledby': 'about-heading' },
    h('form', { method: 'dialog', class: 'stack' },
      h('h2', { id: 'about-heading' }, `About ${name}`),
      h('p', null, 'Administer your company\'s back-office user accounts.'),
      h('dl', { class: 'about-facts' },
        h('dt', null, 'Version'), h('dd', { class: 'about-version' }, app?.version ?? ''),
        h('dt', null, 'Directory'), h('dd', null, app?.store.description ?? ''),
        h('dt', null, 'Licence'), h('dd', null, 'MIT or Apache-2.0'),
      ),
      h('div', { class: 'actions' }, close),
    ),
  ));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  close.focus();
}
