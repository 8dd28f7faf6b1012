// Payment states on the storefront. The shop says how orders are paid
// (GET /api/payments/config): "none" is pay on delivery; "stripe" means an
// order waits in pending_payment, its items reserved, until Stripe's Payment
// Element confirms the payment and Stripe's webhook tells the shop. Stripe.js
// is loaded only then, from js.stripe.com (the CSP allows it only when
// payments are on); if it cannot load, the page says so and keeps the order.
import { api, isAbort } from '../api.js';
import { h, replace } from '../dom.js';
import { date } from '../format.js';

const STRIPE_JS = 'https://js.stripe.com/v3/';
// How often a pending order is read again, to see the webhook's verdict.
const POLL_MS = 3000;
const LOAD_TIMEOUT_MS = 10000;

let config;
// paymentConfig is the shop's payment provider, read once per page load.
export function paymentConfig() {
  if (!config) {
    config = api('GET', '/payments/config').catch(() => {
      config = null;
      return { provider: 'none' };
    });
  }
  return config;
}

// paymentNote says on the checkout page how the order will be paid.
export function paymentNote() {
  const note = h('p', { class: 'muted small', id: 'payment-note' });
  paymentConfig().then((c) => {
    note.textContent =
      c.provider === 'none'
        ? 'Pay on delivery: you pay when your order arrives.'
        : 'You pay by card on the next page. Your items are reserved for you while you pay.';
  });
  return note;
}

// statusText is an order's state as a shopper reads it.
export function statusText(o) {
  switch (o.status) {
    case 'placed':
      return 'Placed';
    case 'pending_payment':
      return 'Awaiting payment';
    case 'paid':
      return 'Paid';
    case 'expired':
      return 'Expired';
    case 'cancelled':
      return o.payment && o.payment.refund_id ? 'Cancelled · refunded' : 'Cancelled';
    default:
      return o.status;
  }
}

// paymentText is the order's payment in one phrase, for the order history.
export function paymentText(o) {
  if (!o.payment) return 'Pay on delivery';
  if (o.payment.refund_id) return 'Refunded';
  if (o.status === 'paid' || o.payment.paid_at) return 'Paid by card';
  if (o.status === 'pending_payment') return o.payment.last_error ? 'Payment failed, retry' : 'Not paid yet';
  return 'Not paid';
}

let stripeJS;
// loadStripe adds Stripe.js once; it rejects when the script does not load
// (offline, blocked, or this machine cannot reach js.stripe.com).
function loadStripe() {
  if (window.Stripe) return Promise.resolve(window.Stripe);
  if (!stripeJS) {
    stripeJS = new Promise((resolve, reject) => {
      const s = h('script', { src: STRIPE_JS, async: true });
      const timer = setTimeout(() => reject(new Error('timed out')), LOAD_TIMEOUT_MS);
      s.addEventListener('load', () => {
        clearTimeout(timer);
        if (window.Stripe) resolve(window.Stripe);
        else reject(new Error('Stripe.js did not start'));
      });
      s.addEventListener('error', () => {
        clearTimeout(timer);
        reject(new Error('blocked or unreachable'));
      });
      document.head.append(s);
    }).catch((e) => {
      stripeJS = null; // a later attempt may succeed
      throw e;
    });
  }
  return stripeJS;
}

