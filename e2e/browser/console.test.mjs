// The web console, end to end in a real headless Chromium against the running local stack:
// log in through the form, watch a CLI run appear live, open it, run from the processor form,
// cancel a long run, and check that neither a browser without a session nor another origin gets
// anything. Screenshots of every page go to e2e/target/console-screenshots/ (the report).
//
//   node --test --test-concurrency=1 console.test.mjs
// Env: HANGAR_GATEWAY (http://127.0.0.1:8080), HANGAR_TOKEN (else <root>/.local/keys/local-token),
//      HANGAR_ROOT (the repository), HANGAR_SCREENSHOTS, CHROMIUM (/usr/bin/chromium).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, probeSocket, wireLog } from './lib/browser.mjs';
import { hangar } from './lib/cli.mjs';
import { startOtherOrigin } from './lib/other-origin.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(process.env.HANGAR_ROOT ?? join(HERE, '../..'));
const GATEWAY = process.env.HANGAR_GATEWAY ?? 'http://127.0.0.1:8080';
const SHOTS = resolve(process.env.HANGAR_SCREENSHOTS ?? join(ROOT, 'e2e/target/console-screenshots'));
const REF = 'examples/echo@1';
const INPUTS = JSON.stringify({ schema: 'v1', params: { messages: [{ role: 'user', content: 'Hello' }] } });
const WAIT = 60_000; // the longest any single thing may take (a run from queue to envelope)

let token;
let base; // where the console and /v1 are served: the gateway
let other;
let a; // the operator's browser: logs in
let b; // a second browser with its own profile: never logs in
const run = {}; // ids of the runs made along the way

const ws = (path) => `${base.replace(/^http/, 'ws')}${path}`;
const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const rowIds = (page) => page.$$eval('#runs-table tbody tr', (trs) => trs.map((tr) => tr.dataset.id));
const problemOf = (frames) => frames.map((f) => { try { return JSON.parse(f); } catch { return null; } }).find((f) => f && f.code);

before(async () => {
  token = (process.env.HANGAR_TOKEN ?? await readFile(join(ROOT, '.local/keys/local-token'), 'utf8')).trim();
  await mkdir(SHOTS, { recursive: true });
  base = GATEWAY;
  const push = await hangar(ROOT, ['push', 'examples/processors/echo', '--json']);
  assert.equal(push.exit, 0, `bin/hangar push failed:\n${push.err}`);
  other = await startOtherOrigin();
  [a, b] = await Promise.all([launch(), launch()]);
});

after(async () => {
  await Promise.all([a?.close(), b?.close(), other?.close()]);
});

