// The cart lives in localStorage so it survives reloads and is shared by tabs.
// Each line keeps a copy of what the shopper saw (name, price) for display;
// the service decides the real price and stock at checkout.
const KEY = 'shopstack.cart.v1';

export function lines() {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) || '[]');
    return Array.isArray(v) ? v.filter((l) => l && l.id && l.qty > 0) : [];
  } catch {
    return [];
  }
}

function save(ls) {
  localStorage.setItem(KEY, JSON.stringify(ls));
  window.dispatchEvent(new Event('cartchange'));
}

const snapshot = (p) => ({ id: p.id, name: p.name, price_cents: p.price_cents, currency: p.currency, image_url: p.image_url, stock: p.stock });

export function qtyOf(id) {
  const l = lines().find((x) => x.id === id);
  return l ? l.qty : 0;
}

export function add(product, qty) {
  const ls = lines();
  const l = ls.find((x) => x.id === product.id);
  if (l) Object.assign(l, snapshot(product), { qty: l.qty + qty });
  else ls.push({ ...snapshot(product), qty });
  save(ls);
}

export function setQty(id, qty) {
  save(lines().flatMap((l) => (l.id !== id ? [l] : qty > 0 ? [{ ...l, qty }] : [])));
}

// update refreshes a line's copy of the product; the cart only changes (and
// pages only redraw) when something did.
export function update(id, product) {
  const ls = lines();
  const l = ls.find((x) => x.id === id);
  if (!l) return;
  const fresh = snapshot(product);
  if (Object.keys(fresh).every((k) => l[k] === fresh[k])) return;
  Object.assign(l, fresh);
  save(ls);
}

export const remove = (id) => setQty(id, 0);
export const clear = () => save([]);
export const count = () => lines().reduce((n, l) => n + l.qty, 0);

window.addEventListener('storage', (e) => {
  if (e.key === KEY) window.dispatchEvent(new Event('cartchange'));
});
