// The console's own behaviour in a real headless Chromium, with the gateway faked inside the
// page (lib/fake-gateway.mjs): no stack needed, so it runs in seconds and pins down what the
// end-to-end test cannot force — escaping, replay dedup, reconnects, the form's exact request.
//   node --test console-ui.test.mjs
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { mkdir } from 'node:fs/promises';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from './lib/browser.mjs';
import { startStatic } from './lib/static-server.mjs';
import { fakeGateway, runEvent, output, meta, ID } from './lib/fake-gateway.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(process.env.HANGAR_ROOT ?? join(HERE, '../..'));
const CONSOLE = join(ROOT, 'gateway-service/src/main/resources/META-INF/resources/console');
const SHOTS = resolve(process.env.HANGAR_SCREENSHOTS ?? join(ROOT, 'e2e/target/console-screenshots'));
const shot = (name) => page.screenshot({ path: join(SHOTS, `ui-${name}.png`), fullPage: true });
let server;
let browser;
let page;

before(async () => {
  await mkdir(SHOTS, { recursive: true });
  server = await startStatic(CONSOLE);
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.close(); });
beforeEach(async () => {
  page = await browser.context.newPage();
});

const until = (fn, what, ms = 5000) => page.waitForFunction(fn, null, { timeout: ms }).catch(() => { throw new Error(`not within ${ms} ms: ${what}`); });