describe('the web console', { concurrency: false }, () => {
  it('logs in through the form and keeps only an HttpOnly SameSite=Strict cookie', { timeout: WAIT }, async () => {
    const page = a.page;
    await page.goto(`${base}/console/`);
    await page.getByLabel('API token').waitFor();
    await shot(page, '01-login');
    await page.getByLabel('API token').fill(token);
    const login = page.waitForResponse((r) => r.url() === `${base}/v1/sessions` && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Log in' }).click();
    assert.equal((await login).status(), 200, 'POST /v1/sessions');
    // Browsers send no Origin on a same-origin GET: the gateway must accept the cookie without one
    // for GET (a foreign page's GET always has one), or the console cannot read anything.
    const reads = await page.evaluate(() => fetch('/v1/session').then((r) => r.status));
    assert.equal(reads, 200, 'GET /v1/session with the cookie and no Origin header (what a browser sends on the same origin)');
    await page.locator('#runs-table[data-loaded="true"]').waitFor();
    assert.equal(await page.locator('main .error').count(), 0, await page.locator('main').textContent());
    assert.equal(await page.locator('#owner').textContent(), 'local');
    await page.locator('.live-state[data-live="live"]').waitFor({ timeout: 10_000 });

    const cookie = (await a.context.cookies(base)).find((c) => c.name === 'hangar_session');
    assert.ok(cookie, 'the gateway set hangar_session');
    assert.equal(cookie.httpOnly, true, 'HttpOnly');
    assert.equal(cookie.sameSite, 'Strict', 'SameSite=Strict');
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }) + document.cookie + location.href);
    assert.ok(!stored.includes(token), 'the token is not in storage, a readable cookie or the URL');
  });

  it('shows a run submitted with the CLI live, without a reload, until success', { timeout: 3 * WAIT }, async () => {
    const page = a.page;
    await page.evaluate(() => { window.__sameDocument = true; });
    const before = await rowIds(page);
    const cli = hangar(ROOT, ['run', '--ref', REF, '--adapter', 'local', '--mode', 'mock', '--inputs-json', INPUTS, '--json']);
    await page.waitForFunction((known) => [...document.querySelectorAll('#runs-table tbody tr')]
      .some((tr) => !known.includes(tr.dataset.id) && tr.cells[2].textContent === 'examples/echo@1'), before, { timeout: WAIT });
    const result = await cli;
    assert.equal(result.exit, 0, result.err);
    const envelope = result.json();
    assert.equal(envelope.status, 'success', result.out);
    run.cli = envelope.execution_id;
    const row = page.locator(`#runs-table tbody tr[data-id="${run.cli}"]`);
    await page.locator(`#runs-table tbody tr[data-id="${run.cli}"][data-status="success"]`).waitFor({ timeout: WAIT });
    assert.equal(await row.locator('td').nth(2).textContent(), REF);
    assert.equal(await row.locator('td').nth(5).textContent(), 'local', 'owner');
    assert.notEqual(await row.locator('td').nth(7).textContent(), '—', 'duration from the envelope');
    const order = await rowIds(page);
    assert.ok(order.indexOf(run.cli) < Math.min(...before.map((id) => order.indexOf(id)).filter((i) => i >= 0), Infinity),
      'the new run is above every run that was there before');
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no reload happened');
    await shot(page, '02-runs-live');
  });

  it('opens the run with the keyboard: envelope, output link and preview', { timeout: WAIT }, async () => {
    const page = a.page;
    assert.ok(run.cli, 'needs the CLI run of the test before');
    await page.locator(`#runs-table tbody tr[data-id="${run.cli}"]`).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.hash === `#/runs/${run.cli}`);
    const envelope = await shownEnvelope(page);
    assert.equal(envelope.status, 'success', JSON.stringify(envelope));
    assert.equal(envelope.execution_id, run.cli);

    const link = page.locator('a[data-output-link$="/output.json"]');
    const href = await link.getAttribute('href');
    assert.equal(href, `/v1/artifacts/outputs/examples-echo-v1/${run.cli}/output.json`);
    const download = await a.context.request.get(`${base}${href}`, { maxRedirects: 0 });
    assert.equal(download.status(), 307, 'the link redirects to a presigned URL');
    assert.match(download.headers().location ?? '', /^http:\/\/127\.0\.0\.1:9000\//);

    const preview = page.locator('.output .preview:not([data-preview="loading"])');
    await preview.waitFor();
    const kind = await preview.getAttribute('data-preview');
    if (kind === 'json') {
      assert.match(await preview.locator('pre').textContent(), /"reply": "Echo: Hello"/, 'pretty-printed JSON');
    } else {
      assert.equal(kind, 'frame', `preview kind ${kind}`);
      console.log('# preview fell back to a sandboxed frame: the object store answers no CORS for this origin');
      const frame = await (await preview.locator('iframe').elementHandle()).contentFrame();
      await frame.waitForFunction(() => document.body && document.body.innerText.includes('Echo: Hello'), null, { timeout: 10_000 });
    }
    assert.match(await page.locator('#tokens').textContent(), /Echo: Hello/, 'streamed tokens');
    assert.ok(await page.locator('#log li.log-stdout').count() > 0, 'stdout lines in the event log');
    assert.equal(await page.locator('#cancel').isHidden(), true, 'no Cancel once ended');
    await shot(page, '03-run-success');
  });

  it('shows what a processor sends as text, never markup; a reload replays it once', { timeout: WAIT }, async () => {
    const page = a.page;
    const evil = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    const inputs = JSON.stringify({ schema: 'v1', params: { messages: [{ role: 'user', content: evil }] } });
    const result = await hangar(ROOT, ['run', '--ref', REF, '--inputs-json', inputs, '--json']);
    assert.equal(result.exit, 0, result.err);
    const id = result.json().execution_id;
    await page.goto(`${base}/console/#/runs/${id}`);
    assert.equal((await shownEnvelope(page)).status, 'success');
    await page.locator('#tokens', { hasText: 'Echo:' }).waitFor();
    assert.equal(await page.locator('#tokens').textContent(), `Echo: ${evil}`, 'the streamed text, literally');
    assert.equal(await page.locator('#tokens img, #tokens script, #log img, #log script').count(), 0, 'no markup from the run');
    assert.equal(await page.evaluate(() => window.pwned), undefined, 'nothing the processor sent ran');
    const lines = await page.locator('#log li').count();
    assert.ok(lines >= 3, `started, stdout, completed: ${lines}`);
    await page.reload();
    await shownEnvelope(page);
    assert.equal(await page.locator('#log li').count(), lines, 'the replay after a reload shows each event once');
    assert.equal(await page.evaluate(() => window.pwned), undefined);
  });

  it('starts a run from the processor form and follows it to success', { timeout: WAIT }, async () => {
    const page = a.page;
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Processors' }).click();
    const row = page.locator(`#processors-table tr[data-ref="${REF}"]`);
    await row.waitFor();
    assert.match(await row.textContent(), /amd64/, 'pins per platform');
    await shot(page, '04-processors');
    await row.getByRole('link', { name: `Run ${REF}` }).click();
    await fillEcho(page, 'Hi from the console');
    await shot(page, '05-processor-form');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL((u) => /^#\/runs\/r-/.test(u.hash));
    run.form = decodeURIComponent(new URL(page.url()).hash.slice('#/runs/'.length));
    const envelope = await shownEnvelope(page);
    assert.equal(envelope.status, 'success', JSON.stringify(envelope));
    assert.match(await page.locator('#tokens').textContent(), /Echo: Hi from the console/);
  });

  it('cancels a long run from its page', { timeout: 2 * WAIT }, async () => {
    const page = a.page;
    await page.goto(`${base}/console/#/processors/${encodeURIComponent(REF)}`);
    await fillEcho(page, 'Take your time', 120);
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL((u) => /^#\/runs\/r-/.test(u.hash) && u.hash !== `#/runs/${run.form}`);
    run.long = decodeURIComponent(new URL(page.url()).hash.slice('#/runs/'.length));
    await page.locator('#run-status [data-status="running"], #envelope[data-status]:not([data-status=""])').first().waitFor({ timeout: WAIT });
    assert.equal(await page.locator('#envelope').getAttribute('data-status'), null, `ended before it could be canceled: ${await page.locator('#envelope').textContent()}`);
    await page.getByRole('button', { name: 'Cancel run' }).click();
    const envelope = await shownEnvelope(page);
    assert.equal(envelope.status, 'canceled', JSON.stringify(envelope));
    assert.equal(envelope.error?.code, 'ERR_CANCELED');
    assert.equal(await page.locator('#cancel').isHidden(), true);
    await shot(page, '06-run-canceled');
    await page.getByRole('link', { name: '← All runs' }).click();
    await page.locator(`#runs-table tbody tr[data-id="${run.long}"][data-status="canceled"]`).waitFor();
  });

  it('lists plans and secret names', { timeout: WAIT }, async () => {
    const page = a.page;
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Plans & secrets' }).click();
    await page.locator('#plans-table, #plans-empty').first().waitFor();
    await page.locator('#secrets-list, #secrets-empty').first().waitFor();
    assert.equal(await page.locator('.error').count(), 0, await page.locator('main').textContent());
    await shot(page, '07-plans-secrets');
  });

  it('without logging in: the login page, and the all-runs stream is refused', { timeout: WAIT }, async () => {
    const page = b.page;
    await page.goto(`${base}/console/#/runs`);
    await page.getByLabel('API token').waitFor();
    assert.equal(await page.locator('#runs-table').count(), 0, 'no runs table');
    assert.equal(await page.locator('#shell').isHidden(), true);
    assert.equal(await page.evaluate(() => fetch('/v1/session').then((r) => r.status)), 401);
    assert.equal(await page.evaluate(() => fetch('/v1/runs?limit=1').then((r) => r.status)), 401);
    const socket = await probeSocket(page, ws('/v1/runs/stream'));
    assertRefused(socket, 'a browser without a session');
    await shot(page, '08-not-logged-in');
  });

  it('another origin cannot use the session: REST and the stream are refused', { timeout: WAIT }, async () => {
    const page = await a.context.newPage();
    const wire = await wireLog(a.context, page);
    try {
      await page.goto(other.url);
      const list = `${base}/v1/runs?limit=1`;
      const read = await page.evaluate((url) => fetch(url, { credentials: 'include' }).then((r) => r.text()).catch(() => 'refused'), list);
      assert.equal(read, 'refused', 'the other origin cannot read runs');
      const get = await wire.answered(list);
      assert.match(get.sent.cookie ?? '', /hangar_session=/, 'the browser did send the session cookie (same site)');
      assert.equal(get.sent.origin, new URL(other.url).origin);
      assert.equal(get.status, 401, 'the gateway refused a GET with the cookie from another origin');

      const cancel = `${base}/v1/runs/${run.form}/cancel`; // an ended run: 409 had the cookie worked
      await page.evaluate((url) => fetch(url, { method: 'POST', credentials: 'include', mode: 'no-cors' }).catch(() => null), cancel);
      const post = await wire.answered(cancel);
      assert.match(post.sent.cookie ?? '', /hangar_session=/);
      assert.equal(post.status, 401, 'the gateway refused a POST with the cookie from another origin');

      const socket = await probeSocket(page, ws('/v1/runs/stream'));
      assertRefused(socket, 'a socket from another origin');
    } finally {
      await wire.detach();
      await page.close();
    }
  });

  it('a session that ends under the page sends the user back to the login page', { timeout: WAIT }, async () => {
    const page = a.page;
    await page.goto(`${base}/console/#/runs`);
    await page.locator('#runs-table').waitFor();
    await a.context.clearCookies(); // the session is gone, as after it expired
    await page.evaluate(() => { location.hash = '#/processors'; }); // the next call the page makes answers 401
    await page.getByLabel('API token').waitFor();
    assert.match(await page.locator('.login').textContent(), /session has ended/);
    await page.fill('#token', token);
    await page.press('#token', 'Enter');
    await page.locator('#shell').waitFor();
  });

  it('logs out: the cookie no longer opens anything', { timeout: WAIT }, async () => {
    const page = a.page;
    await page.goto(`${base}/console/#/runs`);
    await page.locator('#runs-table').waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('API token').waitFor();
    assert.equal(await page.evaluate(() => fetch('/v1/session').then((r) => r.status)), 401);
    assert.deepEqual(a.errors.concat(b.errors), [], 'no script errors on any page');
  });
});

