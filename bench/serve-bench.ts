// Serving benchmark: Debian's wrk (-t1, C: it costs the server far less than it
// measures) against `onnx-mnist serve` on loopback, every route beside a bare Hono
// stand-in (bench/bare-server.ts) measured in the same run, interleaved, with the CPU
// each side used, so a reader can see which side was the limit. Prints markdown.
// SERVE_BENCH_SECONDS (default 10) bounds each run, SERVE_BENCH_ROUNDS (default 1)
// repeats the whole set (medians are reported), SERVE_BENCH_WORKERS the inference workers.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { median } from '../src/node/run.js';
import { oip, v1Json, type Body } from './serve-bodies.js';
import { ensureModel, startServerProcess, type ServerProcess } from './serve-harness.js';
import { cpuSeconds, requireWrk, runWrk } from './wrk.js';

requireWrk();
const SECONDS = Number(process.env.SERVE_BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.SERVE_BENCH_ROUNDS ?? 1);
const WORKERS = Number(process.env.SERVE_BENCH_WORKERS ?? 1);
const BATCH = 256;
const INFER = '/v2/models/mnist/infer';

interface Scenario { name: string; server: 'bare' | 'ours'; path: string; body?: Body; images: number; connections: number[]; baseline?: string }
const BARE_GET = 'bare Hono GET (stand-in)';
const BARE_PARSE = 'bare Hono parse-only POST, OIP JSON body (stand-in)';
const single = [16, 64];
const scenarios: Scenario[] = [
  { name: BARE_GET, server: 'bare', path: '/const', images: 0, connections: single },
  { name: 'GET /v2/health/live', server: 'ours', path: '/v2/health/live', images: 0, connections: single, baseline: BARE_GET },
  { name: BARE_PARSE, server: 'bare', path: '/parse', body: oip(1, 'json'), images: 0, connections: single },
  { name: 'OIP infer JSON', server: 'ours', path: INFER, body: oip(1, 'json'), images: 1, connections: single, baseline: BARE_PARSE },
  { name: '/v1/predict JSON', server: 'ours', path: '/v1/predict', body: v1Json, images: 1, connections: single, baseline: BARE_PARSE },
  { name: 'OIP infer binary FP32', server: 'ours', path: INFER, body: oip(1, 'fp32'), images: 1, connections: single, baseline: BARE_PARSE },
  { name: 'OIP infer binary UINT8', server: 'ours', path: INFER, body: oip(1, 'uint8'), images: 1, connections: single, baseline: BARE_PARSE },
  { name: `OIP infer JSON, ${BATCH} images`, server: 'ours', path: INFER, body: oip(BATCH, 'json'), images: BATCH, connections: [4] },
  { name: `OIP infer binary FP32, ${BATCH} images`, server: 'ours', path: INFER, body: oip(BATCH, 'fp32'), images: BATCH, connections: [4, 16] },
  { name: `OIP infer binary UINT8, ${BATCH} images`, server: 'ours', path: INFER, body: oip(BATCH, 'uint8'), images: BATCH, connections: [4, 16] },
];

interface Run { rps: number; p50: number; p99: number; errors: number; wrkCores: number; mainCores: number; mainUs: number; allUs: number; avgBatch: number }

const dir = mkdtempSync(path.join(tmpdir(), 'serve-bench-'));
const servers: Record<'bare' | 'ours', ServerProcess> = {
  bare: await startServerProcess({}, 'bare-server'),
  ours: await startServerProcess({ model: ensureModel(), workers: WORKERS }),
};
const scrape = async () => {
  const text = await (await fetch(`${servers.ours.url}/metrics`)).text();
  const get = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { images: get('inference_images_total'), batches: get('inference_batch_size_count') };
};

/** One wrk run, with the CPU the server's main thread and whole process used meanwhile. */
async function measure(s: Scenario, connections: number, seconds: number): Promise<Run> {
  const { url, child } = servers[s.server];
  const pid = child.pid!;
  const before = s.server === 'ours' ? await scrape() : undefined;
  const main0 = cpuSeconds(pid, pid), all0 = cpuSeconds(pid), t0 = performance.now();
  const w = await runWrk({ url: url + s.path, connections, seconds, body: s.body?.body, headers: s.body?.headers, dir });
  const wall = (performance.now() - t0) / 1000;
  const main = cpuSeconds(pid, pid) - main0, all = cpuSeconds(pid) - all0;
  const after = before && await scrape();
  const batches = after && before ? after.batches - before.batches : 0;
  return {
    rps: w.rps, p50: w.p50, p99: w.p99, errors: w.errors, wrkCores: w.wrkCores, mainCores: main / wall,
    mainUs: (1e6 * main) / w.requests, allUs: (1e6 * all) / w.requests,
    avgBatch: batches && after && before ? (after.images - before.images) / batches : 0,
  };
}

const runs = new Map<string, Run[]>();
const key = (name: string, c: number) => `${name} @${c}`;
try {
  for (const s of scenarios) await measure(s, 16, 1); // warm-up: JIT, pools, connections
  // Connection count outermost and each route right after its stand-in, so neighbours in time compare.
  const order = [...new Set(scenarios.flatMap((s) => s.connections))].flatMap((c) => scenarios.filter((s) => s.connections.includes(c)).map((s) => [s, c] as const));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [s, c] of order) {
      const run = await measure(s, c, SECONDS);
      runs.set(key(s.name, c), [...(runs.get(key(s.name, c)) ?? []), run]);
      console.error(`${key(s.name, c)}: ${run.rps.toFixed(0)} req/s, p99 ${run.p99.toFixed(1)} ms, wrk ${run.wrkCores.toFixed(2)} cores`);
    }
  }
} finally {
  await Promise.all([servers.bare.stop(), servers.ours.stop()]);
  rmSync(dir, { recursive: true, force: true });
}

