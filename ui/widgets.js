// The pieces several views share: a labelled field with its hint and error,
// a checkbox, the password fields with Generate / Show password / strength,
// the person picker (supervisor, account manager), status badges, a
// progress bar, the way an error from Rust finds its place in a form, and
// the notice with "Reload" for a record someone else changed meanwhile. The
// overview table is in table.js.

import { debounce, h, replaceChildren, uid } from './dom.js';
import { date, dateTime, fullDateTime, statusLabel } from './format.js';
import { messageOf } from './api.js';

/**
 * @typedef {object} Field
 * @property {HTMLElement} root the wrapper to place in a form
 * @property {HTMLElement} control the input, select or fieldset
 * @property {(message: string | null) => void} setError shows (or with null clears) the message beside it
 */

/**
 * A control with its `<label for>`, an optional hint and a place for its error,
 * both tied to the control with aria-describedby.
 *
 * @param {string} label visible label text
 * @param {HTMLElement} control an input/select/textarea; given an id if it has none
 * @param {{hint?: string | Node, extra?: Node | null, class?: string}} [options]
 *   `extra` goes between the control and the hint (e.g. buttons)
 * @returns {Field}
 */
export function field(label, control, options = {}) {
  if (!control.id) control.id = uid('field');
  const hint = options.hint ? h('p', { class: 'hint', id: uid('hint') }, options.hint) : null;
  const error = h('p', { class: 'field-error', id: uid('error'), 'aria-live': 'polite' });
  describe(control, hint?.id, error.id);
  const root = h('div', { class: ['field', options.class] },
    h('label', { for: control.id }, label),
    control,
    options.extra ?? null,
    hint,
    error,
  );
  return { root, control, setError: errorSetter(control, error) };
}

/**
 * A group of controls (checkboxes, radios) under a legend, with a hint and an error.
 *
 * @param {string} legend
 * @param {Node[]} children
 * @param {{hint?: string | Node, class?: string}} [options]
 * @returns {Field}
 */
export function fieldset(legend, children, options = {}) {
  const hint = options.hint ? h('p', { class: 'hint', id: uid('hint') }, options.hint) : null;
  const error = h('p', { class: 'field-error', id: uid('error'), 'aria-live': 'polite' });
  const root = h('fieldset', { class: ['fieldset', options.class] },
    h('legend', null, legend),
    hint,
    children,
    error,
  );
  describe(root, hint?.id, error.id);
  return { root, control: root, setError: errorSetter(root, error) };
}

/**
 * A checkbox followed by its label.
 *
 * @param {string} label
 * @param {{checked?: boolean, disabled?: boolean, hint?: string, value?: string, onchange?: (event: Event) => void}} [options]
 * @returns {{root: HTMLElement, input: HTMLInputElement}}
 */
export function checkbox(label, options = {}) {
  const input = /** @type {HTMLInputElement} */ (h('input', {
    type: 'checkbox',
    id: uid('check'),
    checked: Boolean(options.checked),
    disabled: options.disabled,
    value: options.value,
    onchange: options.onchange,
  }));
  const hint = options.hint ? h('span', { class: 'hint', id: uid('hint') }, options.hint) : null;
  if (hint) input.setAttribute('aria-describedby', hint.id);
  const root = h('div', { class: 'check' },
    input,
    h('label', { for: input.id }, label),
    hint,
  );
  return { root, input };
}

/**
 * @param {Element} control
 * @param {...(string | undefined)} ids
 */
function describe(control, ...ids) {
  const all = [control.getAttribute('aria-describedby'), ...ids].filter(Boolean);
  if (all.length) control.setAttribute('aria-describedby', all.join(' '));
}

/**
 * @param {Element} control
 * @param {HTMLElement} error
 * @returns {(message: string | null) => void}
 */
function errorSetter(control, error) {
  return (message) => {
    error.textContent = message ?? '';
    if (message) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
  };
}

/**
 * The general error of a form, shown above its buttons.
 *
 * @returns {{root: HTMLElement, show: (message: string | null, ...extra: Node[]) => void}}
 */
export function formError() {
  const root = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
  return {
    root,
    show(message, ...extra) {
      replaceChildren(root, message ? h('span', null, message) : null, extra);
      root.hidden = !message;
    },
  };
}

