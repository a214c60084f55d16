/**
 * Augmentation as one coordinate map per sample, applied identically to image, labels and FOV:
 * every output pixel is traced back to a source position (flips, 90-degree turns, a rotation
 * by any angle about the sample's centre and a rescaling, then the U-Net paper's elastic
 * deformation), and only the output's pixels are sampled. Nothing is resampled twice, and a
 * 48x48 patch costs 48x48 lookups however large the image is; a reduction (rescaling below 1)
 * costs the lookups of the source region it shows, then shrinks them (renderReduced).
 *
 * Elastic deformation (Ronneberger et al. 2015, section 3.1): random displacement vectors on a
 * coarse 3x3 grid spanning the whole image, drawn from a Gaussian with 10 px standard
 * deviation; per-pixel displacements by bicubic interpolation. The image is sampled bicubically;
 * labels and FOV bilinearly and thresholded at 0.5 (nearest from the source's resolution in a
 * reduction), so they stay binary.
 */
import { z } from 'zod';
import { DEGRADE_LIMITS, degradePatch, resample } from './degrade';
import { keysWeight0, keysWeight1, keysWeight2, keysWeight3 } from './keys-kernel';
import type { SeededRandom } from './random';

/**
 * Limits of the rescaling factor. A factor s shows a source region of side patch/s at the patch
 * size, so vessels come out s times as wide. Below 1/4 DRIVE's thinnest vessels (1-2 px) fall
 * far under a pixel and vanish from the thresholded label; above 4 a 48 px patch sees a 12 px
 * window, too little context for any vessel. Sensible ranges are much narrower (SCALE_AUGMENT_DEFAULT).
 */
export const SCALE_LIMITS = { min: 0.25, max: 4 } as const;

/**
 * The default recipe's rescaling range, 0.7x to 1.5x. FOV diameters of the public sets:
 * DRIVE about 540 px, STARE about 650 (1.2x DRIVE), CHASE_DB1 about 960 (1.78x), HRF about
 * 3,200 (5.9x). Inference brings an image's FOV to DRIVE's size before predicting, so what
 * training must cover is what that leaves: vessel calibre differs between eyes and cameras at
 * the same FOV size, and a FOV estimate is off by some percent. 1.5x covers STARE's 1.2x
 * without any resampling and leaves room for wide vessels; 0.7x shrinks DRIVE's 2 px
 * capillaries to 1.4 px, still a pixel wide in the nearest-reduced label. Drawn log-uniformly, so
 * zooming in and out by the same ratio are equally likely.
 */
export const SCALE_AUGMENT_DEFAULT = { min: 0.7, max: 1.5 } as const;

/** Limits of a gamma exponent range (values are about 0-1, so above 1 darkens, below 1 brightens). */
export const GAMMA_RANGE_LIMITS = { min: 0.2, max: 5 } as const;

/** Limits of a contrast factor range (about 0.5: below 1 washes out, above 1 stretches). */
export const CONTRAST_RANGE_LIMITS = { min: 0.1, max: 3 } as const;

/**
 * The intensity ranges `--intensity-aug default` asks for, for darker and washed-out images:
 * gamma exponents from 0.7 (brighter) to 1.5 (darker), contrast from 0.7 (washed out) to 1.3.
 * Off in the default recipe: no training run here has shown that they help on DRIVE.
 */
export const INTENSITY_AUGMENT_DEFAULT = {
  gamma: { min: 0.7, max: 1.5 },
  contrast: { min: 0.7, max: 1.3 },
} as const;

/** A [min, max] range within `limits`, min not above max. */
function rangeSchema(limits: { min: number; max: number }, what: string) {
  return z
    .object({
      min: z.number().min(limits.min).max(limits.max),
      max: z.number().min(limits.min).max(limits.max),
    })
    .strict()
    .refine((r) => r.min <= r.max, {
      message: `${what}: min must not be above max`,
    });
}

