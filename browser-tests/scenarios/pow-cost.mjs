// What the waiting room's proof of work costs a buyer in this chromium (headless, no GPU): 10 real
// challenges of the room sale (their tokens are what the browser hashes), each solved at 12 bits (the
// default difficulty) as the storefront solves them (proof-of-work.js: a worker started ahead while Join
// is shown, Web Crypto), timed from the challenge to the nonce; the worker's start is timed apart. Logs
// hashes a second and the mean and p90 times; asserts nothing about timings.

import { newContext } from '../lib/browser.mjs';

const BITS = 12;
const ROUNDS = 10;

export async function proofOfWorkCost(browser, run) {
  const { api, baseUrl } = run;
  const token = await api.register(`pow-${run.unique}@example.com`);
  const challenges = await Promise.all(Array.from({ length: ROUNDS }, async () =>
    (await api.call('GET', `/api/sales/${run.roomSale.id}/queue/challenge`, { token })).token));
  const context = await newContext(browser, run, { label: 'pow-cost' });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/`);
  const rows = await page.evaluate(async ({ tokens, bits }) => {
    const { prepareSolver, solveChallenge } = await import('/assets/js/lib/proof-of-work.js');
    const out = [];
    for (const token of tokens) {
      const starting = performance.now();
      await prepareSolver();
      const startMs = performance.now() - starting;
      const found = await solveChallenge({ token, bits });
      out.push({ ms: found.ms, hashes: found.hashes, where: found.where, startMs });
    }
    return out;
  }, { tokens: challenges, bits: BITS });

  const times = rows.map((r) => r.ms).sort((a, b) => a - b);
  const hashes = rows.reduce((sum, r) => sum + r.hashes, 0);
  const seconds = times.reduce((sum, ms) => sum + ms, 0) / 1000;
  const p90 = times[Math.ceil(0.9 * times.length) - 1];
  run.log(`proof of work, ${BITS} bits, ${rows.length} challenges (in a ${[...new Set(rows.map((r) => r.where))].join('/')}):`
    + ` ${Math.round(hashes / seconds).toLocaleString('en')} hashes/s, mean ${((seconds * 1000) / rows.length).toFixed(0)} ms,`
    + ` p90 ${p90.toFixed(0)} ms, ${Math.round(hashes / rows.length).toLocaleString('en')} hashes on average`
    + ` (2^${BITS} = ${2 ** BITS} expected); times ${times.map((ms) => ms.toFixed(0)).join(' ')} ms;`
    + ` the worker's start took ${(rows.reduce((sum, r) => sum + r.startMs, 0) / rows.length).toFixed(0)} ms on average`);
  run.proofOfWork = rows;
  await context.close();
}
proofOfWorkCost.title = 'the proof of work\'s cost in this chromium (12 bits, measured, not asserted)';
