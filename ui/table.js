// The overview table of the users and clients lists: sortable column
// headers, keyset paging through the `next` cursor of each page, the empty
// and busy states, rows one reaches with the keyboard, and (for a view that
// asks) a checkbox per row to act on many rows at once.
//
// The page's sort, direction and cursors live in a state object the view
// keeps (in the session's memory, so coming back shows the same page);
// the view decides what a page holds (its filters) and what a column shows.
// Cells are built with `h`, so every value is placed as text.

import { h, replaceChildren } from './dom.js';
import { messageOf } from './api.js';
import { progress } from './widgets.js';

/** The number of rows a page asks for. */
export const PAGE_SIZE = 50;

/**
 * The total counted in full that takes the place of a page's own (`quick`,
 * "more than" a number read quickly): the count, unless it is a lower bound
 * too and says less, where the page's stays. Both are true (the core's
 * `Total::counted_in_full`: a full count may read fewer candidates in
 * another order than a first page read in the sort's).
 * @param {{count: number, exact: boolean}} quick
 * @param {{count: number, exact: boolean}} full
 */
export function countedInFull(quick, full) {
  return !quick.exact && !full.exact && quick.count > full.count ? quick : full;
}

/** How long a page that says "more than" stands before its total is counted in full. */
const COUNT_PAUSE_MS = 300;

/**
 * @typedef {object} Sort a column's sort key and the direction it sorts in first
 * @property {string} key the `sort` value of the list command
 * @property {"asc" | "desc"} first
 */

/**
 * @template T
 * @typedef {object} Column
 * @property {string} label the header's text
 * @property {Sort} [sort] left out: the column does not sort
 * @property {(item: T) => import('./dom.js').Child} cell what the cell shows (text or nodes, never markup)
 * @property {string} [class] the cells' class, e.g. "cell-name"
 * @property {string} [headerClass] the header's class, e.g. "cell-number"
 * @property {(item: T) => string} [title] the cell's tooltip
 */

/**
 * @typedef {object} Paging what the widget keeps of a list's place
 * @property {string} sort
 * @property {"asc" | "desc"} direction
 * @property {(string | null)[]} cursors `after` of each page seen so far; the last is the current page's
 */

/**
 * @template T
 * @typedef {object} Page
 * @property {T[]} items
 * @property {{count: number, exact: boolean}} total
 * @property {string | null} next the cursor of the following page, or null on the last
 * @property {() => Promise<{count: number, exact: boolean}>} [count] when `total` is a lower
 *   bound read quickly ("More than 2,000"), counts it in full: asked once per query, after
 *   the page is shown
 */

/**
 * A table's header row; a sortable column's header is a button that sorts
 * by it (again: the other way), its state in `aria-sort`.
 *
 * @template T
 * @param {Column<T>[]} columns
 * @param {{sort: string, direction: "asc" | "desc", onSort: (sort: Sort) => void}} [sorting]
 * @returns {HTMLElement[]}
 */
export function headerCells(columns, sorting) {
  return columns.map((column) => {
    const sort = column.sort;
    if (!sort || !sorting) return h('th', { scope: 'col', class: column.headerClass }, column.label);
    const active = sorting.sort === sort.key;
    const ascending = sorting.direction === 'asc';
    return h('th', {
      scope: 'col',
      class: column.headerClass,
      'aria-sort': active ? (ascending ? 'ascending' : 'descending') : 'none',
    }, h('button', {
      type: 'button',
      class: ['sort', active && 'sort-active'],
      onclick: () => sorting.onSort(sort),
    }, column.label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, active ? (ascending ? '▲' : '▼') : '↕')));
  });
}

/**
 * One row's cells.
 *
 * @template T
 * @param {Column<T>[]} columns
 * @param {T} item
 * @returns {HTMLElement[]}
 */
export function rowCells(columns, item) {
  return columns.map((column) => h('td', {
    class: column.class,
    title: column.title?.(item),
  }, column.cell(item)));
}

/**
 * @template T
 * @typedef {object} PagedTable
 * @property {HTMLElement} results the table with its busy, failure and empty states
 * @property {HTMLElement} pager the total, the page number and the page buttons
 * @property {() => void} load fetches the current page (again), its total counted again
 * @property {() => void} restart filters changed: back to the first page
 * @property {Selection | null} selection the rows chosen, when the table was asked for checkboxes
 */

