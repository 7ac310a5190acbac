// The storefront's entry point (index.html at /): the signed-in buyer in the header, and the routes
// #/ (sales), #/sale/{id} (one sale: buy, pay, cancel), #/orders (My orders), #/account (log in, register).

import { h, replace } from '../lib/dom.js';
import { setUnauthorizedHandler } from '../lib/api.js';
import { createSession } from '../lib/session.js';
import { notify } from '../lib/notices.js';
import { startRouter, wireSkipLink } from '../lib/router.js';
import { forgetOrders } from '../lib/orders-memory.js';
import { forgetQueues } from '../lib/queue-memory.js';
import { salesView } from './sales-view.js';
import { saleView } from './sale-view.js';
import { ordersView } from './orders-view.js';
import { accountView } from './account-view.js';

const session = createSession('flashsale.store.session');
const main = document.getElementById('main');
const account = document.getElementById('account');

setUnauthorizedHandler(() => {
  if (session.token) {
    session.clear();
    notify('Your session has ended. Please log in again.', { kind: 'error' });
  }
});

function renderAccount() {
  const user = session.user;
  if (!user) {
    replace(account, h('a', { href: '#/account', class: 'account-link' }, 'Log in / Register'));
    return;
  }
  replace(account,
    h('span', { class: 'who' }, 'Signed in as ', h('strong', {}, user.name || user.email),
      h('span', { class: 'email' }, ` (${user.email})`)),
    h('button', { type: 'button', class: 'link-button', onclick: logOut }, 'Log out'));
}

function logOut() {
  session.clear();
  forgetOrders();
  forgetQueues();
  notify('You are logged out.');
  window.location.hash = '#/';
}

let router = null;
let shownToken = session.token;
session.onChange(() => {
  renderAccount();
  // Views show what the buyer may do, which depends on who is signed in (not on a refreshed name).
  if (router && session.token !== shownToken) {
    shownToken = session.token;
    router.render();
  }
});
renderAccount();
wireSkipLink(document.querySelector('.skip-link'), main);

const app = { session };
router = startRouter(main, [
  [/^\/$/, (el) => salesView(el, app)],
  [/^\/sale\/([^/]+)$/, (el, { params }) => saleView(el, app, params[0])],
  [/^\/orders$/, (el) => ordersView(el, app)],
  [/^\/account$/, (el, { query }) => accountView(el, app, query.get('next'))],
], (el) => {
  replace(el, h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: '#/' }, 'See the sales')));
});

if (session.token) session.refresh().catch(() => {}); // the 401 handler drops a refused token
