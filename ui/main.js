// Entry point of the window: asks Rust where the app stands (set up? signed
// in?), shows the first-run or sign-in screen or the app shell, and routes
// between the views by the location's hash (#/users, #/users/7/edit, …).
//
// A sign-in may stop halfway (COMMANDS.md, "Two-factor sign-in"): the
// second factor, or setting up the authenticator app, is a screen of its own
// before the session exists; app_status's `stage` resumes it after a reload.
//
// Two session states come before any view (COMMANDS.md, "Session states"):
// a pending password change shows only the change screen; a locked session
// shows the lock screen over the whole window, keeping the view underneath
// (and whatever was typed in it) hidden and inert until the password is
// entered again. The window locks itself after the idle timeout without
// mouse or keyboard activity, or at once with Ctrl+L or the header's "Lock".
//
// The directory may be kept on a PostgreSQL server. If app_status cannot
// open it, the window offers to try again or to go back to the local file.
// While the server is down during use, a banner says so (api.js fires the
// events), until a later command succeeds. Switching the store signs out;
// `restart` then asks app_status afresh, as at start.
//
// Each view is a module under views/ exporting `render(root, ctx)`; see
// `Context` for what it gets. Views hide what the operator may not do; Rust
// refuses it anyway.

import * as api from './api.js';
import { h, replaceChildren } from './dom.js';
import { busy, progress } from './widgets.js';
import { reachIn } from './grants.js';
import * as signIn from './views/sign-in.js';
import * as lockScreen from './views/lock.js';
import { localSignInFields } from './views/local-sign-in.js';

/**
 * What every view receives.
 *
 * @typedef {object} Context
 * @property {typeof api} api the commands
 * @property {import('./api.js').AppStatus} app product, version, store
 * @property {import('./api.js').Me} me the signed-in operator (null before sign-in)
 * @property {(permission: string) => boolean} can whether the operator holds a
 *   permission, for everyone or only for their team
 * @property {(permission: string) => import('./grants.js').Reach | null} reach how
 *   far the operator holds a permission: "all", "team" (themselves and their
 *   reports, direct and indirect), or null
 * @property {(path: string, options?: {message?: string}) => void} navigate
 *   goes to a route, e.g. "/users/7"; `message` is announced on arrival
 * @property {(message: string | null) => void} say shows (and announces) a status message
 * @property {Record<string, string>} params the route's parameters, e.g. `{id: "7"}`
 * @property {AbortSignal} signal aborted when the view is left: pass it to
 *   listeners on document/window, and check it before showing late results
 * @property {Record<string, any>} memory per-session scratch space, e.g. the
 *   overview's filters, kept while one moves between views
 * @property {(me: import('./api.js').Me, options?: {message?: string}) => void} signedIn
 *   for first-run, sign-in and the forced password change
 * @property {(result: import('./api.js').SignInResult) => void} continueSignIn
 *   for sign-in and the second-factor screen: goes where a `{stage, me}` result says
 * @property {() => Promise<void>} refreshMe reloads the operator (after editing oneself)
 * @property {() => Promise<void>} signOut ends the session and shows the sign-in screen
 * @property {(minutes: number) => void} setIdleTimeout after the settings changed it
 * @property {(me: import('./api.js').Me) => void} unlocked for the lock screen, once unlocked
 * @property {(status: import('./api.js').AppStatus) => void} storeChanged after a
 *   command switched the store and returned the new status, without leaving the view
 * @property {(options?: {message?: string}) => Promise<void>} restart after a store
 *   switch (which signs out): forgets the session, asks app_status again and shows
 *   the sign-in or the first run; `message` is announced there
 */

/** @type {Record<string, string>} the window's title for each navigation item */
const NAV_TITLES = { users: 'Users', groups: 'Groups', clients: 'Clients', audit: 'Audit log', settings: 'Settings' };

/**
 * The views behind the app's routes, each loaded when first visited: the
 * sign-in screen draws without parsing them (start-up time, issue 19).
 * @type {Record<string, () => Promise<{render: (root: HTMLElement, ctx: Context) => void}>>}
 */
