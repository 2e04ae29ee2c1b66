// The clients overview: search, sortable columns, keyset paging, and
// importing and exporting CSV files through the native file dialogs.
//
// Like the users overview, the search and sort live in the session's memory
// and paging follows the store's cursors. For an operator who sees client
// data masked, Rust sends every name, email and phone number masked (the
// exported file too); this page only hides what they may not do (create or
// import), and Rust refuses it anyway. Their search matches whole values
// only and each search is audited, so it runs on Enter rather than as they
// type, and their list sorts only by Created (Rust decides both).
//
// Importing is two steps: a dry run over the chosen file shows how many
// rows it holds and what is wrong with which line; "Import N clients" then
// imports that same file (Rust remembers it), with a progress bar. Rust
// imports every row or none, so a file with errors is fixed and chosen again.
//
// One who may view clients for their team only (see grants.js) sees the
// clients whose account manager is in their team, and a note saying so.
// An imported file names no account manager, so the import needs
// clients.manage for everyone and is not offered otherwise.

import { h, oneAtATime, replaceChildren, uid } from '../dom.js';
import { clientsTotal, plural } from '../format.js';
import { overviewShortcuts, pagedTable } from '../table.js';
import { busy, field, time } from '../widgets.js';

/** @type {import('../table.js').Sort} */
const NAME_SORT = { key: 'name', first: 'asc' };
/** @type {import('../table.js').Sort} */
const CREATED_SORT = { key: 'created', first: 'desc' };

/**
 * The overview's columns. A masked operator sorts only by Created: never by
 * a masked value, whose order would reveal the real ones.
 *
 * @param {boolean} masked
 * @returns {import('../table.js').Column<import('../api.js').Client>[]}
 */
function columns(masked) {
  const none = () => h('span', { class: 'muted' }, '—');
  return [
    { label: 'Name', sort: masked ? undefined : NAME_SORT, class: 'cell-name', cell: (client) => client.name },
    { label: 'Email', class: 'cell-email', cell: (client) => client.email ?? none() },
    { label: 'Phone', class: 'cell-phone', cell: (client) => client.phone ?? none() },
    { label: 'Country', title: (client) => countryLabel(client.country), cell: (client) => client.country ?? none() },
    {
      label: 'Account manager',
      title: (client) => client.account_manager?.email ?? '',
      cell: (client) => client.account_manager?.name ?? none(),
    },
    { label: 'Created', sort: CREATED_SORT, class: 'cell-time', cell: (client) => time(client.created_at, '—', { dateOnly: true }) },
  ];
}

/** Above the list of one who may view only their team's clients. */
const TEAM_NOTE = "Showing your team's clients: those you or the people who report to you look after.";

/** Beside the search box of an operator who sees client data masked. */
export const MASKED_SEARCH_HINT = 'Only whole values match: a full email, phone number or name. Press Enter to search.';

/**
 * @typedef {object} ClientsState
 * @property {string} search
 * @property {"name" | "created"} sort
 * @property {"asc" | "desc"} direction
 * @property {(string | null)[]} cursors `after` of each page seen so far
 */

/**
 * @param {boolean} masked
 * @returns {ClientsState}
 */
function initialState(masked) {
  return masked
    ? { search: '', sort: 'created', direction: 'desc', cursors: [null] }
    : { search: '', sort: 'name', direction: 'asc', cursors: [null] };
}

/**
 * A country code with its name in the person's language, e.g. "United Kingdom (GB)".
 * @param {string | null | undefined} code
 * @returns {string}
 */
