// Grayscale raster operations for the digit preprocessing: levels, light
// correction, resampling. Values are Float32Array in [0,1], row-major. Pure TS
// (no Node or DOM imports) so the browser can share it.

export interface Box { x: number; y: number; width: number; height: number }

export const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

function histogram(v: Float32Array): Uint32Array {
  const hist = new Uint32Array(256);
  for (let i = 0; i < v.length; i++) hist[Math.min(255, Math.floor(v[i] * 256))]++;
  return hist;
}

/** q-quantile of values in [0,1], to 1/256 resolution (a histogram, not a sort: photos are big). */
export function quantile(v: Float32Array, q: number): number {
  const hist = histogram(v);
  const target = q * v.length;
  let seen = 0;
  for (let b = 0; b < 256; b++) {
    seen += hist[b];
    if (seen >= target) return (b + 0.5) / 256;
  }
  return 1;
}

export function maxBlurred(v: Float32Array, w: number, h: number): number {
  let max = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0, n = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < w) { s += v[yy * w + xx]; n++; }
        }
      }
      if (s / n > max) max = s / n;
    }
  }
  return max;
}

/**
 * Divides a light-background picture by its local paper brightness, so a photo
 * lit unevenly (a shadow, a lamp to one side) has uniformly white paper. The
 * paper level of each cell is a high percentile (paper outnumbers ink), floored
 * at half the global level for cells that are nearly all ink.
 */
export function flattenLight(v: Float32Array, w: number, h: number): void {
  const cell = Math.max(8, Math.round(Math.min(w, h) / 8));
  const gw = Math.ceil(w / cell), gh = Math.ceil(h / cell);
  const floor = quantile(v, 0.5) / 2;
  const grid = new Float32Array(gw * gh);
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      const x0 = gx * cell, y0 = gy * cell, cw = Math.min(cell, w - x0), ch = Math.min(cell, h - y0);
      const vals = new Float32Array(cw * ch);
      for (let y = 0; y < ch; y++) vals.set(v.subarray((y0 + y) * w + x0, (y0 + y) * w + x0 + cw), y * cw);
      grid[gy * gw + gx] = Math.max(floor, quantile(vals, 0.9));
    }
  }
  // Bilinear between cell centers.
  for (let y = 0; y < h; y++) {
    const fy = Math.min(gh - 1, Math.max(0, (y + 0.5) / cell - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(gh - 1, y0 + 1), ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(gw - 1, Math.max(0, (x + 0.5) / cell - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(gw - 1, x0 + 1), tx = fx - x0;
      const top = grid[y0 * gw + x0] * (1 - tx) + grid[y0 * gw + x1] * tx;
      const bottom = grid[y1 * gw + x0] * (1 - tx) + grid[y1 * gw + x1] * tx;
      const paper = top * (1 - ty) + bottom * ty;
      v[y * w + x] = Math.min(1, v[y * w + x] / paper);
    }
  }
}

/** Per output pixel, the source pixels and weights: area averaging to shrink, linear interpolation to enlarge. */
function taps(srcLen: number, dstLen: number): { idx: number[]; wt: number[] }[] {
  const r = srcLen / dstLen;
  const out: { idx: number[]; wt: number[] }[] = [];
  for (let d = 0; d < dstLen; d++) {
    const idx: number[] = [], wt: number[] = [];
    if (r >= 1) {
      const a = d * r, b = (d + 1) * r;
      for (let s = Math.floor(a); s < Math.min(srcLen, Math.ceil(b)); s++) {
        idx.push(s);
        wt.push((Math.min(b, s + 1) - Math.max(a, s)) / r);
      }
    } else {
      const pos = Math.min(srcLen - 1, Math.max(0, (d + 0.5) * r - 0.5));
      const s0 = Math.floor(pos), s1 = Math.min(srcLen - 1, s0 + 1), f = pos - s0;
      idx.push(s0, s1);
      wt.push(1 - f, f);
    }
    out.push({ idx, wt });
  }
  return out;
}

/** Crops `box` out of v (row stride w) and resamples it to tw x th, separably. */
export function resize(v: Float32Array, w: number, box: Box, tw: number, th: number): Float32Array {
  const tx = taps(box.width, tw), ty = taps(box.height, th);
  const rows = new Float32Array(box.height * tw);
  for (let y = 0; y < box.height; y++) {
    const base = (box.y + y) * w + box.x;
    for (let x = 0; x < tw; x++) {
      const { idx, wt } = tx[x];
      let s = 0;
      for (let k = 0; k < idx.length; k++) s += wt[k] * v[base + idx[k]];
      rows[y * tw + x] = s;
    }
  }
  const out = new Float32Array(tw * th);
  for (let y = 0; y < th; y++) {
    const { idx, wt } = ty[y];
    for (let x = 0; x < tw; x++) {
      let s = 0;
      for (let k = 0; k < idx.length; k++) s += wt[k] * rows[idx[k] * tw + x];
      out[y * tw + x] = clamp01(s);
    }
  }
  return out;
}