export const augmentConfigSchema = z
  .object({
    /** Horizontal and vertical flips, each with probability 1/2. */
    flips: z.boolean(),
    /** A turn by 0, 90, 180 or 270 degrees, each with probability 1/4. */
    rotate90: z.boolean(),
    /** Rotation by an angle drawn uniformly from [-rotationDegrees, rotationDegrees]; 0 = off. */
    rotationDegrees: z.number().min(0).max(180),
    /** U-Net elastic deformation: `grid` x `grid` control points over the image, Gaussian displacements of `sigma` px; null = off. */
    elastic: z
      .object({
        grid: z.number().int().min(2).max(16),
        sigma: z.number().min(0).max(100),
      })
      .strict()
      .nullable(),
    /** Additive brightness shift drawn uniformly from [-b, b] (values are about 0-1); 0 = off. */
    brightness: z.number().min(0).max(1),
    /** Contrast factor about 0.5 drawn uniformly from [1-c, 1+c]; 0 = off. */
    contrast: z.number().min(0).max(1),
    /** Gamma exponent exp(u), u uniform in [-g, g]; 0 = off. */
    gamma: z.number().min(0).max(2),
    /**
     * Intensity ranges for darker and washed-out images: a gamma exponent drawn log-uniformly
     * and a contrast factor (about 0.5) drawn uniformly from their ranges. They take the place
     * of the symmetric `gamma` and `contrast` jitter, which must then be 0. Absent or null = off.
     */
    intensity: z
      .object({
        gamma: rangeSchema(GAMMA_RANGE_LIMITS, 'intensity.gamma'),
        contrast: rangeSchema(CONTRAST_RANGE_LIMITS, 'intensity.contrast'),
      })
      .strict()
      .nullable()
      .optional(),
    /**
     * Rescaling by a factor drawn log-uniformly from [min, max] (SCALE_AUGMENT_DEFAULT
     * explains the default recipe's range). Absent or null = off.
     */
    scale: rangeSchema(SCALE_LIMITS, 'scale').nullable().optional(),
    /**
     * Resolution degradation (degrade.ts): on a share `probability` of the patches, the image is
     * brought down to a factor drawn uniformly from [min, max] and back up; the labels stay
     * sharp. DEGRADE_AUGMENT_DEFAULT explains the range. Absent or null = off.
     */
    degrade: rangeSchema(DEGRADE_LIMITS, 'degrade')
      .and(z.object({ probability: z.number().min(0).max(1) }))
      .nullable()
      .optional(),
  })
  .strict()
  .refine((c) => !c.intensity || (c.gamma === 0 && c.contrast === 0), {
    message: 'intensity ranges replace the gamma and contrast jitter: set gamma and contrast to 0',
    path: ['intensity'],
  });

/** Which augmentations a sampler applies; every one can be switched off. */
export type AugmentConfig = z.infer<typeof augmentConfigSchema>;

/** No augmentation (LadderNet's protocol). */
export const AUGMENT_NONE: AugmentConfig = {
  flips: false,
  rotate90: false,
  rotationDegrees: 0,
  elastic: null,
  brightness: 0,
  contrast: 0,
  gamma: 0,
};

/**
 * Everything of the U-Net paper's kind on: flips, turns, any angle, U-Net elastic (3x3 grid,
 * 10 px), mild intensity jitter. Rescaling is asked for by name (`scale`), since it changes what
 * a vessel's width means to the model.
 */
export const AUGMENT_ALL: AugmentConfig = {
  flips: true,
  rotate90: true,
  rotationDegrees: 180,
  elastic: { grid: 3, sigma: 10 },
  brightness: 0.1,
  contrast: 0.2,
  gamma: 0.2,
};

/** One sample's drawn augmentation. */
export interface SampleTransform {
  /** Output offset (du, dv) from the output centre maps to source offset (m00*du + m01*dv, m10*du + m11*dv). */
  m00: number;
  m01: number;
  m10: number;
  m11: number;
  /** True when the map is a pure flip/turn (integer lookups, no interpolation). */
  integer: boolean;
  /** Elastic control-point displacements (grid*grid*2: dx, dy per point), or null. */
  elastic: Float32Array | null;
  elasticGrid: number;
  brightness: number;
  contrast: number;
  /** Exponent applied to intensities (1 = none). */
  gammaExponent: number;
  /** Rescaling factor (1 = none): the sample shows a source region 1/scale of its size. */
  scale: number;
  /** Resolution factor the image is degraded to (1 = none). */
  degrade: number;
}

