import { api } from '../../api.js';
import { h, msgBox, replace } from '../../dom.js';
import { apiProblems, checkAll, clearErrors, field, showErrors } from '../../form.js';
import { date } from '../../format.js';

const signed = (n) => (n > 0 ? '+' + n : String(n));

function history(items) {
  if (!items.length) return h('p', { class: 'muted' }, 'No stock changes yet.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'admin-table movements' },
      h('caption', { class: 'sr-only' }, 'Stock changes, newest first'),
      h('thead', null, h('tr', null, ['When', 'Change', 'Stock after', 'Reason', 'By'].map((t) => h('th', { scope: 'col' }, t)))),
      h(
        'tbody',
        null,
        items.map((m) =>
          h('tr', null, h('td', null, date(m.at)), h('td', { class: 'num' }, signed(m.delta)), h('td', { class: 'num' }, String(m.stock_after)), h('td', null, m.reason), h('td', null, m.actor_email || '')),
        ),
      ),
    ),
  );
}

// stockPanel adjusts stock by a signed amount with a reason and lists the
// movements (who, when, how much, why), newest first.
export function stockPanel(p, signal) {
  const msgs = msgBox();
  const now = h('p', { class: 'stock-now' });
  const showNow = () => replace(now, 'In stock: ', h('strong', { id: 'stock-now' }, String(p.stock)));
  showNow();
  const fs = [
    field('delta', 'Change', { type: 'number', inputmode: 'numeric', required: true, step: 1 }, 'Positive adds (a delivery), negative removes (damage, a count).'),
    field('reason', 'Reason', { required: true, maxlength: 200, list: 'reasons' }),
  ];
  const reasons = h('datalist', { id: 'reasons' }, ['Delivery received', 'Stock count', 'Damaged', 'Returned by customer'].map((r) => h('option', { value: r })));
  const btn = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Adjust stock');
  const list = h('div', null, h('p', { class: 'muted' }, 'Loading the history…'));
  const load = async () => {
    try {
      const got = await api('GET', '/admin/products/' + encodeURIComponent(p.id) + '/stock-movements', { signal });
      replace(list, history(got.items || []));
    } catch (e) {
      if (e.name !== 'AbortError') replace(list, h('p', { class: 'msg msg-warn' }, 'Could not load the history: ' + e.message));
    }
  };
  const form = h('form', { class: 'admin-form', novalidate: true, 'aria-label': 'Adjust stock' }, msgs, fs.map((f) => f.box), reasons, btn);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(fs, msgs);
    if (checkAll(fs, msgs)) return;
    const delta = Number(fs[0].input.value);
    if (!Number.isInteger(delta) || delta === 0) {
      showErrors(fs, [['delta', 'Change must be a whole number other than 0.']], msgs);
      return;
    }
    if (p.stock + delta < 0) {
      showErrors(fs, [['delta', 'Only ' + p.stock + ' in stock: the change cannot remove more than that.']], msgs);
      return;
    }
    btn.disabled = true;
    try {
      p = await api('POST', '/admin/products/' + encodeURIComponent(p.id) + '/stock', { body: { delta, reason: fs[1].input.value.trim() }, signal });
      showNow();
      form.reset();
      msgs.show('Stock is now ' + p.stock + '.', 'ok');
      await load();
    } catch (err) {
      const found = apiProblems(err, fs);
      if (err.code === 'stock_would_go_negative') found.push(['delta', 'That would take the stock below 0.']);
      if (found.length) showErrors(fs, found, msgs);
      else msgs.show(err.message);
    } finally {
      btn.disabled = false;
    }
  });
  load();
  return h('section', { class: 'panel', 'aria-labelledby': 'stock-h' }, h('h2', { id: 'stock-h' }, 'Stock'), now, form, h('h3', null, 'History'), list);
}
