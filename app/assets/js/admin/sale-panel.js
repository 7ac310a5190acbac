// #/sales/{id}: the live panel of one sale. Its status and availability follow the sale's SSE stream;
// the exact unit counts (GET /api/admin/sales/{id}/stats: available, reserved, confirmed, released) are
// read every 2 s and on every stream event (a payment changes no availability, so polling is needed
// too), plotted over time, and announced politely; below, the waiting room (its numbers from the same
// stats, pause / resume, admission rate; or a form to open one), the actions and the orders table.

import { h, replace, setBadge, setText } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { everyWhileVisible } from '../lib/clock.js';
import { localTime, money, saleStatus, utcTime } from '../lib/format.js';
import { followSale } from '../lib/live-sale.js';
import { problemArea } from '../lib/problem-view.js';
import { statsChart } from './chart.js';
import { ordersTable } from './orders-table.js';
import { roomPanel } from './room-panel.js';
import { saleActions } from './sale-actions.js';

const POLL_MS = 2000;
const MIN_GAP_MS = 500;
const ANNOUNCE_EVERY_MS = 5000;
const COUNTS = [['stock', 'Stock'], ['available', 'Available'], ['reserved', 'Reserved'], ['confirmed', 'Confirmed'],
  ['released', 'Released']];

export function salePanel(main, { session }, saleId) {
  const heading = h('h1', {}, 'Sale');
  const problem = problemArea();
  const badge = h('span', { class: 'badge' });
  const facts = h('dl', { class: 'facts' });
  const numbers = Object.fromEntries(COUNTS.map(([key]) => [key, h('dd', { class: 'count', dataset: { count: key } }, '–')]));
  const counts = h('dl', { class: 'counts' }, COUNTS.map(([key, label]) =>
    h('div', { class: `count-box count-${key}` }, h('dt', {}, label), numbers[key])));
  const announcer = h('p', { class: 'visually-hidden', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const connection = h('span', { class: 'connection' });
  const chart = statsChart();
  const roomSlot = h('div');
  const actionsSlot = h('div');
  const orders = ordersTable(saleId, { session });
  main.append(h('p', { class: 'crumbs' }, h('a', { href: '#/sales' }, '← All sales')), heading, problem.element,
    h('p', { class: 'status-line' }, badge, ' ', connection),
    facts,
    h('section', { class: 'card live-panel', 'aria-labelledby': 'live-title' },
      h('h2', { id: 'live-title' }, 'Units now'), counts, announcer, chart.element),
    roomSlot,
    actionsSlot,
    orders.element);

  let sale = null;
  let actions = null;
  let room = null;
  let stopped = false;

  function showSale(next) {
    sale = next;
    setText(heading, sale.product.name || 'Sale');
    document.title = `${sale.product.name || 'Sale'} · FlashSale admin`;
    setBadge(badge, sale.status, saleStatus(sale.status));
    replace(facts,
      fact('Price', money(sale.price)),
      fact('Starts', `${localTime(sale.startsAt, { seconds: true })} (${utcTime(sale.startsAt)} UTC)`),
      fact('Ends', `${localTime(sale.endsAt, { seconds: true })} (${utcTime(sale.endsAt)} UTC)`),
      fact('Per buyer', `${sale.perUserLimit} at most`),
      fact('Hold', `${sale.holdSeconds} s`),
      fact('Sale id', h('code', {}, sale.id)));
    if (!actions) {
      actions = saleActions(sale, { session, onChanged: (changed) => {
        follow.refresh();
        readStats();
        showSale({ ...sale, ...changed });
      } });
      replace(actionsSlot, actions.element);
    }
    if (!room) {
      room = roomPanel(sale, { session, onChanged: (changed) => {
        follow.refresh();
        readStats();
        showSale({ ...sale, ...changed });
      } });
      replace(roomSlot, room.element);
    } else {
      room.update(sale);
    }
  }

  const follow = followSale(saleId, {
    onSale: (next) => {
      const statusChanged = sale && sale.status !== next.status;
      showSale(next);
      if (statusChanged && actions) actions.update(next);
      readStats();
    },
    onConnection: (state) => setText(connection, state === 'live' ? 'Live' : state === 'closed' ? '' : 'Reconnecting…'),
    onError: (failure) => {
      problem.show(failure);
      if (failure.code === 'NOT_FOUND' || failure.code === 'VALIDATION') follow.stop();
    },
  });

  // Stats: at most one request in flight and one every MIN_GAP_MS; a request asked for meanwhile follows.
  let inFlight = false;
  let again = false;
  let lastRead = 0;
  async function readStats() {
    if (stopped) return;
    if (inFlight || Date.now() - lastRead < MIN_GAP_MS) {
      again = true;
      return;
    }
    inFlight = true;
    lastRead = Date.now();
    try {
      const stats = await api(`/api/admin/sales/${encodeURIComponent(saleId)}/stats`, { token: session.token });
      if (!stopped) showStats(stats);
    } catch (failure) {
      if (!stopped) problem.show(failure);
    } finally {
      inFlight = false;
      if (again && !stopped) {
        again = false;
        setTimeout(readStats, MIN_GAP_MS);
      }
    }
  }

  let lastAnnounced = 0;
  let previous = null;
  function showStats(stats) {
    COUNTS.forEach(([key]) => setText(numbers[key], stats[key]));
    chart.add(stats);
    if (room) room.showStats(stats.waitingRoom || null);
    const changed = !previous || COUNTS.some(([key]) => previous[key] !== stats[key]);
    previous = stats;
    if (changed && Date.now() - lastAnnounced >= ANNOUNCE_EVERY_MS) {
      lastAnnounced = Date.now();
      setText(announcer, `${stats.available} available, ${stats.reserved} reserved, ${stats.confirmed} confirmed, `
        + `${stats.released} released.`);
    }
  }

  const stopPolling = everyWhileVisible(POLL_MS, readStats);
  readStats();

  return () => {
    stopped = true;
    stopPolling();
    follow.stop();
    orders.stop();
    chart.stop();
  };
}

function fact(term, value) {
  return h('div', { class: 'fact' }, h('dt', {}, term), h('dd', {}, value));
}
