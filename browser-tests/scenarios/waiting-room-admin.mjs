// The admin console runs a sale's waiting room: on the sale's panel the room's numbers (from the stats,
// every 2 s) show the buyer the storefront scenario admitted; Pause, Resume and a new admission rate change
// the room live (checked through the stats API). A room is opened on a sale that has none, and a sale is
// scheduled with one.

import { newContext, screenshots } from '../lib/browser.mjs';
import { textMatches, until } from '../lib/wait.mjs';

export async function adminRunsTheRoom(browser, run) {
  const { api, adminToken, baseUrl } = run;
  const sale = run.roomSale;
  const context = await newContext(browser, run, { label: 'admin-room' });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/admin#/sales/${sale.id}`);
  await page.getByLabel('Email').fill(run.admin.email);
  await page.getByLabel('Password').fill(run.admin.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await textMatches(page.getByRole('heading', { level: 1 }), new RegExp(run.roomProduct.name));

  run.log('the room\'s numbers show the admitted buyer and the purchase');
  const panel = page.getByRole('region', { name: 'Waiting room' });
  const number = (key) => panel.locator(`[data-room="${key}"]`);
  await textMatches(number('joined'), /^[1-9]\d*$/);
  await textMatches(number('admitted'), /^[1-9]\d*$/);
  await textMatches(number('purchased'), /^1$/);
  await textMatches(number('phase'), /admitting/i);
  await textMatches(panel, /Difficulty 8 bits/);

  run.log('pauses, resumes and sets the admission rate');
  const room = async () => (await api.stats(adminToken, sale.id)).waitingRoom;
  await panel.getByRole('button', { name: 'Pause admission' }).click();
  await until('the room to be paused', async () => (await room()).paused === true || room());
  await textMatches(number('phase'), /paused/i, { timeout: 5000 });
  run.screenshots.push(...await screenshots(page, run.screenshotDir, 'admin-room-panel'));
  await panel.getByRole('button', { name: 'Resume admission' }).click();
  await until('the room to admit again', async () => (await room()).paused === false || room());
  await textMatches(number('phase'), /admitting/i, { timeout: 5000 });
  await panel.locator('#room-rate').fill('25');
  await panel.getByRole('button', { name: 'Set rate' }).click();
  await until('the admission rate to be 25', async () => {
    const now = await room();
    return now.admissionRate === 25 || now;
  });

  run.log('opens a room on a sale without one');
  const plain = await api.createSale(adminToken, run.roomProduct.id, { stock: 10, startsInMs: 3600 * 1000 });
  await page.goto(`${baseUrl}/admin#/sales/${plain.id}`);
  await textMatches(panel, /This sale has no waiting room/);
  await panel.getByLabel('Proof-of-work difficulty (bits)').fill('10');
  await panel.locator('#open-room-rate').fill('40');
  await panel.getByRole('button', { name: 'Open a waiting room' }).click();
  await panel.getByRole('button', { name: 'Pause admission' }).waitFor();
  const opened = (await api.sale(plain.id)).waitingRoom;
  if (!opened || opened.difficulty !== 10 || opened.admissionRate !== 40) {
    throw new Error(`the room was not opened as asked: ${JSON.stringify(opened)}`);
  }

  run.log('schedules a sale with a room');
  await page.getByRole('link', { name: 'Sales', exact: true }).click();
  const name = `${run.roomProduct.name} (${run.roomProduct.price})`;
  await page.locator('#sale-product option', { hasText: run.roomProduct.name }).waitFor({ state: 'attached' });
  await page.getByLabel('Product').selectOption({ label: name });
  await page.getByLabel('Stock (units)').fill('30');
  await page.getByRole('group', { name: 'Starts at presets' }).getByRole('button', { name: 'In 10 min' }).click();
  await page.getByRole('group', { name: 'Ends at presets' }).getByRole('button', { name: 'In 1 h' }).click();
  await page.getByLabel('Open a waiting room').check();
  await page.getByLabel('Proof-of-work difficulty (bits)').fill('9');
  await page.getByLabel('Admission rate (buyers a second)').fill('30');
  await page.getByRole('button', { name: 'Schedule sale' }).click();
  await textMatches(page.getByRole('heading', { level: 1 }), new RegExp(run.roomProduct.name));
  await panel.getByRole('button', { name: 'Pause admission' }).waitFor();
  const scheduled = await api.sale(decodeURIComponent(new URL(page.url()).hash.split('/').pop()));
  const terms = scheduled.waitingRoom;
  if (!terms || terms.difficulty !== 9 || terms.admissionRate !== 30
    || Date.parse(scheduled.startsAt) - Date.parse(terms.prequeueOpensAt) !== 15 * 60 * 1000) {
    throw new Error(`the sale was not scheduled with the room asked for: ${JSON.stringify(scheduled)}`);
  }
  await context.close();
}
adminRunsTheRoom.title = 'an admin watches a waiting room, pauses, resumes and sets its rate, opens one and schedules a sale with one';
