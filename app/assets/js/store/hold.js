// A buyer's open hold on the sale page: what is held and for how long (a countdown to expiresAt), a
// simulated card token to pay with (POST /api/orders/{id}/pay) and a cancel (DELETE /api/orders/{id}).
// A declined payment shows the gateway's answer and keeps the hold; the panel ends as Confirmed,
// Cancelled or Expired, read back from the server.

import { h, replace, setBadge, setText } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { everySecond, msUntil } from '../lib/clock.js';
import { money, countdown, countdownWords, orderStatus } from '../lib/format.js';
import { problemArea } from '../lib/problem-view.js';

/** holdPanel(order, {session, productName, onClosed(order)}) → {element, stop()} */
export function holdPanel(initial, { session, productName, onClosed }) {
  let order = initial;
  let stopTicking = () => {};
  let busy = false;
  const orderPath = `/api/orders/${encodeURIComponent(order.id)}`;
  const problem = problemArea();
  const title = h('h2', { id: 'hold-title', tabindex: '-1' }, 'Your hold');
  const summary = h('p', { class: 'hold-summary' });
  const badge = h('span', { class: 'badge' });
  const timerText = h('strong', { class: 'hold-countdown', role: 'timer', 'aria-live': 'off' });
  const timerWords = h('span', { class: 'visually-hidden' });
  const timer = h('p', { class: 'hold-timer' }, 'Held for you for ', timerText, timerWords);
  const outcome = h('p', { class: 'hold-outcome', role: 'status' });

  const tokenInput = h('input', { id: 'payment-token', name: 'paymentToken', type: 'text', required: true,
    autocomplete: 'off', spellcheck: 'false', value: 'tok_visa', 'aria-describedby': 'payment-token-hint' });
  const payButton = h('button', { type: 'submit', class: 'primary' }, `Pay ${money(order.total)}`);
  const payForm = h('form', { class: 'pay-form', novalidate: true },
    h('div', { class: 'field' },
      h('label', { for: 'payment-token' }, 'Card token (simulated)'),
      tokenInput,
      h('p', { class: 'hint', id: 'payment-token-hint' },
        'This shop uses a simulated card gateway: any token pays, except one starting with “decline”.')),
    payButton);
  const cancelButton = h('button', { type: 'button', class: 'secondary' }, 'Cancel hold');
  const actions = h('div', { class: 'hold-actions' }, payForm, cancelButton);
  const element = h('section', { class: 'card hold', 'aria-labelledby': 'hold-title' },
    title, summary, h('p', {}, 'Status: ', badge), timer, problem.element, actions, outcome);

  payForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    const paymentToken = tokenInput.value.trim();
    if (!paymentToken) {
      problem.show({ title: 'Card token missing', detail: 'Enter a card token to pay.' });
      tokenInput.focus();
      return;
    }
    await act('Paying…', payButton, () => api(`${orderPath}/pay`, {
      method: 'POST', body: { paymentToken }, token: session.token, retry: true }));
  });
  cancelButton.addEventListener('click', () => act('Cancelling…', cancelButton, () =>
    api(orderPath, { method: 'DELETE', token: session.token, retry: true })));

  async function act(working, button, call) {
    busy = true;
    problem.clear(payForm);
    const label = button.textContent;
    button.textContent = working;
    payButton.disabled = true;
    cancelButton.disabled = true;
    try {
      show(await call());
    } catch (failure) {
      problem.show(failure, payForm);
      // A decline keeps the hold; an expired or cancelled sale ends it: read what the order is now.
      if (failure.code !== 'PAYMENT_DECLINED') await reload();
    } finally {
      busy = false;
      button.textContent = label;
      payButton.disabled = false;
      cancelButton.disabled = false;
    }
  }

  async function reload() {
    try {
      show(await api(orderPath, { token: session.token }));
    } catch (ignored) {
      // the problem shown already says what went wrong
    }
  }

  function show(next) {
    order = next;
    const held = order.status === 'RESERVED';
    setText(summary, `${order.quantity} × ${productName} at ${money(order.unitPrice)}: total ${money(order.total)}`);
    setBadge(badge, order.status, orderStatus(order.status));
    actions.hidden = !held;
    timer.hidden = !held;
    if (held) {
      setText(outcome, '');
      return;
    }
    stopTicking();
    replace(outcome, ...outcomeText(order), ' ', h('a', { href: '#/orders' }, 'See My orders'));
    onClosed(order);
  }

  let nextExpiryCheck = 0;
  function tick() {
    if (order.status !== 'RESERVED') return;
    const left = msUntil(order.expiresAt);
    setText(timerText, countdown(left));
    setText(timerWords, ` (${countdownWords(left)})`);
    if (left <= -1000 && !busy && Date.now() >= nextExpiryCheck) {
      nextExpiryCheck = Date.now() + 5000; // the entity expires the hold; read the outcome (every 5 s at most)
      reload();
    }
  }

  show(order);
  stopTicking = everySecond(tick);
  return {
    element,
    focus: () => title.focus(),
    stop: () => stopTicking(),
  };
}

function outcomeText(order) {
  switch (order.status) {
    case 'CONFIRMED':
      return ['Paid: your order is confirmed.', order.paymentRef ? ` Payment reference ${order.paymentRef}.` : ''];
    case 'CANCELLED':
      return ['The hold was cancelled and its units went back on sale.'];
    case 'EXPIRED':
      return ['The hold expired before it was paid; its units went back on sale.'];
    default:
      return [orderStatus(order.status)];
  }
}
