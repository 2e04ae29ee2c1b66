// Settings → Backups: the local store's backups (made daily at start,
// before an update of the store, before bulk work, and on "Back up now"),
// restoring one after showing what it holds and asking, the folder and the
// passphrase, and the store check. On a server, backups are its job.
//
// Rust decides every right and checks every backup; this view only shows.

import { h, replaceChildren, uid } from '../dom.js';
import { count, plural } from '../format.js';
import { headerCells, rowCells } from '../table.js';
import { field, formError, progress, time } from '../widgets.js';

/** Why a backup was made, in words. */
const REASONS = {
  manual: 'Backed up now',
  daily: 'Daily',
  before_migration: 'Before an update',
  before_bulk: 'Before bulk work',
  before_restore: 'Before a restore',
  copy: 'A saved copy',
};

/** @param {number} bytes */
function size(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/**
 * @param {HTMLElement} container where the section goes (after what is there)
 * @param {import('../main.js').Context} ctx
 */
export function render(container, ctx) {
  const heading = uid('backups-heading');
  const body = h('div', { class: 'stack', 'aria-busy': 'true' }, progress('Loading the backups'));
  const section = h('section', { class: 'panel stack', 'aria-labelledby': heading },
    h('h2', { id: heading }, 'Backups'), body);
  container.append(section);
  load(body, ctx);
}

/**
 * @param {HTMLElement} body
 * @param {import('../main.js').Context} ctx
 */
async function load(body, ctx) {
  const { api, signal } = ctx;
  /** @type {import('../api.js').BackupsOverview} */
  let overview;
  try {
    overview = await api.backupsOverview();
  } catch (error) {
    if (signal.aborted) return;
    replaceChildren(body, h('p', { class: 'alert alert-error', role: 'alert' }, api.messageOf(error)));
    body.removeAttribute('aria-busy');
    return;
  }
  if (signal.aborted) return;
  body.removeAttribute('aria-busy');
  if (!overview.local) {
    replaceChildren(body, h('p', null,
      'This directory is kept on a PostgreSQL server: backing it up is the server\'s job. '
      + 'Ask whoever runs the server how its backups are made and kept.'),
    saveCopy(ctx),
    storeCheck(ctx));
    return;
  }
  const reload = () => load(body, ctx);
  const general = formError();
  replaceChildren(body,
    overview.problem ? h('p', { class: 'alert alert-error', role: 'alert' }, overview.problem) : null,
    facts(overview),
    actions(ctx, general, reload),
    general.root,
    list(ctx, overview, general),
    passphraseForm(ctx, overview, reload),
    storeCheck(ctx),
  );
}

/** @param {import('../api.js').BackupsOverview} overview */
function facts(overview) {
  const keep = overview.keep;
  /** @type {[string, Node | string][]} */
  const rows = [
    ['Folder', h('code', { class: 'path' }, overview.folder ?? '')],
    ['Kept', `The last ${keep.daily} days, ${keep.weekly} weeks and ${keep.monthly} months`],
    ['Encryption', overview.encrypted
      ? 'Backups are encrypted with your passphrase.'
      : 'Backups are not encrypted: whoever can read the folder can read every account, password hash and client. Set a passphrase below to encrypt them.'],
  ];
  return h('dl', { class: 'facts' },
    rows.map(([term, value]) => h('div', { class: 'fact' }, h('dt', null, term), h('dd', null, value))));
}

/**
 * "Back up now" and the folder's buttons.
 * @param {import('../main.js').Context} ctx
 * @param {{root: HTMLElement, show: (message: string | null) => void}} general
 * @param {() => void} reload
 */
function actions(ctx, general, reload) {
  const { api, signal } = ctx;
  const working = progress('Backing up');
  working.hidden = true;
  /** @param {HTMLButtonElement} button @param {() => Promise<string | null>} work */
  const run = async (button, work) => {
    general.show(null);
    button.disabled = true;
    working.hidden = false;
    try {
      const message = await work();
      if (signal.aborted) return;
      if (message) ctx.say(message);
      reload();
    } catch (error) {
      if (signal.aborted) return;
      general.show(api.messageOf(error));
    } finally {
      button.disabled = false;
      working.hidden = true;
    }
  };
  const now = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button button-primary' }, 'Back up now'));
  now.addEventListener('click', () => run(now, async () => {
    const made = await api.backUpNow();
    return `Backed up: ${plural(made.manifest.users, 'user', 'users')}, ${size(made.size)}.`;
  }));
  const folder = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button' }, 'Choose folder…'));
  folder.addEventListener('click', () => run(folder, async () => {
    const chosen = await api.chooseBackupFolder(false);
    return chosen ? `Backups now go to ${chosen}.` : null;
  }));
  const reset = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button' }, 'Use the default folder'));
  reset.addEventListener('click', () => run(reset, async () => {
    const chosen = await api.chooseBackupFolder(true);
    return chosen ? `Backups now go to ${chosen}.` : null;
  }));
  return h('div', { class: 'stack' }, h('div', { class: 'actions' }, now, folder, reset), working);
}

/**
 * The backups, newest first, each with "Restore…".
 * @param {import('../main.js').Context} ctx
 * @param {import('../api.js').BackupsOverview} overview
 * @param {{root: HTMLElement, show: (message: string | null) => void}} general
 */
function list(ctx, overview, general) {
  if (overview.backups.length === 0) return h('p', { class: 'muted' }, 'No backups yet.');
  const restoring = h('div', { class: 'stack' });
  /** @type {import('../table.js').Column<import('../api.js').BackupInfo>[]} */
  const columns = [
    { label: 'Made', cell: (b) => time(b.manifest.created_at) },
    { label: 'Why', cell: (b) => REASONS[b.manifest.reason] ?? b.manifest.reason },
    { label: 'Size', cell: (b) => size(b.size), class: 'cell-number', headerClass: 'cell-number' },
    { label: 'Users', cell: (b) => count(b.manifest.users), class: 'cell-number', headerClass: 'cell-number' },
    { label: 'Encrypted', cell: (b) => (b.manifest.encrypted ? 'Yes' : 'No') },
    {
      label: 'Restore',
      cell: (b) => h('button', {
        type: 'button',
        class: 'button',
        'aria-label': `Restore ${b.name}`,
        onclick: () => restore(ctx, b, restoring, general),
      }, 'Restore…'),
    },
  ];
  const table = h('table', { class: 'table' },
    h('thead', null, h('tr', null, headerCells(columns))),
    h('tbody', null, overview.backups.map((b) => h('tr', null, rowCells(columns, b)))));
  return h('div', { class: 'stack' }, h('div', { class: 'table-wrap' }, table), restoring);
}

/**
 * Checks the backup, shows what it holds, asks, then restores and starts over
 * (everyone is signed out).
 * @param {import('../main.js').Context} ctx
 * @param {import('../api.js').BackupInfo} backup
 * @param {HTMLElement} panel
 * @param {{root: HTMLElement, show: (message: string | null) => void}} general
 */
async function restore(ctx, backup, panel, general) {
  const { api, signal } = ctx;
  general.show(null);
  replaceChildren(panel, progress('Checking the backup'));
  try {
    const contents = await api.verifyBackup(backup.name);
    if (signal.aborted) return;
    const last = contents.last_event
      ? `${contents.last_event.action} at ${new Date(contents.last_event.at).toLocaleString()}`
      : 'none';
    const holds = `${plural(contents.users, 'user', 'users')}, ${plural(contents.groups, 'group', 'groups')}; newest audit event: ${last}`;
    replaceChildren(panel, h('p', null, `The backup of ${new Date(backup.manifest.created_at).toLocaleString()} holds ${holds}.`));
    const sure = await api.confirm({
      title: 'Restore this backup?',
      message: `The directory will be replaced by this backup (${holds}). `
        + 'Its current state is backed up first. Everyone is signed out afterwards.',
      ok_label: 'Restore',
    });
    if (!sure || signal.aborted) return;
    replaceChildren(panel, progress('Restoring'));
    const restored = await api.restoreBackup(backup.name);
    if (signal.aborted) return;
    await ctx.restart({
      message: `The backup was restored; the state it replaced is kept as ${restored.replaced.name}. Sign in again.`,
    });
  } catch (error) {
    if (signal.aborted) return;
    replaceChildren(panel);
    general.show(api.messageOf(error));
  }
}

/**
 * Sets or clears the passphrase that encrypts new backups.
 * @param {import('../main.js').Context} ctx
 * @param {import('../api.js').BackupsOverview} overview
 * @param {() => void} reload
 */
function passphraseForm(ctx, overview, reload) {
  const { api, signal } = ctx;
  const input = /** @type {HTMLInputElement} */ (h('input', { type: 'password', autocomplete: 'new-password', minlength: '12' }));
  const passphrase = field('Backup passphrase', input, {
    hint: 'At least 12 characters, kept in this computer\'s keychain. Keep it somewhere safe too: without it, encrypted backups cannot be restored.',
  });
  const error = formError();
  const set = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'button' }, 'Set passphrase'));
  const clear = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button' }, 'Clear passphrase'));
  clear.hidden = !overview.encrypted;
  /** @param {string | null} value @param {string} said */
  const save = async (value, said) => {
    error.show(null);
    try {
      await api.setBackupPassphrase(value);
      if (signal.aborted) return;
      input.value = '';
      ctx.say(said);
      reload();
    } catch (failure) {
      if (signal.aborted) return;
      error.show(api.messageOf(failure));
    }
  };
  clear.addEventListener('click', () => save(null, 'The passphrase was cleared: new backups are not encrypted.'));
  return h('form', {
    class: 'stack',
    novalidate: true,
    onsubmit: (/** @type {SubmitEvent} */ event) => {
      event.preventDefault();
      save(input.value, 'The passphrase was set: new backups are encrypted.');
    },
  },
  h('h3', null, 'Encryption'),
  passphrase.root,
  error.root,
  h('div', { class: 'actions' }, set, clear));
}

