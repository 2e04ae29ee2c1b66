// The users overview: search, filters, sortable columns and keyset paging.
//
// Paging follows the store's cursors: `next` of a page fetches the following
// one, and a stack of the cursors used so far leads back. Filters and sort
// live in the session's memory so coming back from a user shows the same list.
// Above them, a notice while an enabled administrator has no second factor.
//
// Spreadsheets: "Import users…" (users-import.js), "Export…" (exactly what
// the overview shows: its search, filters and sort, every page) and
// "Download template", as CSV or XLSX. A checkbox per row chooses users for
// an action on many at once (users-bulk.js); the choice is cleared when the
// search or a filter changes, since it was made among other rows.
//
// One who may view users for their team only (see grants.js) sees that
// team, and a note saying so; the import and the recycle bin need the
// rights for everyone, so they are not offered to them.

import { h, oneAtATime, replaceChildren } from '../dom.js';
import { standing, twoFactorLabel, usersTotal, yesNo } from '../format.js';
import { countedInFull, overviewShortcuts, pagedTable } from '../table.js';
import { busy, field, personPicker, statusBadge, time } from '../widgets.js';
import * as adminSecondFactor from './admin-second-factor.js';
import { offersBulk, selectionBar } from './users-bulk.js';
import { formatChoice, startImport } from './users-import.js';

/** Above the list of one who may view only their team. */
const TEAM_NOTE = 'Showing your team: you and the people who report to you.';

/** @type {import('../table.js').Column<import('../api.js').User>[]} */
const COLUMNS = [
  { label: 'Name', sort: { key: 'name', first: 'asc' }, class: 'cell-name', cell: (user) => user.name },
  { label: 'Email', sort: { key: 'email', first: 'asc' }, class: 'cell-email', cell: (user) => user.email },
  { label: 'Groups', class: 'cell-wrap', cell: (user) => user.groups.map((g) => g.name).join(', ') },
  {
    label: 'Supervisor',
    class: 'cell-wrap',
    cell: (user) => (user.supervisor
      ? h('span', { title: user.supervisor.email }, user.supervisor.name)
      : h('span', { class: 'muted' }, '—')),
  },
  { label: 'Status', cell: (user) => statusBadge(standing(user)) },
  { label: '2FA', class: 'cell-wrap', cell: (user) => twoFactorLabel(user.two_factor) },
  { label: 'Masked', cell: (user) => yesNo(user.mask_client_data) },
  { label: 'Last sign-in', sort: { key: 'last_sign_in', first: 'desc' }, class: 'cell-time', cell: (user) => time(user.last_sign_in_at, 'Never') },
  { label: 'Password set', sort: { key: 'password_changed', first: 'asc' }, class: 'cell-time', cell: (user) => time(user.password_changed_at, '—', { dateOnly: true }) },
  {
    label: 'Failed sign-ins',
    sort: { key: 'failed_sign_ins', first: 'desc' },
    headerClass: 'cell-number',
    class: 'cell-number',
    cell: (user) => failedText(user),
  },
  { label: 'Created', sort: { key: 'created', first: 'desc' }, class: 'cell-time', cell: (user) => time(user.created_at, '—', { dateOnly: true }) },
];

/**
 * The failed sign-ins since the last success, and the lock they led to.
 * @param {import('../api.js').User} user
 */
function failedText(user) {
  const locked = user.locked_until && Date.parse(user.locked_until) > Date.now();
  if (locked) return h('span', { class: 'badge badge-locked' }, `${user.failed_sign_ins}, locked until `, time(user.locked_until));
  return user.failed_sign_ins ? String(user.failed_sign_ins) : h('span', { class: 'muted' }, '0');
}

/**
 * @typedef {object} OverviewState
 * @property {string} search
 * @property {"" | "enabled" | "disabled" | "expired"} status
 * @property {string} group_id "" for all
 * @property {import('../api.js').PersonRef | null} supervisor
 * @property {"" | import('../api.js').FactFilter} facts password and sign-in facts
 * @property {string} sort
 * @property {"asc" | "desc"} direction
 * @property {(string | null)[]} cursors `after` of each page seen so far; the last is the current page's
 */

/** @returns {OverviewState} */
function initialState() {
  return { search: '', status: '', group_id: '', supervisor: null, facts: '', sort: 'name', direction: 'asc', cursors: [null] };
}

