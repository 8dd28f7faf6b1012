import { isAbort } from './api.js';
import * as cart from './cart.js';
import { h, replace } from './dom.js';
import * as session from './session.js';
import catalog from './views/catalog.js';
import product from './views/product.js';

// lazy loads a view's module on first use: the catalog and product pages
// are in the main script, the rest stay off the landing page's critical path.
const lazy = (load, name) => async (ctx) => (await load())[name](ctx);

// History-API routes. The CDN answers every path whose last segment has no
// dot with index.html (site.SPAFallback), so each of these can be reloaded.
const routes = [
  [/^\/$/, catalog],
  [/^\/products\/([^/]+)\/?$/, product],
  [/^\/cart\/?$/, lazy(() => import('./views/cart.js'), 'default')],
  [/^\/login\/?$/, lazy(() => import('./views/auth.js'), 'login')],
  [/^\/register\/?$/, lazy(() => import('./views/auth.js'), 'register')],
  [/^\/checkout\/?$/, lazy(() => import('./views/checkout.js'), 'default')],
  [/^\/orders\/?$/, lazy(() => import('./views/orders.js'), 'orders')],
  [/^\/orders\/([^/]+)\/?$/, lazy(() => import('./views/orders.js'), 'order')],
  [/^\/(contact|returns|terms|privacy)\/?$/, lazy(() => import('./views/pages.js'), 'default')],
  // The console's modules load only here; the API decides who may use it.
  [/^\/admin(?:\/.*)?$/, lazy(() => import('./views/admin/console.js'), 'default')],
];

function notFound(ctx) {
  ctx.title('Page not found');
  ctx.main.append(h('h1', null, 'Page not found'), h('p', null, 'There is nothing at this address. ', h('a', { href: '/' }, 'Go to the shop'), '.'));
}

let current = null;
let first = true;

export function navigate(url, { replace: rep = false, state = null } = {}) {
  history[rep ? 'replaceState' : 'pushState'](state, '', url);
  render(true);
}

function match(path) {
  for (const [re, view] of routes) {
    const m = re.exec(path);
    if (m) {
      try {
        return [view, m.slice(1).map(decodeURIComponent)];
      } catch {
        break;
      }
    }
  }
  return [notFound, []];
}

async function render(scroll) {
  if (current) current.abort();
  const ctl = new AbortController();
  current = ctl;
  const main = document.getElementById('main');
  const [view, params] = match(location.pathname);
  const ctx = {
    main,
    params,
    query: new URLSearchParams(location.search),
    state: history.state || {},
    signal: ctl.signal,
    navigate,
    title: (t) => (document.title = t + ' · ShopStack'),
    onLeave: (fn) => ctl.signal.addEventListener('abort', fn),
  };
  replace(main);
  main.setAttribute('aria-busy', 'true');
  markNav();
  if (scroll) window.scrollTo(0, 0);
  const done = Promise.resolve().then(() => view(ctx));
  await Promise.resolve();
  if (!first) {
    // Move focus to the new page's heading so screen readers announce it.
    const h1 = main.querySelector('h1');
    if (h1) {
      h1.tabIndex = -1;
      h1.focus();
    } else main.focus();
  }
  first = false;
  try {
    await done;
  } catch (e) {
    if (isAbort(e) || ctl.signal.aborted) return;
    main.append(h('p', { class: 'msg msg-error', role: 'alert' }, e.message || 'Something went wrong. Please reload the page.'));
  } finally {
    if (current === ctl) main.removeAttribute('aria-busy');
  }
}

function markNav() {
  for (const a of document.querySelectorAll('.nav a')) {
    const p = new URL(a.href).pathname;
    const here = p === '/' ? location.pathname === '/' || location.pathname.startsWith('/products/') : location.pathname.startsWith(p);
    if (here) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function renderCount() {
  const n = cart.count();
  const el = document.getElementById('cart-count');
  el.textContent = String(n);
  document.getElementById('cart-link').setAttribute('aria-label', 'Cart, ' + (n === 1 ? '1 item' : n + ' items'));
}

function renderAccount() {
  const u = session.user();
  const li = document.getElementById('account');
  // Only a hint for the store owner: /admin itself asks the API, which refuses anyone else.
  document.getElementById('admin-link').hidden = !(u && u.is_admin);
  if (!u) {
    replace(li, h('a', { href: '/login' }, 'Log in'));
    markNav();
    return;
  }
  const out = h('button', { type: 'button', class: 'link' }, 'Log out');
  out.addEventListener('click', async () => {
    out.disabled = true;
    try {
      await session.logout();
      navigate('/');
    } catch (e) {
      out.disabled = false;
      alertTop(e.message);
    }
  });
  replace(li, h('span', { class: 'who' }, u.name || u.email), out);
}

function alertTop(text) {
  document.getElementById('main').prepend(h('p', { class: 'msg msg-error', role: 'alert' }, text));
}

// Same-origin links are handled in the page; anything else (new tab, other
// origin, the API, downloads) is left to the browser.
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const u = new URL(a.href, location.href);
  if (u.origin !== location.origin || u.pathname.startsWith('/api/') || /\.[^/]*$/.test(u.pathname)) return;
  if (u.pathname === location.pathname && u.search === location.search && u.hash) return;
  e.preventDefault();
  navigate(u.pathname + u.search);
});

window.addEventListener('popstate', () => render(false));
window.addEventListener('cartchange', renderCount);
window.addEventListener('userchange', renderAccount);

renderCount();
session.ready();
render(false);
