// Groups: the list, the editor with its permission matrix, and the members.
//
// The built-in Administrators group shows every permission checked and
// locked; Rust keeps it whole whatever is sent. A permission the operator
// does not hold is shown but locked too: nobody grants what they lack.
//
// A right on users or clients (the catalogue's `scopable` ones) may be
// granted for everyone or for "Their team": the member and the people who
// report to them, directly or through others (for clients: those whose
// account manager is one of them). Each ticked one gets a choice of reach,
// saved as a grant ("users.edit" or "users.edit:team", see grants.js). An
// operator who holds a right for their team only grants it that far only,
// and cannot take away or narrow a grant that reaches further than theirs.

import { h, replaceChildren, uid } from '../dom.js';
import { plural } from '../format.js';
import { covers, grantOf, parseGrant } from '../grants.js';
import { headerCells, rowCells } from '../table.js';
import { busy, field, fieldset, formError, placeError, progress, showStale, statusBadge } from '../widgets.js';
import { filterByGroup } from './users.js';

/**
 * @param {HTMLElement} root
 * @param {import('../main.js').Context} ctx `params.id`: a group's id, "new", or none
 */
export async function render(root, ctx) {
  const { api, signal } = ctx;
  const selected = ctx.params.id ?? null;

  const newGroup = h('button', { type: 'button', class: 'button button-primary', onclick: () => ctx.navigate('/groups/new') }, 'New group');
  const listArea = h('section', { class: 'panel groups-list', 'aria-label': 'All groups', 'aria-busy': 'true' }, progress('Loading the groups'));
  const editorArea = h('div', { class: 'groups-editor' });
  root.append(
    h('div', { class: 'page-head' }, h('h1', null, 'Groups'), ctx.can('groups.manage') ? newGroup : null),
    h('div', { class: 'split' }, listArea, editorArea),
  );

  if (!ctx.can('groups.manage')) {
    replaceChildren(listArea, h('p', { class: 'alert alert-error', role: 'alert' }, 'You do not have permission to manage groups.'));
    listArea.removeAttribute('aria-busy');
    return;
  }

  let groups;
  let catalogue;
  try {
    [groups, catalogue] = await Promise.all([api.listGroups(), api.permissionCatalogue()]);
  } catch (error) {
    if (signal.aborted) return;
    replaceChildren(listArea, h('p', { class: 'alert alert-error', role: 'alert' }, api.messageOf(error)));
    listArea.removeAttribute('aria-busy');
    return;
  }
  if (signal.aborted) return;
  listArea.removeAttribute('aria-busy');
  groups.sort((a, b) => Number(b.builtin) - Number(a.builtin) || a.name.localeCompare(b.name));
  replaceChildren(listArea, groupTable(groups, selected, ctx));

  if (selected === 'new') {
    editorArea.append(editor(null, catalogue, ctx));
  } else if (selected) {
    const group = groups.find((g) => String(g.id) === selected);
    editorArea.append(group
      ? editor(group, catalogue, ctx)
      : h('p', { class: 'alert alert-error', role: 'alert' }, 'This group no longer exists.'));
    if (group) document.title = `${group.name} — Roster`;
  } else {
    editorArea.append(h('p', { class: 'panel muted placeholder' }, 'Choose a group to see its permissions and members, or create a new one.'));
  }
}

/** @type {import('../table.js').Column<import('../api.js').Group>[]} */
const GROUP_COLUMNS = [
  {
    label: 'Name',
    class: 'cell-name',
    cell: (group) => [group.name, group.builtin ? [' ', h('span', { class: 'badge badge-builtin' }, 'Built-in')] : null],
  },
  { label: 'Description', class: 'cell-description', cell: (group) => group.description },
  { label: 'Members', class: 'cell-number', headerClass: 'cell-number', cell: (group) => String(group.member_count) },
];

/**
 * Every group, each row a link to its editor (all in the tab order: the
 * list is short).
 *
 * @param {import('../api.js').Group[]} groups
 * @param {string | null} selected
 * @param {import('../main.js').Context} ctx
 */
function groupTable(groups, selected, ctx) {
  return h('table', { class: 'table groups-table' },
    h('caption', { class: 'visually-hidden' }, 'Groups'),
    h('thead', null, h('tr', null, headerCells(GROUP_COLUMNS))),
    h('tbody', null, groups.map((group) => {
      const open = () => ctx.navigate(`/groups/${group.id}`);
      const current = String(group.id) === selected;
      return h('tr', {
        tabindex: '0',
        class: ['row-link', current && 'is-selected'],
        'aria-current': current ? 'true' : null,
        onclick: open,
        onkeydown: (/** @type {KeyboardEvent} */ event) => {
          if (event.key === 'Enter') {
            event.preventDefault();
            open();
          }
        },
      }, rowCells(GROUP_COLUMNS, group));
    })),
  );
}

