// h builds DOM nodes. The storefront never parses HTML strings (the CSP
// enforces Trusted Types), so every piece of text is a text node.
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value' || k === 'disabled' || k === 'checked') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

// replace swaps the children of el for the given nodes.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// msgBox is where a view shows messages; role=alert for errors makes
// screen readers announce them, role=status for confirmations.
export function msgBox() {
  const box = h('div', { class: 'msgs' });
  box.show = (text, kind = 'error', ...extra) => {
    replace(box, text == null ? null : h('p', { class: 'msg msg-' + kind, role: kind === 'error' ? 'alert' : 'status' }, text, ...extra));
  };
  box.add = (text, kind = 'warn') => {
    box.append(h('p', { class: 'msg msg-' + kind, role: kind === 'error' ? 'alert' : 'status' }, text));
  };
  return box;
}

// image renders a product image with fixed dimensions (no layout shift) over
// a CSS placeholder; a missing, blocked or broken URL leaves the placeholder.
// The frame's aspect ratio comes from CSS; the image covers it whatever its
// own shape. With uploaded variants (product.images, square) the browser
// picks the size it needs from srcset; sizes says how wide the frame is.
// eager is for the first image of a page (the likely LCP): not lazy.
export function image(product, width, height, alt, { sizes, eager } = {}) {
  const frame = h('div', { class: 'ph', 'data-initial': (product.name || '?').trim().charAt(0).toUpperCase() });
  const v = product.images;
  const ok = (u) => typeof u === 'string' && /^(https:\/\/|\/(?!\/))/.test(u);
  const url = v && ok(v.card) ? v.card : product.image_url;
  if (ok(url)) {
    const attrs = { src: url, alt, width, height, loading: eager ? 'eager' : 'lazy', decoding: 'async', fetchpriority: eager ? 'high' : null };
    if (v && ok(v.thumb) && ok(v.card) && ok(v.full)) {
      Object.assign(attrs, { width: 480, height: 480, srcset: v.thumb + ' 160w, ' + v.card + ' 480w, ' + v.full + ' 1200w', sizes: sizes || '100vw' });
    }
    const img = h('img', attrs);
    img.addEventListener('error', () => {
      img.remove();
      if (alt) label(frame, alt);
    }, { once: true });
    frame.append(img);
  } else if (alt) {
    label(frame, alt);
  }
  return frame;
}

function label(frame, alt) {
  frame.setAttribute('role', 'img');
  frame.setAttribute('aria-label', alt);
}
