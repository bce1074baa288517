// Debian's wrk (C, one thread here) as the load generator of the serving bench and soak,
// with the CPU time each side spent: a generator that costs the server less than it
// measures, and the numbers that show which side was the bottleneck.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Throws with what to do when wrk is not installed. */
export function requireWrk(): void {
  const r = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (r.error) {
    throw new Error('wrk is not installed: the serving bench needs it as its load generator (`sudo apt-get install wrk` on Debian/Ubuntu)');
  }
}

export interface Load {
  url: string;
  connections: number;
  seconds: number;
  /** A POST body; without it wrk sends GETs. Written to `dir` for wrk's Lua script to read. */
  body?: Buffer;
  headers?: Record<string, string>;
  /** Where the Lua script and body file go. */
  dir: string;
  /** Count answers by status code (a Lua response() hook: it costs wrk some speed, so the bench leaves it off). */
  statuses?: boolean;
}

export interface WrkResult {
  requests: number;
  rps: number;
  /** Latency percentiles, ms. */
  p50: number;
  p99: number;
  /** Non-2xx/3xx answers plus socket errors (connect, read, write, timeout). */
  errors: number;
  /** The socket errors alone. */
  socketErrors: number;
  /** wrk's own CPU use, in cores (1 = its one thread never rested). */
  wrkCores: number;
  /** Answers by status code, with Load.statuses. */
  statuses?: Record<number, number>;
}

let scripts = 0;

/** Counts answers per status in each thread and prints "status CODE COUNT" lines at the end. */
const COUNT_STATUSES = `
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    for code, count in pairs(t:get("statuses")) do io.write(string.format("status %d %d\\n", code, count)) end
  end
end`;

/** A Lua script that posts `body` with `headers` (Lua strings hold binary bytes as they are), and may count statuses. */
function script(dir: string, load: Load): string {
  const n = scripts++;
  const lua: string[] = [];
  if (load.body) {
    const bodyFile = path.join(dir, `body-${n}.bin`);
    writeFileSync(bodyFile, load.body);
    lua.push(
      'wrk.method = "POST"',
      ...Object.entries(load.headers ?? {}).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`),
      `local f = io.open(${JSON.stringify(bodyFile)}, "rb"); wrk.body = f:read("*a"); f:close()`,
    );
  }
  if (load.statuses) lua.push(COUNT_STATUSES);
  const file = path.join(dir, `load-${n}.lua`);
  writeFileSync(file, lua.join('\n'));
  return file;
}

const MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
const ms = (text: string) => {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) throw new Error(`cannot read wrk latency ${JSON.stringify(text)}`);
  return Number(m[1]) * MS[m[2]];
};

/** Parses `wrk --latency` output. */
function parseWrk(out: string): Omit<WrkResult, 'wrkCores'> {
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  const requests = num(/^\s*(\d+) requests in/m);
  const rps = num(/^Requests\/sec:\s+([\d.]+)/m);
  const p = (q: number) => ms(new RegExp(`^\\s+${q}%\\s+(\\S+)`, 'm').exec(out)?.[1] ?? '?');
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = num(/Non-2xx or 3xx responses: (\d+)/) || 0;
  const sock = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  if (!Number.isFinite(requests) || !Number.isFinite(rps)) throw new Error(`cannot read wrk output:\n${out}`);
  return { requests, rps, p50: p(50), p99: p(99), errors: errors + sock, socketErrors: sock };
}

/** CPU seconds (user + system) a process has used, or one of its threads with `tid`. */
export function cpuSeconds(pid: number, tid?: number): number {
  const file = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
  // Fields after the command name (which may hold spaces) start at state; utime and stime are the 12th and 13th.
  const fields = readFileSync(file, 'utf8').replace(/^.*\) /s, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks; USER_HZ is 100 on Linux
}

/** Runs wrk once (-t1, --latency) and reads what it measured and what it cost. */
export function runWrk(load: Load): Promise<WrkResult> {
  const args = ['-t1', `-c${load.connections}`, `-d${load.seconds}s`, '--latency', '--timeout', '10s'];
  if (load.body || load.statuses) args.push('-s', script(load.dir, load));
  args.push(load.url);
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let cpu = 0;
    const t0 = performance.now();
    // Sampled just before exit: /proc forgets a process once it has been reaped.
    const sampler = setInterval(() => { try { cpu = cpuSeconds(child.pid!); } catch { /* exited */ } }, 200);
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => {
      clearInterval(sampler);
      if (code !== 0) return reject(new Error(`wrk exited with ${code}:\n${out}`));
      try {
        const statuses = load.statuses ? Object.fromEntries([...out.matchAll(/^status (\d+) (\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2])])) : undefined;
        resolve({ ...parseWrk(out), wrkCores: cpu / ((performance.now() - t0) / 1000), statuses });
      } catch (e) {
        reject(e);
      }
    });
  });
}
