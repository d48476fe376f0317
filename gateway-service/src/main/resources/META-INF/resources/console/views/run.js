// One run: GET /v1/runs/{id}, then its stream (every stored event replayed, then live ones, then
// the bare envelope and a close). Shows the log, streamed tokens, progress, outputs, the
// envelope, and Cancel while it runs. Events are deduplicated by (attempt, seq), so a reconnect
// that replays from the start adds nothing twice.
import { runs as api, stream, isProblem, isEnvelope } from '../api.js';
import { h, fill, badge, announce, errorBox } from '../dom.js';
import { ms, when, TERMINAL } from '../format.js';
import { outputItem } from './outputs.js';

export function mount(container, [id], ctx) {
  const status = h('span', { id: 'run-status', 'aria-live': 'polite' }, badge(null));
  const facts = h('dl', { class: 'facts' });
  const cancel = h('button', { type: 'button', id: 'cancel', class: 'danger', hidden: true, onclick: onCancel }, 'Cancel run');
  const notice = h('div');
  const progress = h('progress', { id: 'progress', max: 1, value: 0, 'aria-label': 'progress' });
  const progressText = h('span', { class: 'hint' });
  const tokens = h('pre', { id: 'tokens', class: 'tokens', 'aria-label': 'streamed text' });
  const log = h('ol', { id: 'log', class: 'log', 'aria-label': 'event log' });
  const outputs = h('ul', { id: 'outputs', class: 'outputs' });
  const envelope = h('pre', { id: 'envelope', class: 'envelope', tabindex: 0, 'aria-label': 'result envelope' }, 'not ended yet');
  const streamState = h('span', { class: 'live-state', 'data-live': 'connecting' }, 'connecting…');
  const elapsed = h('span', { class: 'hint', id: 'elapsed' });
  let startedAt = null;

  container.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/runs' }, '← All runs')),
    h('div', { class: 'page-head' }, h('h1', {}, 'Run ', h('span', { class: 'mono' }, id)), status, elapsed, streamState, cancel),
    notice, facts,
    h('section', { 'aria-labelledby': 'h-progress' }, h('h2', { id: 'h-progress' }, 'Progress'), progress, ' ', progressText),
    h('div', { class: 'two' },
      h('section', { 'aria-labelledby': 'h-tokens' }, h('h2', { id: 'h-tokens' }, 'Streamed text'), tokens),
      h('section', { 'aria-labelledby': 'h-log' }, h('h2', { id: 'h-log' }, 'Event log'), h('div', { class: 'log-wrap' }, log))),
    h('section', { 'aria-labelledby': 'h-outputs' }, h('h2', { id: 'h-outputs' }, 'Outputs'), outputs),
    h('section', { 'aria-labelledby': 'h-envelope' }, h('h2', { id: 'h-envelope' }, 'Envelope'), envelope));

  const seen = new Set();
  const shownOutputs = new Set();
  let detail = null;
  let current = null;
  let finished = false;
  let socket = null;
  let stopped = false;
  let retries = 0;

  api.get(id).then(d => {
    detail = d;
    setStatus(d.status);
    renderFacts();
    if (TERMINAL.has(d.status)) showEnvelope(envelopeOf(d));
  }).catch(e => fill(notice, errorBox(e)));
  connect();

  function connect() {
    socket = stream(`/runs/${encodeURIComponent(id)}/stream`, {
      onOpen: () => setStream('live'),
      onFrame,
      onClose: () => {
        if (finished || stopped) return setStream(finished ? 'ended' : 'closed');
        setStream('disconnected');
        if (retries < 5) setTimeout(() => { if (!stopped && !finished) connect(); }, 1000 * 2 ** retries++);
      },
    });
  }

  function onFrame(frame) {
    if (isProblem(frame)) { fill(notice, errorBox({ problem: frame })); finished = true; return; }
    if (isEnvelope(frame)) { finished = true; showEnvelope(frame); setStream('ended'); return; }
    const key = `${frame.attempt}:${frame.seq}`;
    if (seen.has(key)) return;
    seen.add(key);
    const e = frame.event ?? {};
    switch (e.type) {
      case 'queued': setStatus('queued'); line(frame, 'queued', `${e.ref} (${e.adapter}, ${e.mode})`); break;
      case 'started': startedAt ??= frame.created_at; setStatus('running'); line(frame, 'started', `on ${e.executor ?? 'an executor'}, image ${e.image_digest ?? ''}`); break;
      case 'log': line(frame, e.stream ?? 'log', e.line ?? ''); break;
      case 'token': tokens.append(e.text ?? ''); break;
      case 'progress':
        progress.value = Math.max(0, Math.min(1, Number(e.fraction) || 0));
        progressText.textContent = `${Math.round(progress.value * 100)} %${e.message ? ` — ${e.message}` : ''}`;
        break;
      case 'output': addOutput(e.output); break;
      case 'completed': case 'failed': case 'canceled':
        line(frame, e.type, e.envelope?.error?.message ?? e.envelope?.status ?? '');
        if (e.envelope) showEnvelope(e.envelope);
        break;
      default: line(frame, e.type ?? 'event', JSON.stringify(e));
    }
  }

  function line(frame, kind, text) {
    log.append(h('li', { class: `log-${kind}` },
      h('time', { datetime: frame.created_at ?? '' }, when(frame.created_at)), ' ',
      h('span', { class: 'kind' }, kind), ' ', h('span', { class: 'text' }, text)));
    const wrap = log.parentElement;
    if (wrap.scrollHeight - wrap.scrollTop - wrap.clientHeight < 80) wrap.scrollTop = wrap.scrollHeight;
  }

  function addOutput(output) {
    if (!output?.path || shownOutputs.has(output.path)) return;
    shownOutputs.add(output.path);
    outputs.querySelector('.empty')?.remove();
    outputs.append(outputItem(output));
  }

  function showEnvelope(env) {
    setStatus(env.status);
    elapsed.textContent = '';
    envelope.textContent = JSON.stringify(env, null, 2);
    envelope.dataset.status = env.status ?? '';
    (env.outputs ?? []).forEach(addOutput);
    if (env.status === 'success') {
      progress.value = 1;
      progressText.textContent = '100 %';
    }
    if (env.error) fill(notice, h('div', { class: env.status === 'canceled' ? 'note' : 'error', role: 'status' },
      h('strong', {}, env.error.code), ' ', env.error.message ?? '',
      env.error.stderr_tail ? h('pre', { class: 'stderr' }, env.error.stderr_tail) : null));
    if (!outputs.children.length) outputs.append(h('li', { class: 'empty' }, 'no outputs'));
    renderFacts(env.meta);
  }

  function setStatus(next) {
    if (!next || current === next || TERMINAL.has(current) || (current === 'running' && next === 'queued')) return;
    current = next;
    fill(status, badge(next));
    cancel.hidden = TERMINAL.has(next);
    if (TERMINAL.has(next)) announce(`Run ${id} ended: ${next}`);
  }

  function setStream(state) {
    streamState.dataset.live = state;
    streamState.textContent = state === 'live' ? '● live' : state;
  }

  function renderFacts(meta) {
    const d = detail ?? {};
    const m = meta ?? d.meta ?? {};
    const rows = [
      ['Processor', d.ref ?? m.ref], ['Adapter', d.adapter ?? m.adapter], ['Mode', d.mode ?? m.mode],
      ['Owner', ctx.session?.owner], ['Platform', m.platform], ['Image', m.image_digest],
      ['Queue', m.queue_ms !== undefined ? ms(m.queue_ms) : null], ['Duration', m.duration_ms !== undefined ? ms(m.duration_ms) : null],
      ['Created', d.created_at ? `${when(d.created_at)} (${d.created_at})` : null],
    ].filter(([, v]) => v !== undefined && v !== null);
    fill(facts, rows.map(([k, v]) => [h('dt', {}, k), h('dd', { class: k === 'Image' ? 'mono' : '' }, v)]));
  }

  async function onCancel() {
    cancel.disabled = true;
    try {
      await api.cancel(id);
      fill(notice, h('div', { class: 'note', role: 'status' }, 'Cancel requested; waiting for the executor…'));
    } catch (e) {
      fill(notice, errorBox(e));
      cancel.disabled = false;
    }
  }

  // while it runs, the duration counts up from the first event the page saw
  const ticker = setInterval(() => {
    if (TERMINAL.has(current) || !detail) return;
    elapsed.textContent = current === 'running' ? `running for ${ms(Date.now() - Date.parse(startedAt ?? detail.created_at))}`
      : `queued for ${ms(Date.now() - Date.parse(detail.created_at))}`;
  }, 1000);

  return () => { stopped = true; clearInterval(ticker); socket?.close(); };
}

/** RunDetail carries the envelope's fields beside the summary's once the run has ended. */
function envelopeOf(d) {
  const { status, execution_id, outputs, index_path, error, meta } = d;
  return Object.fromEntries(Object.entries({ status, execution_id, outputs, index_path, error, meta }).filter(([, v]) => v !== undefined));
}
