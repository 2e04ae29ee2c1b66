// The only module that talks to the Rust side.
//
// Everything else in the UI calls the functions exported here, so the set of
// commands the web view uses is visible in one place and matches the
// capability in tauri.conf.json. The Rust side checks every right itself;
// nothing here is a security decision.

/**
 * Invokes a Tauri command.
 *
 * `window.__TAURI__` exists because `app.withGlobalTauri` is true in
 * tauri.conf.json (there is no bundler to import `@tauri-apps/api` with).
 *
 * @param {string} command
 * @param {Record<string, unknown>} [args]
 * @returns {Promise<unknown>}
 */
function invoke(command, args) {
  const core = window.__TAURI__?.core;
  if (typeof core?.invoke !== 'function') {
    return Promise.reject(new Error('Roster must be opened as the desktop app, not in a browser.'));
  }
  return core.invoke(command, args);
}

/**
 * @typedef {object} AppInfo
 * @property {string} name product name
 * @property {string} version app version
 * @property {string} store_path full path of the local SQLite store
 */

/** @returns {Promise<AppInfo>} */
export function appInfo() {
  return /** @type {Promise<AppInfo>} */ (invoke('app_info'));
}
