// Image files to grayscale pixels, with sharp (libvips). The header is read
// first and checked (format, dimensions) before a single pixel is decoded, so
// a decompression bomb costs a few bytes of header parsing, not gigabytes.
import sharp, { type Metadata } from 'sharp';
import type { GrayImage } from '../data/preprocess.js';
import { HttpError, badRequest } from './errors.js';

export const IMAGE_FORMATS = ['png', 'jpeg', 'webp'] as const;
export const IMAGE_TYPES: Record<string, (typeof IMAGE_FORMATS)[number]> = {
  'image/png': 'png', 'image/jpeg': 'jpeg', 'image/jpg': 'jpeg', 'image/webp': 'webp',
};

/** Preprocessing needs no more detail than this; bigger pictures are shrunk while decoding. */
const WORKING_SIZE = 512;

export interface DecodedImage { gray: GrayImage; format: string; width: number; height: number }

export async function decodeImage(bytes: Uint8Array, maxPixels: number, what = 'image'): Promise<DecodedImage> {
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
  if (width * height > maxPixels) {
    throw new HttpError(413, `${what} is ${width}x${height} (${mp(width * height)} megapixels); the limit is ${mp(maxPixels)} megapixels`);
  }
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' })
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
