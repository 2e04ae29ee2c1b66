// First run: where the directory lives, and the first administrator.
//
// Local keeps it in a SQLite file on this computer; the administrator's form
// is there at once. Remote keeps it on a PostgreSQL server: "Connect" makes
// this computer use that server (Rust saves the choice), and only then is it
// settled where the administrator is created. A server whose directory has
// users already needs no first run: the person signs in with their account
// there. So the administrator's form stays hidden until the store is settled.
//
// The administrator holds every right, so they get a second factor like
// anyone else: once created, they set up their authenticator app (the same
// screen as any first sign-in, totp-enrolment.js) before the app opens.

import { h, uid } from '../dom.js';
import { field, formError, passwordFields, placeError, progress, submitting } from '../widgets.js';
import { remoteFields, whileDisabled } from './remote-form.js';

/**
 * @param {HTMLElement} root
 * @param {import('../main.js').Context} ctx
 */
export function render(root, ctx) {
  const { api, app, signal } = ctx;

  /** @type {import('../api.js').Store} the store Rust has open now */
  let store = app.store;
  /** Whether the connection's fields are open again although a server is connected. */
  let changing = false;

  const storeHeading = uid('store-heading');
  const adminHeading = uid('admin-heading');

  const local = h('input', {
    type: 'radio', name: 'store', value: 'local', id: uid('store-local'),
    checked: store.kind !== 'postgres', onchange: update,
  });
  const localNote = h('div', { class: 'choice-note', id: uid('note') },
    h('p', null, 'A SQLite file on this computer: ',
      h('code', { class: 'path', id: 'store-path' }, store.local_path ?? store.path ?? '')),
  );
  local.setAttribute('aria-describedby', localNote.id);

  const remote = h('input', {
    type: 'radio', name: 'store', value: 'remote', id: uid('store-remote'),
    checked: store.kind === 'postgres', onchange: update,
  });
  const remoteNote = h('p', { class: 'choice-note', id: uid('note') },
    'A database on a PostgreSQL server, shared by every computer that connects to it.');
  remote.setAttribute('aria-describedby', remoteNote.id);

  // The connection, in a form of its own: Enter in its fields connects, it
  // never creates the administrator.
  const connection = remoteFields({ api, initial: store.remote });
  const connecting = progress('Connecting to the server');
  connecting.hidden = true;
  const connect = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'button button-primary' }, 'Connect'));
  const connectGroup = /** @type {HTMLFieldSetElement} */ (h('fieldset', { class: 'bare' },
    connection.root,
    h('div', { class: 'actions' }, connect)));
  const connectForm = /** @type {HTMLFormElement} */ (h('form', {
    class: 'stack', novalidate: true, 'aria-label': 'Connection to the server', onsubmit: onConnect,
  }, connectGroup, connecting));

  const connected = h('p', { role: 'status' });
  const change = h('button', { type: 'button', class: 'button', onclick: onChange }, 'Change');
  const connectedLine = h('div', { class: 'row' }, connected, change);

  const name = /** @type {HTMLInputElement} */ (h('input', { type: 'text', autocomplete: 'name', spellcheck: 'false' }));
  const email = /** @type {HTMLInputElement} */ (h('input', {
    type: 'email', autocomplete: 'email', spellcheck: 'false', autocapitalize: 'off',
  }));
  const fields = {
    name: field('Name', name),
    email: field('Email', email),
  };
  const password = passwordFields({
    api,
    account: () => ({ name: name.value, email: email.value }),
  });
  const general = formError();
  const working = progress('Creating the administrator');
  working.hidden = true;
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'button button-primary' }, 'Create administrator'));
  const where = h('p', { class: 'hint' });

  name.addEventListener('input', () => fields.name.setError(null));
  email.addEventListener('input', () => fields.email.setError(null));

  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'stack', novalidate: true, onsubmit: onSubmit },
    h('section', { class: 'panel', 'aria-labelledby': adminHeading },
      h('h2', { id: adminHeading }, 'Create the first administrator'),
      h('p', { class: 'hint' }, 'This person can sign in and add everyone else. Keep the password somewhere safe. Next, they set up an authenticator app on their phone for two-step sign-in.'),
      where,
      h('div', { class: 'form-grid' }, fields.name.root, fields.email.root),
      password.root,
    ),
    general.root,
    working,
    h('div', { class: 'actions' }, submit),
  ));

  root.append(h('div', { class: 'setup' },
    h('h1', null, 'Set up Roster'),
    h('p', { class: 'lead' }, `${app.name} ${app.version} keeps a directory of your back-office users. Choose where it lives, then create its first administrator.`),
    h('div', { class: 'stack' },
      h('section', { class: 'panel stack', 'aria-labelledby': storeHeading },
        h('h2', { id: storeHeading }, 'Where to keep the directory'),
        h('div', { role: 'radiogroup', 'aria-labelledby': storeHeading, class: 'choices' },
          h('div', { class: 'choice' },
            local, h('label', { for: local.id }, 'Local — on this computer'), localNote),
          h('div', { class: 'choice' },
            remote, h('label', { for: remote.id }, 'Remote — PostgreSQL server'), remoteNote),
        ),
        connectForm,
        connectedLine,
      ),
      form,
    ),
  ));
  update();

  /** Shows what the choice and the store Rust has open call for. */
  function update() {
    const remoteChosen = /** @type {HTMLInputElement} */ (remote).checked;
    const onServer = store.kind === 'postgres';
    connectForm.hidden = !remoteChosen || (onServer && !changing);
    connectedLine.hidden = !remoteChosen || !onServer || changing;
    connected.textContent = onServer && !connectedLine.hidden ? `Connected to ${store.description}.` : '';
    form.hidden = remoteChosen && (!onServer || changing);
    where.hidden = !remoteChosen;
    where.textContent = remoteChosen && onServer ? `The directory will be created on ${store.description}.` : '';
  }

  /** Opens the connection's fields again, to connect to another server. */
  function onChange() {
    changing = true;
    update();
    connection.fields.host.control.focus();
  }

  /**
   * After a switch: the store now open, for this view and for main.js.
   * @param {import('../api.js').AppStatus} status
   */
  function settled(status) {
    store = status.store;
    changing = false;
    ctx.storeChanged(status);
    update();
  }

  /**
   * The store chosen has a directory already: no first run, sign in there.
   * @param {string} message
   */
  function leave(message) {
    connection.dispose();
    password.dispose();
    ctx.restart({ message });
  }

  /** @param {SubmitEvent} event */
  async function onConnect(event) {
    event.preventDefault();
    connection.clearMessages();
    if (!connection.check()) return;
    try {
      const status = await whileDisabled(connectGroup, connect, () => submitting(connectForm, connect, connecting,
        () => api.connectStore(connection.value(), connection.password())));
      connection.clearPassword();
      if (signal.aborted) return;
      if (status.initialized) {
        leave(`Connected to ${status.store.description}. Sign in with your account on that server.`);
        return;
      }
      settled(status);
      name.focus();
    } catch (error) {
      if (signal.aborted) return;
      connection.showError(error);
    }
  }

  /** @param {SubmitEvent} event */
  async function onSubmit(event) {
    event.preventDefault();
    general.show(null);
    if (!password.confirmMatches()) {
      password.confirm?.focus();
      return;
    }
    try {
      if (/** @type {HTMLInputElement} */ (local).checked && store.kind === 'postgres') {
        // A server was connected, then Local chosen: Rust must open the local file first.
        const status = await submitting(form, submit, working, () => api.useLocalStore());
        if (signal.aborted) return;
        if (status.initialized) {
          leave('Switched to the local store, which has an administrator already. Sign in with your account.');
          return;
        }
        settled(status);
      }
      const started = await submitting(form, submit, working, () => api.initialize({
        name: name.value,
        email: email.value,
        password: password.input.value,
      }));
      password.dispose();
      connection.dispose();
      // Like any sign-in: the authenticator app is set up before the app opens.
      ctx.continueSignIn(started);
    } catch (error) {
      if (signal.aborted) return;
      placeError(error, { ...fields, password: password.field }, general);
    }
  }
}