export function countryLabel(code) {
  if (!code) return '';
  try {
    const name = new Intl.DisplayNames(undefined, { type: 'region' }).of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}

/**
 * @param {HTMLElement} root
 * @param {import('../main.js').Context} ctx
 */
export function render(root, ctx) {
  const { api, signal } = ctx;
  const masked = Boolean(ctx.me.user.mask_client_data);
  /** @type {ClientsState} */
  const state = ctx.memory.clients ??= initialState(masked);
  if (masked && state.sort !== 'created') Object.assign(state, initialState(true));
  const mayManage = ctx.can('clients.manage') && !masked;
  const mayImport = mayManage && ctx.reach('clients.manage') === 'all';

  // --- Search ----------------------------------------------------------------
  const search = /** @type {HTMLInputElement} */ (h('input', {
    type: 'search', value: state.search, autocomplete: 'off', spellcheck: 'false',
    placeholder: masked ? 'Full email, phone or name' : 'Name, email or phone', 'aria-keyshortcuts': '/ Control+F',
  }));
  // The text each search asks for, taken when it is asked: a masked
  // operator's waiting search is what they entered, not what they typed
  // since.
  let asked = search.value;
  const runSearch = oneAtATime(() => {
    state.search = asked;
    return restart();
  });
  const ask = () => {
    asked = search.value;
    runSearch();
  };
  search.addEventListener('input', () => {
    // A masked operator's every search is audited: only on Enter, or when cleared.
    if (!masked || search.value === '') ask();
  });
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && masked && !event.isComposing) ask();
  });
  signal.addEventListener('abort', () => runSearch.cancel());

  // --- Results ---------------------------------------------------------------
  const list = pagedTable({
    caption: 'Clients',
    class: 'clients-table',
    loadingLabel: 'Loading clients',
    columns: columns(masked),
    state,
    fetch: async (paging) => {
      const query = currentQuery();
      const page = await api.listClients({ ...query, ...paging });
      const count = page.counting ? () => api.countClients(query) : undefined;
      return { items: page.clients, total: page.total, next: page.next, count };
    },
    id: (client) => client.id,
    open: (client) => ctx.navigate(`/clients/${client.id}`),
    totalText: clientsTotal,
    emptyText: () => (state.search.trim()
      ? 'No clients match.'
      : (mayImport ? 'No clients yet. Create one with "New client", or import a CSV file.'
        : mayManage ? 'No clients yet. Create one with "New client".' : 'No clients yet.')),
    hideEmptyTable: true,
    signal,
  });

  // --- Actions -----------------------------------------------------------------
  const newClient = mayManage
    ? h('button', { type: 'button', class: 'button button-primary', 'aria-keyshortcuts': 'Control+N', onclick: () => ctx.navigate('/clients/new') }, 'New client')
    : null;
  const importButton = mayImport
    ? /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', onclick: startImport }, 'Import CSV…'))
    : null;
  const exportButton = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', onclick: exportCsv }, 'Export CSV…'));
  const actionError = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
  const importSlot = h('div');

  const maskedNote = h('p', { class: 'hint masked-note', hidden: !masked }, 'Client personal data is masked for you.');
  root.append(
    h('div', { class: 'page-head' },
      h('h1', null, 'Clients'),
      h('div', { class: 'actions head-actions' }, newClient, importButton, exportButton)),
    maskedNote,
    // `hidden` rather than null: the native append would show "null" as text.
    h('p', { class: 'hint scope-note', hidden: ctx.reach('clients.view') !== 'team' }, TEAM_NOTE),
    actionError,
    importSlot,
    h('form', { class: 'toolbar', role: 'search', onsubmit: (/** @type {Event} */ e) => e.preventDefault() },
      field('Search clients', search, { class: 'field-search', hint: masked ? MASKED_SEARCH_HINT : undefined }).root,
    ),
    list.results,
    list.pager,
  );

  list.load();
  overviewShortcuts({ search, onNew: newClient ? () => ctx.navigate('/clients/new') : null, signal });

  /** The search changed, or an import added clients: back to the first page. */
  function restart() {
    return list.restart();
  }

  /** The query of the list as it stands, without paging (also what an export writes). */
  function currentQuery() {
    /** @type {import('../api.js').ClientQuery} */
    const query = { sort: state.sort, direction: state.direction };
    if (state.search.trim()) query.search = state.search.trim();
    return query;
  }

  // --- Export ------------------------------------------------------------------

  async function exportCsv() {
    actionError.hidden = true;
    try {
      const { saved } = await busy(exportButton, () => api.exportClients(currentQuery()));
      if (signal.aborted || !saved) return;
      ctx.say(`Exported to ${saved}.`);
    } catch (error) {
      if (signal.aborted) return;
      showActionError(error);
    }
  }

  /** @param {unknown} error */
  function showActionError(error) {
    replaceChildren(actionError, h('span', null, api.messageOf(error)));
    actionError.hidden = false;
  }

  // --- Import ------------------------------------------------------------------

  /** Chooses a file and checks it (a dry run): nothing is imported yet. */
  async function startImport() {
    if (!importButton) return;
    actionError.hidden = true;
    try {
      const result = await busy(importButton, () => api.importClients({ dry_run: true }));
      if (signal.aborted || !result.file || !result.report) return;
      showDryRun(result.file, result.report);
    } catch (error) {
      if (signal.aborted) return;
      showActionError(error);
    }
  }

  /**
   * @param {string} file
   * @param {import('../api.js').ImportReport} report
   */
  function showDryRun(file, report) {
    const headingId = uid('import');
    const { rows, errors } = report;
    // All rows or none: nothing can be imported while a line has an error.
    const importable = errors.length ? 0 : rows;
    const summary = `${plural(rows, 'row', 'rows')}, ${plural(errors.length, 'error', 'errors')}`;
    const bar = /** @type {HTMLProgressElement} */ (h('progress', { class: 'import-progress', max: '1', value: '0', 'aria-label': 'Import progress', hidden: true }));
    const status = h('p', { class: 'hint', 'aria-live': 'polite', hidden: true });
    const problem = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
    const run = importable > 0
      ? /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button button-primary', onclick: runImport },
        `Import ${plural(importable, 'client', 'clients')}`))
      : null;
    const again = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', onclick: chooseAgain }, 'Choose another file…'));
    const cancel = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', onclick: close }, 'Cancel'));
    const panel = h('section', { class: 'panel stack import-panel', 'aria-labelledby': headingId },
      h('h2', { id: headingId }, 'Import clients'),
      h('p', { class: 'path' }, file),
      h('p', { class: 'import-summary' }, summary),
      errors.length
        ? h('ul', { class: 'import-errors', 'aria-label': 'Import errors' },
          errors.map((e) => h('li', null, `Line ${e.line}: ${e.message}`)))
        : null,
      errors.length
        ? h('p', { class: 'hint' }, 'Nothing is imported while a line has an error: fix the file, then choose it again.')
        : null,
      rows === 0 && !errors.length ? h('p', { class: 'hint' }, 'The file holds no clients.') : null,
      bar,
      status,
      problem,
      h('div', { class: 'actions' }, run, again, cancel),
    );
    replaceChildren(importSlot, panel);
    (run ?? again).focus();

    async function runImport() {
      if (!run) return;
      problem.hidden = true;
      bar.hidden = false;
      status.hidden = false;
      bar.value = 0;
      cancel.disabled = true;
      again.disabled = true;
      status.textContent = 'Importing…';
      try {
        const result = await busy(run, () => api.importClients({
          dry_run: false,
          use_last_file: true,
          onProgress: ({ done, total: all }) => {
            if (signal.aborted) return;
            bar.max = Math.max(all, 1);
            bar.value = done;
            status.textContent = `Importing… ${Math.floor((100 * done) / Math.max(all, 1))}%`;
          },
        }));
        if (signal.aborted) return;
        if (result.file && result.report?.errors.length) {
          // The file changed since the dry run: nothing was imported.
          showDryRun(result.file, result.report);
          return;
        }
        const created = result.report?.created ?? 0;
        replaceChildren(importSlot);
        ctx.say(`Imported ${plural(created, 'client', 'clients')}.`);
        restart();
      } catch (error) {
        if (signal.aborted) return;
        bar.hidden = true;
        status.hidden = true;
        status.textContent = '';
        replaceChildren(problem, h('span', null, api.messageOf(error)));
        problem.hidden = false;
      } finally {
        cancel.disabled = false;
        again.disabled = false;
      }
    }

    function chooseAgain() {
      replaceChildren(importSlot);
      startImport();
    }

    function close() {
      replaceChildren(importSlot);
      importButton?.focus();
    }
  }
}
