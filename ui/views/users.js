// The users overview: search, filters, sortable columns and keyset paging.
//
// Paging follows the store's cursors: `next` of a page fetches the following
// one, and a stack of the cursors used so far leads back. Filters and sort
// live in the session's memory so coming back from a user shows the same list.
// Above them, a notice while an enabled administrator has no second factor.

import { debounce, h, replaceChildren } from '../dom.js';
import { twoFactorLabel, usersTotal, yesNo } from '../format.js';
import { field, personPicker, progress, statusBadge, time } from '../widgets.js';
import * as adminSecondFactor from './admin-second-factor.js';

const PAGE_SIZE = 50;

/** Sortable columns: header text → the `sort` key of list_users, and its first direction. */
const SORTABLE = {
  Name: { key: 'name', first: 'asc' },
  Email: { key: 'email', first: 'asc' },
  'Last sign-in': { key: 'last_sign_in', first: 'desc' },
  Created: { key: 'created', first: 'desc' },
};
const COLUMNS = ['Name', 'Email', 'Groups', 'Supervisor', 'Status', '2FA', 'Masked', 'Last sign-in', 'Created'];

/**
 * @typedef {object} OverviewState
 * @property {string} search
 * @property {"" | "enabled" | "disabled"} status
 * @property {string} group_id "" for all
 * @property {import('../api.js').PersonRef | null} supervisor
 * @property {string} sort
 * @property {"asc" | "desc"} direction
 * @property {(string | null)[]} cursors `after` of each page seen so far; the last is the current page's
 */