/**
 * Places an error from a command: beside its field when the form has that
 * field, otherwise in the general error. Focuses the field it names.
 *
 * @param {unknown} error an ApiError, usually
 * @param {Record<string, Field>} fields by the `field` names of COMMANDS.md
 * @param {{show: (message: string | null) => void}} general
 */
export function placeError(error, fields, general) {
  const name = error && typeof error === 'object' ? error.field : null;
  const target = typeof name === 'string' ? fields[name] : undefined;
  if (target) {
    target.setError(messageOf(error));
    general.show(null);
    const focusable = target.control.matches('fieldset')
      ? /** @type {HTMLElement | null} */ (target.control.querySelector('input:not(:disabled)'))
      : target.control;
    focusable?.focus();
  } else {
    general.show(messageOf(error));
  }
}

/**
 * Shows a refusal because the record changed since it was shown
 * (`changed_by_someone_else`) in `general`, with a "Reload" button that runs
 * `reload`. With `editing`, it adds that the person's changes must be made
 * again (reloading drops them).
 *
 * @param {unknown} error
 * @param {{show: (message: string | null, ...extra: Node[]) => void}} general
 * @param {() => void} reload
 * @param {{editing?: boolean}} [options]
 * @returns {boolean} whether it was that refusal (and is shown)
 */
export function showStale(error, general, reload, options = {}) {
  if (!error || typeof error !== 'object' || error.code !== 'changed_by_someone_else') return false;
  const advice = options.editing ? 'Reload to see the current version, then make your changes again.' : 'Reload to see the current version.';
  general.show(`${messageOf(error)} ${advice}`,
    h('button', { type: 'button', class: 'button', onclick: reload }, 'Reload'));
  return true;
}

/**
 * Runs `work` with `button` disabled and marked busy, so a second click does
 * not send the command twice and a long call shows that something happens.
 *
 * @template T
 * @param {HTMLButtonElement} button
 * @param {() => Promise<T>} work
 * @returns {Promise<T>}
 */
export async function busy(button, work) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.classList.add('is-busy');
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.classList.remove('is-busy');
  }
}

/**
 * Runs a form's submission: its button busy, its progress bar shown and the
 * form marked `aria-busy` until `work` settles, whatever the outcome.
 *
 * @template T
 * @param {HTMLFormElement} form
 * @param {HTMLButtonElement} button
 * @param {HTMLElement} working the form's progress bar
 * @param {() => Promise<T>} work
 * @returns {Promise<T>}
 */
export async function submitting(form, button, working, work) {
  working.hidden = false;
  form.setAttribute('aria-busy', 'true');
  try {
    return await busy(button, work);
  } finally {
    working.hidden = true;
    form.removeAttribute('aria-busy');
  }
}

/**
 * A text input for names a server knows (hosts, accounts, databases): no
 * autocompletion, no spelling help, no capitals.
 *
 * @param {string} [value]
 * @returns {HTMLInputElement}
 */
export function textInput(value = '') {
  return /** @type {HTMLInputElement} */ (h('input', {
    type: 'text', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off', value,
  }));
}

/** An indeterminate progress bar for work whose length is unknown. @param {string} [label] */
export function progress(label = 'Loading') {
  return h('div', { class: 'progress', role: 'progressbar', 'aria-label': label },
    h('div', { class: 'progress-bar' }));
}

/** "Enabled" (green) / "Disabled" (grey). @param {string} status */
export function statusBadge(status) {
  return h('span', { class: ['badge', `badge-${status}`] }, statusLabel(status));
}

/**
 * A `<time>` in the person's locale, the full form as tooltip.
 *
 * @param {string | null | undefined} iso
 * @param {string} [none] shown when there is no time
 * @param {{dateOnly?: boolean}} [options] the day without the hour, for dense tables
 */
export function time(iso, none = '—', options = {}) {
  if (!iso) return h('span', { class: 'muted' }, none);
  return h('time', { datetime: iso, title: fullDateTime(iso) }, options.dateOnly ? date(iso) : dateTime(iso));
}

// --- Password ----------------------------------------------------------------

