// Settings → Backups: the local store's backups, their folder and
// passphrase, and the store check. Every command needs `settings.manage`;
// on a server `local` is false (backups are the server's job).

import { call } from './call.js';

/**
 * @typedef {object} BackupManifest what a backup says about itself, readable without its passphrase
 * @property {string} created_at
 * @property {"manual" | "daily" | "before_migration" | "before_bulk" | "before_restore" | "copy"} reason
 * @property {string} roster_version
 * @property {number} schema
 * @property {number} users
 * @property {number} groups
 * @property {{seq: number | null, at: string, action: string} | null} last_event
 * @property {boolean} encrypted
 *
 * @typedef {object} BackupInfo
 * @property {string} name the file's name in the backup folder
 * @property {string} path
 * @property {number} size bytes
 * @property {BackupManifest} manifest
 *
 * @typedef {object} BackupsOverview
 * @property {boolean} local false on a PostgreSQL server
 * @property {string | null} folder
 * @property {boolean} encrypted whether a passphrase is set
 * @property {{daily: number, weekly: number, monthly: number}} keep
 * @property {BackupInfo[]} backups newest first
 * @property {string | null} problem why the last automatic backup failed
 *
 * @typedef {object} BackupContents a backup checked as a restore would check it
 * @property {BackupInfo} backup
 * @property {number} users
 * @property {number} groups
 * @property {{seq: number | null, at: string, action: string} | null} last_event
 *
 * @typedef {object} StoreCheck
 * @property {{kind: string, message: string, repaired: boolean}[]} findings
 * @property {string} summary
 */

/** @returns {Promise<BackupsOverview>} */
export function backupsOverview() {
  return call('backups_overview');
}

/** @returns {Promise<BackupInfo>} */
export function backUpNow() {
  return call('back_up_now');
}

/** @param {string} name @returns {Promise<BackupContents>} */
export function verifyBackup(name) {
  return call('verify_backup', { name });
}

/**
 * Replaces the directory with the backup (its current state is backed up
 * first); everyone is signed out afterwards.
 * @param {string} name
 * @returns {Promise<{restored: BackupInfo, replaced: BackupInfo}>}
 */
export function restoreBackup(name) {
  return call('restore_backup', { name });
}

/**
 * The native folder dialog (or, with `toDefault`, the folder beside the store).
 * @param {boolean} [toDefault]
 * @returns {Promise<string | null>} the folder, or null when cancelled
 */
export function chooseBackupFolder(toDefault = false) {
  return call('choose_backup_folder', { default: toDefault });
}

/** @param {string | null} passphrase null clears it @returns {Promise<null>} */
export function setBackupPassphrase(passphrase) {
  return call('set_backup_passphrase', { passphrase });
}

/** @param {boolean} repair @returns {Promise<StoreCheck>} */
export function checkStore(repair) {
  return call('check_store', { repair });
}

/**
 * "Save a copy to a file": the whole directory in use written as a backup
 * file chosen in the native save dialog, encrypted with the passphrase
 * when one is given.
 * @param {string | null} passphrase
 * @returns {Promise<{saved: string | null}>}
 */
export function saveStoreCopy(passphrase) {
  return call('save_store_copy', { passphrase });
}
