// The runs table, live: GET /v1/runs?limit=200 for the rows so far, then /v1/runs/stream for
// every event of the caller's runs. The socket opens first and buffers, so no event between the
// list and the stream is lost; rows update in place and new runs go to the top.
import { runs as api, stream, isProblem } from '../api.js';
import { h, fill, badge, announce, errorBox } from '../dom.js';
import { ms, when } from '../format.js';
import * as model from './run-model.js';

const LIMIT = 200;
const COLUMNS = ['Status', 'Run', 'Processor', 'Adapter', 'Mode', 'Owner', 'Queue', 'Duration', 'Created'];

export function mount(container, _params, ctx) {
  const byId = new Map();
  const rows = new Map(); // id → <tr>
  const tbody = h('tbody');
  const live = h('span', { class: 'live-state', 'data-live': 'connecting' }, 'connecting…');
  const filter = h('input', { id: 'run-filter', type: 'search', placeholder: 'ref, status or id', oninput: applyFilter });
  const empty = h('p', { class: 'empty', hidden: true }, 'No runs yet. Start one from ', h('a', { href: '#/processors' }, 'Processors'), ' or with bin/hangar run.');
  const problem = h('div');
  const table = h('table', { class: 'runs', id: 'runs-table' },
    h('caption', {}, 'Your runs, newest first (live)'),
    h('thead', {}, h('tr', {}, COLUMNS.map(c => h('th', { scope: 'col' }, c)))),
    tbody);
  container.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Runs'), live,
      h('div', { class: 'filter' }, h('label', { for: 'run-filter' }, 'Filter'), filter)),
    problem, h('div', { class: 'table-wrap' }, table), empty);

  let buffered = [];
  let loaded = false;
  let socket = null;
  let stopped = false;
  let retry = 0;
  connect();
  api.list(LIMIT).then(list => {
    for (const summary of list) {
      if (!byId.has(summary.execution_id)) byId.set(summary.execution_id, model.fromSummary(summary));
    }
    loaded = true;
    buffered.forEach(onEvent);
    buffered = [];
    renderAll();
    table.dataset.loaded = 'true';
    fillEndedTimings([...byId.values()].filter(model.ended));
  }).catch(e => fill(problem, errorBox(e)));

  const ticker = setInterval(() => {
    for (const run of byId.values()) if (!model.ended(run) && run.status) updateRow(run, false);
  }, 1000);

  function connect() {
    socket = stream('/runs/stream', {
      onOpen: () => {
        if (retry > 0) catchUp();
        retry = 0;
        setLive('live');
      },
      onFrame: (frame) => {
        if (isProblem(frame)) { fill(problem, errorBox({ problem: frame })); return; }
        if (!loaded) buffered.push(frame); else onEvent(frame);
      },
      onClose: () => {
        setLive('disconnected');
        // reconnect with a bounded back-off; a 401 close also fires the session check
        if (!stopped && retry < 5) setTimeout(() => { if (!stopped) connect(); }, 1000 * 2 ** retry++);
      },
    });
  }

  /** After a reconnect: what changed while the socket was down comes from the list. */
  function catchUp() {
    api.list(LIMIT).then(list => {
      for (const summary of list.reverse()) {
        const run = byId.get(summary.execution_id);
        if (!run) { const fresh = model.fromSummary(summary); byId.set(fresh.id, fresh); insertTop(fresh); continue; }
        const before = run.status;
        if (!model.ended(run) && summary.status !== run.status) {
          run.status = summary.status;
          updateRow(run, run.status !== before);
          if (model.ended(run)) fillEndedTimings([run]);
        }
      }
    }).catch(() => {});
  }

  function setLive(state) {
    live.dataset.live = state;
    live.textContent = state === 'live' ? '● live' : state;
  }

  function onEvent(record) {
    const id = record.execution_id;
    if (!id) return;
    let run = byId.get(id);
    const isNew = !run;
    if (isNew) {
      run = model.blank(id);
      byId.set(id, run);
    }
    const before = run.status;
    model.apply(run, record);
    if (isNew && !run.ref) api.get(id).then(d => { Object.assign(run, pickKnown(d, run)); updateRow(run, false); }).catch(() => {});
    if (isNew) insertTop(run); else updateRow(run, run.status !== before);
  }

  function pickKnown(detail, run) {
    const known = model.fromSummary(detail);
    return { ref: run.ref ?? known.ref, adapter: run.adapter ?? known.adapter, mode: run.mode ?? known.mode, createdAt: run.createdAt ?? known.createdAt };
  }

  /** The list has no envelope meta: fetch the ended runs' details, a few at a time. */
  async function fillEndedTimings(list) {
    const queue = list.filter(r => r.durationMs === undefined);
    const worker = async () => {
      while (!stopped && queue.length) {
        const run = queue.shift();
        try {
          const d = await api.get(run.id);
          run.queueMs = d.meta?.queue_ms ?? null;
          run.durationMs = d.meta?.duration_ms ?? null;
          updateRow(run, false);
        } catch { /* leave the cell empty */ }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
  }

  function renderAll() {
    const ordered = [...byId.values()].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '')).slice(0, LIMIT);
    fill(tbody, ordered.map(run => { const tr = rowFor(run); rows.set(run.id, tr); return tr; }));
    empty.hidden = ordered.length > 0;
    applyFilter();
  }

  function insertTop(run) {
    const tr = rowFor(run);
    rows.set(run.id, tr);
    tbody.prepend(tr);
    while (tbody.rows.length > LIMIT) {
      const last = tbody.rows[tbody.rows.length - 1];
      rows.delete(last.dataset.id);
      byId.delete(last.dataset.id);
      last.remove();
    }
    empty.hidden = true;
    applyFilter();
    announce(`New run ${run.id}${run.ref ? ` of ${run.ref}` : ''}: ${run.status}`);
  }

  function updateRow(run, statusChanged) {
    const old = rows.get(run.id);
    if (!old) return;
    const fresh = rowFor(run);
    const focused = document.activeElement === old;
    fresh.hidden = old.hidden;
    old.replaceWith(fresh);
    rows.set(run.id, fresh);
    if (focused) fresh.focus();
    if (statusChanged) announce(`Run ${run.id}${run.ref ? ` (${run.ref})` : ''}: ${run.status}`);
  }

  function rowFor(run) {
    const href = `#/runs/${encodeURIComponent(run.id)}`;
    return h('tr', {
      tabindex: 0, dataset: { id: run.id, status: run.status ?? '' }, class: `row-${run.status}`,
      'aria-label': `Run ${run.id}, ${run.ref ?? 'unknown processor'}, ${run.status}`,
      onclick: (e) => { if (!e.target.closest('a')) ctx.navigate(href); },
      onkeydown: (e) => keys(e, href),
    },
    h('td', {}, badge(run.status)),
    h('td', { class: 'mono' }, h('a', { href, tabindex: -1 }, run.id)),
    h('td', {}, run.ref ?? '…'),
    h('td', {}, run.adapter ?? ''),
    h('td', {}, run.mode ?? ''),
    h('td', {}, ctx.session?.owner ?? ''),
    h('td', { class: 'num' }, ms(model.queueMs(run))),
    h('td', { class: 'num' }, ms(model.durationMs(run))),
    h('td', { title: run.createdAt ?? '' }, when(run.createdAt)));
  }

  function keys(e, href) {
    const tr = e.currentTarget;
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); ctx.navigate(href); }
    const step = e.key === 'ArrowDown' ? 'nextElementSibling' : e.key === 'ArrowUp' ? 'previousElementSibling' : null;
    if (step) {
      e.preventDefault();
      let next = tr[step];
      while (next && next.hidden) next = next[step];
      next?.focus();
    }
  }

  function applyFilter() {
    const q = filter.value.trim().toLowerCase();
    for (const tr of tbody.rows) {
      const run = byId.get(tr.dataset.id);
      tr.hidden = q !== '' && ![run?.id, run?.ref, run?.status].some(v => v && v.toLowerCase().includes(q));
    }
  }

  return () => { stopped = true; clearInterval(ticker); socket?.close(); };
}
