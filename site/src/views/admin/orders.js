import { api } from '../../api.js';
import { formatAddress } from '../../address.js';
import { h, msgBox, replace } from '../../dom.js';
import { date, money, plural } from '../../format.js';

const PAGE = 20;
// The order states a filter can choose; the API's own names.
const STATUSES = [
  ['', 'All'],
  ['pending_payment', 'Awaiting payment'],
  ['placed', 'Placed'],
  ['paid', 'Paid'],
  ['cancelled', 'Cancelled'],
  ['expired', 'Expired'],
];
const label = (s) => (STATUSES.find(([v]) => v === s) || [s, s.charAt(0).toUpperCase() + s.slice(1)])[1];

function href(status, cursor) {
  const s = new URLSearchParams();
  if (status) s.set('status', status);
  if (cursor) s.set('cursor', cursor);
  const qs = s.toString();
  return '/admin/orders' + (qs ? '?' + qs : '');
}

function filterForm(status, navigate) {
  const sel = h('select', { id: 'order-status', name: 'status' }, STATUSES.map(([v, t]) => h('option', { value: v }, t)));
  sel.value = status;
  const form = h(
    'form',
    { class: 'admin-filters', 'aria-label': 'Orders' },
    h('div', { class: 'field' }, h('label', { for: 'order-status' }, 'Status'), sel),
    h('button', { type: 'submit', class: 'btn' }, 'Show'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    navigate(href(sel.value, ''));
  });
  return form;
}

// detail is one order opened: lines, customer, address, and cancelling on the
// customer's behalf (asked once more in the page).
function detail(o, onChange) {
  const msgs = msgBox();
  const box = h('div', { class: 'order-detail' });
  const draw = () => {
    // A paid order is refunded and a pending one has its payment cancelled (the API decides).
    const cancel = ['placed', 'pending_payment', 'paid'].includes(o.status) ? h('button', { type: 'button', class: 'btn btn-danger btn-sm' }, 'Cancel for the customer') : null;
    cancel?.addEventListener('click', () => {
      const yes = h('button', { type: 'button', class: 'btn btn-danger btn-sm' }, 'Yes, cancel ' + (o.number || 'this order'));
      const no = h('button', { type: 'button', class: 'btn btn-ghost btn-sm' }, 'Keep it');
      const ask = h('div', { class: 'actions', role: 'group', 'aria-label': 'Confirm cancellation' }, h('p', null, 'Cancel this order for ' + (o.customer_email || 'the customer') + '? Its items go back in stock' + (o.status === 'paid' ? ' and the payment is refunded.' : '.')), yes, no);
      cancel.replaceWith(ask);
      yes.focus();
      no.addEventListener('click', () => {
        draw();
        box.querySelector('.btn-danger')?.focus();
      });
      yes.addEventListener('click', async () => {
        yes.disabled = no.disabled = true;
        try {
          const got = await api('POST', '/admin/orders/' + encodeURIComponent(o.id) + '/cancel');
          o = { ...got, customer_email: got.customer_email || o.customer_email };
          draw();
          onChange(o);
          msgs.show('Order ' + (o.number || '') + ' was cancelled; its stock is back on sale.', 'ok');
        } catch (e) {
          msgs.show(e.status === 409 ? 'This order can no longer be cancelled.' : e.message);
          draw();
        }
      });
    });
    replace(
      box,
      msgs,
      h(
        'div',
        { class: 'order-cols' },
        h(
          'div',
          null,
          h('h3', null, 'Items'),
          h('ul', { class: 'summary-lines' }, (o.items || []).map((i) => h('li', null, h('span', null, i.quantity + ' × ' + i.name + ' (' + i.sku + ')'), h('span', null, money(i.unit_price_cents * i.quantity, o.currency))))),
          h('p', { class: 'total' }, 'Total ', h('strong', null, money(o.total_cents, o.currency))),
        ),
        h(
          'div',
          null,
          h('h3', null, 'Customer'),
          h('p', null, o.customer_email ? h('a', { href: 'mailto:' + o.customer_email }, o.customer_email) : 'Unknown'),
          h('h3', null, 'Deliver to'),
          o.shipping_address ? h('address', null, formatAddress(o.shipping_address).map((l, i) => [i ? h('br') : null, l])) : h('p', { class: 'muted' }, 'No address given.'),
        ),
      ),
      cancel ? h('div', { class: 'actions' }, cancel) : null,
    );
  };
  draw();
  return box;
}

function orderItem(o) {
  const status = h('span', { class: 'badge badge-' + (o.status === 'placed' ? 'in' : 'out') }, label(o.status));
  const n = (o.items || []).reduce((s, i) => s + i.quantity, 0);
  const sum = h(
    'summary',
    null,
    h('span', { class: 'order-no' }, o.number || o.id),
    status,
    h('span', { class: 'muted small' }, date(o.created_at) + ' · ' + (o.customer_email || '') + ' · ' + plural(n, 'item', 'items')),
    h('strong', null, money(o.total_cents, o.currency)),
  );
  return h(
    'li',
    { class: 'admin-order' },
    h(
      'details',
      null,
      sum,
      detail(o, (got) => {
        replace(status, label(got.status));
        status.className = 'badge badge-out';
      }),
    ),
  );
}

// list is every customer's orders, newest first, with a status filter.
export async function list(ctx) {
  const { main, query, signal, navigate } = ctx;
  const status = query.get('status') || '';
  const cursor = query.get('cursor') || '';
  ctx.title('Orders · Console');
  const body = h('div', null, h('p', { class: 'muted' }, 'Loading orders…'));
  main.append(h('h1', null, 'Orders'), filterForm(status, navigate), body);
  const p = new URLSearchParams({ limit: String(PAGE) });
  if (status) p.set('status', status);
  if (cursor) p.set('cursor', cursor);
  const page = await api('GET', '/admin/orders?' + p, { signal });
  const items = page.items || [];
  if (!items.length) {
    replace(body, h('p', null, status ? 'No ' + label(status).toLowerCase() + ' orders.' : 'No orders yet.'));
    return;
  }
  replace(
    body,
    h('ul', { class: 'admin-orders' }, items.map(orderItem)),
    h(
      'nav',
      { class: 'pager', 'aria-label': 'Pages' },
      cursor ? h('a', { href: href(status, ''), class: 'btn btn-ghost' }, '← Newest') : null,
      page.next_cursor ? h('a', { href: href(status, page.next_cursor), class: 'btn btn-ghost', rel: 'next' }, 'Older orders →') : null,
    ),
  );
}
