// Image files to grayscale pixels, with sharp (libvips). The header is read first
// and checked (format, dimensions, channels, bit depth, interlacing) before a single
// pixel is decoded. Runs in the image workers (image-worker.ts), never on the HTTP thread.
import sharp, { type Metadata } from 'sharp';
import type { GrayImage } from '../data/preprocess.js';
import { HttpError, badRequest } from './errors.js';

export const IMAGE_FORMATS = ['png', 'jpeg', 'webp'] as const;
/** A Map, not an object: `type in {...}` would also match "constructor" or "toString". */
export const IMAGE_TYPES: ReadonlyMap<string, (typeof IMAGE_FORMATS)[number]> = new Map([
  ['image/png', 'png'], ['image/jpeg', 'jpeg'], ['image/jpg', 'jpeg'], ['image/webp', 'webp'],
]);

/** Preprocessing needs no more detail than this; bigger pictures are shrunk while decoding. */
const WORKING_SIZE = 512;

export interface ImageLimits {
  /** Most pixels (width x height) as the header claims them: decoding time grows with them. */
  maxPixels: number;
  /** Most bytes the decoded picture may take: width x height x channels x bytes per sample. */
  maxDecodedBytes: number;
}

export interface DecodedImage { gray: GrayImage; format: string; width: number; height: number }

const SAMPLE_BYTES: Record<string, number> = { uchar: 1, char: 1, ushort: 2, short: 2, uint: 4, int: 4, float: 4, double: 8, complex: 8, dpcomplex: 16 };

/**
 * What decoding costs in memory, from the header alone. NOTE: libvips streams a plain PNG
 * or baseline JPEG through the shrink in strips (tens of MB at most), but an interlaced
 * PNG or progressive JPEG is decoded whole first; the limit assumes the worst, so one
 * small file cannot ask for 40 MP x 4 channels x 16 bits = 320 MB.
 */
function decodedBytes(meta: Pick<Metadata, 'width' | 'height' | 'channels' | 'depth'>): number {
  return (meta.width ?? 0) * (meta.height ?? 0) * (meta.channels ?? 4) * (SAMPLE_BYTES[meta.depth ?? ''] ?? 8);
}

export async function decodeImage(bytes: Uint8Array, limits: ImageLimits, what = 'image'): Promise<DecodedImage> {
  let meta: Metadata;
  try {
    // No pixel limit here: we want the claimed size, to refuse it with a clear message below.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw badRequest(`${what} is not a readable PNG, JPEG or WebP image (${(e as Error).message})`);
  }
  const format = meta.format as string;
  if (!(IMAGE_FORMATS as readonly string[]).includes(format)) {
    // Refused before decoding: other formats (SVG especially) are attack surface we do not need.
    throw new HttpError(415, `${what} is ${format}; send PNG, JPEG or WebP`);
  }
  const { width = 0, height = 0 } = meta;
  if (width * height > limits.maxPixels) {
    throw new HttpError(413, `${what} is ${width}x${height} (${mp(width * height)} megapixels); the limit is ${mp(limits.maxPixels)} megapixels`);
  }
  const cost = decodedBytes(meta);
  if (cost > limits.maxDecodedBytes) {
    throw new HttpError(413, `${what} is ${width}x${height} with ${meta.channels} channels of ${meta.depth}: decoding takes ` +
      `${mb(cost)} MB; the limit is ${mb(limits.maxDecodedBytes)} MB (send fewer pixels, 8-bit, or grayscale)`);
  }
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error' })
      .rotate() // phone photos carry their orientation in EXIF
      .flatten({ background: '#ffffff' }) // transparent canvas drawings become ink on white
      .resize({ width: WORKING_SIZE, height: WORKING_SIZE, fit: 'inside', withoutEnlargement: true })
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 1) throw new Error(`expected 1 channel after greyscale, got ${info.channels}`);
    return { gray: { data, width: info.width, height: info.height }, format, width, height };
  } catch (e) {
    throw badRequest(`${what} could not be decoded: ${(e as Error).message}`);
  }
}

const mp = (px: number) => (px / 1e6).toFixed(px < 1e7 ? 1 : 0);
const mb = (bytes: number) => (bytes / 1e6).toFixed(0);
