import { h, replace } from './dom.js';

// Form fields with their own error line. Errors are shown all at once, each
// under its field (aria-describedby, aria-invalid) and summed up at the top,
// whether the browser's checks or the API's 422 details found them.

// field builds a labelled input (or the given element) with a hint and an error line.
export function field(id, label, attrs = {}, hint) {
  const { tag = 'input', children = [], ...rest } = attrs;
  const input = h(tag, { id, name: id, ...rest }, ...children);
  const err = h('p', { id: id + '-error', class: 'field-error' });
  input.setAttribute('aria-describedby', (hint ? id + '-hint ' : '') + id + '-error');
  const box = h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('p', { id: id + '-hint', class: 'hint' }, hint) : null, err);
  return { id, label, input, box, err };
}

export function clearErrors(fields, msgs) {
  for (const f of fields) {
    f.input.removeAttribute('aria-invalid');
    replace(f.err);
  }
  if (msgs) msgs.show(null);
}

// localProblem is what the browser's constraint checks say about one field, or ''.
export function localProblem(f) {
  const i = f.input;
  const v = i.validity;
  if (!v) return '';
  if (v.valueMissing || (i.required && !String(i.value).trim())) return f.label + ' is required.';
  if (v.tooShort) return f.label + ' must be at least ' + i.minLength + ' characters.';
  if (v.tooLong) return f.label + ' must be at most ' + i.maxLength + ' characters.';
  if (v.rangeUnderflow) return f.label + ' must be ' + i.min + ' or more.';
  if (v.rangeOverflow) return f.label + ' must be ' + i.max + ' or less.';
  if (v.badInput || v.typeMismatch || v.patternMismatch || v.stepMismatch) return 'Enter a valid ' + f.label.toLowerCase() + '.';
  return '';
}

// showErrors marks every field with a problem (a map of field name to text),
// sums them up in msgs, and focuses the first. Problems for names no field
// has are shown in the summary only.
export function showErrors(fields, problems, msgs) {
  const texts = [];
  let first = null;
  for (const [name, text] of problems) {
    const f = fields.find((x) => x.input.name === name || x.id === name);
    texts.push(text);
    if (!f) continue;
    f.input.setAttribute('aria-invalid', 'true');
    replace(f.err, text);
    if (!first) first = f.input;
  }
  if (msgs && texts.length) {
    msgs.show(texts.length === 1 ? texts[0] : 'Please fix ' + texts.length + ' problems:', 'error', texts.length > 1 ? h('ul', null, texts.map((t) => h('li', null, t))) : null);
  }
  if (first) first.focus();
  return texts.length;
}

// checkAll runs localProblem on every field and shows what it found.
export function checkAll(fields, msgs) {
  const problems = fields.map((f) => [f.input.name, localProblem(f)]).filter(([, t]) => t);
  return showErrors(fields, problems, msgs);
}

const cap = (t) => t.charAt(0).toUpperCase() + t.slice(1);

// apiProblems turns a 422's details ([{field, problem}]) into showErrors'
// pairs; prefix strips a nesting ("shipping_address.city" → "city").
export function apiProblems(err, fields, prefix = '') {
  if (!Array.isArray(err.details)) return [];
  return err.details
    .filter((d) => d && d.field && d.problem)
    .map((d) => {
      const name = prefix && d.field.startsWith(prefix) ? d.field.slice(prefix.length) : d.field;
      const f = fields.find((x) => x.input.name === name);
      return [name, (f ? f.label : cap(name.replace(/_/g, ' '))) + ' ' + d.problem + '.'];
    });
}
