// The registry's processors (GET /v1/processors): what each does, its image and pinned digests.
import { processors as api } from '../api.js';
import { h, errorBox } from '../dom.js';
import { shortDigest } from '../format.js';

export function mount(container) {
  const body = h('div', {}, h('p', {}, 'loading…'));
  container.append(h('div', { class: 'page-head' }, h('h1', {}, 'Processors')), body);
  api.list().then(list => {
    if (!list.length) {
      body.replaceChildren(h('p', { class: 'empty' }, 'No processors registered. Push one with ', h('code', {}, 'bin/hangar push <dir>'), '.'));
      return;
    }
    list.sort((a, b) => a.ref.localeCompare(b.ref));
    body.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { id: 'processors-table' },
      h('caption', {}, `${list.length} processor(s) in the registry`),
      h('thead', {}, h('tr', {}, ['Processor', 'Description', 'Image', 'Pinned digests', 'Secrets', ''].map(c => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, list.map(row)))));
  }).catch(e => body.replaceChildren(errorBox(e)));
  return () => {};
}

function row(spec) {
  const href = `#/processors/${encodeURIComponent(spec.ref)}`;
  const pins = Object.entries(spec.digests ?? {});
  return h('tr', { dataset: { ref: spec.ref } },
    h('th', { scope: 'row' }, h('a', { href }, spec.ref)),
    h('td', {}, spec.description ?? '',
      h('details', {}, h('summary', {}, 'input schema'), h('pre', { class: 'schema' }, JSON.stringify(spec.inputs_schema ?? {}, null, 2)))),
    h('td', { class: 'mono' }, spec.image ?? ''),
    h('td', {}, pins.length ? h('ul', { class: 'plain' }, pins.map(([platform, digest]) =>
      h('li', {}, h('span', { class: 'tag' }, platform), ' ', h('code', { title: digest }, shortDigest(digest))))) : 'not pinned'),
    h('td', {}, (spec.secrets ?? []).join(', ') || '—'),
    h('td', {}, h('a', { href, class: 'button', 'aria-label': `Run ${spec.ref}` }, 'Run…')));
}
