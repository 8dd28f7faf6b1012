import { h } from './dom.js';

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new DOMException('aborted', 'AbortError'));
    });
  });

// fetchInvoice waits until the order's invoice is made (202 + Retry-After
// while the job runs) and returns either the PDF (served by the shop) or the
// URL to open (a 302 to short-lived storage, followed by the browser, not by
// fetch: the CSP allows fetch to the shop's own origin only).
async function fetchInvoice(url, onWait, signal) {
  for (let i = 0; i < 15; i++) {
    const res = await fetch(url, { credentials: 'same-origin', redirect: 'manual', signal });
    if (res.type === 'opaqueredirect') return { open: url };
    if (res.status === 200) return { blob: await res.blob() };
    if (res.status !== 202) throw new Error(res.status === 404 ? 'There is no invoice for this order.' : 'The invoice could not be loaded (error ' + res.status + ').');
    onWait();
    const after = Math.min(10, Math.max(1, Number(res.headers.get('Retry-After')) || 2));
    await sleep(after * 1000, signal);
  }
  throw new Error('The invoice is taking longer than usual. Please try again in a minute.');
}

// invoiceButton downloads an order's invoice (or credit note, for a cancelled
// order, which the service serves at the same address) as <number>.pdf.
export function invoiceButton(o, msgs, signal) {
  const url = '/api/orders/' + encodeURIComponent(o.id) + '/invoice';
  const btn = h('button', { type: 'button', class: 'btn', id: 'invoice' }, 'Download invoice (PDF)');
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      const got = await fetchInvoice(url, () => msgs.show('Your invoice is being prepared…', 'ok'), signal);
      if (got.open) {
        location.assign(got.open);
        return;
      }
      const href = URL.createObjectURL(got.blob);
      const a = h('a', { href, download: (o.number || 'invoice') + '.pdf', hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 10000);
      msgs.show('Invoice downloaded.', 'ok');
    } catch (e) {
      if (e.name !== 'AbortError') msgs.show(e.message || 'The invoice could not be loaded.');
    } finally {
      btn.disabled = false;
    }
  });
  return btn;
}
