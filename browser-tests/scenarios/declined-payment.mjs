// Another buyer (on a 360 px screen) buys the same sale: a first purchase answered 503 is retried after
// its Retry-After with a visible notice and the same Idempotency-Key; a declined payment shows the
// gateway's answer and keeps the hold (also after a reload). Then the sale sells out while the tab is
// open, the tab goes to the background (its stream closes) while a unit comes back, and on coming back it
// shows the sale live again (a stale tab never shows a wrong "sold out"); cancelling puts the buyer's
// unit back on sale.

import { MOBILE, assertFitsMobile, newContext, setTabVisibility } from '../lib/browser.mjs';
import { textMatches, until } from '../lib/wait.mjs';

export async function declinedPaymentKeepsTheHold(browser, run) {
  const { api, adminToken, baseUrl, sale } = run;
  const context = await newContext(browser, run, { viewport: MOBILE, label: 'buyer-bob' });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/#/account?next=${encodeURIComponent(`#/sale/${sale.id}`)}`);
  const register = page.locator('form', { has: page.getByRole('heading', { name: 'Register' }) });
  await register.getByLabel('Name').fill('Bob');
  await register.getByLabel('Email').fill(`bob-${run.unique}@example.com`);
  await register.getByLabel('Password').fill('short');
  await register.getByRole('button', { name: 'Create account' }).click();
  await textMatches(register.getByRole('alert'), /Invalid request/);
  await assertFitsMobile(page, 'the account page');
  await register.getByLabel('Password').fill('battery-staple');
  await register.getByRole('button', { name: 'Create account' }).click();
  await textMatches(page.getByRole('heading', { level: 1 }), new RegExp(run.product.name));

  run.log('the first purchase answer is a 503: a notice, then the retry after Retry-After');
  const keys = [];
  await page.route(`**/api/sales/${sale.id}/purchase`, (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    if (keys.length > 1) return route.continue();
    return route.fulfill({ status: 503, headers: { 'Retry-After': '1' }, contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'about:blank', title: 'Service overloaded', status: 503, code: 'OVERLOADED',
        detail: 'Too many purchases in flight; retry shortly' }) });
  });
  await page.locator('.buy-button:enabled').click();
  await textMatches(page.locator('#notices'), /Service overloaded: Too many purchases in flight; retry shortly Retrying in 1 s/);
  const hold = page.getByRole('region', { name: 'Your hold' });
  await textMatches(hold, /Held for you for/);
  if (keys.length !== 2 || !keys[0] || keys[0] !== keys[1]) {
    throw new Error(`the retry must reuse the Idempotency-Key: ${JSON.stringify(keys)}`);
  }
  await page.unroute(`**/api/sales/${sale.id}/purchase`);
  await textMatches(page.locator('.stock-words'), /^3 of 5 left/, { timeout: 5000 });

  run.log('a declined payment keeps the hold');
  await page.getByLabel('Card token (simulated)').fill('decline-insufficient-funds');
  await page.getByRole('button', { name: 'Pay 49.99' }).click();
  await textMatches(hold.getByRole('alert'), /Payment declined/);
  await textMatches(hold, /Status: Reserved/i);
  await textMatches(hold, /Held for you for 0?4:\d\d/);

  run.log('the hold is still there after a reload');
  await page.reload();
  await textMatches(page.getByRole('region', { name: 'Your hold' }), /Status: Reserved/i);
  await textMatches(page.locator('.stock-words'), /^3 of 5 left/);

  run.log('the sale sells out while the tab is open');
  const rush = [];
  for (let i = 0; i < 3; i += 1) {
    const token = await api.register(`sellout-${i}-${run.unique}@example.com`);
    rush.push({ token, order: await api.purchase(token, sale.id) });
  }
  await textMatches(page.locator('.stock-words'), /^Sold out for now \(0 of 5 left\)/, { timeout: 5000 });
  await textMatches(page.locator('.sale-info .status-line'), /sold out/i);

  run.log('in the background while a unit comes back; back in front, the tab shows the sale live again');
  await setTabVisibility(page, 'hidden');
  await until('the hidden tab to close its stream', async () => (await page.locator('.connection').innerText()) === '');
  await api.cancel(rush[0].token, rush[0].order.id);
  await until('the unit to be back on sale', async () => (await api.stats(adminToken, sale.id)).available === 1);
  await textMatches(page.locator('.stock-words'), /^Sold out for now/); // what the tab knew when hidden
  await setTabVisibility(page, 'visible');
  await textMatches(page.locator('.stock-words'), /^1 of 5 left/, { timeout: 5000 });
  await textMatches(page.locator('.sale-info .status-line'), /live/i);
  await textMatches(page.locator('.connection'), /Live updates on/, { timeout: 5000 });

  run.log('cancels the hold: the unit is back on sale');
  await page.getByRole('button', { name: 'Cancel hold' }).click();
  await textMatches(page.getByRole('region', { name: 'Your hold' }), /The hold was cancelled/);
  await textMatches(page.locator('.stock-words'), /^2 of 5 left/, { timeout: 5000 });
  await page.locator('.buy-button:enabled').waitFor();
  await until('the entity to count 1 confirmed, 2 reserved and 2 released', async () => {
    const stats = await api.stats(adminToken, sale.id);
    return (stats.available === 2 && stats.reserved === 2 && stats.confirmed === 1 && stats.released === 2) || stats;
  });
  await context.close();
}
declinedPaymentKeepsTheHold.title = 'another buyer\'s declined payment keeps the hold; a 503 is retried with a notice; a stale tab never shows a wrong sold out';
