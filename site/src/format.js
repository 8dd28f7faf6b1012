const locale = navigator.language || 'en-US';
const fmts = new Map();

// money formats integer minor units (cents) in the currency's own precision.
export function money(cents, currency = 'USD') {
  let f = fmts.get(currency);
  if (!f) {
    try {
      f = new Intl.NumberFormat(locale, { style: 'currency', currency });
    } catch {
      f = new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD' });
    }
    fmts.set(currency, f);
  }
  return f.format(cents / 10 ** f.resolvedOptions().maximumFractionDigits);
}

export function date(iso) {
  const d = new Date(iso);
  return isNaN(d) ? '' : d.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}

export function plural(n, one, many) {
  return n + ' ' + (n === 1 ? one : many);
}