/**
 * @typedef {object} PasswordFields
 * @property {HTMLElement} root
 * @property {HTMLInputElement} input
 * @property {HTMLInputElement | null} confirm
 * @property {Field} field the password's field, for errors from Rust (`password`)
 * @property {() => boolean} confirmMatches checks the confirmation, showing the mismatch
 * @property {() => void} clear empties both inputs and the feedback
 * @property {() => void} dispose stops pending checks
 */

/**
 * Password (and confirmation) inputs with Generate, Show password, and the
 * policy's verdict and strength estimate, asked of Rust as one types.
 *
 * @param {object} options
 * @param {typeof import('./api.js')} options.api
 * @param {() => {name: string, email: string}} options.account whose password it
 *   is (the policy refuses one equal to the name or email)
 * @param {string} [options.label]
 * @param {string | null} [options.confirmLabel] null: no confirmation input
 * @returns {PasswordFields}
 */
export function passwordFields({ api, account, label = 'Password', confirmLabel = 'Confirm password' }) {
  const input = /** @type {HTMLInputElement} */ (h('input', {
    type: 'password', autocomplete: 'new-password', spellcheck: 'false', autocapitalize: 'off',
  }));
  const passwordField = field(label, input);
  const confirm = confirmLabel
    ? /** @type {HTMLInputElement} */ (h('input', {
      type: 'password', autocomplete: 'new-password', spellcheck: 'false', autocapitalize: 'off',
    }))
    : null;
  const confirmField = confirm ? field(/** @type {string} */ (confirmLabel), confirm) : null;

  const show = checkbox('Show password', { onchange: () => reveal(show.input.checked) });
  const generate = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button' }, 'Generate'));

  const meter = /** @type {HTMLMeterElement} */ (h('meter', {
    id: uid('strength'), min: '0', max: '4', low: '2', high: '3', optimum: '4', value: '0',
  }));
  const strengthLabel = h('span', { class: 'strength-label' });
  const crackTime = h('span', { class: 'hint' });
  const verdict = h('div', { class: 'verdict' });
  const feedback = h('div', { class: 'password-feedback', 'aria-live': 'polite', hidden: true },
    h('div', { class: 'strength' },
      h('label', { for: meter.id }, 'Strength'),
      meter,
      strengthLabel,
      crackTime,
    ),
    verdict,
  );

  /** @param {boolean} visible */
  function reveal(visible) {
    const type = visible ? 'text' : 'password';
    input.type = type;
    if (confirm) confirm.type = type;
    show.input.checked = visible;
  }

  let asked = 0;
  async function check() {
    const password = input.value;
    const question = ++asked;
    if (!password) {
      feedback.hidden = true;
      return;
    }
    const { name, email } = account();
    try {
      const result = await api.checkPassword(password, name, email);
      if (question !== asked) return; // a newer check is on its way
      showVerdict(result);
    } catch (error) {
      if (question !== asked) return;
      feedback.hidden = false;
      meter.value = 0;
      strengthLabel.textContent = '';
      crackTime.textContent = '';
      replaceChildren(verdict, h('p', { class: 'field-error' }, messageOf(error)));
    }
  }
  const checkSoon = debounce(check, 250);

  /** @param {import('./api.js').PolicyVerdict} result */
  function showVerdict({ problems, strength }) {
    feedback.hidden = false;
    meter.value = strength.score;
    meter.className = `strength-${strength.score}`;
    strengthLabel.textContent = strength.label;
    crackTime.textContent = strength.crack_time ? `Time to guess: ${strength.crack_time}` : '';
    const advice = [strength.warning, ...(strength.suggestions ?? [])].filter(Boolean);
    replaceChildren(verdict,
      problems.length
        ? h('ul', { class: 'problems' }, problems.map((p) => h('li', null, p.message)))
        : h('p', { class: 'ok' }, 'This password meets the policy.'),
      advice.length ? h('ul', { class: 'advice' }, advice.map((a) => h('li', null, a))) : null,
    );
  }

  /**
   * Shows the mismatch when the confirmation differs; while `typing`, only
   * once it can no longer become the password.
   * @param {boolean} typing
   * @returns {boolean} whether they match
   */
  function compare(typing) {
    if (!confirm || !confirmField) return true;
    const a = input.value;
    const b = confirm.value;
    const stillTyping = typing && a.startsWith(b);
    const differs = b !== '' ? a !== b : false;
    confirmField.setError(differs && !stillTyping ? 'The passwords do not match.' : null);
    return a === b;
  }

  input.addEventListener('input', () => {
    passwordField.setError(null);
    checkSoon();
    compare(true);
  });
  confirm?.addEventListener('input', () => compare(true));
  confirm?.addEventListener('change', () => compare(false));

  generate.addEventListener('click', async () => {
    try {
      const password = await busy(generate, () => api.generatePassword());
      input.value = password;
      if (confirm) confirm.value = password;
      reveal(true);
      passwordField.setError(null);
      compare(false);
      checkSoon.cancel();
      await check();
    } catch (error) {
      passwordField.setError(messageOf(error));
    }
  });

  const root = h('div', { class: 'password' },
    h('div', { class: 'password-inputs' }, passwordField.root, confirmField?.root ?? null),
    h('div', { class: 'row' }, generate, show.root),
    feedback,
  );

  return {
    root,
    input,
    confirm,
    field: passwordField,
    confirmMatches() {
      if (!confirm || compare(false)) return true;
      if (!confirm.value) confirmField?.setError('The passwords do not match.');
      return false;
    },
    clear() {
      checkSoon.cancel();
      asked += 1;
      input.value = '';
      if (confirm) confirm.value = '';
      reveal(false);
      feedback.hidden = true;
      replaceChildren(verdict);
    },
    dispose() {
      checkSoon.cancel();
      asked += 1;
    },
  };
}

