// Every kind of malformed request gets a precise 4xx with {"error": ...}, and
// the server goes on serving: a good request succeeds after all of them.
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/serve/app.js';
import { ENGINE_DEFAULTS, LocalEngine } from '../../src/serve/engine.js';
import { IMAGE_DEFAULTS, ImageDecoder } from '../../src/serve/image-decoder.js';
import { loadModel } from '../../src/serve/model.js';
import { trainedModel } from './helpers.js';

let engine: LocalEngine;
let images: ImageDecoder;
let app: ReturnType<typeof createApp>;
const MAX_BATCH = 16;
/** What body.ts allows a JSON body for MAX_BATCH images: 24 bytes a value plus 64 KiB. */
const JSON_LIMIT = MAX_BATCH * 784 * 24 + 65536;

beforeAll(async () => {
  engine = new LocalEngine(await loadModel(trainedModel()), { ...ENGINE_DEFAULTS, maxBatchSize: MAX_BATCH });
  images = new ImageDecoder(IMAGE_DEFAULTS);
  await Promise.all([engine.started, images.started]);
  app = createApp({ engine, images, maxBodyBytes: 64 * 1024 });
});
afterAll(async () => { await engine?.close(); await images?.close(); });

const zeros = (n: number) => Array(n).fill(0);
const tensor = (over: Record<string, unknown> = {}) => ({ name: 'pixels', shape: [1, 1, 28, 28], datatype: 'FP32', data: zeros(784), ...over });
const withValue = (i: number, v: unknown) => { const d: unknown[] = zeros(784); d[i] = v; return d; };

/**
 * PNG whose header claims width x height (and bit depth, color type, interlacing) while
 * the file stays a few bytes: a decompression bomb's shape.
 */
async function claimingPng(width: number, height: number, ihdr: { depth?: number; colorType?: number; interlaced?: boolean } = {}): Promise<Buffer> {
  const png = Buffer.from(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).png().toBuffer());
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  if (ihdr.depth) png[24] = ihdr.depth;
  if (ihdr.colorType !== undefined) png[25] = ihdr.colorType;
  if (ihdr.interlaced) png[28] = 1;
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29); // IHDR's CRC, so the header itself is valid
  return png;
}

/** The binary tensor extension: a JSON header then raw bytes. */
function binary(header: unknown, bytes: Uint8Array, length?: string): [Uint8Array, Record<string, string>] {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const body = new Uint8Array(h.length + bytes.length);
  body.set(h);
  body.set(bytes, h.length);
  return [body, { 'content-type': 'application/octet-stream', 'inference-header-content-length': length ?? String(h.length) }];
}
const fp32 = (values: number[]) => new Uint8Array(new Float32Array(values).buffer);
const binaryInput = { inputs: [{ name: 'pixels', shape: [1, 1, 28, 28], datatype: 'FP32', parameters: { binary_data_size: 3136 } }] };

type Case = [string, string, BodyInit | object, Record<string, string> | undefined, number, RegExp];
const JSON_TYPE = { 'content-type': 'application/json' };
const INFER = '/v2/models/mnist/infer';
const PREDICT = '/v1/predict';

