// A small SVG line chart of a sale's units over time: available, reserved, confirmed and released, one
// sample per stats reading, the last 10 minutes. Lines differ by dash as well as colour; the numbers
// themselves are in the panel's list, so the chart is described in one sentence for screen readers.
// The drawing is as wide as its box in pixels (redrawn on resize), so its text stays legible at 360 px.

import { h, replace } from '../lib/dom.js';

const SERIES = [
  { key: 'available', label: 'Available', color: '#1e7d43', dash: null },
  { key: 'reserved', label: 'Reserved', color: '#1f5fbf', dash: '6 4' },
  { key: 'confirmed', label: 'Confirmed', color: '#6b2fa6', dash: null },
  { key: 'released', label: 'Released', color: '#c25e00', dash: '2 4' },
];
const HEIGHT = 200;
const PAD = { left: 40, right: 10, top: 10, bottom: 24 };
const WINDOW_MS = 10 * 60 * 1000;

export function statsChart() {
  const samples = [];
  let width = 600;
  const svg = h('svg:svg', { viewBox: `0 0 600 ${HEIGHT}`, class: 'chart', role: 'img',
    'aria-label': 'Chart of the units over time' });
  const legend = h('ul', { class: 'legend' }, SERIES.map((s) => h('li', {},
    h('svg:svg', { viewBox: '0 0 24 8', width: 24, height: 8, 'aria-hidden': 'true' },
      h('svg:line', { x1: 0, y1: 4, x2: 24, y2: 4, stroke: s.color, 'stroke-width': 3, 'stroke-dasharray': s.dash })),
    ` ${s.label}`)));
  const element = h('figure', { class: 'chart-box' }, svg, h('figcaption', {}, legend));

  function add(stats, at = Date.now()) {
    samples.push({ at, ...stats });
    while (samples.length > 2 && samples[0].at < at - WINDOW_MS) samples.shift();
    draw();
  }

  function draw() {
    if (samples.length === 0) return;
    width = Math.max(280, Math.round(svg.getBoundingClientRect().width) || 600);
    svg.setAttribute('viewBox', `0 0 ${width} ${HEIGHT}`);
    const last = samples[samples.length - 1];
    const first = samples[0];
    const span = Math.max(last.at - first.at, 60000);
    const top = Math.max(1, ...samples.map((s) => s.stock));
    const x = (at) => PAD.left + ((at - (last.at - span)) / span) * (width - PAD.left - PAD.right);
    const y = (units) => HEIGHT - PAD.bottom - (units / top) * (HEIGHT - PAD.top - PAD.bottom);
    const grid = [0, 0.5, 1].map((share) => {
      const units = Math.round(top * share);
      return [
        h('svg:line', { x1: PAD.left, x2: width - PAD.right, y1: y(units), y2: y(units), class: 'grid' }),
        h('svg:text', { x: PAD.left - 6, y: y(units) + 4, 'text-anchor': 'end', class: 'axis' }, units),
      ];
    });
    const minutes = Math.round(span / 60000);
    const axis = [
      h('svg:text', { x: PAD.left, y: HEIGHT - 6, class: 'axis' }, `${minutes} min ago`),
      h('svg:text', { x: width - PAD.right, y: HEIGHT - 6, 'text-anchor': 'end', class: 'axis' }, 'now'),
    ];
    const lines = SERIES.map((s) => h('svg:polyline', {
      points: samples.map((sample) => `${x(sample.at).toFixed(1)},${y(sample[s.key]).toFixed(1)}`).join(' '),
      fill: 'none', stroke: s.color, 'stroke-width': 2.5, 'stroke-dasharray': s.dash, 'stroke-linejoin': 'round',
      class: `series series-${s.key}`,
    }));
    replace(svg, grid, axis, lines);
    svg.setAttribute('aria-label', `Chart of the last ${minutes} min: now ${last.available} available, `
      + `${last.reserved} reserved, ${last.confirmed} confirmed, ${last.released} released.`);
  }

  const resized = new ResizeObserver(() => {
    if (Math.round(svg.getBoundingClientRect().width) !== width) draw();
  });
  resized.observe(svg);
  return { element, add, stop: () => resized.disconnect() };
}