const VIEWS = {
  users: () => import('./views/users.js'),
  userForm: () => import('./views/user-form.js'),
  userDetail: () => import('./views/user-detail.js'),
  deletedUsers: () => import('./views/deleted-users.js'),
  groups: () => import('./views/groups.js'),
  clients: () => import('./views/clients.js'),
  clientForm: () => import('./views/client-form.js'),
  clientDetail: () => import('./views/client-detail.js'),
  auditView: () => import('./views/audit.js'),
  settingsView: () => import('./views/settings.js'),
};

/**
 * The screens before the app that a start rarely shows, loaded like the
 * routes' views when first shown: the first run, a sign-in's later stages,
 * the forced password change (start-up time, issue 19). The sign-in form
 * (with local-sign-in's fields, which "cannot start" shows too) and the
 * lock screen are imported above: the one is the usual first screen, the
 * other must cover the window at once. No `@type`: each keeps its own
 * module's, and second-factor's `render` takes options.
 */
const STAGE_VIEWS = {
  firstRun: () => import('./views/first-run.js'),
  changePassword: () => import('./views/change-password.js'),
  secondFactor: () => import('./views/second-factor.js'),
  totpEnrolment: () => import('./views/totp-enrolment.js'),
};

/** @type {{pattern: RegExp, view: keyof typeof VIEWS, params?: string[], nav: string, extra?: Record<string, string>}[]} */
const ROUTES = [
  { pattern: /^\/users$/, view: 'users', nav: 'users' },
  { pattern: /^\/users\/new$/, view: 'userForm', nav: 'users', extra: { mode: 'create' } },
  { pattern: /^\/users\/deleted$/, view: 'deletedUsers', nav: 'users' },
  { pattern: /^\/users\/(\d+)$/, view: 'userDetail', params: ['id'], nav: 'users' },
  { pattern: /^\/users\/(\d+)\/edit$/, view: 'userForm', params: ['id'], nav: 'users', extra: { mode: 'edit' } },
  { pattern: /^\/groups$/, view: 'groups', nav: 'groups' },
  { pattern: /^\/groups\/new$/, view: 'groups', nav: 'groups', extra: { id: 'new' } },
  { pattern: /^\/groups\/(\d+)$/, view: 'groups', params: ['id'], nav: 'groups' },
  { pattern: /^\/clients$/, view: 'clients', nav: 'clients' },
  { pattern: /^\/clients\/new$/, view: 'clientForm', nav: 'clients', extra: { mode: 'create' } },
  { pattern: /^\/clients\/(\d+)$/, view: 'clientDetail', params: ['id'], nav: 'clients' },
  { pattern: /^\/clients\/(\d+)\/edit$/, view: 'clientForm', params: ['id'], nav: 'clients', extra: { mode: 'edit' } },
  { pattern: /^\/audit$/, view: 'auditView', nav: 'audit' },
  { pattern: /^\/audit\/person\/(\d+)$/, view: 'auditView', params: ['person'], nav: 'audit' },
  { pattern: /^\/settings$/, view: 'settingsView', nav: 'settings' },
];

/** The shortcut that locks the screen at once (also on the header's "Lock"). */
const LOCK_SHORTCUT = { label: 'Ctrl+L', aria: 'Control+L' };

/** How often the idle timer looks at the time of the last activity. */
const IDLE_CHECK_MS = 5000;

/** Shown at the top of the main area while the directory server cannot be reached. */
const STORE_UNREACHABLE_TEXT = 'Cannot reach the directory server. Roster keeps trying; your last change was not saved.';

const elements = {
  app: /** @type {HTMLElement} */ (document.getElementById('app')),
  main: /** @type {HTMLElement} */ (document.getElementById('main')),
  view: /** @type {HTMLElement} */ (document.getElementById('view')),
  flash: /** @type {HTMLElement} */ (document.getElementById('flash')),
  nav: /** @type {HTMLElement} */ (document.getElementById('app-nav')),
  operator: /** @type {HTMLElement} */ (document.getElementById('app-operator')),
  storeBanner: h('div', { class: 'alert alert-error store-banner', role: 'alert', hidden: true }),
};
elements.main.prepend(elements.storeBanner);
document.getElementById('app-about')?.addEventListener('click', () => {
  import('./views/about.js').then(({ showAbout }) => {
    // A second click while the module was loading finds the box open; a
    // lock that came meanwhile stays on top.
    if (!lock && !document.querySelector('dialog.about[open]')) showAbout(app);
  }, (error) => {
    say(`The About box could not be opened: ${api.messageOf(error)}`);
  });
});

