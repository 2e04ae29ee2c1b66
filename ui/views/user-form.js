// The user form: "New user" (create) and "Edit user" (edit) share it.
//
// Creating sets the status and the password; editing sends the version the
// form was filled from, so a change someone else saved meanwhile is refused
// rather than overwritten. On any error nothing typed is lost: the message
// goes beside the field Rust names, or above the buttons.
//
// A new user's credentials are emailed when the box is ticked (only offered
// with a mail server); otherwise, or when the email fails, the hand-over
// panel shows them once before the user's page opens.
//
// One who may create users for their team only (see grants.js) places each
// new user in it: the supervisor starts as the operator themselves. A group
// is offered only when the operator holds its every right at least as far
// as the group grants it.

import { debounce, h, replaceChildren } from '../dom.js';
import { TWO_FACTOR_CHOICES } from '../format.js';
import { covers, parseGrant } from '../grants.js';
import { checkbox, field, fieldset, formError, passwordFields, personPicker, placeError, progress, showStale, submitting } from '../widgets.js';
import { openHandover } from './handover.js';

/** Why the email choices are off without a mail server. */
const NO_MAIL = 'No mail server is configured';

/**
 * @param {HTMLElement} root
 * @param {import('../main.js').Context} ctx `params.mode` is "create" or "edit" (with `params.id`)
 */
export async function render(root, ctx) {
  const { api, signal } = ctx;
  const editing = ctx.params.mode === 'edit';
  const id = editing ? Number(ctx.params.id) : null;
  const title = editing ? 'Edit user' : 'New user';
  const back = editing ? `/users/${id}` : '/users';

  const heading = h('h1', null, title);
  const body = h('div', { class: 'stack', 'aria-busy': 'true' }, progress('Loading the form'));
  root.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: `#${back}` }, editing ? '← Back to the user' : '← Users')),
    h('div', { class: 'page-head' }, heading),
    body,
  );

  if (!ctx.can(editing ? 'users.edit' : 'users.create')) {
    replaceChildren(body, h('p', { class: 'alert alert-error', role: 'alert' },
      editing ? 'You do not have permission to edit users.' : 'You do not have permission to create users.'));
    body.removeAttribute('aria-busy');
    return;
  }

  let groups;
  let settings;
  /** @type {import('../api.js').UserDetail | null} */
  let user = null;
  try {
    [groups, settings, user] = await Promise.all([
      api.listGroups(),
      editing ? null : api.settings(),
      editing ? api.getUser(/** @type {number} */ (id)) : null,
    ]);
  } catch (error) {
    if (signal.aborted) return;
    replaceChildren(body, h('p', { class: 'alert alert-error', role: 'alert' }, api.messageOf(error)));
    body.removeAttribute('aria-busy');
    return;
  }
  if (signal.aborted) return;
  body.removeAttribute('aria-busy');
  if (user && 'rights' in user && !user.rights.edit) {
    // A team lead who may see this user but not change them (the core
    // would refuse the save).
    replaceChildren(body, h('p', { class: 'alert alert-error', role: 'alert' },
      `Your permissions do not let you edit ${user.name}.`));
    return;
  }
  replaceChildren(body);
  buildForm(body, ctx, { groups, settings, user, back });
}

const CREDENTIALS_NEEDED = 'Changing this needs the permission to reset passwords and two-factor.';

/** Beside the supervisor of a new user, for one who creates for their team only. */
const TEAM_SUPERVISOR_CREATE = 'People you add join your team: choose yourself or someone in your team.';

/** Beside the supervisor, for one who edits their team only. */
const TEAM_SUPERVISOR_EDIT = 'Your rights reach only your team: choose yourself or someone in it.';

/**
 * @param {HTMLElement} body
 * @param {import('../main.js').Context} ctx
 * @param {{groups: import('../api.js').Group[], settings: {default_two_factor: string} | null,
 *   user: import('../api.js').User | null, back: string}} data
 */
