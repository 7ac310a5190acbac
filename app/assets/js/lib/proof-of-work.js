// Solving a waiting room's challenge ({token, bits}) for the page: in a worker (pow-worker.js) when the
// browser can start one, else in the page itself in small batches (each batch's hashes arrive as tasks, so
// the page stays responsive meanwhile). Starting a module worker takes 50 to 300 ms, as much as a whole
// 12-bit solve, and after the start the queue is in order of arrival: so a page that offers Join starts
// one ahead (prepareSolver), and the challenge may be given as a promise (the request for it), the worker
// loading meanwhile. Progress is reported as the hashes computed so far; about 2^bits are expected.

import { search } from './pow-search.js';

const WORKER_URL = '/assets/js/lib/pow-worker.js';

let prepared = null; // {worker, ready}: a worker started ahead, idle until a challenge comes

/**
 * Starts a worker ahead of a solve (once; the next solveChallenge takes it). Resolves when it is loaded
 * (true), or could not be (false).
 */
export function prepareSolver() {
  if (prepared) return prepared.ready;
  if (typeof Worker === 'undefined') return Promise.resolve(false);
  let worker;
  try {
    worker = new Worker(WORKER_URL, { type: 'module' });
  } catch (ignored) {
    return Promise.resolve(false); // the solve will try again, then fall back to the page
  }
  const ready = new Promise((resolve) => {
    worker.addEventListener('message', (event) => resolve(event.data && event.data.type === 'ready'), { once: true });
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      if (prepared && prepared.worker === worker) releaseSolver();
      resolve(false);
    }, { once: true });
  });
  prepared = { worker, ready };
  return ready;
}

/** Ends a worker started ahead and not used. */
export function releaseSolver() {
  if (prepared) prepared.worker.terminate();
  prepared = null;
}

function takeWorker() {
  const worker = prepared ? prepared.worker : new Worker(WORKER_URL, { type: 'module' });
  prepared = null;
  return worker;
}

/** Why the challenge could not be had: passed on as is, never a reason to try the page instead. */
class ChallengeFailed extends Error {
  constructor(cause) {
    super('no challenge');
    this.cause = cause;
  }
}

/**
 * solveChallenge(challenge or a promise of it, {onProgress(hashes), signal}) → Promise of {nonce, hashes,
 * ms (from the call), where: 'worker'|'page'}; rejects with an AbortError when signal aborts, or with the
 * challenge promise's own failure.
 */
export function solveChallenge(challenge, { onProgress = () => {}, signal } = {}) {
  const started = performance.now();
  const finish = (found, where) => ({ ...found, ms: performance.now() - started, where });
  const wanted = Promise.resolve(challenge);
  return inWorker(wanted, onProgress, signal)
    .then((found) => finish(found, 'worker'))
    .catch(async (failure) => {
      if (failure instanceof ChallengeFailed) throw failure.cause;
      if (failure && failure.name === 'AbortError') throw failure;
      const { token, bits } = await wanted;
      return finish(await inPage(token, bits, onProgress, signal), 'page');
    });
}

function aborted() {
  return new DOMException('The proof of work was stopped', 'AbortError');
}

function inWorker(wanted, onProgress, signal) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) {
      reject(aborted());
      return;
    }
    let worker;
    try {
      worker = takeWorker();
    } catch (failure) {
      wanted.then(() => reject(failure), (cause) => reject(new ChallengeFailed(cause)));
      return;
    }
    let ended = false;
    const end = () => {
      ended = true;
      worker.terminate();
      if (signal) signal.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      end();
      reject(aborted());
    };
    if (signal) signal.addEventListener('abort', onAbort);
    worker.addEventListener('message', (event) => {
      const message = event.data || {};
      if (message.type === 'progress') {
        onProgress(message.hashes);
      } else if (message.type === 'done') {
        end();
        resolve({ nonce: message.nonce, hashes: message.hashes });
      } else if (message.type === 'failed') {
        end();
        reject(new Error(message.message));
      }
    });
    // A worker that cannot load (an old browser without module workers) or fails: the page does it instead.
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      end();
      reject(new Error('The proof-of-work worker failed'));
    });
    wanted.then(({ token, bits }) => {
      if (!ended) worker.postMessage({ token, bits });
    }, (cause) => {
      if (ended) return;
      end();
      reject(new ChallengeFailed(cause));
    });
  });
}

async function inPage(token, bits, onProgress, signal) {
  const found = await search(token, bits, { batch: 64, onProgress, stopped: () => !!(signal && signal.aborted) });
  if (!found) throw aborted();
  return found;
}
