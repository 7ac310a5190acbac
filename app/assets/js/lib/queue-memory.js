// Where this tab stands in each sale's waiting room, in sessionStorage (so a reload keeps the place): the
// newest ticket, the admission pass once admitted, and the first and the last position shown (the progress
// bar runs from the first; a position never goes up). Kept per sale and for the buyer who joined; logging
// out forgets it all.

const PREFIX = 'flashsale.store.queue.';

export function readQueue(saleId, userId) {
  try {
    const value = JSON.parse(sessionStorage.getItem(PREFIX + saleId) || 'null');
    return value && value.userId === userId ? value : null;
  } catch (ignored) {
    return null;
  }
}

export function writeQueue(saleId, entry) {
  try {
    sessionStorage.setItem(PREFIX + saleId, JSON.stringify(entry));
  } catch (ignored) {
    // storage full or refused: the place is kept in memory for this page only
  }
}

export function forgetQueue(saleId) {
  sessionStorage.removeItem(PREFIX + saleId);
}

export function forgetQueues() {
  for (let i = sessionStorage.length - 1; i >= 0; i -= 1) {
    const key = sessionStorage.key(i);
    if (key && key.startsWith(PREFIX)) sessionStorage.removeItem(key);
  }
}
