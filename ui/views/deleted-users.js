// "Deleted users": the recycle bin, for whoever may delete users. Deleted
// users are kept for the settings' number of days, newest first; opening a
// row (Enter or a click) offers Restore and "Delete permanently" for that
// user. The core decides whether a restore may happen (the address is now
// someone else's, a group is gone, the supervisor is gone); when only the
// supervisor is missing, the panel offers to restore without one.

import { h, replaceChildren } from '../dom.js';
import { plural } from '../format.js';
import { pagedTable } from '../table.js';
import { busy, time } from '../widgets.js';

/** @type {import('../table.js').Column<import('../api.js').DeletedUser>[]} */
const COLUMNS = [
  { label: 'Name', class: 'cell-name', cell: (user) => user.name },
  { label: 'Email', class: 'cell-email', cell: (user) => user.email },
  { label: 'Groups', class: 'cell-wrap', cell: (user) => groupsText(user) },
  { label: 'Deleted', class: 'cell-time', cell: (user) => time(user.deleted_at) },
  { label: 'Deleted by', class: 'cell-wrap', cell: (user) => user.deleted_by },
  { label: 'Purged after', class: 'cell-time', cell: (user) => time(user.purge_at, '—', { dateOnly: true }) },
];

/** @param {import('../api.js').DeletedUser} user */
function groupsText(user) {
  const names = user.groups.join(', ');
  if (!user.missing_groups) return names;
  const gone = `${plural(user.missing_groups, 'group', 'groups')} gone`;
  return names ? `${names} (+${gone})` : gone;
}

/**
 * @param {HTMLElement} root
 * @param {import('../main.js').Context} ctx
 */
export function render(root, ctx) {
  const { api, signal } = ctx;
  /** @type {import('../table.js').Paging} */
  const state = ctx.memory.deletedUsers ??= { sort: 'deleted', direction: 'desc', cursors: [null] };
  const intro = h('p', { class: 'hint' });
  const panel = h('section', { class: 'card stack', 'aria-labelledby': 'deleted-user-heading', hidden: true });

  const list = pagedTable({
    caption: 'Deleted users',
    class: 'deleted-users-table',
    loadingLabel: 'Loading deleted users',
    columns: COLUMNS,
    state,
    fetch: async (paging) => {
      const page = await api.deletedUsers({ after: paging.after, limit: paging.limit });
      intro.textContent = page.keep_days
        ? `Deleted users are kept for ${plural(page.keep_days, 'day', 'days')}, then deleted permanently. Open one to restore it.`
        : 'The recycle bin is off in the settings: users are deleted permanently at once.';
      return { items: page.users, total: { count: page.total, exact: true }, next: page.next };
    },
    id: (user) => user.id,
    open: (user) => show(user),
    totalText: (total) => plural(total.count, 'deleted user', 'deleted users'),
    emptyText: () => 'No deleted users are kept.',
    signal,
  });

  root.append(
    h('div', { class: 'page-head' },
      h('h1', null, 'Deleted users'),
      h('a', { href: '#/users', class: 'button' }, 'Back to users')),
    intro,
    panel,
    list.results,
    list.pager,
  );
  list.load();

  /** @param {import('../api.js').DeletedUser} user */
  function show(user) {
    const error = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
    const restore = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button button-primary' }, 'Restore'));
    const withoutSupervisor = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', hidden: true }, 'Restore without a supervisor'));
    const purge = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button button-danger' }, 'Delete permanently'));
    const close = h('button', { type: 'button', class: 'button', onclick: hide }, 'Close');
    restore.addEventListener('click', () => bringBack(false));
    withoutSupervisor.addEventListener('click', () => bringBack(true));
    purge.addEventListener('click', deleteForGood);
    replaceChildren(panel,
      h('h2', { id: 'deleted-user-heading' }, user.name),
      h('p', null, `${user.email}, deleted ${time(user.deleted_at)} by ${user.deleted_by}.`),
      error,
      h('div', { class: 'actions' }, restore, withoutSupervisor, purge, close),
    );
    panel.hidden = false;
    restore.focus();

    /** @param {boolean} without */
    async function bringBack(without) {
      error.hidden = true;
      try {
        const restored = await busy(without ? withoutSupervisor : restore, () => api.restoreUser(user.id, without));
        if (signal.aborted) return;
        ctx.navigate(`/users/${restored.id}`, { message: `${restored.name} was restored.` });
      } catch (failure) {
        if (signal.aborted) return;
        const code = /** @type {{code?: string}} */ (failure)?.code;
        withoutSupervisor.hidden = code !== 'restore_supervisor_gone';
        replaceChildren(error, h('span', null, api.messageOf(failure)));
        error.hidden = false;
      }
    }

    async function deleteForGood() {
      error.hidden = true;
      try {
        const ok = await api.confirm({
          title: 'Delete permanently',
          message: `Delete ${user.name} permanently? They can no longer be restored.`,
          ok_label: 'Delete permanently',
        });
        if (!ok || signal.aborted) return;
        await busy(purge, () => api.purgeDeletedUser(user.id));
        if (signal.aborted) return;
        hide();
        ctx.say(`${user.name} was deleted permanently.`);
        list.load();
      } catch (failure) {
        if (signal.aborted) return;
        replaceChildren(error, h('span', null, api.messageOf(failure)));
        error.hidden = false;
      }
    }
  }

  function hide() {
    panel.hidden = true;
    replaceChildren(panel);
  }
}
