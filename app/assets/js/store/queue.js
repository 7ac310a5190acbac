// The waiting room of a sale on its page (docs/api.md, Waiting room). Instead of Buy now the buyer joins the
// queue: a challenge (GET /queue/challenge), its proof of work solved in a worker (proof-of-work.js) with a
// progress hint, then POST /queue gives a ticket. The place is followed on the check-in stream
// (/queue/events?ticket=, event `queue`); when the stream fails, by polling GET /queue?ticket= after each
// answer's checkInAfterSeconds, trying the stream again later. Every answer's ticket replaces the one before
// and is kept in sessionStorage, so a reload joins again with it first and keeps the place. Shown: the state,
// the position (never higher than one shown before), the waiting total, the ETA and a bar from the first
// position to the front; announced politely (a state at once, a position every few seconds). When the room
// admits the buyer, the page buys by itself with the pass (Admission-Pass); a pass or ticket that ran out
// offers to join again, at the back.

import { h, replace, setBadge, setText } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { everySecond, msUntil } from '../lib/clock.js';
import { countdown, countdownWords, localTime } from '../lib/format.js';
import { prepareSolver, releaseSolver, solveChallenge } from '../lib/proof-of-work.js';
import { forgetQueue, readQueue, writeQueue } from '../lib/queue-memory.js';
import { problemArea } from '../lib/problem-view.js';

const ANNOUNCE_EVERY_MS = 5000;
const MAX_STREAM_BACKOFF_MS = 60000;
const FOLLOWING = new Set(['PREQUEUE', 'WAITING', 'PAUSED', 'UNITS_MAY_COME_BACK']);

const STATE_WORDS = {
  PREQUEUE: 'Pre-queue', WAITING: 'In line', PAUSED: 'Paused', UNITS_MAY_COME_BACK: 'Sold out for now',
  ADMITTED: 'Your turn', PASS_EXPIRED: 'Turn missed', SOLD_OUT: 'Sold out', CLOSED: 'Closed',
  TICKET_EXPIRED: 'Place lost',
};

/**
 * queuePanel({session, saleId, purchase(pass) → Promise<boolean>, onOpen()}) →
 * {element, update(sale), passRefused(), stop()}. purchase buys with the pass and shows the hold
 * (true) or the problem (false); onOpen is called when the sale turns out to have no room any more.
 */
