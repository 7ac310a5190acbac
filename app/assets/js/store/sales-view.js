// #/: the live and upcoming sales (GET /api/sales?status=live|upcoming). The first few cards follow their
// sale's SSE stream (a browser has ~6 connections per server, shared by all its tabs, so not one stream
// per card); the list itself is fetched again every 15 s, when the tab comes back and when a countdown
// reaches a start, so every card, followed or not, ends up showing the server's state.

import { h, replace } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { everySecond, everyWhileVisible } from '../lib/clock.js';
import { followSale } from '../lib/live-sale.js';
import { problemArea } from '../lib/problem-view.js';
import { saleCard } from './sale-card.js';

const FOLLOWED = 3;
const REFRESH_MS = 15000;

export function salesView(main) {
  const problem = problemArea();
  const liveList = h('ul', { class: 'cards', 'aria-labelledby': 'live-title' });
  const upcomingList = h('ul', { class: 'cards', 'aria-labelledby': 'upcoming-title' });
  const liveEmpty = h('p', { class: 'empty', hidden: true }, 'No sale is live right now.');
  const upcomingEmpty = h('p', { class: 'empty', hidden: true }, 'Nothing scheduled yet. Check back soon.');
  main.append(
    h('h1', {}, 'Flash sales'),
    problem.element,
    h('section', { 'aria-labelledby': 'live-title' }, h('h2', { id: 'live-title' }, 'Live now'), liveEmpty, liveList),
    h('section', { 'aria-labelledby': 'upcoming-title' },
      h('h2', { id: 'upcoming-title' }, 'Coming up'), upcomingEmpty, upcomingList));

  const cards = new Map(); // sale id → card
  const follows = new Map(); // sale id → followSale handle
  let layout = '';
  let stopped = false;
  let refreshing = false;
  let lastDueLoad = 0;

  async function load() {
    if (refreshing || stopped) return;
    refreshing = true;
    try {
      const [live, upcoming] = await Promise.all([
        api('/api/sales?status=live&limit=50'), api('/api/sales?status=upcoming&limit=50')]);
      if (stopped) return;
      problem.clear();
      show(live.items, upcoming.items);
    } catch (failure) {
      if (!stopped) problem.show(failure);
    } finally {
      refreshing = false;
    }
  }

  function show(live, upcoming) {
    upcoming.sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
    const nextLayout = [...live, ...upcoming].map((s) => `${s.id}:${s.status === 'UPCOMING'}`).join(',');
    for (const sale of [...live, ...upcoming]) {
      if (cards.has(sale.id)) {
        if (!follows.has(sale.id)) cards.get(sale.id).update(sale);
      } else {
        cards.set(sale.id, saleCard(sale));
      }
    }
    if (nextLayout !== layout) {
      layout = nextLayout;
      const focused = document.activeElement && main.contains(document.activeElement)
        ? document.activeElement.getAttribute('href') : null;
      replace(liveList, live.map((s) => cards.get(s.id).element));
      replace(upcomingList, upcoming.map((s) => cards.get(s.id).element));
      liveEmpty.hidden = live.length > 0;
      upcomingEmpty.hidden = upcoming.length > 0;
      if (focused) main.querySelector(`a[href="${CSS.escape(focused)}"]`)?.focus();
      followFirst([...live, ...upcoming].slice(0, FOLLOWED).map((s) => s.id));
    }
  }

  function followFirst(ids) {
    for (const [id, follow] of follows) {
      if (!ids.includes(id)) {
        follow.stop();
        follows.delete(id);
      }
    }
    for (const id of ids) {
      if (!follows.has(id)) {
        follows.set(id, followSale(id, { onSale: (sale) => cards.get(id)?.update(sale) }));
      }
    }
  }

  const stopTicking = everySecond(() => {
    let due = false;
    cards.forEach((card) => {
      due = card.tick() || due;
    });
    // A start or end passed: the list's sections change once the server says so (at most every 5 s).
    if (due && Date.now() - lastDueLoad > 5000) {
      lastDueLoad = Date.now();
      setTimeout(load, 1500);
    }
  });
  const stopRefreshing = everyWhileVisible(REFRESH_MS, load);
  const onVisibility = () => {
    if (document.visibilityState === 'visible') load();
  };
  document.addEventListener('visibilitychange', onVisibility);
  load();

  return () => {
    stopped = true;
    stopTicking();
    stopRefreshing();
    document.removeEventListener('visibilitychange', onVisibility);
    follows.forEach((follow) => follow.stop());
  };
}