/** @type {import('./api.js').AppStatus | null} */
let app = null;
/** @type {import('./api.js').Me | null} */
let session = null;
/** @type {Record<string, any>} */
let memory = {};
/** @type {AbortController | null} */
let leaving = null;
/** @type {string | null} */
let pendingMessage = null;
/** Whether only the forced password change is on screen. */
let changingPassword = false;
/** @type {"second_factor" | "email_code" | "totp_enrolment" | null} a sign-in stopped halfway, on screen */
let pendingStage = null;
/** @type {{overlay: HTMLElement, controller: AbortController, focus: Element | null, title: string} | null} the lock screen, while shown */
let lock = null;
let idleMinutes = 15;
let lastActivity = Date.now();
let idleTimer = 0;

function say(message) {
  replaceChildren(elements.flash, message ? h('p', { class: 'flash-message' }, message) : null);
}

/**
 * How far the operator holds `permission`; the session's permissions are
 * grants, "users.view" or "users.view:team".
 * @param {string} permission a code, e.g. "users.view"
 * @returns {import('./grants.js').Reach | null}
 */
function reach(permission) {
  return session ? reachIn(session.permissions, permission) : null;
}

/**
 * Whether the operator holds `permission` at all: enough to offer what
 * works within their team (Rust refuses anyone beyond it).
 * @param {string} permission
 */
function can(permission) {
  return reach(permission) !== null;
}

/** Where to land after sign-in, or on an unknown route. */
function home() {
  if (can('users.view')) return '/users';
  if (can('groups.manage')) return '/groups';
  if (can('clients.view')) return '/clients';
  if (can('settings.manage')) return '/settings';
  return '/nothing';
}

/** @param {string} path @param {{message?: string}} [options] */
function navigate(path, options = {}) {
  pendingMessage = options.message ?? null;
  if (location.hash === `#${path}`) route();
  else location.hash = path;
}

/**
 * Starts a fresh view: aborts the previous one's listeners and pending work.
 * @param {string} title shown in the window's title bar
 * @returns {AbortSignal}
 */
function freshView(title) {
  leaving?.abort();
  leaving = new AbortController();
  document.title = title ? `${title} — Roster` : 'Roster';
  say(pendingMessage);
  pendingMessage = null;
  replaceChildren(elements.view);
  return leaving.signal;
}

/** @returns {Context} */
function context(signal, params = {}) {
  return {
    api,
    app: /** @type {import('./api.js').AppStatus} */ (app),
    me: /** @type {import('./api.js').Me} */ (session),
    can,
    reach,
    navigate,
    say,
    params,
    signal,
    memory,
    signedIn,
    continueSignIn,
    refreshMe,
    signOut,
    setIdleTimeout,
    unlocked,
    storeChanged,
    restart,
  };
}

