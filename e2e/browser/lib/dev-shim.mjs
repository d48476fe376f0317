// DEVELOPMENT ONLY — never part of the acceptance run. Serves the console's source folder and
// stands in for the gateway's session endpoints (POST/GET/DELETE /v1/session[s]) in front of a
// gateway that only knows bearer tokens: it keeps sid → token in memory, sets the same
// HttpOnly, SameSite=Strict `hangar_session` cookie, checks Origin like the gateway should
// (a cookie request whose Origin is present and foreign is refused; a missing Origin is allowed
// only for GET/HEAD, which browsers send without one on the same origin), and forwards REST and
// WebSocket traffic with `Authorization: Bearer`. Enabled by HANGAR_DEV_SHIM=1 in the test.
import http from 'node:http';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { serveConsole } from './static-server.mjs';
const UNAUTHORIZED = { type: 'https://hangar.dev/errors/ERR_UNAUTHORIZED', title: 'Unauthorized', status: 401, code: 'ERR_UNAUTHORIZED', detail: 'no session (dev shim)' };

export async function startShim({ gateway, consoleDir, owner = 'local' }) {
  const upstream = new URL(gateway);
  const sessions = new Map(); // sid → token
  let self;

  const sidOf = (req) => /(?:^|;\s*)hangar_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  const originOk = (req) => {
    const origin = req.headers.origin;
    if (!origin) return req.method === 'GET' || req.method === 'HEAD';
    return origin === self;
  };
  const send = (res, status, body, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, self);
    try {
      if (await serveConsole(req, res, consoleDir)) return;
      if (url.pathname === '/v1/sessions' && req.method === 'POST') return await login(req, res);
      const sid = sidOf(req);
      const token = sid && sessions.get(sid);
      if (!token || !originOk(req)) return send(res, 401, UNAUTHORIZED, { 'content-type': 'application/problem+json' });
      if (url.pathname === '/v1/session' && req.method === 'GET') return send(res, 200, info());
      if (url.pathname === '/v1/sessions' && req.method === 'DELETE') {
        sessions.delete(sid);
        return send(res, 204, undefined, { 'set-cookie': 'hangar_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict' });
      }
      if (url.pathname.startsWith('/v1/')) return forward(req, res, token);
      send(res, 404, { code: 'ERR_NOT_FOUND' });
    } catch (e) {
      send(res, 500, { detail: String(e) });
    }
  });

  function info() {
    return { owner, expires_at: new Date(Date.now() + 12 * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z') };
  }

  async function login(req, res) {
    const body = JSON.parse(await readBody(req) || '{}');
    const probe = await fetch(new URL('/v1/secrets', upstream), { headers: { authorization: `Bearer ${body.token}` } });
    if (probe.status !== 200) return send(res, 401, UNAUTHORIZED, { 'content-type': 'application/problem+json' });
    const sid = randomBytes(24).toString('base64url');
    sessions.set(sid, body.token);
    send(res, 200, info(), { 'set-cookie': `hangar_session=${sid}; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict` });
  }

  function forward(req, res, token) {
    const headers = { ...req.headers, host: upstream.host, authorization: `Bearer ${token}` };
    delete headers.cookie;
    const out = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    out.on('error', (e) => send(res, 502, { detail: String(e) }));
    req.pipe(out);
  }

  server.on('upgrade', (req, socket, head) => {
    const token = sessions.get(sidOf(req));
    if (!token || !originOk(req)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    const up = net.connect(Number(upstream.port), upstream.hostname, () => {
      const headers = { ...req.headers, host: upstream.host, authorization: `Bearer ${token}` };
      delete headers.cookie;
      const lines = [`GET ${req.url} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head?.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    const end = () => { up.destroy(); socket.destroy(); };
    up.on('error', end);
    socket.on('error', end);
  });

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  self = `http://127.0.0.1:${server.address().port}`;
  return { url: self, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}
