// The caller's budget plans (GET /v1/plans) and the names of its secrets (GET /v1/secrets;
// values are sealed and never come back).
import { plans, secrets } from '../api.js';
import { h, fill, errorBox } from '../dom.js';
import { credits } from '../format.js';

export function mount(container) {
  const planBox = h('div', {}, 'loading…');
  const secretBox = h('div', {}, 'loading…');
  container.append(h('div', { class: 'page-head' }, h('h1', {}, 'Plans & secrets')),
    h('section', { 'aria-labelledby': 'h-plans' }, h('h2', { id: 'h-plans' }, 'Plans'), planBox),
    h('section', { 'aria-labelledby': 'h-secrets' }, h('h2', { id: 'h-secrets' }, 'Secrets'), secretBox));

  plans.list().then(list => fill(planBox, list.length ? planTable(list)
    : h('p', { class: 'empty', id: 'plans-empty' }, 'No plans yet: a run with "plan" creates one with the default limit.')))
    .catch(e => fill(planBox, errorBox(e)));
  secrets.list().then(names => fill(secretBox, names.length
    ? h('ul', { id: 'secrets-list', class: 'plain names' }, names.map(n => h('li', {}, h('code', {}, n))))
    : h('p', { class: 'empty', id: 'secrets-empty' }, 'No secrets. Set one with ', h('code', {}, 'bin/hangar secrets set NAME'), '.')))
    .catch(e => fill(secretBox, errorBox(e)));
  return () => {};
}

function planTable(list) {
  return h('table', { id: 'plans-table' },
    h('caption', {}, 'Budgets in credits'),
    h('thead', {}, h('tr', {}, ['Plan', 'Limit', 'Spent', 'Reserved', 'Used'].map(c => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, list.map(p => {
      const used = p.limit > 0 ? Math.min(1, (p.spent + p.reserved) / p.limit) : 0;
      return h('tr', { dataset: { key: p.key } },
        h('th', { scope: 'row' }, p.key),
        h('td', { class: 'num' }, credits(p.limit)), h('td', { class: 'num' }, credits(p.spent)), h('td', { class: 'num' }, credits(p.reserved)),
        h('td', {}, h('meter', { min: 0, max: 1, value: used, low: 0.7, high: 0.9, optimum: 0, 'aria-label': `${Math.round(used * 100)} % used` }),
          ` ${Math.round(used * 100)} %`));
    })));
}
