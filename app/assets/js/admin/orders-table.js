// A sale's orders for the admin (GET /api/admin/sales/{id}/orders), keyset-paginated: the server hands a
// cursor for the next page; the table keeps the cursors of the pages before, so Previous works too.
// Filter by status, choose the page size; the first page refreshes itself every few seconds.

import { h, replace, setText } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { everyWhileVisible } from '../lib/clock.js';
import { localTime, money, orderStatus } from '../lib/format.js';
import { problemArea } from '../lib/problem-view.js';

const AUTO_REFRESH_MS = 5000;

export function ordersTable(saleId, { session }) {
  const problem = problemArea();
  const status = h('select', { id: 'orders-status' },
    [['', 'All'], ['RESERVED', 'Reserved'], ['CONFIRMED', 'Confirmed'], ['EXPIRED', 'Expired'], ['CANCELLED', 'Cancelled']]
      .map(([value, text]) => h('option', { value }, text)));
  const size = h('select', { id: 'orders-size' }, [5, 20, 100].map((n) => h('option', { value: n, selected: n === 20 }, n)));
  const rows = h('tbody');
  const caption = h('caption', { class: 'visually-hidden' });
  const pageLabel = h('span', { class: 'page-label', 'aria-live': 'polite' });
  const previous = h('button', { type: 'button', class: 'secondary' }, '← Previous');
  const nextButton = h('button', { type: 'button', class: 'secondary' }, 'Next →');
  const refreshButton = h('button', { type: 'button', class: 'secondary' }, 'Refresh');
  const element = h('section', { class: 'orders-panel', 'aria-labelledby': 'orders-title' },
    h('h2', { id: 'orders-title' }, 'Orders'),
    h('div', { class: 'button-row controls' },
      h('div', { class: 'field inline' }, h('label', { for: 'orders-status' }, 'Status'), status),
      h('div', { class: 'field inline' }, h('label', { for: 'orders-size' }, 'Rows per page'), size),
      refreshButton),
    problem.element,
    h('div', { class: 'table-wrap' }, h('table', { class: 'orders-table' }, caption,
      h('thead', {}, h('tr', {}, ['Order', 'Buyer', 'Qty', 'Total', 'Status', 'Created', 'Expires / payment']
        .map((name, i) => h('th', { scope: 'col', class: i === 2 || i === 3 ? 'number' : null }, name)))),
      rows)),
    h('div', { class: 'button-row pager' }, previous, pageLabel, nextButton));

  let cursors = [null]; // cursors[i] fetches page i + 1
  let next = null;
  let latest = 0; // the newest load asked for: only its answer is shown

  async function load() {
    // Never dropped, never mixed up: a Next (or filter) pressed while a refresh is in flight gets its own
    // request, and an older answer arriving later is ignored (it would show another page under this label).
    const mine = ++latest;
    const number = cursors.length;
    try {
      const query = new URLSearchParams({ limit: size.value });
      if (status.value) query.set('status', status.value);
      const after = cursors[number - 1];
      if (after) query.set('after', after);
      const page = await api(`/api/admin/sales/${encodeURIComponent(saleId)}/orders?${query}`, { token: session.token });
      if (mine !== latest) return;
      problem.clear();
      next = page.next;
      replace(rows, page.items.length === 0
        ? h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No orders on this page.'))
        : page.items.map(row));
      setText(pageLabel, `Page ${number}`);
      setText(caption, `Orders of this sale, page ${number}`);
      previous.disabled = number === 1;
      nextButton.disabled = !next;
    } catch (failure) {
      if (mine === latest) problem.show(failure);
    }
  }

  function row(order) {
    return h('tr', { dataset: { orderId: order.id, status: order.status } },
      // Order ids are opaque; ids of one sale often share a long prefix, so the end tells them apart.
      h('td', { title: order.id }, h('code', {}, tail(order.id))),
      h('td', { title: order.userId }, h('code', {}, shortId(order.userId))),
      h('td', { class: 'number' }, order.quantity),
      h('td', { class: 'number' }, money(order.total)),
      h('td', {}, h('span', { class: `badge badge-${order.status.toLowerCase()}` }, orderStatus(order.status))),
      h('td', {}, localTime(order.createdAt, { seconds: true })),
      h('td', {}, order.paymentRef ? order.paymentRef : order.status === 'RESERVED' ? localTime(order.expiresAt, { seconds: true }) : '—'));
  }

  const restart = () => {
    cursors = [null];
    load();
  };
  status.addEventListener('change', restart);
  size.addEventListener('change', restart);
  refreshButton.addEventListener('click', load);
  nextButton.addEventListener('click', () => {
    if (!next) return;
    cursors.push(next);
    load();
  });
  previous.addEventListener('click', () => {
    if (cursors.length > 1) cursors.pop();
    load();
  });
  const stopRefreshing = everyWhileVisible(AUTO_REFRESH_MS, () => {
    if (cursors.length === 1) load();
  });
  load();

  return { element, refresh: load, stop: stopRefreshing };
}

function shortId(id) {
  const text = String(id);
  return text.length > 12 ? `${text.slice(0, 8)}…` : text;
}

function tail(id) {
  const text = String(id);
  return text.length > 12 ? `…${text.slice(-10)}` : text;
}
