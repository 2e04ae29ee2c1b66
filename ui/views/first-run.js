// First run: where the directory lives, and the first administrator.
//
// Only the local store exists in this version; the remote choice is shown
// (disabled, with the reason) so people know it is coming.

import { h, uid } from '../dom.js';
import { field, formError, passwordFields, placeError, progress, submitting } from '../widgets.js';

/**
 * @param {HTMLElement} root
 * @param {import('../main.js').Context} ctx
 */
export function render(root, ctx) {
  const { api, app } = ctx;

  const storeHeading = uid('store-heading');
  const adminHeading = uid('admin-heading');

  const local = h('input', { type: 'radio', name: 'store', value: 'local', id: uid('store-local'), checked: true });
  const localNote = h('div', { class: 'choice-note', id: uid('note') },
    h('p', null, 'A SQLite file on this computer: ', h('code', { class: 'path', id: 'store-path' }, app.store.path)),
  );
  local.setAttribute('aria-describedby', localNote.id);

  const remote = h('input', { type: 'radio', name: 'store', value: 'remote', id: uid('store-remote'), disabled: true });
  const remoteNote = h('p', { class: 'choice-note', id: uid('note') }, 'Not available in this version.');
  remote.setAttribute('aria-describedby', remoteNote.id);

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

  name.addEventListener('input', () => fields.name.setError(null));
  email.addEventListener('input', () => fields.email.setError(null));

  const form = h('form', { class: 'stack', novalidate: true, onsubmit: onSubmit },
    h('section', { class: 'panel', 'aria-labelledby': storeHeading },
      h('h2', { id: storeHeading }, 'Where to keep the directory'),
      h('div', { role: 'radiogroup', 'aria-labelledby': storeHeading, class: 'choices' },
        h('div', { class: 'choice' },
          local, h('label', { for: local.id }, 'Local — on this computer'), localNote),
        h('div', { class: 'choice choice-disabled' },
          remote, h('label', { for: remote.id }, 'Remote — PostgreSQL server'), remoteNote),
      ),
    ),
    h('section', { class: 'panel', 'aria-labelledby': adminHeading },
      h('h2', { id: adminHeading }, 'Create the first administrator'),
      h('p', { class: 'hint' }, 'This person can sign in and add everyone else. Keep the password somewhere safe.'),
      h('div', { class: 'form-grid' }, fields.name.root, fields.email.root),
      password.root,
    ),
    general.root,
    working,
    h('div', { class: 'actions' }, submit),
  );

  root.append(h('div', { class: 'setup' },
    h('h1', null, 'Set up Roster'),
    h('p', { class: 'lead' }, `${app.name} ${app.version} keeps a directory of your back-office users. Choose where it lives, then create its first administrator.`),
    form,
  ));

  /** @param {SubmitEvent} event */
  async function onSubmit(event) {
    event.preventDefault();
    general.show(null);
    if (!password.confirmMatches()) {
      password.confirm?.focus();
      return;
    }
    try {
      const me = await submitting(form, submit, working, () => api.initialize({
        name: name.value,
        email: email.value,
        password: password.input.value,
      }));
      password.dispose();
      ctx.signedIn(me);
    } catch (error) {
      placeError(error, { ...fields, password: password.field }, general);
    }
  }
}
