// Building DOM nodes without ever parsing HTML.
//
// Every piece of text reaching the page goes through a text node, so data
// from the Rust side (names, emails, paths) can never turn into markup or
// script: a user named `<img src=x onerror=alert(1)>` shows as exactly that.
// Do not use innerHTML, outerHTML, insertAdjacentHTML or document.write
// anywhere in the UI. Styles come only from style.css (the CSP refuses
// `style` attributes): use a class, or the `hidden` attribute.

/**
 * @typedef {Node | string | number | null | undefined | false | Child[]} Child
 */

/**
 * Creates an element.
 *
 * @param {string} tag element name, e.g. "section"
 * @param {Record<string, unknown> | null} [attrs] attributes; `class` may be
 *   a string or an array (falsy entries dropped); functions under `on<event>`
 *   become listeners; `true` sets a boolean attribute, `false`/`null`/
 *   `undefined` leaves it out; `value` and `checked` set the live property
 *   (never an attribute, so a typed password is not written into the markup).
 * @param {...Child} children nodes, or text (placed as text, never parsed)
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name === 'style') {
      throw new Error('h(): inline styles are blocked by the CSP; use a class');
    }
    if (name.startsWith('on')) {
      if (typeof value !== 'function') {
        throw new Error(`h(): ${name} must be a function, not a string`);
      }
      el.addEventListener(name.slice(2).toLowerCase(), /** @type {EventListener} */ (value));
    } else if (name === 'class') {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value);
    } else if (name === 'value' || name === 'checked') {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

/**
 * Replaces all children of `el` with `children` (same rules as `h`).
 *
 * @param {Element} el
 * @param {...Child} children
 */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/**
 * A document-unique id for tying a label, hint or error to its control.
 *
 * @param {string} prefix readable start, e.g. "email"
 * @returns {string}
 */
export function uid(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}
let nextId = 0;

/**
 * Wraps `run` so that each call starts it at once, unless a run it started
 * has not settled yet: then it runs once more when that one has, however
 * many calls came meanwhile. A search box asks for each keystroke's page
 * without waiting for a pause in the typing (a debounce's wait alone
 * would spend most of the time from the last keystroke to its page), one
 * search at a time, and the last text typed always last. `cancel()` drops
 * the run waiting, if any.
 *
 * @param {() => Promise<unknown> | void} run
 * @returns {(() => void) & {cancel: () => void}}
 */
export function oneAtATime(run) {
  let running = false;
  let waiting = false;
  const start = () => {
    waiting = false;
    running = true;
    Promise.resolve()
      .then(run)
      .catch(() => {})
      .finally(() => {
        running = false;
        if (waiting) start();
      });
  };
  const call = () => {
    if (running) waiting = true;
    else start();
  };
  call.cancel = () => {
    waiting = false;
  };
  return call;
}

/**
 * Wraps `fn` so it runs once calls have paused for `ms` milliseconds.
 * `cancel()` drops a pending call; `flush()` runs it now.
 *
 * @template {unknown[]} A
 * @param {(...args: A) => void} fn
 * @param {number} ms
 * @returns {((...args: A) => void) & {cancel: () => void, flush: () => void}}
 */
export function debounce(fn, ms) {
  let timer = 0;
  /** @type {A | null} */
  let pending = null;
  const debounced = (...args) => {
    pending = args;
    clearTimeout(timer);
    timer = setTimeout(() => debounced.flush(), ms);
  };
  debounced.cancel = () => {
    clearTimeout(timer);
    pending = null;
  };
  debounced.flush = () => {
    clearTimeout(timer);
    if (pending === null) return;
    const args = pending;
    pending = null;
    fn(...args);
  };
  return debounced;
}

/**
 * @param {Element} el
 * @param {Child[]} children
 */
function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    if (child instanceof Node) {
      el.append(child);
    } else {
      el.append(document.createTextNode(String(child)));
    }
  }
}
