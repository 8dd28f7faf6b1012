import { api } from '../api.js';
import { h, image, msgBox, replace } from '../dom.js';
import { money, plural } from '../format.js';

const PAGE = 12;

// pretty turns a category slug ("t-shirts") into a label ("T-shirts").
export const pretty = (c) => (c ? c.charAt(0).toUpperCase() + c.slice(1).replace(/-/g, ' ').replace(/ shirt/, '-shirt') : c);

export function stockLabel(stock) {
  if (stock <= 0) return h('span', { class: 'badge badge-out' }, 'Sold out');
  if (stock <= 5) return h('span', { class: 'badge badge-low' }, 'Only ' + stock + ' left');
  return h('span', { class: 'badge badge-in' }, 'In stock');
}

function card(p) {
  return h(
    'li',
    { class: 'card' },
    h(
      'a',
      { href: '/products/' + encodeURIComponent(p.id), class: 'card-link' },
      image(p, 600, 400, ''),
      h('span', { class: 'card-name' }, p.name),
    ),
    h('span', { class: 'card-meta' }, h('span', { class: 'price' }, money(p.price_cents, p.currency)), stockLabel(p.stock)),
  );
}

const SORTS = [
  ['relevance', 'Best match'],
  ['name', 'Name'],
  ['price_asc', 'Price: low to high'],
  ['price_desc', 'Price: high to low'],
  ['newest', 'Newest'],
];

// Filters is what the URL holds: the search text and every filter the API takes.
function readFilters(query) {
  const f = {
    q: (query.get('q') || '').trim(),
    category: query.get('category') || '',
    min: query.get('min_price_cents') || '',
    max: query.get('max_price_cents') || '',
    inStock: query.get('in_stock') === 'true',
    sort: query.get('sort') || '',
  };
  // Best match only exists for a search; a stale sort=relevance falls back to the default.
  if (f.sort === 'relevance' && !f.q) f.sort = '';
  return f;
}

function params(f, cursor) {
  const s = new URLSearchParams();
  if (f.q) s.set('q', f.q);
  if (f.category) s.set('category', f.category);
  if (f.min) s.set('min_price_cents', f.min);
  if (f.max) s.set('max_price_cents', f.max);
  if (f.inStock) s.set('in_stock', 'true');
  if (f.sort) s.set('sort', f.sort);
  if (cursor) s.set('cursor', cursor);
  return s;
}

function href(f, cursor) {
  const qs = params(f, cursor).toString();
  return '/' + (qs ? '?' + qs : '');
}

function rangeLabel(r, currency) {
  if (r.max_cents == null) return money(r.min_cents, currency) + ' and up';
  if (r.min_cents === 0) return 'Under ' + money(r.max_cents + 1, currency);
  return money(r.min_cents, currency) + ' – ' + money(r.max_cents, currency);
}

// filterForm builds the search form. Its options and their counts come from the
// page's facets once the results arrive (fill).
function filterForm(f, navigate) {
  const input = h('input', { id: 'q', name: 'q', type: 'search', value: f.q, autocomplete: 'off', placeholder: 'T-shirt, mug…' });
  const category = h('select', { id: 'category', name: 'category' }, h('option', { value: '' }, 'All categories'));
  if (f.category) category.append(h('option', { value: f.category }, pretty(f.category)));
  category.value = f.category;
  const price = h('select', { id: 'price', name: 'price' }, h('option', { value: '' }, 'Any price'));
  const priceValue = f.min || f.max ? f.min + '-' + f.max : '';
  if (priceValue) {
    const r = { min_cents: Number(f.min) || 0, max_cents: f.max === '' ? null : Number(f.max) };
    price.append(h('option', { value: priceValue }, rangeLabel(r, 'USD')));
  }
  price.value = priceValue;
  const sort = h('select', { id: 'sort', name: 'sort' });
  for (const [v, label] of SORTS) if (v !== 'relevance' || f.q) sort.append(h('option', { value: v }, label));
  sort.value = f.sort || (f.q ? 'relevance' : 'name');
  const inStock = h('input', { id: 'in-stock', name: 'in_stock', type: 'checkbox', checked: f.inStock });
  const field = (id, label, el) => h('div', { class: 'field' }, h('label', { for: id }, label), el);
  const form = h(
    'form',
    { role: 'search', class: 'filters', 'aria-label': 'Products' },
    field('q', 'Search', input),
    field('category', 'Category', category),
    field('price', 'Price', price),
    field('sort', 'Sort by', sort),
    h('div', { class: 'field field-check' }, inStock, h('label', { for: 'in-stock' }, 'In stock only')),
    h('button', { type: 'submit', class: 'btn' }, 'Search'),
  );
  // Filters apply on submit only: changing a select with the keyboard must
  // not reload the results under the shopper (WCAG 3.2.2).
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = input.value.trim();
    const [min, max] = price.value ? price.value.split('-') : ['', ''];
    let s = sort.value;
    if (s === 'relevance' && !q) s = '';
    if (s === (q ? 'relevance' : 'name')) s = '';
    navigate(href({ q, category: category.value, min, max, inStock: inStock.checked, sort: s }, ''));
  });
  form.fill = (facets, currency) => {
    for (const c of facets.categories || []) {
      const label = pretty(c.value) + ' (' + c.count + ')';
      const existing = [...category.options].find((o) => o.value === c.value);
      if (existing) existing.textContent = label;
      else category.append(h('option', { value: c.value }, label));
    }
    category.value = f.category;
    for (const r of facets.price_ranges || []) {
      const v = r.min_cents + '-' + (r.max_cents == null ? '' : r.max_cents);
      const label = rangeLabel(r, currency) + ' (' + r.count + ')';
      const existing = [...price.options].find((o) => o.value === v);
      if (existing) existing.textContent = label;
      else price.append(h('option', { value: v, disabled: r.count === 0 && v !== priceValue }, label));
    }
    price.value = priceValue;
    const s = facets.in_stock;
    if (s) inStock.nextSibling.textContent = 'In stock only (' + s.in + ')';
  };
  return form;
}

