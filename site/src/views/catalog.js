import { api } from '../api.js';
import { h, image, msgBox, replace } from '../dom.js';
import { money } from '../format.js';

const PAGE = 12;
const CATS_KEY = 'shopstack.categories.v1';

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

// categories lists the catalog's categories. The API has no endpoint for
// them, so they are collected once per session from the product list.
async function categories(signal) {
  const cached = sessionStorage.getItem(CATS_KEY);
  if (cached) return JSON.parse(cached);
  const seen = new Set();
  let cursor = '';
  for (let i = 0; i < 20; i++) {
    const page = await api('GET', '/products?limit=100' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''), { signal });
    for (const p of page.items || []) if (p.category) seen.add(p.category);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  const list = [...seen].sort((a, b) => a.localeCompare(b));
  sessionStorage.setItem(CATS_KEY, JSON.stringify(list));
  return list;
}

function href(q, category, cursor) {
  const s = new URLSearchParams();
  if (q) s.set('q', q);
  if (category) s.set('category', category);
  if (cursor) s.set('cursor', cursor);
  const qs = s.toString();
  return '/' + (qs ? '?' + qs : '');
}

export default async function catalog(ctx) {
  const { main, query, signal, navigate } = ctx;
  const q = (query.get('q') || '').trim();
  const category = query.get('category') || '';
  const cursor = query.get('cursor') || '';
  // Cursors of the pages before this one, so "Previous" works with keyset paging.
  const trail = Array.isArray(ctx.state.trail) ? ctx.state.trail : [];
  ctx.title(q ? 'Search: ' + q : pretty(category) || 'Shop');

  const input = h('input', { id: 'q', name: 'q', type: 'search', value: q, autocomplete: 'off', placeholder: 'T-shirt, mug…' });
  const select = h('select', { id: 'category', name: 'category' }, h('option', { value: '' }, 'All categories'));
  if (category) select.append(h('option', { value: category }, pretty(category)));
  select.value = category;
  const form = h(
    'form',
    { role: 'search', class: 'filters', 'aria-label': 'Products' },
    h('div', { class: 'field' }, h('label', { for: 'q' }, 'Search'), input),
    h('div', { class: 'field' }, h('label', { for: 'category' }, 'Category'), select),
    h('button', { type: 'submit', class: 'btn' }, 'Search'),
  );
  // Filters apply on submit only: changing the select with the keyboard must
  // not reload the results under the shopper (WCAG 3.2.2).
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    navigate(href(input.value.trim(), select.value, ''));
  });

  const msgs = msgBox();
  const results = h('section', { 'aria-labelledby': 'results-h' });
  main.append(h('h1', null, q || category ? 'Products' : 'All products'), form, msgs, results);

  categories(signal).then(
    (list) => {
      for (const c of list) if (c !== category) select.append(h('option', { value: c }, pretty(c)));
      [...select.options].slice(1).sort((a, b) => a.text.localeCompare(b.text)).forEach((o) => select.append(o));
      select.value = category;
    },
    () => {},
  );

  replace(results, h('h2', { id: 'results-h', class: 'sr-only' }, 'Results'), h('p', { class: 'muted' }, 'Loading products…'));
  const params = new URLSearchParams({ limit: String(PAGE) });
  if (q) params.set('q', q);
  if (category) params.set('category', category);
  if (cursor) params.set('cursor', cursor);
  let page;
  try {
    page = await api('GET', '/products?' + params, { signal });
  } catch (e) {
    if (e.status === 422 && cursor) {
      msgs.show('That page of results has expired. ', 'warn', h('a', { href: href(q, category, '') }, 'Start from the first page'), '.');
      replace(results);
      return;
    }
    throw e;
  }
  const items = page.items || [];
  const summary = items.length
    ? (q ? 'Results for “' + q + '”' : 'Products') + (category ? ' in ' + pretty(category) : '')
    : q || category
      ? 'No products match ' + (q ? '“' + q + '”' : '') + (q && category ? ' in ' : '') + pretty(category) + '.'
      : 'The shop has no products yet.';
  replace(
    results,
    h('h2', { id: 'results-h', class: items.length ? 'sr-only' : '' }, summary),
    items.length ? h('ul', { class: 'grid' }, items.map(card)) : q || category ? h('p', null, h('a', { href: '/' }, 'Show all products')) : null,
  );

  const nav = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  if (cursor) {
    const prev = trail.length ? trail[trail.length - 1] : '';
    const a = h('a', { href: href(q, category, prev), class: 'btn btn-ghost' }, trail.length ? '← Previous page' : '← First page');
    a.addEventListener('click', (e) => {
      e.preventDefault();
      navigate(href(q, category, prev), { state: { trail: trail.slice(0, -1) } });
    });
    nav.append(a);
  }
  if (page.next_cursor) {
    const a = h('a', { href: href(q, category, page.next_cursor), class: 'btn btn-ghost', rel: 'next' }, 'Next page →');
    a.addEventListener('click', (e) => {
      e.preventDefault();
      navigate(href(q, category, page.next_cursor), { state: { trail: cursor ? [...trail, cursor] : [''] } });
    });
    nav.append(a);
  }
  if (nav.childNodes.length) results.append(nav);
}
