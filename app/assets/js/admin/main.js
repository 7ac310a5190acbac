// The admin console's entry point (admin.html at /admin): an admin login gate, then the routes
// #/sales (list, schedule), #/sales/{id} (the live panel of one sale) and #/products.

import { h, replace } from '../lib/dom.js';
import { api, setUnauthorizedHandler } from '../lib/api.js';
import { createSession } from '../lib/session.js';
import { notify } from '../lib/notices.js';
import { problemArea } from '../lib/problem-view.js';
import { startRouter, wireSkipLink } from '../lib/router.js';
import { productsView } from './products-view.js';
import { salesView } from './sales-view.js';
import { salePanel } from './sale-panel.js';

const session = createSession('flashsale.admin.session');
const main = document.getElementById('main');
const account = document.getElementById('account');
const nav = document.getElementById('admin-nav');
let router = null;

setUnauthorizedHandler(() => {
  if (session.token) {
    session.clear();
    notify('Your admin session has ended. Please log in again.', { kind: 'error' });
  }
});

const isAdmin = () => session.user && session.user.role === 'admin';

function renderChrome() {
  nav.hidden = !isAdmin();
  replace(account, isAdmin()
    ? [h('span', { class: 'who' }, 'Admin ', h('strong', {}, session.user.email)),
      h('button', { type: 'button', class: 'link-button', onclick: () => session.clear() }, 'Log out')]
    : []);
}

function loginView(el) {
  const problem = problemArea();
  const button = h('button', { type: 'submit', class: 'primary' }, 'Log in');
  const form = h('form', { class: 'card form login', 'aria-labelledby': 'login-title', novalidate: true },
    h('h2', { id: 'login-title' }, 'Admin login'),
    h('div', { class: 'field' }, h('label', { for: 'admin-email' }, 'Email'),
      h('input', { id: 'admin-email', name: 'email', type: 'email', autocomplete: 'username', required: true })),
    h('div', { class: 'field' }, h('label', { for: 'admin-password' }, 'Password'),
      h('input', { id: 'admin-password', name: 'password', type: 'password', autocomplete: 'current-password',
        required: true })),
    problem.element, button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problem.clear(form);
    button.disabled = true;
    try {
      const answer = await api('/api/auth/login', { method: 'POST', body: Object.fromEntries(new FormData(form)) });
      if (answer.user.role !== 'admin') {
        problem.show({ title: 'Not an admin', detail: 'This account may shop, but not administer. Log in as an admin.' });
        return;
      }
      session.save(answer);
    } catch (failure) {
      problem.show(failure, form);
    } finally {
      button.disabled = false;
    }
  });
  replace(el, h('h1', {}, 'FlashSale admin'), form);
  return null;
}

function guarded(view) {
  return (el, match) => (isAdmin() ? view(el, { session }, match) : loginView(el));
}

let shownToken = session.token;
session.onChange(() => {
  renderChrome();
  if (router && session.token !== shownToken) {
    shownToken = session.token;
    router.render();
  }
});
renderChrome();
wireSkipLink(document.querySelector('.skip-link'), main);

router = startRouter(main, [
  [/^\/$/, guarded(() => {
    window.location.replace('#/sales');
    return null;
  })],
  [/^\/sales$/, guarded((el, app) => salesView(el, app))],
  [/^\/sales\/([^/]+)$/, guarded((el, app, { params }) => salePanel(el, app, params[0]))],
  [/^\/products$/, guarded((el, app) => productsView(el, app))],
], (el) => replace(el, h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: '#/sales' }, 'See the sales'))));

if (session.token) session.refresh().catch(() => {});
