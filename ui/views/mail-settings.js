// Settings → Mail: the SMTP server Roster sends through (new users'
// credentials, email sign-in codes, notices), and "Send test email".
//
// The settings are the directory's, the same for every administrator; the
// password is this computer's, kept by Rust in the OS keychain. The form
// never shows it: an empty password field keeps the one the keychain holds.
// The labels say "SMTP …" because the directory server's Host, Port, User
// and Password are on the same page.

import { h, replaceChildren, uid } from '../dom.js';
import { field, formError, placeError, progress, submitting, textInput } from '../widgets.js';

/** Fired on `window` after the mail server was saved or removed; `detail` is whether mail is configured. */
export const MAIL_CHANGED_EVENT = 'roster:mail-changed';

/** @type {{value: import('../api.js').MailSecurity, label: string, port: number}[]} */
const SECURITY_CHOICES = [
  { value: 'starttls', label: 'STARTTLS (port 587)', port: 587 },
  { value: 'tls', label: 'TLS (port 465)', port: 465 },
  { value: 'none', label: 'None — local relay only', port: 25 },
];

/**
 * @param {HTMLElement} container where the section goes (after what is there)
 * @param {import('../main.js').Context} ctx
 */
export async function render(container, ctx) {
  const { api, signal } = ctx;
  const heading = uid('mail-heading');
  const body = h('div', { class: 'stack', 'aria-busy': 'true' }, progress('Loading the mail settings'));
  const section = h('section', { class: 'panel stack', 'aria-labelledby': heading },
    h('h2', { id: heading }, 'Mail'),
    h('p', { class: 'hint' },
      'Roster emails new users their credentials, sign-in codes and notices through this server. '
      + 'Without one, credentials are handed over in person and email codes are not offered.'),
    body);
  container.append(section);

  /** @type {import('../api.js').MailSettingsView} */
  let current;
  try {
    current = await api.mailSettings();
  } catch (error) {
    if (signal.aborted) return;
    replaceChildren(body, h('p', { class: 'alert alert-error', role: 'alert' }, api.messageOf(error)));
    body.removeAttribute('aria-busy');
    return;
  }
  if (signal.aborted) return;
  replaceChildren(body);
  body.removeAttribute('aria-busy');
  buildForm(body, ctx, current);
}

/**
 * @param {HTMLElement} body
 * @param {import('../main.js').Context} ctx
 * @param {import('../api.js').MailSettingsView} initial
 */
