// The audit page: every event, newest first, filtered by operator, target,
// action group, time and a search on names; keyset paging through the
// shared table; an event opens to its changed fields before and after,
// with a link to the user or group it names while they still exist.
// "Export…" writes exactly the filtered view (CSV or XLSX) through the
// native save dialog; "Verify" walks the hash chain, "Verify against a
// checkpoint…" also compares it with a checkpoint file (the native open
// dialog), "Export checkpoint…" saves the verified head to keep elsewhere;
// "Archive old events…" (settings.manage) moves the events older than the
// setting's months to a file and out of the directory. Rust checks
// `audit.view` for every call and masks client events for a masked operator.

import { h, replaceChildren, debounce } from '../dom.js';
import { actionLabel, changeValue, dateTime, fieldLabel } from '../format.js';
import { pagedTable } from '../table.js';
import { busy, field, personPicker, time } from '../widgets.js';

/**
 * @typedef {object} AuditState
 * @property {import('../api.js').PersonRef | null} operator
 * @property {{id: number, label: string} | null} person a user's whole trail
 * @property {string} target
 * @property {string} action
 * @property {string} period "" (any time), "today", "7", "30" or "custom"
 * @property {string} from yyyy-mm-dd, for "custom"
 * @property {string} to yyyy-mm-dd, for "custom"
 * @property {string} search
 * @property {string} sort unused: the log is newest first
 * @property {"asc" | "desc"} direction
 * @property {(string | null)[]} cursors
 */

/** @returns {AuditState} */
function initialState() {
  return {
    operator: null, person: null, target: '', action: '', period: '30', from: '', to: '', search: '',
    sort: 'time', direction: 'desc', cursors: [null],
  };
}

const TARGETS = [['', 'Any target'], ['user', 'Users'], ['group', 'Groups'], ['client', 'Clients'], ['settings', 'Settings'], ['sign_in', 'Sign-in']];
const ACTIONS = [['', 'Any action'], ['accounts', 'Accounts'], ['rights', 'Rights'], ['credentials', 'Credentials'], ['sign_in', 'Sign-in'], ['settings', 'Settings'], ['clients', 'Clients']];
const PERIODS = [['', 'Any time'], ['today', 'Today'], ['7', 'Last 7 days'], ['30', 'Last 30 days'], ['custom', 'Custom range']];

/**
 * @param {[string, string][]} options
 * @param {string} value
 */
function select(options, value) {
  const el = /** @type {HTMLSelectElement} */ (h('select', null, options.map(([v, label]) => h('option', { value: v }, label))));
  el.value = value;
  return el;
}

/** Local midnight of a yyyy-mm-dd day, `days` later, as RFC 3339. @param {string} day @param {number} days */
function midnight(day, days = 0) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d + days).toISOString();
}