/** The envelope the run page shows once the run has ended (waits for it). */
async function shownEnvelope(page) {
  await page.locator('#envelope[data-status]:not([data-status=""])').waitFor({ timeout: WAIT });
  return JSON.parse(await page.locator('#envelope').textContent());
}

/** The echo form: one user message, and optionally a delay so the run lasts. */
async function fillEcho(page, content, delaySeconds) {
  await page.locator('#run-form').waitFor();
  await page.locator('[data-path="inputs.params.messages[0].role"]').selectOption({ label: 'user' });
  await page.locator('[data-path="inputs.params.messages[0].content"]').fill(content);
  if (delaySeconds !== undefined) await page.locator('[data-path="inputs.params.delay_seconds"]').fill(String(delaySeconds));
}

/** Refused = the upgrade failed, or the gateway's one Problem frame (ERR_UNAUTHORIZED) then a close; never an event. */
function assertRefused(socket, who) {
  assert.equal(socket.closed, true, `${who}: the socket was closed (${JSON.stringify(socket)})`);
  const events = socket.frames.filter((f) => f.includes('"event"'));
  assert.deepEqual(events, [], `${who}: no run events`);
  if (socket.opened) {
    assert.equal(problemOf(socket.frames)?.code, 'ERR_UNAUTHORIZED', `${who}: ${JSON.stringify(socket.frames)}`);
  }
}
