// Serves the console's source folder at /console/ on 127.0.0.1 (a random port), as the gateway
// serves its packaged copy. For the UI test and the dev shim only.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };

/** Answers GET /console/<file> from `dir`; true if it handled the request. */
async function serveConsole(req, res, dir) {
  const { pathname } = new URL(req.url, 'http://x');
  if (pathname === '/console') {
    res.writeHead(302, { location: '/console/' });
    res.end();
    return true;
  }
  if (!pathname.startsWith('/console/')) return false;
  const root = normalize(dir);
  const path = normalize(join(root, decodeURIComponent(pathname.slice('/console/'.length)) || 'index.html'));
  if (!path.startsWith(root)) {
    res.writeHead(403);
    res.end();
    return true;
  }
  try {
    const body = await readFile(path);
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
  return true;
}

export async function startStatic(dir) {
  const server = http.createServer(async (req, res) => {
    if (!(await serveConsole(req, res, dir))) {
      res.writeHead(404, { 'content-type': 'application/problem+json' });
      res.end('{"status":404,"code":"ERR_NOT_FOUND"}');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) };
}
