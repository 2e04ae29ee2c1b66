// Grants: a permission and how far it reaches, as Rust writes them in a
// group's permissions and in the session's. "users.view" reaches everyone;
// "users.view:team" reaches only the holder's team: themselves and the
// people who report to them, directly or through others. Only the
// catalogue's `scopable` rights (on users and on clients) can be held for a
// team; a client is in the team when their account manager is.

/**
 * How far a permission reaches: everyone, or the holder's team.
 * @typedef {"all" | "team"} Reach
 */

/**
 * Reads a grant as Rust writes it.
 * @param {string} grant e.g. "users.edit" or "users.edit:team"
 * @returns {{code: string, reach: Reach}}
 */
export function parseGrant(grant) {
  const [code, scope] = grant.split(':');
  return { code, reach: scope === 'team' ? 'team' : 'all' };
}

/**
 * Writes a grant as Rust reads it.
 * @param {string} code e.g. "users.edit"
 * @param {Reach} reach
 * @returns {string}
 */
export function grantOf(code, reach) {
  return reach === 'team' ? `${code}:team` : code;
}

/**
 * How far `grants` hold the permission `code` (the wider reach if it comes
 * twice), or null when they do not hold it.
 * @param {string[]} grants
 * @param {string} code
 * @returns {Reach | null}
 */
export function reachIn(grants, code) {
  /** @type {Reach | null} */
  let widest = null;
  for (const grant of grants) {
    const { code: held, reach } = parseGrant(grant);
    if (held !== code) continue;
    if (reach === 'all') return 'all';
    widest = reach;
  }
  return widest;
}

/**
 * Whether a permission held as far as `held` covers `wanted`: everyone
 * covers a team, a team covers only a team, and nothing covers nothing.
 * @param {Reach | null} held
 * @param {Reach} wanted
 * @returns {boolean}
 */
export function covers(held, wanted) {
  return held === 'all' || (held === 'team' && wanted === 'team');
}
