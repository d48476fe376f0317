// DOM helpers. Everything the console shows goes through textContent or attributes, never
// innerHTML, so data from the API (refs, log lines, outputs) cannot inject markup.

/** h('tr', {class: 'x', onclick: f, 'aria-label': 'y'}, child, 'text', [more]) → an element. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let counter = 0;
/** A page-unique id for label/input pairs. */
export const uid = (prefix = 'f') => `${prefix}-${++counter}`;

/** Announces a short message to screen readers through the shell's aria-live region. */
export function announce(message) {
  const region = document.getElementById('announcer');
  if (region) region.textContent = message;
}

/** A status badge; the text is the status itself, colour only repeats it. */
export const badge = (status) => h('span', { class: `status status-${status ?? 'unknown'}`, 'data-status': status ?? '' }, status ?? '…');

/** An error box for a failed call (ApiError carries the problem's code and pointers). */
export function errorBox(error) {
  const problem = error?.problem;
  return h('div', { class: 'error', role: 'alert' },
    h('strong', {}, problem?.code ?? 'Error'), ' ', problem?.detail ?? problem?.title ?? error?.message ?? String(error),
    problem?.errors?.length ? h('ul', {}, problem.errors.map(e => h('li', {}, h('code', {}, e.path || '/'), ' ', e.message))) : null);
}
