// A sale with a waiting room, in the storefront. A buyer joins its queue before the start (a proof of work
// at 8 bits, then the pre-queue, whose order is drawn at the start), reloads and keeps the place (the kept
// ticket joins again, no new challenge), follows it on the check-in stream, is admitted after the start
// and the page buys by itself with the Admission-Pass: the order is RESERVED. A purchase without a pass is
// 403 NOT_ADMITTED. Then another buyer does it with the keyboard alone, in a paused room, with the stream
// cut short each time (so the page falls back to polling): Tab reaches Join the queue (with a visible
// focus), Space joins, the live region says the place and that admission is paused; the admin resumes, the
// page buys, the focus moves to the hold, and Enter pays.
//
// The node's room heartbeat decides how soon the first admission comes after a start: run it with
// FLASHSALE_ROOM_HEARTBEAT=1s (BrowserIT sets flashsale.waiting-room.heartbeat) to keep this short.

import { newContext, screenshots } from '../lib/browser.mjs';
import { tabTo, textMatches, until } from '../lib/wait.mjs';

const ROOM = { difficulty: 8, admissionRate: 100 };

export async function buyerQueuesAndBuys(browser, run) {
  const { api, adminToken, baseUrl } = run;
  const product = await api.createProduct(adminToken, { name: `Festival pass ${run.unique}`,
    description: 'One per fan; a waiting room keeps the rush fair.', imageUrl: '/img/sneakers.svg', price: '120.00' });
  const sale = await api.createSale(adminToken, product.id, { stock: 20, startsInMs: 7000, price: '99.00',
    waitingRoom: { ...ROOM, prequeueOpensAt: new Date(Date.now() - 1000).toISOString() } });
  run.roomSale = sale;
  run.roomProduct = product;
  const email = `cleo-${run.unique}@example.com`;
  const password = 'queue-patiently';
  await api.register(email, 'Cleo', password);

  const context = await newContext(browser, run, { label: 'buyer-cleo' });
  const page = await context.newPage();
  const calls = []; // the page's requests about this sale: method, path, Admission-Pass, body
  page.on('request', (request) => {
    const { pathname } = new URL(request.url());
    if (pathname.startsWith(`/api/sales/${sale.id}/`)) {
      calls.push({ method: request.method(), path: pathname.slice(`/api/sales/${sale.id}`.length),
        pass: request.headers()['admission-pass'] || null, body: request.postData() || '' });
    }
  });
  await page.goto(`${baseUrl}/#/account?next=${encodeURIComponent(`#/sale/${sale.id}`)}`);
  const login = page.locator('form', { has: page.getByRole('heading', { name: 'Log in' }) });
  await login.getByLabel('Email').fill(email);
  await login.getByLabel('Password').fill(password);
  await login.getByRole('button', { name: 'Log in' }).click();
  await textMatches(page.getByRole('heading', { level: 1 }), new RegExp(product.name));

  run.log('the sale page offers the queue, not Buy now');
  const queue = page.getByRole('region', { name: 'Waiting room' });
  await textMatches(queue, /arriving early gives no advantage/);
  if (await page.getByRole('button', { name: 'Buy now' }).count()) throw new Error('Buy now is offered in a sale with a waiting room');

  run.log('joins the queue before the start: proof of work, then the pre-queue');
  await queue.getByRole('button', { name: 'Join the queue' }).click();
  await textMatches(queue, /You’re in the pre-queue\. The order is drawn at the start, .*: arriving early gives no advantage/);
  await textMatches(queue.locator('.queue-state'), /pre-queue/i);
  // For the screenshot, the pre-queue's count once the room has counted this buyer (a second or two).
  await textMatches(queue.locator('[data-queue="waiting"]'), /^[1-9]\d*$/, { timeout: 3000 })
    .catch(() => run.log('(the pre-queue count is not shown yet)'));
  run.screenshots.push(...await screenshots(page, run.screenshotDir, 'queue-prequeue'));

  run.log('a reload keeps the place: the kept ticket joins again, no new challenge');
  await page.reload();
  // Still in the pre-queue, or (on a slow machine) already admitted and holding.
  await textMatches(page.locator('.sale-info'), /You’re in the pre-queue|Held for you for/);
  const challenges = calls.filter((c) => c.path === '/queue/challenge').length;
  const rejoins = calls.filter((c) => c.method === 'POST' && c.path === '/queue' && c.body.includes('"ticket"')).length;
  if (challenges !== 1 || rejoins !== 1) {
    throw new Error(`a reload must join again with the kept ticket: ${challenges} challenges, ${rejoins} joins with a ticket`);
  }

  run.log('admitted after the start, the page buys by itself with the pass');
  const hold = page.getByRole('region', { name: 'Your hold' });
  await textMatches(hold, /Held for you for/, { timeout: 30000 });
  if (!calls.some((c) => c.path === '/queue/events')) throw new Error('the page did not follow its place on the stream');
  const purchases = calls.filter((c) => c.path === '/purchase');
  if (purchases.length !== 1 || !purchases[0].pass) {
    throw new Error(`the page must buy once, with the Admission-Pass: ${JSON.stringify(purchases.map((p) => !!p.pass))}`);
  }
  const token = await api.login(email, password);
  await until('the order to be RESERVED', async () => {
    const { items } = await api.call('GET', '/api/orders?limit=5', { token });
    return items.some((o) => o.saleId === sale.id && o.status === 'RESERVED') || items.map((o) => o.status);
  }, { timeout: 5000 });

  run.log('a purchase without a pass is refused');
  const other = await api.register(`dan-${run.unique}@example.com`);
  const refused = await api.attempt('POST', `/api/sales/${sale.id}/purchase`, { token: other, body: { quantity: 1 } });
  if (refused.status !== 403 || refused.json?.code !== 'NOT_ADMITTED') {
    throw new Error(`a purchase without a pass answered ${refused.status} ${JSON.stringify(refused.json)}`);
  }
  await until('the room to count the purchase', async () => {
    const stats = await api.stats(adminToken, sale.id);
    return (stats.reserved === 1 && stats.waitingRoom?.purchased === 1) || stats;
  }, { timeout: 8000 });
  await context.close();
}
buyerQueuesAndBuys.title = 'a buyer joins a sale\'s waiting room, keeps the place over a reload, is admitted and the page buys by itself';

export async function keyboardBuyerQueues(browser, run) {
  const { api, adminToken, baseUrl } = run;
  const sale = await api.createSale(adminToken, run.roomProduct.id, { stock: 5, startsInMs: 1000, price: '95.00',
    waitingRoom: { ...ROOM, paused: true, prequeueOpensAt: new Date(Date.now() - 1000).toISOString() } });
  const email = `eve-${run.unique}@example.com`;
  const password = 'keyboard-only';
  await api.register(email, 'Eve', password);

  const context = await newContext(browser, run, { label: 'buyer-eve-keyboard' });
  const page = await context.newPage();
  // Every check-in stream ends at once (as behind a proxy that cuts them): the page must poll instead.
  let polls = 0;
  await page.route(`**/api/sales/${sale.id}/queue/events?**`, (route) => route.fulfill({ status: 200,
    contentType: 'text/event-stream', headers: { 'Cache-Control': 'no-cache' }, body: '' }));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (request.method() === 'GET' && url.pathname === `/api/sales/${sale.id}/queue` && url.searchParams.get('ticket')) polls += 1;
  });
  await page.goto(`${baseUrl}/#/account?next=${encodeURIComponent(`#/sale/${sale.id}`)}`);

  run.log('logs in with the keyboard');
  const login = page.locator('form', { has: page.getByRole('heading', { name: 'Log in' }) });
  await tabTo(page, login.getByLabel('Email'));
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await textMatches(page.getByRole('heading', { level: 1 }), new RegExp(run.roomProduct.name));

  const join = page.getByRole('button', { name: 'Join the queue' });
  await join.waitFor();
  await page.locator('#queue-announcer').evaluate((region) => {
    window.saidByQueue = [];
    new MutationObserver(() => window.saidByQueue.push(region.textContent))
      .observe(region, { childList: true, characterData: true, subtree: true });
  });
  const said = () => page.evaluate(() => window.saidByQueue);

  run.log('Tab reaches Join the queue with a visible focus; Space joins');
  const tabs = await tabTo(page, join);
  const focus = await join.evaluate((button) => ({ visible: button.matches(':focus-visible'),
    outline: getComputedStyle(button).outlineStyle }));
  if (!focus.visible || focus.outline === 'none') throw new Error(`the focused Join button shows no focus: ${JSON.stringify(focus)}`);
  await page.keyboard.press('Space');
  await until('the live region to say the place in the paused room', async () => {
    const words = await said();
    return words.some((text) => /Admission is paused\. You keep your place: position \d+/.test(text)) || words;
  }, { timeout: 10000 });
  const queue = page.getByRole('region', { name: 'Waiting room' });
  await textMatches(queue, /paused admission/i);
  await textMatches(queue.locator('[data-queue="position"]'), /^\d+$/);
  if (!(await page.evaluate(() => document.activeElement && document.activeElement.id === 'queue-title'))) {
    throw new Error('the focus did not move to the queue after joining');
  }
  run.screenshots.push(...await screenshots(page, run.screenshotDir, 'queue-page'));

  run.log(`reached Join in ${tabs} Tab presses; the admin resumes, the page buys by itself`);
  await api.changeSale(adminToken, sale.id, { waitingRoom: { paused: false } });
  const hold = page.getByRole('region', { name: 'Your hold' });
  await textMatches(hold, /Held for you for/, { timeout: 30000 });
  if (!(await page.evaluate(() => document.activeElement?.id === 'hold-title'))) {
    throw new Error('the focus did not move to the hold after the purchase');
  }
  const words = await said();
  if (!words.some((text) => /your turn/i.test(text))) throw new Error(`the live region never said it was the buyer's turn: ${words}`);
  if (polls < 2) throw new Error(`with the stream cut short, the page must poll its place: ${polls} polls`);

  run.log('pays with the keyboard');
  await tabTo(page, page.getByRole('button', { name: 'Pay 95.00' }));
  await page.keyboard.press('Enter');
  await textMatches(hold, /Paid: your order is confirmed/);
  run.log(`${polls} polls; the live region said: ${[...new Set(words)].join(' | ')}`);
  await context.close();
}
keyboardBuyerQueues.title = 'a keyboard-only buyer joins a paused room, hears the place, is admitted when it resumes, buys and pays';