/**
 * "Save a copy to a file": the whole directory as a backup file of one's own,
 * encrypted when a passphrase is given; it restores like any backup.
 * @param {import('../main.js').Context} ctx
 */
function saveCopy(ctx) {
  const { api, signal } = ctx;
  const error = formError();
  const working = progress('Saving a copy');
  working.hidden = true;
  const input = /** @type {HTMLInputElement} */ (h('input', { type: 'password', autocomplete: 'new-password', minlength: '12' }));
  const passphrase = field('Passphrase for the copy (optional)', input, {
    hint: 'At least 12 characters. Without one the copy is not encrypted: whoever can read the file can read every account.',
  });
  const save = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button' }, 'Save a copy to a file'));
  save.addEventListener('click', async () => {
    error.show(null);
    save.disabled = true;
    working.hidden = false;
    try {
      const { saved } = await api.saveStoreCopy(input.value || null);
      if (signal.aborted) return;
      if (saved) {
        input.value = '';
        ctx.say(`A copy of the directory was saved to ${saved}. Keep it somewhere safe: it holds every account.`);
      }
    } catch (failure) {
      if (signal.aborted) return;
      error.show(api.messageOf(failure));
    } finally {
      save.disabled = false;
      working.hidden = true;
    }
  });
  return h('div', { class: 'stack' }, passphrase.root, h('div', { class: 'actions' }, save), working, error.root);
}

