// One output of a run: its download link (the gateway redirects to a presigned URL) and a
// preview — images inline, JSON pretty-printed, text as text. Previews read at most 256 KiB.
import { artifactUrl } from '../api.js';
import { h, fill } from '../dom.js';
import { bytes, shortDigest } from '../format.js';

const PREVIEW_LIMIT = 256 * 1024;

export function outputItem(output) {
  const url = artifactUrl(output.path);
  const name = output.path.split('/').pop();
  const preview = h('div', { class: 'preview', 'data-preview': 'loading' }, 'loading preview…');
  const item = h('li', { class: 'output', dataset: { path: output.path } },
    h('div', { class: 'output-head' },
      h('a', { href: url, download: name, class: 'download', 'data-output-link': output.path }, name),
      h('span', { class: 'meta' }, `${output.mime ?? 'unknown type'} · ${bytes(output.size_bytes)} · `,
        h('code', { title: output.cid ?? '' }, shortDigest(output.cid)))),
    h('div', { class: 'output-path mono' }, output.path),
    preview);
  renderPreview(preview, url, name, output);
  return item;
}

const isJson = (mime) => /^application\/(.+\+)?json\b/.test(mime ?? '');
const isText = (mime) => /^text\//.test(mime ?? '') || /^application\/(x-ndjson|xml|yaml|x-yaml)\b/.test(mime ?? '');

async function renderPreview(box, url, name, output) {
  const mime = output.mime ?? '';
  if (mime.startsWith('image/')) {
    const img = h('img', { src: url, alt: `preview of ${name}`, loading: 'lazy' });
    img.addEventListener('load', () => { box.dataset.preview = 'image'; });
    img.addEventListener('error', () => failed(box, 'the image did not load'));
    fill(box, img);
    return;
  }
  if (!isJson(mime) && !isText(mime)) { box.dataset.preview = 'none'; fill(box, 'no preview for this type; use the link'); return; }
  if ((output.size_bytes ?? 0) > PREVIEW_LIMIT) { box.dataset.preview = 'none'; fill(box, `too large to preview (${bytes(output.size_bytes)})`); return; }
  let response;
  try {
    response = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
  } catch (error) {
    // The object store may not let this origin read its presigned URLs (no CORS headers); a
    // sandboxed frame still shows the bytes, and cannot run anything in them.
    box.dataset.preview = 'frame';
    fill(box, h('iframe', { src: url, title: `contents of ${name}`, sandbox: '', class: 'preview-frame', referrerpolicy: 'no-referrer' }),
      h('p', { class: 'hint' }, 'shown as stored: the object store does not let the console read it directly'));
    return;
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    failed(box, `not available: HTTP ${response.status}${problem?.code ? ` ${problem.code}` : ''}`);
    return;
  }
  const text = await response.text();
  let shown = text;
  if (isJson(mime)) {
    try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch { /* show it as it is */ }
  }
  box.dataset.preview = isJson(mime) ? 'json' : 'text';
  fill(box, h('pre', { class: 'preview-text', tabindex: 0, 'aria-label': `contents of ${name}` }, shown));
}

function failed(box, why) {
  box.dataset.preview = 'failed';
  fill(box, why);
}
