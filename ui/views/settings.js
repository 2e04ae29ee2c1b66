// The directory's settings: the password policy's minimum length and the
// company name it refuses in passwords, the default two-factor method for
// new users, account lockout after failed
// sign-ins, the idle time before the screen locks, and after how many
// months audit events are archived. Above them, a notice
// while an enabled administrator has no second factor.
//
// Saved all at once; Rust checks every value, so a bad one changes nothing
// and its message is shown as Rust words it.

import { h, replaceChildren } from '../dom.js';
import { TWO_FACTOR_CHOICES } from '../format.js';
import { field, formError, placeError, progress, submitting, textInput } from '../widgets.js';
import * as storeSettings from './store-settings.js';
import * as mailSettings from './mail-settings.js';
import * as adminSecondFactor from './admin-second-factor.js';
import * as backups from './backups.js';

/** The whole-number settings: their field name, label, range and hint. */
const NUMBERS = [
  { name: 'password_min_length', label: 'Minimum password length', min: 8, max: 64 },
  { name: 'lockout_threshold', label: 'Failed sign-ins before an account locks', min: 3, max: 100 },
  {
    name: 'lockout_minutes',
    label: 'First lock duration (minutes)',
    min: 1,
    max: 1440,
    hint: 'Each further failure doubles it, up to a day.',
  },
  { name: 'idle_timeout_minutes', label: 'Lock the screen after (minutes without activity)', min: 1, max: 480 },
  {
    name: 'masked_search_per_minute',
    label: 'Client searches per minute before slowing down',
    min: 1,
    max: 1000,
    hint: 'For users who see client data masked; each of their searches is audited.',
  },
  {
    name: 'audit_archive_months',
    label: 'Archive audit events older than (months)',
    min: 0,
    max: 120,
    hint: '0 means never. The audit page then offers to move older events to a file you keep; the log stays verifiable.',
  },
  {
    name: 'disable_inactive_after_days',
    label: 'Disable accounts with no sign-in for (days)',
    min: 0,
    max: 3650,
    hint: '0 means never. Accounts that never signed in count from their creation. The last enabled administrator and you are never disabled by it.',
  },
  {
    name: 'recycle_bin_days',
    label: 'Keep deleted users restorable for (days)',
    min: 0,
    max: 365,
    hint: '0 deletes users permanently at once. Until then, Deleted users lists them with Restore.',
  },
];

/**
 * @param {HTMLElement} root
 * @param {import('../main.js').Context} ctx
 */
export async function render(root, ctx) {
  const { api, signal } = ctx;
  const body = h('div', { class: 'stack', 'aria-busy': 'true' }, progress('Loading the settings'));
  root.append(h('div', { class: 'page-head' }, h('h1', null, 'Settings')));

  if (!ctx.can('settings.manage')) {
    root.append(body);
    replaceChildren(body, h('p', { class: 'alert alert-error', role: 'alert' }, 'You do not have permission to change settings.'));
    body.removeAttribute('aria-busy');
    return;
  }
  root.append(adminSecondFactor.notice(ctx), body);
  // Its own sections below the form, with their own commands: not saved with the form.
  mailSettings.render(root, ctx);
  storeSettings.render(root, ctx);
  backups.render(root, ctx);

  /** @type {import('../api.js').Settings} */
  let settings;
  try {
    settings = await api.settings();
  } catch (error) {
    if (signal.aborted) return;
    replaceChildren(body, h('p', { class: 'alert alert-error', role: 'alert' }, api.messageOf(error)));
    body.removeAttribute('aria-busy');
    return;
  }
  if (signal.aborted) return;
  replaceChildren(body);
  body.removeAttribute('aria-busy');
  buildForm(body, ctx, settings);
}

/**
 * @param {HTMLElement} body
 * @param {import('../main.js').Context} ctx
 * @param {import('../api.js').Settings} initial
 */
