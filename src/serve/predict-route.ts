// POST /v1/predict, the route for people: pixels as JSON, one image file as the
// body, or a multipart upload of several, each body read with the limit of its kind.
import type { Context, Hono } from 'hono';
import type { Served } from './app.js';
import { clientGone, header, readBody, readText } from './body.js';
import { HttpError, unavailable } from './errors.js';
import { IMAGE_TYPES } from './image.js';
import type { ImageDecoder } from './image-decoder.js';
import { decodeUpload, parsePredictJson, predictions, type PredictInput } from './predict.js';

const UNSUPPORTED = 'send application/json, image/png, image/jpeg, image/webp (or application/octet-stream) or multipart/form-data';

export function registerPredict(app: Hono, s: Served, o: { images?: ImageDecoder; maxUploadImages: number }): void {
  const { engine } = s;

  async function readPredictBody(c: Context): Promise<PredictInput> {
    const type = (header(c, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (type === 'application/json') {
      return parsePredictJson(await readText(c, s.limits.json, 'a JSON body'), engine.maxBatchSize, s.limits.containers);
    }
    const isImage = IMAGE_TYPES.has(type) || type === 'application/octet-stream';
    if (!isImage && type !== 'multipart/form-data') {
      const hint = type === 'application/x-www-form-urlencoded' ? " (curl's default for --data; add -H 'Content-Type: ...')" : '';
      throw new HttpError(415, `unsupported content type ${JSON.stringify(type.slice(0, 100) || 'none')}${hint}; ${UNSUPPORTED}`);
    }
    if (!o.images) throw unavailable('this server was started without image decoding');
    // Refused before the body is read: a server that cannot run the model has no use for the pictures.
    if (!engine.isReady()) throw unavailable('the model is not ready (still loading, restarting its workers, or shutting down)');
    const signal = clientGone(c);
    if (isImage) {
      const bytes = await readBody(c, s.limits.image, 'an image');
      if (bytes.length === 0) throw new HttpError(400, 'the body is empty; send the image file as the body');
      return decodeUpload([{ bytes, name: 'image' }], o.images, o.maxUploadImages, signal);
    }
    const body = await readBody(c, s.limits.image, 'an upload');
    let form: FormData;
    try {
      form = await new Response(body as Uint8Array<ArrayBuffer>, { headers: { 'content-type': header(c, 'content-type')! } }).formData();
    } catch (e) {
      throw new HttpError(400, `malformed multipart body: ${(e as Error).message}`);
    }
    const files: File[] = [];
    form.forEach((v) => { if (typeof v !== 'string') files.push(v); });
    if (files.length === 0) throw new HttpError(400, 'the multipart upload has no file; send e.g. curl -F image=@digit.png');
    if (files.length > o.maxUploadImages) throw new HttpError(413, `${files.length} images; the limit is ${o.maxUploadImages} per upload`);
    const list = await Promise.all(files.map(async (f) => ({ bytes: new Uint8Array(await f.arrayBuffer()), name: f.name || 'image' })));
    return decodeUpload(list, o.images, o.maxUploadImages, signal);
  }

  app.post('/v1/predict', s.timed('/v1/predict', async (c) => {
    const req = await readPredictBody(c);
    const preds = predictions(req, await s.run(c, req.input, req.n), engine.spec.labels);
    return c.json(req.batch ? { predictions: preds } : preds[0]);
  }));
}
