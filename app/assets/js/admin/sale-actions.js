// What an admin may change on a sale (PATCH /api/admin/sales/{id}, POST .../cancel): move its start or
// end, add stock, cancel it (after a second, explicit confirmation). The server says what the sale's
// state forbids (INVALID_TRANSITION); its title and detail are shown as they come. Each press of Move or
// Add stock sends its own Idempotency-Key, reused by that press's retries after a 503 or a network
// failure, so stock is never added twice for one press (a second press adds again); cancelling is
// idempotent by itself and is retried the same way.

import { h } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { utcTime } from '../lib/format.js';
import { idempotencyKey } from '../lib/ids.js';
import { notify } from '../lib/notices.js';
import { problemArea } from '../lib/problem-view.js';
import { timeField } from './time-field.js';

/** saleActions(sale, {session, onChanged(sale)}) → {element, update(sale)} */
export function saleActions(initial, { session, onChanged }) {
  let sale = initial;
  const path = `/api/admin/sales/${encodeURIComponent(sale.id)}`;

  // Move
  const moveProblem = problemArea();
  const startsAt = timeField({ id: 'move-startsAt', name: 'startsAt', label: 'Start' });
  const endsAt = timeField({ id: 'move-endsAt', name: 'endsAt', label: 'End' });
  const moveButton = h('button', { type: 'submit', class: 'primary' }, 'Move');
  const moveForm = h('form', { class: 'card form', 'aria-labelledby': 'move-title', novalidate: true },
    h('h3', { id: 'move-title' }, 'Move the sale'),
    h('p', { class: 'hint' }, 'The start can move only before it; the end while the sale has not ended.'),
    startsAt.element, endsAt.element, moveProblem.element, moveButton);
  moveForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = {};
    if (startsAt.value && startsAt.value !== utcTime(sale.startsAt)) body.startsAt = startsAt.value;
    if (endsAt.value && endsAt.value !== utcTime(sale.endsAt)) body.endsAt = endsAt.value;
    if (Object.keys(body).length === 0) {
      moveProblem.show({ title: 'Nothing to move', detail: 'Change the start or the end first.' });
      return;
    }
    change(moveForm, moveProblem, moveButton, () => patch(body), 'The sale was moved.');
  });

  // Add stock
  const stockProblem = problemArea();
  const addStock = h('input', { id: 'add-stock', name: 'addStock', type: 'number', min: 1, value: 10, required: true,
    inputmode: 'numeric' });
  const stockButton = h('button', { type: 'submit', class: 'primary' }, 'Add stock');
  const stockForm = h('form', { class: 'card form', 'aria-labelledby': 'stock-title', novalidate: true },
    h('h3', { id: 'stock-title' }, 'Add stock'),
    h('div', { class: 'field' }, h('label', { for: 'add-stock' }, 'Units to add'), addStock),
    stockProblem.element, stockButton);
  stockForm.addEventListener('submit', (event) => {
    event.preventDefault();
    change(stockForm, stockProblem, stockButton, () => patch({ addStock: Number(addStock.value) }),
      `Added ${addStock.value} units.`);
  });

  // Cancel, confirmed in a second step
  const cancelProblem = problemArea();
  const cancelButton = h('button', { type: 'button', class: 'danger' }, 'Cancel this sale…');
  const confirmButton = h('button', { type: 'button', class: 'danger' }, 'Yes, cancel the sale');
  const keepButton = h('button', { type: 'button', class: 'secondary' }, 'Keep it');
  const confirmRow = h('div', { class: 'button-row', hidden: true, role: 'group', 'aria-label': 'Confirm cancelling' },
    h('p', { id: 'cancel-warning' }, 'Open holds are released and their orders cancelled. This cannot be undone.'),
    confirmButton, keepButton);
  const cancelBox = h('div', { class: 'card form', 'aria-labelledby': 'cancel-title', role: 'group' },
    h('h3', { id: 'cancel-title' }, 'Cancel the sale'), cancelButton, confirmRow, cancelProblem.element);
  cancelButton.addEventListener('click', () => {
    confirmRow.hidden = false;
    cancelButton.hidden = true;
    keepButton.focus();
  });
  keepButton.addEventListener('click', () => {
    confirmRow.hidden = true;
    cancelButton.hidden = false;
    cancelButton.focus();
  });
  confirmButton.addEventListener('click', () => change(null, cancelProblem, confirmButton, () =>
    api(`${path}/cancel`, { method: 'POST', token: session.token, retry: true }), 'The sale was cancelled.'));

  /** One press's PATCH: a key of its own, reused by api()'s retries of it. */
  function patch(body) {
    return api(path, { method: 'PATCH', body, token: session.token, retry: true,
      headers: { 'Idempotency-Key': idempotencyKey() } });
  }

  async function change(form, problem, button, call, done) {
    problem.clear(form);
    button.disabled = true;
    try {
      const changed = await call();
      notify(done);
      update(changed);
      onChanged(changed);
    } catch (failure) {
      problem.show(failure, form);
    } finally {
      button.disabled = false;
    }
  }

  function update(next) {
    sale = next;
    startsAt.set(new Date(sale.startsAt));
    endsAt.set(new Date(sale.endsAt));
    const over = sale.status === 'ENDED' || sale.status === 'CANCELLED';
    moveButton.disabled = over;
    stockButton.disabled = over;
    cancelButton.disabled = over;
    if (over) {
      confirmRow.hidden = true;
      cancelButton.hidden = false;
    }
  }

  update(sale);
  const element = h('section', { class: 'sale-actions', 'aria-labelledby': 'actions-title' },
    h('h2', { id: 'actions-title' }, 'Change the sale'),
    h('div', { class: 'actions-grid' }, moveForm, stockForm, cancelBox));
  return { element, update };
}
