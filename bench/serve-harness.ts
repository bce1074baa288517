// Shared by the serve benchmark and soak: a model to serve, the server in its
// own process (so the load generator does not share its event loop), loopback only.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, here.endsWith(path.join('dist', 'bench')) ? '../..' : '..');
/** How to run a .ts file of this repo: compiled JS runs plainly, sources through tsx. */
const runner = (file: string): string[] =>
  file.endsWith('.ts') ? ['--import', 'tsx', file] : [file];
const self = (name: string) => {
  const js = path.join(here, `${name}.js`);
  return existsSync(js) ? js : path.join(here, `${name}.ts`);
};

/** The artifact to serve: $MODEL, artifacts/mnist-mlp.onnx, or a quick one trained now. */
export function ensureModel(): string {
  const wanted = process.env.MODEL ?? path.join(root, 'artifacts', 'mnist-mlp.onnx');
  if (existsSync(wanted)) return wanted;
  const out = path.join(tmpdir(), 'onnx-mnist-serve-bench');
  const model = path.join(out, 'mnist-mlp.onnx');
  if (!existsSync(model)) {
    console.error(`no ${wanted}; training a quick model into ${out}`);
    const cli = existsSync(path.join(root, 'dist/src/cli/main.js')) ? path.join(root, 'dist/src/cli/main.js') : path.join(root, 'src/cli/main.ts');
    const r = spawnSync(process.execPath, [...runner(cli), 'train', '--epochs', '2', '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error('training the benchmark model failed');
  }
  return model;
}

export interface ServerProcess { url: string; child: ChildProcess; stop(): Promise<number | null> }

/** Starts a server script of bench/ (default serve-bench-server) in a child process and waits until it prints "ready URL". */
export async function startServerProcess(args: Record<string, string | number>, script = 'serve-bench-server'): Promise<ServerProcess> {
  const argv = Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)]);
  const child = spawn(process.execPath, [...runner(self(script)), ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /^ready (\S+)$/m.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before it was ready`)));
  });
  const stop = () => new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
  return { url, child, stop };
}

/** Resident memory of a process in MiB, from /proc (Linux). */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}
