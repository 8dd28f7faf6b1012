import { isAbort } from '../api.js';
import * as cart from '../cart.js';
import { h, image, msgBox, replace } from '../dom.js';
import { money } from '../format.js';
import { reconcile } from '../stock.js';

export function total(ls) {
  return ls.reduce((s, l) => s + l.qty * (l.price_cents || 0), 0);
}

// notes are per-line messages that must survive the redraw the cart change
// itself causes: the shopper reads them next to the quantity they typed.
const notes = new Map();

function line(l, msgs) {
  const id = 'qty-' + l.id;
  const noteId = 'note-' + l.id;
  const qty = h('input', { id, type: 'number', inputmode: 'numeric', min: 1, value: String(l.qty), class: 'qty', 'aria-describedby': noteId });
  if (l.stock > 0) qty.max = String(l.stock);
  qty.addEventListener('change', () => {
    const n = Math.floor(Number(qty.value));
    if (!Number.isFinite(n) || n < 1) {
      msgs.show('Enter a quantity of 1 or more for ' + l.name + ', or remove it.');
      qty.value = String(l.qty);
      return;
    }
    if (l.stock != null && n > l.stock) {
      // Never a silent clamp: the shopper asked for n and gets told why not.
      const text = 'Only ' + l.stock + ' left of ' + l.name + ', your cart was updated.';
      notes.set(l.id, 'You asked for ' + n + '; only ' + l.stock + ' in stock.');
      msgs.show(text, 'warn');
      cart.setQty(l.id, l.stock);
      return;
    }
    notes.delete(l.id);
    msgs.show(null);
    cart.setQty(l.id, n);
  });
  const rm = h('button', { type: 'button', class: 'btn btn-ghost btn-sm' }, 'Remove', h('span', { class: 'sr-only' }, ' ' + l.name));
  rm.addEventListener('click', () => {
    cart.remove(l.id);
    msgs.show(l.name + ' was removed from your cart.', 'ok');
  });
  return h(
    'li',
    { class: 'line' },
    image(l, 96, 96, '', { sizes: '96px' }),
    h(
      'div',
      { class: 'line-main' },
      h('a', { href: '/products/' + encodeURIComponent(l.id), class: 'line-name' }, l.name),
      h('span', { class: 'muted small' }, money(l.price_cents, l.currency) + ' each'),
    ),
    h('div', { class: 'line-qty' }, h('label', { for: id }, 'Qty', h('span', { class: 'sr-only' }, ' of ' + l.name)), qty),
    h('p', { id: noteId, class: 'line-note', role: notes.has(l.id) ? 'alert' : null }, notes.get(l.id) || null),
    h('span', { class: 'line-total' }, money(l.qty * l.price_cents, l.currency)),
    h('div', { class: 'line-rm' }, rm),
  );
}

export default async function cartView(ctx) {
  const { main, signal } = ctx;
  ctx.title('Your cart');
  const msgs = msgBox();
  const body = h('div');
  main.append(h('h1', null, 'Your cart'), msgs, body);

  const draw = () => {
    const ls = cart.lines();
    if (!ls.length) {
      replace(body, h('p', null, 'Your cart is empty. ', h('a', { href: '/' }, 'Browse the shop'), '.'));
      return;
    }
    const cur = ls[0].currency;
    replace(
      body,
      h('ul', { class: 'lines', 'aria-label': 'Items in your cart' }, ls.map((l) => line(l, msgs))),
      h(
        'div',
        { class: 'summary' },
        h('p', { class: 'total' }, 'Subtotal ', h('strong', null, money(total(ls), cur))),
        h('a', { href: '/checkout', class: 'btn btn-primary' }, 'Check out'),
      ),
    );
  };
  draw();
  window.addEventListener('cartchange', draw);
  ctx.onLeave(() => {
    window.removeEventListener('cartchange', draw);
    notes.clear();
  });

  // Prices and stock may have changed since the items were added.
  try {
    for (const m of await reconcile(signal)) msgs.add(m);
  } catch (e) {
    if (!isAbort(e)) msgs.add('Could not check current stock: ' + e.message, 'warn');
  }
}
