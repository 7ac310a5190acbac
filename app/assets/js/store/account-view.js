// #/account: log in or register (POST /api/auth/login, /api/auth/register), then back to where the
// buyer came from. Problems show their title/detail and the invalid fields.

import { h } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { problemArea } from '../lib/problem-view.js';

export function accountView(main, { session }, next) {
  const target = next && next.startsWith('#/') ? next : '#/';
  main.append(h('h1', {}, session.user ? 'Your account' : 'Log in or register'));
  if (session.user) {
    main.append(h('p', {}, `You are signed in as ${session.user.name} (${session.user.email}).`),
      h('p', {}, h('a', { href: '#/orders' }, 'See your orders'), ' · ', h('a', { href: '#/' }, 'See the sales')));
    return null;
  }
  main.append(h('div', { class: 'two-columns' },
    form({
      id: 'login', title: 'Log in', submit: 'Log in', path: '/api/auth/login',
      fields: [
        { name: 'email', label: 'Email', type: 'email', autocomplete: 'username' },
        { name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password' },
      ],
    }),
    form({
      id: 'register', title: 'Register', submit: 'Create account', path: '/api/auth/register',
      fields: [
        { name: 'name', label: 'Name', type: 'text', autocomplete: 'name' },
        { name: 'email', label: 'Email', type: 'email', autocomplete: 'email' },
        { name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', minlength: 8,
          hint: 'At least 8 characters.' },
      ],
    })));

  function form({ id, title, submit, path, fields }) {
    const problem = problemArea();
    const button = h('button', { type: 'submit' }, submit);
    const element = h('form', { class: 'card form', 'aria-labelledby': `${id}-title`, novalidate: true },
      h('h2', { id: `${id}-title` }, title),
      fields.map((field) => {
        const inputId = `${id}-${field.name}`;
        const hintId = field.hint ? `${inputId}-hint` : null;
        return h('div', { class: 'field' },
          h('label', { for: inputId }, field.label),
          h('input', { id: inputId, name: field.name, type: field.type, autocomplete: field.autocomplete,
            required: true, minlength: field.minlength, 'aria-describedby': hintId }),
          hintId ? h('p', { class: 'hint', id: hintId }, field.hint) : null);
      }),
      problem.element,
      button);
    element.addEventListener('submit', async (event) => {
      event.preventDefault();
      problem.clear(element);
      const body = Object.fromEntries(new FormData(element).entries());
      button.disabled = true;
      try {
        const answer = await api(path, { method: 'POST', body });
        session.save(answer);
        window.location.hash = target;
      } catch (failure) {
        problem.show(failure, element);
        button.disabled = false;
      }
    });
    return element;
  }
  return null;
}
