// Importing users from a spreadsheet (CSV or XLSX), shown above the users
// overview.
//
// Three steps in one panel. A check (a dry run) of the file chosen in the
// native open dialog lists every problem as "Line N, column C: message";
// the person fixes the file and checks it again (Rust remembers which file).
// A file without problems is imported with a progress bar (rows done, time
// left) and Cancel, which writes nothing. The result names how many users
// were created and which credentials emails failed; the generated passwords
// stay in Rust and are saved from there as a credentials sheet through the
// native save dialog, never shown here.

import { h, replaceChildren, uid } from '../dom.js';
import { count, plural } from '../format.js';
import { busy, checkbox, field } from '../widgets.js';

/** The file formats Rust writes, as `<select>` options. */
export const FORMATS = [
  { value: 'csv', label: 'CSV' },
  { value: 'xlsx', label: 'Excel workbook (XLSX)' },
];

/**
 * A labelled choice of file format.
 *
 * @param {string} label
 * @returns {{root: HTMLElement, value: () => import('../api.js').SheetFormat}}
 */
export function formatChoice(label = 'File format') {
  const select = /** @type {HTMLSelectElement} */ (h('select', null,
    FORMATS.map((f) => h('option', { value: f.value }, f.label))));
  const f = field(label, select, { class: 'field-compact' });
  return { root: f.root, value: () => /** @type {import('../api.js').SheetFormat} */ (select.value) };
}

/**
 * "Line 3, column email: …", or "Line 3: …" for a problem with no one cell.
 * @param {import('../api.js').CellError} error
 */
export function problemText(error) {
  return error.column
    ? `Line ${error.line}, column ${error.column}: ${error.message}`
    : `Line ${error.line}: ${error.message}`;
}

/**
 * "about 12 s left", "about 3 min left"; empty until a rate is known.
 * @param {number} seconds
 */