// --- Person picker -----------------------------------------------------------

/**
 * @typedef {object} PersonPicker
 * @property {HTMLElement} root
 * @property {HTMLInputElement} input
 * @property {() => import('./api.js').PersonRef | null} value the chosen person
 * @property {(person: import('./api.js').PersonRef | null) => void} set
 * @property {(message: string | null) => void} setError
 */

/**
 * A searchable choice of one user (an ARIA combobox): type part of a name or
 * email, pick from the suggestions with the mouse or the arrow keys and Enter.
 * With nothing typed, the first suggestion is the empty choice (`noneLabel`);
 * emptying the input chooses it too. Enter picks the highlighted person, or
 * the only one suggested.
 *
 * @param {object} options
 * @param {typeof import('./api.js')} options.api
 * @param {string} options.label
 * @param {string} options.noneLabel e.g. "No supervisor"
 * @param {import('./api.js').PersonRef | null} [options.initial]
 * @param {number | null} [options.excludeId] a user never offered (the one being edited)
 * @param {boolean} [options.showChosen] show the chosen person's name and email below
 * @param {(person: import('./api.js').PersonRef | null) => void} [options.onChange]
 * @param {string} [options.class]
 * @param {string} [options.hint] a sentence shown below, after the chosen person
 * @param {(search: string) => Promise<import('./api.js').PersonRef[]>} [options.find]
 *   who is offered for what was typed ("" for nothing); by default the users
 *   overview's search, which needs users.view
 * @returns {PersonPicker}
 */
