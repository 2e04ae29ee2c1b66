// Entry point of the window: reads what the app knows about itself and shows it.

import { appInfo } from './api.js';
import { h, replaceChildren, setText } from './dom.js';

/** Errors from the Rust side arrive as strings, others as Error objects. */
function messageOf(error) {
  if (typeof error === 'string') return error;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

async function start() {
  const main = document.getElementById('main');
  const version = document.getElementById('app-version');
  const facts = document.getElementById('store-facts');
  const errorBox = document.getElementById('app-error');

  try {
    const info = await appInfo();
    document.title = info.name;
    setText(version, `Version ${info.version}`);
    replaceChildren(
      facts,
      h('div', { class: 'fact' },
        h('dt', null, 'Local store:'),
        h('dd', null, h('code', { class: 'path', id: 'store-path' }, info.store_path)),
      ),
    );
  } catch (error) {
    setText(errorBox, messageOf(error));
    errorBox.hidden = false;
  } finally {
    main.removeAttribute('aria-busy');
  }
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start, { once: true });
} else {
  start();
}
