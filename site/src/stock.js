import { api } from './api.js';
import * as cart from './cart.js';
import { money } from './format.js';

// correct brings one cart line in line with the stock the service reported
// and says what changed, in words a shopper understands.
function correct(line, name, available, msgs) {
  if (available <= 0) {
    cart.remove(line.id);
    msgs.push(name + ' is sold out and was removed from your cart.');
  } else if (available < line.qty) {
    cart.setQty(line.id, available);
    msgs.push('Only ' + available + ' left of ' + name + ', your cart was updated.');
  }
}

// reconcile re-reads every cart line from the service (live price and stock)
// and fixes the cart. It returns the messages to show.
export async function reconcile(signal) {
  const ls = cart.lines();
  const got = await Promise.all(
    ls.map((l) => api('GET', '/products/' + encodeURIComponent(l.id), { signal }).then((p) => ({ l, p }), (e) => ({ l, e }))),
  );
  const msgs = [];
  for (const { l, p, e } of got) {
    if (e) {
      if (e.status !== 404) throw e;
      cart.remove(l.id);
      msgs.push((l.name || 'A product') + ' is no longer available and was removed from your cart.');
      continue;
    }
    if (p.price_cents !== l.price_cents && l.price_cents != null) {
      msgs.push('The price of ' + p.name + ' is now ' + money(p.price_cents, p.currency) + '.');
    }
    cart.update(l.id, p);
    correct(l, p.name, p.stock, msgs);
  }
  return msgs;
}

// shortfall reads the per-product availability out of an insufficient_stock
// error's details, whichever of the usual shapes they come in.
export function shortfall(details) {
  const out = new Map();
  const take = (id, v) => {
    if (!v || typeof v !== 'object') return;
    const pid = v.product_id ?? v.id ?? id;
    const avail = v.available ?? v.stock ?? v.in_stock;
    if (pid != null && Number.isFinite(avail)) out.set(String(pid), avail);
  };
  let d = details;
  if (d && !Array.isArray(d) && typeof d === 'object') {
    d = d.items || d.products || d.lines || d.shortages || d;
  }
  if (Array.isArray(d)) d.forEach((v) => take(null, v));
  else if (d && typeof d === 'object') Object.entries(d).forEach(([k, v]) => take(k, v));
  return out;
}

// applyShortfall fixes the cart from an insufficient_stock error. When the
// details say nothing usable it falls back to reading live stock.
export async function applyShortfall(details, signal) {
  const avail = shortfall(details);
  const msgs = [];
  for (const l of cart.lines()) {
    if (avail.has(String(l.id))) correct(l, l.name, avail.get(String(l.id)), msgs);
  }
  if (msgs.length) return msgs;
  return reconcile(signal);
}
