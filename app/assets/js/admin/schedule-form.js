// Scheduling a sale (POST /api/admin/sales): product, stock, price (the product's by default), start and
// end in the admin's local time (shown in UTC too), per-buyer limit and hold time, and optionally a waiting
// room (proof-of-work difficulty, admission rate, when its pre-queue opens). Each press of Schedule
// sends its own Idempotency-Key, reused by that press's retries (after a 503 or a network failure), so a
// retry gets the sale the first attempt made instead of scheduling a second one.

import { h, replace } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { money } from '../lib/format.js';
import { idempotencyKey } from '../lib/ids.js';
import { problemArea } from '../lib/problem-view.js';
import { timeField, fromNow } from './time-field.js';

const MINUTE = 60000;

/** scheduleForm({session, onScheduled(sale)}) → {element} */
export function scheduleForm({ session, onScheduled }) {
  const problem = problemArea();
  const product = h('select', { id: 'sale-product', name: 'productId', required: true });
  const price = h('input', { id: 'sale-price', name: 'price', inputmode: 'decimal', 'aria-describedby': 'sale-price-hint' });
  const startsAt = timeField({ id: 'sale-startsAt', name: 'startsAt', label: 'Starts at', required: true,
    presets: [['In 1 min', fromNow(MINUTE)], ['In 10 min', fromNow(10 * MINUTE)], ['In 1 h', fromNow(60 * MINUTE)]] });
  const endsAt = timeField({ id: 'sale-endsAt', name: 'endsAt', label: 'Ends at', required: true,
    presets: [['In 1 h', fromNow(60 * MINUTE)], ['In 1 day', fromNow(24 * 60 * MINUTE)]] });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Schedule sale');
  const roomBox = h('input', { id: 'sale-room', name: 'waitingRoom', type: 'checkbox', 'aria-controls': 'sale-room-terms',
    'aria-describedby': 'sale-room-hint' });
  const prequeueOpensAt = timeField({ id: 'sale-room-opensAt', name: 'prequeueOpensAt', label: 'Pre-queue opens at',
    presets: [['Now', fromNow(0)], ['In 1 min', fromNow(MINUTE)]] });
  const roomTerms = h('div', { id: 'sale-room-terms', hidden: true },
    h('div', { class: 'field' }, h('label', { for: 'sale-room-difficulty' }, 'Proof-of-work difficulty (bits)'),
      h('input', { id: 'sale-room-difficulty', name: 'difficulty', type: 'number', inputmode: 'numeric', min: 1, max: 30,
        value: 12, 'aria-describedby': 'sale-room-difficulty-hint' }),
      h('p', { class: 'hint', id: 'sale-room-difficulty-hint' }, '1–30; 12 takes a phone well under a second.')),
    h('div', { class: 'field' }, h('label', { for: 'sale-room-rate' }, 'Admission rate (buyers a second)'),
      h('input', { id: 'sale-room-rate', name: 'admissionRate', type: 'number', inputmode: 'numeric', min: 0, max: 100000,
        value: 0, 'aria-describedby': 'sale-room-rate-hint' }),
      h('p', { class: 'hint', id: 'sale-room-rate-hint' }, '0 = automatic: as many as the units left can take.')),
    prequeueOpensAt.element,
    h('p', { class: 'hint' }, 'Empty: 15 minutes before the start. Buyers who join before the start are drawn in random order at it.'));
  const roomFields = h('fieldset', { class: 'room-fields' },
    h('legend', {}, 'Waiting room'),
    h('div', { class: 'field inline' }, roomBox, h('label', { for: 'sale-room' }, 'Open a waiting room')),
    h('p', { class: 'hint', id: 'sale-room-hint' }, 'Buyers join a queue (with a short proof of work) and buy only once admitted.'),
    roomTerms);
  roomBox.addEventListener('change', () => {
    roomTerms.hidden = !roomBox.checked;
  });
  const number = (id, name, label, attrs) => h('div', { class: 'field' }, h('label', { for: id }, label),
    h('input', { id, name, type: 'number', inputmode: 'numeric', required: true, ...attrs }));
  const element = h('form', { class: 'card form', 'aria-labelledby': 'schedule-title', novalidate: true },
    h('h2', { id: 'schedule-title' }, 'Schedule a sale'),
    h('div', { class: 'field' }, h('label', { for: 'sale-product' }, 'Product'), product),
    number('sale-stock', 'stock', 'Stock (units)', { min: 1, value: 100 }),
    h('div', { class: 'field' }, h('label', { for: 'sale-price' }, 'Sale price'), price,
      h('p', { class: 'hint', id: 'sale-price-hint' }, 'Optional: the product’s price when empty.')),
    startsAt.element,
    endsAt.element,
    number('sale-perUserLimit', 'perUserLimit', 'Units per buyer at most', { min: 1, max: 100, value: 1 }),
    number('sale-holdSeconds', 'holdSeconds', 'Hold time (seconds)', { min: 10, max: 86400, value: 300 }),
    roomFields,
    problem.element,
    submit);

  let products = [];
  product.addEventListener('change', () => {
    const chosen = products.find((p) => p.id === product.value);
    price.placeholder = chosen ? money(chosen.price) : '';
  });

  element.addEventListener('submit', async (event) => {
    event.preventDefault();
    problem.clear(element);
    const values = Object.fromEntries(new FormData(element));
    const body = {
      productId: values.productId,
      stock: Number(values.stock),
      startsAt: startsAt.value,
      endsAt: endsAt.value,
      perUserLimit: Number(values.perUserLimit),
      holdSeconds: Number(values.holdSeconds),
    };
    if (values.price.trim()) body.price = values.price.trim();
    if (roomBox.checked) {
      body.waitingRoom = { difficulty: Number(values.difficulty), admissionRate: Number(values.admissionRate) };
      if (prequeueOpensAt.value) body.waitingRoom.prequeueOpensAt = prequeueOpensAt.value;
    }
    submit.disabled = true;
    try {
      const sale = await api('/api/admin/sales', { method: 'POST', body, token: session.token, retry: true,
        headers: { 'Idempotency-Key': idempotencyKey() } }); // one key for this press and its retries
      onScheduled(sale);
    } catch (failure) {
      problem.show(failure, element);
    } finally {
      submit.disabled = false;
    }
  });

  api('/api/products').then(({ items }) => {
    products = items;
    replace(product, h('option', { value: '' }, items.length ? 'Choose a product' : 'Create a product first'),
      items.map((p) => h('option', { value: p.id }, `${p.name} (${money(p.price)})`)));
  }).catch((failure) => problem.show(failure));

  return { element };
}