describe('the console without a stack', { concurrency: false }, () => {
  it('logs in with a good token only, and shows the owner', async () => {
    await fakeGateway(page, { loggedIn: false });
    await page.goto(`${server.url}/console/#/plans`);
    await page.getByLabel('API token').fill('bad-token');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'ERR_UNAUTHORIZED' }).waitFor();
    await page.getByLabel('API token').fill('good-token');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#plans-table tr[data-key="team-a"]').waitFor();
    assert.equal(await page.locator('#owner').textContent(), 'alice');
    assert.equal(new URL(page.url()).hash, '#/plans', 'back where the user was going');
    assert.deepEqual(await page.locator('#secrets-list li').allTextContents(), ['OPENAI_API_KEY']);
    await page.close();
  });

  it('adds live runs at the top, updates them in place and announces the change', async () => {
    const old = { execution_id: 'r-old00000000000000000001', ref: 'examples/echo@1', status: 'success', adapter: 'local', mode: 'mock', created_at: '2026-11-30T10:00:00Z', updated_at: '2026-11-30T10:00:01Z' };
    const fake = await fakeGateway(page, { runs: [old], detail: { [old.execution_id]: { ...old, meta } } });
    await page.goto(`${server.url}/console/#/runs`);
    await page.locator('#runs-table[data-loaded="true"]').waitFor();
    await until(() => document.querySelector('#runs-table tbody tr td:nth-child(8)')?.textContent === '812 ms', 'ended rows get their duration');
    fake.all.send(runEvent('r-new00000000000000000001', 1, { type: 'queued', ref: 'examples/echo@1', adapter: 'local', mode: 'mock' }));
    await until(() => document.querySelector('#runs-table tbody tr')?.dataset.id === 'r-new00000000000000000001', 'new run on top');
    fake.all.send(runEvent('r-new00000000000000000001', 2, { type: 'started', ref: 'examples/echo@1', adapter: 'local', mode: 'mock' }));
    fake.all.send(runEvent('r-new00000000000000000001', 3, { type: 'completed', envelope: { status: 'success', execution_id: 'r-new00000000000000000001', outputs: [], meta } }));
    fake.all.send(runEvent('r-new00000000000000000001', 2, { type: 'started', ref: 'examples/echo@1', adapter: 'local', mode: 'mock' })); // late duplicate
    await until(() => document.querySelector('tr[data-id="r-new00000000000000000001"]')?.dataset.status === 'success', 'success, not back to running');
    assert.equal(await page.locator('#runs-table tbody tr').count(), 2, 'updated in place');
    assert.match(await page.locator('#announcer').textContent(), /r-new00000000000000000001.*success/);
    await shot('runs-live');
    await page.locator('tr[data-id="r-old00000000000000000001"]').focus();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.hash === '#/runs/r-new00000000000000000001');
    await page.close();
  });

  it('renders a run: escaped log, tokens, progress, output preview, envelope; a replay adds nothing twice', async () => {
    const fake = await fakeGateway(page);
    await page.goto(`${server.url}/console/#/runs/${ID}`);
    await until(() => document.querySelector('.live-state')?.dataset.live === 'live', 'stream open');
    const frames = [
      runEvent(ID, 1, { type: 'queued', ref: 'examples/echo@1', adapter: 'local', mode: 'mock' }),
      runEvent(ID, 2, { type: 'started', ref: 'examples/echo@1', adapter: 'local', mode: 'mock', executor: 'executor-1' }),
      runEvent(ID, 3, { type: 'log', stream: 'stdout', line: '<img src=x onerror="window.pwned=1">' }),
      runEvent(ID, 4, { type: 'token', text: 'Echo:' }),
      runEvent(ID, 5, { type: 'progress', fraction: 0.5, message: 'halfway' }),
      runEvent(ID, 6, { type: 'token', text: ' Hello' }),
      runEvent(ID, 7, { type: 'output', output: output(ID) }),
    ];
    const ws = fake.sockets[ID][0];
    frames.forEach((f) => ws.send(f));
    frames.forEach((f) => ws.send(f)); // as a reconnect's replay would
    await until(() => document.querySelector('#progress')?.value === 0.5, 'progress');
    assert.equal(await page.locator('#tokens').textContent(), 'Echo: Hello');
    assert.equal(await page.locator('#log li').count(), 3, 'queued, started, one stdout line — once each');
    assert.equal(await page.locator('#log img').count(), 0, 'a log line is text, never markup');
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    assert.equal(await page.locator('#cancel').isVisible(), true, 'Cancel while it runs');
    const envelope = { status: 'success', execution_id: ID, outputs: [output(ID)], index_path: output(ID).path.replace('output.json', 'outputs.json'), meta };
    ws.send(runEvent(ID, 8, { type: 'completed', envelope }));
    ws.send(JSON.stringify(envelope));
    await page.locator('#envelope[data-status="success"]').waitFor();
    assert.deepEqual(JSON.parse(await page.locator('#envelope').textContent()), envelope);
    assert.equal(await page.locator('#cancel').isHidden(), true);
    assert.equal(await page.locator('.output').count(), 1);
    assert.equal(await page.locator('a[data-output-link]').getAttribute('href'), `/v1/artifacts/outputs/examples-echo-v1/${ID}/output.json`);
    await page.locator('.preview[data-preview="json"] pre').waitFor();
    assert.match(await page.locator('.preview pre').textContent(), /"reply": "Echo: <b>Hello<\/b>"/, 'pretty-printed, as text');
    await shot('run-success');
    await page.close();
  });

  it('cancels a running run', async () => {
    const fake = await fakeGateway(page);
    await page.goto(`${server.url}/console/#/runs/${ID}`);
    await until(() => document.querySelector('.live-state')?.dataset.live === 'live', 'stream open');
    const ws = fake.sockets[ID][0];
    ws.send(runEvent(ID, 1, { type: 'started', ref: 'examples/echo@1', adapter: 'local', mode: 'mock' }));
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await until(() => document.querySelector('main .note')?.textContent.includes('Cancel requested'), 'cancel acknowledged');
    assert.deepEqual(fake.canceled, [ID]);
    const envelope = { status: 'canceled', execution_id: ID, error: { code: 'ERR_CANCELED', message: 'canceled by request' }, meta };
    ws.send(runEvent(ID, 2, { type: 'canceled', envelope }));
    await page.locator('#envelope[data-status="canceled"]').waitFor();
    assert.equal(await page.locator('#run-status [data-status]').getAttribute('data-status'), 'canceled');
    await shot('run-canceled');
    await page.close();
  });

  it('builds the RunRequest from the schema form', async () => {
    const fake = await fakeGateway(page);
    await page.goto(`${server.url}/console/#/processors/${encodeURIComponent('examples/echo@1')}`);
    await page.locator('#run-form').waitFor();
    await page.getByLabel('Mode').selectOption('mock');
    await page.locator('[data-path="inputs.params.messages[0].role"]').selectOption({ label: 'user' });
    await page.locator('[data-path="inputs.params.messages[0].content"]').fill('Hi');
    await page.getByRole('button', { name: 'Add message' }).click();
    await page.locator('[data-path="inputs.params.messages[1].role"]').selectOption({ label: 'assistant' });
    await page.locator('[data-path="inputs.params.messages[1].content"]').fill('Hello <there>');
    await page.locator('[data-path="inputs.params.delay_seconds"]').fill('1.5');
    await page.locator('[data-path="inputs.params.n"]').fill('3');
    await page.locator('[data-path="inputs.params.loud"]').check();
    await page.locator('[data-path="inputs.params.extra"]').fill('{"k": [1, 2]}');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL((u) => u.hash === `#/runs/${ID}`);
    assert.deepEqual(fake.submitted, [{
      ref: 'examples/echo@1', mode: 'mock', adapter: 'local',
      inputs: { schema: 'v1', params: { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello <there>' }], delay_seconds: 1.5, n: 3, loud: true, extra: { k: [1, 2] } } },
    }]);
    await page.close();
  });

  it('goes back to the login page when a call answers 401', async () => {
    const fake = await fakeGateway(page);
    await page.goto(`${server.url}/console/#/runs`);
    await page.locator('#runs-table').waitFor();
    fake.loggedIn = false;
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Processors' }).click();
    await page.getByLabel('API token').waitFor();
    assert.match(await page.locator('.login').textContent(), /session has ended/);
    await page.close();
  });

  it('ran without a script error', () => {
    assert.deepEqual(browser.errors, []);
  });
});