function buildForm(body, ctx, initial) {
  const { api, signal } = ctx;

  /** @type {Record<string, HTMLInputElement>} */
  const inputs = {};
  /** @type {Record<string, import('../widgets.js').Field>} */
  const fields = {};
  for (const n of NUMBERS) {
    const input = /** @type {HTMLInputElement} */ (h('input', {
      type: 'number', inputmode: 'numeric', min: String(n.min), max: String(n.max), step: '1', required: true,
    }));
    inputs[n.name] = input;
    fields[n.name] = field(n.label, input, {
      class: 'field-narrow',
      hint: n.hint ? `${n.hint} From ${n.min} to ${n.max}.` : `From ${n.min} to ${n.max}.`,
    });
    input.addEventListener('input', () => fields[n.name].setError(null));
  }

  const twoFactor = /** @type {HTMLSelectElement} */ (h('select', null,
    TWO_FACTOR_CHOICES.map((c) => h('option', { value: c.value }, c.label))));
  fields.default_two_factor = field('Default two-factor method', twoFactor, {
    class: 'field-narrow',
    hint: 'For new users. Email code: Needs a mail server',
  });
  /** Email codes are offered only while a mail server is configured. @param {boolean} mail */
  const offerEmailCode = (mail) => {
    const option = twoFactor.querySelector('option[value="email_code"]');
    if (option instanceof HTMLOptionElement) option.disabled = !mail;
  };
  offerEmailCode(Boolean(ctx.app.mail_configured));
  window.addEventListener(mailSettings.MAIL_CHANGED_EVENT, (event) => {
    offerEmailCode(Boolean(/** @type {CustomEvent} */ (event).detail));
  }, { signal });
  fields.two_factor = fields.default_two_factor;

  const company = textInput();
  company.maxLength = 100;
  fields.company_name = field('Company name', company, {
    hint: 'Passwords that contain it, or a word of it, are refused. Leave empty if not wanted.',
  });
  company.addEventListener('input', () => fields.company_name.setError(null));

  /** @param {import('../api.js').Settings} values */
  function fill(values) {
    for (const n of NUMBERS) inputs[n.name].value = String(values[n.name]);
    twoFactor.value = values.default_two_factor;
    company.value = values.company_name ?? '';
  }
  fill(initial);

  const general = formError();
  const working = progress('Saving the settings');
  working.hidden = true;
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'button button-primary' }, 'Save settings'));

  const form = h('form', { class: 'stack', novalidate: true, onsubmit: onSubmit },
    h('section', { class: 'panel' },
      h('h2', null, 'Passwords and two-factor'),
      fields.password_min_length.root,
      fields.company_name.root,
      fields.default_two_factor.root,
    ),
    h('section', { class: 'panel' },
      h('h2', null, 'Failed sign-ins'),
      fields.lockout_threshold.root,
      fields.lockout_minutes.root,
    ),
    h('section', { class: 'panel' },
      h('h2', null, 'Screen lock'),
      fields.idle_timeout_minutes.root,
    ),
    h('section', { class: 'panel' },
      h('h2', null, 'Inactive accounts'),
      fields.disable_inactive_after_days.root,
      fields.recycle_bin_days.root,
    ),
    h('section', { class: 'panel' },
      h('h2', null, 'Masked client data'),
      fields.masked_search_per_minute.root,
    ),
    h('section', { class: 'panel' },
      h('h2', null, 'Audit log'),
      fields.audit_archive_months.root,
    ),
    general.root,
    working,
    h('div', { class: 'actions' }, submit),
  );
  body.append(form);

  /** @param {SubmitEvent} event */
  async function onSubmit(event) {
    event.preventDefault();
    general.show(null);
    /** @type {Record<string, number>} */
    const numbers = {};
    for (const n of NUMBERS) {
      const value = Number(inputs[n.name].value.trim());
      if (inputs[n.name].value.trim() === '' || !Number.isInteger(value)) {
        fields[n.name].setError('Enter a whole number.');
        inputs[n.name].focus();
        return;
      }
      numbers[n.name] = value;
    }
    try {
      const saved = await submitting(form, submit, working, () => api.updateSettings({
        password_min_length: numbers.password_min_length,
        default_two_factor: /** @type {import('../api.js').TwoFactor} */ (twoFactor.value),
        lockout_threshold: numbers.lockout_threshold,
        lockout_minutes: numbers.lockout_minutes,
        idle_timeout_minutes: numbers.idle_timeout_minutes,
        masked_search_per_minute: numbers.masked_search_per_minute,
        company_name: company.value,
        audit_archive_months: numbers.audit_archive_months,
        disable_inactive_after_days: numbers.disable_inactive_after_days,
        recycle_bin_days: numbers.recycle_bin_days,
      }));
      if (signal.aborted) return;
      fill(saved);
      ctx.setIdleTimeout(saved.idle_timeout_minutes);
      ctx.say('Settings saved.');
    } catch (error) {
      if (signal.aborted) return;
      placeError(error, fields, general);
    }
  }
}