export function personPicker({ api, label, noneLabel, initial = null, excludeId = null, showChosen = true, onChange, find, ...rest }) {
  const listId = uid('suggestions');
  const input = /** @type {HTMLInputElement} */ (h('input', {
    type: 'text',
    role: 'combobox',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': listId,
    placeholder: 'Type a name or email',
  }));
  const list = h('ul', { id: listId, role: 'listbox', class: 'suggestions', 'aria-label': 'Suggestions', hidden: true });
  const chosen = showChosen ? h('span', { class: 'chosen' }) : null;
  const note = rest.hint ? h('span', { class: 'picker-hint' }, rest.hint) : null;
  const f = field(label, input, {
    class: ['picker', rest.class].filter(Boolean).join(' '),
    extra: list,
    hint: note ? h('span', null, chosen, note) : chosen ?? undefined,
  });

  /** @type {import('./api.js').PersonRef | null} */
  let selected = null;
  /** @type {(import('./api.js').PersonRef | null)[]} */
  let options = [];
  let active = -1;
  let asked = 0;

  /** @param {import('./api.js').PersonRef | null} person @param {boolean} [notify] */
  function set(person, notify = false) {
    selected = person;
    input.value = person ? person.name : '';
    input.title = person ? `${person.name} <${person.email}>` : '';
    if (chosen) {
      replaceChildren(chosen, person
        ? [h('span', { class: 'chosen-name' }, person.name), ' ', h('span', { class: 'chosen-email' }, person.email)]
        : noneLabel);
    }
    f.setError(null);
    if (notify) onChange?.(person);
  }

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  /** @param {number} index */
  function highlight(index) {
    const items = list.querySelectorAll('[role="option"]');
    active = Math.max(-1, Math.min(index, items.length - 1));
    items.forEach((item, i) => item.setAttribute('aria-selected', String(i === active)));
    const current = items[active];
    if (current) {
      input.setAttribute('aria-activedescendant', current.id);
      current.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  /** @param {import('./api.js').PersonRef | null} person */
  function pick(person) {
    set(person, true);
    close();
  }

  async function search() {
    const text = input.value.trim();
    const question = ++asked;
    try {
      const found = await (find ?? findUsers)(text);
      if (question !== asked || document.activeElement !== input) return;
      const people = found
        .filter((u) => u.id !== excludeId)
        .map((u) => ({ id: u.id, name: u.name, email: u.email }));
      // The empty choice leads only while nothing is typed, so that the
      // first arrow press after typing lands on the first person.
      options = text ? people : [null, ...people];
      replaceChildren(list,
        options.map((person, i) => h('li', {
          id: `${listId}-${i}`,
          role: 'option',
          'aria-selected': 'false',
          class: person ? 'option' : 'option option-none',
          onmousedown: (/** @type {MouseEvent} */ event) => {
            event.preventDefault(); // keep the focus in the input
            pick(person);
          },
        }, person
          ? [h('span', { class: 'option-name' }, person.name), ' ', h('span', { class: 'option-email' }, person.email)]
          : noneLabel)),
        people.length ? null : h('li', { class: 'option-empty', role: 'presentation' }, 'No one matches.'),
      );
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      highlight(-1);
    } catch (error) {
      if (question !== asked) return;
      f.setError(messageOf(error));
    }
  }
  const searchSoon = debounce(search, 200);

  /** @param {string} text @returns {Promise<import('./api.js').PersonRef[]>} */
  async function findUsers(text) {
    const page = await api.listUsers({ search: text || undefined, sort: 'name', direction: 'asc', limit: 8 });
    return page.users;
  }

  input.addEventListener('input', () => searchSoon());
  input.addEventListener('focus', () => {
    if (list.hidden) search();
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (list.hidden) {
        search();
        return;
      }
      highlight(active + (event.key === 'ArrowDown' ? 1 : -1));
    } else if (event.key === 'Enter' && !list.hidden) {
      event.preventDefault(); // choosing is not submitting the form
      if (active >= 0) pick(options[active]);
      else if (input.value.trim() && options.length === 1) pick(options[0]);
      else settle();
    } else if (event.key === 'Enter' && input.value.trim() !== (selected?.name ?? '')) {
      // Typed but not yet chosen: settle the choice instead of submitting the form.
      event.preventDefault();
      settle();
    } else if (event.key === 'Escape' && !list.hidden) {
      event.preventDefault();
      event.stopPropagation();
      close();
      set(selected);
    }
  });
  input.addEventListener('blur', () => {
    searchSoon.cancel();
    asked += 1;
    settle();
  });

  /** After typing without picking: empty means none, an exact name or email picks that person, else undo. */
  function settle() {
    close();
    const text = input.value.trim().toLowerCase();
    if (!text) {
      if (selected) pick(null);
      return;
    }
    if (selected && text === selected.name.toLowerCase()) {
      input.value = selected.name;
      return;
    }
    const exact = options.filter((p) => p && (p.name.toLowerCase() === text || p.email.toLowerCase() === text));
    if (exact.length === 1) pick(exact[0]);
    else set(selected);
  }

  set(initial);
  return { root: f.root, input, value: () => selected, set: (person) => set(person), setError: f.setError };
}
