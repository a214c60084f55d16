/**
 * Pure geometry of whole-image inference: where tiles and patches go, mirror padding, and the
 * blending weights. No tensors here, so every rule is testable on its own.
 */
import type { ModelConfig } from '../../shared/model-config';
import { downsamplingSteps } from '../../shared/model-config';
import { largestValidOutput, smallestValidOutput, unetValidLayout } from './model/unet';

/** An image as the network sees it: HxWxC floats, row-major, channels last. */
export interface FloatImage {
  width: number;
  height: number;
  channels: number;
  data: Float32Array;
}

/**
 * Index into [0, n) mirrored at the edges without repeating the edge pixel (numpy's 'reflect'),
 * folded as often as needed so borders wider than the image still work.
 */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

/** How one axis is cut into tiles. Coordinates are in the padded image unless said otherwise. */
export interface AxisTiling {
  /** Mirrored pixels before the image. */
  padBefore: number;
  /** Side of the network input per tile. */
  tileInput: number;
  /** Side of the network output per tile. */
  tileOutput: number;
  /** Where the output starts inside the input tile (valid convolutions lose a border). */
  outputOffset: number;
  /** Start of each input tile. */
  starts: number[];
  /** Blending weight of each output pixel of a tile (a ramp over the overlap; ones when there is none). */
  weights: Float32Array;
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/**
 * Blending weights over a tile side: ~0 within `overlap / 2` of either edge (where padded
 * convolutions see the zeros beyond the tile), rising linearly to 1 at `overlap`. Neighbouring
 * tiles share 2 * overlap pixels, so every pixel has full weight in some tile and seams fade
 * instead of jump.
 */
function rampWeights(size: number, overlap: number): Float32Array {
  const weights = new Float32Array(size);
  const start = overlap / 2;
  for (let i = 0; i < size; i++) {
    const fromEdge = Math.min(i, size - 1 - i) + 0.5;
    // A small floor keeps the weight sum positive where only one tile reaches (the padded frame).
    weights[i] =
      overlap > 0 ? Math.min(1, Math.max(1e-3, (fromEdge - start) / (overlap - start))) : 1;
  }
  return weights;
}

/** Mirrored context around the image, and how far neighbouring tiles reach into each other. */
export interface SameTiling {
  /** Mirrored pixels on each side of the image: context for the border pixels. */
  margin: number;
  /** Pixels each tile reaches past its neighbour's edge (tiles share 2 * overlap). */
  overlap: number;
}

/**
 * 'same' padding: the paper's overlap-tile idea with padded convolutions. The image gets `margin`
 * mirrored pixels on each side (context for the border), sizes are rounded to multiples of
 * `multiple` (every 2x2 pooling sees even sizes), and when one tile of at most `maxTile` is not
 * enough, tiles share 2 * `overlap` pixels, their starts on multiples of `multiple` so all use
 * one pooling grid. Tiled and untiled runs mirror the same frame, so they differ only at seams.
 */
export function planSameAxis(
  length: number,
  multiple: number,
  { margin, overlap }: SameTiling,
  maxTile: number,
): AxisTiling {
  const needed = length + 2 * margin;
  const single = roundUp(needed, multiple);
  if (single <= maxTile) {
    return {
      padBefore: margin,
      tileInput: single,
      tileOutput: single,
      outputOffset: 0,
      starts: [0],
      weights: rampWeights(single, 0),
    };
  }
  const tile = Math.floor(maxTile / multiple) * multiple;
  const stride = Math.floor((tile - 2 * overlap) / multiple) * multiple;
  if (stride <= 0) {
    throw new RangeError(
      `a tile of ${maxTile} px cannot hold an overlap of ${overlap} px on both sides at multiples of ${multiple}`,
    );
  }
  const count = Math.ceil((needed - tile) / stride) + 1;
  const starts = Array.from({ length: count }, (_, k) => k * stride);
  return {
    padBefore: margin,
    tileInput: tile,
    tileOutput: tile,
    outputOffset: 0,
    starts,
    weights: rampWeights(tile, overlap),
  };
}

/**
 * Valid convolutions (the paper's own setting): a tile's output is its input minus the receptive
 * border, so the image is mirrored by that border on every side (the paper's overlap-tile
 * strategy). When one tile is too large, tiles advance by a multiple of 2^depth: every tile then
 * shares the untiled image's pooling grid and, with no padding inside the network, computes
 * exactly the pixels the untiled pass would; overlapping outputs are identical and averaged.
 */
export function planValidAxis(length: number, config: ModelConfig, maxTile: number): AxisTiling {
  if (config.arch !== 'unet' || config.padding !== 'valid')
    throw new Error('planValidAxis needs a valid-padding U-Net');
  const multiple = 2 ** config.depth;
  const whole = smallestValidOutput(config, length);
  const wholeLayout = unetValidLayout(config, whole);
  if (!wholeLayout) throw new Error(`no valid layout for output ${whole}`);
  const border = (wholeLayout.inputSize - whole) / 2;
  let output = whole;
  let starts = [0];
  if (wholeLayout.inputSize > maxTile) {
    const largest = largestValidOutput(config, maxTile);
    if (largest === null) {
      throw new RangeError(
        `a tile of ${maxTile} px is smaller than this U-Net's smallest input (${smallestValidOutput(config, 1) + 2 * border} px)`,
      );
    }
    output = largest;
    const stride = largest >= multiple ? Math.floor(largest / multiple) * multiple : largest;
    const count = Math.ceil((length - output) / stride) + 1;
    starts = Array.from({ length: count }, (_, k) => k * stride);
  }
  return {
    padBefore: border,
    tileInput: output + 2 * border,
    tileOutput: output,
    outputOffset: border,
    starts,
    weights: rampWeights(output, 0),
  };
}

/** Tiling of one axis for any model: valid U-Nets tile by output size, the rest overlap and blend. */
export function planAxis(
  length: number,
  config: ModelConfig,
  maxTile: number,
  same: SameTiling,
): AxisTiling {
  if (config.arch === 'unet' && config.padding === 'valid')
    return planValidAxis(length, config, maxTile);
  return planSameAxis(length, 2 ** downsamplingSteps(config), same, maxTile);
}

/** A window in image coordinates; it may reach past the image's edges. */
export interface PixelWindow {
  top: number;
  left: number;
  height: number;
  width: number;
}

/**
 * How pixels outside the image are filled: 'mirror' (the paper's overlap-tile strategy) or
 * 'zero' (the released LadderNet/retina-unet code extends the image with zeros at the bottom
 * and right: paint_border_overlap in lib/extract_patches.py).
 */
export type OutsideFill = 'mirror' | 'zero';

function sourceIndex(i: number, n: number, fill: OutsideFill): number {
  if (fill === 'mirror') return reflectIndex(i, n);
  return i >= 0 && i < n ? i : -1;
}

/** Copies `window` of `image` (HxWxC) into `target` at `offset`, filling outside pixels by `fill`. */
export function copyWindow(
  image: FloatImage,
  window: PixelWindow,
  fill: OutsideFill,
  target: Float32Array,
  offset = 0,
): void {
  const { channels, data } = image;
  const columns = new Int32Array(window.width);
  for (let x = 0; x < window.width; x++)
    columns[x] = sourceIndex(window.left + x, image.width, fill);
  let out = offset;
  for (let y = 0; y < window.height; y++) {
    const row = sourceIndex(window.top + y, image.height, fill);
    for (let x = 0; x < window.width; x++) {
      const column = columns[x];
      if (row < 0 || column < 0) {
        target.fill(0, out, out + channels);
        out += channels;
        continue;
      }
      const from = (row * image.width + column) * channels;
      for (let c = 0; c < channels; c++) target[out++] = data[from + c];
    }
  }
}

/** Patch starts along one axis: 0, stride, ... with the axis extended so the last patch fits exactly. */
export function patchStarts(length: number, patch: number, stride: number): number[] {
  const extended =
    length <= patch ? patch : length + ((stride - ((length - patch) % stride)) % stride);
  const count = (extended - patch) / stride + 1;
  return Array.from({ length: count }, (_, k) => k * stride);
}
