// A buyer registers, waits on the sale page for the sale to go live, buys with the keyboard alone, sees
// the stock drop in a second tab (SSE), pays and finds the order CONFIRMED in My orders.

import { newContext, screenshots } from '../lib/browser.mjs';
import { tabTo, textMatches } from '../lib/wait.mjs';

export async function buyerBuys(browser, run) {
  const { api, adminToken, baseUrl } = run;
  const product = await api.createProduct(adminToken, { name: `Sneakers ${run.unique}`,
    description: 'Limited run of 5 pairs, one per buyer.', imageUrl: '/img/sneakers.svg', price: '89.99' });
  const sale = await api.createSale(adminToken, product.id, { stock: 5, startsInMs: 12000, price: '49.99' });
  const later = await api.createProduct(adminToken, { name: `Trail jacket ${run.unique}`,
    description: 'Waterproof, 3 colours.', price: '159.00' });
  await api.createSale(adminToken, later.id, { stock: 50, startsInMs: 2 * 3600 * 1000, price: '99.00' });
  run.sale = sale;
  run.product = product;

  const context = await newContext(browser, run, { label: 'buyer-ann' });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/`);
  await textMatches(page.locator(`[data-sale-id="${sale.id}"]`), /Starts in \d\d:\d\d/);

  run.log('registers');
  const email = `ann-${run.unique}@example.com`;
  await page.getByRole('link', { name: 'Log in / Register' }).click();
  const register = page.locator('form', { has: page.getByRole('heading', { name: 'Register' }) });
  await register.getByLabel('Name').fill('Ann');
  await register.getByLabel('Email').fill(email);
  await register.getByLabel('Password').fill('correct-horse');
  await register.getByRole('button', { name: 'Create account' }).click();
  await textMatches(page.locator('#account'), new RegExp(`Signed in as Ann \\(${email.replace(/\./g, '\\.')}\\)`));

  run.log('opens the sale before it starts');
  await page.locator(`[data-sale-id="${sale.id}"] h3 a`).click();
  await textMatches(page.getByRole('heading', { level: 1 }), new RegExp(product.name));
  const buy = page.getByRole('button', { name: 'Buy now' });
  await textMatches(page.locator('.sale-info .status-line'), /coming up\s+starts in \d\d:\d\d/i);
  if (!(await buy.isDisabled())) throw new Error('Buy now is enabled before the sale is live');

  run.log('waits for the sale to go live');
  await page.locator('.buy-button:enabled').waitFor({ timeout: 30000 });
  await textMatches(page.locator('.sale-info .status-line'), /live\s+ends in/i);

  const second = await context.newPage();
  await second.goto(`${baseUrl}/#/sale/${sale.id}`);
  await textMatches(second.locator('.stock-words'), /^5 of 5 left/);

  run.log('buys with the keyboard only');
  await page.bringToFront();
  const tabs = await tabTo(page, buy);
  await page.keyboard.press('Enter');
  const hold = page.getByRole('region', { name: 'Your hold' });
  await textMatches(hold, /Held for you for 0?4:5\d/);
  if (!(await page.evaluate(() => document.activeElement?.id === 'hold-title'))) {
    throw new Error('the focus did not move to the hold after buying');
  }
  run.log(`reached Buy now in ${tabs} Tab presses; the second tab's stock drops`);
  await textMatches(second.locator('.stock-words'), /^4 of 5 left/, { timeout: 5000 });
  await second.close();
  run.screenshots.push(...await screenshots(page, run.screenshotDir, 'sale-page'));

  run.log('pays');
  const pay = page.getByRole('button', { name: 'Pay 49.99' });
  await tabTo(page, pay);
  await page.keyboard.press('Enter');
  await textMatches(hold, /Paid: your order is confirmed/);

  run.log('finds the order confirmed in My orders');
  await page.getByRole('link', { name: 'My orders', exact: true }).click();
  const order = page.locator('.order').first();
  await textMatches(order, new RegExp(product.name));
  await textMatches(order, /confirmed/i);
  run.screenshots.push(...await screenshots(page, run.screenshotDir, 'my-orders'));

  await page.getByRole('link', { name: 'Sales', exact: true }).click();
  await textMatches(page.locator(`[data-sale-id="${sale.id}"]`), /4 of 5 left/);
  await textMatches(page.locator('section', { has: page.getByRole('heading', { name: 'Coming up' }) }), /Trail jacket/);
  run.screenshots.push(...await screenshots(page, run.screenshotDir, 'storefront'));
  run.buyer = { context, page, email, password: 'correct-horse' };
}
buyerBuys.title = 'a buyer registers, waits for the start, buys, sees the stock drop in a second tab, pays, sees CONFIRMED';
