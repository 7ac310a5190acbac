// A sale's waiting room on its live panel. With a room: its numbers from the stats the panel reads every
// 2 s (phase, waiting, joined, admitted, purchased, abandoned, turned away, admissions a second now), its terms, a
// Pause / Resume button and the admission rate (0: automatic, as many as the units left can take), each a
// PATCH /api/admin/sales/{id} of `waitingRoom`, live; and removing the room, confirmed in a second step.
// Without one: a form that opens a room (difficulty, admission rate, when the pre-queue opens). Each press
// sends its own Idempotency-Key, reused by that press's retries.

import { h, replace, setBadge, setText } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { localTime, utcTime } from '../lib/format.js';
import { idempotencyKey } from '../lib/ids.js';
import { notify } from '../lib/notices.js';
import { problemArea } from '../lib/problem-view.js';
import { timeField } from './time-field.js';

const NUMBERS = [['waiting', 'Waiting'], ['joined', 'Joined'], ['admitted', 'Admitted'], ['purchased', 'Purchased'],
  ['abandoned', 'Abandoned'], ['turnedAway', 'Turned away'], ['rate', 'Admitted / s']];
const PHASES = {
  PREQUEUE: 'Pre-queue', ADMITTING: 'Admitting', PAUSED: 'Paused', UNITS_MAY_COME_BACK: 'Units may come back',
  SOLD_OUT: 'Sold out', CLOSED: 'Closed',
};
const ANNOUNCE_EVERY_MS = 5000;

