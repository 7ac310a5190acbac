// #/products: every product (GET /api/products), a form to create one (POST /api/admin/products) and
// to edit one (PUT /api/admin/products/{id}, the same body).

import { h, replace } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { money } from '../lib/format.js';
import { notify } from '../lib/notices.js';
import { problemArea } from '../lib/problem-view.js';

export function productsView(main, { session }) {
  let editing = null; // the product being edited, or null when creating
  const problem = problemArea();
  const listProblem = problemArea();
  const formTitle = h('h2', { id: 'product-form-title', tabindex: '-1' }, 'New product');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create product');
  const cancelEdit = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => startCreate() },
    'Cancel edit');
  const field = (name, label, input, hint) => h('div', { class: 'field' },
    h('label', { for: `product-${name}` }, label), input,
    hint ? h('p', { class: 'hint', id: `product-${name}-hint` }, hint) : null);
  const form = h('form', { class: 'card form', 'aria-labelledby': 'product-form-title', novalidate: true },
    formTitle,
    field('name', 'Name', h('input', { id: 'product-name', name: 'name', required: true, maxlength: 200 })),
    field('description', 'Description', h('textarea', { id: 'product-description', name: 'description', maxlength: 5000 })),
    field('imageUrl', 'Image URL', h('input', { id: 'product-imageUrl', name: 'imageUrl', type: 'text',
      'aria-describedby': 'product-imageUrl-hint', placeholder: '/img/sneakers.svg' }),
    'Optional: an http(s) URL, or a path on this site such as /img/sneakers.svg.'),
    field('price', 'Price', h('input', { id: 'product-price', name: 'price', inputmode: 'decimal', required: true,
      'aria-describedby': 'product-price-hint', placeholder: '89.99' }), 'A decimal amount, e.g. 89.99.'),
    problem.element,
    h('div', { class: 'button-row' }, submit, cancelEdit));
  const rows = h('tbody');
  main.append(h('h1', {}, 'Products'),
    h('div', { class: 'admin-grid' },
      form,
      h('section', { 'aria-labelledby': 'products-title' },
        h('h2', { id: 'products-title' }, 'All products'), listProblem.element,
        h('div', { class: 'table-wrap' }, h('table', {},
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col', class: 'number' }, 'Price'),
            h('th', { scope: 'col' }, 'Image'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
          rows)))));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problem.clear(form);
    const values = Object.fromEntries(new FormData(form));
    const body = { name: values.name, description: values.description, price: values.price.trim() };
    if (values.imageUrl.trim()) body.imageUrl = values.imageUrl.trim();
    submit.disabled = true;
    try {
      const saved = editing
        ? await api(`/api/admin/products/${encodeURIComponent(editing.id)}`, { method: 'PUT', body, token: session.token })
        : await api('/api/admin/products', { method: 'POST', body, token: session.token });
      notify(`${editing ? 'Saved' : 'Created'} “${saved.name}”.`);
      startCreate();
      await load();
    } catch (failure) {
      problem.show(failure, form);
    } finally {
      submit.disabled = false;
    }
  });

  function startCreate() {
    editing = null;
    form.reset();
    problem.clear(form);
    formTitle.textContent = 'New product';
    submit.textContent = 'Create product';
    cancelEdit.hidden = true;
  }

  function startEdit(product) {
    editing = product;
    problem.clear(form);
    form.elements.name.value = product.name;
    form.elements.description.value = product.description || '';
    form.elements.imageUrl.value = product.imageUrl || '';
    form.elements.price.value = product.price;
    formTitle.textContent = `Edit “${product.name}”`;
    submit.textContent = 'Save changes';
    cancelEdit.hidden = false;
    formTitle.focus();
  }

  async function load() {
    try {
      const { items } = await api('/api/products');
      listProblem.clear();
      replace(rows, items.length === 0
        ? h('tr', {}, h('td', { colspan: 4, class: 'empty' }, 'No products yet.'))
        : items.map((product) => h('tr', { dataset: { productId: product.id } },
          h('td', {}, product.name),
          h('td', { class: 'number' }, money(product.price)),
          h('td', {}, product.imageUrl
            ? h('img', { src: product.imageUrl, alt: '', width: 48, height: 30, class: 'thumb' }) : '—'),
          h('td', {}, h('button', { type: 'button', class: 'secondary small', onclick: () => startEdit(product),
            'aria-label': `Edit ${product.name}` }, 'Edit')))));
    } catch (failure) {
      listProblem.show(failure);
    }
  }

  load();
  return null;
}
