import { api } from './api.js';

// The signed-in user, or null. The session itself is an HttpOnly cookie the
// page cannot read; /api/me is the only way to know who is signed in.
let current = null;

export const user = () => current;

export function setUser(u) {
  current = u || null;
  window.dispatchEvent(new Event('userchange'));
}

let loading = null;

// ready resolves once the first /api/me answered (or failed).
export function ready() {
  if (!loading) {
    loading = api('GET', '/me').then(setUser, (e) => {
      if (e.status !== 401) console.warn('could not load the session:', e.message);
      setUser(null);
    });
  }
  return loading;
}

export async function logout() {
  await api('POST', '/auth/logout');
  setUser(null);
}
