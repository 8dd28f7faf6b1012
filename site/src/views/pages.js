import { api } from '../api.js';
import { h } from '../dom.js';

// The shop's own details (GET /api/shop, from the service's config), read once
// per page load: the content pages must say what the invoices say.
let shopInfo = null;
export function shop(signal) {
  if (!shopInfo) {
    shopInfo = api('GET', '/shop', { signal }).catch((e) => {
      shopInfo = null;
      throw e;
    });
  }
  return shopInfo;
}

const para = (...c) => h('p', null, ...c);
const mail = (s) => h('a', { href: 'mailto:' + s.contact_email }, s.contact_email);
const lines = (text) => String(text || '').split(/\n|,\s*/).filter(Boolean).map((l, i) => [i ? h('br') : null, l]);

// Each page: its title and its body, written from the shop's details.
const pages = {
  contact: {
    title: 'Contact us',
    body: (s) => [
      para('Questions about an order, a product or a return? Write to us and we answer within two working days.'),
      h('dl', { class: 'facts' }, h('dt', null, 'Email'), h('dd', null, mail(s)), h('dt', null, 'Address'), h('dd', null, h('address', null, s.name, h('br'), lines(s.address)))),
      para('Please give your order number (it starts with SH-) when you write about an order.'),
    ],
  },
  returns: {
    title: 'Returns',
    body: (s) => [
      para('You can return anything you bought from ' + s.name + ' within ' + s.returns_days + ' days of delivery, for any reason, for a full refund.'),
      h('ol', null,
        h('li', null, 'Write to ', mail(s), ' with your order number.'),
        h('li', null, 'Send the items back, unused and in their packaging, to the address below.'),
        h('li', null, 'We refund the price to your original payment method within 14 days of receiving them.')),
      para('An order that has not shipped yet can be cancelled from its page in ', h('a', { href: '/orders' }, 'your orders'), '; the stock goes back on sale at once and you get a credit note.'),
      h('address', null, s.name, h('br'), lines(s.address)),
    ],
  },
  terms: {
    title: 'Terms of sale',
    body: (s) => [
      para('These terms apply to orders placed with ' + s.name + '. Prices are in ' + s.currency + ' and include taxes where the law requires it.'),
      h('h2', null, 'Orders'),
      para('An order is placed when you see its number (SH-…). Stock is reserved at that moment: we never sell what we do not have. Every order gets an invoice you can download from its page.'),
      h('h2', null, 'Cancellation and returns'),
      para('You may cancel an order until it ships, and return items within ' + s.returns_days + ' days (see ', h('a', { href: '/returns' }, 'Returns'), ').'),
      h('h2', null, 'Contact'),
      para(s.name + ', ' + String(s.address || '').split(/\n/).join(', ') + ' · ', mail(s)),
    ],
  },
  privacy: {
    title: 'Privacy',
    body: (s) => [
      para(s.name + ' keeps only what it needs to run your account and deliver your orders.'),
      h('ul', null,
        h('li', null, 'Your name, email and a hash of your password, for your account.'),
        h('li', null, 'Your orders and delivery addresses, to deliver them and for the invoices the law requires us to keep.'),
        h('li', null, 'One session cookie while you are signed in. No tracking, no advertising cookies, no third-party scripts.')),
      para('Your cart stays in this browser and is emptied when you log out.'),
      para('To see, correct or delete what we hold about you, write to ', mail(s), '.'),
    ],
  },
};

export default async function page(ctx) {
  const { main, params, signal } = ctx;
  const p = pages[params[0]];
  ctx.title(p.title);
  const heading = h('h1', null, p.title);
  main.append(heading);
  const s = await shop(signal);
  main.append(h('div', { class: 'prose' }, p.body(s)));
}
