import { api } from './api.js';
import * as cart from './cart.js';

// The signed-in user, or null. The session itself is an HttpOnly cookie the
// page cannot read; /api/me is the only way to know who is signed in.
let current = null;

// HINT says this browser signed in and has not signed out since. Without it
// the page does not ask /api/me: a logged-out visitor would get a 401 on every
// page, which browsers log as a console error. The hint is only a hint: the
// cookie decides, and a 401 anywhere clears it.
const HINT = 'shopstack.session.v1';

// ADDRESS_KEY holds the delivery address of the last order in this browser
// (views' address.js fills the checkout from it); forgotten at logout.
export const ADDRESS_KEY = 'shopstack.address.v1';

export const user = () => current;

export function setUser(u) {
  current = u || null;
  try {
    if (current) localStorage.setItem(HINT, '1');
    else localStorage.removeItem(HINT);
  } catch {
    // Storage can be off (private mode); the session still works per page.
  }
  window.dispatchEvent(new Event('userchange'));
}

function hinted() {
  try {
    return localStorage.getItem(HINT) === '1';
  } catch {
    return true;
  }
}

let loading = null;

// ready resolves once the first /api/me answered (or failed), or at once when
// this browser has no session to ask about.
export function ready() {
  if (!loading) {
    loading = !hinted()
      ? Promise.resolve().then(() => setUser(null))
      : api('GET', '/me').then(setUser, (e) => {
          if (e.status !== 401) console.warn('could not load the session:', e.message);
          setUser(null);
        });
  }
  return loading;
}

// logout ends the session and empties the cart and the remembered address: on a shared device the next
// person must not find (and buy) what the last one chose.
export async function logout() {
  await api('POST', '/auth/logout');
  cart.clear();
  try {
    localStorage.removeItem(ADDRESS_KEY);
  } catch {
    // Nothing was stored.
  }
  setUser(null);
}