async function cases(): Promise<Case[]> {
  const white = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#fff' } }).png().toBuffer();
  const goodPng = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#fff' } })
    .composite([{ input: { create: { width: 8, height: 40, channels: 3, background: '#000' } }, left: 28, top: 12 }]).png().toBuffer();
  const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).gif().toBuffer();
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';
  const jpeg = Buffer.from(await sharp(goodPng).jpeg().toBuffer());
  const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
  jpeg.writeUInt16BE(60000, sof + 5); // height
  jpeg.writeUInt16BE(60000, sof + 7); // width
  const noFile = new FormData();
  noFile.append('note', 'just text');
  const badMultipart = 'this is not multipart at all';
  return [
    ['invalid JSON', INFER, '{"inputs": [', JSON_TYPE, 400, /^invalid JSON/],
    ['not an object', INFER, [1, 2], JSON_TYPE, 400, /must be a JSON object/],
    ['no inputs', INFER, { outputs: [] }, JSON_TYPE, 400, /"inputs" must be an array with exactly one tensor/],
    ['two inputs', INFER, { inputs: [tensor(), tensor()] }, JSON_TYPE, 400, /exactly one tensor/],
    ['unknown input', INFER, { inputs: [tensor({ name: 'image' })] }, JSON_TYPE, 400, /unknown input "image"; the model's input is "pixels"/],
    ['wrong datatype', INFER, { inputs: [tensor({ datatype: 'INT64' })] }, JSON_TYPE, 400, /datatype "INT64" is not supported/],
    ['wrong shape', INFER, { inputs: [tensor({ shape: [1, 28, 28] })] }, JSON_TYPE, 400, /shape \[1,28,28\] does not match.*\[N,1,28,28\]/],
    ['empty batch', INFER, { inputs: [tensor({ shape: [0, 1, 28, 28], data: [] })] }, JSON_TYPE, 400, /batch size 0 is out of range/],
    ['batch over the max', INFER, { inputs: [tensor({ shape: [MAX_BATCH + 1, 1, 28, 28] })] }, JSON_TYPE, 400, /batch size 17 is out of range.*1 to 16/],
    ['too few values', INFER, { inputs: [tensor({ data: zeros(783) })] }, JSON_TYPE, 400, /data has 783 values; shape \[1,1,28,28\] needs 784/],
    ['ragged nesting', INFER, { inputs: [tensor({ data: [[zeros(27)]] })] }, JSON_TYPE, 400, /data\[0\]\[0\] has 27 entries; shape \[1,1,28,28\] needs 28 there/],
    ['value over 1', INFER, { inputs: [tensor({ data: withValue(5, 1.5) })] }, JSON_TYPE, 400, /data\[5\] is 1.5; FP32 pixels must be in \[0, 1\]/],
    ['Infinity', INFER, `{"inputs":[{"name":"pixels","shape":[1,1,28,28],"datatype":"FP32","data":[1e999${',0'.repeat(783)}]}]}`, JSON_TYPE, 400, /data\[0\] is Infinity/],
    ['NaN literal', INFER, `{"inputs":[{"name":"pixels","shape":[1,1,28,28],"datatype":"FP32","data":[NaN]}]}`, JSON_TYPE, 400, /^invalid JSON/],
    ['string value', INFER, { inputs: [tensor({ data: withValue(3, '0.5') })] }, JSON_TYPE, 400, /data\[3\] is the string "0.5", not a number/],
    ['null value', INFER, { inputs: [tensor({ data: withValue(0, null) })] }, JSON_TYPE, 400, /data\[0\] is null/],
    ['UINT8 over 255', INFER, { inputs: [tensor({ datatype: 'UINT8', data: withValue(9, 256) })] }, JSON_TYPE, 400, /data\[9\] is 256; UINT8 pixels must be whole numbers 0..255/],
    ['UINT8 fraction', INFER, { inputs: [tensor({ datatype: 'UINT8', data: withValue(9, 2.5) })] }, JSON_TYPE, 400, /data\[9\] is 2.5/],
    ['binary NaN', INFER, ...binary(binaryInput, fp32([...zeros(100), NaN, ...zeros(683)])), 400, /binary FP32 element 100 is NaN/],
    ['binary -Infinity', INFER, ...binary(binaryInput, fp32([-Infinity, ...zeros(783)])), 400, /element 0 is -Infinity/],
    ['binary size mismatch', INFER, ...binary(binaryInput, fp32(zeros(700))), 400, /binary_data_size is 3136 but 2800 bytes follow/],
    ['binary size wrong', INFER, ...binary({ inputs: [{ ...binaryInput.inputs[0], parameters: { binary_data_size: 3000 } }] }, fp32(zeros(784))), 400, /FP32 \[1,1,28,28\] is 3136 bytes/],
    ['header length not a number', INFER, ...binary(binaryInput, fp32(zeros(784)), 'abc'), 400, /Inference-Header-Content-Length is "abc"/],
    ['header length past the body', INFER, ...binary(binaryInput, fp32(zeros(784)), '999999'), 400, /at most the body/],
    ['unknown output', INFER, { inputs: [tensor()], outputs: [{ name: 'softmax' }] }, JSON_TYPE, 400, /unknown output "softmax"; the model's outputs are logits, probabilities, label/],
    ['output twice', INFER, { inputs: [tensor()], outputs: [{ name: 'label' }, { name: 'label' }] }, JSON_TYPE, 400, /requested twice/],
    ['classification 0', INFER, { inputs: [tensor()], outputs: [{ name: 'logits', parameters: { classification: 0 } }] }, JSON_TYPE, 400, /classification must be a whole number from 1 to 10/],
    ['classification of label', INFER, { inputs: [tensor()], outputs: [{ name: 'label', parameters: { classification: 2 } }] }, JSON_TYPE, 400, /not a score vector/],
    ['id not a string', INFER, { id: 5, inputs: [tensor()] }, JSON_TYPE, 400, /"id" must be a string/],
    ['unknown model', '/v2/models/resnet/infer', { inputs: [tensor()] }, JSON_TYPE, 404, /unknown model "resnet"; this server serves "mnist"/],
    ['unknown version', '/v2/models/mnist/versions/2/infer', { inputs: [tensor()] }, JSON_TYPE, 404, /has no version "2"/],
    ['JSON body over its limit', INFER, 'x'.repeat(JSON_LIMIT + 1), JSON_TYPE, 413, new RegExp(`a JSON body is over the ${JSON_LIMIT} byte limit`)],
    ['image body over the limit', PREDICT, new Uint8Array(64 * 1024 + 1), { 'content-type': 'image/png' }, 413, /an image is over the 65536 byte limit/],
    ['no route', '/v3/infer', {}, JSON_TYPE, 404, /no route for POST \/v3\/infer/],
    ['text/plain', PREDICT, 'hello', { 'content-type': 'text/plain' }, 415, /unsupported content type "text\/plain"/],
    ["curl's default type", PREDICT, 'a=1', { 'content-type': 'application/x-www-form-urlencoded' }, 415, /curl's default/],
    ['no content type', PREDICT, new Uint8Array([1, 2, 3]), {}, 415, /unsupported content type "none"/],
    // Names of Object.prototype's members are not image types (a `type in {...}` test said they were).
    ['content type "toString"', PREDICT, new Uint8Array([1, 2, 3]), { 'content-type': 'toString' }, 415, /unsupported content type "tostring"/],
    ['content type "constructor"', PREDICT, new Uint8Array([1, 2, 3]), { 'content-type': 'constructor' }, 415, /unsupported content type "constructor"/],
    ['neither pixels nor images', PREDICT, { image: [1] }, JSON_TYPE, 400, /expected \{"pixels"/],
    ['both pixels and images', PREDICT, { pixels: zeros(784), images: [zeros(784)] }, JSON_TYPE, 400, /expected \{"pixels"/],
    ['empty images', PREDICT, { images: [] }, JSON_TYPE, 400, /non-empty array/],
    ['too many images', PREDICT, { images: Array(MAX_BATCH + 1).fill(zeros(784)) }, JSON_TYPE, 400, /17 images; the limit is 16/],
    ['pixel over 255', PREDICT, { pixels: withValue(7, 300) }, JSON_TYPE, 400, /pixels\[7\] is 300; pixels must be 0..255/],
    ['negative pixel', PREDICT, { images: [zeros(784), withValue(0, -1)] }, JSON_TYPE, 400, /images\[1\]\[0\] is -1/],
    ['garbage image', PREDICT, new Uint8Array(200).fill(7), { 'content-type': 'image/png' }, 400, /not a readable PNG, JPEG or WebP image/],
    ['truncated PNG', PREDICT, goodPng.subarray(0, goodPng.length - 30), { 'content-type': 'image/png' }, 400, /could not be decoded/],
    ['GIF', PREDICT, gif, { 'content-type': 'application/octet-stream' }, 415, /image is gif; send PNG, JPEG or WebP/],
    ['SVG', PREDICT, svg, { 'content-type': 'image/png' }, 415, /image is svg/],
    ['PNG bomb header', PREDICT, await claimingPng(100_000, 100_000), { 'content-type': 'image/png' }, 413, /100000x100000 \(10000 megapixels\); the limit is 40 megapixels/],
    ['JPEG bomb header', PREDICT, jpeg, { 'content-type': 'image/jpeg' }, 413, /60000x60000/],
    // 25 MP is under the pixel limit, but 16-bit RGBA interlaced needs 200 MB decoded whole.
    ['16-bit RGBA bomb header', PREDICT, await claimingPng(5000, 5000, { depth: 16, colorType: 6, interlaced: true }), { 'content-type': 'image/png' }, 413,
      /5000x5000 with 4 channels of ushort: decoding takes 200 MB; the limit is 134 MB/],
    ['blank picture', PREDICT, white, { 'content-type': 'image/png' }, 422, /no digit found/],
    ['empty image body', PREDICT, new Uint8Array(0), { 'content-type': 'image/png' }, 400, /body is empty/],
    ['multipart without a file', PREDICT, noFile, undefined, 400, /has no file/],
    ['broken multipart', PREDICT, badMultipart, { 'content-type': 'multipart/form-data; boundary=xyz' }, 400, /malformed multipart body/],
  ];
}

describe('bad input', () => {
  it('gets a precise 4xx JSON error for each malformed request, and the server keeps serving', async () => {
    const all = await cases();
    for (const [what, path, body, headers, status, message] of all) {
      const init: RequestInit = { method: 'POST', headers };
      init.body = typeof body === 'string' || body instanceof Uint8Array || body instanceof FormData ? body as BodyInit : JSON.stringify(body);
      const res = await app.request(path, init);
      const text = await res.text();
      expect({ what, status: res.status }).toEqual({ what, status });
      expect(res.headers.get('content-type'), what).toMatch(/^application\/json/);
      expect(JSON.parse(text).error, what).toMatch(message);
    }
    const good = await app.request(INFER, { method: 'POST', body: JSON.stringify({ inputs: [tensor()] }) });
    expect(good.status).toBe(200);
    const img = await app.request(PREDICT, {
      method: 'POST', headers: { 'content-type': 'image/png' },
      body: await sharp({ create: { width: 64, height: 64, channels: 3, background: '#fff' } })
        .composite([{ input: { create: { width: 8, height: 40, channels: 3, background: '#000' } }, left: 28, top: 12 }]).png().toBuffer(),
    });
    expect(img.status).toBe(200);
    expect((await img.json()).label).toBe(1); // a vertical bar
  });

  it('rejects a decompression bomb from its header, without the memory a decode would take', async () => {
    const before = process.memoryUsage().rss;
    const t0 = performance.now();
    const res = await app.request(PREDICT, { method: 'POST', headers: { 'content-type': 'image/png' }, body: new Uint8Array(await claimingPng(60_000, 60_000)) });
    expect(res.status).toBe(413);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 2 ** 20); // decoding would need 3.6 GB of gray alone
  });
});

describe('JSON bodies', () => {
  const post = (a: ReturnType<typeof createApp>, body: string) => a.request(INFER, { method: 'POST', headers: JSON_TYPE, body });
  /** An OIP body with one tensor whose fields are raw JSON text. */
  const tensorWith = (field: string, raw: string) => {
    const fields: Record<string, string> = { name: '"pixels"', shape: '[1,1,28,28]', datatype: '"FP32"', data: '[]', [field]: raw };
    return `{"inputs":[{${Object.entries(fields).map(([k, v]) => `"${k}":${v}`).join(',')}}]}`;
  };

  it('get a limit sized to the largest batch, not the image limit, refused before parsing', async () => {
    const roomy = createApp({ engine, images }); // 8 MiB for images
    const t0 = performance.now();
    const res = await post(roomy, `[${'[],'.repeat(700_000)}[]]`); // 2.1 MB of arrays: JSON.parse would take ~0.2 s and 100 MB
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatch(new RegExp(`over the ${JSON_LIMIT} byte limit`));
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('are refused for deep nesting or too many arrays before JSON.parse builds them', async () => {
    const deep = await post(app, tensorWith('name', `${'['.repeat(100_000)}${']'.repeat(100_000)}`));
    expect(deep.status).toBe(400); // JSON.stringify of that name in the message used to overflow the stack: 500
    expect((await deep.json()).error).toMatch(/nests arrays and objects deeper than 32 levels/);
    const many = await post(app, tensorWith('data', `[${'[],'.repeat(60_000)}[]]`));
    expect(many.status).toBe(400);
    expect((await many.json()).error).toMatch(/holds more than 1536 arrays and objects/);
  });

  it('quote client values in error messages briefly, whatever their size', async () => {
    const res = await post(app, tensorWith('name', JSON.stringify('x'.repeat(50_000))));
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error).toMatch(/^unknown input "x+…; the model's input is "pixels"$/);
    expect(error.length).toBeLessThan(200);
    const nested = await post(app, tensorWith('shape', `[[[[[[1]]]]],${'0,'.repeat(5000)}0]`));
    expect(nested.status).toBe(400);
    expect((await nested.json()).error).toMatch(/^shape \[\[\[\[…\]\]\],0,0,0,0,0,0,0,…\] does not match/);
  });
});
