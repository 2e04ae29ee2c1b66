// Settings → where the directory is kept: the local SQLite file, or a
// PostgreSQL server that several computers share.
//
// From the local store the way to a server has two steps: copy this
// directory into an empty database there (nothing changes here, so it can be
// tried safely), then switch this computer to it. From a server, one can
// switch back to the local file. A switch signs out (the accounts are the
// other store's), so main.js starts over after it: the sign-in, or the first
// run on an empty directory.

import { h, uid } from '../dom.js';
import { plural } from '../format.js';
import { formError, progress, submitting } from '../widgets.js';
import { localSignInFields } from './local-sign-in.js';
import { remoteFields, tlsLabel, whileDisabled } from './remote-form.js';

/**
 * @param {HTMLElement} container where the section goes (after what is there)
 * @param {import('../main.js').Context} ctx
 */
export function render(container, ctx) {
  const { store } = ctx.app;
  const heading = uid('store-heading');
  const section = h('section', { class: 'panel stack', 'aria-labelledby': heading },
    h('h2', { id: heading }, 'Where the directory is kept'));
  container.append(section);

  section.append(facts(store));
  // Rust refuses a switch without `settings.manage` anyway; do not offer it.
  if (!ctx.can('settings.manage')) return;
  if (store.kind === 'postgres') offerLocal(section, ctx, store);
  else offerServer(section, ctx);
}

/**
 * The store in use, read-only (a local store's description names its file).
 * @param {import('../api.js').Store} store
 */
function facts(store) {
  /** @type {[string, Node | string][]} */
  const rows = [['In use', store.description]];
  if (store.kind === 'postgres' && store.remote) {
    const { remote } = store;
    rows.push(
      ['Server', `${remote.host}:${remote.port}`],
      ['Database', remote.database],
      ['User', remote.user],
      ['Encryption (TLS)', tlsLabel(remote.tls)],
    );
    if (store.local_path) rows.push(['Local store (not in use)', h('code', { class: 'path' }, store.local_path)]);
  }
  return h('dl', { class: 'facts' },
    rows.map(([term, value]) => h('div', { class: 'fact' }, h('dt', null, term), h('dd', null, value))));
}

/**
 * On the local store: copy it to a server, and switch to that server.
 * @param {HTMLElement} section
 * @param {import('../main.js').Context} ctx
 */
function offerServer(section, ctx) {
  const { api, signal } = ctx;
  const subheading = uid('server-heading');
  const connection = remoteFields({ api });
  const copy = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'button button-primary' }, 'Copy this directory to the server'));
  const switchTo = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', onclick: onSwitch }, 'Switch to the server'));
  const group = /** @type {HTMLFieldSetElement} */ (h('fieldset', { class: 'bare' },
    connection.root,
    h('div', { class: 'actions' }, copy, switchTo)));
  const working = progress();
  working.hidden = true;
  const copied = h('p', { class: 'ok', role: 'status' });
  const form = /** @type {HTMLFormElement} */ (h('form', {
    class: 'stack', novalidate: true, 'aria-labelledby': subheading, onsubmit: onCopy,
  }, group, working, copied));

  section.append(
    h('h3', { id: subheading }, 'Move it to a PostgreSQL server'),
    h('p', { class: 'hint' },
      'First copy this directory into an empty database on the server: nothing changes here, so this is safe to try. '
      + 'Then switch this computer to the server, and connect the other computers to it with the same details.'),
    form,
  );
  signal.addEventListener('abort', () => connection.dispose());

  // Once copied, switching is the next step; a change of the fields undoes that.
  connection.root.addEventListener('input', () => nextStep(false));

  /** @param {boolean} copiedThere whether the fields name the server just copied to */
  function nextStep(copiedThere) {
    copy.classList.toggle('button-primary', !copiedThere);
    switchTo.classList.toggle('button-primary', copiedThere);
    if (!copiedThere) copied.textContent = '';
  }

  /** @param {SubmitEvent} event */
  async function onCopy(event) {
    event.preventDefault();
    connection.clearMessages();
    nextStep(false);
    if (!connection.check()) return;
    working.setAttribute('aria-label', 'Copying the directory to the server');
    try {
      // Tens of seconds for a big directory: the fields stay as they were sent.
      const counts = await whileDisabled(group, copy, () => submitting(form, copy, working,
        () => api.copyStoreToRemote(connection.value(), connection.password())));
      if (signal.aborted) return;
      nextStep(true);
      copied.textContent = copiedSentence(counts);
    } catch (error) {
      if (signal.aborted) return;
      connection.showError(error);
    }
  }

  async function onSwitch() {
    connection.clearMessages();
    if (!connection.check()) return;
    const remote = connection.value();
    try {
      const sure = await api.confirm({
        title: 'Switch to the server?',
        message: `This computer will use the directory in "${remote.database}" on ${remote.host}. `
          + 'You will be signed out; then sign in with your account there, or create its first administrator if it is empty. '
          + 'The local store stays as it is, but later changes are not copied back to it.',
        ok_label: 'Switch',
      });
      if (!sure || signal.aborted) return;
      working.setAttribute('aria-label', 'Connecting to the server');
      const status = await whileDisabled(group, switchTo, () => submitting(form, switchTo, working,
        () => api.connectStore(remote, connection.password())));
      connection.clearPassword();
      if (signal.aborted) return;
      ctx.restart({ message: switchedMessage(status, 'Connected to', 'on that server') });
    } catch (error) {
      if (signal.aborted) return;
      connection.showError(error);
    }
  }
}

