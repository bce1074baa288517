// Request bodies: read with a limit that fits the kind of body, and JSON checked for
// shape before JSON.parse builds it. JSON gets a limit sized to the largest legal
// batch, not the image limit: megabytes of nested arrays cost JSON.parse seconds of
// event loop and hundreds of MB of heap, and no legal request needs them.
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { IMAGE_SIZE } from '../data/mnist-spec.js';
import { ClientGoneError, HttpError, badRequest, parseJson } from './errors.js';
import type { Cancel } from './work-queue.js';

/** Room per pixel value in JSON: the longest float32 in shortest form ("-1.1754943508222875e-38") and a separator. */
const JSON_BYTES_PER_VALUE = 24;
/** Room for everything in a JSON body besides the pixel values (names, shape, parameters, outputs). */
const JSON_OVERHEAD_BYTES = 64 << 10;
/** Deeper than any legal request: an OIP body nests 7 levels (object, inputs, tensor, [N][1][28][28]). */
const MAX_DEPTH = 32;

export interface BodyLimits {
  /** A JSON body: OIP without binary data, or /v1/predict pixels. */
  json: number;
  /** An OIP body with binary tensor data: the JSON header plus FP32 bytes of the largest batch. */
  binary: number;
  /** Image files and multipart uploads. */
  image: number;
  /** Arrays and objects a JSON body may hold: a legal batch of N images nested [N][1][28][28] has 30N+1. */
  containers: number;
}

export function bodyLimits(maxBatch: number, maxImageBody: number): BodyLimits {
  return {
    json: maxBatch * IMAGE_SIZE * JSON_BYTES_PER_VALUE + JSON_OVERHEAD_BYTES,
    binary: maxBatch * IMAGE_SIZE * 4 + JSON_OVERHEAD_BYTES,
    image: maxImageBody,
    containers: 32 * maxBatch + 1024,
  };
}

/**
 * Whether `c`'s client has gone, read when its request leaves a queue: the socket's state
 * on a server (free), else the request's AbortSignal (app.request in tests). NOTE: not
 * c.req.raw.signal on a server: @hono/node-server builds an AbortController for it, a
 * few us per request on the hottest path.
 */
export function clientGone(c: Context): Cancel {
  const socket = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket;
  return socket ? { get aborted() { return socket.destroyed; } } : c.req.raw.signal;
}

/**
 * A request header, lowercase `name`. On a server it is read from Node's own header
 * object: c.req.header() would first build a fetch Headers of them all, per request.
 */
export function header(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) return c.req.header(name);
  const v = incoming.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

const tooLarge = (what: string, limit: number, size?: string) =>
  new HttpError(413, `${what}${size === undefined ? '' : ` of ${size} bytes`} is over the ${limit} byte limit`);

/**
 * The whole body, refused with 413 beyond `limit`: a declared Content-Length before a
 * byte is read (Node's parser then holds the body to it), a chunked body as it arrives.
 * A client that hangs up mid-body is a ClientGoneError, not a 500.
 */
export async function readBody(c: Context, limit: number, what: string): Promise<Uint8Array> {
  const declared = header(c, 'content-length');
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(what, limit, declared);
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  // NOTE: straight from Node's stream, not c.req.arrayBuffer(): that concatenates the chunks and
  // then copies them once more into a fresh ArrayBuffer (2 x 200 KB per 256-image request).
  if (incoming) return readIncoming(incoming, limit, what);
  try {
    return await readStream(c.req.raw, limit, what);
  } catch (e) {
    if (e instanceof HttpError) throw e;
    if (c.req.raw.signal.aborted) throw new ClientGoneError();
    throw badRequest(`the request body could not be read: ${(e as Error).message}`);
  }
}

const utf8Lenient = new TextDecoder();

/** The body as text, with readBody's limit. */
export async function readText(c: Context, limit: number, what: string): Promise<string> {
  return utf8Lenient.decode(await readBody(c, limit, what));
}

function readIncoming(incoming: IncomingMessage, limit: number, what: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (fn: () => void) => {
      incoming.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
      fn();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) settle(() => reject(tooLarge(what, limit)));
      else chunks.push(chunk);
    };
    const onEnd = () => settle(() => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    const onGone = () => settle(() => reject(new ClientGoneError()));
    incoming.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
  });
}

async function readStream(req: Request, limit: number, what: string): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      void reader.cancel();
      throw tooLarge(what, limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const ch of chunks) { out.set(ch, at); at += ch.length; }
  return out;
}

/**
 * A body this small is parsed without the scan: it cannot hold enough arrays to cost
 * more than a millisecond or a few MB, and nothing here recurses into client values.
 */
const SCAN_ABOVE = 64 << 10;

/** JSON.parse after a scan that refuses deep nesting and more arrays or objects than `maxContainers`. */
export function parseJsonText(text: string, maxContainers: number, what = 'the body'): unknown {
  if (text.length > SCAN_ABOVE) checkJsonShape(text, maxContainers, what);
  return parseJson(text);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes (the JSON header of a binary tensor body) through parseJsonText. */
export function parseJsonBytes(bytes: Uint8Array, maxContainers: number, what = 'the body'): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw badRequest(`${what} is not valid UTF-8 JSON`);
  }
  return parseJsonText(text, maxContainers, what);
}

/**
 * One pass over the text, outside strings, counting brackets: milliseconds for the
 * largest legal body, where JSON.parse of 8 MB of `[[[[...` took seconds and 250 MB.
 */
function checkJsonShape(text: string, maxContainers: number, what = 'the body'): void {
  let depth = 0;
  let containers = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22) { // a string: skip to its closing quote, past escapes
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > MAX_DEPTH) throw badRequest(`${what} nests arrays and objects deeper than ${MAX_DEPTH} levels; a request needs at most 7`);
      if (++containers > maxContainers) throw badRequest(`${what} holds more than ${maxContainers} arrays and objects; a full batch needs fewer (send pixels flat, or use the binary tensor extension)`);
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
}
