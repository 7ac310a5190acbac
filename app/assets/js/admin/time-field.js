// A start or end picker: a datetime-local input in the admin's own time zone, with the instant it means
// shown in UTC beside it (what the API receives), and a few presets ("in 1 min", "in 1 h").

import { h, setText } from '../lib/dom.js';
import { fromLocalInput, toLocalInput, utcTime } from '../lib/format.js';
import { serverNow } from '../lib/clock.js';

const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';

/**
 * timeField({id, name, label, presets: [[text, () => Date]], required}) →
 * {element, input, value (ISO UTC or null), set(Date|null)}
 */
export function timeField({ id, name, label, presets = [], required = false }) {
  const utcId = `${id}-utc`;
  const input = h('input', { id, name, type: 'datetime-local', step: 1, required, 'aria-describedby': utcId });
  const utc = h('output', { id: utcId, for: id, class: 'utc' });
  const presetButtons = presets.map(([text, at]) => h('button', { type: 'button', class: 'secondary small',
    onclick: () => set(at()) }, text));
  const element = h('div', { class: 'field time-field' },
    h('label', { for: id }, `${label} `, h('span', { class: 'muted' }, `(your time, ${ZONE})`)),
    input, utc,
    presetButtons.length ? h('div', { class: 'button-row presets', role: 'group', 'aria-label': `${label} presets` },
      presetButtons) : null);

  function show() {
    const date = fromLocalInput(input.value);
    setText(utc, date ? `= ${utcTime(date)} UTC` : input.value ? 'Not a valid time' : 'Not set');
  }

  function set(date) {
    input.value = date ? toLocalInput(date) : '';
    show();
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }

  input.addEventListener('input', show);
  input.addEventListener('change', show);
  show();
  return {
    element,
    input,
    get value() {
      const date = fromLocalInput(input.value);
      return date ? utcTime(date) : null;
    },
    set,
  };
}

/** Presets relative to the server's now. */
export const fromNow = (ms) => () => new Date(Math.ceil((serverNow() + ms) / 1000) * 1000);
