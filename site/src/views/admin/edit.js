import { api } from '../../api.js';
import { h, msgBox, replace } from '../../dom.js';
import { apiProblems, checkAll, clearErrors, field, showErrors } from '../../form.js';
import { money } from '../../format.js';
import { imagePanel } from './upload.js';
import { stockPanel } from './stock.js';

// Prices are typed in units ("19.99") and sent in cents; the API's field
// name is kept on the input so its 422 details land on it.
const PRICE_RE = /^\d{1,7}(\.\d{1,2})?$/;
const toCents = (v) => (PRICE_RE.test(v) ? Math.round(Number(v) * 100) : null);
const fromCents = (c) => (c / 100).toFixed(2);

function productFields(p, isNew) {
  const fs = [
    field('name', 'Name', { required: true, maxlength: 200, value: p ? p.name : '' }),
    field('description', 'Description', { tag: 'textarea', rows: 3, maxlength: 2000, value: p ? p.description : '' }),
    field('price_cents', 'Price (' + ((p && p.currency) || 'USD') + ')', { required: true, inputmode: 'decimal', pattern: PRICE_RE.source, value: p ? fromCents(p.price_cents) : '' }, 'For example 19.99'),
    field('category', 'Category', { required: true, maxlength: 50, pattern: '[a-z0-9][a-z0-9\\-]*', value: p ? p.category : '' }, 'Lower case letters, digits and -, for example kitchen'),
  ];
  if (isNew) {
    fs.unshift(field('sku', 'SKU', { required: true, maxlength: 40, pattern: '[A-Z0-9][A-Z0-9\\-]+', autocapitalize: 'characters' }, 'Capitals, digits and -, for example MUG-BLUE'));
    fs.push(field('stock', 'Stock', { required: true, type: 'number', inputmode: 'numeric', min: 0, value: '0' }));
  }
  return fs;
}

// body reads the form into the API's shape; on edit only what changed.
function body(fs, p) {
  const v = Object.fromEntries(fs.map((f) => [f.id, f.input.value.trim()]));
  const out = { name: v.name, description: v.description, category: v.category };
  const cents = toCents(v.price_cents);
  if (cents !== null) out.price_cents = cents;
  if (!p) return { ...out, sku: v.sku, stock: Number(v.stock), currency: 'USD' };
  for (const k of Object.keys(out)) if (out[k] === p[k]) delete out[k];
  return out;
}

function productForm(p, onSaved) {
  const isNew = !p;
  const msgs = msgBox();
  const fs = productFields(p, isNew);
  const btn = h('button', { type: 'submit', class: 'btn btn-primary' }, isNew ? 'Create product' : 'Save changes');
  const form = h('form', { class: 'admin-form', novalidate: true, 'aria-label': isNew ? 'New product' : 'Product details' }, msgs, fs.map((f) => f.box), btn);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(fs, msgs);
    if (checkAll(fs, msgs)) return;
    const b = body(fs, p);
    if (!isNew && !Object.keys(b).length) {
      msgs.show('Nothing changed.', 'ok');
      return;
    }
    btn.disabled = true;
    try {
      const saved = isNew ? await api('POST', '/admin/products', { body: b }) : await api('PATCH', '/admin/products/' + encodeURIComponent(p.id), { body: b });
      p = saved;
      onSaved(saved, msgs);
    } catch (err) {
      const found = apiProblems(err, fs);
      if (err.code === 'sku_taken') found.push(['sku', 'A product with this SKU already exists.']);
      if (found.length) showErrors(fs, found, msgs);
      else msgs.show(err.message);
    } finally {
      btn.disabled = false;
    }
  });
  return form;
}

// create is the new product page; once created it goes to the product's own
// page, where the picture and stock are managed.
export function create(ctx) {
  const { main, navigate } = ctx;
  ctx.title('New product · Console');
  main.append(
    h('p', { class: 'crumbs' }, h('a', { href: '/admin' }, '← Products')),
    h('h1', null, 'New product'),
    productForm(null, (saved) => navigate('/admin/products/' + encodeURIComponent(saved.id) + '?created=1', { replace: true })),
  );
}

// edit is one product: details, picture, stock and its history.
export async function edit(ctx) {
  const { main, params, query, signal } = ctx;
  const heading = h('h1', null, 'Product');
  main.append(h('p', { class: 'crumbs' }, h('a', { href: '/admin' }, '← Products')), heading);
  let p;
  try {
    p = await api('GET', '/products/' + encodeURIComponent(params[0]), { signal });
  } catch (e) {
    if (e.status !== 404) throw e;
    heading.textContent = 'Product not found';
    main.append(h('p', null, h('a', { href: '/admin' }, 'Back to the products')));
    return;
  }
  ctx.title(p.name + ' · Console');
  heading.textContent = p.name;
  const facts = h('p', { class: 'muted' });
  const showFacts = () => replace(facts, 'SKU ' + p.sku + ' · ' + money(p.price_cents, p.currency) + ' · ', h('a', { href: '/products/' + encodeURIComponent(p.id) }, 'View in the shop'));
  showFacts();
  const created = query.get('created') ? h('p', { class: 'msg msg-ok', role: 'status' }, 'Product created. Add a picture and check its stock below.') : null;
  const form = productForm(p, (saved, msgs) => {
    p = saved;
    heading.textContent = saved.name;
    showFacts();
    msgs.show('Saved.', 'ok');
  });
  main.append(
    facts,
    created,
    h(
      'div',
      { class: 'admin-grid' },
      h('section', { 'aria-labelledby': 'details-h', class: 'panel' }, h('h2', { id: 'details-h' }, 'Details'), form),
      h('div', { class: 'admin-side' }, imagePanel(p, signal), stockPanel(p, signal)),
    ),
  );
}