function buildForm(body, ctx, initial) {
  const { api, signal } = ctx;
  let view = initial;

  const host = textInput();
  const port = /** @type {HTMLInputElement} */ (h('input', {
    type: 'number', inputmode: 'numeric', min: '1', max: '65535', step: '1',
  }));
  const security = /** @type {HTMLSelectElement} */ (h('select', null,
    SECURITY_CHOICES.map((c) => h('option', { value: c.value }, c.label))));
  const user = textInput();
  // No account of the person's: a browser's saved password must not be offered here.
  const password = /** @type {HTMLInputElement} */ (h('input', {
    type: 'password', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off',
  }));
  const senderAddress = /** @type {HTMLInputElement} */ (h('input', {
    type: 'email', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off',
  }));
  const senderName = /** @type {HTMLInputElement} */ (h('input', { type: 'text', autocomplete: 'off' }));

  /** @type {Record<string, import('../widgets.js').Field>} */
  const fields = {
    host: field('SMTP host', host, { hint: 'For example smtp.example.com.' }),
    port: field('SMTP port', port),
    security: field('Security', security, { class: 'field-narrow' }),
    user: field('SMTP user', user, { hint: 'Leave empty for a relay that needs no sign-in.' }),
    password: field('SMTP password', password, { hint: 'Kept in this computer\'s keychain.' }),
    sender_address: field('Sender address', senderAddress),
    sender_name: field('Sender name', senderName, { hint: 'Shown beside the sender address, e.g. your company.' }),
  };
  for (const f of Object.values(fields)) f.control.addEventListener('input', () => f.setError(null));

  // A port left at the usual one follows the security chosen.
  let lastSecurity = security.value;
  security.addEventListener('change', () => {
    const before = SECURITY_CHOICES.find((c) => c.value === lastSecurity);
    const now = SECURITY_CHOICES.find((c) => c.value === security.value);
    if (now && (port.value.trim() === '' || Number(port.value) === before?.port)) port.value = String(now.port);
    lastSecurity = security.value;
  });

  const general = formError();
  const working = progress('Saving the mail settings');
  working.hidden = true;
  const saved = h('p', { class: 'ok', role: 'status' });
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'button button-primary' }, 'Save mail settings'));
  const remove = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button button-danger', onclick: onRemove }, 'Remove mail settings'));
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'stack', novalidate: true, onsubmit: onSave },
    h('div', { class: 'form-grid form-grid-host' }, fields.host.root, fields.port.root),
    fields.security.root,
    h('div', { class: 'form-grid' }, fields.user.root, fields.password.root),
    h('div', { class: 'form-grid' }, fields.sender_address.root, fields.sender_name.root),
    general.root,
    working,
    h('div', { class: 'actions' }, submit, remove, saved),
  ));

  // --- Send test email ------------------------------------------------------
  const testHeading = uid('mail-test');
  const to = /** @type {HTMLInputElement} */ (h('input', {
    type: 'email', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off', value: ctx.me.user.email,
  }));
  const toField = field('To', to);
  to.addEventListener('input', () => toField.setError(null));
  const testGeneral = formError();
  const testing = progress('Sending a test email');
  testing.hidden = true;
  const sent = h('p', { class: 'ok', role: 'status' });
  const testButton = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'button' }, 'Send test email'));
  const testForm = /** @type {HTMLFormElement} */ (h('form', {
    class: 'stack', novalidate: true, 'aria-labelledby': testHeading, onsubmit: onTest,
  },
  h('h3', { id: testHeading }, 'Send a test email'),
  h('div', { class: 'form-grid' }, toField.root),
  testGeneral.root,
  testing,
  h('div', { class: 'actions' }, testButton, sent),
  ));

  body.append(form, testForm);
  fill(view);

  /** @param {import('../api.js').MailSettingsView} values */
  function fill(values) {
    const s = values.settings;
    host.value = s?.host ?? '';
    security.value = s?.security ?? 'starttls';
    lastSecurity = security.value;
    port.value = String(s?.port ?? 587);
    user.value = s?.user ?? '';
    senderAddress.value = s?.sender_address ?? '';
    senderName.value = s?.sender_name ?? 'Roster';
    password.value = '';
    password.placeholder = values.has_password ? 'Unchanged' : '';
    remove.hidden = !s;
    testForm.hidden = !s;
  }

  function clearMessages() {
    general.show(null);
    saved.textContent = '';
    for (const f of Object.values(fields)) f.setError(null);
  }

  /** Saved or removed: this window and the rest of the app learn whether mail works now. */
  async function changed() {
    const configured = Boolean(view.settings);
    window.dispatchEvent(new CustomEvent(MAIL_CHANGED_EVENT, { detail: configured }));
    try {
      ctx.storeChanged(await api.appStatus());
    } catch {
      // The next screen asks again anyway.
    }
  }

  /** @param {SubmitEvent} event */
  async function onSave(event) {
    event.preventDefault();
    clearMessages();
    const n = Number(port.value.trim());
    if (port.value.trim() === '' || !Number.isInteger(n) || n < 1 || n > 65535) {
      fields.port.setError('Enter a port number from 1 to 65535.');
      port.focus();
      return;
    }
    /** @type {import('../api.js').MailSettings} */
    const settings = {
      host: host.value.trim(),
      port: n,
      security: /** @type {import('../api.js').MailSecurity} */ (security.value),
      user: user.value.trim() || null,
      sender_address: senderAddress.value.trim(),
      sender_name: senderName.value.trim(),
    };
    // Empty keeps the keychain's password; Rust asks for one when none is kept.
    const typed = password.value === '' ? null : password.value;
    try {
      view = await submitting(form, submit, working, () => api.updateMailSettings(settings, typed));
      if (signal.aborted) return;
      fill(view);
      saved.textContent = 'Mail settings saved.';
      await changed();
    } catch (error) {
      if (signal.aborted) return;
      placeError(error, fields, general);
    }
  }

  async function onRemove() {
    clearMessages();
    try {
      const sure = await api.confirm({
        title: 'Remove the mail server?',
        message: 'Roster will no longer send email: credentials are then handed over in person, '
          + 'and email sign-in codes are not offered. This computer forgets the server\'s password.',
        ok_label: 'Remove',
      });
      if (!sure || signal.aborted) return;
      view = await submitting(form, remove, working, () => api.updateMailSettings(null, null));
      if (signal.aborted) return;
      fill(view);
      saved.textContent = 'Mail settings removed.';
      submit.focus();
      await changed();
    } catch (error) {
      if (signal.aborted) return;
      general.show(api.messageOf(error));
    }
  }

  /** @param {SubmitEvent} event */
  async function onTest(event) {
    event.preventDefault();
    testGeneral.show(null);
    toField.setError(null);
    sent.textContent = '';
    const address = to.value.trim();
    try {
      await submitting(testForm, testButton, testing, () => api.sendTestEmail(address));
      if (signal.aborted) return;
      sent.textContent = `Test email sent to ${address}.`;
    } catch (error) {
      if (signal.aborted) return;
      placeError(error, { email: toField }, testGeneral);
    }
  }
}
