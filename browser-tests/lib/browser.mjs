// Debian's chromium, headless, driven by playwright-core (never a downloaded browser): its flags for a
// closed network, a fresh profile per run (Playwright's launch makes one), contexts that record
// uncaught page errors, screenshots at desktop and 360 px sizes, and failure screenshots.
//
// FLASHSALE_APP_DIR, when set, serves the front end's files from that directory instead of the node
// (to iterate on app/ without rebuilding the jar); the tests in mvn verify never set it.

import { chromium } from 'playwright-core';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';

export const DESKTOP = { width: 1280, height: 800 };
export const MOBILE = { width: 360, height: 740 };

const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launch(executablePath) {
  if (!existsSync(executablePath)) {
    throw new Error(`${executablePath} is missing: install Debian's chromium (apt-get install -y chromium)`);
  }
  return chromium.launch({ executablePath, headless: true, args: FLAGS });
}

/** A browser context (its own storage: a separate user) whose pages fail the run on uncaught errors. */
export async function newContext(browser, run, { viewport = DESKTOP, timezoneId, label }) {
  const context = await browser.newContext({ viewport, timezoneId, locale: 'en-GB' });
  context.setDefaultTimeout(15000);
  if (process.env.FLASHSALE_APP_DIR) await serveAppFrom(context, process.env.FLASHSALE_APP_DIR);
  context.on('page', (page) => watch(page, run, label));
  return context;
}

function watch(page, run, label) {
  page.on('pageerror', (error) => run.pageErrors.push(`${label}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) {
      run.pageErrors.push(`${label} console: ${message.text()}`);
    }
  });
  run.pages.push({ page, label });
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

async function serveAppFrom(context, dir) {
  await context.route((url) => !url.pathname.startsWith('/api/') && !url.pathname.startsWith('/health'), (route) => {
    const path = new URL(route.request().url()).pathname;
    const file = path === '/' ? 'index.html' : path === '/admin' ? 'admin.html' : normalize(path).replace(/^\/+/, '');
    const full = join(dir, file);
    if (!existsSync(full)) return route.continue();
    return route.fulfill({ body: readFileSync(full), contentType: TYPES[extname(full)] || 'application/octet-stream' });
  });
}

/**
 * Sends a page to the background or brings it back, as far as its scripts can tell: headless pages are
 * always visible, so document.visibilityState is overridden and visibilitychange dispatched (the event a
 * browser fires when a tab is hidden, a phone locked, or a frozen tab woken).
 */
export async function setTabVisibility(page, state) {
  await page.evaluate((value) => {
    Object.defineProperty(document, 'visibilityState', { value, configurable: true });
    Object.defineProperty(document, 'hidden', { value: value === 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
}

/** Fails if the page, shown 360 px wide, scrolls sideways (tables scroll inside their own box). */
export async function assertFitsMobile(page, name) {
  const original = page.viewportSize();
  await page.setViewportSize(MOBILE);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await page.setViewportSize(original);
  if (overflow > 0) throw new Error(`${name} is ${overflow} px wider than a 360 px screen`);
}

/**
 * Full-page screenshots of page at the desktop size and at 360 px (without the passing notices, which
 * float over the page; hidden through the CSSOM, since the pages' CSP refuses injected style sheets);
 * fails if the page scrolls sideways at 360 px.
 */
export async function screenshots(page, dir, name) {
  mkdirSync(dir, { recursive: true });
  const original = page.viewportSize();
  const notices = (display) => page.evaluate((value) => {
    const element = document.getElementById('notices');
    if (element) element.style.display = value;
  }, display);
  await notices('none');
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(dir, `${name}-desktop.png`), fullPage: true });
  await assertFitsMobile(page, name);
  await page.setViewportSize(MOBILE);
  await page.screenshot({ path: join(dir, `${name}-mobile.png`), fullPage: true });
  await page.setViewportSize(original);
  await notices('');
  return [`${name}-desktop.png`, `${name}-mobile.png`];
}

export async function failureScreenshots(run, dir) {
  mkdirSync(dir, { recursive: true });
  const written = [];
  for (const [i, { page, label }] of run.pages.entries()) {
    if (page.isClosed()) continue;
    const file = join(dir, `failure-${i + 1}-${label.replace(/\W+/g, '-')}.png`);
    try {
      await page.screenshot({ path: file, fullPage: true });
      written.push(`${file} (${page.url()})`);
    } catch (ignored) {
      // a page that cannot be captured any more
    }
  }
  return written;
}