/**
 * On a server: switch back to the local store.
 * @param {HTMLElement} section
 * @param {import('../main.js').Context} ctx
 * @param {import('../api.js').Store} store
 */
function offerLocal(section, ctx, store) {
  const { api, signal } = ctx;
  const general = formError();
  const working = progress('Switching to the local store');
  working.hidden = true;
  const local = localSignInFields();
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'button' }, 'Switch to the local store'));
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'stack', novalidate: true, onsubmit: onSubmit },
    h('p', { class: 'hint' },
      'The local store is the SQLite file on this computer. Changes made on the server are not copied to it.'),
    local.root,
    general.root,
    working,
    h('div', { class: 'actions' }, submit),
  ));
  section.append(form);

  /** @param {SubmitEvent} event */
  async function onSubmit(event) {
    event.preventDefault();
    general.show(null);
    try {
      const sure = await api.confirm({
        title: 'Switch to the local store?',
        message: `This computer will use the local file${store.local_path ? ` ${store.local_path}` : ''} instead of `
          + `${store.description}. You will be signed out. Changes made on the server are not copied to the local file.`,
        ok_label: 'Switch',
      });
      if (!sure || signal.aborted) return;
      const typed = local.value();
      const status = await submitting(form, submit, working,
        () => api.useLocalStore(typed.email ? typed : null));
      local.clear();
      if (signal.aborted) return;
      ctx.restart({ message: switchedMessage(status, 'Switched to', 'there') });
    } catch (error) {
      local.clear();
      if (signal.aborted) return;
      general.show(api.messageOf(error));
    }
  }
}

/**
 * What the next screen says after a switch: sign in, or create the first administrator.
 * @param {import('../api.js').AppStatus} status
 * @param {string} done e.g. "Connected to"
 * @param {string} where e.g. "on that server"
 */
function switchedMessage(status, done, where) {
  const what = `${done} ${status.store.description}.`;
  return status.initialized
    ? `${what} Sign in with your account ${where}.`
    : `${what} Its directory is empty: create its first administrator.`;
}

/**
 * "Copied 1,234 users, 5 groups, … Nothing changed here."
 * @param {import('../api.js').StoreCopy} counts
 */
function copiedSentence(counts) {
  const parts = [
    plural(counts.users, 'user', 'users'),
    plural(counts.groups, 'group', 'groups'),
    plural(counts.memberships, 'membership', 'memberships'),
    plural(counts.audit_events, 'audit event', 'audit events'),
    plural(counts.settings, 'setting', 'settings'),
  ];
  return `Copied ${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}. Nothing changed here.`;
}
