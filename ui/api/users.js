// Users: the overview, one user, the forms and the actions on one user.

import { call } from './call.js';

/** @typedef {import('./handover.js').WithCredentials} WithCredentials */

/**
 * @typedef {"enabled" | "disabled"} Status
 *
 * @typedef {"off" | "email_code" | "totp"} TwoFactor
 *
 * @typedef {object} GroupRef
 * @property {number} id
 * @property {string} name
 *
 * @typedef {object} PersonRef
 * @property {number} id
 * @property {string} name
 * @property {string} email
 *
 * @typedef {object} User
 * @property {number} id
 * @property {string} name
 * @property {string} email
 * @property {Status} status
 * @property {GroupRef[]} groups
 * @property {PersonRef | null} supervisor
 * @property {boolean} must_change_password
 * @property {boolean} mask_client_data
 * @property {TwoFactor} two_factor
 * @property {string} created_at RFC 3339, UTC
 * @property {string} updated_at RFC 3339, UTC
 * @property {string | null} last_sign_in_at RFC 3339, UTC
 * @property {number} failed_sign_ins
 * @property {string | null} locked_until RFC 3339, UTC
 * @property {string} password_changed_at RFC 3339, UTC: when the password was last set
 * @property {string | null} valid_until the last day the account may sign in on, YYYY-MM-DD (UTC)
 * @property {boolean} expired the valid-until day had passed when read
 * @property {number} version
 *
 * @typedef {"never_signed_in" | "password_older_than_year" | "locked" | "failed_sign_ins"} FactFilter
 *
 * @typedef {object} UserPage
 * @property {User[]} users
 * @property {{count: number, exact: boolean}} total `exact: false` means "more than count"
 * @property {boolean} counting `total` is a lower bound read quickly; countUsers counts it in full
 * @property {string | null} next cursor of the following page, or null on the last
 *
 * @typedef {object} UserQuery
 * @property {string} [search]
 * @property {Status | "expired"} [status]
 * @property {number} [group_id]
 * @property {number} [supervisor_id]
 * @property {FactFilter} [facts]
 * @property {"name" | "email" | "created" | "last_sign_in" | "password_changed" | "failed_sign_ins"} [sort]
 * @property {"asc" | "desc"} [direction]
 * @property {number} [limit]
 * @property {string} [after] the `next` cursor of the previous page
 *
 * @typedef {object} NewUser
 * @property {string} name
 * @property {string} email
 * @property {number[]} group_ids
 * @property {number | null} supervisor_id
 * @property {Status} status
 * @property {string} password
 * @property {boolean} must_change_password
 * @property {boolean} mask_client_data
 * @property {TwoFactor | null} two_factor null: the default from settings
 * @property {string | null} valid_until YYYY-MM-DD, or null for no end
 *
 * @typedef {object} UserChanges
 * @property {number} version the version the form was filled from
 * @property {string} name
 * @property {string} email
 * @property {number[]} group_ids
 * @property {number | null} supervisor_id
 * @property {boolean} must_change_password
 * @property {boolean} mask_client_data
 * @property {TwoFactor} two_factor
 * @property {string | null} valid_until YYYY-MM-DD, or null for no end
 *
 * @typedef {object} AdministratorsWithoutSecondFactor
 * @property {number} count
 * @property {PersonRef[] | null} administrators who, when the operator may view users
 *
 * @typedef {object} FieldChange
 * @property {string} field
 * @property {unknown} before
 * @property {unknown} after
 *
 * @typedef {object} AuditEvent
 * @property {number} id
 * @property {string} at RFC 3339, UTC
 * @property {number | null} operator
 * @property {string} operator_label
 * @property {string} action e.g. "user.update"
 * @property {string} target_kind
 * @property {number | null} target_id
 * @property {string} target_label
 * @property {FieldChange[]} changes
 */

/**
 * One page of the users overview (keyset paging: pass the previous page's `next` as `after`).
 * @param {UserQuery} [query]
 * @returns {Promise<UserPage>}
 */
export function listUsers(query = {}) {
  return call('list_users', { query });
}

/**
 * The total of a query's users counted in full (up to the overview's cap),
 * for a page whose `counting` said only "more than" a number read quickly.
 * @param {UserQuery} query
 * @returns {Promise<{count: number, exact: boolean}>}
 */
export function countUsers(query) {
  return call('count_users', { query });
}

/**
 * What the operator may do to one user: each right held for everyone, or
 * for a team that holds them (the core still checks each action).
 * @typedef {object} UserRights
 * @property {boolean} edit
 * @property {boolean} disable
 * @property {boolean} credentials reset the password or two-factor, unlock
 * @property {boolean} delete
 *
 * @typedef {User & {rights: UserRights}} UserDetail
 */

