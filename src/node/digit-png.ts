// A test image as a PNG data: URI for the report: dark ink on white, as people
// write, at its own 28x28 size (the page enlarges it without smoothing).
import sharp from 'sharp';

export async function digitPng(pixels: Uint8Array, rows: number, cols: number): Promise<string> {
  const inverted = pixels.map((v) => 255 - v); // MNIST stores ink high
  const png = await sharp(inverted, { raw: { width: cols, height: rows, channels: 1 } }).png({ compressionLevel: 9 }).toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}