/** The value at `fraction` (0-1) of the way from `min` to `max` on a log scale. */
function logLerp(min: number, max: number, fraction: number): number {
  return Math.exp(Math.log(min) + fraction * (Math.log(max) - Math.log(min)));
}

/**
 * Draws one sample's augmentation from `random`. Every draw happens whether its switch is on or
 * not (elastic last), so switching one augmentation off leaves the others' values unchanged.
 * The rescaling factor is drawn after them and only when rescaling is on, so a run without it
 * draws exactly the numbers it drew before rescaling existed (seeded runs reproduce).
 */
export function drawTransform(config: AugmentConfig, random: SeededRandom): SampleTransform {
  const flipX = random.chance(0.5);
  const flipY = random.chance(0.5);
  const quarterTurns = random.int(4);
  const degrees = random.uniform(-config.rotationDegrees, config.rotationDegrees);
  const brightnessDraw = random.uniform(-1, 1);
  const contrastDraw = random.uniform(-1, 1);
  const gammaDraw = random.uniform(-1, 1);

  let m00 = config.flips && flipX ? -1 : 1;
  let m01 = 0;
  let m10 = 0;
  let m11 = config.flips && flipY ? -1 : 1;
  const turn = (angle: number) => {
    // Rounded so quarter turns stay exact integer maps.
    const c = Math.abs(Math.cos(angle)) < 1e-12 ? 0 : Math.cos(angle);
    const s = Math.abs(Math.sin(angle)) < 1e-12 ? 0 : Math.sin(angle);
    [m00, m01, m10, m11] = [
      c * m00 - s * m10,
      c * m01 - s * m11,
      s * m00 + c * m10,
      s * m01 + c * m11,
    ];
  };
  if (config.rotate90 && quarterTurns > 0) turn((quarterTurns * Math.PI) / 2);
  let integer = true;
  if (config.rotationDegrees > 0) {
    turn((degrees * Math.PI) / 180);
    integer = false;
  }
  let elastic: Float32Array | null = null;
  let elasticGrid = 0;
  if (config.elastic !== null && config.elastic.sigma > 0) {
    elasticGrid = config.elastic.grid;
    elastic = new Float32Array(elasticGrid * elasticGrid * 2);
    for (let i = 0; i < elastic.length; i++) elastic[i] = random.normal() * config.elastic.sigma;
    integer = false;
  }
  let scale = 1;
  if (config.scale) {
    scale = logLerp(config.scale.min, config.scale.max, random.next());
    if (scale !== 1) {
      // Output offsets map to source offsets 1/scale as long: a region patch/scale wide.
      m00 /= scale;
      m01 /= scale;
      m10 /= scale;
      m11 /= scale;
      integer = false;
    }
  }
  // Drawn last and only when on, like the rescaling: both numbers are drawn for every sample.
  let degrade = 1;
  if (config.degrade) {
    const hit = random.next() < config.degrade.probability;
    const factor = config.degrade.min + random.next() * (config.degrade.max - config.degrade.min);
    if (hit) degrade = factor;
  }
  // Intensity ranges take the jitter's draws, so turning them on moves no other draw.
  const ranges = config.intensity;
  const contrast = ranges
    ? ranges.contrast.min + ((contrastDraw + 1) / 2) * (ranges.contrast.max - ranges.contrast.min)
    : 1 + contrastDraw * config.contrast;
  const gammaExponent = ranges
    ? logLerp(ranges.gamma.min, ranges.gamma.max, (gammaDraw + 1) / 2)
    : Math.exp(gammaDraw * config.gamma);
  return {
    m00,
    m01,
    m10,
    m11,
    integer,
    elastic,
    elasticGrid,
    brightness: brightnessDraw * config.brightness,
    contrast,
    gammaExponent,
    scale,
    degrade,
  };
}

