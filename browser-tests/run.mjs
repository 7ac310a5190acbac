// The browser tests of the storefront (/) and the admin console (/admin), run by BrowserIT in mvn verify
// against a real node: playwright-core driving Debian's chromium headless. Scenarios run in order and
// share one browser; each buyer and the admin have their own context (their own storage, so their own
// login). Screenshots land in FLASHSALE_SCREENSHOTS (default ../target/screenshots).
//
// Environment: FLASHSALE_BASE_URL (required), FLASHSALE_CHROMIUM (default /usr/bin/chromium),
// FLASHSALE_ADMIN_EMAIL / FLASHSALE_ADMIN_PASSWORD (default the development admin), FLASHSALE_SCENARIOS
// (optional, while iterating: the names of the scenario functions to run, comma-separated; a scenario may
// need what an earlier one made, e.g. adminRunsTheRoom the sale of buyerQueuesAndBuys).

import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { apiClient } from './lib/api.mjs';
import { launch, failureScreenshots } from './lib/browser.mjs';
import { buyerBuys } from './scenarios/buyer-buys.mjs';
import { declinedPaymentKeepsTheHold } from './scenarios/declined-payment.mjs';
import { adminWatchesASale } from './scenarios/admin-console.mjs';
import { buyerQueuesAndBuys, keyboardBuyerQueues } from './scenarios/waiting-room.mjs';
import { adminRunsTheRoom } from './scenarios/waiting-room-admin.mjs';
import { proofOfWorkCost } from './scenarios/pow-cost.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const baseUrl = (process.env.FLASHSALE_BASE_URL || '').replace(/\/$/, '');
if (!baseUrl) {
  console.error('FLASHSALE_BASE_URL is not set (the node to test, e.g. http://127.0.0.1:8080)');
  process.exit(2);
}
const run = {
  baseUrl,
  api: apiClient(baseUrl),
  admin: {
    email: process.env.FLASHSALE_ADMIN_EMAIL || 'admin@flashsale.local',
    password: process.env.FLASHSALE_ADMIN_PASSWORD || 'admin-change-me',
  },
  screenshotDir: resolve(process.env.FLASHSALE_SCREENSHOTS || resolve(here, '..', 'target', 'screenshots')),
  screenshots: [],
  pageErrors: [],
  pages: [],
  unique: Date.now().toString(36),
};

const started = Date.now();
const log = (text) => console.log(`[browser-tests ${((Date.now() - started) / 1000).toFixed(1)}s] ${text}`);
run.log = log;

const browser = await launch(process.env.FLASHSALE_CHROMIUM || '/usr/bin/chromium');
log(`chromium ${browser.version()} against ${baseUrl}`);
let failed = false;
try {
  run.adminToken = await run.api.login(run.admin.email, run.admin.password);
  const only = (process.env.FLASHSALE_SCENARIOS || '').split(',').map((name) => name.trim()).filter(Boolean);
  const scenarios = [buyerBuys, declinedPaymentKeepsTheHold, adminWatchesASale, buyerQueuesAndBuys, keyboardBuyerQueues,
    adminRunsTheRoom, proofOfWorkCost].filter((scenario) => only.length === 0 || only.includes(scenario.name));
  for (const scenario of scenarios) {
    const at = Date.now();
    log(`scenario: ${scenario.title}`);
    await scenario(browser, run);
    if (run.pageErrors.length) throw new Error(`errors in the page: ${run.pageErrors.join(' | ')}`);
    log(`passed: ${scenario.title} (${((Date.now() - at) / 1000).toFixed(1)} s)`);
  }
} catch (error) {
  failed = true;
  console.error(`[browser-tests] FAILED: ${error.stack || error}`);
  if (run.pageErrors.length) console.error(`[browser-tests] errors in the page: ${run.pageErrors.join(' | ')}`);
  for (const file of await failureScreenshots(run, run.screenshotDir)) console.error(`[browser-tests] failure screenshot ${file}`);
} finally {
  await browser.close();
}
log(`screenshots in ${run.screenshotDir}: ${run.screenshots.join(', ')}`);
log(failed ? 'FAILED' : `all scenarios passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
