// Soak test: 64 connections of single-image /v1/predict JSON for SOAK_SECONDS
// (default 60) against a server process on loopback. Passes when there were no
// errors and the server's resident memory grew at most 20% from the end of the
// warm-up to the end of the run. Prints a markdown section; exits 1 on failure.
import autocannon from 'autocannon';
import { loadDataset } from '../src/node/load-dataset.js';
import { IMAGE_SIZE } from '../src/data/mnist-spec.js';
import { ensureModel, rssMiB, startServerProcess } from './serve-harness.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
// NOTE: under this load V8 keeps raising its heap reservation for about the first minute
// (heapTotal ~180 -> ~320 MB while the live heap after collection stays ~90-100 MB), so
// RSS climbs 20-25% from 15 s to 75 s and then levels off. Growth is measured after a
// 30 s warm-up, and the whole RSS trajectory is printed so a leak (no plateau) shows.
const WARMUP = Number(process.env.SOAK_WARMUP_SECONDS ?? 30);
const CONNECTIONS = 64;
const MAX_GROWTH = 0.2;

const data = await loadDataset();
const body = JSON.stringify({ pixels: Array.from(data.test.images.subarray(0, IMAGE_SIZE)) });
const server = await startServerProcess({ model: ensureModel() });
const pid = server.child.pid!;
const run = (duration: number) => autocannon({
  url: `${server.url}/v1/predict`, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections: CONNECTIONS, duration,
});

let result: autocannon.Result;
const samples: number[] = [];
let baseline = 0;
try {
  await run(WARMUP); // JIT, pools and caches reach their working size first
  baseline = await rssMiB(pid);
  const sampler = setInterval(() => { rssMiB(pid).then((m) => samples.push(m), () => {}); }, 1000);
  result = await run(SECONDS);
  clearInterval(sampler);
  samples.push(await rssMiB(pid));
} finally {
  const code = await server.stop();
  if (code !== 0) console.error(`server exited with ${code} on SIGTERM`);
}

const end = samples.at(-1)!;
const growth = (end - baseline) / baseline;
const errors = result.errors + result.timeouts + result.non2xx;
const ok = errors === 0 && growth <= MAX_GROWTH;
console.log([
  '## Serving soak',
  '',
  `\`SOAK_SECONDS=${SECONDS} npx tsx bench/serve-soak.ts\`: ${CONNECTIONS} connections of single-image /v1/predict JSON for ${SECONDS} s after ${WARMUP} s of warm-up.`,
  '',
  '| requests | requests/s | errors (incl. non-2xx, timeouts) | p99 ms | RSS after warm-up MiB | RSS max MiB | RSS at end MiB | growth | verdict |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  `| ${result.requests.total} | ${(result.requests.total / SECONDS).toFixed(0)} | ${errors} | ${result.latency.p99} | ${baseline.toFixed(0)} | ` +
    `${Math.max(...samples).toFixed(0)} | ${end.toFixed(0)} | ${(100 * growth).toFixed(1)}% | ${ok ? 'pass' : 'FAIL'} (0 errors, growth <= ${100 * MAX_GROWTH}%) |`,
  '',
  `RSS every 10 s from the end of warm-up (MiB): ${[baseline, ...samples.filter((_, i) => (i + 1) % 10 === 0)].map((m) => m.toFixed(0)).join(', ')}`,
].join('\n'));
process.exitCode = ok ? 0 : 1;