/**
 * The editor of one group (or of a new one when `group` is null).
 *
 * @param {import('../api.js').Group | null} group
 * @param {import('../api.js').Permission[]} catalogue
 * @param {import('../main.js').Context} ctx
 */
function editor(group, catalogue, ctx) {
  const { api, signal } = ctx;
  const builtin = Boolean(group?.builtin);
  const headingId = uid('group-heading');

  const name = /** @type {HTMLInputElement} */ (h('input', { type: 'text', autocomplete: 'off', value: group?.name ?? '', readonly: builtin }));
  const description = /** @type {HTMLTextAreaElement} */ (h('textarea', { rows: '2' }));
  description.value = group?.description ?? '';

  /** @type {Map<string, import('../grants.js').Reach>} how far the group holds each permission */
  const held = new Map(builtin
    ? catalogue.map((p) => [p.code, 'all'])
    : (group?.permissions ?? []).map((grant) => {
      const { code, reach } = parseGrant(grant);
      return [code, reach];
    }));
  let lockedAny = false;
  /** @type {PermissionChoice[]} */
  const choices = [];
  /** @type {Map<string, import('../api.js').Permission[]>} */
  const areas = new Map();
  for (const permission of catalogue) {
    if (!areas.has(permission.area)) areas.set(permission.area, []);
    areas.get(permission.area)?.push(permission);
  }
  const matrix = [...areas].map(([area, permissions]) => {
    const scopable = permissions.filter((p) => p.scopable);
    const teamHint = scopable.length
      ? h('p', { class: 'hint', id: uid('team-hint') },
        scopable.every((p) => p.code.startsWith('clients.')) ? CLIENTS_TEAM_HINT : TEAM_HINT)
      : null;
    return h('fieldset', { class: 'area' },
      h('legend', null, area),
      permissions.map((permission) => {
        const choice = permissionChoice(permission, {
          held: held.get(permission.code) ?? null,
          mine: ctx.reach(permission.code),
          builtin,
          teamHintId: teamHint?.id ?? null,
        });
        if (choice.locked) lockedAny = true;
        choices.push(choice);
        return choice.root;
      }),
      teamHint,
    );
  });

  /** @type {Record<string, import('../widgets.js').Field>} */
  const fields = {
    name: field('Name', name, { hint: builtin ? 'The built-in group keeps its name.' : undefined }),
    description: field('Description', description),
    permissions: fieldset('Permissions', [h('div', { class: 'matrix' }, matrix)], {
      hint: builtin
        ? 'Administrators always holds every permission.'
        : lockedAny ? 'You can grant only the permissions you hold yourself, and only as far as they reach.' : undefined,
    }),
  };
  name.addEventListener('input', () => fields.name.setError(null));

  const general = formError();
  /** Shows the group as it is now, dropping the edits. */
  const reloadPage = () => ctx.navigate(location.hash.slice(1));
  const save = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'button button-primary' }, 'Save group'));
  const remove = group && !builtin
    ? /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button button-danger', onclick: onDelete }, 'Delete group'))
    : null;

  const form = h('form', { class: 'panel stack', novalidate: true, 'aria-labelledby': headingId, onsubmit: onSave },
    h('h2', { id: headingId }, group ? group.name : 'New group', builtin ? [' ', h('span', { class: 'badge badge-builtin' }, 'Built-in')] : null),
    fields.name.root,
    fields.description.root,
    fields.permissions.root,
    general.root,
    h('div', { class: 'actions' }, save, h('span', { class: 'spacer' }), remove),
  );

  const members = group && ctx.can('users.view') ? membersSection(group, ctx) : null;
  return h('div', { class: 'stack' }, form, members);

  /** @param {SubmitEvent} event */
  async function onSave(event) {
    event.preventDefault();
    general.show(null);
    const fieldsSent = {
      name: name.value,
      description: description.value,
      permissions: choices
        .filter(({ box }) => box.checked)
        .map(({ box, reach }) => grantOf(box.value, reach ? /** @type {import('../grants.js').Reach} */ (reach.value) : 'all')),
    };
    try {
      if (group) {
        const saved = await busy(save, () => api.updateGroup(group.id, { version: group.version, ...fieldsSent }));
        ctx.navigate(`/groups/${saved.id}`, { message: 'Changes saved.' });
      } else {
        const created = await busy(save, () => api.createGroup(fieldsSent));
        ctx.navigate(`/groups/${created.id}`, { message: `${created.name} was created.` });
      }
    } catch (error) {
      if (signal.aborted) return;
      if (!showStale(error, general, reloadPage, { editing: true })) placeError(error, fields, general);
    }
  }

  async function onDelete() {
    if (!group || !remove) return;
    general.show(null);
    try {
      const sure = await api.confirm({
        title: 'Delete group',
        message: `Delete the group ${group.name}? This cannot be undone.`,
        ok_label: 'Delete',
      });
      if (!sure || signal.aborted) return;
      await busy(remove, () => api.deleteGroup(group.id, group.version));
      ctx.navigate('/groups', { message: `${group.name} was deleted.` });
    } catch (error) {
      if (signal.aborted) return;
      if (!showStale(error, general, reloadPage)) general.show(api.messageOf(error));
    }
  }
}

