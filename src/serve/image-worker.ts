// One uploaded picture to one image of model input, in a worker thread: libvips
// decoding plus MNIST-style preprocessing, ~20 ms of JavaScript for a 512x512
// picture. On the HTTP thread, a 660 KB upload of such pictures held a liveness
// probe for 5.7 s.
import { preprocessDigit, type Box } from '../data/preprocess.js';
import { serveRequests } from '../workers/rpc.js';
import { HttpError } from './errors.js';
import { decodeImage, type ImageLimits } from './image.js';

export interface ImageJob { bytes: Uint8Array; name: string }
/** What preprocessing found, in the uploaded picture's own pixels. */
export interface ImageInfo { format: string; width: number; height: number; inverted: boolean; box: Box }
/** Refusals come back as values: the RPC protocol carries an error's message, not its HTTP status. */
export type ImageResult = { pixels: Float32Array; image: ImageInfo } | { status: number; error: string };

await serveRequests<ImageLimits, ImageJob, ImageResult>(async (limits) => async ({ bytes, name }) => {
  try {
    const d = await decodeImage(bytes, limits, name);
    const { pixels, inverted, box } = preprocessDigit(d.gray);
    if (!box) return { result: { status: 422, error: `${name}: no digit found (the picture is blank or has too little contrast)` } };
    // Report the box in the uploaded picture's own pixels, not the shrunk working copy.
    const s = d.width / d.gray.width;
    const scaled = { x: Math.round(box.x * s), y: Math.round(box.y * s), width: Math.round(box.width * s), height: Math.round(box.height * s) };
    const image = { format: d.format, width: d.width, height: d.height, inverted, box: scaled };
    return { result: { pixels, image }, transfer: [pixels.buffer as ArrayBuffer] };
  } catch (e) {
    if (e instanceof HttpError) return { result: { status: e.status, error: e.message } };
    throw e;
  }
});
