import { api } from '../api.js';
import { h, msgBox } from '../dom.js';
import * as session from '../session.js';

// next keeps a post-login redirect on this site: only local paths.
function next(query) {
  const n = query.get('next') || '/';
  // "//host" and "/\host" would leave the site.
  return n.startsWith('/') && !n.startsWith('//') && !n.includes('\\') ? n : '/';
}

function field(id, label, attrs, hint) {
  const input = h('input', { id, name: id, required: true, ...attrs });
  if (hint) input.setAttribute('aria-describedby', id + '-hint');
  return [input, h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('p', { id: id + '-hint', class: 'hint' }, hint) : null)];
}

function authForm(ctx, { title, fields, submit, call, other }) {
  const { main, query, navigate } = ctx;
  ctx.title(title);
  const msgs = msgBox();
  const inputs = fields.map((f) => field(...f));
  const btn = h('button', { type: 'submit', class: 'btn btn-primary' }, submit);
  const form = h('form', { class: 'auth', novalidate: true }, msgs, inputs.map((i) => i[1]), btn);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const [input] of inputs) input.removeAttribute('aria-invalid');
    const empty = inputs.find(([input]) => !input.value.trim() || !input.checkValidity());
    if (empty) {
      const label = form.querySelector('label[for="' + empty[0].id + '"]').textContent;
      const v = empty[0].validity;
      msgs.show(
        v.valueMissing || !empty[0].value.trim()
          ? label + ' is required.'
          : v.tooShort
            ? label + ' must be at least ' + empty[0].minLength + ' characters.'
            : 'Enter a valid ' + label.toLowerCase() + '.',
      );
      empty[0].setAttribute('aria-invalid', 'true');
      empty[0].focus();
      return;
    }
    const values = Object.fromEntries(inputs.map(([input]) => [input.name, input.name === 'password' ? input.value : input.value.trim()]));
    btn.disabled = true;
    try {
      session.setUser(await call(values));
      navigate(next(query), { replace: true });
    } catch (err) {
      btn.disabled = false;
      msgs.show(err.message);
      const names = err.code === 'email_taken' ? ['email'] : err.code === 'invalid_credentials' ? ['password'] : Array.isArray(err.details) ? err.details.map((d) => d && d.field) : [];
      const bad = inputs.filter(([i]) => names.includes(i.name));
      for (const [i] of bad) i.setAttribute('aria-invalid', 'true');
      if (bad.length) bad[0][0].focus();
    }
  });
  const q = query.get('next') ? '?next=' + encodeURIComponent(next(query)) : '';
  main.append(h('h1', null, title), form, h('p', null, other[0], h('a', { href: other[1] + q }, other[2])));
}

export function login(ctx) {
  authForm(ctx, {
    title: 'Log in',
    fields: [
      ['email', 'Email', { type: 'email', autocomplete: 'email' }],
      ['password', 'Password', { type: 'password', autocomplete: 'current-password' }],
    ],
    submit: 'Log in',
    call: (v) => api('POST', '/auth/login', { body: v }),
    other: ['New here? ', '/register', 'Create an account'],
  });
}

export function register(ctx) {
  authForm(ctx, {
    title: 'Create an account',
    fields: [
      ['name', 'Name', { type: 'text', autocomplete: 'name' }],
      ['email', 'Email', { type: 'email', autocomplete: 'email' }],
      ['password', 'Password', { type: 'password', autocomplete: 'new-password', minlength: 10, maxlength: 128 }, '10 to 128 characters.'],
    ],
    submit: 'Create account',
    call: (v) => api('POST', '/auth/register', { body: v }),
    other: ['Already have an account? ', '/login', 'Log in'],
  });
}
