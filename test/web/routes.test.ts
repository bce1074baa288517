// The web routes on their own (app.request, no socket): what is served, with
// which headers, and that nothing outside the page, the runtime and the model is.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODEL_URL } from '../../src/contract/artifact.js';
import { ortDistDir, webRoutes } from '../../src/web/routes.js';

let webDir: string, modelPath: string;
const model = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) % 251);
const script = `console.log(${JSON.stringify('x'.repeat(4000))});`;

beforeAll(() => {
  const dir = mkdtempSync(path.join(tmpdir(), 'web-routes-'));
  webDir = path.join(dir, 'web');
  mkdirSync(path.join(webDir, 'assets'), { recursive: true });
  writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(path.join(webDir, 'assets', 'index-abc123.js'), script);
  writeFileSync(path.join(dir, 'secret.txt'), 'no');
  modelPath = path.join(dir, 'm.onnx');
  writeFileSync(modelPath, model);
});

const get = (app: Hono, url: string, headers: Record<string, string> = {}) => app.request(url, { headers });

describe('webRoutes', () => {
  it('serves the page with COOP/COEP (cross-origin isolation for WASM threads) and a CSP', async () => {
    const res = await get(webRoutes({ model, webDir }), '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self' 'wasm-unsafe-eval'/);
    expect(await res.text()).toContain('<title>t</title>');
  });

  it('can leave isolation off (the page then runs ORT single-threaded)', async () => {
    const res = await get(webRoutes({ model, webDir, crossOriginIsolation: false }), '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-opener-policy')).toBeNull();
    expect(res.headers.get('cross-origin-embedder-policy')).toBeNull();
  });

  it('says how to build the page when it is not built', async () => {
    const res = await get(webRoutes({ model, webDir: path.join(webDir, 'nope') }), '/');
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/npm run build:web/);
  });

  it('serves hashed assets for a year, brotli-compressed when accepted', async () => {
    const app = webRoutes({ model, webDir });
    const plain = await get(app, '/assets/index-abc123.js');
    expect(plain.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(plain.headers.get('cache-control')).toMatch(/immutable/);
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(script);
    const br = await get(app, '/assets/index-abc123.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers.get('content-encoding')).toBe('br');
    const body = Buffer.from(await br.arrayBuffer());
    expect(body.length).toBeLessThan(200);
    expect(brotliDecompressSync(body).toString()).toBe(script);
  });

  it("serves onnxruntime-web's WASM and glue from the installed package, as application/wasm", async () => {
    const app = webRoutes({ model, webDir });
    const wasm = await get(app, '/ort/ort-wasm-simd-threaded.wasm');
    expect(wasm.status).toBe(200);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    const bytes = new Uint8Array(await wasm.arrayBuffer());
    expect(bytes.length).toBe(readFileSync(path.join(ortDistDir(), 'ort-wasm-simd-threaded.wasm')).length);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0, 0x61, 0x73, 0x6d]); // \0asm
    const glue = await get(app, '/ort/ort-wasm-simd-threaded.mjs');
    expect(glue.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(glue.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it('reads a file to compress it once, not on every request (/proc/self/io counts the bytes read)', async () => {
    const app = webRoutes({ model, webDir });
    const url = '/ort/ort-wasm-simd-threaded.wasm';
    const bytesRead = () => Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
    const first = await get(app, url, { 'accept-encoding': 'br' }); // read and compressed here
    const size = (await first.arrayBuffer()).byteLength;
    const before = bytesRead();
    for (let i = 0; i < 10; i++) {
      const res = await get(app, url, { 'accept-encoding': 'br' });
      expect((await res.arrayBuffer()).byteLength).toBe(size);
    }
    // Each request used to read the whole 14 MB file again, even to send the cached compressed copy.
    expect(bytesRead() - before).toBeLessThan(2 ** 20);
  });

  it('serves nothing else: other files, other folders, traversal', async () => {
    const app = webRoutes({ model, webDir });
    for (const url of ['/ort/ort.min.js', '/ort/..%2Fpackage.json', '/ort/../package.json', '/assets/..%2F..%2Fsecret.txt',
      '/assets/../../secret.txt', '/secret.txt', '/assets/missing.js', '/models/other.onnx']) {
      expect((await get(app, url)).status, url).toBe(404);
    }
  });

  it('serves the model bytes the server runs, with an ETag for revalidation', async () => {
    for (const app of [webRoutes({ model, webDir }), webRoutes({ model: modelPath, webDir })]) {
      const res = await get(app, MODEL_URL);
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(model);
      const etag = res.headers.get('etag')!;
      expect(etag).toMatch(/^".+"$/);
      const again = await get(app, MODEL_URL, { 'if-none-match': etag });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
    }
  });

  it('mounted on a bigger app, leaves that app\'s other routes and headers alone', async () => {
    const app = new Hono();
    app.get('/v1/hello', (c) => c.json({ ok: true }));
    app.route('/', webRoutes({ model, webDir }));
    const api = await get(app, '/v1/hello');
    expect(await api.json()).toEqual({ ok: true });
    expect(api.headers.get('cross-origin-embedder-policy')).toBeNull();
    expect((await get(app, '/')).headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect((await get(app, MODEL_URL)).status).toBe(200);
  });
});
