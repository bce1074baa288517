// Soak test: wrk with 64 connections of single-image /v1/predict JSON for SOAK_SECONDS
// (default 60) against a server process on loopback, while other clients misbehave:
// readers that never read (the 14 MB ORT .wasm), uploads of photo-sized PNGs, and
// bodies over the limit. Passes when every answer is 200 or a deliberate refusal
// (503 for a full queue, 413 for the oversized bodies), and the server's resident
// memory grew at most 20% from the end of the warm-up. Prints markdown; exits 1 on failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pngUpload, v1Json } from './serve-bodies.js';
import { ensureModel, rssMiB, startServerProcess } from './serve-harness.js';
import { requireWrk, runWrk, type WrkResult } from './wrk.js';

requireWrk();
const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
// NOTE: under load V8 keeps raising its heap reservation for about the first minute
// (heapTotal ~180 -> ~320 MB while the live heap after collection stays ~90-100 MB), so
// RSS climbs 20-25% from 15 s to 75 s and then levels off. Growth is measured after a
// 30 s warm-up, and the whole RSS trajectory is printed so a leak (no plateau) shows.
const WARMUP = Number(process.env.SOAK_WARMUP_SECONDS ?? 30);
const CONNECTIONS = 64;
const SLOW_READERS = 20;
const MAX_GROWTH = 0.2;

const dir = mkdtempSync(path.join(tmpdir(), 'serve-soak-'));
const upload = await pngUpload(8, 512);
const server = await startServerProcess({ model: ensureModel() });
const pid = server.child.pid!;
const { port } = new URL(server.url);

/** Misbehaving clients, kept up until stop(): what they got back, by kind. */
function misbehave() {
  const seen: Record<string, Record<string, number>> = { upload: {}, oversized: {} };
  const count = (kind: string, what: string | number) => { seen[kind][what] = (seen[kind][what] ?? 0) + 1; };
  let running = true;
  const loop = async (kind: string, send: () => Promise<Response>) => {
    while (running) await send().then((r) => { count(kind, r.status); return r.arrayBuffer(); }, (e: Error) => count(kind, e.message)).catch(() => {});
  };
  const big = new Uint8Array(9 << 20); // over the 8 MiB image limit
  const loops = [
    loop('upload', () => fetch(`${server.url}/v1/predict`, { method: 'POST', headers: upload.headers, body: new Uint8Array(upload.body) })),
    loop('oversized', () => fetch(`${server.url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: big })),
  ];
  // Readers that ask for the ORT runtime and never read it. NOTE: a paused socket hears
  // nothing of the server closing it, so whether they were cut off is read from the
  // server's own connection count at the end.
  const readers = Array.from({ length: SLOW_READERS }, () => {
    const s = connect(Number(port), '127.0.0.1', () => { s.pause(); s.write('GET /ort/ort-wasm-simd-threaded.wasm HTTP/1.1\r\nHost: x\r\n\r\n'); });
    return s.on('error', () => {});
  });
  return {
    seen,
    /** Stops the loops; the readers stay until `drop()`. */
    async stop() {
      running = false;
      await Promise.all(loops);
    },
    drop() { for (const s of readers) s.destroy(); },
  };
}

const load = (seconds: number) => runWrk({ url: `${server.url}/v1/predict`, connections: CONNECTIONS, seconds, body: v1Json.body, headers: v1Json.headers, dir, statuses: true });
let result: WrkResult;
const samples: number[] = [];
let baseline = 0;
let held = NaN;
const others = misbehave();
try {
  await load(WARMUP); // JIT, pools and caches reach their working size first
  baseline = await rssMiB(pid);
  const sampler = setInterval(() => { rssMiB(pid).then((m) => samples.push(m), () => {}); }, 1000);
  result = await load(SECONDS);
  clearInterval(sampler);
  samples.push(await rssMiB(pid));
  await others.stop();
  await new Promise((r) => setTimeout(r, 6000)); // wrk's and the loops' keep-alive connections close (5 s)
  held = Number(/^http_connections_open (\d+)$/m.exec(await (await fetch(`${server.url}/metrics`)).text())?.[1]) - 1; // not this scrape's
} finally {
  await others.stop();
  others.drop();
  const code = await server.stop();
  if (code !== 0) console.error(`server exited with ${code} on SIGTERM`);
  rmSync(dir, { recursive: true, force: true });
}

const end = samples.at(-1)!;
const growth = (end - baseline) / baseline;
const { statuses = {} } = result;
const unexpected = (counts: Record<string, number>, allowed: string[]) =>
  Object.entries(counts).filter(([k]) => !allowed.includes(k)).reduce((a, [, v]) => a + v, 0);
const bad = result.socketErrors + unexpected(statuses, ['200', '503']) + unexpected(others.seen.upload, ['200', '503']) + unexpected(others.seen.oversized, ['413']);
const ok = bad === 0 && growth <= MAX_GROWTH;
const show = (counts: Record<string, number>) => Object.entries(counts).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none';
console.log([
  '## Serving soak',
  '',
  `\`SOAK_SECONDS=${SECONDS} npx tsx bench/serve-soak.ts\` (\`npm run bench:soak\`): wrk -t1, ${CONNECTIONS} connections of single-image /v1/predict JSON for ${SECONDS} s after ${WARMUP} s of warm-up, ` +
    `while ${SLOW_READERS} clients request the 14 MB ORT .wasm and never read it, one client uploads 8 PNGs of 512x512 after another, and one sends 9 MiB images (over the limit) after another. ` +
    `"Connections held at the end": what the server still had open once the load and loops had stopped, the ${SLOW_READERS} readers still connected (0: its idle timeout cut them off).`,
  '',
  '| requests | requests/s | p99 ms | answers (main load) | uploads | oversized bodies | connections held at the end | RSS after warm-up MiB | RSS max MiB | RSS at end MiB | growth | verdict |',
  '| ---: | ---: | ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
  `| ${result.requests} | ${result.rps.toFixed(0)} | ${result.p99.toFixed(1)} | ${show(statuses)} | ${show(others.seen.upload)} | ${show(others.seen.oversized)} | ` +
    `${held} | ${baseline.toFixed(0)} | ${Math.max(...samples).toFixed(0)} | ${end.toFixed(0)} | ${(100 * growth).toFixed(1)}% | ` +
    `${ok ? 'pass' : 'FAIL'} (only 200 and deliberate 503/413, growth <= ${100 * MAX_GROWTH}%) |`,
  '',
  `RSS every 10 s from the end of warm-up (MiB): ${[baseline, ...samples.filter((_, i) => (i + 1) % 10 === 0)].map((m) => m.toFixed(0)).join(', ')}`,
].join('\n'));
process.exitCode = ok ? 0 : 1;
