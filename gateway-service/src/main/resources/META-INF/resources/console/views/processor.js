// One processor: its spec, and a form generated from its inputs_schema that submits
// POST /v1/runs (RunRequest: ref, adapter, mode, inputs) and opens the new run.
import { processors as api, runs } from '../api.js';
import { h, fill, uid, errorBox } from '../dom.js';
import { shortDigest } from '../format.js';
import { buildField } from './schema-form.js';

export function mount(container, [ref], ctx) {
  const body = h('div', {}, h('p', {}, 'loading…'));
  container.append(h('p', { class: 'crumbs' }, h('a', { href: '#/processors' }, '← All processors')),
    h('div', { class: 'page-head' }, h('h1', {}, ref)), body);
  api.list().then(list => {
    const spec = list.find(p => p.ref === ref);
    if (!spec) return fill(body, errorBox({ problem: { code: 'ERR_PROCESSOR_NOT_FOUND', detail: `no processor is registered as ${ref}` } }));
    fill(body, describe(spec), form(spec, ctx));
  }).catch(e => fill(body, errorBox(e)));
  return () => {};
}

function describe(spec) {
  return h('section', { 'aria-label': 'specification' },
    h('p', {}, spec.description ?? ''),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Image'), h('dd', { class: 'mono' }, spec.image ?? ''),
      Object.entries(spec.digests ?? {}).map(([p, d]) => [h('dt', {}, `Pin (${p})`), h('dd', { class: 'mono', title: d }, shortDigest(d))]),
      h('dt', {}, 'Runtime'), h('dd', {}, Object.entries(spec.runtime ?? {}).map(([k, v]) => `${k}=${v}`).join(', ')),
      h('dt', {}, 'Secrets'), h('dd', {}, (spec.secrets ?? []).join(', ') || 'none'),
      h('dt', {}, 'Outputs'), h('dd', {}, (spec.outputs ?? []).map(o => `${o.name} (${o.mime})`).join(', ') || '—')),
    h('details', {}, h('summary', {}, 'Input schema'), h('pre', { class: 'schema' }, JSON.stringify(spec.inputs_schema ?? {}, null, 2))));
}

function form(spec, ctx) {
  const inputs = buildField(spec.inputs_schema ?? { type: 'object' }, { name: 'inputs', label: 'Inputs', required: true, path: 'inputs' });
  const status = h('div', { 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', id: 'submit-run' }, 'Start run');
  const choice = (name, label, values) => {
    const id = uid(name);
    return h('div', { class: 'field' }, h('label', { for: id }, label),
      h('select', { id, name }, values.map(v => h('option', { value: v }, v))));
  };
  const el = h('form', { id: 'run-form', class: 'run-form', novalidate: false, onsubmit },
    h('h2', {}, 'Start a run'),
    h('div', { class: 'row' }, choice('mode', 'Mode', ['mock', 'real']), choice('adapter', 'Adapter', ['local', 'remote'])),
    inputs.el, submit, status);

  async function onsubmit(event) {
    event.preventDefault();
    let values;
    try {
      values = inputs.read();
    } catch (e) {
      fill(status, errorBox({ problem: { code: 'ERR_INPUT_INVALID', detail: e.message } }));
      return;
    }
    submit.disabled = true;
    fill(status, 'Submitting…');
    try {
      const accepted = await runs.submit({ ref: spec.ref, mode: el.elements.mode.value, adapter: el.elements.adapter.value, inputs: values ?? {} });
      ctx.navigate(`#/runs/${encodeURIComponent(accepted.execution_id)}`);
    } catch (e) {
      fill(status, errorBox(e));
      submit.disabled = false;
    }
  }
  return el;
}
