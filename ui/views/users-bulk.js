// Acting on many users at once, from the users overview's checkboxes.
//
// The selection bar says what is chosen (some users, or every user the
// overview's search and filters match, on every page) and offers the
// actions the operator holds. An action that needs a group or a supervisor
// asks for it first. Then Rust plans the action (writing nothing): the
// confirmation states the count and the action, lists first the users it
// would skip and why (rights, yourself, the last administrator, cycles), and
// offers to apply it to the others or to cancel. Rust applies it in one
// transaction and checks every rule again.

import { h, replaceChildren, uid } from '../dom.js';
import { count, plural } from '../format.js';
import { field, personPicker } from '../widgets.js';

/**
 * @typedef {object} ActionKind one button of the bar
 * @property {import('../api.js').BulkAction["action"]} action
 * @property {string} button its text
 * @property {string} permission who is offered it (Rust decides anyway)
 * @property {(n: string) => string} question the confirmation's heading, e.g. "Disable 3 users?"
 * @property {(n: string) => string} done announced afterwards, e.g. "Disabled 3 users."
 * @property {"group" | "supervisor"} [needs] asked before the plan
 * @property {boolean} [danger] the apply button is red
 */

/** @type {ActionKind[]} */
const ACTIONS = [
  { action: 'enable', button: 'Enable', permission: 'users.disable', question: (n) => `Enable ${n}?`, done: (n) => `Enabled ${n}.` },
  { action: 'disable', button: 'Disable', permission: 'users.disable', question: (n) => `Disable ${n}?`, done: (n) => `Disabled ${n}.`, danger: true },
  { action: 'add_to_group', button: 'Add to group…', permission: 'users.edit', needs: 'group', question: (n) => `Add ${n} to a group?`, done: (n) => `Added ${n} to the group.` },
  { action: 'remove_from_group', button: 'Remove from group…', permission: 'users.edit', needs: 'group', question: (n) => `Remove ${n} from a group?`, done: (n) => `Removed ${n} from the group.` },
  { action: 'set_supervisor', button: 'Set supervisor…', permission: 'users.edit', needs: 'supervisor', question: (n) => `Set the supervisor of ${n}?`, done: (n) => `Set the supervisor of ${n}.` },
  { action: 'require_password_change', button: 'Require password change', permission: 'users.edit', question: (n) => `Require ${n} to change their password?`, done: (n) => `${n} must change their password at next sign-in.` },
  { action: 'reset_two_factor', button: 'Reset two-factor', permission: 'users.credentials', question: (n) => `Reset the two-factor set-up of ${n}?`, done: (n) => `Reset the two-factor set-up of ${n}.`, danger: true },
  { action: 'delete', button: 'Delete', permission: 'users.delete', question: (n) => `Delete ${n}?`, done: (n) => `Deleted ${n}.`, danger: true },
];

/** Whether the operator is offered any bulk action (and so the checkboxes). @param {import('../main.js').Context} ctx */
export function offersBulk(ctx) {
  return ACTIONS.some((a) => ctx.can(a.permission));
}

/**
 * The bar above the overview's table.
 *
 * @param {object} options
 * @param {import('../main.js').Context} options.ctx
 * @param {() => import('../table.js').Selection | null} options.selection the table's
 * @param {() => {count: number, exact: boolean} | null} options.total the query's total, from the last page
 * @param {() => import('../api.js').UserFilters} options.filters the overview's query as it stands
 * @param {HTMLElement} options.dialogs where the confirmation dialog goes
 * @param {() => void} options.onApplied after an action: reload the list
 * @returns {{root: HTMLElement, update: () => void}}
 */