/** @returns {OverviewState} */
function initialState() {
  return { search: '', status: '', group_id: '', supervisor: null, sort: 'name', direction: 'asc', cursors: [null] };
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
  ));
  status.value = state.status;
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

  const runSearch = debounce(() => {
    state.search = search.value;
    restart();
  }, 200);
  search.addEventListener('input', () => runSearch());
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') runSearch.flush();
  });
  status.addEventListener('change', () => {
    state.status = /** @type {OverviewState["status"]} */ (status.value);
    restart();
  });
  group.addEventListener('change', () => {
    state.group_id = group.value;
    restart();
  });

  // --- Results -------------------------------------------------------------
  const loading = progress('Loading users');
  loading.hidden = true;
  const failure = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
  const head = h('tr');
  const body = h('tbody');
  const table = h('table', { class: 'table users-table' },
    h('caption', { class: 'visually-hidden' }, 'Users'),
    h('thead', null, head),
    body,
  );
  const empty = h('p', { class: 'empty', hidden: true }, 'No users match.');
  const total = h('span', { class: 'total', 'aria-live': 'polite' });
  const pageNumber = h('span', { class: 'page-number muted' });
  const previous = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', disabled: true, onclick: previousPage }, 'Previous page'));
  const next = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', disabled: true, onclick: nextPage }, 'Next page'));
  const results = h('div', { class: 'results' }, loading, failure, h('div', { class: 'table-wrap' }, table), empty);

  const newUser = ctx.can('users.create')
    ? h('button', { type: 'button', class: 'button button-primary', 'aria-keyshortcuts': 'Control+N', onclick: () => ctx.navigate('/users/new') }, 'New user')
    : null;

  root.append(
    h('div', { class: 'page-head' }, h('h1', null, 'Users'), newUser),
    adminSecondFactor.notice(ctx),
    h('form', { class: 'toolbar', role: 'search', onsubmit: (/** @type {Event} */ e) => e.preventDefault() },
      field('Search users', search, { class: 'field-search' }).root,
      field('Status', status, { class: 'field-compact' }).root,
      groupField.root,
      supervisor.root,
    ),
    results,
    h('div', { class: 'pager' }, total, pageNumber, h('span', { class: 'spacer' }), previous, next),
  );

  /** @type {string | null} */
  let nextCursor = null;
  let asked = 0;

  renderHead();
  loadGroups();
  load();

  // --- Keyboard: "/" or Ctrl+F to search, Ctrl+N for a new user ------------
  document.addEventListener('keydown', (event) => {
    const typing = isTyping(event.target);
    const mod = event.ctrlKey || event.metaKey;
    if ((event.key === '/' && !typing && !mod) || (mod && !event.altKey && event.key.toLowerCase() === 'f')) {
      event.preventDefault();
      search.focus();
      search.select();
    } else if (mod && !event.altKey && !event.shiftKey && event.key.toLowerCase() === 'n' && newUser) {
      event.preventDefault();
      ctx.navigate('/users/new');
    }
  }, { signal });

  function renderHead() {
    replaceChildren(head, COLUMNS.map((title) => {
      const sortable = SORTABLE[title];
      if (!sortable) return h('th', { scope: 'col' }, title);
      const active = state.sort === sortable.key;
      return h('th', {
        scope: 'col',
        'aria-sort': active ? (state.direction === 'asc' ? 'ascending' : 'descending') : 'none',
      }, h('button', {
        type: 'button',
        class: ['sort', active && 'sort-active'],
        onclick: () => sortBy(sortable),
      }, title, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, active ? (state.direction === 'asc' ? '▲' : '▼') : '↕')));
    }));
  }

  /** @param {{key: string, first: "asc" | "desc"}} sortable */
  function sortBy(sortable) {
    if (state.sort === sortable.key) {
      state.direction = state.direction === 'asc' ? 'desc' : 'asc';
    } else {
      state.sort = sortable.key;
      state.direction = sortable.first;
    }
    renderHead();
    restart();
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

  /** Filters or sort changed: back to the first page. */
  function restart() {
    state.cursors = [null];
    load();
  }

  function nextPage() {
    if (!nextCursor) return;
    state.cursors.push(nextCursor);
    load();
  }

  function previousPage() {
    if (state.cursors.length <= 1) return;
    state.cursors.pop();
    load();
  }

  async function load() {
    const question = ++asked;
    /** @type {import('../api.js').UserQuery} */
    const query = { sort: /** @type {any} */ (state.sort), direction: state.direction, limit: PAGE_SIZE };
    if (state.search.trim()) query.search = state.search.trim();
    if (state.status) query.status = state.status;
    if (state.group_id) query.group_id = Number(state.group_id);
    if (state.supervisor) query.supervisor_id = state.supervisor.id;
    const after = state.cursors[state.cursors.length - 1];
    if (after) query.after = after;

    results.setAttribute('aria-busy', 'true');
    const showLoading = setTimeout(() => { loading.hidden = false; }, 150);
    try {
      const page = await api.listUsers(query);
      if (question !== asked || signal.aborted) return;
      failure.hidden = true;
      showPage(page);
    } catch (error) {
      if (question !== asked || signal.aborted) return;
      replaceChildren(failure,
        h('span', null, api.messageOf(error)), ' ',
        h('button', { type: 'button', class: 'button', onclick: () => load() }, 'Try again'));
      failure.hidden = false;
    } finally {
      if (question === asked) {
        clearTimeout(showLoading);
        loading.hidden = true;
        results.removeAttribute('aria-busy');
      }
    }
  }

  /** @param {import('../api.js').UserPage} page */
  function showPage(page) {
    nextCursor = page.next;
    replaceChildren(body, page.users.map(row));
    // One tab stop for the whole table: the arrow keys move between rows.
    body.querySelector('tr')?.setAttribute('tabindex', '0');
    empty.hidden = page.users.length > 0;
    total.textContent = usersTotal(page.total);
    const number = state.cursors.length;
    pageNumber.textContent = number > 1 || page.next ? `Page ${number}` : '';
    previous.disabled = number <= 1;
    next.disabled = !page.next;
  }

  /** @param {import('../api.js').User} user */
  function row(user) {
    const open = () => ctx.navigate(`/users/${user.id}`);
    return h('tr', {
      tabindex: '-1',
      class: 'row-link',
      'data-id': String(user.id),
      onclick: open,
      onfocus: (/** @type {FocusEvent} */ event) => {
        for (const other of body.querySelectorAll('tr[tabindex="0"]')) other.setAttribute('tabindex', '-1');
        /** @type {HTMLElement} */ (event.currentTarget).setAttribute('tabindex', '0');
      },
      onkeydown: (/** @type {KeyboardEvent} */ event) => {
        const current = /** @type {HTMLElement} */ (event.currentTarget);
        /** @type {Element | null | undefined} */
        let target;
        if (event.key === 'Enter') {
          event.preventDefault();
          open();
        } else if (event.key === 'ArrowDown') target = current.nextElementSibling;
        else if (event.key === 'ArrowUp') target = current.previousElementSibling;
        else if (event.key === 'Home') target = body.firstElementChild;
        else if (event.key === 'End') target = body.lastElementChild;
        if (target instanceof HTMLElement) {
          event.preventDefault();
          target.focus();
        }
      },
    },
      h('td', { class: 'cell-name' }, user.name),
      h('td', { class: 'cell-email' }, user.email),
      h('td', { class: 'cell-wrap' }, user.groups.map((g) => g.name).join(', ')),
      h('td', { class: 'cell-wrap' }, user.supervisor
        ? h('span', { title: user.supervisor.email }, user.supervisor.name)
        : h('span', { class: 'muted' }, '—')),
      h('td', null, statusBadge(user.status)),
      h('td', { class: 'cell-wrap' }, twoFactorLabel(user.two_factor)),
      h('td', null, yesNo(user.mask_client_data)),
      h('td', { class: 'cell-time' }, time(user.last_sign_in_at, 'Never')),
      h('td', { class: 'cell-time' }, time(user.created_at, '—', { dateOnly: true })),
    );
  }
}

/** @param {EventTarget | null} target */
function isTyping(target) {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}