export function queuePanel({ session, saleId, purchase, onOpen }) {
  const base = `/api/sales/${encodeURIComponent(saleId)}/queue`;
  let sale = null;
  let phase = 'idle'; // not-open | idle | solving | joining | resuming | following | admitted | final | lost
  let status = null; // the newest QueueStatus
  let entry = null; // what sessionStorage keeps: {userId, ticket, pass, passExpiresAt, first, shown}
  let lostReason = null; // 'pass' | 'ticket'
  let finalState = null;
  let hashes = 0;
  let bits = 0;
  let abort = null;
  let source = null;
  let pollTimer = null;
  let streamFailures = 0;
  let nextStreamAt = 0;
  let buying = false;
  let stopped = false;

  const problem = problemArea();
  const title = h('h2', { id: 'queue-title', tabindex: '-1' }, 'Waiting room');
  const badge = h('span', { class: 'badge' });
  const message = h('p', { class: 'queue-message', id: 'queue-message' });
  const position = h('dd', { class: 'queue-number', dataset: { queue: 'position' } }, '–');
  const waiting = h('dd', { class: 'queue-number', dataset: { queue: 'waiting' } }, '–');
  const eta = h('dd', { class: 'queue-number', dataset: { queue: 'eta' } }, '–');
  const numbers = h('dl', { class: 'queue-numbers' },
    h('div', {}, h('dt', {}, 'Your position'), position),
    h('div', {}, h('dt', {}, 'Waiting'), waiting),
    h('div', {}, h('dt', {}, 'Expected wait'), eta));
  const fill = h('span', { class: 'queue-fill' });
  const bar = h('div', { class: 'queue-bar', 'aria-hidden': 'true' }, fill);
  const work = h('p', { class: 'hint queue-work', 'aria-live': 'off' });
  const announcer = h('p', { class: 'visually-hidden', id: 'queue-announcer', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const joinButton = h('button', { type: 'button', class: 'primary buy-button queue-join', 'aria-describedby': 'queue-message',
    onclick: () => join() }, 'Join the queue');
  const stopButton = h('button', { type: 'button', class: 'secondary', onclick: () => stopWork() }, 'Stop');
  const buyButton = h('button', { type: 'button', class: 'primary buy-button', 'aria-describedby': 'queue-message',
    onclick: () => buyWithPass() }, 'Buy now');
  const leaveButton = h('button', { type: 'button', class: 'link-button', onclick: () => leave() }, 'Leave the queue');
  const controls = h('div', { class: 'button-row queue-controls' });
  const element = h('section', { class: 'card queue', 'aria-labelledby': 'queue-title', dataset: { phase } },
    title, h('p', { class: 'queue-state' }, badge), message, numbers, bar, work, announcer, controls, problem.element);

  // ---- joining ----

  async function join() {
    if (!roomOpen() || ['solving', 'joining', 'resuming', 'following'].includes(phase)) return;
    problem.clear();
    const returnFocus = element.contains(document.activeElement);
    forget();
    hashes = 0;
    setPhase('solving');
    if (returnFocus) title.focus();
    abort = new AbortController();
    const { signal } = abort;
    try {
      // The challenge is asked for while the worker that solves it starts.
      const asked = api(`${base}/challenge`, { token: session.token }).then((challenge) => {
        bits = challenge.bits;
        showWork();
        return challenge;
      });
      const solved = await solveChallenge(asked, { signal, onProgress: (count) => {
        hashes = count;
        showWork();
      } });
      const challenge = await asked;
      if (stopped || signal.aborted) return;
      hashes = solved.hashes;
      setPhase('joining');
      const joined = await api(base, { method: 'POST', token: session.token, retry: true,
        body: { challenge: challenge.token, nonce: solved.nonce } });
      if (stopped) return;
      entry = { userId: session.user && session.user.id, ticket: joined.ticket, first: null, shown: null };
      onStatus(joined);
    } catch (failure) {
      if (stopped || (failure && failure.name === 'AbortError')) return;
      joinFailed(failure);
    } finally {
      abort = null;
    }
  }

  /** After a reload: the ticket kept for this sale joins again first (the same place), else nothing. */
  async function resume() {
    const kept = readQueue(saleId, session.user && session.user.id);
    if (!kept) return;
    entry = kept;
    if (kept.pass && msUntil(kept.passExpiresAt) > 0 && !kept.ticket) {
      setPhase('admitted');
      return;
    }
    if (!kept.ticket) {
      forget();
      return;
    }
    setPhase('resuming');
    try {
      const again = await api(base, { method: 'POST', token: session.token, retry: true, body: { ticket: kept.ticket } });
      if (!stopped) onStatus(again);
    } catch (failure) {
      if (stopped) return;
      if (failure.code === 'TICKET_EXPIRED' && entry && entry.pass && msUntil(entry.passExpiresAt) > 0) {
        setPhase('admitted'); // the ticket ran out, the pass it earned did not
        return;
      }
      joinFailed(failure);
    }
  }

  function joinFailed(failure) {
    if (failure.code === 'TICKET_EXPIRED') {
      lose('ticket');
      return;
    }
    if (failure.code === 'NOT_FOUND' && sale) {
      forget();
      setPhase('idle');
      onOpen(); // the sale has no room (any more): buy directly
      return;
    }
    if (failure.code === 'SALE_ENDED' || failure.code === 'SALE_CANCELLED') {
      finish('CLOSED');
      return;
    }
    problem.show(failure);
    setPhase(roomOpen() ? 'idle' : 'not-open');
  }

  function stopWork() {
    if (abort) abort.abort();
    setPhase('idle');
    joinButton.focus();
  }

  function leave() {
    stopFollowing();
    forget();
    status = null;
    setPhase('idle');
    say('You left the queue.');
    joinButton.focus();
  }

  // ---- following ----

  function onStatus(next) {
    status = next;
    if (!entry) entry = { userId: session.user && session.user.id, first: null, shown: null };
    entry.ticket = next.ticket;
    if (next.position != null && FOLLOWING.has(next.state)) {
      entry.shown = entry.shown == null ? next.position : Math.min(entry.shown, next.position);
      entry.first = entry.first == null ? entry.shown : Math.max(entry.first, entry.shown);
    }
    switch (next.state) {
      case 'ADMITTED':
        stopFollowing();
        entry.pass = next.pass;
        entry.passExpiresAt = next.passExpiresAt;
        remember();
        buyWithPass(); // shows the admission as "reserving" at once
        return;
      case 'PASS_EXPIRED':
        stopFollowing();
        lose('pass');
        return;
      case 'SOLD_OUT':
      case 'CLOSED':
        stopFollowing();
        finish(next.state);
        return;
      case 'OPEN':
        stopFollowing();
        forget();
        setPhase('idle');
        onOpen(); // the sale has no room any more: the page shows Buy now once it has read the sale again
        return;
      default:
        remember();
        if (phase !== 'following') {
          setPhase('following');
          startFollowing();
        } else {
          render();
        }
    }
  }

  function startFollowing() {
    if (Date.now() >= nextStreamAt && typeof EventSource !== 'undefined') openStream();
    else schedulePoll(status ? status.checkInAfterSeconds * 1000 : 1000);
  }

  function openStream() {
    closeStream();
    const opened = new EventSource(`${base}/events?ticket=${encodeURIComponent(entry.ticket)}`);
    source = opened;
    opened.addEventListener('queue', (event) => {
      if (source !== opened) return;
      streamFailures = 0;
      onStatus(JSON.parse(event.data));
    });
    opened.addEventListener('error', () => {
      if (source !== opened) return;
      // Never let EventSource reconnect by itself: it would send the first ticket, not the newest.
      closeStream();
      if (phase !== 'following' || stopped) return;
      streamFailures += 1;
      nextStreamAt = Date.now() + Math.min(1000 * 2 ** streamFailures, MAX_STREAM_BACKOFF_MS);
      schedulePoll(200);
    });
  }

  function closeStream() {
    if (source) source.close();
    source = null;
  }

  function schedulePoll(ms) {
    if (pollTimer) clearTimeout(pollTimer);
    pollTimer = setTimeout(poll, ms);
  }

  async function poll() {
    pollTimer = null;
    if (phase !== 'following' || stopped) return;
    try {
      const next = await api(`${base}?ticket=${encodeURIComponent(entry.ticket)}`);
      if (phase !== 'following' || stopped) return;
      onStatus(next);
      if (phase === 'following' && !source) startFollowing();
    } catch (failure) {
      if (phase !== 'following' || stopped) return;
      if (failure.code === 'TICKET_EXPIRED') {
        lose('ticket');
      } else if (failure.code === 'NOT_FOUND' || failure.code === 'VALIDATION') {
        forget();
        problem.show(failure);
        setPhase('idle');
      } else {
        schedulePoll(1000); // the network or the node: keep checking in while the ticket lasts
      }
    }
  }

  function stopFollowing() {
    closeStream();
    if (pollTimer) clearTimeout(pollTimer);
    pollTimer = null;
  }

  // ---- admitted: buying with the pass ----

  async function buyWithPass() {
    if (buying || !entry || !entry.pass) return;
    if (msUntil(entry.passExpiresAt) <= 0) {
      lose('pass');
      return;
    }
    buying = true;
    setPhase('admitted');
    let bought = false;
    try {
      bought = await purchase(entry.pass);
    } finally {
      buying = false;
      // Bought: the hold takes over, and buying again takes a new turn. Else the pass may still buy.
      if (bought) lose(null);
      else render();
    }
  }

  // ---- states ----

  function lose(reason) {
    stopFollowing();
    forget();
    lostReason = reason;
    setPhase(reason ? 'lost' : 'idle');
  }

  function finish(state) {
    forget();
    finalState = state;
    setPhase('final');
  }

  function remember() {
    if (entry) writeQueue(saleId, entry);
  }

  function forget() {
    entry = null;
    forgetQueue(saleId);
  }

  function roomOpen() {
    return !!(sale && sale.waitingRoom) && msUntil(sale.waitingRoom.prequeueOpensAt) <= 0
      && sale.status !== 'ENDED' && sale.status !== 'CANCELLED';
  }

  function setPhase(next) {
    const changed = next !== phase;
    phase = next;
    element.dataset.phase = phase;
    render(changed);
  }

  function stateNow() {
    if (phase === 'following' || phase === 'admitted') return phase === 'admitted' ? 'ADMITTED' : status.state;
    if (phase === 'final') return finalState;
    if (phase === 'lost') return lostReason === 'pass' ? 'PASS_EXPIRED' : 'TICKET_EXPIRED';
    return null;
  }

  // ---- showing ----

  let lastSaid = '';
  let lastSaidAt = 0;
  let sayTimer = null;
  let lastState = null;

  function render(phaseChanged = false) {
    if (!sale) return;
    const state = stateNow();
    // In line: position, waiting, ETA (each once known) and the bar; in the pre-queue only how many wait.
    const following = phase === 'following' && status !== null;
    const inLine = following && status.state !== 'PREQUEUE';
    numbers.hidden = !following || (status.position == null && status.waiting == null);
    bar.hidden = !inLine || status.position == null;
    if (state) setBadge(badge, state, STATE_WORDS[state] || state);
    badge.hidden = !state;
    work.hidden = !['solving', 'joining'].includes(phase);

    let words = '';
    let spoken = '';
    const buttons = [];
    switch (phase) {
      case 'not-open':
        words = `The queue opens ${localTime(sale.waitingRoom.prequeueOpensAt)} (in ${countdown(msUntil(sale.waitingRoom.prequeueOpensAt))}). `
          + 'Joining before the sale starts gives no advantage: the order is drawn at the start.';
        spoken = `The queue opens ${localTime(sale.waitingRoom.prequeueOpensAt)}.`;
        break;
      case 'idle':
        words = sale.status === 'UPCOMING'
          ? 'This sale has a waiting room. Join now or later before the start: the order is drawn at the start, '
            + 'arriving early gives no advantage.'
          : 'This sale has a waiting room: join the queue, and when it is your turn this page reserves for you.';
        buttons.push(joinButton);
        break;
      case 'solving':
        words = 'Proving you’re not a bot… this takes a few seconds at most.';
        spoken = 'Joining the queue. Proving you’re not a bot.';
        buttons.push(stopButton);
        break;
      case 'joining':
      case 'resuming':
        words = phase === 'resuming' ? 'Finding your place in the queue again…' : 'Joining the queue…';
        break;
      case 'following':
        ({ words, spoken } = followingWords());
        buttons.push(leaveButton);
        break;
      case 'admitted': {
        const left = msUntil(entry && entry.passExpiresAt);
        if (buying) {
          words = 'It’s your turn! Reserving your units…';
          spoken = 'It’s your turn. Reserving.';
        } else {
          words = `It’s your turn! Buy before your pass runs out (${countdown(left)} left).`;
          spoken = 'It’s your turn: buy now.';
          buttons.push(buyButton);
        }
        buyButton.disabled = buying;
        break;
      }
      case 'lost':
        words = lostReason === 'pass'
          ? 'Your turn came, but the pass ran out before a purchase. Join again (at the back of the queue).'
          : 'Your place in the queue was lost: this page was away too long. Join again (at the back of the queue).';
        buttons.push(joinButton);
        break;
      case 'final':
        words = finalState === 'SOLD_OUT' ? 'Sold out: no unit is left and none can come back.'
          : 'The sale is over: it ended or was cancelled.';
        break;
      default:
        break;
    }
    setText(joinButton, phase === 'lost' ? 'Join the queue again' : 'Join the queue');
    joinButton.disabled = !roomOpen();
    if (buttons.includes(joinButton) && roomOpen()) prepareSolver(); // a press then starts hashing at once
    setText(message, words);
    const focused = controls.contains(document.activeElement) ? document.activeElement : null;
    if (controls.children.length !== buttons.length || buttons.some((b, i) => controls.children[i] !== b)) {
      replace(controls, buttons);
      if (focused && !controls.contains(focused)) title.focus({ preventScroll: true });
    }
    controls.hidden = buttons.length === 0;
    showWork();
    showNumbers();
    const stateChanged = state !== lastState || phaseChanged;
    lastState = state;
    say(spoken || words, stateChanged);
  }

  function followingWords() {
    const s = status;
    const place = entry && entry.shown != null ? entry.shown : s.position;
    switch (s.state) {
      case 'PREQUEUE':
        return {
          words: `You’re in the pre-queue. The order is drawn at the start, ${localTime(s.startsAt)} `
            + `(in ${countdown(msUntil(s.startsAt))}): arriving early gives no advantage. Keep this page open.`,
          spoken: `You’re in the pre-queue${s.waiting ? ` with ${buyers(s.waiting)}` : ''}. The order is drawn at the start.`,
        };
      case 'PAUSED':
        return {
          words: 'The shop paused admission for a moment. You keep your place; keep this page open.',
          spoken: `Admission is paused. You keep your place${place != null ? `: position ${place}` : ''}.`,
        };
      case 'UNITS_MAY_COME_BACK':
        return {
          words: 'Sold out for now — units may come back when other buyers’ holds expire or are cancelled. You keep your place.',
          spoken: 'Sold out for now: units may come back. You keep your place.',
        };
      default:
        return {
          words: 'You’re in line. Keep this page open: when it is your turn, it reserves for you.',
          spoken: place != null
            ? `Position ${place}${s.waiting != null ? ` of ${Math.max(s.waiting, place)}` : ''} in the queue`
              + `${s.etaSeconds != null ? `, ${etaWords(s.etaSeconds)}` : ''}.`
            : 'You’re in line.',
        };
    }
  }

  function showWork() {
    if (phase !== 'solving' && phase !== 'joining') return;
    const expected = bits ? ` (about 2^${bits} = ${(2 ** bits).toLocaleString('en')} expected)` : '';
    setText(work, phase === 'joining'
      ? `Done: ${hashes.toLocaleString('en')} hashes. Joining…`
      : `Proving you’re not a bot… ${hashes.toLocaleString('en')} hashes${expected}`);
  }

  function showNumbers() {
    if (phase !== 'following' || !status) return;
    const place = entry && entry.shown != null ? entry.shown : status.position;
    const total = status.waiting == null ? null : Math.max(status.waiting, place || 0);
    const inLine = status.state !== 'PREQUEUE';
    setText(position, place == null ? '–' : place.toLocaleString('en'));
    setText(waiting, total == null ? '–' : total.toLocaleString('en'));
    const expected = status.state === 'PAUSED' ? 'paused'
      : status.state === 'WAITING' && status.etaSeconds != null ? etaWords(status.etaSeconds) : null;
    setText(eta, expected || '–');
    position.parentElement.hidden = !inLine || place == null;
    waiting.parentElement.hidden = total == null;
    eta.parentElement.hidden = !inLine || expected == null;
    const first = entry && entry.first ? entry.first : place;
    const share = first && place != null ? Math.max(0, Math.min(1, (first - place) / first)) : 0; // first → 0
    fill.style.width = `${(share * 100).toFixed(1)}%`;
  }

  /** A state change is said at once; the same state's new numbers at most every few seconds. */
  let pending = '';
  function say(text, now = true) {
    if (!text || element.closest('[hidden]')) return; // nothing to say while a hold hides the panel
    pending = text;
    if (sayTimer) clearTimeout(sayTimer);
    sayTimer = null;
    if (text === lastSaid) return;
    const speak = () => {
      sayTimer = null;
      lastSaid = pending;
      lastSaidAt = Date.now();
      setText(announcer, pending);
    };
    if (now || Date.now() - lastSaidAt >= ANNOUNCE_EVERY_MS) speak();
    else sayTimer = setTimeout(speak, ANNOUNCE_EVERY_MS - (Date.now() - lastSaidAt));
  }

  function tick() {
    if (!sale) return;
    if (phase === 'not-open' && roomOpen()) {
      setPhase('idle');
      return;
    }
    if (phase === 'admitted' && entry && msUntil(entry.passExpiresAt) <= 0 && !buying) {
      lose('pass');
      return;
    }
    if (['not-open', 'admitted'].includes(phase) || (phase === 'following' && status && status.state === 'PREQUEUE')) {
      render();
    }
  }

  const stopTicking = everySecond(tick);
  let started = false;

  return {
    element,
    update(next) {
      sale = next;
      if (!started) {
        started = true;
        phase = roomOpen() ? 'idle' : 'not-open';
        render(true);
        resume();
        return;
      }
      if (phase === 'not-open' && roomOpen()) setPhase('idle');
      else if (phase === 'idle' && !roomOpen()) setPhase('not-open');
      else if (phase === 'final' && finalState === 'SOLD_OUT' && sale.available > 0 && roomOpen()) setPhase('idle'); // restocked
      else render();
    },
    /** The purchase with the pass failed as not admitted: the pass is no good; join again. */
    passRefused() {
      lose('pass');
    },
    stop() {
      stopped = true;
      releaseSolver();
      if (abort) abort.abort();
      stopFollowing();
      stopTicking();
      if (sayTimer) clearTimeout(sayTimer);
    },
  };
}

function buyers(n) {
  return `${n.toLocaleString('en')} buyer${n === 1 ? '' : 's'}`;
}

function etaWords(seconds) {
  if (seconds < 1) return 'any moment';
  if (seconds < 60) return `about ${countdownWords(seconds * 1000)}`;
  return `about ${Math.round(seconds / 60)} min`;
}