export function selectionBar({ ctx, selection, total, filters, dialogs, onApplied }) {
  const { api, signal } = ctx;
  const summary = h('p', { class: 'selection-summary', 'aria-live': 'polite' });
  const allMatching = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button button-link', onclick: () => selection()?.selectAllMatching() }));
  const clear = h('button', { type: 'button', class: 'button button-link', 'aria-keyshortcuts': 'Escape', onclick: () => selection()?.clear() }, 'Clear selection');
  const buttons = ACTIONS.filter((a) => ctx.can(a.permission)).map((kind) => /** @type {HTMLButtonElement} */ (h('button', {
    type: 'button',
    class: ['button', kind.danger && 'button-danger-outline'],
    onclick: (/** @type {Event} */ event) => ask(kind, /** @type {HTMLButtonElement} */ (event.currentTarget)),
  }, kind.button)));
  const root = h('section', { class: 'selection-bar', 'aria-label': 'Selected users', hidden: true },
    h('div', { class: 'selection-head' }, summary, allMatching, clear),
    h('div', { class: 'actions selection-actions' }, buttons),
  );

  function update() {
    const chosen = selection();
    const value = chosen?.value() ?? null;
    root.hidden = value === null;
    if (!chosen || value === null) return;
    const known = total();
    if (value.kind === 'matching') {
      summary.textContent = known?.exact
        ? `All ${plural(known.count, 'matching user is', 'matching users are')} selected.`
        : 'Every matching user is selected.';
      allMatching.hidden = true;
    } else {
      summary.textContent = `${plural(chosen.size(), 'user', 'users')} selected.`;
      const more = known !== null && (!known.exact || known.count > chosen.size());
      allMatching.hidden = !(chosen.pageFullySelected() && more);
      allMatching.textContent = known?.exact ? `Select all ${count(known.count)} matching` : 'Select all matching users';
    }
  }

  /** The selection as Rust takes it. @returns {import('../api.js').BulkSelection | null} */
  function current() {
    const value = selection()?.value() ?? null;
    if (value === null) return null;
    return value.kind === 'matching' ? { kind: 'matching', query: filters() } : value;
  }

  /**
   * Asks for what the action needs, plans it, and confirms.
   * @param {ActionKind} kind
   * @param {HTMLButtonElement} button
   */
  async function ask(kind, button) {
    const chosen = current();
    if (!chosen) return;
    const dialog = modal(dialogs, button);
    const known = total();
    dialog.title(kind.question(chosen.kind === 'ids'
      ? plural(chosen.ids.length, 'user', 'users')
      : (known?.exact ? plural(known.count, 'user', 'users') : 'the matching users')));
    if (kind.needs) {
      const action = await dialog.choose(kind);
      if (!action) return;
      await plan(kind, chosen, action, dialog);
    } else {
      await plan(kind, chosen, /** @type {import('../api.js').BulkAction} */ ({ action: kind.action }), dialog);
    }
  }

  /**
   * @param {ActionKind} kind
   * @param {import('../api.js').BulkSelection} chosen
   * @param {import('../api.js').BulkAction} action
   * @param {Modal} dialog
   */
  async function plan(kind, chosen, action, dialog) {
    dialog.working('Checking the selected users…');
    try {
      const result = await api.planBulkUsers(chosen, action);
      if (signal.aborted) return;
      const apply = await dialog.confirm(kind, result);
      if (!apply) return;
      dialog.working('Applying…');
      const report = await api.applyBulkUsers(chosen, action);
      if (signal.aborted) return;
      dialog.close();
      selection()?.clear();
      const skipped = report.refusals.length ? ` ${plural(report.refusals.length, 'user was', 'users were')} skipped.` : '';
      ctx.say(`${kind.done(plural(report.applied, 'user', 'users'))}${skipped}`);
      onApplied();
    } catch (error) {
      if (!signal.aborted) dialog.fail(error);
    }
  }

  signal.addEventListener('abort', () => replaceChildren(dialogs));
  return { root, update };

  /**
   * @typedef {object} Modal
   * @property {(kind: ActionKind) => Promise<import('../api.js').BulkAction | null>} choose
   * @property {(kind: ActionKind, plan: import('../api.js').BulkPlan) => Promise<boolean>} confirm
   * @property {(text: string) => void} title
   * @property {(text: string) => void} working
   * @property {(error: unknown) => void} fail
   * @property {() => void} close
   */

  /**
   * A modal `<dialog>` whose content changes with each step; Escape or
   * Cancel closes it and gives the focus back to `opener`.
   *
   * @param {HTMLElement} container
   * @param {HTMLElement} opener
   * @returns {Modal}
   */
  function modal(container, opener) {
    const headingId = uid('bulk');
    const heading = h('h2', { id: headingId });
    const content = h('div', { class: 'stack' });
    const dialog = /** @type {HTMLDialogElement} */ (h('dialog', { class: 'panel bulk-dialog', 'aria-labelledby': headingId }, heading, content));
    /** @type {((answer: any) => void) | null} */
    let pending = null;
    let closed = false;
    dialog.addEventListener('close', () => {
      closed = true;
      answer(null);
      dialog.remove();
      if (opener.isConnected) opener.focus();
    });
    replaceChildren(container, dialog);
    dialog.showModal();

    /** @param {any} value */
    function answer(value) {
      const resolve = pending;
      pending = null;
      resolve?.(value);
    }

    const cancelButton = (/** @type {string} */ text = 'Cancel') => h('button', { type: 'button', class: 'button', onclick: () => dialog.close() }, text);

    return {
      choose(kind) {
        return new Promise((resolve) => {
          if (closed) return resolve(null);
          pending = resolve;
          const error = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
          /** @type {() => import('../api.js').BulkAction | null} */
          let read;
          /** @type {HTMLElement} */
          let input;
          if (kind.needs === 'group') {
            const select = /** @type {HTMLSelectElement} */ (h('select', { required: true }, h('option', { value: '' }, 'Loading groups…')));
            input = field('Group', select).root;
            api.listGroups().then((groups) => {
              replaceChildren(select, h('option', { value: '' }, 'Choose a group'),
                groups.slice().sort((a, b) => a.name.localeCompare(b.name))
                  .map((g) => h('option', { value: String(g.id) }, g.name)));
            }).catch((e) => {
              error.textContent = api.messageOf(e);
              error.hidden = false;
            });
            read = () => (select.value
              ? /** @type {import('../api.js').BulkAction} */ ({ action: kind.action, group: Number(select.value) })
              : null);
          } else {
            const picker = personPicker({ api, label: 'Supervisor', noneLabel: 'No supervisor' });
            input = picker.root;
            read = () => ({ action: 'set_supervisor', supervisor: picker.value()?.id ?? null });
          }
          const next = h('button', { type: 'submit', class: 'button button-primary' }, 'Continue');
          const form = h('form', {
            class: 'stack',
            onsubmit: (/** @type {Event} */ event) => {
              event.preventDefault();
              const action = read();
              if (!action) {
                error.textContent = 'Choose a group.';
                error.hidden = false;
                return;
              }
              answer(action);
            },
          }, kind.needs === 'supervisor'
            ? h('p', null, 'Leave it empty to remove their supervisor.')
            : null,
          input, error, h('div', { class: 'actions' }, next, cancelButton()));
          replaceChildren(content, form);
          /** @type {HTMLElement | null} */ (form.querySelector('select, input'))?.focus();
        });
      },

      confirm(kind, result) {
        return new Promise((resolve) => {
          if (closed) return resolve(false);
          pending = resolve;
          heading.textContent = kind.question(plural(result.selected, 'user', 'users'));
          const refused = result.refusals.length;
          const others = result.applicable;
          const apply = others > 0
            ? h('button', {
              type: 'button',
              class: ['button', kind.danger ? 'button-danger' : 'button-primary'],
              onclick: (/** @type {Event} */ event) => {
                /** @type {HTMLButtonElement} */ (event.currentTarget).disabled = true;
                answer(true);
              },
            }, refused ? `Apply to the other ${count(others)}` : `${kind.button.replace('…', '')} ${plural(others, 'user', 'users')}`)
            : null;
          replaceChildren(content,
            h('p', { class: 'bulk-count' }, `${plural(result.selected, 'user is', 'users are')} selected.`),
            refused
              ? [
                h('p', { class: 'bulk-refused-head' },
                  others
                    ? `${plural(refused, 'user is', 'users are')} left out:`
                    : `None of them can be changed:`),
                h('ul', { class: 'bulk-refusals', 'aria-label': 'Left out' },
                  result.refusals.map((r) => h('li', null,
                    h('span', { class: 'refusal-who' }, `${r.name} (${r.email})`), ': ', r.message))),
              ]
              : null,
            result.unchanged
              ? h('p', null, `${plural(result.unchanged, 'user needs', 'users need')} no change.`)
              : null,
            others && refused ? h('p', null, `The action applies to the other ${plural(others, 'user', 'users')}.`) : null,
            !others && !refused ? h('p', null, 'There is nothing to change.') : null,
            h('div', { class: 'actions' }, apply, cancelButton(others ? 'Cancel' : 'Close')),
          );
          /** @type {HTMLElement} */ (apply ?? content.querySelector('button'))?.focus();
        });
      },

      title(text) {
        heading.textContent = text;
      },

      working(text) {
        replaceChildren(content, h('p', { class: 'hint', role: 'status' }, text), h('div', { class: 'actions' }, cancelButton()));
      },

      fail(error) {
        if (closed) return;
        replaceChildren(content,
          h('div', { class: 'alert alert-error', role: 'alert' }, h('span', null, api.messageOf(error))),
          h('div', { class: 'actions' }, cancelButton('Close')));
        /** @type {HTMLElement | null} */ (content.querySelector('button'))?.focus();
      },

      close() {
        if (dialog.open) dialog.close();
      },
    };
  }
}
