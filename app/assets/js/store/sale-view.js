// #/sale/{id}: one sale. Its state comes from followSale (GET, then SSE, refetched on reconnect and when
// the tab comes back), a countdown runs to its start (or end), the stock is announced politely, and the
// Buy button is enabled only while the server says LIVE. Buying (with an Idempotency-Key, so a retry
// after 503 cannot buy twice) opens the hold panel; an open hold of this buyer is found again on reload.
// A sale with a waiting room shows the queue (queue.js) instead of Buy now: once admitted, the page buys
// by itself with the admission pass.

import { h, replace, setBadge, setText } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { everySecond, msUntil } from '../lib/clock.js';
import { money, countdown, localTime, saleStatus } from '../lib/format.js';
import { followSale } from '../lib/live-sale.js';
import { idempotencyKey } from '../lib/ids.js';
import { recentOrders, rememberOrder } from '../lib/orders-memory.js';
import { problemArea } from '../lib/problem-view.js';
import { stockMeter, stockWords } from '../lib/stock.js';
import { holdPanel } from './hold.js';
import { queuePanel } from './queue.js';
import { PLACEHOLDER_IMAGE } from './sale-card.js';

const ANNOUNCE_EVERY_MS = 5000;

export function saleView(main, { session }, saleId) {
  let sale = null;
  let hold = null;
  let buying = false;
  const heading = h('h1', {}, 'Sale');
  const problem = problemArea();
  const image = h('img', { class: 'hero', alt: '', width: 640, height: 400 });
  const description = h('p', { class: 'description' });
  const price = h('p', { class: 'price big' });
  const badge = h('span', { class: 'badge' });
  const clock = h('span', { class: 'countdown', role: 'timer', 'aria-live': 'off' });
  const times = h('p', { class: 'times' });
  const stock = stockMeter();
  const connection = h('p', { class: 'connection', 'aria-live': 'off' });
  const announcer = h('p', { class: 'visually-hidden', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const holdArea = h('div', { class: 'hold-area' });
  const buy = buySection();
  const details = h('div', { class: 'sale-layout', hidden: true },
    image,
    h('div', { class: 'sale-info' },
      description, price, h('p', { class: 'status-line' }, badge, ' ', clock), times,
      stock.element, connection, announcer, buy.element, holdArea));
  main.append(h('p', { class: 'crumbs' }, h('a', { href: '#/' }, '← All sales')), heading, problem.element, details);

  const follow = followSale(saleId, {
    onSale: render,
    onConnection: (state) => {
      setText(connection, { live: 'Live updates on', connecting: 'Connecting…', reconnecting: 'Reconnecting… (showing the last known state)', closed: '' }[state] || '');
      connection.dataset.state = state;
    },
    onError: (failure) => {
      problem.show(failure);
      if (failure.code === 'NOT_FOUND' || failure.code === 'VALIDATION') follow.stop();
    },
  });

  function render(next) {
    const first = sale === null;
    const statusChanged = !first && next.status !== sale.status;
    sale = next;
    problem.clear();
    details.hidden = false;
    setText(heading, sale.product.name || 'Sale');
    document.title = `${sale.product.name || 'Sale'} · FlashSale`;
    if (image.getAttribute('src') !== (sale.product.imageUrl || PLACEHOLDER_IMAGE)) {
      image.src = sale.product.imageUrl || PLACEHOLDER_IMAGE;
    }
    setText(description, sale.product.description || '');
    replace(price, h('span', { class: 'visually-hidden' }, 'Price '), money(sale.price));
    setBadge(badge, sale.status, saleStatus(sale.status));
    setText(times, `${localTime(sale.startsAt)} – ${localTime(sale.endsAt)}`);
    stock.update(sale);
    announce(statusChanged || first);
    buy.update();
    tick();
    if (first && session.token) findOpenHold();
  }

  // Screen readers hear the stock at most every few seconds (a rush changes it ten times a second),
  // and a change of status at once.
  let lastAnnounced = 0;
  let announceTimer = null;
  function announce(now) {
    const say = () => {
      lastAnnounced = Date.now();
      announceTimer = null;
      setText(announcer, `${saleStatus(sale.status)}. ${stockWords(sale)}.`);
    };
    if (now || Date.now() - lastAnnounced >= ANNOUNCE_EVERY_MS) say();
    else if (!announceTimer) announceTimer = setTimeout(say, ANNOUNCE_EVERY_MS - (Date.now() - lastAnnounced));
  }

  let startNudged = 0;
  function tick() {
    if (!sale) return;
    if (sale.status === 'UPCOMING') {
      const left = msUntil(sale.startsAt);
      setText(clock, left > 0 ? `Starts in ${countdown(left)}` : 'Starting…');
      // The stream says LIVE within a moment of the start; ask again if it is late (every 3 s at most).
      if (left < -1500 && Date.now() - startNudged > 3000) {
        startNudged = Date.now();
        follow.refresh();
      }
    } else if (sale.status === 'LIVE' || sale.status === 'SOLD_OUT') {
      setText(clock, `Ends in ${countdown(msUntil(sale.endsAt))}`);
    } else {
      setText(clock, '');
    }
  }

  function buySection() {
    const buyProblem = problemArea();
    const hint = h('p', { class: 'hint', id: 'buy-hint' });
    const button = h('button', { type: 'button', class: 'primary buy-button', 'aria-describedby': 'buy-hint stock-words',
      onclick: () => purchase() }, 'Buy now');
    const quantity = h('select', { id: 'quantity', name: 'quantity' });
    const quantityField = h('div', { class: 'field inline', hidden: true },
      h('label', { for: 'quantity' }, 'Quantity'), quantity);
    const element = h('section', { class: 'buy', 'aria-label': 'Buy' });
    let queue = null; // the waiting room's panel, while the sale has one
    let shown = '';
    stock.words.id = 'stock-words';

    function update() {
      const room = !!sale.waitingRoom;
      if (!session.token) {
        if (queue) stopQueue();
        if (shown !== `out:${room}`) {
          shown = `out:${room}`;
          replace(element, h('p', {}, h('a', { href: `#/account?next=${encodeURIComponent(`#/sale/${saleId}`)}` },
            'Log in or register'), room ? ' to join the queue.' : ' to buy.'));
        }
        return;
      }
      if (room && !queue) {
        queue = queuePanel({ session, saleId, purchase, onOpen: () => follow.refresh() });
      } else if (!room && queue) {
        stopQueue();
      }
      if (shown !== `in:${room}`) {
        shown = `in:${room}`;
        replace(element, quantityField, room ? queue.element : button, hint, buyProblem.element);
      }
      element.hidden = hold !== null;
      if (quantity.options.length !== sale.perUserLimit) {
        replace(quantity, Array.from({ length: sale.perUserLimit }, (_, i) => h('option', { value: i + 1 }, i + 1)));
      }
      quantityField.hidden = sale.perUserLimit <= 1;
      button.disabled = buying || sale.status !== 'LIVE';
      setText(button, buying ? 'Reserving…' : 'Buy now');
      setText(hint, {
        UPCOMING: room ? 'The queue’s order is drawn when the sale starts.' : 'The Buy button turns on when the sale starts.',
        LIVE: `You may buy up to ${sale.perUserLimit}; a purchase holds the units for ${Math.round(sale.holdSeconds / 60)} min while you pay.`,
        SOLD_OUT: 'Sold out for now: units come back on sale when other buyers’ holds expire or are cancelled.',
        ENDED: 'This sale has ended.',
        CANCELLED: 'This sale was cancelled.',
      }[sale.status] || '');
      if (queue) queue.update(sale);
    }

    function stopQueue() {
      queue.stop();
      queue = null;
    }

    /**
     * Buys (with the waiting room's admission pass, if given): true once the hold is shown, false when the
     * answer was a problem (shown under the buy section).
     */
    async function purchase(pass) {
      if (buying || !sale || (!pass && sale.status !== 'LIVE')) return false;
      buying = true;
      buyProblem.clear();
      update();
      const key = idempotencyKey(); // one key for this press and its retries
      const headers = { 'Idempotency-Key': key };
      if (pass) headers['Admission-Pass'] = pass;
      try {
        const order = await api(`/api/sales/${encodeURIComponent(saleId)}/purchase`, {
          method: 'POST', token: session.token, retry: true,
          headers, body: { quantity: Number(quantity.value || 1) } });
        rememberOrder(order);
        showHold(order, true);
        return true;
      } catch (failure) {
        buyProblem.show(failure);
        // NOT_ADMITTED: the sale has a waiting room (maybe opened since this page read it): read it again.
        if (['SOLD_OUT', 'NOT_STARTED', 'SALE_ENDED', 'SALE_CANCELLED', 'NOT_ADMITTED'].includes(failure.code)) follow.refresh();
        if (failure.code === 'NOT_ADMITTED' && queue) queue.passRefused();
        return false;
      } finally {
        buying = false;
        update();
      }
    }

    return { element, update, stop: () => queue && stopQueue() };
  }

  function showHold(order, focus) {
    if (hold) hold.stop();
    hold = holdPanel(order, {
      session,
      productName: sale.product.name || 'this product',
      onClosed: () => {
        hold = null;
        buy.update();
      },
    });
    replace(holdArea, hold.element);
    buy.update();
    if (focus) hold.focus();
  }

  /** This buyer's open hold on this sale, if any: from the orders this tab made and from My orders. */
  async function findOpenHold() {
    const candidates = new Set(recentOrders().filter((o) => o.saleId === saleId).map((o) => o.id));
    try {
      const mine = await api('/api/orders?limit=50', { token: session.token });
      mine.items.filter((o) => o.saleId === saleId && o.status === 'RESERVED').forEach((o) => candidates.add(o.id));
    } catch (ignored) {
      // the recent orders may still find it
    }
    for (const id of candidates) {
      try {
        const order = await api(`/api/orders/${encodeURIComponent(id)}`, { token: session.token });
        if (order.status === 'RESERVED' && msUntil(order.expiresAt) > 0 && !hold) {
          showHold(order, false);
          return;
        }
      } catch (ignored) {
        // gone or not this buyer's: not a hold to show
      }
    }
  }

  const stopTicking = everySecond(tick);
  return () => {
    follow.stop();
    stopTicking();
    if (hold) hold.stop();
    buy.stop();
    if (announceTimer) clearTimeout(announceTimer);
  };
}