/** @param {Date} date */
function dayOf(date) {
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * The core's filter from the page's state.
 * @param {AuditState} state
 * @returns {import('../api.js').AuditFilter}
 */
export function filterOf(state) {
  /** @type {import('../api.js').AuditFilter} */
  const filter = {};
  if (state.operator) filter.operator = state.operator.id;
  if (state.person) filter.person = state.person.id;
  if (state.target) filter.target = /** @type {any} */ (state.target);
  if (state.action) filter.action = /** @type {any} */ (state.action);
  const today = dayOf(new Date());
  if (state.period === 'today') filter.from = midnight(today);
  if (state.period === '7') filter.from = midnight(today, -6);
  if (state.period === '30') filter.from = midnight(today, -29);
  if (state.period === 'custom') {
    if (state.from) filter.from = midnight(state.from);
    if (state.to) filter.to = midnight(state.to, 1);
  }
  if (state.search.trim()) filter.search = state.search.trim();
  return filter;
}

/**
 * @param {HTMLElement} root
 * @param {import('../main.js').Context} ctx
 */
export function render(root, ctx) {
  const { api, signal } = ctx;
  /** @type {AuditState} */
  const state = ctx.memory.audit ??= initialState();
  if (ctx.params.person) {
    // A user's whole trail, from their page: at any time.
    const id = Number(ctx.params.person);
    const known = ctx.memory.auditPerson;
    state.person = { id, label: known?.id === id ? known.label : `user ${id}` };
    state.period = '';
    state.cursors = [null];
  } else if (state.person) {
    state.person = null;
    state.cursors = [null];
  }

  // --- Filters -----------------------------------------------------------------
  const operator = ctx.can('users.view')
    ? personPicker({
      api, label: 'Operator', noneLabel: 'Anyone', initial: state.operator, showChosen: false, class: 'field-compact',
      onChange(person) { state.operator = person; restart(); },
    })
    : null;
  const target = select(TARGETS, state.target);
  target.addEventListener('change', () => { state.target = target.value; restart(); });
  const action = select(ACTIONS, state.action);
  action.addEventListener('change', () => { state.action = action.value; restart(); });
  const period = select(PERIODS, state.period);
  const from = /** @type {HTMLInputElement} */ (h('input', { type: 'date', value: state.from }));
  const to = /** @type {HTMLInputElement} */ (h('input', { type: 'date', value: state.to }));
  const custom = h('div', { class: 'toolbar-group', hidden: state.period !== 'custom' },
    field('From', from, { class: 'field-compact' }).root,
    field('To', to, { class: 'field-compact' }).root);
  period.addEventListener('change', () => {
    state.period = period.value;
    custom.hidden = state.period !== 'custom';
    restart();
  });
  for (const [input, key] of /** @type {const} */ ([[from, 'from'], [to, 'to']])) {
    input.addEventListener('change', () => { state[key] = input.value; restart(); });
  }
  const search = /** @type {HTMLInputElement} */ (h('input', { type: 'search', value: state.search, autocomplete: 'off', spellcheck: 'false', placeholder: 'Start of a name or email' }));
  const runSearch = debounce(() => { state.search = search.value; restart(); }, 250);
  search.addEventListener('input', runSearch);
  signal.addEventListener('abort', () => runSearch.cancel());

  const trail = h('p', { class: 'hint', hidden: !state.person },
    state.person ? `The whole trail of ${state.person.label}: events about them and events they made. ` : '',
    h('button', { type: 'button', class: 'button button-quiet', onclick: () => { state.person = null; ctx.navigate('/audit'); } }, 'Show everyone'));

  // --- Results -----------------------------------------------------------------
  const detail = h('section', { class: 'panel audit-detail', hidden: true, 'aria-label': 'Event' });
  const list = pagedTable({
    caption: 'Audit events',
    class: 'audit-table',
    loadingLabel: 'Loading the audit log',
    columns: [
      { label: 'Time', class: 'cell-time', cell: (e) => time(e.at) },
      { label: 'Operator', cell: (e) => e.operator_label || 'Roster' },
      { label: 'Action', cell: (e) => actionLabel(e.action), title: (e) => e.action },
      { label: 'Target', cell: (e) => e.target_label },
      { label: 'Summary', class: 'cell-summary', cell: summary },
    ],
    state,
    fetch: async (paging) => {
      const page = await api.auditPage(filterOf(state), { after: paging.after ?? null, limit: paging.limit });
      return { items: page.events, total: { count: page.events.length, exact: !page.next }, next: page.next };
    },
    id: (e) => e.id,
    open: (e) => showEvent(e),
    totalText: () => 'Newest first',
    emptyText: () => 'No events match.',
    signal,
  });
  function restart() { list.restart(); detail.hidden = true; }

  // --- Actions -----------------------------------------------------------------
  const status = h('p', { role: 'status', class: 'audit-status' });
  const failure = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
  const format = select([['csv', 'CSV'], ['xlsx', 'Excel (XLSX)']], 'csv');
  const exportButton = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', onclick: () => act(exportButton, async () => {
    const result = await api.exportAudit(filterOf(state), /** @type {"csv" | "xlsx"} */ (format.value));
    return result.saved ? `Exported to ${result.saved}.` : null;
  }) }, 'Export…'));
  const verifyButton = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', onclick: () => act(verifyButton, async () => {
    const result = await api.verifyAudit();
    if (!result.intact) throw { message: result.message };
    return result.message;
  }) }, 'Verify'));
  const againstButton = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', onclick: () => act(againstButton, async () => {
    const result = await api.verifyAuditCheckpoint();
    if (!result) return null;
    if (!result.intact) throw { message: result.message };
    return result.message;
  }) }, 'Verify against a checkpoint…'));
  const checkpointButton = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', onclick: () => act(checkpointButton, async () => {
    const result = await api.saveAuditCheckpoint();
    return result.saved ? `Checkpoint exported to ${result.saved}.` : null;
  }) }, 'Export checkpoint…'));
  // Retention: shown to those who may change settings (archiving deletes).
  const archiveButton = ctx.can('settings.manage') && ctx.can('audit.view')
    ? /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', onclick: () => act(archiveButton, async () => {
      const plan = await api.auditArchivePlan();
      const sure = await api.confirm({
        title: 'Archive old audit events',
        message: `Move ${plan.events} events written before ${dateTime(plan.before)} to a file you choose, and out of the directory? Keep the file: it is their only copy. The log left still verifies, and the file can be verified with it.`,
        ok_label: `Archive ${plan.events} events`,
      });
      if (!sure) return null;
      const result = await api.archiveAudit();
      if (!result.saved || !result.archived) return null;
      restart();
      return `Archived ${result.archived.events} events to ${result.saved}.`;
    }) }, 'Archive old events…'))
    : null;

  /**
   * @param {HTMLButtonElement} button
   * @param {() => Promise<string | null>} work
   */
  async function act(button, work) {
    failure.hidden = true;
    status.textContent = '';
    await busy(button, async () => {
      try {
        const text = await work();
        if (text) status.textContent = text;
      } catch (error) {
        failure.textContent = api.messageOf(error);
        failure.hidden = false;
      }
    });
  }

  /** @param {import('../api.js').AuditEvent} event */
  async function showEvent(event) {
    const heading = h('h2', { tabindex: '-1' }, `${actionLabel(event.action)}: ${event.target_label}`);
    const link = h('p');
    const rows = event.changes.map((c) => h('tr', null,
      h('th', { scope: 'row' }, fieldLabel(c.field)),
      h('td', null, changeValue(c.field, c.before)),
      h('td', null, changeValue(c.field, c.after))));
    replaceChildren(detail,
      heading,
      h('p', { class: 'muted' }, time(event.at), ` · ${event.operator_label || 'Roster'} · ${event.action}`),
      rows.length
        ? h('table', { class: 'table changes-table' },
          h('caption', { class: 'visually-hidden' }, 'Changed fields'),
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'Before'), h('th', { scope: 'col' }, 'After'))),
          h('tbody', null, rows))
        : h('p', { class: 'muted' }, 'No fields changed.'),
      link,
      h('button', { type: 'button', class: 'button', onclick: () => { detail.hidden = true; } }, 'Close'));
    detail.hidden = false;
    heading.focus();
    if (event.target_id == null) return;
    try {
      if (event.target_kind === 'user' && ctx.can('users.view')) {
        const user = await api.getUser(event.target_id);
        replaceChildren(link,
          h('a', { href: `#/users/${user.id}` }, `Open ${user.name}`), ' · ',
          h('a', { href: `#/audit/person/${user.id}` }, `Whole trail of ${user.name}`));
      } else if (event.target_kind === 'group' && ctx.can('groups.manage')) {
        const group = (await api.listGroups()).find((g) => g.id === event.target_id);
        replaceChildren(link, group ? h('a', { href: `#/groups/${group.id}` }, `Open ${group.name}`) : h('span', { class: 'muted' }, 'This group no longer exists.'));
      }
    } catch {
      replaceChildren(link, h('span', { class: 'muted' }, 'This user no longer exists.'));
    }
  }

  root.append(
    h('div', { class: 'page-head' },
      h('h1', null, 'Audit log'),
      h('div', { class: 'actions head-actions' }, field('Export format', format, { class: 'field-compact' }).root, exportButton, verifyButton, againstButton, checkpointButton, archiveButton)),
    status,
    failure,
    trail,
    h('form', { class: 'toolbar', role: 'search', onsubmit: (/** @type {Event} */ e) => e.preventDefault() },
      operator ? operator.root : null,
      field('Target', target, { class: 'field-compact' }).root,
      field('Action', action, { class: 'field-compact' }).root,
      field('Time', period, { class: 'field-compact' }).root,
      custom,
      field('Search names', search, { class: 'field-search' }).root,
    ),
    list.results,
    list.pager,
    detail,
  );
  list.load();
}

/** The changes in one line. @param {import('../api.js').AuditEvent} event */
function summary(event) {
  return event.changes
    .map((c) => (c.before === null || c.before === undefined
      ? `${fieldLabel(c.field)}: ${changeValue(c.field, c.after)}`
      : `${fieldLabel(c.field)}: ${changeValue(c.field, c.before)} → ${changeValue(c.field, c.after)}`))
    .join('; ');
}