// paymentSection shows the order's payment state and, while it awaits
// payment, the Payment Element and a Pay button. onChange gets the order
// each time it is read again and its status has moved on.
export function paymentSection(o, { signal, onChange }) {
  stopPoll();
  const box = h('section', { class: 'payment', id: 'payment', 'aria-live': 'polite' });
  const p = o.payment;
  if (!p) {
    replace(box, h('p', { class: 'payment-state' }, 'Pay on delivery: you pay when your order arrives.'));
    return box;
  }
  if (o.status === 'paid') {
    replace(box, h('p', { class: 'payment-state msg msg-ok' }, 'Paid' + (p.paid_at ? ' on ' + date(p.paid_at) : '') + '. Thank you!'));
    return box;
  }
  if (o.status === 'expired') {
    replace(
      box,
      h('p', { class: 'payment-state msg msg-warn' }, 'This order expired: the payment did not arrive in time, and its items went back on sale.' + (p.refund_id ? ' A payment that came later was refunded.' : '')),
    );
    return box;
  }
  if (o.status === 'cancelled') {
    replace(box, h('p', { class: 'payment-state' }, p.refund_id ? 'Your payment was refunded.' : 'Nothing was charged.'));
    return box;
  }
  pending(box, o, signal, onChange);
  return box;
}

function pending(box, o, signal, onChange) {
  const p = o.payment;
  const until = p.expires_at ? ' Your items are reserved until ' + new Date(p.expires_at).toLocaleTimeString() + '.' : '';
  const state = h('p', { class: 'payment-state' }, 'Awaiting payment.' + until);
  const failed = h('div', { class: 'payment-error' });
  const mount = h('div', { id: 'payment-element' });
  const pay = h('button', { type: 'button', class: 'btn btn-primary', id: 'pay', disabled: true }, 'Pay now');
  replace(box, state, failed, mount, pay);
  if (p.last_error) {
    replace(failed, h('p', { class: 'msg msg-error', role: 'alert' }, 'Your last payment attempt failed: ' + p.last_error + ' You can try again.'));
  }
  poll(o, signal, onChange);
  if (!p.client_secret) {
    const retry = h('button', { type: 'button', class: 'btn' }, 'Try again');
    retry.addEventListener('click', async () => onChange(await api('GET', '/orders/' + encodeURIComponent(o.id))));
    replace(mount, h('p', { class: 'msg msg-error', role: 'alert' }, 'The payment could not be started. ', retry));
    return;
  }
  Promise.all([paymentConfig(), loadStripe()]).then(
    ([cfg, Stripe]) => {
      if (signal.aborted) return;
      const stripe = Stripe(cfg.publishable_key);
      const elements = stripe.elements({ clientSecret: p.client_secret });
      elements.create('payment').mount(mount);
      pay.disabled = false;
      pay.addEventListener('click', async () => {
        pay.disabled = true;
        replace(failed);
        const res = await stripe.confirmPayment({ elements, confirmParams: { return_url: location.href }, redirect: 'if_required' });
        if (res.error) {
          replace(failed, h('p', { class: 'msg msg-error', role: 'alert' }, 'Payment failed: ' + res.error.message + ' Please try again.'));
          pay.disabled = false;
        } else {
          state.textContent = 'Payment sent. Waiting for confirmation…';
        }
      });
    },
    () => {
      pay.remove();
      replace(
        mount,
        h(
          'p',
          { class: 'msg msg-error', role: 'alert', id: 'stripe-unavailable' },
          "The card form could not be loaded: Stripe's payment script (js.stripe.com) did not load. Check your connection or content blocker and reload this page." + until,
        ),
      );
    },
  );
}

// stopPoll ends the current poll: a redraw of the order starts a new one.
let stopPoll = () => {};

// poll reads the order again until its status leaves pending_payment (the
// webhook made it paid, or it expired), then hands it to onChange.
function poll(o, signal, onChange) {
  stopPoll();
  const timer = setInterval(async () => {
    try {
      const now = await api('GET', '/orders/' + encodeURIComponent(o.id), { signal });
      if (now.status !== o.status || (now.payment && now.payment.last_error) !== (o.payment && o.payment.last_error)) {
        clearInterval(timer);
        onChange(now);
      }
    } catch (e) {
      if (isAbort(e)) clearInterval(timer);
    }
  }, POLL_MS);
  stopPoll = () => clearInterval(timer);
  signal.addEventListener('abort', stopPoll, { once: true });
}