/**
 * "Check the store": the findings, each a sentence; kept counts can be repaired.
 * @param {import('../main.js').Context} ctx
 */
function storeCheck(ctx) {
  const { api, signal } = ctx;
  const results = h('div', { class: 'stack', 'aria-live': 'polite' });
  const check = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button' }, 'Check the store'));
  /** @param {boolean} repair */
  const run = async (repair) => {
    check.disabled = true;
    replaceChildren(results, progress('Checking the store'));
    try {
      const found = await api.checkStore(repair);
      if (signal.aborted) return;
      const repairable = found.findings.some((f) => f.kind === 'kept_count' && !f.repaired);
      const repairButton = h('button', { type: 'button', class: 'button', onclick: () => run(true) }, 'Repair kept counts');
      replaceChildren(results,
        h('p', null, found.summary),
        found.findings.length
          ? h('ul', { class: 'findings' }, found.findings.map((f) => h('li', null, f.repaired ? `Repaired: ${f.message}` : f.message)))
          : null,
        repairable ? h('div', { class: 'actions' }, repairButton) : null);
    } catch (error) {
      if (signal.aborted) return;
      replaceChildren(results, h('p', { class: 'alert alert-error', role: 'alert' }, api.messageOf(error)));
    } finally {
      check.disabled = false;
    }
  };
  check.addEventListener('click', () => run(false));
  return h('div', { class: 'stack' },
    h('h3', null, 'Store check'),
    h('p', { class: 'muted' }, 'Checks the database and Roster\'s own rules: an enabled administrator, no supervisor circles, counts, email addresses and the audit log\'s chain.'),
    h('div', { class: 'actions' }, check),
    results);
}
