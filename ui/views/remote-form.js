// The connection to a PostgreSQL server that keeps the directory: host,
// port, database, user, password and encryption, with "Test connection".
// The first run and Settings place it in a form of their own and add their
// actions (Connect, Copy, Switch); errors from those go through `showError`
// too, so that every problem with the server lands beside the same fields.
//
// The password is never written anywhere by the UI: Rust keeps it in the OS
// keychain once connected, and the form forgets it (`clearPassword`).

import { h } from '../dom.js';
import { busy, field, formError, placeError, progress, textInput } from '../widgets.js';

/** @type {{value: import('../api.js').Tls, label: string}[]} the encryption choices, weakest first */
export const TLS_CHOICES = [
  { value: 'disable', label: 'Off — trusted network only' },
  { value: 'require', label: 'Required' },
  { value: 'verify-full', label: 'Required, verify the server\'s certificate' },
];

/** PostgreSQL's own port, what nearly every server listens on. */
const DEFAULT_PORT = 5432;

/** The safest choice: anything less must be chosen on purpose. */
const DEFAULT_TLS = 'verify-full';

/** @param {string} tls @returns {string} the words for a TLS mode */
export function tlsLabel(tls) {
  return TLS_CHOICES.find((c) => c.value === tls)?.label ?? tls;
}

/**
 * @typedef {object} RemoteFields
 * @property {HTMLElement} root the fields and "Test connection", to place in a form
 * @property {() => import('../api.js').Remote} value the connection as typed
 * @property {() => string} password as typed ("" for none)
 * @property {Record<string, import('../widgets.js').Field>} fields by the names
 *   errors use: host, port, database, user, password, tls
 * @property {() => boolean} check what must hold before asking Rust (the port
 *   is a number), showing the problem beside its field
 * @property {(error: unknown) => void} showError beside its field, or below the fields
 * @property {() => void} clearMessages the test's result and every error
 * @property {() => void} clearPassword once Rust has it (or it is no longer needed)
 * @property {() => void} dispose drops the answer of a test still under way
 */

/**
 * @param {object} options
 * @param {typeof import('../api.js')} options.api
 * @param {import('../api.js').Remote | null} [options.initial] e.g. the server in use
 * @returns {RemoteFields}
 */
export function remoteFields({ api, initial = null }) {
  const host = textInput(initial?.host);
  const port = /** @type {HTMLInputElement} */ (h('input', {
    type: 'number', inputmode: 'numeric', min: '1', max: '65535', step: '1',
    value: String(initial?.port ?? DEFAULT_PORT),
  }));
  const database = textInput(initial?.database);
  const user = textInput(initial?.user);
  // autocomplete "off": this is no account of the person's, a browser's
  // saved password must not be offered (or saved) here.
  const password = /** @type {HTMLInputElement} */ (h('input', {
    type: 'password', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off',
  }));
  const tls = /** @type {HTMLSelectElement} */ (h('select', null,
    TLS_CHOICES.map((c) => h('option', { value: c.value }, c.label))));
  tls.value = initial?.tls ?? DEFAULT_TLS;

  /** @type {Record<string, import('../widgets.js').Field>} */
  const fields = {
    host: field('Host', host),
    port: field('Port', port),
    database: field('Database', database),
    user: field('User', user),
    password: field('Password', password, { class: 'field-narrow', hint: 'Kept in this computer\'s keychain, never in a file.' }),
    tls: field('Encryption (TLS)', tls, { class: 'field-narrow' }),
  };

  const testButton = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', onclick: test }, 'Test connection'));
  const result = h('p', { class: 'ok', role: 'status' });
  const testing = progress('Testing the connection');
  testing.hidden = true;
  const general = formError();

  const root = h('div', { class: 'remote-fields' },
    h('div', { class: 'form-grid form-grid-host' }, fields.host.root, fields.port.root),
    h('div', { class: 'form-grid' }, fields.database.root, fields.user.root),
    fields.password.root,
    fields.tls.root,
    h('div', { class: 'actions' }, testButton, result),
    testing,
    general.root,
  );

  // A change makes the last test's answer (and the field's error) stale.
  for (const f of Object.values(fields)) {
    f.control.addEventListener('input', () => {
      f.setError(null);
      result.textContent = '';
    });
  }

  let asked = 0;

  /** @returns {import('../api.js').Remote} */
  function value() {
    return {
      host: host.value.trim(),
      port: Number(port.value),
      database: database.value.trim(),
      user: user.value.trim(),
      tls: /** @type {import('../api.js').Tls} */ (tls.value),
    };
  }

  function check() {
    const n = Number(port.value.trim());
    if (port.value.trim() === '' || !Number.isInteger(n) || n < 1 || n > 65535) {
      fields.port.setError('Enter a port number from 1 to 65535.');
      port.focus();
      return false;
    }
    return true;
  }

  /** @param {unknown} error */
  function showError(error) {
    result.textContent = '';
    // Rust names no field when the server does not answer; the host (or the
    // port beside it) is what to look at then.
    const unreachable = error && typeof error === 'object' && error.code === 'store_unreachable' && !error.field;
    placeError(unreachable ? { ...error, field: 'host' } : error, fields, general);
  }

  function clearMessages() {
    result.textContent = '';
    general.show(null);
    for (const f of Object.values(fields)) f.setError(null);
  }

  async function test() {
    clearMessages();
    if (!check()) return;
    const question = ++asked;
    testing.hidden = false;
    root.setAttribute('aria-busy', 'true');
    try {
      const { server } = await busy(testButton, () => api.testStoreConnection(value(), password.value));
      if (question !== asked) return; // the fields were left, or asked again
      result.textContent = `Connected: ${server}`;
    } catch (error) {
      if (question !== asked) return;
      showError(error);
    } finally {
      testing.hidden = true;
      root.removeAttribute('aria-busy');
    }
  }

  return {
    root,
    value,
    password: () => password.value,
    fields,
    check,
    showError,
    clearMessages,
    clearPassword: () => { password.value = ''; },
    dispose: () => { asked += 1; },
  };
}

/**
 * Runs `work` with every control of `group` (a `<fieldset>`) disabled, so
 * that nothing is changed while a connection or copy is under way; then gives
 * the focus back to `button` if disabling took it away.
 *
 * @template T
 * @param {HTMLFieldSetElement} group
 * @param {HTMLButtonElement} button the one that started the work
 * @param {() => Promise<T>} work
 * @returns {Promise<T>}
 */
export async function whileDisabled(group, button, work) {
  group.disabled = true;
  try {
    return await work();
  } finally {
    group.disabled = false;
    const lost = !document.activeElement || document.activeElement === document.body;
    if (lost && button.isConnected && !button.closest('[hidden]')) button.focus();
  }
}
