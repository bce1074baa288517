// Serving benchmark: autocannon against `onnx-mnist serve` on loopback, each
// route beside a parse-only route fed the same body (so the difference is what
// inference, batching and the worker hand-off cost). Prints a markdown section
// for BENCHMARKS.md. SERVE_BENCH_SECONDS (default 10) bounds each run.
import { availableParallelism, cpus } from 'node:os';
import autocannon from 'autocannon';
import { loadDataset } from '../src/node/load-dataset.js';
import { IMAGE_SIZE } from '../src/data/mnist-spec.js';
import { ensureModel, startServerProcess } from './serve-harness.js';

const SECONDS = Number(process.env.SERVE_BENCH_SECONDS ?? 10);
const CONNECTIONS = (process.env.SERVE_BENCH_CONNECTIONS ?? '1,16,64').split(',').map(Number);
const WORKERS = Number(process.env.SERVE_BENCH_WORKERS ?? 1);
const BATCH = 256;

const data = await loadDataset();
const digits = (n: number) => data.test.images.subarray(0, n * IMAGE_SIZE);

/** An OIP request body: JSON, or the binary extension's JSON header + raw tensor bytes. */
function oip(n: number, kind: 'json' | 'fp32' | 'uint8'): { body: Buffer; headers: Record<string, string> } {
  const px = digits(n);
  const shape = [n, 1, 28, 28];
  if (kind === 'json') {
    const body = { inputs: [{ name: 'pixels', shape, datatype: 'FP32', data: Array.from(px, (v) => v / 255) }] };
    return { body: Buffer.from(JSON.stringify(body)), headers: { 'content-type': 'application/json' } };
  }
  const bytes = kind === 'fp32' ? Buffer.from(Float32Array.from(px, (v) => v / 255).buffer) : Buffer.from(px);
  const header = Buffer.from(JSON.stringify({
    inputs: [{ name: 'pixels', shape, datatype: kind === 'fp32' ? 'FP32' : 'UINT8', parameters: { binary_data_size: bytes.length } }],
    parameters: { binary_data_output: true },
  }));
  return {
    body: Buffer.concat([header, bytes]),
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
  };
}
const v1Body = { body: Buffer.from(JSON.stringify({ pixels: Array.from(digits(1)) })), headers: { 'content-type': 'application/json' } };

interface Scenario { name: string; path: string; body: Buffer; headers: Record<string, string>; images: number; connections: number[] }
const infer = '/v2/models/mnist/infer';
const v2Json = oip(1, 'json');
const scenarios: Scenario[] = [
  { name: 'parse-only, /v1 body', path: '/bench/parse', ...v1Body, images: 0, connections: CONNECTIONS },
  { name: '/v1/predict JSON', path: '/v1/predict', ...v1Body, images: 1, connections: CONNECTIONS },
  { name: 'parse-only, OIP JSON body', path: '/bench/parse', ...v2Json, images: 0, connections: CONNECTIONS },
  { name: 'OIP infer JSON', path: infer, ...v2Json, images: 1, connections: CONNECTIONS },
  { name: 'OIP infer binary FP32', path: infer, ...oip(1, 'fp32'), images: 1, connections: CONNECTIONS },
  { name: 'OIP infer binary UINT8', path: infer, ...oip(1, 'uint8'), images: 1, connections: CONNECTIONS },
  { name: `OIP infer JSON, ${BATCH} images`, path: infer, ...oip(BATCH, 'json'), images: BATCH, connections: [4] },
  { name: `OIP infer binary FP32, ${BATCH} images`, path: infer, ...oip(BATCH, 'fp32'), images: BATCH, connections: [4, 16] },
  { name: `OIP infer binary UINT8, ${BATCH} images`, path: infer, ...oip(BATCH, 'uint8'), images: BATCH, connections: [4, 16] },
];

const server = await startServerProcess({ model: ensureModel(), workers: WORKERS });
const scrape = async () => {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const get = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { images: get('inference_images_total'), batches: get('inference_batch_size_count') };
};
const load = (s: Scenario, connections: number, duration: number) => autocannon({
  url: server.url + s.path, method: 'POST', headers: s.headers, body: s.body, connections, duration,
});

