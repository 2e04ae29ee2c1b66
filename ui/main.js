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
// Each view is a module under views/ exporting `render(root, ctx)`; see
// `Context` for what it gets. Views hide what the operator may not do; Rust
// refuses it anyway.

import * as api from './api.js';
import { h, replaceChildren } from './dom.js';
import { progress } from './widgets.js';
import * as firstRun from './views/first-run.js';
import * as signIn from './views/sign-in.js';
import * as users from './views/users.js';
import * as userForm from './views/user-form.js';
import * as userDetail from './views/user-detail.js';
import * as groups from './views/groups.js';
import * as settingsView from './views/settings.js';
import * as changePassword from './views/change-password.js';
import * as secondFactor from './views/second-factor.js';
import * as totpEnrolment from './views/totp-enrolment.js';
import * as lockScreen from './views/lock.js';

/**
 * What every view receives.
 *
 * @typedef {object} Context
 * @property {typeof api} api the commands
 * @property {import('./api.js').AppStatus} app product, version, store
 * @property {import('./api.js').Me} me the signed-in operator (null before sign-in)
 * @property {(permission: string) => boolean} can whether the operator holds a permission
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
 */

/** @type {Record<string, string>} the window's title for each navigation item */
const NAV_TITLES = { users: 'Users', groups: 'Groups', settings: 'Settings' };

/** @type {{pattern: RegExp, view: {render: (root: HTMLElement, ctx: Context) => void}, params?: string[], nav: string, extra?: Record<string, string>}[]} */
const ROUTES = [
  { pattern: /^\/users$/, view: users, nav: 'users' },
  { pattern: /^\/users\/new$/, view: userForm, nav: 'users', extra: { mode: 'create' } },
  { pattern: /^\/users\/(\d+)$/, view: userDetail, params: ['id'], nav: 'users' },
  { pattern: /^\/users\/(\d+)\/edit$/, view: userForm, params: ['id'], nav: 'users', extra: { mode: 'edit' } },
  { pattern: /^\/groups$/, view: groups, nav: 'groups' },
  { pattern: /^\/groups\/new$/, view: groups, nav: 'groups', extra: { id: 'new' } },
  { pattern: /^\/groups\/(\d+)$/, view: groups, params: ['id'], nav: 'groups' },
  { pattern: /^\/settings$/, view: settingsView, nav: 'settings' },
];

/** The shortcut that locks the screen at once (also on the header's "Lock"). */
const LOCK_SHORTCUT = { label: 'Ctrl+L', aria: 'Control+L' };

/** How often the idle timer looks at the time of the last activity. */
const IDLE_CHECK_MS = 5000;

const elements = {
  app: /** @type {HTMLElement} */ (document.getElementById('app')),
  main: /** @type {HTMLElement} */ (document.getElementById('main')),
  view: /** @type {HTMLElement} */ (document.getElementById('view')),
  flash: /** @type {HTMLElement} */ (document.getElementById('flash')),
  nav: /** @type {HTMLElement} */ (document.getElementById('app-nav')),
  operator: /** @type {HTMLElement} */ (document.getElementById('app-operator')),
};

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
/** @type {"second_factor" | "totp_enrolment" | null} a sign-in stopped halfway, on screen */
let pendingStage = null;
/** @type {{overlay: HTMLElement, controller: AbortController, focus: Element | null, title: string} | null} the lock screen, while shown */
let lock = null;
let idleMinutes = 15;
let lastActivity = Date.now();
let idleTimer = 0;

function say(message) {
  replaceChildren(elements.flash, message ? h('p', { class: 'flash-message' }, message) : null);
}

/** @param {string} permission */
function can(permission) {
  return Boolean(session?.permissions.includes(permission));
}

/** Where to land after sign-in, or on an unknown route. */
function home() {
  if (can('users.view')) return '/users';
  if (can('groups.manage')) return '/groups';
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
  r.view.render(elements.view, context(signal, params));
  // After a route change, start reading (and tabbing) at the new heading.
  if (hadFocusInView || document.activeElement === document.body) {
    const heading = elements.view.querySelector('h1');
    if (heading && !elements.view.contains(document.activeElement)) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
  }
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
}

/**
 * Goes on with a sign-in as its result says: the app, or the step still missing.
 * @param {import('./api.js').SignInResult} result
 */
function continueSignIn(result) {
  if (result.stage === 'second_factor') showSecondFactor();
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
  changePassword.render(elements.view, context(signal));
}

/** The second step of a sign-in: a code from the authenticator app (or a recovery code). */
function showSecondFactor() {
  pendingSignIn('second_factor');
  const signal = freshView('Two-step verification');
  secondFactor.render(elements.view, context(signal));
}

/** Setting up the authenticator app, then the recovery codes, before the app opens. */
function showTotpEnrolment() {
  pendingSignIn('totp_enrolment');
  const signal = freshView('Set up your authenticator app');
  totpEnrolment.render(elements.view, context(signal));
}

/** @param {"second_factor" | "totp_enrolment"} stage */
function pendingSignIn(stage) {
  session = null;
  memory = {};
  changingPassword = false;
  pendingStage = stage;
  stopIdleTimer();
  hideLock();
  hideShell();
  history.replaceState(null, '', location.pathname + location.search);
}

/** @param {string | null} [message] */
function showSignIn(message = null) {
  session = null;
  memory = {};
  changingPassword = false;
  pendingStage = null;
  stopIdleTimer();
  hideLock();
  hideShell();
  history.replaceState(null, '', location.pathname + location.search);
  pendingMessage = message;
  const signal = freshView('Sign in');
  signIn.render(elements.view, context(signal));
}

function showFirstRun() {
  hideShell();
  const signal = freshView('Set up');
  firstRun.render(elements.view, context(signal));
}

async function start() {
  const loading = progress('Starting');
  elements.view.append(loading);
  try {
    app = await api.appStatus();
    document.title = app.name;
    const stage = app.session_state?.stage;
    if (!app.initialized) showFirstRun();
    else if (stage === 'second_factor') showSecondFactor();
    else if (stage === 'totp_enrolment') showTotpEnrolment();
    else if (!app.session) showSignIn();
    else {
      signedIn(app.session, { state: app.session_state });
      if (app.session_state?.locked) showLock();
    }
  } catch (error) {
    replaceChildren(elements.view, h('section', { class: 'panel narrow' },
      h('h1', null, 'Roster cannot start'),
      h('p', { class: 'alert alert-error', role: 'alert' }, api.messageOf(error)),
    ));
  } finally {
    loading.remove();
    elements.main.removeAttribute('aria-busy');
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

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start, { once: true });
} else {
  start();
}
