// The console's shell and hash router: #/login, #/runs, #/runs/{id}, #/processors,
// #/processors/{ref}, #/plans. Each view is mount(container, params, ctx) → cleanup function,
// so leaving a page closes its sockets and timers.
import { session, UNAUTHORIZED_EVENT } from './api.js';
import { fill } from './dom.js';
import * as login from './views/login.js';
import * as runList from './views/runs.js';
import * as runPage from './views/run.js';
import * as processorList from './views/processors.js';
import * as processorPage from './views/processor.js';
import * as account from './views/plans.js';

const ROUTES = [
  [/^\/login$/, login, null],
  [/^\/runs$/, runList, 'runs'],
  [/^\/runs\/([^/]+)$/, runPage, 'runs'],
  [/^\/processors$/, processorList, 'processors'],
  [/^\/processors\/([^/]+)$/, processorPage, 'processors'],
  [/^\/plans$/, account, 'plans'],
];

const view = document.getElementById('view');
const shell = document.getElementById('shell');
let current = null; // {cleanup}
let who = null; // Session.Info
let loggedInAt = 0;
let notice = null; // a message for the login page

export function navigate(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

function route() {
  // match the encoded hash, so a ref's own '/' and '@' stay inside its one segment
  const path = location.hash.replace(/^#/, '') || '/runs';
  for (const [pattern, module, section] of ROUTES) {
    const match = path.match(pattern);
    if (match) return { module, section, params: match.slice(1).map(decodeURIComponent), path };
  }
  return { module: runList, section: 'runs', params: [], path: '/runs' };
}

async function render() {
  current?.cleanup?.();
  current = null;
  const { module, section, params, path } = route();
  if (!who && module !== login) {
    who = await session.current().catch(() => null);
    if (!who) return showLogin(path);
  }
  if (module === login && who) return navigate('#/runs');
  shell.hidden = !who;
  document.getElementById('owner').textContent = who?.owner ?? '';
  for (const link of shell.querySelectorAll('nav a')) {
    if (link.dataset.section === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  fill(view);
  const ctx = { session: who, navigate, notice, onLogin: (info) => { who = info; loggedInAt = Date.now(); } };
  notice = null;
  current = { cleanup: module.mount(view, params, ctx) };
}

function showLogin(returnTo) {
  who = null;
  sessionStorage.setItem('hangar.returnTo', returnTo === '/login' ? '/runs' : returnTo);
  if (location.hash !== '#/login') location.hash = '#/login';
  else render();
}

window.addEventListener('hashchange', render);
window.addEventListener(UNAUTHORIZED_EVENT, () => {
  if (!who) return;
  notice = Date.now() - loggedInAt < 10_000
    ? 'The gateway accepted the token but then refused the session cookie on the next request.'
    : 'Your session has ended; log in again.';
  who = null;
  showLogin(route().path);
});
document.getElementById('logout').addEventListener('click', async () => {
  await session.logout().catch(() => {});
  who = null;
  shell.hidden = true;
  showLogin('/runs');
});
render();