/** A source image the sampler reads: preprocessed values with labels and FOV of the same size. */
export interface TrainingImage {
  id: string;
  width: number;
  height: number;
  /** Channels per pixel of `image` (1 after preprocessing). */
  channels: number;
  /** HxWxC, row-major, values about 0-1. */
  image: Float32Array;
  /** HxW, 0/1. */
  label: Uint8Array;
  /** HxW, 0/1. */
  fov: Uint8Array;
}

/** Reflects an index into [0, n) without repeating the edge (the overlap-tile mirror). */
function reflect(i: number, n: number): number {
  if (i >= 0 && i < n) return i;
  if (n === 1) return 0;
  const period = 2 * n - 2;
  i = ((i % period) + period) % period;
  return i < n ? i : period - i;
}

/** Where one sample is taken from and written to. */
export interface RenderTarget {
  x: Float32Array;
  /** Label output; null renders the image alone (e.g. a loss-weight map with a known transform). */
  y: Float32Array | null;
  /** FOV output; null together with `y` skips the masks. */
  fov: Uint8Array | null;
  /** Offset (in pixels) of this sample in the batch: x gets `pixelOffset * channels`. */
  pixelOffset: number;
  height: number;
  width: number;
}

let scratchX = new Float64Array(0);
let scratchY = new Float64Array(0);

/**
 * Source position of every output pixel: the affine map, plus the elastic displacement, which
 * is the bicubic (Keys, a = -0.5) interpolation of the control-point vectors at that position,
 * with the grid's edge points repeated beyond it.
 */
function sourceCoordinates(
  W: number,
  H: number,
  cx: number,
  cy: number,
  t: SampleTransform,
  h: number,
  w: number,
): void {
  const n = h * w;
  if (scratchX.length < n) {
    scratchX = new Float64Array(n);
    scratchY = new Float64Array(n);
  }
  const halfW = Math.floor(w / 2);
  const halfH = Math.floor(h / 2);
  const { m00, m01, m10, m11 } = t;
  const xs = scratchX;
  const ys = scratchY;
  for (let v = 0; v < h; v++) {
    const dv = v - halfH;
    const bx = cx + m01 * dv - m00 * halfW;
    const by = cy + m11 * dv - m10 * halfW;
    const row = v * w;
    for (let u = 0; u < w; u++) {
      xs[row + u] = bx + m00 * u;
      ys[row + u] = by + m10 * u;
    }
  }
  const ctrl = t.elastic;
  if (ctrl === null) return;
  const grid = t.elasticGrid;
  const last = grid - 1;
  const gxScale = last / Math.max(1, W - 1);
  const gyScale = last / Math.max(1, H - 1);
  for (let q = 0; q < n; q++) {
    const gx = xs[q]! * gxScale;
    const gy = ys[q]! * gyScale;
    const gx0 = Math.floor(gx);
    const gy0 = Math.floor(gy);
    const tx = gx - gx0;
    const ty = gy - gy0;
    // Column offsets (x2 for the dx, dy pairs) and row offsets of the taps, edge points repeated.
    const c0 = clampIndex(gx0 - 1, last) * 2;
    const c1 = clampIndex(gx0, last) * 2;
    const c2 = clampIndex(gx0 + 1, last) * 2;
    const c3 = clampIndex(gx0 + 2, last) * 2;
    const r0 = clampIndex(gy0 - 1, last) * grid * 2;
    const r1 = clampIndex(gy0, last) * grid * 2;
    const r2 = clampIndex(gy0 + 1, last) * grid * 2;
    const r3 = clampIndex(gy0 + 2, last) * grid * 2;
    // dx and dy are interleaved in ctrl: the dy of a point is one further. One call site, so
    // that the lookup is inlined.
    for (let k = 0; k < 2; k++) {
      const coords = k === 0 ? xs : ys;
      coords[q] =
        coords[q]! + bicubic(ctrl, r0 + k, r1 + k, r2 + k, r3 + k, c0, c1, c2, c3, tx, ty);
    }
  }
}

/** i clamped to [0, last]. */
function clampIndex(i: number, last: number): number {
  return i < 0 ? 0 : i > last ? last : i;
}

