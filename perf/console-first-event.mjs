// The console's time to first live event: with 200 runs in its table, how long from submitting a
// run until its row shows in the runs table, against a bare WebSocket on /v1/runs/stream in the
// same page receiving that run's first event (the baseline: same gateway, same socket, no UI).
//   node perf/console-first-event.mjs [SAMPLES]    (needs bin/stack up, examples/echo pushed,
//   deploy/local/browser.sh install). Prints a table row with p50/p99 and the ratio.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { launch } from '../e2e/browser/lib/browser.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const GATEWAY = process.env.HANGAR_GATEWAY || 'http://127.0.0.1:8080';
const TOKEN = process.env.HANGAR_TOKEN || readFileSync(join(ROOT, '.local/keys/local-token'), 'utf8').trim();
const SAMPLES = Number(process.argv[2] || 20);
const TABLE_ROWS = 200;
const RUN = { ref: 'examples/echo@1', inputs: { schema: 'v1', params: { messages: [{ role: 'user', content: 'perf' }] } } };

async function api(path, init = {}) {
  const r = await fetch(GATEWAY + path, { ...init, headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' } });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status} ${await r.text()}`);
  return r.json();
}

/** At least TABLE_ROWS runs exist, all ended, so the table is full and quiet before measuring. */
async function fillTable() {
  const have = (await api(`/v1/runs?limit=${TABLE_ROWS}`)).length;
  for (let i = have; i < TABLE_ROWS; i++) await api('/v1/runs', { method: 'POST', body: JSON.stringify(RUN) });
  const deadline = Date.now() + 600_000;
  while ((await api(`/v1/runs?limit=${TABLE_ROWS}`)).some(r => r.status === 'queued' || r.status === 'running')) {
    if (Date.now() > deadline) throw new Error('runs did not end within 10 minutes');
    await new Promise(r => setTimeout(r, 1000));
  }
}

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.max(0, Math.ceil(s.length * p / 100) - 1)]; };

await fillTable();
const browser = await launch({ timeoutMs: 30_000 });
try {
  const { page } = browser;
  await page.goto(`${GATEWAY}/console/`);
  await page.fill('#token', TOKEN);
  await page.press('#token', 'Enter');
  await page.waitForSelector('#runs-table[data-loaded="true"]');
  await page.waitForFunction((n) => document.querySelectorAll('#runs-table tbody tr').length >= n, TABLE_ROWS);
  const samples = await page.evaluate(async ({ n, run }) => {
    const url = location.origin.replace(/^http/, 'ws') + '/v1/runs/stream';
    const firstFrame = new Map(); // id → time the bare socket saw its first event
    const ws = new WebSocket(url);
    await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = fail; });
    ws.onmessage = (m) => { const id = JSON.parse(m.data).execution_id; if (id && !firstFrame.has(id)) firstFrame.set(id, performance.now()); };
    const out = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const r = await fetch('/v1/runs', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(run) });
      const { execution_id: id } = await r.json();
      const rowAt = await new Promise((resolve) => {
        const seen = () => document.querySelector(`#runs-table tbody tr[data-id="${id}"]`);
        if (seen()) return resolve(performance.now());
        const mo = new MutationObserver(() => { if (seen()) { mo.disconnect(); resolve(performance.now()); } });
        mo.observe(document.querySelector('#runs-table tbody'), { childList: true });
      });
      while (!firstFrame.has(id)) await new Promise(r => setTimeout(r, 5));
      out.push({ console: rowAt - t0, bare: firstFrame.get(id) - t0 });
      await new Promise(r => setTimeout(r, 300)); // one run at a time, as a person watching would see them
    }
    ws.close();
    return out;
  }, { n: SAMPLES, run: RUN });
  const c = samples.map(s => s.console), b = samples.map(s => s.bare);
  console.log('| table rows | console: submit → row p50 / p99 | bare socket: submit → first event p50 / p99 | ratio p50 / p99 |');
  console.log('|---|---|---|---|');
  console.log(`| ${TABLE_ROWS} | ${pct(c, 50).toFixed(1)} / ${pct(c, 99).toFixed(1)} ms | ${pct(b, 50).toFixed(1)} / ${pct(b, 99).toFixed(1)} ms | **${(pct(c, 50) / pct(b, 50)).toFixed(2)}× / ${(pct(c, 99) / pct(b, 99)).toFixed(2)}×** |`);
} finally {
  await browser.close();
}
