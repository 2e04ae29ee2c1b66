// The client form: "New client" (create) and "Edit client" (edit) share it.
//
// Editing sends the version the form was filled from, so a change someone
// else saved meanwhile is refused rather than overwritten, and only the
// fields the operator may change. An operator who sees client data masked
// gets name, email and phone read-only (masked, as Rust sent them) and can
// change the country and the account manager only (a user, not client
// data); Rust refuses anything more. Errors go beside the field Rust names,
// or above the buttons; nothing typed is lost.
//
// The account manager is picked among the people account_manager_choices
// offers (the operator may not hold users.view). One who manages clients
// for their team only (see grants.js) keeps each client in it: a new
// client's manager starts as the operator themselves, and Rust refuses no
// one or someone outside the team.

import { h, replaceChildren } from '../dom.js';
import { field, formError, personPicker, placeError, progress, showStale, submitting } from '../widgets.js';

/** Shown to an operator who sees client data masked. */
const MASKED_NOTE = 'Client personal data is masked for you.';

/** Beside the account manager of a new client, for one who manages their team's clients only. */
const TEAM_MANAGER_CREATE = 'Clients you add stay with your team: choose yourself or someone in your team.';

/** Beside the account manager when editing, for one who manages their team's clients only. */
const TEAM_MANAGER_EDIT = 'Your rights reach only your team: choose yourself or someone in it.';

/**
 * @param {HTMLElement} root
 * @param {import('../main.js').Context} ctx `params.mode` is "create" or "edit" (with `params.id`)
 */
export async function render(root, ctx) {
  const { api, signal } = ctx;
  const editing = ctx.params.mode === 'edit';
  const id = editing ? Number(ctx.params.id) : null;
  const back = editing ? `/clients/${id}` : '/clients';
  const masked = Boolean(ctx.me.user.mask_client_data);

  const body = h('div', { class: 'stack', 'aria-busy': 'true' }, progress('Loading the form'));
  root.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: `#${back}` }, editing ? '← Back to the client' : '← Clients')),
    h('div', { class: 'page-head' }, h('h1', null, editing ? 'Edit client' : 'New client')),
    body,
  );

  /** @param {string} message */
  const refuse = (message) => {
    replaceChildren(body, h('p', { class: 'alert alert-error', role: 'alert' }, message));
    body.removeAttribute('aria-busy');
  };
  if (!ctx.can('clients.manage')) {
    refuse(editing ? 'You do not have permission to edit clients.' : 'You do not have permission to create clients.');
    return;
  }
  if (!editing && masked) {
    refuse(`${MASKED_NOTE} You cannot create clients.`);
    return;
  }

  /** @type {import('../api.js').Client | null} */
  let client = null;
  if (editing) {
    try {
      client = await api.getClient(/** @type {number} */ (id));
    } catch (error) {
      if (signal.aborted) return;
      refuse(api.messageOf(error));
      return;
    }
  }
  if (signal.aborted) return;
  replaceChildren(body);
  body.removeAttribute('aria-busy');
  buildForm(body, ctx, client, back);
}

/**
 * @param {HTMLElement} body
 * @param {import('../main.js').Context} ctx
 * @param {import('../api.js').Client | null} client null when creating
 * @param {string} back
 */
function buildForm(body, ctx, client, back) {
  const { api, signal, me } = ctx;
  // Masked values cannot be sent back: they are shown, never edited.
  const locked = Boolean(ctx.me.user.mask_client_data || client?.masked);

  /** @param {Record<string, unknown>} attrs */
  const input = (attrs) => /** @type {HTMLInputElement} */ (h('input', {
    autocomplete: 'off', spellcheck: 'false', ...attrs,
  }));
  const name = input({ type: 'text', value: client?.name ?? '', readonly: locked });
  const email = input({ type: 'email', autocapitalize: 'off', value: client?.email ?? '', readonly: locked });
  const phone = input({ type: 'tel', value: client?.phone ?? '', readonly: locked });
  const country = input({
    type: 'text', value: client?.country ?? '', maxlength: '2', autocapitalize: 'characters', class: 'input-country',
  });
  // Not client data: a masked operator changes it like the country.
  const forTeam = ctx.reach('clients.manage') === 'team';
  const myself = { id: me.user.id, name: me.user.name, email: me.user.email };
  const manager = personPicker({
    api,
    label: 'Account manager',
    noneLabel: 'No account manager',
    initial: client ? client.account_manager : (forTeam ? myself : null),
    find: (search) => api.accountManagerChoices(search),
    hint: forTeam ? (client ? TEAM_MANAGER_EDIT : TEAM_MANAGER_CREATE) : 'Optional.',
  });

  /** @type {Record<string, import('../widgets.js').Field>} */
  const fields = {
    name: field('Name', name),
    email: field('Email', email, { hint: locked ? undefined : 'Optional.' }),
    phone: field('Phone', phone, { hint: locked ? undefined : 'Optional. International format, e.g. +44 20 7946 0961.' }),
    country: field('Country', country, { hint: 'Optional. Two-letter code, e.g. GB.', class: 'field-narrow' }),
  };
  for (const [key, f] of Object.entries(fields)) {
    f.control.addEventListener('input', () => fields[key].setError(null));
  }
  fields.account_manager = { root: manager.root, control: manager.input, setError: manager.setError };

  const general = formError();
  const working = progress(client ? 'Saving' : 'Creating the client');
  working.hidden = true;
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'button button-primary' },
    client ? 'Save changes' : 'Create client'));
  const cancel = h('button', { type: 'button', class: 'button', onclick: () => ctx.navigate(back) }, 'Cancel');

  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'stack client-form', novalidate: true, onsubmit: onSubmit },
    h('section', { class: 'panel stack' },
      locked ? h('p', { class: 'alert masked-note', role: 'note' }, MASKED_NOTE) : null,
      h('div', { class: 'form-grid' }, fields.name.root, fields.email.root),
      h('div', { class: 'form-grid' }, fields.phone.root, fields.country.root),
      h('div', { class: 'form-grid' }, fields.account_manager.root),
    ),
    general.root,
    working,
    h('div', { class: 'actions' }, submit, cancel),
  ));
  body.append(form);
  (locked ? country : name).focus();

  /** @param {string} value */
  const orNull = (value) => (value.trim() ? value.trim() : null);

  /** @param {SubmitEvent} event */
  async function onSubmit(event) {
    event.preventDefault();
    general.show(null);
    const countryValue = orNull(country.value)?.toUpperCase() ?? null;
    const managerId = manager.value()?.id ?? null;
    try {
      if (client) {
        const current = client;
        /** @type {import('../api.js').ClientChanges} */
        const changes = { version: current.version, country: countryValue };
        if (!locked) {
          changes.name = name.value;
          changes.email = orNull(email.value);
          changes.phone = orNull(phone.value);
        }
        if (managerId !== (current.account_manager?.id ?? null)) changes.account_manager = managerId;
        const saved = await submitting(form, submit, working, () => api.updateClient(current.id, changes));
        ctx.navigate(`/clients/${saved.id}`, { message: 'Changes saved.' });
      } else {
        const created = await submitting(form, submit, working, () => api.createClient({
          name: name.value,
          email: orNull(email.value),
          phone: orNull(phone.value),
          country: countryValue,
          account_manager: managerId,
        }));
        ctx.navigate(`/clients/${created.id}`, { message: `${created.name} was created.` });
      }
    } catch (error) {
      if (signal.aborted) return;
      if (showStale(error, general, () => ctx.navigate(location.hash.slice(1)), { editing: true })) return;
      placeError(error, fields, general);
    }
  }
}
