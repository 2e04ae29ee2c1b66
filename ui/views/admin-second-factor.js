// The notice on the users overview and in Settings while an enabled
// administrator signs in without a second factor: the accounts that hold
// every right should be the best protected.
//
// Rust decides who hears it (users.view or settings.manage) and whether
// with names (users.view only); anyone else gets a refusal and sees nothing.

import { h, replaceChildren } from '../dom.js';

/**
 * An element to place near the top of a page: empty and hidden until the
 * answer arrives, and hidden again while no such administrator exists.
 * @param {import('../main.js').Context} ctx
 * @returns {HTMLElement}
 */
export function notice(ctx) {
  const { api, signal } = ctx;
  const heading = h('h2', { class: 'notice-title' });
  const details = h('p');
  const root = h('section', {
    class: 'alert alert-warning notice', role: 'status', 'aria-label': 'Administrators without a second factor', hidden: true,
  });
  load();
  return root;

  async function load() {
    /** @type {import('../api.js').AdministratorsWithoutSecondFactor} */
    let found;
    try {
      found = await api.administratorsWithoutSecondFactor();
    } catch {
      // Refused or failed: the page says nothing rather than something wrong.
      return;
    }
    if (signal.aborted || found.count === 0) return;
    const named = found.administrators;
    heading.textContent = found.count === 1
      ? `An administrator has no second factor${named ? ':' : '.'}`
      : `${found.count} administrators have no second factor${named ? ':' : '.'}`;
    replaceChildren(details,
      'Whoever learns their password can sign in with every right. ',
      named
        ? 'Choose a two-factor method for them: open their page, then Edit.'
        : 'Ask someone who manages users to choose a two-factor method for them.');
    replaceChildren(root,
      h('span', { class: 'notice-mark', 'aria-hidden': 'true' }, '!'),
      h('div', { class: 'notice-body' },
        heading,
        named
          ? h('ul', { class: 'notice-list' }, named.map((admin) => h('li', null,
            h('a', { href: `#/users/${admin.id}` }, admin.name),
            ` (${admin.email})`)))
          : null,
        details,
      ),
    );
    root.hidden = false;
  }
}
