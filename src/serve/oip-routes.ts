// Open Inference Protocol (KServe v2) REST routes: server and model metadata,
// health, and inference, each also under /versions/{v}.
import type { Context, Handler, Hono } from 'hono';
import { VERSION } from '../version.js';
import type { Served } from './app.js';
import { header, parseJsonText, readBody, readText } from './body.js';
import { HttpError, preview } from './errors.js';
import { HEADER_LENGTH, encodeInferResponse, parseInferRequest, splitBinaryBody } from './oip.js';

/** This server holds one version of one model. */
export const MODEL_VERSION = '1';
/**
 * The platform Triton reports for ONNX models (its onnxruntime backend; the exported
 * config.pbtxt says the same). The protocol's own list suggests `onnx_onnxv1`, but a
 * Triton config cannot name that platform: docs/serve.md, "Same answers as Triton".
 */
export const PLATFORM = 'onnxruntime_onnx';
export const EXTENSIONS = ['binary_tensor_data', 'classification'];

export function registerOip(app: Hono, s: Served): void {
  const { engine } = s;
  const get = (path: string, h: Handler) => app.get(path, s.timed(path, h));
  const post = (path: string, h: Handler) => app.post(path, s.timed(path, h));

  /** 404s for a model or version this server does not have, as the protocol's JSON error. */
  const check = (c: Context) => {
    const { name, version } = c.req.param();
    if (name !== s.modelName) throw new HttpError(404, `unknown model ${preview(name)}; this server serves "${s.modelName}"`);
    if (version !== undefined && version !== MODEL_VERSION) {
      throw new HttpError(404, `model "${name}" has no version ${preview(version)}; it has "${MODEL_VERSION}"`);
    }
  };
  // Health answers are status codes (the protocol's body is empty); a 400 also says why.
  const readiness = (c: Context) =>
    engine.isReady() ? c.body(null, 200) : c.json({ error: `model "${s.modelName}" is not ready (loading or shutting down)` }, 400);

  get('/v2', (c) => c.json({ name: 'onnx-mnist', version: VERSION, extensions: EXTENSIONS }));
  get('/v2/health/live', (c) => c.body(null, 200));
  get('/v2/health/ready', readiness);

  const metadata = (c: Context) => {
    check(c);
    const { inputs, outputs } = engine.spec;
    const tensor = ({ name, datatype, shape }: (typeof inputs)[number]) => ({ name, datatype, shape });
    return c.json({ name: s.modelName, versions: [MODEL_VERSION], platform: PLATFORM, inputs: inputs.map(tensor), outputs: outputs.map(tensor) });
  };
  get('/v2/models/:name', metadata);
  get('/v2/models/:name/versions/:version', metadata);

  const modelReady = (c: Context) => {
    check(c);
    return readiness(c);
  };
  get('/v2/models/:name/ready', modelReady);
  get('/v2/models/:name/versions/:version/ready', modelReady);

  const infer = async (c: Context) => {
    check(c);
    const headerLength = header(c, HEADER_LENGTH);
    const { json: parsed, binary } = headerLength === undefined
      ? { json: parseJsonText(await readText(c, s.limits.json, 'a JSON body'), s.limits.containers), binary: new Uint8Array(0) }
      : splitBinaryBody(await readBody(c, s.limits.binary, 'a binary tensor body'), headerLength, s.limits.containers);
    const req = parseInferRequest(parsed, binary, engine.spec, engine.maxBatchSize);
    const outputs = await s.run(c, req.input, req.n);
    const res = encodeInferResponse(req, outputs, engine.spec, { name: s.modelName, version: MODEL_VERSION });
    if (res.binary.length === 0) return c.body(res.json, 200, { 'content-type': 'application/json' });
    const json = new TextEncoder().encode(res.json);
    const out = new Uint8Array(json.length + res.binary.reduce((a, b) => a + b.length, 0));
    out.set(json);
    let at = json.length;
    for (const b of res.binary) { out.set(b, at); at += b.length; }
    return c.body(out, 200, { 'content-type': 'application/octet-stream', [HEADER_LENGTH]: String(json.length) });
  };
  post('/v2/models/:name/infer', infer);
  post('/v2/models/:name/versions/:version/infer', infer);
}
