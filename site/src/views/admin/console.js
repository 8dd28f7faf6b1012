import { api } from '../../api.js';
import { h, replace } from '../../dom.js';
import * as session from '../../session.js';

// The store owner's console, at /admin. Its modules load only here. The API
// decides who may use it: the first call is an admin endpoint, and its 401 or
// 403 is the refusal a shopper sees. The page never shows management to
// anyone the API did not let through.

const sections = [
  ['/admin', 'Products'],
  ['/admin/orders', 'Orders'],
];

// Routes inside /admin, each its own module.
const routes = [
  [/^\/admin\/?$/, () => import('./products.js'), 'list'],
  [/^\/admin\/products\/new\/?$/, () => import('./edit.js'), 'create'],
  [/^\/admin\/products\/([^/]+)\/?$/, () => import('./edit.js'), 'edit'],
  [/^\/admin\/orders\/?$/, () => import('./orders.js'), 'list'],
];

function refusal(ctx, status) {
  ctx.title('Not allowed');
  const back = encodeURIComponent(location.pathname + location.search);
  replace(
    ctx.main,
    h('h1', null, status === 401 ? 'Please log in' : 'This page is for the store owner'),
    status === 401
      ? h('p', null, 'The console is for the shop’s staff. ', h('a', { href: '/login?next=' + back }, 'Log in'), ' with a staff account to use it.')
      : h('p', null, 'Your account cannot manage the shop. ', h('a', { href: '/' }, 'Go to the shop'), '.'),
  );
}

function subnav() {
  const here = location.pathname.startsWith('/admin/orders') ? '/admin/orders' : '/admin';
  return h(
    'nav',
    { class: 'subnav', 'aria-label': 'Console' },
    h('ul', null, sections.map(([href, label]) => h('li', null, h('a', { href, 'aria-current': href === here ? 'page' : null }, label)))),
  );
}

export default async function adminConsole(ctx) {
  const { main, signal } = ctx;
  ctx.title('Console');
  main.classList.add('admin');
  ctx.onLeave(() => main.classList.remove('admin'));
  const heading = h('h1', null, 'Console');
  main.append(heading, h('p', { class: 'muted' }, 'Loading…'));
  await session.ready();
  if (signal.aborted) return;
  try {
    // The API's answer, not the page, decides: a 401 or 403 here is final.
    await api('GET', '/admin/products?limit=1', { signal });
  } catch (e) {
    if (e.status === 401 || e.status === 403) {
      if (e.status === 401) session.setUser(null);
      refusal(ctx, e.status);
      return;
    }
    throw e;
  }
  const found = routes.find(([re]) => re.test(location.pathname));
  if (!found) {
    replace(main, h('h1', null, 'Page not found'), h('p', null, h('a', { href: '/admin' }, 'Back to the console')));
    return;
  }
  const [re, load, name] = found;
  const mod = await load();
  replace(main);
  const view = h('div', { class: 'admin-view' });
  main.append(subnav(), view);
  const done = mod[name]({ ...ctx, main: view, params: re.exec(location.pathname).slice(1).map(decodeURIComponent) });
  // The heading it just drew replaced the one the router focused.
  const h1 = view.querySelector('h1');
  if (h1 && (document.activeElement === document.body || !document.activeElement)) {
    h1.tabIndex = -1;
    h1.focus();
  }
  await done;
}