interface Row { s: Scenario; c: number; rps: number; p50: number; p99: number; errors: number; avgBatch: number }
const rows: Row[] = [];
try {
  for (const s of scenarios) {
    const res = await fetch(server.url + s.path, { method: 'POST', headers: s.headers, body: new Uint8Array(s.body) });
    if (res.status !== 200) throw new Error(`${s.name}: warm-up request got ${res.status}: ${await res.text()}`);
    await load(s, 16, Math.min(1, SECONDS));
  }
  // Connection count outermost, so each route runs right after its parse-only baseline
  // (the machine's other load drifts; neighbours in time compare fairly).
  const runs = [...new Set(scenarios.flatMap((s) => s.connections))].flatMap((c) => scenarios.filter((s) => s.connections.includes(c)).map((s) => [s, c] as const));
  for (const [s, c] of runs) {
    {
      const before = await scrape();
      const r = await load(s, c, SECONDS);
      const after = await scrape();
      const batches = after.batches - before.batches;
      rows.push({
        s, c, rps: r.requests.total / (r.duration || SECONDS), p50: r.latency.p50, p99: r.latency.p99,
        errors: r.errors + r.timeouts + r.non2xx, avgBatch: batches ? (after.images - before.images) / batches : 0,
      });
      console.error(`${s.name} @${c}: ${rows.at(-1)!.rps.toFixed(0)} req/s`);
    }
  }
} finally {
  await server.stop();
}

rows.sort((a, b) => scenarios.indexOf(a.s) - scenarios.indexOf(b.s) || a.c - b.c);
const base = (name: string, c: number) => rows.find((r) => r.s.name === name && r.c === c)?.rps;
const baseline = (r: Row) => (r.s.path === '/v1/predict' ? base('parse-only, /v1 body', r.c) : r.s.images === 1 && r.s.path === infer ? base('parse-only, OIP JSON body', r.c) : undefined);
const f = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const lines = [
  '## Serving',
  '',
  `\`SERVE_BENCH_SECONDS=${SECONDS} npx tsx bench/serve-bench.ts\`: autocannon on the same machine as the server (they share ` +
    `${availableParallelism()} cores: ${cpus()[0]?.model ?? 'unknown CPU'}), loopback, keep-alive, one request in flight per connection. ` +
    `Server: ${WORKERS} inference worker(s), 1 ONNX Runtime thread each, max batch ${BATCH}, no queue delay. Node ${process.version}.`,
  '',
  '| route and body | connections | requests/s | images/s | p50 ms | p99 ms | errors | avg images per model run | vs parse-only |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => {
    const b = baseline(r);
    return `| ${r.s.name} | ${r.c} | ${f(r.rps)} | ${r.s.images ? f(r.rps * r.s.images) : '-'} | ${f(r.p50, 1)} | ${f(r.p99, 1)} | ${r.errors} | ` +
      `${r.s.images ? f(r.avgBatch, 1) : '-'} | ${b ? `${f((100 * r.rps) / b)}%` : '-'} |`;
  }),
  '',
  'Targets (this machine):',
];
const at = (name: string, c: number) => rows.find((r) => r.s.name === name && r.c === c);
const check = (ok: boolean | undefined, text: string) => lines.push(`- ${ok === undefined ? 'n/a' : ok ? 'met' : 'MISSED'}: ${text}`);
for (const [name, parse] of [['OIP infer JSON', 'parse-only, OIP JSON body'], ['/v1/predict JSON', 'parse-only, /v1 body']]) {
  const r = at(name, 64), p = at(parse, 64);
  check(r && p && r.rps >= 0.6 * p.rps, `${name} at 64 connections >= 60% of parse-only: ${r && p ? `${f((100 * r.rps) / p.rps)}%` : 'not run'}`);
  const q = at(name, 16);
  check(q && q.p99 <= 20, `${name} p99 <= 20 ms at 16 connections: ${q ? `${f(q.p99, 1)} ms` : 'not run'}`);
}
const best = Math.max(0, ...rows.filter((r) => r.s.images === BATCH).map((r) => r.rps * BATCH));
check(best >= 100_000, `${BATCH}-image requests >= 100,000 images/s: best ${f(best)} images/s`);
console.log(lines.join('\n'));