/** @param {number} id @returns {Promise<UserDetail>} */
export function getUser(id) {
  return call('get_user', { id });
}

/**
 * Whether no user (other than `except_id`) has this email, ignoring case.
 * @param {string} email
 * @param {number | null} [except_id] the user being edited
 * @returns {Promise<boolean>}
 */
export function emailAvailable(email, except_id = null) {
  return call('email_available', { email, except_id });
}

/**
 * Creates a user; with `send_credentials`, emails them their password
 * (`mail_not_configured` without a mail server; a failed send leaves the
 * user created and says why in `delivery`).
 * @param {NewUser} user
 * @param {boolean} [send_credentials]
 * @returns {Promise<WithCredentials>}
 */
export function createUser(user, send_credentials = false) {
  return call('create_user', { user, send_credentials });
}

/**
 * Saves a user's fields; refused with `changed_by_someone_else` when `user.version` is stale.
 * @param {number} id
 * @param {UserChanges} user
 * @returns {Promise<User>}
 */
export function updateUser(id, user) {
  return call('update_user', { id, user });
}

/**
 * @param {number} id
 * @param {Status} status
 * @param {number} version
 * @returns {Promise<User>}
 */
export function setUserStatus(id, status, version) {
  return call('set_user_status', { id, status, version });
}

/** @param {number} id @param {number} version @returns {Promise<null>} */
export function deleteUser(id, version) {
  return call('delete_user', { id, version });
}

/**
 * Sets a new password; with `send_credentials`, emails it (as `createUser`).
 * @param {number} id
 * @param {string} password
 * @param {boolean} must_change_password
 * @param {boolean} [send_credentials]
 * @returns {Promise<WithCredentials>}
 */
export function resetPassword(id, password, must_change_password, send_credentials = false) {
  return call('reset_password', { id, password, must_change_password, send_credentials });
}

/**
 * Clears a user's failed sign-ins and lock (needs `users.credentials`).
 * @param {number} id
 * @returns {Promise<User>}
 */
export function unlockUser(id) {
  return call('unlock_user', { id });
}

/**
 * Makes a user set up their authenticator app again at their next sign-in
 * (needs `users.credentials`).
 * @param {number} id
 * @returns {Promise<User>}
 */
export function resetTwoFactor(id) {
  return call('reset_two_factor', { id });
}

/**
 * Enabled administrators who sign in without a second factor (needs
 * `users.view` or `settings.manage`; `administrators` is null without
 * `users.view`).
 * @returns {Promise<AdministratorsWithoutSecondFactor>}
 */
export function administratorsWithoutSecondFactor() {
  return call('administrators_without_second_factor');
}

/**
 * How many accounts the inactivity rule disabled since an administrator
 * was last told; asking tells, so the notice shows once (null: nothing to
 * tell, or not an administrator).
 * @returns {Promise<{disabled: number} | null>}
 */
export function inactivityNotice() {
  return call('inactivity_notice');
}

/**
 * The newest audit events about one user (needs `audit.view`).
 * @param {number} id
 * @param {number} [limit]
 * @returns {Promise<AuditEvent[]>}
 */
export function userAudit(id, limit) {
  return call('user_audit', limit === undefined ? { id } : { id, limit });
}

/**
 * @typedef {object} DeletedUser
 * @property {number} id
 * @property {string} name
 * @property {string} email
 * @property {string[]} groups the names of their groups that still exist
 * @property {number} missing_groups how many of their groups are gone
 * @property {string} deleted_at RFC 3339, UTC
 * @property {string} deleted_by the operator, as the audit log names them
 * @property {string} purge_at RFC 3339, UTC: purged then unless restored
 *
 * @typedef {object} DeletedUsersPage
 * @property {DeletedUser[]} users
 * @property {number} total
 * @property {string | null} next cursor of the following page
 * @property {number} keep_days the setting; 0: deleted users are not kept
 */

/**
 * The recycle bin, newest deletion first.
 * @param {{after?: string, limit?: number}} [paging]
 * @returns {Promise<DeletedUsersPage>}
 */
export function deletedUsers(paging = {}) {
  return call('deleted_users', { after: paging.after ?? null, limit: paging.limit ?? null });
}

/**
 * Brings a deleted user back; with `without_supervisor`, without the
 * supervisor who no longer exists.
 * @param {number} id @param {boolean} [without_supervisor]
 * @returns {Promise<User>}
 */
export function restoreUser(id, without_supervisor = false) {
  return call('restore_user', { id, without_supervisor });
}

/** @param {number} id @returns {Promise<null>} */
export function purgeDeletedUser(id) {
  return call('purge_deleted_user', { id });
}
