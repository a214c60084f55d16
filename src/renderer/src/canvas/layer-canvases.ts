/**
 * The pixel buffers behind the Konva layers: one canvas of the image's size per overlay,
 * written through ImageData (never Konva shapes for mask pixels). The corrected mask
 * re-uploads only the dirty rectangle of a change, which keeps a brush stroke on a
 * 3504x2336 image within a frame.
 */
import {
  LAYER_COLOURS,
  renderErrorMap,
  renderHeatmap,
  renderMaskRect,
  thresholdProbabilities,
  type MaskStyle,
} from './mask-render';
import { discFootprint, grow, type PixelRect } from './raster';
import type { ReadoutSources } from './readout';
import { renderUncertainty } from './uncertainty';

/** One overlay: its canvas, 2D context and full-size ImageData buffer (reused across images). */
class Overlay {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  image: ImageData;

  constructor() {
    this.canvas = document.createElement('canvas');
    this.canvas.width = 1;
    this.canvas.height = 1;
    this.ctx = this.canvas.getContext('2d')!;
    this.image = this.ctx.createImageData(1, 1);
  }

  resize(width: number, height: number): void {
    if (this.canvas.width === width && this.canvas.height === height) return;
    this.canvas.width = width;
    this.canvas.height = height;
    this.image = this.ctx.createImageData(width, height);
  }

  get rgba(): Uint8ClampedArray {
    return this.image.data;
  }

  /** Uploads the whole buffer, or only `rect` of it. */
  upload(rect?: PixelRect): void {
    if (!rect) this.ctx.putImageData(this.image, 0, 0);
    else this.ctx.putImageData(this.image, 0, 0, rect.x, rect.y, rect.width, rect.height);
  }

  clear(): void {
    this.image.data.fill(0);
    this.upload();
  }
}

export interface LayerSources {
  width: number;
  height: number;
  reference: Uint8Array;
  /** 0..255 probabilities, or null without a prediction. */
  probabilities: Uint8Array | null;
  fov: Uint8Array | null;
  mask: Uint8Array;
}

export class LayerCanvases {
  readonly groundTruth = new Overlay();
  readonly prediction = new Overlay();
  readonly errors = new Overlay();
  readonly corrected = new Overlay();
  readonly uncertainty = new Overlay();
  private sources: LayerSources | null = null;
  private readonly sampler = new PixelSampler();

  /** Points the overlays at a new image's pixels and renders them all. */
  setSources(sources: LayerSources, style: MaskStyle, threshold: number): void {
    this.sources = sources;
    const overlays = [
      this.groundTruth,
      this.prediction,
      this.errors,
      this.corrected,
      this.uncertainty,
    ];
    for (const overlay of overlays) {
      overlay.resize(sources.width, sources.height);
    }
    this.renderReference(sources.reference, style);
    this.renderPrediction(threshold);
    this.renderMask(null, style);
  }

  renderReference(reference: Uint8Array, style: MaskStyle): void {
    const s = this.sources;
    if (!s) return;
    s.reference = reference;
    const all = { x: 0, y: 0, width: s.width, height: s.height };
    renderMaskRect(
      reference,
      s.width,
      s.height,
      all,
      this.groundTruth.rgba,
      LAYER_COLOURS.groundTruth,
      style,
    );
    this.groundTruth.upload();
  }

  /** Heatmap, uncertainty and error map at a threshold (all depend on it). */
  renderPrediction(threshold: number): void {
    const s = this.sources;
    if (!s) return;
    if (!s.probabilities) {
      this.prediction.clear();
      this.errors.clear();
      this.uncertainty.clear();
      return;
    }
    renderHeatmap(s.probabilities, threshold, this.prediction.rgba);
    this.prediction.upload();
    renderUncertainty(s.probabilities, threshold, s.fov, this.uncertainty.rgba);
    this.uncertainty.upload();
    this.renderErrors(threshold);
  }

  /** What the cursor readout reads: these overlays' sources and the fundus image's colours. */
  readoutSources(fundus: ImageBitmap): ReadoutSources | null {
    const s = this.sources;
    if (!s) return null;
    return {
      width: s.width,
      height: s.height,
      rgbAt: (x, y) => this.sampler.rgbAt(fundus, x, y),
      probabilities: s.probabilities,
      reference: s.reference,
      mask: s.mask,
    };
  }

  /** The error map of the thresholded prediction against the corrected mask. */
  renderErrors(threshold: number): void {
    const s = this.sources;
    if (!s?.probabilities) return;
    renderErrorMap(
      thresholdProbabilities(s.probabilities, threshold),
      s.mask,
      s.fov,
      this.errors.rgba,
    );
    this.errors.upload();
  }

  /** Re-renders the corrected mask, whole or only the dirty rectangle (grown for contours). */
  renderMask(rect: PixelRect | null, style: MaskStyle): void {
    const s = this.sources;
    if (!s) return;
    const area = rect
      ? grow(rect, 1, s.width, s.height)
      : { x: 0, y: 0, width: s.width, height: s.height };
    renderMaskRect(
      s.mask,
      s.width,
      s.height,
      area,
      this.corrected.rgba,
      LAYER_COLOURS.corrected,
      style,
    );
    this.corrected.upload(rect ? area : undefined);
  }
}

/**
 * Reads single pixels of a bitmap through a 1x1 canvas, so the readout needs no copy of the
 * whole image's pixels (a 3504x2336 fundus would be 33 MB).
 */
class PixelSampler {
  private ctx: CanvasRenderingContext2D | null = null;

  rgbAt(bitmap: ImageBitmap, x: number, y: number): [number, number, number] | null {
    if (!this.ctx) {
      const canvas = document.createElement('canvas');
      canvas.width = 1;
      canvas.height = 1;
      this.ctx = canvas.getContext('2d', { willReadFrequently: true });
    }
    const ctx = this.ctx;
    if (!ctx) return null;
    try {
      ctx.clearRect(0, 0, 1, 1);
      ctx.drawImage(bitmap, x, y, 1, 1, 0, 0, 1, 1);
      const d = ctx.getImageData(0, 0, 1, 1).data;
      return [d[0]!, d[1]!, d[2]!];
    } catch {
      // A bitmap closed by an image switch mid-move has no pixels to read.
      return null;
    }
  }
}

/**
 * The cursor: the brush's exact footprint, pixel for pixel, filled translucent with an opaque
 * outline, so what the person sees is what the brush paints.
 */
export function footprintCursor(diameter: number, erase: boolean): HTMLCanvasElement {
  const fp = discFootprint(diameter);
  const d = fp.diameter;
  const canvas = document.createElement('canvas');
  canvas.width = d;
  canvas.height = d;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(d, d);
  const inside = new Uint8Array(d * d);
  for (const s of fp.spans) for (let x = s.x0; x <= s.x1; x++) inside[s.dy * d + x] = 1;
  const [r, g, b] = erase ? [255, 255, 255] : [0x56, 0xb4, 0xe9];
  for (let y = 0; y < d; y++) {
    for (let x = 0; x < d; x++) {
      const i = y * d + x;
      if (!inside[i]) continue;
      const edge =
        x === 0 ||
        y === 0 ||
        x === d - 1 ||
        y === d - 1 ||
        !inside[i - 1] ||
        !inside[i + 1] ||
        !inside[i - d] ||
        !inside[i + d];
      const o = i * 4;
      image.data[o] = r;
      image.data[o + 1] = g;
      image.data[o + 2] = b;
      image.data[o + 3] = edge ? 230 : 90;
    }
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}
