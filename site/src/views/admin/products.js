import { api } from '../../api.js';
import { h, image, msgBox, replace } from '../../dom.js';
import { money, plural } from '../../format.js';

const PAGE = 25;

function filters(query) {
  return { q: (query.get('q') || '').trim(), low: query.get('low_stock') || '' };
}

function href(f, cursor) {
  const s = new URLSearchParams();
  if (f.q) s.set('q', f.q);
  if (f.low !== '') s.set('low_stock', f.low);
  if (cursor) s.set('cursor', cursor);
  const qs = s.toString();
  return '/admin' + (qs ? '?' + qs : '');
}

function stockCell(p, low) {
  const cls = p.stock <= 0 ? 'badge badge-out' : low !== '' && p.stock <= Number(low) ? 'badge badge-low' : 'badge badge-in';
  return h('span', { class: cls }, p.stock <= 0 ? 'Sold out' : String(p.stock));
}

function row(p, low) {
  return h(
    'tr',
    null,
    h('td', { class: 'cell-img' }, image(p, 160, 160, '', { sizes: '48px' })),
    h('th', { scope: 'row' }, h('a', { href: '/admin/products/' + encodeURIComponent(p.id) }, p.name), h('span', { class: 'muted small block' }, p.sku + (p.category ? ' · ' + p.category : ''))),
    h('td', { class: 'num' }, money(p.price_cents, p.currency)),
    h('td', { class: 'num' }, stockCell(p, low)),
  );
}

function searchForm(f, navigate) {
  const q = h('input', { id: 'admin-q', name: 'q', type: 'search', value: f.q, autocomplete: 'off', placeholder: 'Name or SKU' });
  const low = h('input', { id: 'admin-low', name: 'low_stock', type: 'number', inputmode: 'numeric', min: 0, value: f.low, placeholder: 'e.g. 5' });
  const form = h(
    'form',
    { role: 'search', class: 'admin-filters', 'aria-label': 'Products', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'admin-q' }, 'Search'), q),
    h('div', { class: 'field' }, h('label', { for: 'admin-low' }, 'Stock at most'), low),
    h('button', { type: 'submit', class: 'btn' }, 'Show'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const n = low.value.trim();
    navigate(href({ q: q.value.trim(), low: n !== '' && Number.isInteger(Number(n)) && Number(n) >= 0 ? String(Number(n)) : '' }, ''));
  });
  return form;
}

// list is the console's products page: search, a low-stock filter and
// keyset pages, from GET /api/admin/products.
export async function list(ctx) {
  const { main, query, signal, navigate } = ctx;
  const f = filters(query);
  const cursor = query.get('cursor') || '';
  ctx.title('Products · Console');
  const msgs = msgBox();
  const count = h('p', { class: 'result-count', role: 'status' });
  const body = h('div', null, h('p', { class: 'muted' }, 'Loading products…'));
  main.append(
    h('div', { class: 'admin-head' }, h('h1', null, 'Products'), h('a', { href: '/admin/products/new', class: 'btn btn-primary' }, 'New product')),
    searchForm(f, navigate),
    msgs,
    count,
    body,
  );
  const p = new URLSearchParams({ limit: String(PAGE) });
  if (f.q) p.set('q', f.q);
  if (f.low !== '') p.set('low_stock', f.low);
  if (cursor) p.set('cursor', cursor);
  const page = await api('GET', '/admin/products?' + p, { signal });
  const items = page.items || [];
  count.textContent = plural(page.total ?? items.length, 'product', 'products') + (f.low !== '' ? ' with ' + f.low + ' or fewer in stock' : '');
  if (!items.length) {
    replace(body, h('p', null, f.q || f.low !== '' ? 'No product matches. ' : 'No products yet. ', h('a', { href: f.q || f.low !== '' ? '/admin' : '/admin/products/new' }, f.q || f.low !== '' ? 'Show all' : 'Create the first one'), '.'));
    return;
  }
  replace(
    body,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'admin-table' },
        h('caption', { class: 'sr-only' }, 'Products'),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Picture')), h('th', { scope: 'col' }, 'Product'), h('th', { scope: 'col', class: 'num' }, 'Price'), h('th', { scope: 'col', class: 'num' }, 'Stock'))),
        h('tbody', null, items.map((x) => row(x, f.low))),
      ),
    ),
    h(
      'nav',
      { class: 'pager', 'aria-label': 'Pages' },
      cursor ? h('a', { href: href(f, ''), class: 'btn btn-ghost' }, '← First page') : null,
      page.next_cursor ? h('a', { href: href(f, page.next_cursor), class: 'btn btn-ghost', rel: 'next' }, 'Next page →') : null,
    ),
  );
}
