// The proof-of-work search in a worker (a module worker from this origin, as the pages' CSP allows), so the
// page never waits on it: {type: 'ready'} once loaded; {token, bits, batch?} in; {type: 'progress', hashes}
// every batch, then {type: 'done', nonce, hashes}, or {type: 'failed', message}. The page ends the worker
// when it no longer needs it.

import { search } from './pow-search.js';

self.addEventListener('message', async (event) => {
  const { token, bits, batch = 64 } = event.data || {};
  try {
    const found = await search(token, bits, { batch, onProgress: (hashes) => self.postMessage({ type: 'progress', hashes }) });
    self.postMessage({ type: 'done', nonce: found.nonce, hashes: found.hashes });
  } catch (failure) {
    self.postMessage({ type: 'failed', message: String(failure && failure.message ? failure.message : failure) });
  }
});

self.postMessage({ type: 'ready' });
