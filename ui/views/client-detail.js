// One client: their details, and Edit and Delete for operators who manage
// clients. Delete asks first (a native dialog) and sends the version shown,
// so deleting a record someone else changed meanwhile is refused; the page
// then offers to reload. Masked values are shown as Rust sent them; the
// account manager is a user, never masked, and links to their page for one
// who may view users.

import { h, replaceChildren } from '../dom.js';
import { formError, progress, showStale, time } from '../widgets.js';
import { countryLabel } from './clients.js';

/**
 * @param {HTMLElement} root
 * @param {import('../main.js').Context} ctx `params.id`
 */
export async function render(root, ctx) {
  const { api, signal } = ctx;
  const id = Number(ctx.params.id);

  const heading = h('h1', null, 'Client');
  const actions = h('div', { class: 'actions head-actions' });
  const actionError = formError();
  const facts = h('dl', { class: 'facts' });
  const loading = progress('Loading the client');
  const details = h('section', { class: 'panel', 'aria-label': 'Details', 'aria-busy': 'true' }, loading, facts);

  root.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/clients' }, '← Clients')),
    h('div', { class: 'page-head' }, heading, actions),
    actionError.root,
    details,
  );

  /** @type {import('../api.js').Client} */
  let client;
  try {
    client = await api.getClient(id);
  } catch (error) {
    if (signal.aborted) return;
    heading.textContent = 'Client not available';
    replaceChildren(details, h('p', { class: 'alert alert-error', role: 'alert' }, api.messageOf(error)));
    details.removeAttribute('aria-busy');
    return;
  }
  if (signal.aborted) return;
  loading.remove();
  details.removeAttribute('aria-busy');
  show(client);

  /** @param {import('../api.js').Client} current */
  function show(current) {
    client = current;
    heading.textContent = client.name;
    document.title = `${client.name} — Roster`;
    replaceChildren(actions, ctx.can('clients.manage')
      ? [
        h('button', { type: 'button', class: 'button', onclick: () => ctx.navigate(`/clients/${client.id}/edit`) }, 'Edit'),
        h('button', { type: 'button', class: 'button button-danger', onclick: remove }, 'Delete'),
      ]
      : null);
    const none = (/** @type {string} */ text) => h('span', { class: 'muted' }, text);
    const manager = client.account_manager;
    // Their page opens for one who views every user, or who views their
    // team's users and sees only their team's clients (so the manager is in it).
    const usersReach = ctx.reach('users.view');
    const managerLinks = usersReach === 'all' || (usersReach === 'team' && ctx.reach('clients.view') === 'team');
    /** @type {[string, import('../dom.js').Child][]} */
    const rows = [
      ['Email', client.email ?? none('No email')],
      ['Phone', client.phone ?? none('No phone')],
      ['Country', client.country ? countryLabel(client.country) : none('Not given')],
      ['Account manager', manager
        ? [
          managerLinks ? h('a', { href: `#/users/${manager.id}` }, manager.name) : manager.name,
          ' ',
          h('span', { class: 'muted' }, manager.email),
        ]
        : none('None')],
      ['Created', time(client.created_at)],
      ['Updated', time(client.updated_at)],
    ];
    replaceChildren(facts, rows.map(([term, value]) => h('div', { class: 'fact' }, h('dt', null, term), h('dd', null, value))));
    if (client.masked) facts.append(h('p', { class: 'hint' }, 'Client personal data is masked for you.'));
  }

  async function remove() {
    actionError.show(null);
    const name = client.name;
    try {
      const sure = await api.confirm({
        title: 'Delete client',
        message: `Delete ${name}? This cannot be undone.`,
        ok_label: 'Delete',
      });
      if (!sure || signal.aborted) return;
      await api.deleteClient(client.id, client.version);
      ctx.navigate('/clients', { message: `${name} was deleted.` });
    } catch (error) {
      if (signal.aborted) return;
      if (!showStale(error, actionError, reload)) actionError.show(api.messageOf(error));
    }
  }

  async function reload() {
    actionError.show(null);
    try {
      const fresh = await api.getClient(client.id);
      if (signal.aborted) return;
      show(fresh);
      ctx.say('Reloaded the current version.');
    } catch (error) {
      if (!signal.aborted) actionError.show(api.messageOf(error));
    }
  }
}
