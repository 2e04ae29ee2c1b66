// One user: every field, the actions the operator may take on them, and the
// user's history from the audit log.
//
// Actions send the version shown, so acting on a record someone else changed
// meanwhile is refused; the page then offers to reload. Nobody is offered
// disabling or deleting their own account.

import { h, replaceChildren, uid } from '../dom.js';
import { actionLabel, changeValue, count, fieldLabel, standing, twoFactorLabel, yesNo } from '../format.js';
import { busy, checkbox, field, formError, passwordFields, placeError, progress, showStale, statusBadge, time } from '../widgets.js';
import { openHandover } from './handover.js';

/**
 * @param {HTMLElement} root
 * @param {import('../main.js').Context} ctx `params.id`
 */
export async function render(root, ctx) {
  const { api, signal } = ctx;
  const id = Number(ctx.params.id);

  const heading = h('h1', null, 'User');
  const headBadge = h('span', { class: 'head-badge' });
  const actions = h('div', { class: 'actions head-actions' });
  const actionError = formError();
  const resetSlot = h('div');
  const facts = h('dl', { class: 'facts' });
  const loading = progress('Loading the user');
  const details = h('section', { class: 'panel', 'aria-label': 'Details', 'aria-busy': 'true' }, loading, facts);
  const historySection = ctx.can('audit.view') ? h('section', { class: 'panel', 'aria-labelledby': uid('history') }) : null;

  root.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/users' }, '← Users')),
    h('div', { class: 'page-head' }, h('div', { class: 'title-line' }, heading, headBadge), actions),
    actionError.root,
    resetSlot,
    details,
    historySection,
  );

  /** @type {import('../api.js').User} */
  let user;
  /**
   * What the operator may do to this user, as the core says (a right for
   * the team reaches only its members); kept by `show` from the last full
   * load.
   * @type {import('../api.js').UserRights}
   */
  let rights;
  try {
    user = await api.getUser(id);
  } catch (error) {
    if (signal.aborted) return;
    heading.textContent = 'User not available';
    replaceChildren(details, h('p', { class: 'alert alert-error', role: 'alert' }, api.messageOf(error)));
    details.removeAttribute('aria-busy');
    return;
  }
  if (signal.aborted) return;
  loading.remove();
  details.removeAttribute('aria-busy');
  show(user);
  loadHistory();

  /** @param {import('../api.js').User | import('../api.js').UserDetail} current */
  function show(current) {
    user = current;
    if ('rights' in current) rights = current.rights;
    heading.textContent = user.name;
    document.title = `${user.name} — Roster`;
    replaceChildren(headBadge, statusBadge(standing(user)));
    showActions();
    showFacts();
  }

  function showActions() {
    const self = user.id === ctx.me.user.id;
    const enabled = user.status === 'enabled';
    replaceChildren(actions,
      rights.edit
        ? h('button', { type: 'button', class: 'button', onclick: () => ctx.navigate(`/users/${user.id}/edit`) }, 'Edit')
        : null,
      rights.disable && !self
        ? h('button', { type: 'button', class: 'button', onclick: toggleStatus }, enabled ? 'Disable' : 'Enable')
        : null,
      // While its panel is open, the panel's own buttons set or cancel.
      rights.credentials && !resetSlot.firstChild
        ? h('button', { type: 'button', class: 'button', onclick: openReset }, 'Reset password')
        : null,
      rights.credentials && user.two_factor === 'totp'
        ? h('button', { type: 'button', class: 'button', onclick: resetTwoFactor }, 'Reset two-factor')
        : null,
      self && user.two_factor === 'totp' && !resetSlot.firstChild
        ? h('button', { type: 'button', class: 'button', onclick: openTurnOff }, 'Turn off my second factor')
        : null,
      rights.credentials && (user.failed_sign_ins > 0 || lockedNow())
        ? h('button', { type: 'button', class: 'button', onclick: unlock }, 'Unlock')
        : null,
      rights.delete && !self
        ? h('button', { type: 'button', class: 'button button-danger', onclick: remove }, 'Delete')
        : null,
    );
  }

  /** Whether failed sign-ins keep the account locked right now. */
  function lockedNow() {
    return Boolean(user.locked_until) && new Date(/** @type {string} */ (user.locked_until)).getTime() > Date.now();
  }

  function showFacts() {
    const supervisor = user.supervisor;
    /** @type {[string, import('../dom.js').Child][]} */
    const rows = [
      ['Email', user.email],
      ['Status', statusBadge(standing(user))],
      ['Valid until', user.valid_until ?? 'No end'],
      ['Groups', user.groups.length
        ? user.groups.map((g, i) => [i ? ', ' : '', ctx.can('groups.manage') ? h('a', { href: `#/groups/${g.id}` }, g.name) : g.name])
        : h('span', { class: 'muted' }, 'None')],
      ['Supervisor', supervisor
        ? [h('a', { href: `#/users/${supervisor.id}` }, supervisor.name), ' ', h('span', { class: 'muted' }, supervisor.email)]
        : h('span', { class: 'muted' }, 'No supervisor')],
      ['Two-factor method', twoFactorLabel(user.two_factor)],
      ['Mask client data', yesNo(user.mask_client_data)],
      ['Must change password', yesNo(user.must_change_password)],
      ['Created', time(user.created_at)],
      ['Updated', time(user.updated_at)],
      ['Last sign-in', time(user.last_sign_in_at, 'Never')],
      ['Password set', time(user.password_changed_at)],
      ['Failed sign-ins', count(user.failed_sign_ins)],
    ];
    if (lockedNow()) rows.push(['Locked until', time(user.locked_until)]);
    replaceChildren(facts, rows.map(([term, value]) => h('div', { class: 'fact' }, h('dt', null, term), h('dd', null, value))));
    if (user.id === ctx.me.user.id) {
      facts.append(h('p', { class: 'hint' }, 'This is your own account: you cannot disable or delete it.'));
    }
  }

  /** Reports a failed action; a stale version offers to reload. @param {unknown} error */
  function failed(error) {
    if (signal.aborted) return;
    if (!showStale(error, actionError, reload)) actionError.show(api.messageOf(error));
  }

  async function reload() {
    actionError.show(null);
    try {
      const fresh = await api.getUser(user.id);
      if (signal.aborted) return;
      show(fresh);
      loadHistory();
      ctx.say('Reloaded the current version.');
    } catch (error) {
      failed(error);
    }
  }

  /** @param {MouseEvent} event */
  async function toggleStatus(event) {
    actionError.show(null);
    const button = /** @type {HTMLButtonElement} */ (event.currentTarget);
    const status = user.status === 'enabled' ? 'disabled' : 'enabled';
    try {
      const changed = await busy(button, () => api.setUserStatus(user.id, status, user.version));
      if (signal.aborted) return;
      show(changed);
      ctx.say(`${changed.name} was ${status === 'enabled' ? 'enabled' : 'disabled'}.`);
      loadHistory();
    } catch (error) {
      failed(error);
    }
  }

  /** Clears the failed sign-ins and the lock they caused. @param {MouseEvent} event */
  async function unlock(event) {
    actionError.show(null);
    const button = /** @type {HTMLButtonElement} */ (event.currentTarget);
    try {
      const changed = await busy(button, () => api.unlockUser(user.id));
      if (signal.aborted) return;
      show(changed);
      // The button is gone with the lock: keep the keyboard on the page.
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
      ctx.say(`${changed.name} was unlocked.`);
      loadHistory();
    } catch (error) {
      failed(error);
    }
  }

  /** Makes the user set up their authenticator app again, once confirmed. @param {MouseEvent} event */
  async function resetTwoFactor(event) {
    actionError.show(null);
    const button = /** @type {HTMLButtonElement} */ (event.currentTarget);
    const name = user.name;
    try {
      const sure = await api.confirm({
        title: 'Reset two-factor',
        message: `${name} will set up their authenticator app again at their next sign-in.`,
        ok_label: 'Reset',
      });
      if (!sure || signal.aborted) return;
      const changed = await busy(button, () => api.resetTwoFactor(user.id));
      if (signal.aborted) return;
      show(changed);
      ctx.say(`${name}'s two-factor was reset.`);
      // Fetched again so that the version shown is the stored one.
      reloadQuietly();
    } catch (error) {
      failed(error);
    }
  }

  async function remove() {
    actionError.show(null);
    const name = user.name;
    try {
      const sure = await api.confirm({
        title: 'Delete user',
        message: `Delete ${name}? While the recycle bin is on (Settings), they can be restored from Deleted users.`,
        ok_label: 'Delete',
      });
      if (!sure || signal.aborted) return;
      await api.deleteUser(user.id, user.version);
      ctx.navigate('/users', { message: `${name} was deleted.` });
    } catch (error) {
      failed(error);
    }
  }

  // --- Reset password -------------------------------------------------------

  function openReset() {
    actionError.show(null);
    const headingId = uid('reset');
    const password = passwordFields({
      api,
      label: 'New password',
      confirmLabel: null,
      account: () => ({ name: user.name, email: user.email }),
    });
    const force = checkbox('Force password change at next sign-in', { checked: true });
    const mail = Boolean(ctx.app.mail_configured);
    const send = checkbox('Send credentials by email', {
      disabled: !mail,
      hint: mail ? `Emails ${user.name} the new password.` : 'No mail server is configured',
    });
    const general = formError();
    const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'button button-primary' }, 'Set password'));
    const panel = h('form', { class: 'panel reset-panel stack', novalidate: true, 'aria-labelledby': headingId, onsubmit: setPassword },
      h('h2', { id: headingId }, 'Reset password'),
      h('p', { class: 'hint' }, `Give ${user.name} a new password. Hand it over in person or by phone, or email it.`),
      password.root,
      force.root,
      send.root,
      general.root,
      h('div', { class: 'actions' }, submit, h('button', { type: 'button', class: 'button', onclick: closeReset }, 'Cancel')),
    );
    replaceChildren(resetSlot, panel);
    showActions();
    password.input.focus();
    signal.addEventListener('abort', () => password.dispose());

    /** @param {SubmitEvent} event */
    async function setPassword(event) {
      event.preventDefault();
      general.show(null);
      const typed = password.input.value;
      try {
        const reset = await busy(submit, () => api.resetPassword(user.id, typed, force.input.checked, send.input.checked));
        if (signal.aborted) return;
        // The plaintext leaves the page: emptied, then the whole panel removed.
        password.clear();
        password.dispose();
        closeReset();
        reloadQuietly();
        if (reset.delivery.status === 'sent') {
          ctx.say(`Password changed. Credentials sent to ${reset.email}.`);
          return;
        }
        openHandover({
          api,
          container: root,
          signal,
          credentials: {
            name: reset.name,
            email: reset.email,
            password: reset.generated_password ?? typed,
            must_change_password: reset.must_change_password,
          },
          intro: `${reset.name}'s password was changed.`,
          failure: reset.delivery.status === 'failed' ? reset.delivery.reason : null,
          onClose: () => ctx.say('Password changed.'),
        });
      } catch (error) {
        if (signal.aborted) return;
        if (error?.field === 'password') password.field.setError(api.messageOf(error));
        else general.show(api.messageOf(error));
      }
    }
  }

  /**
   * Switching off one's own second factor takes both factors again, so that
   * nobody at an unattended session can do it.
   */
  function openTurnOff() {
    actionError.show(null);
    const headingId = uid('turn-off');
    const password = /** @type {HTMLInputElement} */ (h('input', { type: 'password', autocomplete: 'current-password' }));
    const code = /** @type {HTMLInputElement} */ (h('input', {
      type: 'text', inputmode: 'text', autocomplete: 'one-time-code', spellcheck: 'false', autocapitalize: 'off',
    }));
    const fields = {
      current_password: field('Your password', password),
      code: field('Code from your authenticator app, or a recovery code', code, { class: 'field-narrow' }),
    };
    const general = formError();
    const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'button button-danger' }, 'Turn off'));
    const panel = h('form', { class: 'panel reset-panel stack', novalidate: true, 'aria-labelledby': headingId, onsubmit: turnOff },
      h('h2', { id: headingId }, 'Turn off my second factor'),
      h('p', { class: 'hint' }, 'Signing in will then take only your password. Confirm with your password and a current code.'),
      fields.current_password.root,
      fields.code.root,
      general.root,
      h('div', { class: 'actions' }, submit, h('button', { type: 'button', class: 'button', onclick: closeReset }, 'Cancel')),
    );
    replaceChildren(resetSlot, panel);
    showActions();
    password.focus();

    /** @param {SubmitEvent} event */
    async function turnOff(event) {
      event.preventDefault();
      general.show(null);
      try {
        const changed = await busy(submit, () => api.turnOffOwnTwoFactor(password.value, code.value));
        if (signal.aborted) return;
        closeReset();
        await ctx.refreshMe();
        show(changed.user);
        ctx.say('Your second factor is off.');
        loadHistory();
      } catch (error) {
        if (signal.aborted) return;
        password.value = '';
        code.value = '';
        // A wrong password belongs to its field; a wrong code to the code.
        if (error?.code === 'sign_in_failed') fields.current_password.setError(api.messageOf(error));
        else placeError(error, fields, general);
      }
    }
  }

  function closeReset() {
    for (const input of resetSlot.querySelectorAll('input')) input.value = '';
    replaceChildren(resetSlot);
    showActions();
  }

  /** After a reset the flags and version changed; show them without a message. */
  async function reloadQuietly() {
    try {
      const fresh = await api.getUser(user.id);
      if (!signal.aborted) show(fresh);
      loadHistory();
    } catch {
      // The page still shows the last known state; the next action says what is wrong.
    }
  }

  // --- History ----------------------------------------------------------------

  async function loadHistory() {
    if (!historySection) return;
    const headingId = /** @type {string} */ (historySection.getAttribute('aria-labelledby'));
    const title = h('div', { class: 'section-head' },
      h('h2', { id: headingId }, 'History'),
      h('a', {
        href: `#/audit/person/${user.id}`,
        onclick: () => { ctx.memory.auditPerson = { id: user.id, label: user.name }; },
      }, 'Whole audit trail (as target and as operator)'));
    if (!historySection.firstChild) replaceChildren(historySection, title, progress('Loading the history'));
    historySection.setAttribute('aria-busy', 'true');
    try {
      const events = await api.userAudit(user.id, 50);
      if (signal.aborted) return;
      replaceChildren(historySection, title, events.length
        ? h('ol', { class: 'history' }, events.map(historyEntry))
        : h('p', { class: 'muted' }, 'No history yet.'));
    } catch (error) {
      if (signal.aborted) return;
      replaceChildren(historySection, title, h('p', { class: 'alert alert-error' }, api.messageOf(error)));
    } finally {
      historySection.removeAttribute('aria-busy');
    }
  }
}

/** @param {import('../api.js').AuditEvent} event */
function historyEntry(event) {
  // A creation lists the values set; other events what changed from what.
  const created = event.action.endsWith('.create') || event.action === 'directory.initialize';
  return h('li', { class: 'history-entry' },
    h('div', { class: 'history-head' },
      time(event.at),
      h('span', { class: 'history-who' }, event.operator_label || 'Roster'),
      h('span', { class: 'history-action' }, actionLabel(event.action)),
    ),
    event.changes.length
      ? h('ul', { class: 'changes' }, event.changes.map((c) => h('li', null,
        h('span', { class: 'change-field' }, `${fieldLabel(c.field)}: `),
        created
          ? h('span', { class: 'change-after' }, changeValue(c.field, c.after))
          : [
            h('span', { class: 'change-before' }, changeValue(c.field, c.before)),
            h('span', { class: 'change-arrow', 'aria-hidden': 'true' }, ' → '),
            h('span', { class: 'visually-hidden' }, ' changed to '),
            h('span', { class: 'change-after' }, changeValue(c.field, c.after)),
          ])))
      : null,
  );
}
