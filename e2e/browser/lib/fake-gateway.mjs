// A stand-in for the gateway's /v1 inside one page (Playwright routes), for the UI test: the
// console's own behaviour — rendering, escaping, live updates, the form's RunRequest — checked
// without a stack. Shapes follow contracts/src/test/resources/golden/.
export const ID = 'r-01j9zc4q2b7w3d0000000001';
const DIGEST = `sha256:${'8a3e'.repeat(16)}`;

export function runEvent(id, seq, event, createdAt = new Date().toISOString()) {
  return JSON.stringify({ schema_version: 1, execution_id: id, attempt: 1, seq, created_at: createdAt, event });
}

export const output = (id) => ({ path: `/artifacts/outputs/examples-echo-v1/${id}/output.json`, cid: `sha256:${'2c26'.repeat(16)}`, size_bytes: 62, mime: 'application/json' });
export const meta = { ref: 'examples/echo@1', adapter: 'local', mode: 'mock', platform: 'amd64', attempt: 1, image_digest: DIGEST, duration_ms: 812, queue_ms: 35 };

export const ECHO = {
  ref: 'examples/echo@1', description: 'Echoes chat messages back.', image: '127.0.0.1:5000/examples/echo', digests: { amd64: DIGEST },
  runtime: { cpu: 0.5, memory_mb: 256, gpus: 0, timeout_seconds: 60 }, secrets: [], outputs: [{ name: 'output.json', mime: 'application/json' }],
  inputs_schema: {
    type: 'object', required: ['schema', 'params'],
    properties: {
      schema: { const: 'v1' },
      params: {
        type: 'object', required: ['messages'],
        properties: {
          messages: { type: 'array', minItems: 1, items: { type: 'object', required: ['role', 'content'], properties: { role: { enum: ['system', 'user', 'assistant'] }, content: { type: 'string' } } } },
          delay_seconds: { type: 'number', minimum: 0, maximum: 600 },
          n: { type: 'integer' }, loud: { type: 'boolean' }, extra: { oneOf: [{ type: 'string' }, { type: 'object' }] },
        },
      },
    },
  },
};

/** Installs the fake on a page; returns its state (requests seen, the open sockets). */
export async function fakeGateway(page, { loggedIn = true, runs = [], detail = {} } = {}) {
  const state = { loggedIn, submitted: [], canceled: [], sockets: {}, all: null };
  const json = (route, status, body) => route.fulfill({ status, contentType: status >= 400 ? 'application/problem+json' : 'application/json', body: JSON.stringify(body) });
  const unauthorized = { status: 401, code: 'ERR_UNAUTHORIZED', title: 'Unauthorized', detail: 'log in' };
  await page.route(/\/v1\//, async (route) => {
    const req = route.request();
    const { pathname } = new URL(req.url());
    if (pathname === '/v1/sessions' && req.method() === 'POST') {
      if (JSON.parse(req.postData()).token !== 'good-token') return json(route, 401, unauthorized);
      state.loggedIn = true;
      return json(route, 200, { owner: 'alice', expires_at: '2026-12-01T22:00:00Z' });
    }
    if (!state.loggedIn) return json(route, 401, unauthorized);
    if (pathname === '/v1/session') return json(route, 200, { owner: 'alice', expires_at: '2026-12-01T22:00:00Z' });
    if (pathname === '/v1/sessions') { state.loggedIn = false; return route.fulfill({ status: 204 }); }
    if (pathname === '/v1/runs' && req.method() === 'GET') return json(route, 200, runs);
    if (pathname === '/v1/runs' && req.method() === 'POST') {
      state.submitted.push(JSON.parse(req.postData()));
      return json(route, 202, { execution_id: ID, status: 'queued' });
    }
    let m = pathname.match(/^\/v1\/runs\/([^/]+)\/cancel$/);
    if (m) { state.canceled.push(m[1]); return json(route, 202, { execution_id: m[1], status: 'canceling' }); }
    m = pathname.match(/^\/v1\/runs\/([^/]+)$/);
    if (m) return json(route, 200, detail[m[1]] ?? { execution_id: m[1], status: 'queued', ref: 'examples/echo@1', adapter: 'local', mode: 'mock', created_at: new Date().toISOString() });
    if (pathname === '/v1/processors') return json(route, 200, [ECHO]);
    if (pathname === '/v1/plans') return json(route, 200, [{ key: 'team-a', limit: 5, spent: 1.25, reserved: 0.5 }]);
    if (pathname === '/v1/secrets') return json(route, 200, ['OPENAI_API_KEY']);
    if (pathname.startsWith('/v1/artifacts/')) return route.fulfill({ status: 200, contentType: 'application/json', body: '{"schema":"v1","reply":"Echo: <b>Hello</b>"}' });
    return json(route, 404, { status: 404, code: 'ERR_NOT_FOUND' });
  });
  await page.routeWebSocket(/\/v1\/runs\/stream$/, (ws) => { state.all = ws; });
  await page.routeWebSocket(/\/v1\/runs\/[^/]+\/stream$/, (ws) => {
    const id = new URL(ws.url()).pathname.split('/')[3];
    (state.sockets[id] ??= []).push(ws);
  });
  return state;
}
