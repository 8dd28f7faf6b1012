import { api, isAbort } from '../api.js';
import * as cart from '../cart.js';
import { addressFields, addressValue, remember } from '../address.js';
import { h, msgBox, replace } from '../dom.js';
import { apiProblems, checkAll, clearErrors, showErrors } from '../form.js';
import { money } from '../format.js';
import * as session from '../session.js';
import { applyShortfall, reconcile } from '../stock.js';
import { total } from './cart.js';
import { paymentNote } from './payment.js';

const ATTEMPT_KEY = 'shopstack.checkout.v1';

function randomKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// attemptKey returns the Idempotency-Key of this checkout attempt: the same
// key for the same order body, so a double click, a retry after a network
// error or a reload replays the first order instead of placing a second one.
// A different body (the cart changed) is a new attempt with a new key.
function attemptKey(body) {
  try {
    const a = JSON.parse(sessionStorage.getItem(ATTEMPT_KEY) || 'null');
    if (a && a.body === body && a.key) return a.key;
  } catch {
    // A corrupt entry is replaced below.
  }
  const key = randomKey();
  sessionStorage.setItem(ATTEMPT_KEY, JSON.stringify({ key, body }));
  return key;
}

function orderBody(address) {
  const items = cart
    .lines()
    .map((l) => ({ product_id: l.id, quantity: l.qty }))
    .sort((a, b) => (a.product_id < b.product_id ? -1 : a.product_id > b.product_id ? 1 : 0));
  return { items, shipping_address: address };
}

function signInFirst(body) {
  replace(
    body,
    h(
      'p',
      null,
      h('a', { href: '/login?next=/checkout' }, 'Log in'),
      ' or ',
      h('a', { href: '/register?next=/checkout' }, 'create an account'),
      ' to place your order. Your cart is kept.',
    ),
  );
}

// failed says why an order was not placed, next to what to fix.
async function failed(e, { msgs, fields }) {
  if (e.code === 'insufficient_stock') {
    try {
      const fixes = await applyShortfall(e.details);
      msgs.show(fixes.length ? fixes[0] : 'Some items are not available in the quantity you asked for. Please review your cart.', 'error');
      for (const m of fixes.slice(1)) msgs.add(m, 'error');
    } catch (e2) {
      msgs.show(e2.message);
    }
  } else if (e.status === 422 && apiProblems(e, fields, 'shipping_address.').length) {
    // The address the service refused, field by field. The key is kept: the
    // order was not placed, and a corrected body gets a new key anyway.
    showErrors(fields, apiProblems(e, fields, 'shipping_address.'), msgs);
  } else if (e.status === 401) {
    session.setUser(null);
    msgs.show('Your session has expired. ', 'error', h('a', { href: '/login?next=/checkout' }, 'Log in again'), ' to place your order.');
  } else if (e.code === 'idempotency_key_reused') {
    sessionStorage.removeItem(ATTEMPT_KEY);
    msgs.show(e.message);
  } else {
    // Same key on the next click: if this attempt did reach the shop, the
    // retry returns that order rather than placing another.
    msgs.show(e.message + ' Pressing “Place order” again is safe: it never creates a second order.');
  }
}

export default async function checkout(ctx) {
  const { main, signal, navigate } = ctx;
  ctx.title('Checkout');
  const msgs = msgBox();
  const body = h('div');
  main.append(h('h1', null, 'Checkout'), msgs, body);
  replace(body, h('p', { class: 'muted' }, 'Loading…'));
  await session.ready();
  if (signal.aborted) return;
  if (!session.user()) {
    signInFirst(body);
    return;
  }

  let placing = false;
  const btn = h('button', { type: 'submit', class: 'btn btn-primary btn-lg', id: 'place-order' }, 'Place order');
  const summary = h('div', { class: 'checkout-summary' });
  const fields = addressFields();
  const form = h(
    'form',
    { class: 'checkout', novalidate: true, 'aria-labelledby': 'ship-h' },
    h('h2', { id: 'ship-h' }, 'Delivery address'),
    h('div', { class: 'address-grid' }, fields.map((f) => f.box)),
    btn,
  );

  const draw = () => {
    const ls = cart.lines();
    if (!ls.length) {
      replace(body, h('p', null, 'Your cart is empty. ', h('a', { href: '/' }, 'Browse the shop'), '.'));
      return;
    }
    replace(
      summary,
      h('h2', null, 'Your order'),
      h(
        'ul',
        { class: 'summary-lines', 'aria-label': 'Your order' },
        ls.map((l) => h('li', null, h('span', null, l.qty + ' × ' + l.name), h('span', null, money(l.qty * l.price_cents, l.currency)))),
      ),
      h('p', { class: 'total' }, 'Total ', h('strong', null, money(total(ls), ls[0].currency))),
      h('p', { class: 'muted small' }, 'Signed in as ' + session.user().email + '. ', h('a', { href: '/cart' }, 'Edit cart')),
      paymentNote(),
    );
    if (!body.contains(form)) replace(body, h('div', { class: 'checkout-grid' }, summary, form));
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (placing) return;
    clearErrors(fields, msgs);
    if (checkAll(fields, msgs)) return;
    placing = true;
    btn.disabled = true;
    btn.textContent = 'Placing order…';
    const address = addressValue(fields);
    if (!address.line2) delete address.line2;
    if (!address.region) delete address.region;
    const order = orderBody(address);
    const key = attemptKey(JSON.stringify(order));
    try {
      const placed = await api('POST', '/orders', { body: order, headers: { 'Idempotency-Key': key } });
      sessionStorage.removeItem(ATTEMPT_KEY);
      remember(addressValue(fields));
      cart.clear();
      navigate('/orders/' + encodeURIComponent(placed.id) + '?placed=1', { replace: true });
      return;
    } catch (e) {
      if (isAbort(e)) return;
      await failed(e, { msgs, fields });
    }
    placing = false;
    btn.disabled = false;
    btn.textContent = 'Place order';
    draw();
  });

  window.addEventListener('cartchange', draw);
  ctx.onLeave(() => window.removeEventListener('cartchange', draw));
  draw();
  try {
    for (const m of await reconcile(signal)) msgs.add(m);
  } catch (e) {
    if (!isAbort(e)) msgs.add('Could not check current stock: ' + e.message, 'warn');
  }
}