/**
 * The rows a person chose: some ids, or every row the view's query matches
 * (every page, not only the one shown).
 *
 * @typedef {object} Selection
 * @property {() => {kind: "ids", ids: number[]} | {kind: "matching"} | null} value null when nothing is chosen
 * @property {() => number} size the ids chosen (0 while every matching row is)
 * @property {() => boolean} isAllMatching
 * @property {() => boolean} pageFullySelected every row of the shown page is chosen
 * @property {() => void} selectPage
 * @property {() => void} selectAllMatching
 * @property {() => void} clear
 */

/**
 * What a table with checkboxes needs of its view.
 *
 * @template T
 * @typedef {object} SelectionOptions
 * @property {(item: T) => string} label the row checkbox's name, e.g. "Select Ann Lee"
 * @property {() => void} onChange after every change of the selection
 */

/**
 * A table paged through a list command's keyset cursors.
 *
 * Rows are one tab stop: the first row (or the one last focused) is in the
 * tab order, the arrow keys, Home and End move between rows, and Enter or a
 * click opens one.
 *
 * @template T
 * @param {object} options
 * @param {string} options.caption the table's name, for screen readers
 * @param {string} options.class e.g. "users-table"
 * @param {string} options.loadingLabel the progress bar's name, e.g. "Loading users"
 * @param {Column<T>[]} options.columns
 * @param {Paging} options.state changed in place as the person sorts and pages
 * @param {(paging: {sort: string, direction: "asc" | "desc", limit: number, after?: string}) => Promise<Page<T>>} options.fetch
 *   one page, in that order, after that cursor
 * @param {(item: T) => number} options.id the row's `data-id`
 * @param {(item: T) => void} options.open on Enter or a click on its row
 * @param {(total: {count: number, exact: boolean}) => string} options.totalText e.g. "24 users"
 * @param {() => string} options.emptyText shown when a page has no rows
 * @param {boolean} [options.hideEmptyTable] hide the headers too when there are no rows
 * @param {SelectionOptions<T>} [options.select] a checkbox per row (Shift-click: a range;
 *   Space on a row toggles it, Ctrl+A chooses the page, Escape clears the choice)
 * @param {AbortSignal} options.signal the view's: late answers are dropped once it is left
 * @returns {PagedTable<T>}
 */
