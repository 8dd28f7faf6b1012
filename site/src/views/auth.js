import { api } from '../api.js';
import { h, msgBox } from '../dom.js';
import { apiProblems, checkAll, clearErrors, field, showErrors } from '../form.js';
import * as session from '../session.js';

// next keeps a post-login redirect on this site: only local paths.
function next(query) {
  const n = query.get('next') || '/';
  // "//host" and "/\host" would leave the site.
  return n.startsWith('/') && !n.startsWith('//') && !n.includes('\\') ? n : '/';
}

function authForm(ctx, { title, fields, submit, call, other }) {
  const { main, query, navigate } = ctx;
  ctx.title(title);
  const msgs = msgBox();
  const inputs = fields.map(([id, label, attrs, hint]) => field(id, label, { required: true, ...attrs }, hint));
  const btn = h('button', { type: 'submit', class: 'btn btn-primary' }, submit);
  const form = h('form', { class: 'auth', novalidate: true }, msgs, inputs.map((i) => i.box), btn);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(inputs, msgs);
    // Every problem at once, not one per try.
    if (checkAll(inputs, msgs)) return;
    const values = Object.fromEntries(inputs.map(({ input }) => [input.name, input.name === 'password' ? input.value : input.value.trim()]));
    btn.disabled = true;
    try {
      session.setUser(await call(values));
      navigate(next(query), { replace: true });
    } catch (err) {
      btn.disabled = false;
      const problems = apiProblems(err, inputs);
      if (problems.length) {
        showErrors(inputs, problems, msgs);
        return;
      }
      msgs.show(err.message);
      const name = err.code === 'email_taken' ? 'email' : err.code === 'invalid_credentials' ? 'password' : '';
      const bad = inputs.find((i) => i.input.name === name);
      if (bad) {
        bad.input.setAttribute('aria-invalid', 'true');
        bad.input.focus();
      }
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
