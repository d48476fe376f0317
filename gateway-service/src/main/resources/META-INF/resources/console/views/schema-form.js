// A form from a JSON Schema: object → fieldset, array → a list with Add/Remove, enum → select,
// string/number/integer/boolean → inputs, const → fixed. Anything else (oneOf, $ref, untyped)
// falls back to a JSON textarea. Each field is {el, read()}; read() gives the value, or
// undefined for an empty optional field so it is left out. The gateway validates for real.
import { h, uid } from '../dom.js';

export function buildField(schema = {}, opts) {
  const type = Array.isArray(schema.type) ? schema.type.find(t => t !== 'null') : schema.type;
  if ('const' in schema) return constant(schema, opts);
  if (Array.isArray(schema.enum)) return choice(schema, opts);
  if (type === 'object' && schema.properties) return object(schema, opts);
  if (type === 'array' && schema.items && !Array.isArray(schema.items)) return array(schema, opts);
  if (type === 'string') return text(schema, opts);
  if (type === 'number' || type === 'integer') return number(schema, opts, type);
  if (type === 'boolean') return boolean(schema, opts);
  return json(schema, opts);
}

function labelled(opts, schema, control, id) {
  return h('div', { class: 'field' },
    h('label', { for: id }, opts.label, opts.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    control,
    schema.description ? h('p', { class: 'hint', id: `${id}-hint` }, schema.description) : null);
}

function constant(schema, opts) {
  const id = uid('c');
  const shown = typeof schema.const === 'string' ? schema.const : JSON.stringify(schema.const);
  const input = h('input', { id, value: shown, readonly: true, 'data-path': opts.path, 'aria-description': 'fixed by the schema' });
  return { el: labelled(opts, schema, input, id), read: () => schema.const };
}

function choice(schema, opts) {
  const id = uid('e');
  const select = h('select', { id, name: opts.path, 'data-path': opts.path, required: opts.required },
    opts.required ? null : h('option', { value: '' }, '(none)'),
    schema.enum.map((v, i) => h('option', { value: String(i), selected: schema.default === v }, String(v))));
  return { el: labelled(opts, schema, select, id), read: () => (select.value === '' ? undefined : schema.enum[Number(select.value)]) };
}

function text(schema, opts) {
  const id = uid('s');
  const long = (schema.maxLength ?? 1e9) > 200 && !schema.format && !schema.pattern;
  const input = long
    ? h('textarea', { id, name: opts.path, rows: 2, 'data-path': opts.path, required: opts.required && (schema.minLength ?? 0) > 0 })
    : h('input', { id, name: opts.path, type: schema.format === 'uri' ? 'url' : 'text', 'data-path': opts.path, pattern: schema.pattern });
  if (schema.default !== undefined) input.value = schema.default;
  if (schema.minLength) input.minLength = schema.minLength;
  if (schema.maxLength) input.maxLength = schema.maxLength;
  return { el: labelled(opts, schema, input, id), read: () => (input.value === '' && !opts.required ? undefined : input.value) };
}

function number(schema, opts, type) {
  const id = uid('n');
  const input = h('input', { id, name: opts.path, type: 'number', inputmode: type === 'integer' ? 'numeric' : 'decimal',
    step: type === 'integer' ? '1' : 'any', min: schema.minimum, max: schema.maximum, 'data-path': opts.path, required: opts.required });
  if (schema.default !== undefined) input.value = schema.default;
  return {
    el: labelled(opts, schema, input, id),
    read: () => {
      if (input.value === '') return undefined;
      const n = Number(input.value);
      if (Number.isNaN(n)) throw new Error(`${opts.path} must be a number`);
      return n;
    },
  };
}

function boolean(schema, opts) {
  const id = uid('b');
  const input = h('input', { id, name: opts.path, type: 'checkbox', checked: schema.default === true, 'data-path': opts.path });
  const el = h('div', { class: 'field check' }, input, h('label', { for: id }, opts.label),
    schema.description ? h('p', { class: 'hint' }, schema.description) : null);
  return { el, read: () => input.checked };
}

function object(schema, opts) {
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties).map(([key, sub]) =>
    [key, buildField(sub, { name: key, label: sub.title ?? key, required: required.has(key), path: `${opts.path}.${key}` })]);
  const el = h('fieldset', { class: 'object', 'data-path': opts.path },
    h('legend', {}, opts.label), schema.description ? h('p', { class: 'hint' }, schema.description) : null,
    fields.map(([, f]) => f.el));
  return {
    el,
    read: () => {
      const value = {};
      for (const [key, field] of fields) {
        const v = field.read();
        if (v !== undefined) value[key] = v;
      }
      return Object.keys(value).length || opts.required ? value : undefined;
    },
  };
}

function array(schema, opts) {
  const items = [];
  const list = h('ol', { class: 'items' });
  const add = h('button', { type: 'button', class: 'secondary', onclick: () => addItem() }, `Add ${singular(opts.label)}`);
  const el = h('fieldset', { class: 'array', 'data-path': opts.path }, h('legend', {}, opts.label), list, add);

  function addItem() {
    const index = items.length;
    const field = buildField(schema.items, { name: String(index), label: `${singular(opts.label)} ${index + 1}`, required: true, path: `${opts.path}[${index}]` });
    const entry = { field };
    const remove = h('button', { type: 'button', class: 'secondary small', 'aria-label': `Remove ${singular(opts.label)} ${index + 1}`,
      onclick: () => { items.splice(items.indexOf(entry), 1); entry.li.remove(); } }, 'Remove');
    entry.li = h('li', {}, field.el, remove);
    items.push(entry);
    list.append(entry.li);
    return entry;
  }
  for (let i = 0; i < Math.max(schema.minItems ?? 0, opts.required ? 1 : 0); i++) addItem();
  return {
    el,
    read: () => {
      const values = items.map(e => e.field.read()).filter(v => v !== undefined);
      return values.length || opts.required ? values : undefined;
    },
  };
}

function json(schema, opts) {
  const id = uid('j');
  const area = h('textarea', { id, name: opts.path, rows: 4, class: 'mono', 'data-path': opts.path, spellcheck: 'false',
    placeholder: 'JSON' });
  if (schema.default !== undefined) area.value = JSON.stringify(schema.default, null, 2);
  return {
    el: labelled({ ...opts, label: `${opts.label} (JSON)` }, schema, area, id),
    read: () => {
      if (area.value.trim() === '') return undefined;
      try { return JSON.parse(area.value); } catch (e) { throw new Error(`${opts.path} is not valid JSON: ${e.message}`); }
    },
  };
}

const singular = (label) => String(label).replace(/ies$/, 'y').replace(/s$/, '');
