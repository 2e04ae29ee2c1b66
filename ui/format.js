// How values read on screen: dates in the person's locale, counts, and the
// words for the domain's codes. One place, so every view says it the same way.

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const fullDateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' });
const numberFormat = new Intl.NumberFormat(undefined);

/**
 * A moment in the person's locale and time zone, e.g. "3 Mar 2025, 14:05".
 *
 * @param {string | null | undefined} iso RFC 3339
 * @param {string} [none] what to show for a missing time
 * @returns {string}
 */
export function dateTime(iso, none = '—') {
  if (!iso) return none;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeFormat.format(date);
}

/**
 * A day in the person's locale, e.g. "3 Mar 2025" (for dense tables).
 *
 * @param {string | null | undefined} iso RFC 3339
 * @param {string} [none]
 * @returns {string}
 */
export function date(iso, none = '—') {
  if (!iso) return none;
  const value = new Date(iso);
  return Number.isNaN(value.getTime()) ? iso : dateFormat.format(value);
}

/** The long form, for a tooltip. @param {string} iso @returns {string} */
export function fullDateTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : fullDateTimeFormat.format(date);
}

/** @param {number} n @returns {string} */
export function count(n) {
  return numberFormat.format(n);
}

/**
 * "1 user", "24 users".
 *
 * @param {number} n
 * @param {string} one
 * @param {string} many
 * @returns {string}
 */
export function plural(n, one, many) {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/**
 * An overview's total: "24 users", or "More than 10,000 users" when the
 * store stopped counting.
 *
 * @param {{count: number, exact: boolean}} total
 * @param {string} one
 * @param {string} many
 * @returns {string}
 */
export function totalOf(total, one, many) {
  return total.exact ? plural(total.count, one, many) : `More than ${count(total.count)} ${many}`;
}

/** "24 users", or "More than 10,000 users". @param {{count: number, exact: boolean}} total */
export function usersTotal(total) {
  return totalOf(total, 'user', 'users');
}

/** "24 clients", or "More than 10,000 clients". @param {{count: number, exact: boolean}} total */
export function clientsTotal(total) {
  return totalOf(total, 'client', 'clients');
}

/** @type {Record<string, string>} */
const STATUS = { enabled: 'Enabled', disabled: 'Disabled', expired: 'Expired' };

/**
 * A user's status as the overview shows it: disabled, else expired (their
 * valid-until day has passed), else enabled.
 * @param {{status: string, expired?: boolean}} user
 * @returns {string}
 */
export function standing(user) {
  return user.status === 'enabled' && user.expired ? 'expired' : user.status;
}

/** @param {string} status @returns {string} */
export function statusLabel(status) {
  return STATUS[status] ?? status;
}

/** The choices of the two-factor method, in the order forms offer them. */
export const TWO_FACTOR_CHOICES = [
  { value: 'off', label: 'Off' },
  { value: 'email_code', label: 'Email code' },
  { value: 'totp', label: 'Authenticator app (TOTP)' },
];

/** @type {Record<string, string>} */
const TWO_FACTOR_SHORT = { off: 'Off', email_code: 'Email code', totp: 'Authenticator app' };

/** @param {string} method @returns {string} */
export function twoFactorLabel(method) {
  return TWO_FACTOR_SHORT[method] ?? method;
}

/** @param {boolean} flag @returns {string} */
export function yesNo(flag) {
  return flag ? 'Yes' : 'No';
}

/** @type {Record<string, string>} */
const ACTIONS = {
  'directory.initialize': 'Set up the directory',
  'directory.initialize_without_two_factor': 'Set up without a second factor',
  'user.create': 'Created',
  'user.update': 'Changed',
  'user.enable': 'Enabled',
  'user.disable': 'Disabled',
  'user.disable_inactive': 'Disabled for inactivity',
  'user.delete': 'Deleted',
  'user.restore': 'Restored',
  'user.purge': 'Deleted permanently',
  'user.reset_password': 'Reset the password',
  'user.sign_in': 'Signed in',
  'user.enrol_totp': 'Set up the authenticator app',
  'user.reset_two_factor': 'Reset two-factor',
  'group.create': 'Created the group',
  'group.update': 'Changed the group',
  'group.delete': 'Deleted the group',
  'settings.audit_archive': 'Archived old audit events',
};

/** An audit action in words, e.g. "user.disable" → "Disabled". @param {string} action */
export function actionLabel(action) {
  return ACTIONS[action] ?? action;
}

/** @type {Record<string, string>} */
const FIELDS = {
  name: 'Name',
  email: 'Email',
  status: 'Status',
  groups: 'Groups',
  supervisor: 'Supervisor',
  must_change_password: 'Must change password',
  mask_client_data: 'Mask client data',
  two_factor: 'Two-factor method',
  valid_until: 'Valid until',
  deleted_at: 'Deleted on',
  description: 'Description',
  permissions: 'Permissions',
};

/** A changed field's name in words. @param {string} field */
export function fieldLabel(field) {
  return FIELDS[field] ?? field.replaceAll('_', ' ');
}

/**
 * A value from an audit change, in words.
 *
 * @param {string} field
 * @param {unknown} value
 * @returns {string}
 */
export function changeValue(field, value) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return yesNo(value);
  if (Array.isArray(value)) return value.length ? value.map((v) => changeValue(field, v)).join(', ') : '—';
  if (field === 'status') return statusLabel(String(value));
  if (field === 'two_factor') return twoFactorLabel(String(value));
  if (field === 'deleted_at') return dateTime(String(value));
  // Events written before the account manager was named by address.
  if (field === 'account_manager' && typeof value === 'number') return `user #${value}`;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