function route() {
  if (!session || changingPassword) return;
  const path = location.hash.replace(/^#/, '') || home();
  const match = ROUTES.map((r) => ({ r, m: r.pattern.exec(path) })).find(({ m }) => m);
  if (!match) {
    if (path === '/nothing') {
      const signal = freshView('');
      markNav('');
      nothingToDo(signal);
      return;
    }
    location.replace(`#${home()}`);
    return;
  }
  const { r, m } = match;
  /** @type {Record<string, string>} */
  const params = { ...(r.extra ?? {}) };
  (r.params ?? []).forEach((name, i) => { params[name] = m[i + 1]; });
  const hadFocusInView = elements.view.contains(document.activeElement);
  const signal = freshView(NAV_TITLES[r.nav] ?? '');
  markNav(r.nav);
  whenLoaded(VIEWS[r.view], signal, (view) => {
    view.render(elements.view, context(signal, params));
    // After a route change, start reading (and tabbing) at the new heading.
    if (hadFocusInView || document.activeElement === document.body) {
      const heading = elements.view.querySelector('h1');
      if (heading && !elements.view.contains(document.activeElement)) {
        heading.tabIndex = -1;
        heading.focus({ preventScroll: true });
      }
    }
  });
}

/**
 * Shows a view's module once it is loaded (a progress bar until then),
 * unless the view was left in the meantime. A module that cannot be loaded,
 * or a view that fails to draw, says so where the view would be; before the
 * app (no session, or the forced password change, without the header's
 * navigation) with "Try again", which starts over from app_status.
 * @template T
 * @param {() => Promise<T>} load
 * @param {AbortSignal} signal the view's (see `freshView`)
 * @param {(view: T) => void} show
 * @returns {Promise<void>} resolved once shown, or once it said why not
 */
function whenLoaded(load, signal, show) {
  const loading = progress('Loading');
  elements.view.append(loading);
  return load().then((view) => {
    loading.remove();
    if (!signal.aborted) show(view);
  }).catch((error) => {
    loading.remove();
    if (signal.aborted) return;
    elements.view.append(h('div', { class: 'alert alert-error', role: 'alert' },
      `This page could not be loaded: ${api.messageOf(error)}`));
    if (!session || changingPassword) {
      elements.view.append(h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'button button-primary', onclick: () => start() }, 'Try again')));
    }
  });
}

/** @param {AbortSignal} signal */
function nothingToDo(signal) {
  if (signal.aborted) return;
  elements.view.append(h('section', { class: 'panel narrow' },
    h('h1', null, 'Nothing to do here'),
    h('p', null, 'Your account has no permission to view users or manage groups. Ask an administrator for access.'),
  ));
}