/**
 * Makes the overview open on one group's members (used by the Groups view).
 *
 * @param {Record<string, any>} memory the session's memory from the context
 * @param {number} groupId
 */
export function filterByGroup(memory, groupId) {
  memory.users = { ...initialState(), group_id: String(groupId) };
}

/**
 * @param {HTMLElement} root
 * @param {import('../main.js').Context} ctx
 */
export function render(root, ctx) {
  const { api, signal } = ctx;
  /** @type {OverviewState} */
  const state = ctx.memory.users ??= initialState();

  // --- Filters -------------------------------------------------------------
  const search = /** @type {HTMLInputElement} */ (h('input', {
    type: 'search', value: state.search, autocomplete: 'off', spellcheck: 'false',
    placeholder: 'Name or email', 'aria-keyshortcuts': '/ Control+F',
  }));
  const status = /** @type {HTMLSelectElement} */ (h('select', null,
    h('option', { value: '' }, 'All'),
    h('option', { value: 'enabled' }, 'Enabled'),
    h('option', { value: 'disabled' }, 'Disabled'),
    h('option', { value: 'expired' }, 'Expired'),
  ));
  status.value = state.status;
  const facts = /** @type {HTMLSelectElement} */ (h('select', null,
    h('option', { value: '' }, 'Any'),
    h('option', { value: 'never_signed_in' }, 'Never signed in'),
    h('option', { value: 'password_older_than_year' }, 'Password older than a year'),
    h('option', { value: 'failed_sign_ins' }, 'Failed sign-ins'),
    h('option', { value: 'locked' }, 'Locked now'),
  ));
  facts.value = state.facts ?? '';
  const group = /** @type {HTMLSelectElement} */ (h('select', null, h('option', { value: '' }, 'All')));
  const groupField = field('Group', group, { class: 'field-compact' });
  const supervisor = personPicker({
    api,
    label: 'Supervisor',
    noneLabel: 'Any supervisor',
    initial: state.supervisor,
    showChosen: false,
    class: 'field-compact',
    onChange(person) {
      state.supervisor = person;
      restart();
    },
  });

  const runSearch = oneAtATime(() => {
    state.search = search.value;
    return restart();
  });
  search.addEventListener('input', () => runSearch());
  signal.addEventListener('abort', () => runSearch.cancel());
  status.addEventListener('change', () => {
    state.status = /** @type {OverviewState["status"]} */ (status.value);
    restart();
  });
  facts.addEventListener('change', () => {
    state.facts = /** @type {OverviewState["facts"]} */ (facts.value);
    restart();
  });
  group.addEventListener('change', () => {
    state.group_id = group.value;
    restart();
  });

  // --- Results -------------------------------------------------------------
  /** @type {{count: number, exact: boolean} | null} the query's total, from the last page */
  let lastTotal = null;
  /** @type {{key: string, total: {count: number, exact: boolean}} | null} a query's total counted in full */
  let counted = null;
  /** where the bulk confirmation dialog goes */
  const dialogs = h('div');
  const bar = offersBulk(ctx)
    ? selectionBar({
      ctx,
      selection: () => list.selection,
      total: () => lastTotal,
      filters: currentQuery,
      dialogs,
      onApplied: () => {
        counted = null;
        list.load();
      },
    })
    : null;
  const list = pagedTable({
    caption: 'Users',
    class: 'users-table',
    loadingLabel: 'Loading users',
    columns: COLUMNS,
    state,
    fetch: async (paging) => {
      /** @type {import('../api.js').UserQuery} */
      const query = { ...currentQuery(), ...paging, sort: /** @type {any} */ (paging.sort) };
      const filters = currentQuery();
      const key = JSON.stringify(filters);
      const page = await api.listUsers(query);
      // The query's total counted in full, once it came, for the bulk bar.
      lastTotal = page.counting && counted?.key === key ? counted.total : page.total;
      const count = page.counting
        ? async () => {
          const total = countedInFull(page.total, await api.countUsers(filters));
          counted = { key, total };
          if (key === JSON.stringify(currentQuery())) {
            lastTotal = total;
            bar?.update();
          }
          return total;
        }
        : undefined;
      return { items: page.users, total: page.total, next: page.next, count };
    },
    id: (user) => user.id,
    open: (user) => ctx.navigate(`/users/${user.id}`),
    totalText: usersTotal,
    emptyText: () => 'No users match.',
    select: bar ? { label: (user) => `Select ${user.name}`, onChange: () => bar.update() } : undefined,
    signal,
  });

  // --- Spreadsheets ----------------------------------------------------------
  const mayImport = ctx.reach('users.create') === 'all';
  const format = formatChoice();
  const importButton = mayImport
    ? /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', onclick: () => startImport({
      slot: importSlot,
      button: /** @type {HTMLButtonElement} */ (importButton),
      ctx,
      showError: showActionError,
      onImported: restart,
    }) }, 'Import users…'))
    : null;
  const exportButton = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', onclick: exportUsers }, 'Export…'));
  const templateButton = mayImport
    ? /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', onclick: saveTemplate }, 'Download template'))
    : null;
  const actionError = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
  const importSlot = h('div');

  const newUser = ctx.can('users.create')
    ? h('button', { type: 'button', class: 'button button-primary', 'aria-keyshortcuts': 'Control+N', onclick: () => ctx.navigate('/users/new') }, 'New user')
    : null;

  const binLink = ctx.reach('users.delete') === 'all'
    ? h('a', { href: '#/users/deleted', class: 'button' }, 'Deleted users')
    : null;

  root.append(
    h('div', { class: 'page-head' }, h('h1', null, 'Users'), h('span', { class: 'spacer' }), binLink, newUser),
    adminSecondFactor.notice(ctx),
    h('div', { class: 'sheet-actions', role: 'group', 'aria-label': 'Spreadsheets' },
      importButton, format.root, exportButton, templateButton),
    actionError,
    importSlot,
    // `hidden` rather than null: the native append would show "null" as text.
    h('p', { class: 'hint scope-note', hidden: ctx.reach('users.view') !== 'team' }, TEAM_NOTE),
    h('form', { class: 'toolbar', role: 'search', onsubmit: (/** @type {Event} */ e) => e.preventDefault() },
      field('Search users', search, { class: 'field-search' }).root,
      field('Status', status, { class: 'field-compact' }).root,
      field('Sign-in', facts, { class: 'field-compact' }).root,
      groupField.root,
      supervisor.root,
    ),
    bar?.root,
    list.results,
    list.pager,
    dialogs,
  );

  loadGroups();
  list.load();
  overviewShortcuts({ search, onNew: newUser ? () => ctx.navigate('/users/new') : null, signal });

  /** Filters changed (or users were imported): back to the first page, nothing chosen. */
  function restart() {
    list.selection?.clear();
    return list.restart();
  }

  /** The overview's query without paging: what a page, an export and "all matching" share. */
  function currentQuery() {
    /** @type {import('../api.js').UserFilters} */
    const query = { sort: /** @type {any} */ (state.sort), direction: state.direction };
    if (state.search.trim()) query.search = state.search.trim();
    if (state.status) query.status = state.status;
    if (state.group_id) query.group_id = Number(state.group_id);
    if (state.supervisor) query.supervisor_id = state.supervisor.id;
    if (state.facts) query.facts = state.facts;
    return query;
  }

  async function exportUsers() {
    actionError.hidden = true;
    try {
      const { saved } = await busy(exportButton, () => api.exportUsers(currentQuery(), format.value()));
      if (!signal.aborted && saved) ctx.say(`Exported to ${saved}.`);
    } catch (error) {
      if (!signal.aborted) showActionError(error);
    }
  }

  async function saveTemplate() {
    if (!templateButton) return;
    actionError.hidden = true;
    try {
      const { saved } = await busy(templateButton, () => api.saveUsersTemplate(format.value()));
      if (!signal.aborted && saved) ctx.say(`Template saved to ${saved}.`);
    } catch (error) {
      if (!signal.aborted) showActionError(error);
    }
  }

  /** @param {unknown} error */
  function showActionError(error) {
    replaceChildren(actionError, h('span', null, api.messageOf(error)));
    actionError.hidden = false;
  }

  async function loadGroups() {
    try {
      const groups = await api.listGroups();
      if (signal.aborted) return;
      group.append(...groups
        .slice()
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((g) => h('option', { value: String(g.id) }, g.name)));
      if (groups.some((g) => String(g.id) === state.group_id)) group.value = state.group_id;
      else if (state.group_id) {
        state.group_id = '';
        restart();
      }
    } catch {
      if (signal.aborted) return;
      // Without the groups, the filter has nothing to offer.
      groupField.root.hidden = true;
    }
  }
}