export function pagedTable(options) {
  const { columns, state, signal } = options;
  const loading = progress(options.loadingLabel);
  loading.hidden = true;
  const failure = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
  const head = h('tr');
  const body = h('tbody');
  const table = h('table', { class: ['table', options.class] },
    h('caption', { class: 'visually-hidden' }, options.caption),
    h('thead', null, head),
    body,
  );
  const empty = h('p', { class: 'empty', hidden: true });
  const total = h('span', { class: 'total', 'aria-live': 'polite' });
  const pageNumber = h('span', { class: 'page-number muted' });
  const previous = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', disabled: true, onclick: previousPage }, 'Previous page'));
  const next = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', disabled: true, onclick: nextPage }, 'Next page'));
  const results = h('div', { class: 'results' }, loading, failure, h('div', { class: 'table-wrap' }, table), empty);
  const pager = h('div', { class: 'pager' }, total, pageNumber, h('span', { class: 'spacer' }), previous, next);

  /** @type {string | null} */
  let nextCursor = null;
  let asked = 0;
  /** @type {Promise<{count: number, exact: boolean}> | null} the query's total counted in full */
  let fullTotal = null;
  /** @type {{count: number, exact: boolean} | null} that total, once it came */
  let counted = null;
  /** @type {T[]} the shown page's rows */
  let shown = [];
  const chosen = options.select ? rowSelection(options.select) : null;

  renderHead();

  function renderHead() {
    replaceChildren(head,
      chosen ? h('th', { scope: 'col', class: 'cell-select' }, chosen.pageBox) : null,
      headerCells(columns, { sort: state.sort, direction: state.direction, onSort: sortBy }));
  }

  /** @param {Sort} sort */
  function sortBy(sort) {
    if (state.sort === sort.key) {
      state.direction = state.direction === 'asc' ? 'desc' : 'asc';
    } else {
      state.sort = sort.key;
      state.direction = sort.first;
    }
    renderHead();
    restart();
  }

  /** The first page; settles when it is shown (or failed, or was overtaken). */
  function restart() {
    state.cursors = [null];
    return reload();
  }

  /** The same page again, its total counted again. */
  function reload() {
    fullTotal = null;
    counted = null;
    return load();
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
    /** @type {{sort: string, direction: "asc" | "desc", limit: number, after?: string}} */
    const paging = { sort: state.sort, direction: state.direction, limit: PAGE_SIZE };
    const after = state.cursors[state.cursors.length - 1];
    if (after) paging.after = after;

    results.setAttribute('aria-busy', 'true');
    const showLoading = setTimeout(() => { loading.hidden = false; }, 150);
    try {
      const page = await options.fetch(paging);
      if (question !== asked || signal.aborted) return;
      failure.hidden = true;
      showPage(page);
    } catch (error) {
      if (question !== asked || signal.aborted) return;
      replaceChildren(failure,
        h('span', null, messageOf(error)), ' ',
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

  /** @param {Page<T>} page */
  function showPage(page) {
    nextCursor = page.next;
    shown = page.items;
    replaceChildren(body, page.items.map(row));
    chosen?.refresh();
    // One tab stop for the whole table: the arrow keys move between rows.
    body.querySelector('tr')?.setAttribute('tabindex', '0');
    empty.textContent = options.emptyText();
    empty.hidden = page.items.length > 0;
    if (options.hideEmptyTable) table.hidden = page.items.length === 0;
    total.removeAttribute('aria-busy');
    total.textContent = options.totalText(page.count && counted ? counted : page.total);
    if (page.count && !counted) showFullTotal(page.count, page.total);
    const number = state.cursors.length;
    pageNumber.textContent = number > 1 || page.next ? `Page ${number}` : '';
    previous.disabled = number <= 1;
    next.disabled = !page.next;
  }

  /**
   * Shows the query's total counted in full, once it is; the quick lower
   * bound stays (true, if less precise) should the count fail, and the
   * query's next page asks again.
   * @param {() => Promise<{count: number, exact: boolean}>} count
   * @param {{count: number, exact: boolean}} quick the page's own total
   */
  function showFullTotal(count, quick) {
    const question = asked;
    total.setAttribute('aria-busy', 'true');
    if (fullTotal) {
      follow(fullTotal, question, quick);
      return;
    }
    // Asked once the page has stood a moment: a search box asks for a
    // page at each keystroke, and each count of a frequent search would
    // keep the store busy for the next keystroke's page.
    setTimeout(() => {
      if (question !== asked || signal.aborted) return;
      fullTotal ??= count();
      follow(fullTotal, question, quick);
    }, COUNT_PAUSE_MS);
  }

  /**
   * @param {Promise<{count: number, exact: boolean}>} asking
   * @param {number} question
   * @param {{count: number, exact: boolean}} quick the page's own total
   */
  function follow(asking, question, quick) {
    asking.then((full) => {
      if (fullTotal !== asking) return;
      counted = countedInFull(quick, full);
      if (question !== asked || signal.aborted) return;
      total.textContent = options.totalText(counted);
    }, () => {
      if (fullTotal === asking) fullTotal = null;
    }).finally(() => {
      if (question === asked) total.removeAttribute('aria-busy');
    });
  }

  /** @param {T} item */
  function row(item) {
    const open = () => options.open(item);
    const box = chosen?.rowBox(item) ?? null;
    return h('tr', {
      tabindex: '-1',
      class: 'row-link',
      'data-id': String(options.id(item)),
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
        } else if (event.key === ' ' && chosen) {
          event.preventDefault();
          chosen.toggle(item, event.shiftKey);
        } else if (event.key === 'ArrowDown') target = current.nextElementSibling;
        else if (event.key === 'ArrowUp') target = current.previousElementSibling;
        else if (event.key === 'Home') target = body.firstElementChild;
        else if (event.key === 'End') target = body.lastElementChild;
        if (target instanceof HTMLElement) {
          event.preventDefault();
          target.focus();
        }
      },
    }, box ? h('td', {
      class: 'cell-select',
      // A click beside the box ticks it too, and never opens the row.
      onclick: (/** @type {MouseEvent} */ event) => {
        event.stopPropagation();
        if (event.target === event.currentTarget) chosen?.toggle(item, event.shiftKey);
      },
    }, box) : null,
    rowCells(columns, item));
  }

  /**
   * The checkboxes and what they chose. Ids are kept across pages; "every
   * matching row" is a mode of its own (the view's query decides the rows),
   * left as soon as one row is unticked.
   *
   * @param {SelectionOptions<T>} select
   */
  function rowSelection(select) {
    /** @type {Set<number>} */
    const ids = new Set();
    let allMatching = false;
    /** @type {number | null} the row a Shift-click ranges from */
    let anchor = null;
    const pageBox = /** @type {HTMLInputElement} */ (h('input', {
      type: 'checkbox',
      'aria-label': 'Select all on this page',
      onclick: (/** @type {MouseEvent} */ event) => {
        if (/** @type {HTMLInputElement} */ (event.currentTarget).checked) selectPage();
        else clear();
      },
    }));

    const isChosen = (/** @type {T} */ item) => allMatching || ids.has(options.id(item));

    /** @param {T} item */
    function rowBox(item) {
      return /** @type {HTMLInputElement} */ (h('input', {
        type: 'checkbox',
        // The row is the table's tab stop; Space on it toggles this box.
        tabindex: '-1',
        'aria-label': select.label(item),
        checked: isChosen(item),
        // The click ticks the box itself; `toggle` brings the rest in step.
        onclick: (/** @type {MouseEvent} */ event) => toggle(item, event.shiftKey),
      }));
    }

    /**
     * Flips one row, or with `range` every row from the last one flipped to
     * this one, to this row's new state.
     *
     * @param {T} item
     * @param {boolean} range
     */
    function toggle(item, range) {
      const id = options.id(item);
      const on = !isChosen(item);
      leaveAllMatching();
      const at = shown.findIndex((other) => options.id(other) === id);
      const from = range && anchor !== null ? shown.findIndex((other) => options.id(other) === anchor) : -1;
      const span = from >= 0 ? shown.slice(Math.min(from, at), Math.max(from, at) + 1) : [item];
      for (const other of span) {
        if (on) ids.add(options.id(other));
        else ids.delete(options.id(other));
      }
      anchor = id;
      changed();
    }

    /** Unticking one of "every matching row" keeps the shown page's others. */
    function leaveAllMatching() {
      if (!allMatching) return;
      allMatching = false;
      for (const item of shown) ids.add(options.id(item));
    }

    function selectPage() {
      leaveAllMatching();
      for (const item of shown) ids.add(options.id(item));
      changed();
    }

    function selectAllMatching() {
      allMatching = true;
      ids.clear();
      changed();
    }

    function clear() {
      allMatching = false;
      ids.clear();
      anchor = null;
      changed();
    }

    function changed() {
      refresh();
      select.onChange();
    }

    /** Puts the boxes and row highlights in step with the choice. */
    function refresh() {
      let onPage = 0;
      for (const tr of body.querySelectorAll('tr[data-id]')) {
        const on = allMatching || ids.has(Number(tr.getAttribute('data-id')));
        if (on) onPage += 1;
        tr.classList.toggle('is-selected', on);
        const box = tr.querySelector('input[type="checkbox"]');
        if (box instanceof HTMLInputElement) box.checked = on;
      }
      pageBox.checked = shown.length > 0 && onPage === shown.length;
      pageBox.indeterminate = onPage > 0 && onPage < shown.length;
      pageBox.disabled = shown.length === 0;
    }

    // Ctrl+A chooses the page and Escape clears the choice, unless the
    // person is typing or a dialog has the keyboard.
    document.addEventListener('keydown', (event) => {
      if (isTyping(event.target) || event.defaultPrevented || document.querySelector('dialog[open]')) return;
      const mod = event.ctrlKey || event.metaKey;
      if (mod && !event.altKey && !event.shiftKey && event.key.toLowerCase() === 'a' && shown.length) {
        event.preventDefault();
        selectPage();
      } else if (event.key === 'Escape' && (allMatching || ids.size)) {
        event.preventDefault();
        clear();
      }
    }, { signal });

    return {
      pageBox,
      rowBox,
      toggle,
      refresh,
      /** @type {Selection} */
      api: {
        value: () => (allMatching ? { kind: 'matching' } : (ids.size ? { kind: 'ids', ids: [...ids] } : null)),
        size: () => ids.size,
        isAllMatching: () => allMatching,
        pageFullySelected: () => shown.length > 0 && shown.every(isChosen),
        selectPage,
        selectAllMatching,
        clear,
      },
    };
  }

  return { results, pager, load: reload, restart, selection: chosen?.api ?? null };
}

/**
 * The overview pages' shortcuts: "/" (outside a text field) or Ctrl+F goes
 * to the search box; Ctrl+N runs `onNew`, when given.
 *
 * @param {object} options
 * @param {HTMLInputElement} options.search
 * @param {(() => void) | null} options.onNew
 * @param {AbortSignal} options.signal removes the listener when the view is left
 */
export function overviewShortcuts({ search, onNew, signal }) {
  document.addEventListener('keydown', (event) => {
    const typing = isTyping(event.target);
    const mod = event.ctrlKey || event.metaKey;
    if ((event.key === '/' && !typing && !mod) || (mod && !event.altKey && event.key.toLowerCase() === 'f')) {
      event.preventDefault();
      search.focus();
      search.select();
    } else if (mod && !event.altKey && !event.shiftKey && event.key.toLowerCase() === 'n' && onNew) {
      event.preventDefault();
      onNew();
    }
  }, { signal });
}

/** @param {EventTarget | null} target */
function isTyping(target) {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}
