// The server's time as this tab estimates it, one shared one-second tick for every countdown, and
// intervals that ask nothing while the tab is hidden.
// Countdowns (a sale's start, a hold's expiry) run against the server's clock, not the device's: the
// offset is learnt from the Date header of API answers and only used when the device is clearly off.

let offsetMs = 0;

/** Learns from an API answer's Date header (one-second resolution) and when it was sent and received. */
export function observeServerDate(dateHeader, sentAt, receivedAt) {
  const server = Date.parse(dateHeader || '');
  if (Number.isNaN(server)) return;
  const midpoint = (sentAt + receivedAt) / 2;
  const estimate = server + 500 - midpoint; // the header is truncated to the second
  // Within a second and a half the device's clock is as good as the estimate; beyond, trust the server.
  offsetMs = Math.abs(estimate) > 1500 ? estimate : 0;
}

export function serverNow() {
  return Date.now() + offsetMs;
}

/** Milliseconds from the server's now until an instant (negative once past). */
export function msUntil(iso) {
  return Date.parse(iso) - serverNow();
}

/** Calls fn every ms while the tab is visible (a hidden tab asks nothing) until the returned function is called. */
export function everyWhileVisible(ms, fn) {
  const timer = setInterval(() => {
    if (document.visibilityState === 'visible') fn();
  }, ms);
  return () => clearInterval(timer);
}

const subscribers = new Set();
let timer = null;

/** Calls fn every second (and at once) until the returned function is called. */
export function everySecond(fn) {
  subscribers.add(fn);
  if (timer === null) {
    timer = setInterval(() => subscribers.forEach((subscriber) => subscriber()), 1000);
  }
  fn();
  return () => {
    subscribers.delete(fn);
    if (subscribers.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
}
