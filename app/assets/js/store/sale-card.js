// One sale in the storefront's list: picture, product, price, status, a countdown (to the start, or to
// the end while live) and the stock bar. update(sale) redraws it from the server's latest state.

import { h, setBadge, setText } from '../lib/dom.js';
import { money, countdown, saleStatus } from '../lib/format.js';
import { msUntil } from '../lib/clock.js';
import { stockMeter } from '../lib/stock.js';

export const PLACEHOLDER_IMAGE = '/img/placeholder.svg';

export function saleCard(initial) {
  let sale = initial;
  const titleId = `sale-${sale.id}-title`;
  const badge = h('span', { class: 'badge' });
  const clock = h('span', { class: 'countdown' });
  const stock = stockMeter();
  const element = h('li', { class: 'card sale-card', dataset: { saleId: sale.id } },
    h('article', { 'aria-labelledby': titleId },
      h('img', { class: 'sale-image', src: sale.product.imageUrl || PLACEHOLDER_IMAGE, alt: '', width: 320,
        height: 200, loading: 'lazy' }),
      h('div', { class: 'card-body' },
        h('h3', { id: titleId }, h('a', { href: `#/sale/${encodeURIComponent(sale.id)}` }, sale.product.name || 'Sale')),
        h('p', { class: 'price' }, h('span', { class: 'visually-hidden' }, 'Price '), money(sale.price)),
        h('p', { class: 'status-line' }, badge, ' ', clock),
        stock.element)));

  function update(next) {
    sale = next;
    setBadge(badge, sale.status, saleStatus(sale.status));
    stock.update(sale);
    tick();
  }

  /** Redraws the countdown; returns true once an upcoming sale's start has passed (time to refresh). */
  function tick() {
    if (sale.status === 'UPCOMING') {
      const left = msUntil(sale.startsAt);
      setText(clock, left > 0 ? `Starts in ${countdown(left)}` : 'Starting…');
      return left <= 0;
    }
    if (sale.status === 'LIVE' || sale.status === 'SOLD_OUT') {
      setText(clock, `Ends in ${countdown(msUntil(sale.endsAt))}`);
      return msUntil(sale.endsAt) <= 0;
    }
    setText(clock, '');
    return false;
  }

  update(sale);
  return { element, update, tick, get sale() { return sale; } };
}