export default async function catalog(ctx) {
  const { main, query, signal, navigate } = ctx;
  const f = readFilters(query);
  const cursor = query.get('cursor') || '';
  // Cursors of the pages before this one, so "Previous" works with keyset paging.
  const trail = Array.isArray(ctx.state.trail) ? ctx.state.trail : [];
  ctx.title(f.q ? 'Search: ' + f.q : pretty(f.category) || 'Shop');
  const filtered = f.q || f.category || f.min || f.max || f.inStock;

  const form = filterForm(f, navigate);
  const msgs = msgBox();
  const count = h('p', { id: 'result-count', class: 'result-count', role: 'status' });
  const results = h('section', { 'aria-labelledby': 'results-h' });
  main.append(h('h1', null, filtered ? 'Products' : 'All products'), form, msgs, count, results);

  replace(results, h('h2', { id: 'results-h', class: 'sr-only' }, 'Results'), h('p', { class: 'muted' }, 'Loading products…'));
  const p = params(f, cursor);
  p.set('limit', String(PAGE));
  let page;
  try {
    page = await api('GET', '/products?' + p, { signal });
  } catch (e) {
    if (e.status === 422 && cursor) {
      msgs.show('That page of results has expired. ', 'warn', h('a', { href: href(f, '') }, 'Start from the first page'), '.');
      replace(results);
      return;
    }
    throw e;
  }
  const items = page.items || [];
  form.fill(page.facets || {}, (items[0] && items[0].currency) || 'USD');
  count.textContent = plural(page.total || 0, 'result', 'results');
  const summary = items.length
    ? (f.q ? 'Results for “' + f.q + '”' : 'Products') + (f.category ? ' in ' + pretty(f.category) : '')
    : filtered
      ? 'No products match ' + (f.q ? '“' + f.q + '”' : 'these filters') + (f.category ? ' in ' + pretty(f.category) : '') + '.'
      : 'The shop has no products yet.';
  replace(
    results,
    h('h2', { id: 'results-h', class: items.length ? 'sr-only' : '' }, summary),
    items.length ? h('ul', { class: 'grid' }, items.map(card)) : filtered ? h('p', null, h('a', { href: '/' }, 'Show all products')) : null,
  );

  const nav = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  if (cursor) {
    const prev = trail.length ? trail[trail.length - 1] : '';
    const a = h('a', { href: href(f, prev), class: 'btn btn-ghost' }, trail.length ? '← Previous page' : '← First page');
    a.addEventListener('click', (e) => {
      e.preventDefault();
      navigate(href(f, prev), { state: { trail: trail.slice(0, -1) } });
    });
    nav.append(a);
  }
  if (page.next_cursor) {
    const a = h('a', { href: href(f, page.next_cursor), class: 'btn btn-ghost', rel: 'next' }, 'Next page →');
    a.addEventListener('click', (e) => {
      e.preventDefault();
      navigate(href(f, page.next_cursor), { state: { trail: cursor ? [...trail, cursor] : [''] } });
    });
    nav.append(a);
  }
  if (nav.childNodes.length) results.append(nav);
}
