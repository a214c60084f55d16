/**
 * Resolution degradation of a rendered patch: the patch is brought down to `factor` of its side
 * and back up to its size, both with Keys' cubic kernel (a = -0.5). Going down, the kernel is
 * widened by 1/factor so that it averages what it drops (antialiased, as sharp's and PIL's
 * reductions are); going up it interpolates. What comes out is what a camera of `factor` times
 * the resolution gives once inference enlarges its image to the training scale: the same vessels
 * at the same width, with their fine detail gone. The labels are not degraded: the model learns to
 * find the vessels a sharper image would show.
 *
 * Edges repeat the border pixel. Weights are normalised to sum to 1, so a flat patch stays flat.
 */
import { keys } from './keys-kernel';

/** Limits of the resolution factor: below 0.3 a 48 px patch keeps 14 px, and DRIVE's capillaries are gone. */
export const DEGRADE_LIMITS = { min: 0.3, max: 1 } as const;

/**
 * The range `--degrade-aug default` asks for: factors 0.6 to 1 on half the patches. 0.6 covers a
 * FOV down to 0.6x DRIVE's (about 325 px across) enlarged to the training scale; the other half of
 * the patches stay sharp, so the model keeps what it does on images at the training resolution.
 */
export const DEGRADE_AUGMENT_DEFAULT = { min: 0.6, max: 1, probability: 0.5 } as const;

/** For each output position along an axis, `count` source indices and their weights. */
interface AxisTaps {
  count: number;
  index: Int32Array;
  weight: Float64Array;
}

const tapCache = new Map<string, AxisTaps>();

/** The taps that resample an axis of `inLen` pixels to `outLen` (pixel centres aligned). */
function axisTaps(inLen: number, outLen: number): AxisTaps {
  const key = `${inLen}>${outLen}`;
  const cached = tapCache.get(key);
  if (cached) return cached;
  const ratio = inLen / outLen;
  const stretch = Math.max(1, ratio);
  const radius = 2 * stretch;
  const count = Math.ceil(2 * radius) + 1;
  const index = new Int32Array(outLen * count);
  const weight = new Float64Array(outLen * count);
  for (let o = 0; o < outLen; o++) {
    const centre = (o + 0.5) * ratio - 0.5;
    const first = Math.floor(centre - radius) + 1;
    let sum = 0;
    for (let k = 0; k < count; k++) {
      const i = first + k;
      const w = keys((i - centre) / stretch);
      index[o * count + k] = i < 0 ? 0 : i >= inLen ? inLen - 1 : i;
      weight[o * count + k] = w;
      sum += w;
    }
    for (let k = 0; k < count; k++) weight[o * count + k]! /= sum;
  }
  const taps = { count, index, weight };
  tapCache.set(key, taps);
  return taps;
}

/** Where one axis pass reads and writes: `lines` lines, `step` apart within a line, `lineStride` between lines. */
interface AxisLayout {
  offset: number;
  step: number;
  lineStride: number;
}

/** Resamples every line of `src` along one axis into `dst` with `taps`; C interleaved channels. */
function resampleAxis(
  src: Float32Array,
  from: AxisLayout,
  dst: Float32Array,
  to: AxisLayout,
  lines: number,
  outLen: number,
  channels: number,
  taps: AxisTaps,
): void {
  const { count, index, weight } = taps;
  for (let line = 0; line < lines; line++) {
    const srcLine = from.offset + line * from.lineStride;
    const dstLine = to.offset + line * to.lineStride;
    for (let o = 0; o < outLen; o++) {
      const t = o * count;
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < count; k++)
          sum += weight[t + k]! * src[srcLine + index[t + k]! * from.step + c]!;
        dst[dstLine + o * to.step + c] = sum;
      }
    }
  }
}

/** Buffers reused between patches: the row pass's output, and the reduced patch. */
const scratch = { rows: new Float32Array(0), low: new Float32Array(0) };

/** scratch[key], grown to hold at least n values. */
function scratchOf(key: keyof typeof scratch, n: number): Float32Array {
  if (scratch[key].length < n) scratch[key] = new Float32Array(n);
  return scratch[key];
}

/**
 * Resamples an h x w x C image at `offset` of `src` to outH x outW x C at `dstOffset` of `dst`
 * (pixel centres aligned; going down, the kernel averages what it drops).
 */
export function resample(
  src: Float32Array,
  offset: number,
  h: number,
  w: number,
  dst: Float32Array,
  dstOffset: number,
  outH: number,
  outW: number,
  C: number,
): void {
  // Along rows first (h lines of w to outW), then along columns (outW lines of h to outH).
  const rows = scratchOf('rows', h * outW * C);
  resampleAxis(
    src,
    { offset, step: C, lineStride: w * C },
    rows,
    { offset: 0, step: C, lineStride: outW * C },
    h,
    outW,
    C,
    axisTaps(w, outW),
  );
  resampleAxis(
    rows,
    { offset: 0, step: outW * C, lineStride: C },
    dst,
    { offset: dstOffset, step: outW * C, lineStride: C },
    outW,
    outH,
    C,
    axisTaps(h, outH),
  );
}

/**
 * Degrades the h x w x C patch at `offset` of `data` in place: down to round(factor * side)
 * (at least 1 px) and back up. A factor of 1 leaves the values unchanged.
 */
export function degradePatch(
  data: Float32Array,
  offset: number,
  h: number,
  w: number,
  C: number,
  factor: number,
): void {
  if (!(factor > 0 && factor <= 1))
    throw new RangeError(`degrade factor ${factor} is not in (0, 1]`);
  const lowH = Math.max(1, Math.round(h * factor));
  const lowW = Math.max(1, Math.round(w * factor));
  if (lowH === h && lowW === w) return;
  const low = scratchOf('low', lowH * lowW * C);
  resample(data, offset, h, w, low, 0, lowH, lowW, C);
  resample(low, 0, lowH, lowW, data, offset, h, w, C);
}
