// Groups and the permission catalogue.

import { call } from './call.js';

/**
 * @typedef {object} Group
 * @property {number} id
 * @property {string} name
 * @property {string} description
 * @property {boolean} builtin
 * @property {string[]} permissions grants (see grants.js), e.g. "users.view"
 *   (everyone) or "users.edit:team" (the member's team only)
 * @property {number} member_count
 * @property {string} created_at
 * @property {string} updated_at
 * @property {number} version
 *
 * @typedef {object} GroupFields
 * @property {string} name
 * @property {string} description
 * @property {string[]} permissions grants, as in Group
 *
 * @typedef {object} Permission
 * @property {string} code e.g. "users.view"
 * @property {string} area e.g. "Users"
 * @property {string} label e.g. "view users"
 * @property {boolean} scopable whether a group may grant it for the member's team only
 */

/** Every permission a group can carry. @returns {Promise<Permission[]>} */
export function permissionCatalogue() {
  return call('permission_catalogue');
}

/** @returns {Promise<Group[]>} */
export function listGroups() {
  return call('list_groups');
}

/** @param {GroupFields} group @returns {Promise<Group>} */
export function createGroup(group) {
  return call('create_group', { group });
}

/**
 * @param {number} id
 * @param {GroupFields & {version: number}} group
 * @returns {Promise<Group>}
 */
export function updateGroup(id, group) {
  return call('update_group', { id, group });
}

/** @param {number} id @param {number} version @returns {Promise<null>} */
export function deleteGroup(id, version) {
  return call('delete_group', { id, version });
}
