// #/sales: the sales (GET /api/sales, filtered by status, "Show more" through the cursor) and the form
// that schedules a new one. Each row opens the sale's live panel.

import { h, replace } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { localTime, money, saleStatus } from '../lib/format.js';
import { problemArea } from '../lib/problem-view.js';
import { scheduleForm } from './schedule-form.js';

const PAGE = 20;

export function salesView(main, { session }) {
  const problem = problemArea();
  const filter = h('select', { id: 'sales-filter' },
    [['', 'All'], ['upcoming', 'Upcoming'], ['live', 'Live or sold out'], ['ended', 'Ended or cancelled']]
      .map(([value, text]) => h('option', { value }, text)));
  const rows = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show more');
  const schedule = scheduleForm({
    session,
    onScheduled: (sale) => {
      window.location.hash = `#/sales/${encodeURIComponent(sale.id)}`;
    },
  });
  main.append(h('h1', {}, 'Sales'),
    h('div', { class: 'admin-grid' },
      h('section', { 'aria-labelledby': 'sales-title' },
        h('h2', { id: 'sales-title' }, 'All sales'),
        h('div', { class: 'field inline' }, h('label', { for: 'sales-filter' }, 'Show'), filter),
        problem.element,
        h('div', { class: 'table-wrap' }, h('table', {},
          h('thead', {}, h('tr', {}, ['Product', 'Status', 'Price', 'Stock', 'Available', 'Starts', 'Ends'].map((name, i) =>
            h('th', { scope: 'col', class: i >= 2 && i <= 4 ? 'number' : null }, name)))),
          rows)),
        more),
      schedule.element));

  let next = null;
  async function load(after) {
    more.disabled = true;
    try {
      const query = new URLSearchParams({ limit: PAGE });
      if (filter.value) query.set('status', filter.value);
      if (after) query.set('after', after);
      const page = await api(`/api/sales?${query}`);
      problem.clear();
      if (!after) replace(rows);
      page.items.forEach((sale) => rows.append(row(sale)));
      if (!after && page.items.length === 0) rows.append(h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No sales.')));
      next = page.next;
      more.hidden = !next;
    } catch (failure) {
      problem.show(failure);
    } finally {
      more.disabled = false;
    }
  }

  function row(sale) {
    return h('tr', { dataset: { saleId: sale.id } },
      h('td', {}, h('a', { href: `#/sales/${encodeURIComponent(sale.id)}` }, sale.product.name || sale.id)),
      h('td', {}, h('span', { class: `badge badge-${sale.status.toLowerCase()}` }, saleStatus(sale.status))),
      h('td', { class: 'number' }, money(sale.price)),
      h('td', { class: 'number' }, sale.stock),
      h('td', { class: 'number' }, sale.available),
      h('td', {}, localTime(sale.startsAt)),
      h('td', {}, localTime(sale.endsAt)));
  }

  filter.addEventListener('change', () => load(null));
  more.addEventListener('click', () => load(next));
  load(null);
  return null;
}