export function timeLeft(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))} s left`;
  return `about ${Math.round(seconds / 60)} min left`;
}

/**
 * Starts an import in `slot`: the open dialog, then the check's report.
 *
 * @param {object} options
 * @param {HTMLElement} options.slot where the panel goes (emptied when it closes)
 * @param {HTMLButtonElement} options.button "Import users…", busy while the dialog is open, focused on close
 * @param {import('../main.js').Context} options.ctx
 * @param {(error: unknown) => void} options.showError a failure before any panel is shown
 * @param {() => void} options.onImported users were created: reload the list
 */
export async function startImport({ slot, button, ctx, showError, onImported }) {
  const { api, signal } = ctx;
  try {
    const result = await busy(button, () => api.importUsers({ dry_run: true }));
    if (signal.aborted || !result.file || !result.report) return;
    showCheck(result.file, result.report);
  } catch (error) {
    if (!signal.aborted) showError(error);
  }

  function close() {
    replaceChildren(slot);
    button.focus();
  }

  /**
   * The check's report; with no problem, the way to import.
   * @param {string} file
   * @param {import('../api.js').UserImportReport} report
   */
  function showCheck(file, report) {
    const headingId = uid('users-import');
    const { rows, errors } = report;
    const problems = errors.length + (report.more_errors ?? 0);
    const importable = problems ? 0 : rows;
    const problem = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
    const mail = ctx.app.mail_configured
      ? checkbox('Email each new user their password', {
        hint: 'Users whose email cannot be sent are listed afterwards; their passwords go on the credentials sheet.',
      })
      : null;
    const run = importable > 0
      ? /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button button-primary', onclick: runImport },
        `Import ${plural(importable, 'user', 'users')}`))
      : null;
    const again = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', onclick: checkAgain }, 'Check again'));
    const other = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', onclick: chooseOther }, 'Choose another file…'));
    const cancel = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', onclick: close }, 'Cancel'));
    const bar = /** @type {HTMLProgressElement} */ (h('progress', { class: 'import-progress', max: '1', value: '0', 'aria-label': 'Import progress', hidden: true }));
    const status = h('p', { class: 'hint import-status', 'aria-live': 'polite', hidden: true });
    const stop = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', hidden: true, onclick: stopImport }, 'Cancel import'));

    const panel = h('section', { class: 'panel stack import-panel', 'aria-labelledby': headingId },
      h('h2', { id: headingId }, 'Import users'),
      h('p', { class: 'path' }, file),
      h('p', { class: 'import-summary' }, `${plural(rows, 'row', 'rows')}, ${plural(problems, 'problem', 'problems')}`),
      errors.length
        ? h('ul', { class: 'import-errors', 'aria-label': 'Import problems' }, errors.map((e) => h('li', null, problemText(e))))
        : null,
      report.more_errors
        ? h('p', { class: 'hint' }, `…and ${plural(report.more_errors, 'more problem', 'more problems')} after these.`)
        : null,
      problems
        ? h('p', { class: 'hint' }, 'Nothing is imported while a line has a problem: fix the file, save it, then check it again.')
        : null,
      rows === 0 && !problems ? h('p', { class: 'hint' }, 'The file holds no users.') : null,
      importable > 0 ? mail?.root : null,
      h('div', { class: 'import-run' }, bar, status, stop),
      problem,
      h('div', { class: 'actions' }, run, again, other, cancel),
    );
    replaceChildren(slot, panel);
    (run ?? again).focus();

    /** @param {unknown} error */
    function showProblem(error) {
      replaceChildren(problem, h('span', null, api.messageOf(error)));
      problem.hidden = false;
    }

    async function checkAgain() {
      problem.hidden = true;
      try {
        const result = await busy(again, () => api.importUsers({ dry_run: true, use_last_file: true }));
        if (signal.aborted || !result.file || !result.report) return;
        showCheck(result.file, result.report);
      } catch (error) {
        if (!signal.aborted) showProblem(error);
      }
    }

    async function chooseOther() {
      problem.hidden = true;
      try {
        const result = await busy(other, () => api.importUsers({ dry_run: true }));
        if (signal.aborted || !result.file || !result.report) return;
        showCheck(result.file, result.report);
      } catch (error) {
        if (!signal.aborted) showProblem(error);
      }
    }

    async function stopImport() {
      stop.disabled = true;
      status.textContent = 'Cancelling…';
      try {
        await api.cancelUsersImport();
      } catch (error) {
        if (!signal.aborted) showProblem(error);
      }
    }

    async function runImport() {
      if (!run) return;
      problem.hidden = true;
      const started = performance.now();
      bar.hidden = false;
      bar.value = 0;
      status.hidden = false;
      status.textContent = 'Importing…';
      stop.hidden = false;
      stop.disabled = false;
      for (const b of [again, other, cancel]) b.disabled = true;
      if (mail) mail.input.disabled = true;
      try {
        const result = await busy(run, () => api.importUsers({
          dry_run: false,
          use_last_file: true,
          send_credentials: Boolean(mail?.input.checked),
          // Rust counts its steps (checking, making passwords, writing);
          // the person sees them as the file's rows.
          onProgress: ({ done, total }) => {
            if (signal.aborted) return;
            bar.max = Math.max(total, 1);
            bar.value = done;
            const share = done / Math.max(total, 1);
            const seconds = (performance.now() - started) / 1000;
            const left = done > 0 && done < total ? timeLeft((seconds * (1 - share)) / share) : '';
            const rowsDone = Math.floor(share * rows);
            status.textContent = [`${count(rowsDone)} of ${plural(rows, 'row', 'rows')} done`, left].filter(Boolean).join(' · ');
          },
        }));
        if (signal.aborted || !result.file || !result.report) return;
        if (result.report.errors.length || result.report.more_errors) {
          // The file changed since its check: nothing was imported.
          showCheck(result.file, result.report);
          return;
        }
        onImported();
        showResult(result.report, result.credentials);
      } catch (error) {
        if (signal.aborted) return;
        bar.hidden = true;
        status.hidden = true;
        stop.hidden = true;
        showProblem(error);
      } finally {
        for (const b of [again, other, cancel]) b.disabled = false;
        if (mail) mail.input.disabled = false;
      }
    }
  }

  /**
   * What the import did, and the credentials sheet to save.
   * @param {import('../api.js').UserImportReport} report
   * @param {number} held the passwords Rust holds
   */
  function showResult(report, held) {
    const headingId = uid('users-imported');
    let unsaved = held > 0;
    const saved = h('p', { class: 'ok', role: 'status' });
    const problem = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
    const format = formatChoice('Sheet format');
    const save = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button button-primary', onclick: saveSheet }, 'Save credentials sheet…'));
    const done = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: ['button', !unsaved && 'button-primary'], onclick: finish }, 'Done'));
    const panel = h('section', { class: 'panel stack import-panel', 'aria-labelledby': headingId },
      h('h2', { id: headingId }, 'Users imported'),
      h('p', { class: 'import-summary' }, `Created ${plural(report.created, 'user', 'users')}.`),
      report.failed_deliveries.length
        ? [
          h('p', null, `${plural(report.failed_deliveries.length, 'credentials email', 'credentials emails')} could not be sent:`),
          h('ul', { class: 'import-errors', 'aria-label': 'Emails not sent' },
            report.failed_deliveries.map((d) => h('li', null, `${d.email}: ${d.reason}`))),
        ]
        : null,
      held > 0
        ? [
          h('p', null, `The passwords of ${plural(held, 'user', 'users')} are on the credentials sheet. Save it now: it is not shown again.`),
          h('div', { class: 'row' }, format.root, save),
        ]
        : null,
      saved,
      problem,
      h('div', { class: 'actions' }, done),
    );
    replaceChildren(slot, panel);
    (held > 0 ? save : done).focus();

    async function saveSheet() {
      problem.hidden = true;
      try {
        const result = await busy(save, () => api.saveImportCredentials(format.value()));
        if (signal.aborted || !result.saved) return;
        unsaved = false;
        saved.textContent = `Credentials sheet saved to ${result.saved}.`;
        save.disabled = true;
        done.classList.add('button-primary');
        done.focus();
      } catch (error) {
        if (signal.aborted) return;
        replaceChildren(problem, h('span', null, api.messageOf(error)));
        problem.hidden = false;
      }
    }

    async function finish() {
      if (unsaved) {
        const forget = await api.confirm({
          title: 'Forget the passwords?',
          message: 'The credentials sheet was not saved. Its passwords cannot be shown again.',
          ok_label: 'Forget passwords',
        }).catch(() => false);
        if (!forget || signal.aborted) return;
        await api.discardImportCredentials().catch(() => null);
      }
      close();
    }
  }
}