const med = (name: string, c: number): Run | undefined => {
  const rs = runs.get(key(name, c));
  if (!rs) return undefined;
  const pick = (f: (r: Run) => number) => median(rs.map(f));
  return { rps: pick((r) => r.rps), p50: pick((r) => r.p50), p99: pick((r) => r.p99), errors: rs.reduce((a, r) => a + r.errors, 0), wrkCores: pick((r) => r.wrkCores), mainCores: pick((r) => r.mainCores), mainUs: pick((r) => r.mainUs), allUs: pick((r) => r.allUs), avgBatch: pick((r) => r.avgBatch) };
};
const f = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const lines = [
  '## Serving',
  '',
  `\`SERVE_BENCH_SECONDS=${SECONDS} SERVE_BENCH_ROUNDS=${ROUNDS} npx tsx bench/serve-bench.ts\`: wrk -t1 on the same machine as the servers (${availableParallelism()} cores: ` +
    `${cpus()[0]?.model ?? 'unknown CPU'}), loopback, keep-alive. Ours: \`onnx-mnist serve\` with ${WORKERS} inference worker(s), 1 ONNX Runtime thread each, ` +
    `max batch ${BATCH}, no queue delay. The stand-ins: a bare Hono app on @hono/node-server (\`bench/bare-server.ts\`), in the same run. Node ${process.version}. ` +
    `${ROUNDS > 1 ? `Medians of ${ROUNDS} interleaved rounds.` : ''}`,
  '',
  '| route and body | conns | requests/s | images/s | p50 ms | p99 ms | errors | vs stand-in | p99 vs stand-in | server main thread, cores | main thread us/request | process us/request | wrk, cores | images per model run |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];
for (const s of scenarios) {
  for (const c of s.connections) {
    const r = med(s.name, c)!;
    const b = s.baseline ? med(s.baseline, c) : undefined;
    lines.push(`| ${s.name} | ${c} | ${f(r.rps)} | ${s.images ? f(r.rps * s.images) : '-'} | ${f(r.p50, 1)} | ${f(r.p99, 1)} | ${r.errors} | ` +
      `${b ? `${f(r.rps / b.rps, 2)}x` : '-'} | ${b ? `${f(r.p99 / b.p99, 2)}x` : '-'} | ${f(r.mainCores, 2)} | ${f(r.mainUs)} | ${f(r.allUs)} | ${f(r.wrkCores, 2)} | ${s.images ? f(r.avgBatch, 1) : '-'} |`);
  }
}
const bareGet = med(BARE_GET, 64)!;
const verdict = bareGet.wrkCores >= 0.9 ? 'WARNING: wrk was near a full core, so the stand-in may be capped by the generator'
  : bareGet.mainCores >= 0.9 ? 'the server was the limit, not the generator'
  : 'neither was saturated, so other load on the machine was the limit: compare the per-request CPU columns, not requests/s';
lines.push('', `Generator check: while measuring the bare GET at 64 connections, wrk's one thread used ${f(bareGet.wrkCores, 2)} of a core and the bare ` +
  `server's main thread ${f(bareGet.mainCores, 2)}: ${verdict}.`);
const failed = scenarios.flatMap((s) => s.connections.filter((c) => med(s.name, c)!.errors > 0).map((c) => key(s.name, c)));
if (failed.length > 0) lines.push('', `ERRORS (non-2xx answers or socket errors) in: ${failed.join('; ')}. Their numbers measure refusals, not service.`);
// A run with errors counts as 0: refusals are fast, and must not pass for throughput.
const clean = (r: Run | undefined) => (r && r.errors === 0 ? r : undefined);
const ratio = (a: Run | undefined, b: Run | undefined, f: (r: Run) => number) => (clean(a) && clean(b) ? f(a!) / f(b!) : NaN);
const goals: [string, number, (x: number) => boolean, string][] = [
  ['GET /v2/health/live >= 0.6x the bare GET (64 conns)', ratio(med('GET /v2/health/live', 64), bareGet, (r) => r.rps), (x) => x >= 0.6, 'x'],
  ['single-image OIP JSON infer >= 0.5x the bare parse-only POST (64 conns)', ratio(med('OIP infer JSON', 64), med(BARE_PARSE, 64), (r) => r.rps), (x) => x >= 0.5, 'x'],
  ['OIP JSON infer p99 <= 2x the bare parse-only p99 (16 conns)', ratio(med('OIP infer JSON', 16), med(BARE_PARSE, 16), (r) => r.p99), (x) => x <= 2, 'x'],
  [`${BATCH}-image binary UINT8 >= 150,000 images/s (best)`, Math.max(...[4, 16].map((c) => (clean(med(`OIP infer binary UINT8, ${BATCH} images`, c))?.rps ?? 0) * BATCH)), (x) => x >= 150_000, ' images/s'],
];
lines.push('', 'Goals (issue 12), in this run:');
for (const [what, x, ok, unit] of goals) lines.push(`- ${ok(x) ? 'met' : 'MISSED'}: ${what}: ${unit === 'x' ? f(x, 2) : f(x)}${unit}`);
console.log(lines.join('\n'));
