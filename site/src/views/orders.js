import { api } from '../api.js';
import { formatAddress } from '../address.js';
import { h, msgBox, replace } from '../dom.js';
import { invoiceButton } from '../invoice.js';
import { date, money, plural } from '../format.js';
import * as session from '../session.js';
import { paymentSection, paymentText, statusText } from './payment.js';

const badgeKind = { placed: 'in', paid: 'in', pending_payment: 'low' };
const statusLabel = (o) => h('span', { class: 'badge badge-' + (badgeKind[o.status] || 'out') }, statusText(o));
// The statuses a shopper may cancel: a paid order is refunded, a pending one's payment stopped.
const cancellable = (o) => o.status === 'placed' || o.status === 'pending_payment' || o.status === 'paid';

async function signedIn(ctx, back) {
  await session.ready();
  if (session.user()) return true;
  ctx.main.append(h('p', null, h('a', { href: '/login?next=' + encodeURIComponent(back) }, 'Log in'), ' to see your orders.'));
  return false;
}

export async function orders(ctx) {
  const { main, signal } = ctx;
  ctx.title('Your orders');
  main.append(h('h1', null, 'Your orders'));
  if (!(await signedIn(ctx, '/orders')) || signal.aborted) return;
  const list = ((await api('GET', '/orders', { signal })).items || []).slice();
  list.sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
  if (!list.length) {
    main.append(h('p', null, 'You have no orders yet. ', h('a', { href: '/' }, 'Browse the shop'), '.'));
    return;
  }
  main.append(
    h(
      'ul',
      { class: 'orders' },
      list.map((o) =>
        h(
          'li',
          { class: 'order-row' },
          h('a', { href: '/orders/' + encodeURIComponent(o.id) }, (o.number ? o.number + ' · ' : 'Order of ') + date(o.created_at)),
          statusLabel(o),
          h('span', { class: 'muted payment-text' }, paymentText(o)),
          h('span', { class: 'muted' }, plural((o.items || []).reduce((n, i) => n + i.quantity, 0), 'item', 'items')),
          h('strong', null, money(o.total_cents, o.currency)),
        ),
      ),
    ),
  );
}

function itemsTable(o) {
  return h(
    'table',
    { class: 'items' },
    h('caption', { class: 'sr-only' }, 'Items in this order'),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Product'), h('th', { scope: 'col' }, 'Qty'), h('th', { scope: 'col' }, 'Price'))),
    h(
      'tbody',
      null,
      (o.items || []).map((i) =>
        h('tr', null, h('td', null, h('a', { href: '/products/' + encodeURIComponent(i.product_id) }, i.name)), h('td', null, String(i.quantity)), h('td', null, money(i.unit_price_cents * i.quantity, o.currency))),
      ),
    ),
    h('tfoot', null, h('tr', null, h('th', { scope: 'row', colspan: 2 }, 'Total'), h('td', null, h('strong', null, money(o.total_cents, o.currency))))),
  );
}

export async function order(ctx) {
  const { main, params, query, signal } = ctx;
  const heading = h('h1', null, 'Order');
  ctx.title('Order');
  main.append(h('p', { class: 'crumbs' }, h('a', { href: '/orders' }, '← Your orders')), heading);
  if (!(await signedIn(ctx, location.pathname)) || signal.aborted) return;
  let o;
  try {
    o = await api('GET', '/orders/' + encodeURIComponent(params[0]), { signal });
  } catch (e) {
    if (e.status !== 404) throw e;
    heading.textContent = 'Order not found';
    main.append(h('p', null, 'There is no order at this address in your account. ', h('a', { href: '/orders' }, 'See your orders'), '.'));
    return;
  }
  const msgs = msgBox();
  const body = h('div');
  main.append(msgs, body);
  let placed = query.get('placed') && o.status === 'placed';
  if (placed) {
    heading.textContent = 'Thank you, your order is placed';
    ctx.title('Order confirmed');
  } else if (query.get('placed') && o.status === 'pending_payment') {
    heading.textContent = 'Your items are reserved: pay to complete your order';
    ctx.title('Payment');
  } else {
    heading.textContent = 'Order ' + (o.number || 'of ' + date(o.created_at));
    ctx.title('Order ' + (o.number || ''));
  }

  const draw = () => {
    const cancel = h('button', { type: 'button', class: 'btn btn-ghost btn-sm btn-quiet' }, 'Cancel order');
    cancel.addEventListener('click', () => confirmCancel(cancel));
    const onChange = (now) => {
      o = now;
      if (o.status === 'paid') heading.textContent = 'Thank you, your order is paid';
      draw();
    };
    replace(
      body,
      placed ? h('p', { class: 'order-number' }, 'Your order number is ', h('strong', null, o.number || o.id), '. Please give it when you write to us about this order.') : null,
      h('p', { class: 'order-head' }, statusLabel(o), h('span', { class: 'muted small' }, (o.number ? o.number + ' · ' : '') + date(o.created_at))),
      itemsTable(o),
      o.shipping_address ? h('div', { class: 'ship-to' }, h('h2', null, 'Delivery address'), h('address', null, formatAddress(o.shipping_address).map((l, i) => [i ? h('br') : null, l]))) : null,
      paymentSection(o, { signal, onChange }),
      h(
        'div',
        { class: 'actions' },
        h('a', { href: '/', class: 'btn ' + (placed ? 'btn-primary' : '') }, 'Continue shopping'),
        invoiceButton(o, msgs, signal),
      ),
      // Cancelling is possible but secondary: it is not what a shopper who
      // just ordered came to do.
      cancellable(o) ? h('div', { class: 'actions actions-secondary' }, h('p', { class: 'muted small' }, 'Changed your mind? You can cancel until the order ships.'), cancel) : null,
    );
  };

  // Cancelling asks once more in the page, not in a blocking dialog.
  const confirmCancel = (cancel) => {
    const yes = h('button', { type: 'button', class: 'btn btn-danger' }, 'Yes, cancel this order');
    const no = h('button', { type: 'button', class: 'btn btn-ghost' }, 'Keep order');
    const box = h('div', { class: 'actions', role: 'group', 'aria-label': 'Confirm cancellation' }, h('p', null, o.status === 'paid' ? 'Cancel this order? Your payment is refunded in full and its items go back on sale.' : 'Cancel this order? Its items go back on sale.'), yes, no);
    cancel.parentNode.replaceWith(box);
    yes.focus();
    no.addEventListener('click', () => {
      draw();
      body.querySelector('.btn-quiet').focus();
    });
    yes.addEventListener('click', async () => {
      yes.disabled = no.disabled = true;
      try {
        o = await api('POST', '/orders/' + encodeURIComponent(o.id) + '/cancel');
        placed = false;
        heading.textContent = 'Order ' + (o.number || 'of ' + date(o.created_at));
        draw();
        msgs.show('Your order was cancelled.', 'ok');
      } catch (e) {
        if (e.status === 409) {
          msgs.show('This order can no longer be cancelled.');
          try {
            o = await api('GET', '/orders/' + encodeURIComponent(o.id));
          } catch {
            // Keep showing the order as last read.
          }
        } else msgs.show(e.message);
        draw();
      }
    });
  };
  draw();
}
