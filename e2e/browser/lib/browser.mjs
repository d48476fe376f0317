// Debian's chromium, driven by playwright-core; no browser is ever downloaded. Each launch gets a
// fresh profile (--user-data-dir in a new temp folder), so two launches share no cookies.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A browser with its own fresh profile: {context, page, close()}. */
export async function launch({ executablePath = process.env.CHROMIUM || '/usr/bin/chromium', timeoutMs = 15_000 } = {}) {
  const profile = await mkdtemp(join(tmpdir(), 'hangar-console-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath, args: ARGS, headless: true, timeout: timeoutMs,
    viewport: { width: 1360, height: 860 }, colorScheme: 'light', locale: 'en-GB', timezoneId: 'UTC',
  });
  context.setDefaultTimeout(timeoutMs);
  const page = context.pages()[0] ?? await context.newPage();
  const errors = [];
  context.on('page', (p) => watch(p, errors));
  watch(page, errors);
  return {
    context, page, errors,
    async close() {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}

function watch(page, errors) {
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
}

/**
 * Opens a WebSocket from inside a page and reports what happened within `ms`: whether it opened,
 * every frame, and the close. A socket the server accepts stays open until the deadline.
 */
export function probeSocket(page, url, ms = 8000) {
  return page.evaluate(({ url, ms }) => new Promise((resolve) => {
    const out = { opened: false, frames: [], closed: false, code: null, error: false };
    let ws;
    try { ws = new WebSocket(url); } catch (e) { out.error = String(e); resolve(out); return; }
    const timer = setTimeout(() => { ws.close(); resolve(out); }, ms);
    ws.onopen = () => { out.opened = true; };
    ws.onerror = () => { out.error = true; };
    ws.onmessage = (m) => out.frames.push(String(m.data));
    ws.onclose = (e) => { out.closed = true; out.code = e.code; clearTimeout(timer); resolve(out); };
  }), { url, ms });
}

/**
 * What really went over the wire for a page, from the DevTools protocol: each request's URL, the
 * headers Chrome sent (cookies and Origin included) and the status the server answered — also
 * for responses that CORS then hides from the page.
 */
export async function wireLog(context, page) {
  const cdp = await context.newCDPSession(page);
  const byId = new Map();
  const entry = (id) => byId.get(id) ?? byId.set(id, { id }).get(id);
  cdp.on('Network.requestWillBeSent', (e) => { Object.assign(entry(e.requestId), { url: e.request.url, method: e.request.method }); });
  cdp.on('Network.requestWillBeSentExtraInfo', (e) => { entry(e.requestId).sent = lower(e.headers); });
  cdp.on('Network.responseReceivedExtraInfo', (e) => { entry(e.requestId).status = e.statusCode; });
  await cdp.send('Network.enable');
  return {
    /** The first request to `url` that has been answered, waiting up to `ms`. */
    async answered(url, ms = 10_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const hit = [...byId.values()].find((r) => r.url === url && r.status !== undefined && r.sent);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no answer to ${url} within ${ms} ms: ${JSON.stringify([...byId.values()])}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    detach: () => cdp.detach().catch(() => {}),
  };
}

const lower = (headers) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
