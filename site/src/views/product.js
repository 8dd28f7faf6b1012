import { api } from '../api.js';
import * as cart from '../cart.js';
import { h, image, msgBox, replace } from '../dom.js';
import { money } from '../format.js';
import { pretty, stockLabel } from './catalog.js';

const POLL_MS = 15000;

export default async function product(ctx) {
  const { main, params, signal } = ctx;
  const heading = h('h1', null, 'Product');
  main.append(h('p', { class: 'crumbs' }, h('a', { href: '/' }, '← All products')), heading);
  let p;
  try {
    p = await api('GET', '/products/' + encodeURIComponent(params[0]), { signal });
  } catch (e) {
    if (e.status !== 404) throw e;
    ctx.title('Product not found');
    heading.textContent = 'Product not found';
    main.append(h('p', null, 'This product does not exist or is no longer sold. ', h('a', { href: '/' }, 'Browse the shop'), '.'));
    return;
  }
  ctx.title(p.name);
  heading.textContent = p.name;

  const stock = h('p', { class: 'stock', 'aria-live': 'polite' });
  const qty = h('input', { id: 'qty', name: 'qty', type: 'number', inputmode: 'numeric', min: 1, value: '1', required: true });
  const addBtn = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Add to cart');
  const msgs = msgBox();
  const inCart = h('p', { class: 'muted' });

  // show renders everything that depends on live stock and the cart.
  const show = () => {
    const room = Math.max(0, p.stock - cart.qtyOf(p.id));
    replace(stock, stockLabel(p.stock));
    qty.max = String(Math.max(1, room));
    if (Number(qty.value) > room && room > 0) qty.value = String(room);
    qty.disabled = room === 0;
    addBtn.disabled = room === 0;
    addBtn.textContent = p.stock <= 0 ? 'Sold out' : room === 0 ? 'All in your cart' : 'Add to cart';
    const n = cart.qtyOf(p.id);
    replace(inCart, n ? [n + ' in your cart. ', h('a', { href: '/cart' }, 'View cart')] : null);
  };

  const form = h(
    'form',
    { class: 'buy', novalidate: true },
    h('div', { class: 'field field-qty' }, h('label', { for: 'qty' }, 'Quantity'), qty),
    addBtn,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const n = Number(qty.value);
    const room = p.stock - cart.qtyOf(p.id);
    if (!Number.isInteger(n) || n < 1) {
      msgs.show('Enter a quantity of 1 or more.');
      qty.setAttribute('aria-invalid', 'true');
      qty.focus();
      return;
    }
    if (n > room) {
      msgs.show(room > 0 ? 'Only ' + room + ' more of ' + p.name + ' can be added.' : p.name + ' is sold out.');
      qty.setAttribute('aria-invalid', 'true');
      qty.focus();
      return;
    }
    qty.removeAttribute('aria-invalid');
    cart.add(p, n);
    qty.value = '1';
    msgs.show('Added ' + n + ' × ' + p.name + ' to your cart. ', 'ok', h('a', { href: '/cart' }, 'View cart'));
    show();
  });

  main.append(
    h(
      'div',
      { class: 'product' },
      image(p, 900, 600, p.name, { sizes: '(min-width: 760px) 520px, 100vw', eager: true }),
      h(
        'div',
        { class: 'product-info' },
        h('p', { class: 'price price-lg' }, money(p.price_cents, p.currency)),
        stock,
        p.description ? h('p', { class: 'desc' }, p.description) : null,
        h('p', { class: 'muted small' }, (p.category ? pretty(p.category) + ' · ' : '') + 'SKU ' + p.sku),
        form,
        msgs,
        inCart,
      ),
    ),
  );
  show();

  // Stock is live: re-read it while the page is open and visible.
  const timer = setInterval(async () => {
    if (document.hidden) return;
    try {
      p = await api('GET', '/products/' + encodeURIComponent(p.id), { signal });
      show();
    } catch {
      // A failed refresh keeps the last known stock; the checkout re-checks it.
    }
  }, POLL_MS);
  const onCart = () => show();
  window.addEventListener('cartchange', onCart);
  ctx.onLeave(() => {
    clearInterval(timer);
    window.removeEventListener('cartchange', onCart);
  });
}
