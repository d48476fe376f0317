// A page on another origin (another port of 127.0.0.1: same site, so a SameSite=Strict cookie
// still travels — only the gateway's Origin check stands between it and the session).
import http from 'node:http';

export async function startOtherOrigin() {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>another site</title><h1>Another origin</h1>');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) };
}
