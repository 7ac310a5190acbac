// The search behind a waiting room's proof of work (docs/api.md, Waiting room): find a nonce (a base-36
// counter, so 1 to 64 letters or digits) such that SHA-256 of `token + ":" + nonce` starts with `bits` zero
// bits; about 2^bits hashes. Hashing is Web Crypto's (crypto.subtle.digest), a batch of digests in flight at
// a time, so the thread that runs it (a worker, or the page when workers fail) stays responsive: each batch's
// answers arrive as tasks. Web Crypto exists only in secure contexts (https, localhost, 127.0.0.1): a page
// served over plain http from another host cannot solve, and says so (the shop serves it over https). No DOM
// here: the worker imports it too.

const encoder = new TextEncoder();

/** Leading zero bits of a digest. */
export function leadingZeroBits(bytes) {
  let zeros = 0;
  for (const byte of bytes) {
    if (byte !== 0) return zeros + Math.clz32(byte) - 24;
    zeros += 8;
  }
  return zeros;
}

/** Whether Web Crypto's SHA-256 is there (secure contexts: https, localhost, 127.0.0.1). */
export function hasWebCrypto() {
  return typeof crypto !== 'undefined' && !!crypto.subtle && typeof crypto.subtle.digest === 'function';
}

/**
 * search(token, bits, {batch, onProgress(hashes), stopped()}) → Promise of {nonce, hashes}, or null when
 * stopped() said so. onProgress is called after every batch with the hashes computed so far.
 */
export async function search(token, bits, { batch = 256, onProgress = () => {}, stopped = () => false } = {}) {
  const prefix = encoder.encode(`${token}:`);
  if (!hasWebCrypto()) {
    throw new Error('Joining the queue needs a secure connection (https): this browser offers no Web Crypto here.');
  }
  const digest = (data) => crypto.subtle.digest('SHA-256', data);
  let counter = 0;
  for (;;) {
    if (stopped()) return null;
    const nonces = [];
    const pending = [];
    for (let i = 0; i < batch; i += 1) {
      const nonce = counter.toString(36);
      counter += 1;
      const suffix = encoder.encode(nonce);
      const data = new Uint8Array(prefix.length + suffix.length);
      data.set(prefix);
      data.set(suffix, prefix.length);
      nonces.push(nonce);
      pending.push(digest(data));
    }
    const digests = await Promise.all(pending);
    for (let i = 0; i < digests.length; i += 1) {
      if (leadingZeroBits(new Uint8Array(digests[i])) >= bits) {
        const hashes = counter - batch + i + 1;
        onProgress(hashes);
        return { nonce: nonces[i], hashes };
      }
    }
    onProgress(counter);
  }
}
