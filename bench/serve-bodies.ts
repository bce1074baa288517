// Request bodies for the serving bench and soak, from the MNIST test set.
import { loadDataset } from '../src/node/load-dataset.js';
import { IMAGE_SIZE } from '../src/data/mnist-spec.js';

export interface Body { body: Buffer; headers: Record<string, string> }

const data = await loadDataset();
const digits = (n: number) => data.test.images.subarray(0, n * IMAGE_SIZE);

/** An OIP request body: JSON, or the binary extension's JSON header + raw tensor bytes. */
export function oip(n: number, kind: 'json' | 'fp32' | 'uint8'): Body {
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

/** /v1/predict's JSON: one image's 784 pixels, 0..255. */
export const v1Json: Body = { body: Buffer.from(JSON.stringify({ pixels: Array.from(digits(1)) })), headers: { 'content-type': 'application/json' } };

/** A multipart upload of `count` PNG files of test digits, each scaled to side x side (as a photo would be). */
export async function pngUpload(count: number, side: number): Promise<Body> {
  const sharp = (await import('sharp')).default;
  const boundary = 'bench-boundary-7MA4YWxkTrZu0gW';
  const parts: Buffer[] = [];
  for (let k = 0; k < count; k++) {
    const png = await sharp(Buffer.from(data.test.images.subarray(k * IMAGE_SIZE, (k + 1) * IMAGE_SIZE)), { raw: { width: 28, height: 28, channels: 1 } })
      .negate().resize(side, side).png().toBuffer();
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="digit-${k}.png"\r\nContent-Type: image/png\r\n\r\n`), png, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