function buildForm(body, ctx, { groups, settings, user, back }) {
  const { api, signal, me } = ctx;
  const editing = user !== null;

  // --- Name and email --------------------------------------------------------
  const name = /** @type {HTMLInputElement} */ (h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', value: user?.name ?? '' }));
  const email = /** @type {HTMLInputElement} */ (h('input', {
    type: 'email', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off', value: user?.email ?? '',
  }));

  // --- Groups --------------------------------------------------------------
  const memberOf = new Set((user?.groups ?? []).map((g) => g.id));
  const groupBoxes = groups
    .slice()
    .sort((a, b) => Number(b.builtin) - Number(a.builtin) || a.name.localeCompare(b.name))
    .map((group) => {
      const grantable = group.permissions.every((grant) => {
        const { code, reach } = parseGrant(grant);
        return covers(ctx.reach(code), reach);
      });
      const member = memberOf.has(group.id);
      return {
        group,
        ...checkbox(group.name, {
          value: String(group.id),
          checked: member,
          disabled: !grantable && !member,
          hint: grantable ? group.description || undefined : 'Grants more than you hold yourself.',
        }),
      };
    });

  // --- Supervisor, status ----------------------------------------------------
  // Within a team, nobody is placed outside it (Rust refuses it anyway):
  // a new member of the operator's team starts under the operator.
  const forTeam = editing
    ? ctx.reach('users.edit') === 'team' && user.id !== me.user.id
    : ctx.reach('users.create') === 'team';
  const myself = { id: me.user.id, name: me.user.name, email: me.user.email };
  const supervisor = personPicker({
    api,
    label: 'Supervisor',
    noneLabel: 'No supervisor',
    initial: editing ? user.supervisor ?? null : (forTeam ? myself : null),
    excludeId: user?.id ?? null,
    hint: forTeam ? (editing ? TEAM_SUPERVISOR_EDIT : TEAM_SUPERVISOR_CREATE) : undefined,
  });
  const status = /** @type {HTMLSelectElement} */ (h('select', null,
    h('option', { value: 'enabled' }, 'Enabled'),
    h('option', { value: 'disabled' }, 'Disabled'),
  ));
  // A day as YYYY-MM-DD: Rust reads it and names a date it cannot read.
  const validUntil = /** @type {HTMLInputElement} */ (h('input', {
    type: 'text', inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'YYYY-MM-DD', value: user?.valid_until ?? '',
  }));
  validUntil.addEventListener('input', () => fields.valid_until.setError(null));

  // --- Password (create only) ------------------------------------------------
  const password = editing ? null : passwordFields({
    api,
    account: () => ({ name: name.value, email: email.value }),
  });
  if (password) signal.addEventListener('abort', () => password.dispose());

  // --- Flags and two-factor ----------------------------------------------------
  // On an edit, "must change password" and the second factor are
  // credentials (users.credentials), and nobody lowers their own sign-in
  // security here; Rust refuses both anyway.
  const mayChangeCredentials = !editing || ctx.can('users.credentials');
  const self = editing && user.id === me.user.id;
  const mustChange = checkbox(
    editing ? 'Force password change at next sign-in' : 'Force password change at first sign-in',
    {
      checked: user ? user.must_change_password : false,
      disabled: !mayChangeCredentials || (self && user.must_change_password),
      hint: !mayChangeCredentials ? CREDENTIALS_NEEDED : undefined,
    },
  );
  const operatorMasked = me.user.mask_client_data;
  const mask = checkbox('Mask client data', {
    checked: operatorMasked || Boolean(user?.mask_client_data),
    disabled: operatorMasked,
    hint: operatorMasked
      ? 'You see client data masked, so the people you manage do too.'
      : 'Client names, emails and phone numbers show with asterisks.',
  });
  const mail = Boolean(ctx.app.mail_configured);
  const twoFactor = /** @type {HTMLSelectElement} */ (h('select', null,
    TWO_FACTOR_CHOICES.map((c) => h('option', { value: c.value, disabled: c.value === 'email_code' && !mail }, c.label))));
  const wanted = user?.two_factor ?? settings?.default_two_factor ?? 'off';
  // Without a mail server an email code cannot arrive; a new user starts with "Off" then.
  twoFactor.value = !editing && wanted === 'email_code' && !mail ? 'off' : wanted;
  const ownSecondFactor = self && user.two_factor !== 'off';
  twoFactor.disabled = !mayChangeCredentials || ownSecondFactor;

  const sendCredentials = editing ? null : checkbox('Send credentials by email', {
    disabled: !mail,
    hint: mail ? 'Emails the new user their email address and password.' : NO_MAIL,
  });

  /** @type {Record<string, import('../widgets.js').Field>} */
  const fields = {
    name: field('Name', name),
    email: field('Email', email),
    groups: fieldset('Groups', [h('div', { class: 'check-grid' }, groupBoxes.map((b) => b.root))], {
      hint: 'Administrators grants every permission.',
    }),
    supervisor: { root: supervisor.root, control: supervisor.input, setError: supervisor.setError },
    status: field('Status', status),
    valid_until: field('Valid until', validUntil, {
      hint: 'The last day the account may sign in, as YYYY-MM-DD. Empty: no end.',
      class: 'field-narrow',
    }),
    two_factor: field('Two-factor method', twoFactor, {
      hint: !mayChangeCredentials ? CREDENTIALS_NEEDED
        : ownSecondFactor ? 'To switch off your own second factor, use “Turn off my second factor” on your page.'
          : mail ? undefined : 'Email code: Needs a mail server',
      class: 'field-narrow',
    }),
  };
  if (password) fields.password = password.field;

  // --- Email uniqueness as one types -----------------------------------------------
  let emailAsked = 0;
  const checkEmail = debounce(async () => {
    const value = email.value.trim();
    const question = ++emailAsked;
    if (!value.includes('@')) return;
    try {
      const free = await api.emailAvailable(value, user?.id ?? null);
      if (question !== emailAsked || signal.aborted) return;
      fields.email.setError(free ? null : 'This email address is already in use.');
    } catch {
      // Rust checks again on save; a failed look-up here changes nothing.
    }
  }, 300);
  email.addEventListener('input', () => {
    emailAsked += 1;
    fields.email.setError(null);
    checkEmail();
  });
  signal.addEventListener('abort', () => checkEmail.cancel());

  name.addEventListener('input', () => fields.name.setError(null));
  for (const box of groupBoxes) box.input.addEventListener('change', () => fields.groups.setError(null));

  // --- Layout ----------------------------------------------------------------
  const general = formError();
  const working = progress(editing ? 'Saving' : 'Creating the user');
  working.hidden = true;
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'button button-primary' },
    editing ? 'Save changes' : 'Create user'));
  const cancel = h('button', { type: 'button', class: 'button', onclick: () => ctx.navigate(back) }, 'Cancel');

  const form = h('form', { class: 'stack user-form', novalidate: true, onsubmit: onSubmit },
    h('section', { class: 'panel' },
      h('div', { class: 'form-grid' }, fields.name.root, fields.email.root),
      fields.groups.root,
      h('div', { class: 'form-grid' },
        fields.supervisor.root,
        editing ? null : fields.status.root,
        fields.valid_until.root,
      ),
    ),
    password ? h('section', { class: 'panel' }, h('h2', null, 'Password'), password.root) : null,
    h('section', { class: 'panel' },
      h('h2', null, 'Sign-in and privacy'),
      h('div', { class: 'checks' }, mustChange.root, mask.root),
      fields.two_factor.root,
      sendCredentials?.root ?? null,
    ),
    general.root,
    working,
    h('div', { class: 'actions' }, submit, cancel),
  );
  body.append(form);

  /** @param {SubmitEvent} event */
  async function onSubmit(event) {
    event.preventDefault();
    general.show(null);
    if (password && !password.confirmMatches()) {
      password.confirm?.focus();
      return;
    }
    const common = {
      name: name.value,
      email: email.value,
      group_ids: groupBoxes.filter((b) => b.input.checked).map((b) => b.group.id),
      supervisor_id: supervisor.value()?.id ?? null,
      must_change_password: mustChange.input.checked,
      mask_client_data: mask.input.checked,
      two_factor: /** @type {import('../api.js').TwoFactor} */ (twoFactor.value),
      valid_until: validUntil.value.trim() || null,
    };
    try {
      if (user) {
        const saved = await submitting(form, submit, working, () => api.updateUser(user.id, { version: user.version, ...common }));
        if (saved.id === me.user.id) await ctx.refreshMe();
        ctx.navigate(`/users/${saved.id}`, { message: `Changes saved.${expiredWarning(saved)}` });
      } else {
        const typed = /** @type {NonNullable<typeof password>} */ (password).input.value;
        const created = await submitting(form, submit, working, () => api.createUser({
          ...common,
          status: /** @type {import('../api.js').Status} */ (status.value),
          password: typed,
        }, Boolean(sendCredentials?.input.checked)));
        // The plaintext leaves the form at once; the panel shows it once more.
        password?.clear();
        if (signal.aborted) return;
        handOver(created, typed);
      }
    } catch (error) {
      if (signal.aborted) return;
      if (!showStale(error, general, () => ctx.navigate(location.hash.slice(1)), { editing: true })) {
        placeError(error, fields, general);
      }
    }
  }

  /**
   * The user exists: on to their page, through the hand-over panel unless
   * the credentials were emailed.
   * @param {import('../api.js').WithCredentials} created
   * @param {string} typed the password the form sent
   */
  function handOver(created, typed) {
    const message = `${created.name} was created.${expiredWarning(created)}`;
    const { delivery } = created;
    const show = () => ctx.navigate(`/users/${created.id}`, {
      message: delivery.status === 'sent' ? `${message} Credentials sent to ${created.email}.` : message,
    });
    if (delivery.status === 'sent') {
      show();
      return;
    }
    openHandover({
      api,
      container: /** @type {HTMLElement} */ (body),
      signal,
      credentials: {
        name: created.name,
        email: created.email,
        password: created.generated_password ?? typed,
        must_change_password: created.must_change_password,
      },
      intro: message,
      failure: delivery.status === 'failed' ? delivery.reason : null,
      onClose: show,
    });
  }
}

/**
 * The warning after saving an account whose valid-until day has passed.
 * @param {{expired?: boolean, valid_until?: string | null}} user
 */
function expiredWarning(user) {
  return user.expired
    ? ` Warning: it is valid until ${user.valid_until}, which has passed, so the account is expired and cannot sign in.`
    : '';
}
