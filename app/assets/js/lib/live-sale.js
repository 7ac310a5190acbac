// A sale's live state for one view: GET /api/sales/{id}, then its SSE stream of {available, status}.
// A tab must never go on showing a stale state (a wrong "sold out"): the whole sale is fetched again
// whenever the stream (re)connects, when the tab becomes visible again and every 30 s as a safety net
// (a silently dead connection shows no error). A stream the server refused (EventSource gives up) is
// reopened with a growing delay; a hidden tab closes its stream so it holds no connection.

import { api } from './api.js';
import { everyWhileVisible } from './clock.js';

const FINAL = new Set(['ENDED', 'CANCELLED']);
const SAFETY_REFRESH_MS = 30000;
const MAX_BACKOFF_MS = 30000;

/**
 * followSale(id, {onSale(sale), onConnection('connecting'|'live'|'reconnecting'|'closed'), onError(problem)})
 * → {stop(), refresh()}. onSale gets the whole sale (from GET) or the sale with the stream's fields merged.
 */
export function followSale(saleId, { onSale, onConnection = () => {}, onError = () => {} }) {
  let sale = null;
  let source = null;
  let stopped = false;
  let backoffMs = 1000;
  let reopenTimer = null;
  let fetching = null;
  const path = `/api/sales/${encodeURIComponent(saleId)}`;

  async function refresh() {
    if (fetching) return fetching;
    fetching = api(path).then((fresh) => {
      if (!stopped) {
        sale = fresh;
        onSale(sale);
        if (FINAL.has(sale.status)) close('closed');
      }
    }).catch((problem) => {
      if (!stopped) onError(problem);
    }).finally(() => {
      fetching = null;
    });
    return fetching;
  }

  function open() {
    if (stopped || source || (sale && FINAL.has(sale.status)) || document.visibilityState === 'hidden') return;
    onConnection(sale ? 'reconnecting' : 'connecting');
    source = new EventSource(`${path}/events`);
    source.addEventListener('open', () => {
      backoffMs = 1000;
      onConnection('live');
      refresh();
    });
    source.addEventListener('sale', (event) => {
      const update = JSON.parse(event.data);
      if (sale) {
        sale = { ...sale, available: update.available, status: update.status };
        onSale(sale);
      }
      if (FINAL.has(update.status)) close('closed');
    });
    source.addEventListener('error', () => {
      if (!source) return;
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (the server answered an error): try again later, never in a tight loop.
        source = null;
        onConnection('reconnecting');
        reopenTimer = setTimeout(() => {
          reopenTimer = null;
          open();
        }, backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      } else {
        onConnection('reconnecting'); // EventSource reconnects by itself; 'open' refetches
      }
    });
  }

  function close(state) {
    if (source) source.close();
    source = null;
    if (reopenTimer) clearTimeout(reopenTimer);
    reopenTimer = null;
    onConnection(state);
  }

  function onVisibility() {
    if (document.visibilityState === 'hidden') {
      close('closed');
    } else {
      refresh();
      open();
    }
  }

  document.addEventListener('visibilitychange', onVisibility);
  const stopSafety = everyWhileVisible(SAFETY_REFRESH_MS, refresh);
  refresh().then(open);

  return {
    refresh,
    stop() {
      stopped = true;
      stopSafety();
      document.removeEventListener('visibilitychange', onVisibility);
      close('closed');
    },
  };
}
