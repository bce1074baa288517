// Uploaded pictures are decoded and preprocessed off the HTTP thread, behind a bounded
// queue: over a real socket, a liveness probe answers at once while an upload of many
// large pictures is worked on, and an upload of too many pictures is refused outright.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVE_DEFAULTS, startServer, type RunningServer } from '../../src/serve/server.js';
import { trainedModel } from './helpers.js';

let server: RunningServer;
let digit: Buffer;
beforeAll(async () => {
  server = await startServer({ ...SERVE_DEFAULTS, modelPath: trainedModel(), port: 0 });
  await server.ready;
  // A 512x512 photo-sized "1": preprocessing works on up to 512x512, ~10-20 ms of JavaScript each.
  digit = await sharp({ create: { width: 512, height: 512, channels: 3, background: '#f4f4f0' } })
    .composite([{ input: { create: { width: 60, height: 320, channels: 3, background: '#202020' } }, left: 226, top: 96 }])
    .png().toBuffer();
});
afterAll(async () => { await server?.close(); });

const upload = (count: number) => {
  const form = new FormData();
  for (let k = 0; k < count; k++) form.append('image', new Blob([new Uint8Array(digit)], { type: 'image/png' }), `digit-${k}.png`);
  return fetch(`${server.url}/v1/predict`, { method: 'POST', body: form });
};

describe('image uploads', () => {
  it('are worked on off the HTTP thread: its event loop never stalls while 32 large pictures are', async () => {
    // The server runs in this process: a stall of its event loop is a stall between these ticks.
    let last = performance.now();
    let stall = 0;
    const ticker = setInterval(() => { const now = performance.now(); stall = Math.max(stall, now - last); last = now; }, 2);
    const t0 = performance.now();
    let done = false;
    const work = upload(32).then(async (r) => { done = true; return { status: r.status, body: await r.json() }; });
    let probes = 0;
    while (!done) {
      expect((await fetch(`${server.url}/v2/health/live`)).status).toBe(200);
      probes++;
      await new Promise((r) => setTimeout(r, 2));
    }
    const { status, body } = await work;
    const total = performance.now() - t0;
    clearInterval(ticker);
    expect(status).toBe(200);
    expect(body.predictions.map((p: { label: number }) => p.label)).toEqual(Array(32).fill(1));
    expect(probes).toBeGreaterThanOrEqual(5);
    // On the HTTP thread, the 32 pictures' preprocessing (10-20 ms each) ran as one block (1 s here).
    expect(total).toBeGreaterThan(200);
    expect(stall).toBeLessThan(Math.min(250, total / 4));
  });

  it('are capped in pictures per upload (413), before any is decoded', async () => {
    const res = await upload(SERVE_DEFAULTS.maxUploadImages + 1);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toBe(`${SERVE_DEFAULTS.maxUploadImages + 1} images; the limit is ${SERVE_DEFAULTS.maxUploadImages} per upload`);
  });
});
