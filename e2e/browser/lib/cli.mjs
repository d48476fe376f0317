// bin/hangar as the tests use it elsewhere (Stack.java): run from the repository root, bounded.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export function hangar(root, args, { timeoutMs = 180_000, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(join(root, 'bin/hangar'), args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`bin/hangar ${args.join(' ')} did not finish in ${timeoutMs} ms`)); }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (exit) => {
      clearTimeout(timer);
      resolve({ exit, out, err, json: () => JSON.parse(out) });
    });
  });
}
