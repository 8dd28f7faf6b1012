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

// SIZES is the card's width in the grid (.grid in app.css): two columns on a
// phone, about 240 px from 640 px up.
const SIZES = '(min-width: 640px) 240px, 50vw';

function card(p, i) {
  return h(
    'li',
    { class: 'card' },
    h(
      'a',
      { href: '/products/' + encodeURIComponent(p.id), class: 'card-link' },
      // The first card's picture is the page's likely largest paint: not lazy.
      image(p, 600, 400, '', { sizes: SIZES, eager: i === 0 }),
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
function filterForm(f, navigate, signal) {
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
  const active = [f.category, priceValue, f.inStock, f.sort].filter(Boolean).length;
  // On a phone the filters fold under "Filters", so the products come first;
  // from 640 px they are always open (the summary is hidden by app.css).
  const wide = matchMedia('(min-width: 640px)');
  const more = h(
    'details',
    { class: 'more-filters', open: active > 0 || wide.matches },
    h('summary', null, 'Filters' + (active ? ' (' + active + ' on)' : '')),
    h(
      'div',
      { class: 'filter-grid' },
      field('category', 'Category', category),
      field('price', 'Price', price),
      field('sort', 'Sort by', sort),
      h('div', { class: 'field field-check' }, inStock, h('label', { for: 'in-stock' }, 'In stock only')),
    ),
  );
  const form = h(
    'form',
    { role: 'search', class: 'filters', 'aria-label': 'Products' },
    h('div', { class: 'search-row' }, field('q', 'Search', input), h('button', { type: 'submit', class: 'btn' }, 'Search')),
    more,
  );
  // A window widened past 640 px hides the summary, so the filters must open.
  wide.addEventListener('change', (e) => e.matches && (more.open = true), { signal });
  // Choosing a category is the one choice that applies at once (issue 14):
  // a shopper expects to see the category they picked. The other filters
  // wait for "Search", so moving through them with the keyboard reloads
  // nothing under the shopper (WCAG 3.2.2); the label says so.
  category.addEventListener('change', () => form.requestSubmit());
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

// heading names what is shown: the search, the category, or everything.
function heading(f) {
  if (f.q) return 'Results for “' + f.q + '”' + (f.category ? ' in ' + pretty(f.category) : '');
  if (f.category) return pretty(f.category);
  return f.min || f.max || f.inStock ? 'Products' : 'All products';
}

// position says which results this page shows ("13–24 of 57"). Keyset pages
// have no offset, so it is counted from the trail of earlier pages; a page
// opened from a bookmark, with no trail, says only how many it shows.
function position(index, shown, total) {
  if (index < 0) return 'Showing ' + shown + ' of ' + total;
  const first = index * PAGE + 1;
  return first + '–' + (first + shown - 1) + ' of ' + total;
}

export default async function catalog(ctx) {
  const { main, query, signal, navigate } = ctx;
  const f = readFilters(query);
  const cursor = query.get('cursor') || '';
  // Cursors of the pages before this one, so "Previous" works with keyset paging.
  const trail = Array.isArray(ctx.state.trail) ? ctx.state.trail : [];
  ctx.title(f.q ? 'Search: ' + f.q : pretty(f.category) || 'Shop');
  const filtered = f.q || f.category || f.min || f.max || f.inStock;

  const form = filterForm(f, navigate, signal);
  const msgs = msgBox();
  const count = h('p', { id: 'result-count', class: 'result-count', role: 'status' });
  const results = h('section', { 'aria-labelledby': 'results-h' });
  main.append(h('h1', null, heading(f)), form, msgs, count, results);

  replace(results, h('h2', { id: 'results-h', class: 'sr-only' }, 'Results'), h('p', { class: 'muted loading' }, 'Loading products…'));
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
  if (items.length) {
    const index = !cursor ? 0 : trail.length ? trail.length : -1;
    nav.append(h('p', { class: 'pager-pos' }, position(index, items.length, page.total || items.length)));
  }
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
  if (items.length) results.append(nav);
}
