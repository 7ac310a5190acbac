// How a form shows an API problem: its title and detail in an alert next to the form, and each invalid
// field's message under that field (linked with aria-describedby and aria-invalid).

import { h, replace } from './dom.js';

/** An empty alert area; show(problem) fills it, clear() empties it. */
export function problemArea() {
  const element = h('div', { class: 'problem', role: 'alert', hidden: true });
  return {
    element,
    show(problem, form) {
      clearFieldErrors(form);
      const title = problem.title || 'Something went wrong';
      replace(element, h('strong', { class: 'problem-title' }, title),
        problem.detail ? h('span', { class: 'problem-detail' }, ` ${problem.detail}`) : null);
      element.hidden = false;
      if (form && problem.errors) showFieldErrors(form, problem.errors);
    },
    clear(form) {
      element.hidden = true;
      element.replaceChildren();
      clearFieldErrors(form);
    },
  };
}

function showFieldErrors(form, errors) {
  const unmatched = [];
  for (const error of errors) {
    const input = form.querySelector(`[name="${CSS.escape(error.field)}"]`);
    if (!input) {
      unmatched.push(error);
      continue;
    }
    const message = h('span', { class: 'field-error', id: `${input.id}-error` }, error.message);
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), message.id].filter(Boolean).join(' '));
    input.insertAdjacentElement('afterend', message);
  }
  if (unmatched.length) {
    form.querySelector('.problem')?.append(h('ul', {}, unmatched.map((e) => h('li', {}, `${e.field}: ${e.message}`))));
  }
}

function clearFieldErrors(form) {
  if (!form) return;
  form.querySelectorAll('.field-error').forEach((message) => {
    const input = form.querySelector(`[aria-describedby~="${message.id}"]`);
    if (input) {
      input.removeAttribute('aria-invalid');
      const rest = input.getAttribute('aria-describedby').split(' ').filter((id) => id !== message.id).join(' ');
      if (rest) input.setAttribute('aria-describedby', rest);
      else input.removeAttribute('aria-describedby');
    }
    message.remove();
  });
}