/** roomPanel(sale, {session, onChanged(sale)}) → {element, update(sale), showStats(roomStats)} */
export function roomPanel(initial, { session, onChanged }) {
  let sale = initial;
  let room = null; // the latest RoomStats
  let busy = false;
  const path = `/api/admin/sales/${encodeURIComponent(sale.id)}`;

  // With a room: its numbers and controls
  const phase = h('span', { class: 'badge', dataset: { room: 'phase' } }, '–');
  const numbers = Object.fromEntries(NUMBERS.map(([key]) => [key, h('dd', { class: 'count', dataset: { room: key } }, '–')]));
  const counts = h('dl', { class: 'counts room-counts' }, NUMBERS.map(([key, label]) =>
    h('div', { class: `count-box count-room-${key}` }, h('dt', {}, label), numbers[key])));
  const terms = h('p', { class: 'room-terms muted' });
  const announcer = h('p', { class: 'visually-hidden', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const controlProblem = problemArea();
  const pauseButton = h('button', { type: 'button', class: 'primary', 'aria-describedby': 'room-phase-line' }, 'Pause admission');
  const rateInput = h('input', { id: 'room-rate', name: 'admissionRate', type: 'number', min: 0, max: 100000, step: 1,
    inputmode: 'numeric', required: true, 'aria-describedby': 'room-rate-hint' });
  const rateButton = h('button', { type: 'submit', class: 'secondary' }, 'Set rate');
  const rateForm = h('form', { class: 'room-rate-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'room-rate' }, 'Admission rate (buyers a second)'),
      h('div', { class: 'button-row' }, rateInput, rateButton),
      h('p', { class: 'hint', id: 'room-rate-hint' }, '0 = automatic: as many as the units left can take.')));
  const removeButton = h('button', { type: 'button', class: 'danger small' }, 'Remove the waiting room…');
  const confirmRemove = h('button', { type: 'button', class: 'danger small' }, 'Yes, remove it');
  const keepRoom = h('button', { type: 'button', class: 'secondary small' }, 'Keep it');
  const removeRow = h('div', { class: 'button-row', hidden: true, role: 'group', 'aria-label': 'Confirm removing the room' },
    h('p', {}, 'Buyers then buy directly, without a pass; the queue is dropped.'), confirmRemove, keepRoom);
  const live = h('div', { class: 'room-live' },
    h('p', { class: 'room-phase', id: 'room-phase-line' }, 'Phase: ', phase),
    counts, terms, announcer,
    h('div', { class: 'room-controls' },
      h('div', { class: 'button-row' }, pauseButton), rateForm),
    controlProblem.element,
    h('div', { class: 'room-remove' }, removeButton, removeRow));

  // Without one: opening it
  const openProblem = problemArea();
  const difficulty = h('input', { id: 'open-room-difficulty', name: 'difficulty', type: 'number', min: 1, max: 30, value: 12,
    inputmode: 'numeric', required: true, 'aria-describedby': 'open-room-difficulty-hint' });
  const openRate = h('input', { id: 'open-room-rate', name: 'admissionRate', type: 'number', min: 0, max: 100000, value: 0,
    inputmode: 'numeric', required: true, 'aria-describedby': 'open-room-rate-hint' });
  const opensAt = timeField({ id: 'open-room-opensAt', name: 'prequeueOpensAt', label: 'Pre-queue opens at' });
  const openButton = h('button', { type: 'submit', class: 'primary' }, 'Open a waiting room');
  const openForm = h('form', { class: 'room-open-form', novalidate: true },
    h('p', { class: 'hint' }, 'Buyers then join a queue (with a short proof of work) and buy only once admitted.'),
    h('div', { class: 'field' }, h('label', { for: 'open-room-difficulty' }, 'Proof-of-work difficulty (bits)'), difficulty,
      h('p', { class: 'hint', id: 'open-room-difficulty-hint' }, '1–30; 12 takes a phone well under a second.')),
    h('div', { class: 'field' }, h('label', { for: 'open-room-rate' }, 'Admission rate (buyers a second)'), openRate,
      h('p', { class: 'hint', id: 'open-room-rate-hint' }, '0 = automatic: as many as the units left can take.')),
    opensAt.element,
    h('p', { class: 'hint' }, 'Pre-queue: empty means 15 minutes before the start; it cannot be after the start.'),
    openProblem.element, openButton);
  const none = h('div', { class: 'room-none' }, h('p', {}, 'This sale has no waiting room: buyers buy directly.'), openForm);

  const element = h('section', { class: 'card room-panel', 'aria-labelledby': 'room-title' },
    h('h2', { id: 'room-title' }, 'Waiting room'), live, none);

  pauseButton.addEventListener('click', () => {
    const paused = room ? room.paused : sale.waitingRoom.paused;
    change(null, controlProblem, pauseButton, { waitingRoom: { paused: !paused } },
      paused ? 'Admission resumed.' : 'Admission paused.');
  });
  rateForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const rate = Number(rateInput.value);
    if (rateInput.value.trim() === '' || !Number.isInteger(rate) || rate < 0 || rate > 100000) {
      controlProblem.show({ title: 'Invalid rate', detail: 'Enter a whole number from 0 (automatic) to 100000.' });
      rateInput.focus();
      return;
    }
    change(rateForm, controlProblem, rateButton, { waitingRoom: { admissionRate: rate } },
      rate === 0 ? 'Admission is automatic.' : `Admitting ${rate} buyers a second.`);
  });
  removeButton.addEventListener('click', () => {
    removeRow.hidden = false;
    removeButton.hidden = true;
    keepRoom.focus();
  });
  keepRoom.addEventListener('click', () => {
    removeRow.hidden = true;
    removeButton.hidden = false;
    removeButton.focus();
  });
  confirmRemove.addEventListener('click', () => change(null, controlProblem, confirmRemove,
    { waitingRoom: { enabled: false } }, 'The waiting room was removed.'));
  openForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const settings = { difficulty: Number(difficulty.value), admissionRate: Number(openRate.value) };
    if (opensAt.value) settings.prequeueOpensAt = opensAt.value;
    change(openForm, openProblem, openButton, { waitingRoom: settings }, 'The waiting room is open.');
  });

  async function change(form, problem, button, body, done) {
    if (busy) return;
    busy = true;
    problem.clear(form);
    button.disabled = true;
    try {
      const changed = await api(path, { method: 'PATCH', body, token: session.token, retry: true,
        headers: { 'Idempotency-Key': idempotencyKey() } }); // one key for this press and its retries
      notify(done);
      if (body.waitingRoom.enabled === false) {
        removeRow.hidden = true;
        removeButton.hidden = false;
      }
      update(changed);
      if (room && changed.waitingRoom) room = { ...room, paused: changed.waitingRoom.paused, admissionRate: changed.waitingRoom.admissionRate };
      showControls();
      onChanged(changed);
    } catch (failure) {
      problem.show(failure, form);
    } finally {
      busy = false;
      button.disabled = false;
      refreshDisabled();
    }
  }

  function update(next) {
    const hadRoom = !!sale.waitingRoom;
    sale = next;
    const has = !!sale.waitingRoom;
    live.hidden = !has;
    none.hidden = has;
    if (!has) room = null;
    if (has) {
      const r = sale.waitingRoom;
      setText(terms, `Difficulty ${r.difficulty} bits · pre-queue from ${localTime(r.prequeueOpensAt, { seconds: true })} `
        + `(${utcTime(r.prequeueOpensAt)} UTC)`);
      if (!hadRoom || document.activeElement !== rateInput) rateInput.value = String(room ? room.admissionRate : r.admissionRate);
    }
    showControls();
    refreshDisabled();
  }

  function refreshDisabled() {
    const over = sale.status === 'ENDED' || sale.status === 'CANCELLED';
    pauseButton.disabled = busy || over;
    rateButton.disabled = busy || over;
    removeButton.disabled = busy || over;
    openButton.disabled = busy || over;
  }

  function showControls() {
    if (!sale.waitingRoom) return;
    const paused = room ? room.paused : sale.waitingRoom.paused;
    setText(pauseButton, paused ? 'Resume admission' : 'Pause admission');
    pauseButton.dataset.paused = String(paused);
  }

  let lastAnnounced = 0;
  let lastPhase = null;
  function showStats(stats) {
    room = stats;
    if (!stats) return;
    const phaseName = stats.phase || (stats.paused ? 'PAUSED' : null);
    if (phaseName) setBadge(phase, phaseName, PHASES[phaseName] || phaseName);
    else setText(phase, 'Not started');
    NUMBERS.forEach(([key]) => setText(numbers[key], key === 'rate' ? rateWords(stats.rate) : stats[key]));
    if (document.activeElement !== rateInput && !busy) rateInput.value = String(stats.admissionRate);
    showControls();
    const rateSetting = stats.admissionRate === 0 ? 'automatic' : `${stats.admissionRate} a second`;
    if (phaseName !== lastPhase || Date.now() - lastAnnounced >= ANNOUNCE_EVERY_MS * 6) {
      lastPhase = phaseName;
      lastAnnounced = Date.now();
      setText(announcer, `Waiting room ${PHASES[phaseName] || 'not started'}: ${stats.waiting} waiting, ${stats.admitted} admitted, `
        + `${stats.purchased} purchased. Admission rate ${rateSetting}.`);
    }
  }

  update(sale);
  return { element, update, showStats };
}

function rateWords(rate) {
  if (rate == null) return '–';
  return Number.isInteger(rate) ? String(rate) : rate.toFixed(1);
}
