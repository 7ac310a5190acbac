// The stock bar and its words ("37 of 100 left"), shared by the storefront's cards and sale page. The
// bar is decoration (hidden from screen readers); the words carry the information.

import { h, setText } from './dom.js';

export function stockMeter() {
  const fill = h('span', { class: 'stock-fill' });
  const bar = h('div', { class: 'stock-bar', 'aria-hidden': 'true' }, fill);
  const words = h('p', { class: 'stock-words' });
  const element = h('div', { class: 'stock' }, bar, words);
  return {
    element,
    words,
    update({ available, stock, status }) {
      const share = stock > 0 ? Math.max(0, Math.min(1, available / stock)) : 0;
      fill.style.width = `${(share * 100).toFixed(1)}%`;
      bar.classList.toggle('stock-low', share > 0 && share <= 0.1);
      setText(words, stockWords({ available, stock, status }));
    },
  };
}

export function stockWords({ available, stock, status }) {
  if (status === 'SOLD_OUT' || (status === 'LIVE' && available === 0)) return `Sold out for now (0 of ${stock} left)`;
  if (status === 'UPCOMING') return `${stock} available at the start`;
  return `${available} of ${stock} left`;
}
