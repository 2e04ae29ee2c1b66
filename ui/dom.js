// Building DOM nodes without ever parsing HTML.
//
// Every piece of text reaching the page goes through a text node, so data
// from the Rust side (names, emails, paths) can never turn into markup or
// script. Do not use innerHTML, outerHTML, insertAdjacentHTML or
// document.write anywhere in the UI.

/**
 * Creates an element.
 *
 * @param {string} tag element name, e.g. "section"
 * @param {Record<string, unknown> | null} [attrs] attributes; `class` may be
 *   a string or an array; functions under `on<event>` become listeners; `true`
 *   sets a boolean attribute, `false`/`null`/`undefined` leaves it out.
 *   Inline `style` is refused: the CSP blocks it, use a class instead.
 * @param {...(Node | string | number | null | undefined | false | Array)} children
 *   nodes, or text (placed as text, never parsed)
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
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'class') {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value);
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
 * @param {...(Node | string | number | null | undefined | false | Array)} children
 */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/**
 * Sets the text of an element, dropping whatever it held.
 *
 * @param {Element} el
 * @param {string} text
 */
export function setText(el, text) {
  el.textContent = text;
}

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