/**
 * Pure flips and turns about the centre (cx, cy): every output pixel is one source pixel
 * (mirrored past the edges).
 */
function renderInteger(
  source: TrainingImage,
  target: RenderTarget,
  t: SampleTransform,
  { cx, cy }: { cx: number; cy: number },
): void {
  const { width: W, height: H, channels: C, image, label, fov } = source;
  const { height: h, width: w, pixelOffset, x: out, y: outY, fov: outFov } = target;
  const halfW = Math.floor(w / 2);
  const halfH = Math.floor(h / 2);
  const m00 = t.m00 | 0;
  const m01 = t.m01 | 0;
  const m10 = t.m10 | 0;
  const m11 = t.m11 | 0;
  for (let v = 0; v < h; v++) {
    const dv = v - halfH;
    for (let u = 0; u < w; u++) {
      const du = u - halfW;
      const sx = reflect(cx + m00 * du + m01 * dv, W);
      const sy = reflect(cy + m10 * du + m11 * dv, H);
      const s = sy * W + sx;
      const p = pixelOffset + v * w + u;
      if (C === 1) out[p] = image[s]!;
      else for (let c = 0; c < C; c++) out[p * C + c] = image[s * C + c]!;
      if (outY !== null) outY[p] = label[s]!;
      if (outFov !== null) outFov[p] = fov[s]!;
    }
  }
}

/** Labels and FOV at the source positions: bilinear, then >= 0.5 keeps them binary. */
function renderMasks(source: TrainingImage, target: RenderTarget): void {
  const { width: W, height: H, label, fov } = source;
  const { pixelOffset, y: outY, fov: outFov } = target;
  const n = target.height * target.width;
  for (let p = pixelOffset, q = 0; q < n; p++, q++) {
    const sx = scratchX[q]!;
    const x0 = Math.floor(sx);
    const fx = sx - x0;
    const sy = scratchY[q]!;
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    let xa = x0;
    let xb = x0 + 1;
    let ya = y0 * W;
    let yb = ya + W;
    if (x0 < 0 || xb >= W || y0 < 0 || y0 + 1 >= H) {
      xa = reflect(x0, W);
      xb = reflect(x0 + 1, W);
      ya = reflect(y0, H) * W;
      yb = reflect(y0 + 1, H) * W;
    }
    const w00 = (1 - fx) * (1 - fy);
    const w10 = fx * (1 - fy);
    const w01 = (1 - fx) * fy;
    const w11 = fx * fy;
    const i00 = ya + xa;
    const i10 = ya + xb;
    const i01 = yb + xa;
    const i11 = yb + xb;
    if (outY !== null) {
      outY[p] =
        w00 * label[i00]! + w10 * label[i10]! + w01 * label[i01]! + w11 * label[i11]! >= 0.5
          ? 1
          : 0;
    }
    if (outFov !== null) {
      outFov[p] =
        w00 * fov[i00]! + w10 * fov[i10]! + w01 * fov[i01]! + w11 * fov[i11]! >= 0.5 ? 1 : 0;
    }
  }
}

/**
 * Bicubic (Keys) interpolation of one channel: the 4x4 taps at row offsets r0-r3 and column
 * offsets c0-c3 of data, weighted for fractions tx, ty. Every bicubic lookup goes through here
 * (the elastic field and the image).
 */
function bicubic(
  data: Float32Array,
  r0: number,
  r1: number,
  r2: number,
  r3: number,
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  tx: number,
  ty: number,
): number {
  const tx2 = tx * tx;
  const ty2 = ty * ty;
  const a0 = keysWeight0(tx, tx2);
  const a1 = keysWeight1(tx, tx2);
  const a2 = keysWeight2(tx, tx2);
  const a3 = keysWeight3(tx, tx2);
  const b0 = keysWeight0(ty, ty2);
  const b1 = keysWeight1(ty, ty2);
  const b2 = keysWeight2(ty, ty2);
  const b3 = keysWeight3(ty, ty2);
  return (
    b0 * (a0 * data[r0 + c0]! + a1 * data[r0 + c1]! + a2 * data[r0 + c2]! + a3 * data[r0 + c3]!) +
    b1 * (a0 * data[r1 + c0]! + a1 * data[r1 + c1]! + a2 * data[r1 + c2]! + a3 * data[r1 + c3]!) +
    b2 * (a0 * data[r2 + c0]! + a1 * data[r2 + c1]! + a2 * data[r2 + c2]! + a3 * data[r2 + c3]!) +
    b3 * (a0 * data[r3 + c0]! + a1 * data[r3 + c1]! + a2 * data[r3 + c2]! + a3 * data[r3 + c3]!)
  );
}

