// ApiError carries the service's error shape {"error":{code,message,details}}
// plus a message fit to show a shopper.
export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const messages = {
  network: "We couldn't reach the shop. Check your connection and try again.",
  invalid_credentials: "That email and password don't match an account. Check them and try again.",
  email_taken: 'An account with this email already exists. Log in instead.',
  unauthenticated: 'Please log in to continue.',
  too_many_attempts: 'Too many attempts. Please wait a minute and try again.',
  not_cancellable: 'This order can no longer be cancelled.',
  unknown_product: 'One of the products in your cart is no longer sold.',
  mixed_currency: 'Products priced in different currencies cannot be ordered together.',
  idempotency_key_reused: 'Your cart changed while the order was being placed. Please review it and try again.',
};

const cap = (t) => t.charAt(0).toUpperCase() + t.slice(1);

function human(status, err) {
  if (messages[err.code]) return messages[err.code];
  if (status === 401) return messages.unauthenticated;
  if (status === 429) return messages.too_many_attempts;
  // invalid_input details name each field and its problem.
  if (Array.isArray(err.details) && err.details.length && err.details.every((d) => d && d.field && d.problem)) {
    return err.details.map((d) => cap(d.field.replace(/_/g, ' ')) + ' ' + d.problem + '.').join(' ');
  }
  if (status === 404) return "We couldn't find that. It may have been removed.";
  if (status >= 500) return 'Something went wrong on our side. Please try again in a moment.';
  // The service's own messages for bad input are written for people.
  if (typeof err.message === 'string' && err.message && err.message.length < 200) {
    return cap(err.message);
  }
  return 'That did not work (error ' + status + '). Please try again.';
}

// A 503 `unavailable` is the service waking up (a Lambda instance reaching a database that
// resumes from zero capacity takes ~15 s) or a database outage: nothing was written, so the
// request is sent again after these pauses (ms), about 30 s in all, while "Waking up…" shows.
const wakeDelays = [1000, 2000, 4000, 8000, 8000, 8000];

// bodyHash is the hex SHA-256 of a request body, sent as x-amz-content-sha256: CloudFront's
// Origin Access Control signs requests to a Lambda Function URL, and for a body it needs the
// viewer to supply its hash. SubtleCrypto exists only in secure contexts (HTTPS, localhost),
// which is where the header matters; elsewhere it is left out.
async function bodyHash(text) {
  if (!globalThis.crypto || !crypto.subtle) return null;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

let waking = 0;
function showWaking(on) {
  waking += on ? 1 : -1;
  let el = document.getElementById('waking');
  if (waking > 0 && !el) {
    el = document.createElement('p');
    el.id = 'waking';
    el.className = 'msg msg-warn waking';
    el.setAttribute('role', 'status');
    el.textContent = 'Waking up…';
    document.body.prepend(el);
  } else if (waking <= 0 && el) {
    el.remove();
  }
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    if (signal) {
      signal.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
    }
  });
}

async function send(path, opts) {
  try {
    return await fetch('/api' + path, opts);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', messages.network);
  }
}

async function readJSON(res) {
  if (res.status === 204) return null;
  try {
    return await res.json();
  } catch {
    return null;
  }
}

// api calls the shop service on the same origin. State-changing requests are
// always JSON, which the service requires.
export async function api(method, path, { body, headers, signal } = {}) {
  const opts = { method, headers: { Accept: 'application/json', ...headers }, credentials: 'same-origin', signal };
  if (method !== 'GET') {
    opts.headers['Content-Type'] = 'application/json';
    if (body !== undefined) {
      opts.body = JSON.stringify(body);
      const hash = await bodyHash(opts.body);
      if (hash) opts.headers['x-amz-content-sha256'] = hash;
    }
  }
  let res, data;
  let shown = false;
  try {
    for (let attempt = 0; ; attempt++) {
      res = await send(path, opts);
      data = await readJSON(res);
      const wakingUp = res.status === 503 && data && data.error && data.error.code === 'unavailable';
      if (!wakingUp || attempt >= wakeDelays.length) break;
      if (!shown) showWaking((shown = true));
      await sleep(wakeDelays[attempt], signal);
    }
  } finally {
    if (shown) showWaking(false);
  }
  if (!res.ok) {
    const err = (data && data.error) || {};
    throw new ApiError(res.status, err.code || 'http_' + res.status, human(res.status, err), err.details);
  }
  return data;
}

export const isAbort = (e) => e && e.name === 'AbortError';
