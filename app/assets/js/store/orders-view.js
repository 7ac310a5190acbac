// #/orders: My orders (GET /api/orders, newest first, "Show more" through its cursor). The list comes
// from the read model, which trails by under a second, so open holds and the orders this tab just made
// are read from GET /api/orders/{id} (exact on any node) and win over the list.

import { h, setText } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { everySecond, msUntil } from '../lib/clock.js';
import { money, countdown, localTime, orderStatus } from '../lib/format.js';
import { recentOrders } from '../lib/orders-memory.js';
import { problemArea } from '../lib/problem-view.js';

const PAGE = 20;

export function ordersView(main, { session }) {
  main.append(h('h1', {}, 'My orders'));
  if (!session.token) {
    main.append(h('p', {}, h('a', { href: `#/account?next=${encodeURIComponent('#/orders')}` }, 'Log in'),
      ' to see your orders.'));
    return null;
  }
  const problem = problemArea();
  const list = h('ol', { class: 'orders', 'aria-label': 'Orders, newest first' });
  const empty = h('p', { class: 'empty', hidden: true }, 'No orders yet. ', h('a', { href: '#/' }, 'See the sales'));
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => loadPage(next) },
    'Show more');
  main.append(problem.element, empty, list, more);

  const sales = new Map(); // sale id → promise of the sale (for product names)
  const rows = new Map(); // order id → row
  let next = null;
  let stopped = false;

  async function loadPage(after) {
    more.disabled = true;
    try {
      const query = `limit=${PAGE}${after ? `&after=${encodeURIComponent(after)}` : ''}`;
      const page = await api(`/api/orders?${query}`, { token: session.token });
      let orders = page.items;
      if (!after) orders = await withExactOrders(orders);
      if (stopped) return;
      orders.forEach(addRow);
      next = page.next;
      more.hidden = !next;
      empty.hidden = rows.size > 0;
    } catch (failure) {
      if (!stopped) problem.show(failure);
    } finally {
      more.disabled = false;
    }
  }

  /** Open holds and this tab's recent orders, read from their entity, replace (or join) the list's. */
  async function withExactOrders(listed) {
    const ids = new Set(listed.filter((o) => o.status === 'RESERVED').map((o) => o.id));
    recentOrders().forEach((o) => ids.add(o.id));
    const exact = await Promise.all([...ids].map((id) =>
      api(`/api/orders/${encodeURIComponent(id)}`, { token: session.token }).catch(() => null)));
    const byId = new Map(listed.map((o) => [o.id, o]));
    exact.filter(Boolean).forEach((o) => byId.set(o.id, o)); // another buyer's order answers 403: left out
    return [...byId.values()].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  }

  function saleOf(saleId) {
    if (!sales.has(saleId)) {
      sales.set(saleId, api(`/api/sales/${encodeURIComponent(saleId)}`).catch(() => null));
    }
    return sales.get(saleId);
  }

  function addRow(order) {
    if (rows.has(order.id)) return;
    const name = h('a', { href: `#/sale/${encodeURIComponent(order.saleId)}` }, 'Sale');
    const badge = h('span', { class: `badge badge-${order.status.toLowerCase()}` }, orderStatus(order.status));
    const expiry = h('span', { class: 'countdown' });
    const row = h('li', { class: 'card order', dataset: { orderId: order.id, status: order.status } },
      h('h2', { class: 'order-title' }, name),
      h('p', {}, badge, ' ', `${order.quantity} × ${money(order.unitPrice)} = `, h('strong', {}, money(order.total))),
      h('p', { class: 'muted' }, `Ordered ${localTime(order.createdAt)}`),
      order.status === 'RESERVED'
        ? h('p', {}, 'Held for ', expiry, '. ', h('a', { href: `#/sale/${encodeURIComponent(order.saleId)}` }, 'Pay or cancel'))
        : null,
      order.paymentRef ? h('p', { class: 'muted' }, `Payment reference ${order.paymentRef}`) : null);
    rows.set(order.id, { row, order, expiry });
    list.append(row);
    saleOf(order.saleId).then((sale) => {
      if (sale) setText(name, sale.product.name || 'Sale');
    });
  }

  const stopTicking = everySecond(() => rows.forEach(({ order, expiry }) => {
    if (order.status === 'RESERVED') setText(expiry, countdown(msUntil(order.expiresAt)));
  }));
  loadPage(null);
  return () => {
    stopped = true;
    stopTicking();
  };
}