/**
 * The image at the source positions, bicubic (Keys' kernel, a = -0.5), mirrored past the
 * edges. This loop is most of the stream's cost.
 */
function renderImage(source: TrainingImage, target: RenderTarget): void {
  const { width: W, height: H, channels: C, image } = source;
  const { pixelOffset, x: out } = target;
  const n = target.height * target.width;
  const xs = scratchX;
  const ys = scratchY;
  for (let q = 0; q < n; q++) {
    const sx = xs[q]!;
    const sy = ys[q]!;
    const x0 = Math.floor(sx);
    const y0 = Math.floor(sy);
    const tx = sx - x0;
    const ty = sy - y0;
    let c0 = x0 - 1;
    let c1 = x0;
    let c2 = x0 + 1;
    let c3 = x0 + 2;
    let r0 = y0 - 1;
    let r1 = y0;
    let r2 = y0 + 1;
    let r3 = y0 + 2;
    if (c0 < 0 || c3 >= W || r0 < 0 || r3 >= H) {
      c0 = reflect(c0, W);
      c1 = reflect(c1, W);
      c2 = reflect(c2, W);
      c3 = reflect(c3, W);
      r0 = reflect(r0, H);
      r1 = reflect(r1, H);
      r2 = reflect(r2, H);
      r3 = reflect(r3, H);
    }
    if (C === 1) {
      // The common case (one preprocessed channel): rows are W apart.
      out[pixelOffset + q] = bicubic(image, r0 * W, r1 * W, r2 * W, r3 * W, c0, c1, c2, c3, tx, ty);
      continue;
    }
    const stride = W * C;
    for (let c = 0; c < C; c++) {
      // Channel c of pixel (x, y) is at (y * W + x) * C + c: scale the indices once per channel.
      out[(pixelOffset + q) * C + c] = bicubic(
        image,
        r0 * stride,
        r1 * stride,
        r2 * stride,
        r3 * stride,
        c0 * C + c,
        c1 * C + c,
        c2 * C + c,
        c3 * C + c,
        tx,
        ty,
      );
    }
  }
}

const GAMMA_SEGMENTS = 256;
const gammaTable = new Float64Array(GAMMA_SEGMENTS + 2);

/**
 * Brightness, contrast and gamma jitter of one rendered sample's image values. The gamma curve
 * is a 256-segment piecewise-linear table built per sample (257 Math.pow calls instead of one
 * per pixel, the costliest step otherwise); it is off the exact curve by under 0.003.
 */
function jitterIntensities(
  t: SampleTransform,
  out: Float32Array,
  start: number,
  end: number,
): void {
  const { brightness, contrast, gammaExponent } = t;
  const useGamma = gammaExponent !== 1;
  if (useGamma) {
    for (let i = 0; i <= GAMMA_SEGMENTS; i++)
      gammaTable[i] = Math.pow(i / GAMMA_SEGMENTS, gammaExponent);
    gammaTable[GAMMA_SEGMENTS + 1] = 1;
  }
  for (let i = start; i < end; i++) {
    let value = (out[i]! - 0.5) * contrast + 0.5 + brightness;
    value = value < 0 ? 0 : value > 1 ? 1 : value;
    if (useGamma) {
      const scaled = value * GAMMA_SEGMENTS;
      const k = Math.floor(scaled);
      const f = scaled - k;
      value = gammaTable[k]! + f * (gammaTable[k + 1]! - gammaTable[k]!);
    }
    out[i] = value;
  }
}