/**
 * @typedef {object} PermissionChoice
 * @property {HTMLElement} root
 * @property {HTMLInputElement} box ticked: the group holds the permission
 * @property {HTMLSelectElement | null} reach "all" or "team", for a scopable right
 * @property {boolean} locked whether part of it is beyond the operator's own rights
 */

/**
 * One permission's checkbox and, for a scopable right, the choice of its
 * reach, shown while the permission is ticked.
 *
 * @param {import('../api.js').Permission} permission
 * @param {object} options
 * @param {import('../grants.js').Reach | null} options.held how far the group holds it now
 * @param {import('../grants.js').Reach | null} options.mine how far the operator holds it
 * @param {boolean} options.builtin the built-in group: everything shown, nothing changed
 * @param {string | null} options.teamHintId the hint saying what a team is
 * @returns {PermissionChoice}
 */
function permissionChoice(permission, { held, mine, builtin, teamHintId }) {
  // Taking away or narrowing a grant touches it as far as it reaches now.
  const mayTouch = mine !== null && (held === null || covers(mine, held));
  const codeId = uid('code');
  const box = /** @type {HTMLInputElement} */ (h('input', {
    type: 'checkbox',
    id: uid('permission'),
    value: permission.code,
    checked: held !== null,
    disabled: builtin || !mayTouch,
    'aria-describedby': codeId,
  }));
  const reach = permission.scopable
    ? /** @type {HTMLSelectElement} */ (h('select', {
      id: uid('reach'),
      disabled: builtin || !mayTouch,
      'aria-describedby': teamHintId,
    },
    h('option', { value: 'all', disabled: mine !== 'all' }, 'Everyone'),
    h('option', { value: 'team' }, 'Their team')))
    : null;
  let reachField = null;
  if (reach) {
    reach.value = held ?? (mine === 'all' ? 'all' : 'team');
    const shown = h('div', { class: 'permission-reach', hidden: held === null },
      h('label', { for: reach.id }, 'Applies to', h('span', { class: 'visually-hidden' }, ` (${permission.label})`)),
      reach,
    );
    box.addEventListener('change', () => { shown.hidden = !box.checked; });
    reachField = shown;
  }
  return {
    root: h('div', { class: 'check permission' },
      box,
      h('label', { for: box.id }, permission.label),
      h('code', { id: codeId, class: 'permission-code' }, permission.code),
      reachField,
    ),
    box,
    reach,
    locked: !builtin && (!mayTouch || (reach !== null && mine === 'team')),
  };
}

/** Says what "Their team" means, under the rights that can be limited to it. */
const TEAM_HINT = 'Their team: the member and the people who report to them, directly or through others.';

/** What "Their team" reaches among clients. */
const CLIENTS_TEAM_HINT = 'Their team: the clients whose account manager is the member or someone who reports to them, directly or through others.';

const MEMBERS_SHOWN = 100;

/**
 * @param {import('../api.js').Group} group
 * @param {import('../main.js').Context} ctx
 */
function membersSection(group, ctx) {
  const { api, signal } = ctx;
  const headingId = uid('members');
  const content = h('div', null, progress('Loading the members'));
  const section = h('section', { class: 'panel', 'aria-labelledby': headingId, 'aria-busy': 'true' },
    h('h2', { id: headingId }, 'Members'),
    content,
  );
  (async () => {
    try {
      const page = await api.listUsers({ group_id: group.id, sort: 'name', direction: 'asc', limit: MEMBERS_SHOWN });
      if (signal.aborted) return;
      const total = page.total.exact
        ? plural(page.total.count, 'member', 'members')
        : `More than ${page.total.count} members`;
      replaceChildren(content,
        page.users.length
          ? [
            h('p', { class: 'muted' }, total),
            h('ul', { class: 'members' }, page.users.map((u) => h('li', null,
              h('a', { href: `#/users/${u.id}` }, u.name), ' ',
              h('span', { class: 'muted' }, u.email),
              u.status === 'disabled' ? [' ', statusBadge(u.status)] : null,
            ))),
            page.next
              ? h('p', null, h('button', {
                type: 'button',
                class: 'button button-link',
                onclick: () => {
                  filterByGroup(ctx.memory, group.id);
                  ctx.navigate('/users');
                },
              }, 'Show every member in Users'))
              : null,
          ]
          : h('p', { class: 'muted' }, 'No members yet.'),
      );
    } catch (error) {
      if (signal.aborted) return;
      replaceChildren(content, h('p', { class: 'alert alert-error' }, api.messageOf(error)));
    } finally {
      section.removeAttribute('aria-busy');
    }
  })();
  return section;
}
