// The drawing pad: round thick strokes from mouse, touch and pen (Pointer Events),
// Delete/Backspace/Escape to clear, and a pasted or dropped picture fitted onto it.

/** Stroke width on the 280x280 pad: MNIST strokes are about a tenth of the digit's box. */
const STROKE_WIDTH = 20;
const INK = '#000', PAPER = '#fff';

export interface Pad {
  ctx: CanvasRenderingContext2D;
  /** Paper white again (does not notify: the caller decides). */
  clear(): void;
}

export function setupPad(pad: HTMLCanvasElement, changed: () => void, showError: (e: unknown) => void): Pad {
  const ctx = pad.getContext('2d', { willReadFrequently: true })!;
  const clearPad = () => {
    ctx.fillStyle = PAPER;
    ctx.fillRect(0, 0, pad.width, pad.height);
  };
  const toPad = (e: PointerEvent): { x: number; y: number } => {
    const r = pad.getBoundingClientRect();
    return {
      x: ((e.clientX - r.left - pad.clientLeft) * pad.width) / pad.clientWidth,
      y: ((e.clientY - r.top - pad.clientTop) * pad.height) / pad.clientHeight,
    };
  };
  let last: { x: number; y: number } | null = null;

  pad.addEventListener('pointerdown', (e) => {
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    e.preventDefault();
    pad.setPointerCapture(e.pointerId);
    pad.focus({ preventScroll: true });
    last = toPad(e);
    ctx.fillStyle = INK;
    ctx.beginPath();
    ctx.arc(last.x, last.y, STROKE_WIDTH / 2, 0, 2 * Math.PI);
    ctx.fill();
    changed();
  });

  pad.addEventListener('pointermove', (e) => {
    if (!last) return;
    ctx.strokeStyle = INK;
    ctx.lineWidth = STROKE_WIDTH;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    for (const ev of e.getCoalescedEvents?.() ?? [e]) {
      last = toPad(ev);
      ctx.lineTo(last.x, last.y);
    }
    ctx.stroke();
    changed();
  });

  for (const type of ['pointerup', 'pointercancel'] as const) pad.addEventListener(type, () => { last = null; });

  pad.addEventListener('keydown', (e) => {
    if (e.key === 'Delete' || e.key === 'Backspace' || e.key === 'Escape') {
      e.preventDefault();
      clearPad();
      changed();
    }
  });

  /** A pasted or dropped picture replaces the drawing, fitted onto the pad. */
  async function drawPicture(file: Blob): Promise<void> {
    const img = await createImageBitmap(file);
    const s = Math.min(pad.width / img.width, pad.height / img.height);
    const w = img.width * s, h = img.height * s;
    clearPad();
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(img, (pad.width - w) / 2, (pad.height - h) / 2, w, h);
    img.close();
    changed();
  }
  const firstImage = (items: ArrayLike<{ type: string }>, get: (i: number) => File | null): File | null => {
    const i = Array.from(items).findIndex((it) => it.type.startsWith('image/'));
    return i < 0 ? null : get(i);
  };
  document.addEventListener('paste', (e) => {
    const d = e.clipboardData;
    const file = d && firstImage(d.items, (i) => d.items[i].getAsFile());
    if (file) { e.preventDefault(); drawPicture(file).catch(showError); }
  });
  pad.addEventListener('dragover', (e) => e.preventDefault());
  pad.addEventListener('drop', (e) => {
    e.preventDefault();
    const d = e.dataTransfer;
    const file = d && firstImage(d.files, (i) => d.files[i]);
    if (file) drawPicture(file).catch(showError);
  });

  return { ctx, clear: clearPad };
}