/** The image bicubic, label and FOV bilinear and thresholded, at the source positions of `t`. */
function renderAffine(
  source: TrainingImage,
  cx: number,
  cy: number,
  t: SampleTransform,
  target: RenderTarget,
): void {
  sourceCoordinates(source.width, source.height, cx, cy, t, target.height, target.width);
  if (target.y !== null || target.fov !== null) renderMasks(source, target);
  renderImage(source, target);
}

/** Buffers of the full-resolution render that a reduction shrinks. */
const reduced = { x: new Float32Array(0), y: new Float32Array(0), fov: new Uint8Array(0) };

/**
 * A reduction (scale below 1) as a camera of lower resolution sees it: the region is rendered at
 * the source's own resolution (the transform without its scale; a side of round(side / scale))
 * and then brought down to the patch, the image with the widened cubic kernel of degrade.ts,
 * which averages what it drops, and the label and FOV nearest, as a label drawn at that
 * resolution would be. Sampling the reduced grid directly would skip source pixels between
 * samples: thin vessels would keep a contrast no smaller image has, or vanish where they fall
 * between samples.
 */
function renderReduced(
  source: TrainingImage,
  cx: number,
  cy: number,
  t: SampleTransform,
  target: RenderTarget,
): void {
  const C = source.channels;
  const { height: h, width: w } = target;
  const bigH = Math.round(h / t.scale);
  const bigW = Math.round(w / t.scale);
  const n = bigH * bigW;
  if (reduced.x.length < n * C) reduced.x = new Float32Array(n * C);
  if (reduced.y.length < n) reduced.y = new Float32Array(n);
  if (reduced.fov.length < n) reduced.fov = new Uint8Array(n);
  const unscaled: SampleTransform = {
    ...t,
    m00: t.m00 * t.scale,
    m01: t.m01 * t.scale,
    m10: t.m10 * t.scale,
    m11: t.m11 * t.scale,
  };
  const big: RenderTarget = {
    x: reduced.x,
    y: target.y === null ? null : reduced.y,
    fov: target.fov === null ? null : reduced.fov,
    pixelOffset: 0,
    height: bigH,
    width: bigW,
  };
  renderAffine(source, cx, cy, unscaled, big);
  resample(reduced.x, 0, bigH, bigW, target.x, target.pixelOffset * C, h, w, C);
  if (big.y === null && big.fov === null) return;
  const rowRatio = bigH / h;
  const colRatio = bigW / w;
  for (let v = 0; v < h; v++) {
    const row = Math.min(bigH - 1, Math.floor((v + 0.5) * rowRatio)) * bigW;
    for (let u = 0; u < w; u++) {
      const from = row + Math.min(bigW - 1, Math.floor((u + 0.5) * colRatio));
      const to = target.pixelOffset + v * w + u;
      if (target.y !== null) target.y[to] = reduced.y[from]!;
      if (target.fov !== null) target.fov[to] = reduced.fov[from]!;
    }
  }
}

/**
 * Renders one augmented sample centred on source pixel (cx, cy) into the target: image
 * (bicubic), label and FOV (bilinear, thresholded at 0.5; a reduction renders at the source's
 * resolution and shrinks, renderReduced), then the image's resolution
 * degradation and the intensity jitter.
 */
export function renderSample(
  source: TrainingImage,
  cx: number,
  cy: number,
  t: SampleTransform,
  target: RenderTarget,
): void {
  if (t.integer) {
    renderInteger(source, target, t, { cx, cy });
  } else if (t.scale < 1) {
    renderReduced(source, cx, cy, t, target);
  } else {
    renderAffine(source, cx, cy, t, target);
  }
  if (t.degrade !== 1) {
    const C = source.channels;
    degradePatch(target.x, target.pixelOffset * C, target.height, target.width, C, t.degrade);
  }
  if (t.brightness !== 0 || t.contrast !== 1 || t.gammaExponent !== 1) {
    const C = source.channels;
    jitterIntensities(
      t,
      target.x,
      target.pixelOffset * C,
      (target.pixelOffset + target.height * target.width) * C,
    );
  }
}
