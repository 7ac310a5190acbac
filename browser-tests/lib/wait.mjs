// Waiting for what a user would see: poll a condition until it holds or a deadline passes (never a
// fixed sleep), with a message that says what was expected and what was there.

export async function until(what, check, { timeout = 15000, every = 100 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last === true || (last && last.ok)) return last;
    } catch (error) {
      last = error.message;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeout} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}

/** Waits until locator's text matches pattern. */
export async function textMatches(locator, pattern, options) {
  return until(`${locator} to match ${pattern}`, async () => {
    const text = await locator.innerText({ timeout: 1000 });
    return pattern.test(text) ? true : text;
  }, options);
}

/** Presses Tab until the element matched by locator has the focus (proves keyboard reachability). */
export async function tabTo(page, locator, { maxTabs = 40 } = {}) {
  const target = await locator.elementHandle();
  for (let i = 0; i < maxTabs; i += 1) {
    if (await page.evaluate((el) => document.activeElement === el, target)) return i;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${locator} was not reached with ${maxTabs} presses of Tab`);
}
