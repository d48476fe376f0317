// Login: trade an API token for the session cookie (POST /v1/sessions). The token stays in this
// form's password field and the request body; the browser keeps only the HttpOnly cookie.
import { session } from '../api.js';
import { h, errorBox, fill } from '../dom.js';

export function mount(container, _params, ctx) {
  const input = h('input', { id: 'token', name: 'token', type: 'password', required: true, autocomplete: 'off', spellcheck: 'false' });
  const status = h('div', { class: 'form-status', 'aria-live': 'assertive' });
  const button = h('button', { type: 'submit' }, 'Log in');
  const form = h('form', { class: 'login', 'aria-labelledby': 'login-title', onsubmit: submit },
    h('h1', { id: 'login-title' }, 'Hangar console'),
    h('p', {}, 'Paste an API token. The console trades it for a session cookie and does not keep it.'),
    h('label', { for: 'token' }, 'API token'),
    input,
    h('p', { class: 'hint' }, 'On the local stack: ', h('code', {}, '.local/keys/local-token')),
    button, status);
  if (ctx.notice) fill(status, h('div', { class: 'note', role: 'status' }, ctx.notice));

  async function submit(event) {
    event.preventDefault();
    button.disabled = true;
    fill(status, 'Logging in…');
    try {
      const info = await session.login(input.value.trim());
      input.value = '';
      ctx.onLogin(info);
      const back = sessionStorage.getItem('hangar.returnTo') || '/runs';
      sessionStorage.removeItem('hangar.returnTo');
      ctx.navigate(`#${back}`);
    } catch (error) {
      fill(status, errorBox(error.status === 401 ? { problem: { code: 'ERR_UNAUTHORIZED', detail: 'That token is not valid.' } } : error));
      button.disabled = false;
      input.focus();
    }
  }

  container.append(form);
  input.focus();
  return () => {};
}
