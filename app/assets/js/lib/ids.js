// Idempotency keys for purchases and the admin's sale changes: one per Buy (or Schedule, Move, Add
// stock) press, reused by that press's retries so a retry after 503 gets the same order (or sale) back
// instead of acting twice. crypto.getRandomValues works on plain http too (crypto.randomUUID needs a
// secure context).

export function idempotencyKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