/** @param {string} current */
function markNav(current) {
  for (const link of elements.nav.querySelectorAll('a')) {
    if (link.dataset.nav === current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

/** Fills the header for the signed-in operator. */
function showShell() {
  replaceChildren(elements.nav,
    can('users.view') ? h('a', { href: '#/users', 'data-nav': 'users' }, 'Users') : null,
    can('groups.manage') ? h('a', { href: '#/groups', 'data-nav': 'groups' }, 'Groups') : null,
    can('clients.view') ? h('a', { href: '#/clients', 'data-nav': 'clients' }, 'Clients') : null,
    can('audit.view') ? h('a', { href: '#/audit', 'data-nav': 'audit' }, 'Audit log') : null,
    can('settings.manage') ? h('a', { href: '#/settings', 'data-nav': 'settings' }, 'Settings') : null,
  );
  elements.nav.hidden = false;
  const lockButton = h('button', {
    type: 'button',
    class: 'button button-quiet',
    title: `Lock the screen (${LOCK_SHORTCUT.label})`,
    'aria-keyshortcuts': LOCK_SHORTCUT.aria,
    onclick: lockNow,
  }, 'Lock');
  const signOutButton = h('button', { type: 'button', class: 'button button-quiet', onclick: signOut }, 'Sign out');
  replaceChildren(elements.operator,
    h('span', { class: 'operator-name', title: session?.user.email ?? '' }, session?.user.name ?? ''),
    lockButton,
    signOutButton,
  );
  elements.operator.hidden = false;
}

function hideShell() {
  elements.nav.hidden = true;
  elements.operator.hidden = true;
  replaceChildren(elements.nav);
  replaceChildren(elements.operator);
}

/**
 * @param {import('./api.js').Me} me
 * @param {{message?: string, state?: import('./api.js').SessionState | null}} [options]
 *   `state`: as app_status reported it (otherwise it is asked for)
 */
function signedIn(me, options = {}) {
  const wasChanging = changingPassword;
  pendingStage = null;
  session = me;
  if (!wasChanging) memory = {};
  changingPassword = false;
  startIdleTimer(options.state);
  if (me.user.must_change_password || options.state?.must_change_password) {
    showPasswordChange();
    return;
  }
  pendingMessage = options.message ?? null;
  showShell();
  const wanted = location.hash.replace(/^#/, '');
  if (!wanted || wanted === '/nothing') {
    // replaceState fires no hashchange, so the view renders once.
    history.replaceState(null, '', `#${home()}`);
  }
  route();
  tellInactivity();
}

/**
 * Tells an administrator, once, how many accounts the inactivity rule
 * disabled since one was last told (Rust decides who hears it).
 */
async function tellInactivity() {
  try {
    const notice = await api.inactivityNotice();
    if (!notice) return;
    say(notice.disabled === 1
      ? '1 account was disabled for inactivity.'
      : `${notice.disabled} accounts were disabled for inactivity.`);
  } catch {
    // Nothing to tell, rather than something wrong.
  }
}

/**
 * Goes on with a sign-in as its result says: the app, or the step still missing.
 * @param {import('./api.js').SignInResult} result
 */
function continueSignIn(result) {
  if (result.stage === 'second_factor') showSecondFactor();
  else if (result.stage === 'email_code') showSecondFactor('email_code');
  else if (result.stage === 'totp_enrolment') showTotpEnrolment();
  else if (result.me) signedIn(result.me);
  else showSignIn('Something went wrong. Sign in again.');
}

async function refreshMe() {
  try {
    session = await api.me();
    showShell();
    markNav(location.hash.replace(/^#\//, '').split('/')[0]);
  } catch {
    // A failure here shows up on the next command anyway.
  }
}

async function signOut() {
  try {
    await api.signOut();
  } catch (error) {
    if (error?.code !== 'not_signed_in') {
      say(api.messageOf(error));
      return;
    }
  }
  showSignIn('You are signed out.');
}

/** Only the forced password change: no navigation, no other view. */
function showPasswordChange() {
  changingPassword = true;
  hideShell();
  const signal = freshView('Change your password');
  whenLoaded(STAGE_VIEWS.changePassword, signal, (view) => view.render(elements.view, context(signal)));
}

/**
 * The second step of a sign-in: a code from the authenticator app (or a
 * recovery code), or the code just sent by email.
 * @param {"second_factor" | "email_code"} [stage]
 */
function showSecondFactor(stage = 'second_factor') {
  pendingSignIn(stage);
  const signal = freshView('Two-step verification');
  whenLoaded(STAGE_VIEWS.secondFactor, signal, (view) => {
    view.render(elements.view, context(signal), { byEmail: stage === 'email_code' });
  });
}

/** Setting up the authenticator app, then the recovery codes, before the app opens. */
function showTotpEnrolment() {
  pendingSignIn('totp_enrolment');
  const signal = freshView('Set up your authenticator app');
  whenLoaded(STAGE_VIEWS.totpEnrolment, signal, (view) => view.render(elements.view, context(signal)));
}

/** @param {"second_factor" | "email_code" | "totp_enrolment"} stage */
function pendingSignIn(stage) {
  forgetSession();
  pendingStage = stage;
}

/** Leaves no trace of a session: no operator, no shell, no lock, no route. */
function forgetSession() {
  session = null;
  memory = {};
  changingPassword = false;
  pendingStage = null;
  stopIdleTimer();
  hideLock();
  hideShell();
  hideStoreBanner();
  history.replaceState(null, '', location.pathname + location.search);
}

/** @param {string | null} [message] */
function showSignIn(message = null) {
  forgetSession();
  pendingMessage = message;
  const signal = freshView('Sign in');
  signIn.render(elements.view, context(signal));
}

/**
 * @param {string | null} [message]
 * @returns {Promise<void>} settled once the first run is shown (or cannot be)
 */
function showFirstRun(message = null) {
  forgetSession();
  pendingMessage = message;
  const signal = freshView('Set up');
  return whenLoaded(STAGE_VIEWS.firstRun, signal, (view) => view.render(elements.view, context(signal)));
}

/**
 * Asks Rust where the app stands and shows the screen for it: at start,
 * after a store switch, and on "Try again".
 * @param {{message?: string | null, retry?: boolean}} [options] `message` is
 *   announced on the screen shown; `retry`: the person asked to try again
 */
async function start(options = {}) {
  const message = options.message ?? null;
  // The view of before (a settings page, the failure) must not answer late.
  leaving?.abort();
  const loading = progress('Starting');
  replaceChildren(elements.view, loading);
  elements.main.setAttribute('aria-busy', 'true');
  try {
    app = await api.appStatus();
    document.title = app.name;
    const stage = app.session_state?.stage;
    if (!app.initialized) {
      await showFirstRun(message);
      tellFirstScreen('first-run');
    } else if (stage === 'second_factor') showSecondFactor();
    else if (stage === 'email_code') showSecondFactor('email_code');
    else if (stage === 'totp_enrolment') showTotpEnrolment();
    else if (!app.session) {
      showSignIn(message);
      tellFirstScreen('sign-in');
    } else {
      signedIn(app.session, { state: app.session_state, message: message ?? undefined });
      if (app.session_state?.locked) showLock();
    }
    tellFirstScreen('other');
  } catch (error) {
    cannotStart(error, Boolean(options.retry));
  } finally {
    loading.remove();
    elements.main.removeAttribute('aria-busy');
  }
}

/** Whether the first screen was told to Rust already. */
let firstScreenTold = false;

/**
 * Tells Rust, once per window, that the first screen is drawn and usable:
 * after two animation frames, so the frame holding the form has been
 * painted. Rust records it only for the start-up bench (`cargo xtask bench`).
 * @param {"first-run" | "sign-in" | "other"} screen
 */
function tellFirstScreen(screen) {
  if (firstScreenTold) return;
  firstScreenTold = true;
  requestAnimationFrame(() => requestAnimationFrame(() => {
    api.firstScreenDrawn(screen).catch(() => {});
  }));
}

/**
 * The directory cannot be opened. A server that cannot be reached may come
 * back ("Try again"), or this computer may go back to its local file.
 * @param {unknown} error
 * @param {boolean} retried whether "Try again" led here (its button gets the focus back)
 */
function cannotStart(error, retried) {
  forgetSession();
  document.title = 'Roster';
  const code = error && typeof error === 'object' ? error.code : null;
  const storeTrouble = code === 'store_unreachable' || code === 'store_unavailable';
  const alert = h('p', { class: 'alert alert-error', role: 'alert' }, api.messageOf(error));
  const retry = /** @type {HTMLButtonElement} */ (h('button', {
    type: 'button', class: 'button button-primary', onclick: () => start({ retry: true }),
  }, 'Try again'));
  const useLocal = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'button', onclick: onUseLocal }, 'Use the local store instead'));
  // Asked for once Rust says the local directory wants a sign-in.
  const local = localSignInFields();
  local.root.hidden = true;
  replaceChildren(elements.view, h('div', { class: 'centered' }, h('section', { class: 'panel narrow stack' },
    h('h1', null, 'Roster cannot start'),
    alert,
    storeTrouble ? local.root : null,
    storeTrouble ? h('div', { class: 'actions' }, retry, useLocal) : null,
  )));
  if (retried && storeTrouble) retry.focus();

  async function onUseLocal() {
    const typed = local.root.hidden ? null : local.value();
    try {
      await busy(useLocal, () => api.useLocalStore(typed));
    } catch (failure) {
      local.clear();
      alert.textContent = api.messageOf(failure);
      const asked = failure && typeof failure === 'object' ? failure.code : null;
      if (asked === 'local_sign_in_required' || asked === 'code_required') local.root.hidden = false;
      useLocal.focus();
      return;
    }
    local.clear();
    start({ message: 'Switched to the local store on this computer.' });
  }
}

/** @param {{message?: string}} [options] */
function restart(options = {}) {
  forgetSession();
  return start(options);
}

/** @param {import('./api.js').AppStatus} status */
function storeChanged(status) {
  app = status;
}

// --- The directory server out of reach -----------------------------------------

function showStoreBanner() {
  replaceChildren(elements.storeBanner,
    h('span', null, STORE_UNREACHABLE_TEXT),
    h('span', { class: 'spacer' }),
    h('button', { type: 'button', class: 'button', onclick: dismissStoreBanner }, 'Dismiss'),
  );
  elements.storeBanner.hidden = false;
}

function hideStoreBanner() {
  elements.storeBanner.hidden = true;
  replaceChildren(elements.storeBanner);
}

/** Closed by hand: the focus goes on where the view starts, not to the page's top. */
function dismissStoreBanner() {
  const hadFocus = elements.storeBanner.contains(document.activeElement);
  hideStoreBanner();
  const heading = elements.view.querySelector('h1');
  if (hadFocus && heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}

// --- Lock screen and idle timer -----------------------------------------------

/**
 * Shows the lock screen over everything; the app underneath stays as it is,
 * hidden and `inert` (out of reach of keyboard, mouse and screen readers).
 */
function showLock() {
  if (!session || lock) return;
  const overlay = h('div', {
    class: 'lock-screen', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'lock-heading',
  });
  const controller = new AbortController();
  lock = { overlay, controller, focus: document.activeElement, title: document.title };
  elements.app.inert = true;
  document.body.append(overlay);
  document.title = 'Locked — Roster';
  lockScreen.render(overlay, context(controller.signal));
}

/**
 * Removes the lock screen (if shown) without touching the app underneath.
 * @returns {Element | null} what had the focus when it locked
 */
function hideLock() {
  if (!lock) return null;
  const { overlay, controller, focus, title } = lock;
  lock = null;
  controller.abort();
  for (const input of overlay.querySelectorAll('input')) input.value = '';
  overlay.remove();
  elements.app.inert = false;
  document.title = title;
  return focus;
}

/** @param {import('./api.js').Me} me */
function unlocked(me) {
  session = me;
  lastActivity = Date.now();
  const focus = hideLock();
  if (focus instanceof HTMLElement && focus.isConnected && focus !== document.body) {
    focus.focus({ preventScroll: true });
  } else {
    // Locked before the view underneath was drawn (its module was still
    // loading, as at a start that finds the session locked and a password
    // change due): its first field, as the view itself would have.
    /** @type {HTMLElement | null} */ (elements.view.querySelector('input:not([type=hidden]), select, textarea'))
      ?.focus({ preventScroll: true });
  }
}

/** Locks now: the idle timer, Ctrl+L or the header's "Lock". */
async function lockNow() {
  if (!session || lock) return;
  showLock();
  try {
    await api.lockSession();
  } catch {
    // The lock screen is up anyway; not_signed_in already showed the sign-in.
  }
}

/** @param {number} minutes */
function setIdleTimeout(minutes) {
  if (Number.isFinite(minutes) && minutes > 0) idleMinutes = minutes;
}

/**
 * Starts watching for inactivity, with the timeout app_status reported (or asks for it).
 * @param {import('./api.js').SessionState | null} [state]
 */
function startIdleTimer(state) {
  lastActivity = Date.now();
  if (state) setIdleTimeout(state.idle_timeout_minutes);
  else {
    api.appStatus()
      .then((status) => { if (status.session_state) setIdleTimeout(status.session_state.idle_timeout_minutes); })
      .catch(() => { /* the default stays */ });
  }
  if (!idleTimer) {
    idleTimer = window.setInterval(() => {
      if (session && !lock && Date.now() - lastActivity >= idleMinutes * 60_000) lockNow();
    }, IDLE_CHECK_MS);
  }
}

function stopIdleTimer() {
  clearInterval(idleTimer);
  idleTimer = 0;
}

for (const type of ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart']) {
  window.addEventListener(type, () => { lastActivity = Date.now(); }, { passive: true, capture: true });
}

window.addEventListener('keydown', (event) => {
  const shortcut = (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey
    && event.key.toLowerCase() === 'l';
  if (!shortcut || !session || lock) return;
  event.preventDefault();
  lockNow();
});

window.addEventListener('hashchange', () => route());
window.addEventListener(api.SIGNED_OUT_EVENT, () => {
  if (session || pendingStage) showSignIn('Your session has ended. Sign in again to continue.');
});
window.addEventListener(api.LOCKED_EVENT, () => showLock());
window.addEventListener(api.PASSWORD_CHANGE_EVENT, () => {
  if (session && !changingPassword) showPasswordChange();
});
// Only during use: before sign-in the form that failed says it already.
window.addEventListener(api.STORE_UNREACHABLE_EVENT, () => {
  if (session) showStoreBanner();
});
window.addEventListener(api.STORE_OK_EVENT, () => hideStoreBanner());

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', () => start(), { once: true });
} else {
  start();
}
