// The one way the front end talks to the server: the public HTTP API of docs/api.md, JSON in and out. Every
// error becomes an ApiProblem carrying the problem+json title/detail/code (never a bare status), and
// 429/503 answers are retried only after their Retry-After, with a visible notice, a few times at most.

import { observeServerDate } from './clock.js';
import { notify } from './notices.js';

const MAX_ATTEMPTS = 4;
const MAX_WAIT_SECONDS = 30;

/** An API error as the contract describes it: title, detail, code, status and field errors. */
export class ApiProblem extends Error {
  constructor({ title, detail, code, status, errors }) {
    super(detail ? `${title}: ${detail}` : title);
    this.title = title;
    this.detail = detail || '';
    this.code = code || 'UNKNOWN';
    this.status = status || 0;
    this.errors = Array.isArray(errors) ? errors : [];
  }
}

let onUnauthorized = () => {};

/** Called when a request carrying a token is answered 401 (the token expired or was revoked). */
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

/**
 * Calls the API. Options: method, body (sent as JSON), token, headers, retry (whether a 503 or a network
 * failure may be retried: true for GETs and for requests the API makes idempotent, i.e. a purchase or an
 * admin's sale change with an Idempotency-Key, paying, cancelling). A 429 is always retried (the server
 * did not act on it).
 * Resolves to the parsed JSON body (null when empty); rejects with an ApiProblem.
 */
export async function api(path, { method = 'GET', body, token, headers = {}, retry } = {}) {
  const mayRetryUnanswered = retry ?? (method === 'GET');
  const init = { method, headers: { Accept: 'application/json', ...headers }, cache: 'no-store' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (token) init.headers.Authorization = `Bearer ${token}`;

  for (let attempt = 1; ; attempt += 1) {
    let response;
    const sentAt = Date.now();
    try {
      response = await fetch(path, init);
    } catch (networkFailure) {
      const problem = new ApiProblem({
        title: 'Network error', code: 'NETWORK',
        detail: 'FlashSale could not be reached. Check your connection and try again.',
      });
      if (!mayRetryUnanswered || attempt >= MAX_ATTEMPTS) throw problem;
      await waitWithNotice(problem, Math.min(2 ** (attempt - 1), MAX_WAIT_SECONDS));
      continue;
    }
    observeServerDate(response.headers.get('Date'), sentAt, Date.now());
    if (response.ok) return readJson(response);

    const problem = await readProblem(response);
    const retryable = response.status === 429 || (response.status === 503 && mayRetryUnanswered);
    if (retryable && attempt < MAX_ATTEMPTS) {
      await waitWithNotice(problem, retryAfterSeconds(response));
      continue;
    }
    if (response.status === 401 && token) onUnauthorized(problem);
    throw problem;
  }
}

function retryAfterSeconds(response) {
  const header = response.headers.get('Retry-After');
  const seconds = Number.parseInt(header || '', 10);
  if (Number.isFinite(seconds)) return Math.min(Math.max(seconds, 1), MAX_WAIT_SECONDS);
  const date = Date.parse(header || '');
  if (!Number.isNaN(date)) return Math.min(Math.max(Math.ceil((date - Date.now()) / 1000), 1), MAX_WAIT_SECONDS);
  return 1;
}

/** Waits out a Retry-After while a notice counts it down, so the buyer sees why nothing happens. */
function waitWithNotice(problem, seconds) {
  const text = (left) => `${problem.title}: ${problem.detail || 'the service is busy'} Retrying in ${left} s…`;
  const notice = notify(text(seconds), { kind: 'wait', timeoutMs: 0 });
  return new Promise((resolve) => {
    let left = seconds;
    const timer = setInterval(() => {
      left -= 1;
      if (left <= 0) {
        clearInterval(timer);
        notice.close();
        resolve();
      } else {
        notice.update(text(left));
      }
    }, 1000);
  });
}

async function readJson(response) {
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

async function readProblem(response) {
  const type = response.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try {
      const body = await response.json();
      if (body && body.title) return new ApiProblem({ ...body, status: response.status });
    } catch (ignored) {
      // fall through: an answer that is not the contract's problem+json
    }
  }
  return new ApiProblem({
    title: 'Unexpected answer', code: 'UNEXPECTED', status: response.status,
    detail: 'The server could not handle the request right now. Try again in a moment.',
  });
}
