// Starting up, signing in (with its second factor) and out, the operator's
// own password and second factor, and locking the session.

import { call } from './call.js';

/** @typedef {import('./users.js').User} User */
/** @typedef {import('./users.js').TwoFactor} TwoFactor */
/** @typedef {import('./store.js').Store} Store */

/**
 * @typedef {object} Me
 * @property {User} user the operator
 * @property {string[]} permissions the operator's rights, as grants (see
 *   grants.js): "users.view" for everyone, "users.view:team" for their team
 *
 * @typedef {object} AppStatus
 * @property {string} name product name
 * @property {string} version
 * @property {Store} store where the directory is kept
 * @property {boolean} initialized whether a first administrator exists
 * @property {Me | null} session the signed-in operator, if any
 * @property {SessionState | null} session_state how the session stands, when someone is signed in
 * @property {boolean} mail_configured whether mail can be sent (credentials, email codes, notices)
 *
 * @typedef {object} SessionState
 * @property {SignInStage} [stage] how far the sign-in got ("signed_in" when left out)
 * @property {boolean} locked the lock screen must be passed first
 * @property {boolean} must_change_password only the password change is allowed
 * @property {number} idle_timeout_minutes minutes without activity before the screen locks
 *
 * @typedef {"signed_in" | "second_factor" | "totp_enrolment"} SignInStage
 *
 * @typedef {object} SignInResult
 * @property {SignInStage} stage "signed_in", or what the person must do first
 * @property {Me | null} me the operator once `stage` is "signed_in", otherwise null
 *
 * @typedef {object} TotpEnrolment
 * @property {string} secret the key in base32, for typing by hand
 * @property {string} uri the otpauth:// URI the QR code holds
 * @property {string} qr_svg the QR code, as an SVG document
 *
 * @typedef {object} TotpEnrolled
 * @property {Me} me the operator, now signed in
 * @property {string[]} recovery_codes ten one-time codes, shown only now
 */

/**
 * What the window needs to start: product, store, whether set up, who is signed in.
 * @returns {Promise<AppStatus>}
 */
export function appStatus() {
  return call('app_status');
}

/**
 * Says the first screen is drawn and usable; Rust records it only for the
 * start-up bench (ROSTER_STARTUP_PROBE) and otherwise ignores it.
 * @param {"first-run" | "sign-in" | "other"} screen
 * @returns {Promise<null>}
 */
export function firstScreenDrawn(screen) {
  return call('first_screen_drawn', { screen });
}

/**
 * Creates the first administrator and starts their sign-in: like any
 * sign-in, it goes on with setting up the authenticator app (stage
 * "totp_enrolment") before they are signed in.
 * @param {{name: string, email: string, password: string}} admin
 * @returns {Promise<SignInResult>}
 */
export function initialize({ name, email, password }) {
  return call('initialize', { name, email, password });
}

/**
 * Checks the password; the result says whether a second factor or setting
 * up the authenticator app comes first.
 * @param {{email: string, password: string}} credentials
 * @returns {Promise<SignInResult>}
 */
export function signIn({ email, password }) {
  return call('sign_in', { email, password });
}

/**
 * The second step of a sign-in: a code from the authenticator app or a
 * recovery code (a wrong one counts toward the account's lockout).
 * @param {string} code
 * @returns {Promise<SignInResult>}
 */
export function verifySecondFactor(code) {
  return call('verify_second_factor', { code });
}

/**
 * Emails a new sign-in code (sign-in stage "email_code").
 * @returns {Promise<void>}
 */
export function resendEmailCode() {
  return call('resend_email_code');
}

/**
 * Starts setting up the authenticator app (sign-in stage "totp_enrolment").
 * @returns {Promise<TotpEnrolment>}
 */
export function beginTotpEnrolment() {
  return call('begin_totp_enrolment');
}

/**
 * Ends the set-up with a code the app shows, and signs in.
 * @param {string} code
 * @returns {Promise<TotpEnrolled>}
 */
export function finishTotpEnrolment(code) {
  return call('finish_totp_enrolment', { code });
}

/** @returns {Promise<null>} */
export function signOut() {
  return call('sign_out');
}

/** The signed-in operator and their rights. @returns {Promise<Me>} */
export function me() {
  return call('me');
}

/**
 * Changes the operator's own password; ends a pending forced change.
 * @param {string} current_password
 * @param {string} new_password
 * @returns {Promise<Me>}
 */
export function changePassword(current_password, new_password) {
  return call('change_password', { current_password, new_password });
}

/**
 * Switches off the operator's own second factor, confirmed with their
 * password and a current code from their authenticator app (or a recovery code).
 * @param {string} password
 * @param {string} code
 * @returns {Promise<Me>}
 */
export function turnOffOwnTwoFactor(password, code) {
  return call('turn_off_own_two_factor', { password, code });
}

/** Locks the session now, until `unlockSession`. @returns {Promise<null>} */
export function lockSession() {
  return call('lock_session');
}

/**
 * Unlocks a locked session (a wrong password counts toward the account's lockout).
 * @param {string} password
 * @returns {Promise<Me>}
 */
export function unlockSession(password) {
  return call('unlock_session', { password });
}
