// An admin (in New York time) logs in to /admin, creates and edits a product, schedules a sale of it a
// few seconds ahead with the pickers (checking the UTC shown beside them), and watches the sale's panel
// while a buyer reserves and pays: available, reserved and confirmed move, the chart grows, the orders
// table pages by keyset. Then adds stock, moves the end, and cancels the sale. Scheduling, adding stock
// and moving each send an Idempotency-Key of their own.

import { assertFitsMobile, newContext, screenshots } from '../lib/browser.mjs';
import { textMatches, until } from '../lib/wait.mjs';

export async function adminWatchesASale(browser, run) {
  const { api, baseUrl } = run;
  const context = await newContext(browser, run, { label: 'admin', timezoneId: 'America/New_York' });
  const page = await context.newPage();
  const changes = []; // the console's sale changes as sent: method, path and Idempotency-Key
  page.on('request', (request) => {
    const { pathname } = new URL(request.url());
    if (pathname.startsWith('/api/admin/sales') && ['POST', 'PATCH'].includes(request.method())) {
      const key = request.headers()['idempotency-key'] || '-';
      changes.push(`${request.method()} ${pathname.replace(/[0-9a-f-]{36}/, '{id}')} ${key}`);
    }
  });
  await page.goto(`${baseUrl}/admin`);

  run.log('a buyer cannot log in to the console; the admin can');
  await page.getByLabel('Email').fill(run.buyer.email);
  await page.getByLabel('Password').fill(run.buyer.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await textMatches(page.getByRole('alert'), /Not an admin/);
  await page.getByLabel('Email').fill(run.admin.email);
  await page.getByLabel('Password').fill(run.admin.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await textMatches(page.locator('#account'), new RegExp(`Admin ${run.admin.email}`));
  await textMatches(page.getByRole('heading', { level: 1 }), /^Sales$/);

  run.log('creates and edits a product');
  const name = `Trail shoes ${run.unique}`;
  await page.getByRole('link', { name: 'Products', exact: true }).click();
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Description').fill('Limited run, 3 colours.');
  await page.getByLabel('Image URL').fill('/img/sneakers.svg');
  await page.getByLabel('Price').fill('129.00');
  await page.getByRole('button', { name: 'Create product' }).click();
  const row = page.locator('tr', { hasText: name });
  await textMatches(row, /129\.00/);
  await page.getByRole('button', { name: `Edit ${name}` }).click();
  await page.getByLabel('Price').fill('119.00');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await textMatches(row, /119\.00/);
  await assertFitsMobile(page, 'the products page');

  run.log('schedules a sale a few seconds ahead, in local time shown as UTC');
  await page.getByRole('link', { name: 'Sales', exact: true }).click();
  await page.locator('#sale-product option', { hasText: name }).waitFor({ state: 'attached' });
  await page.getByLabel('Product').selectOption({ label: `${name} (119.00)` });
  await assertFitsMobile(page, 'the sales page');
  await page.getByLabel('Stock (units)').fill('10');
  const start = await instantFromNow(page, 8000);
  const startsAt = page.locator('#sale-startsAt');
  await startsAt.fill(start.local);
  await textMatches(page.locator('#sale-startsAt-utc'), new RegExp(`= ${start.utc} UTC`));
  if (start.local.slice(11, 13) === start.utc.slice(11, 13)) throw new Error('the admin is not in another time zone than UTC');
  await page.getByRole('group', { name: 'Ends at presets' }).getByRole('button', { name: 'In 1 h' }).click();
  await page.getByRole('button', { name: 'Schedule sale' }).click();

  run.log('watches the sale panel');
  await textMatches(page.getByRole('heading', { level: 1 }), new RegExp(name));
  const saleId = decodeURIComponent(new URL(page.url()).hash.split('/').pop());
  await textMatches(page.locator('.facts'), new RegExp(`${start.utc} UTC`));
  const count = (key) => page.locator(`[data-count="${key}"]`);
  await textMatches(count('stock'), /^10$/);
  await textMatches(page.locator('.status-line'), /live/i, { timeout: 30000 });

  const buyer = run.buyer.page;
  await buyer.goto(`${baseUrl}/#/sale/${saleId}`);
  await buyer.locator('.buy-button:enabled').click();
  await textMatches(buyer.getByRole('region', { name: 'Your hold' }), /Held for you for/);
  await textMatches(count('reserved'), /^1$/, { timeout: 5000 });
  await textMatches(count('available'), /^9$/);
  await buyer.getByRole('button', { name: 'Pay 119.00' }).click();
  await textMatches(buyer.getByRole('region', { name: 'Your hold' }), /Paid/);
  await textMatches(count('confirmed'), /^1$/, { timeout: 5000 });
  await textMatches(count('reserved'), /^0$/);
  await until('the chart to plot several samples', async () =>
    (await page.locator('.series-available').getAttribute('points')).split(' ').length >= 3);

  run.log('pages through the orders by keyset');
  for (let i = 0; i < 5; i += 1) {
    const token = await api.register(`rush-${i}-${run.unique}@example.com`);
    await api.purchase(token, saleId);
  }
  await textMatches(count('reserved'), /^5$/, { timeout: 5000 });
  await page.getByLabel('Rows per page').selectOption('5');
  const orderRows = page.locator('.orders-table tbody tr[data-order-id]');
  await until('6 orders in the read model (5 on page 1)', async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    return (await orderRows.count()) === 5 && !(await page.getByRole('button', { name: 'Next →' }).isDisabled());
  });
  await page.getByRole('button', { name: 'Next →' }).click();
  await textMatches(page.locator('.page-label'), /Page 2/);
  await until('1 order on page 2', async () => (await orderRows.count()) === 1);
  await page.getByRole('button', { name: '← Previous' }).click();
  await textMatches(page.locator('.page-label'), /Page 1/);
  await until('5 orders on page 1 again', async () => (await orderRows.count()) === 5);

  run.log('adds stock and moves the end');
  await page.getByLabel('Units to add').fill('5');
  await page.getByRole('button', { name: 'Add stock' }).click();
  await textMatches(count('stock'), /^15$/, { timeout: 5000 });
  const end = await instantFromNow(page, 2 * 3600 * 1000);
  await page.locator('#move-endsAt').fill(end.local);
  await page.getByRole('button', { name: 'Move', exact: true }).click();
  await textMatches(page.locator('.facts'), new RegExp(`${end.utc} UTC`));
  const keys = changes.map((change) => change.split(' ')[2]);
  const calls = changes.map((change) => change.split(' ').slice(0, 2).join(' '));
  if (calls.join(', ') !== 'POST /api/admin/sales, PATCH /api/admin/sales/{id}, PATCH /api/admin/sales/{id}'
    || !keys.every((key) => /^[0-9a-f]{32}$/.test(key)) || new Set(keys).size !== 3) {
    throw new Error(`schedule, add stock and move did not each send an Idempotency-Key of their own: ${changes}`);
  }
  run.screenshots.push(...await screenshots(page, run.screenshotDir, 'admin-sale-panel'));

  run.log('cancels the sale; the buyer\'s page follows');
  await page.getByRole('button', { name: 'Cancel this sale…' }).click();
  await page.getByRole('button', { name: 'Yes, cancel the sale' }).click();
  await textMatches(page.locator('.status-line'), /cancelled/i);
  await textMatches(count('reserved'), /^0$/, { timeout: 5000 });
  await textMatches(buyer.locator('.sale-info .status-line'), /cancelled/i, { timeout: 5000 });
  if (!(await buyer.getByRole('button', { name: 'Buy now' }).isDisabled())) {
    throw new Error('Buy now is enabled on a cancelled sale');
  }
  await context.close();
}
/**
 * An instant ms from now, to the second, as the page's datetime-local value (the browser's own time
 * zone, computed in the browser) and in UTC.
 */
function instantFromNow(page, ms) {
  return page.evaluate((offset) => {
    const at = new Date(Math.ceil((Date.now() + offset) / 1000) * 1000);
    const pad = (n) => String(n).padStart(2, '0');
    return {
      local: `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`,
      utc: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
  }, ms);
}

adminWatchesASale.title = 'an admin creates a product and a sale and watches its stats move during a purchase';
