// DOM building without innerHTML: h() creates elements from tag, attributes and children, so text from
// the API (product names, problem details) is always inserted as text, never parsed as markup.

/**
 * h('a', {href: '#/', class: 'x', onclick: fn}, 'text', child) → element. Attributes: `class`, `text`,
 * `on<event>` (listener), `dataset` (object), booleans (true sets, false/null/undefined omits), others as
 * attributes. Children: strings, nodes, arrays, null/false (skipped).
 */
export function h(tag, attributes = {}, ...children) {
  const element = tag.startsWith('svg:')
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (name === 'text') {
      element.textContent = value;
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces an element's children. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** Sets text only when it changed (keeps screen readers and layout quiet). */
export function setText(element, text) {
  const value = String(text);
  if (element.textContent !== value) element.textContent = value;
}

/** Shows a status as a badge: its words, and a class per status for the colour (badge-live, badge-reserved…). */
export function setBadge(badge, status, words) {
  setText(badge, words);
  badge.className = `badge badge-${status.toLowerCase()}`;
}

let nextId = 0;
/** A document-unique id for label/aria wiring. */
export function uid(prefix = 'id') {
  nextId += 1;
  return `${prefix}-${nextId}`;
}
