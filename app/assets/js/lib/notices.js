// The page's notice area: short-lived messages everyone should see (a retry after 429/503, a session
// that ended), announced politely by screen readers. Errors of one form are shown by that form instead
// (see problem-view.js).

import { h } from './dom.js';

function region() {
  let element = document.getElementById('notices');
  if (!element) {
    element = h('div', { id: 'notices', class: 'notices', role: 'status', 'aria-live': 'polite' });
    document.body.prepend(element);
  }
  return element;
}

/**
 * Shows a notice and returns {update(text), close()}. kind: 'info' | 'wait' | 'error'. A notice closes
 * itself after `timeoutMs` unless it is 0.
 */
export function notify(text, { kind = 'info', timeoutMs = 6000 } = {}) {
  const message = h('p', { class: `notice notice-${kind}` }, text);
  const close = () => message.remove();
  const button = h('button', { type: 'button', class: 'notice-close', 'aria-label': 'Dismiss', onclick: close }, '×');
  message.append(button);
  region().append(message);
  if (timeoutMs > 0) setTimeout(close, timeoutMs);
  return {
    update(next) {
      message.firstChild.textContent = next;
    },
    close,
  };
}
