import { describe, expect, it } from 'vitest';
import {
  AUGMENT_ALL,
  AUGMENT_NONE,
  drawTransform,
  type AugmentConfig,
  type TrainingImage,
} from './augment';
import { SeededRandom } from './random';
import { PatchSampler, createPatchStream } from './sampler';
import { maskImage } from '../../../../test/support/mask-image';
import { renderPatch, samplerConfig } from '../../../../test/support/dataset/sampling';

const W = 64;
const H = 56;

/** An image whose intensity is a planted asymmetric "L" (so flips and turns are told apart), with label = FOV = that shape. */
function plantedImage(): TrainingImage {
  const verticalBar = (x: number, y: number) => y >= 20 && y < 36 && x >= 24 && x < 28;
  const footToTheRight = (x: number, y: number) => y >= 32 && y < 36 && x >= 28 && x < 40;
  return maskImage('planted', W, H, (x, y) => verticalBar(x, y) || footToTheRight(x, y), 'shape');
}

/** A fundus-like source: FOV disc, vessel cross, smooth intensities. */
function fundusImage(id: string): TrainingImage {
  const image = new Float32Array(W * H);
  const label = new Uint8Array(W * H);
  const fov = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      fov[i] = (x - W / 2) ** 2 + (y - H / 2) ** 2 < 25 ** 2 ? 1 : 0;
      label[i] = fov[i] && (Math.abs(x - 30) < 2 || Math.abs(y - 25) < 2) ? 1 : 0;
      image[i] = fov[i] ? 0.3 + 0.4 * (x / W) - 0.2 * label[i]! : 0;
    }
  }
  return { id, width: W, height: H, channels: 1, image, label, fov };
}

/** Lets the event loop run until `ready()` holds (the stream fills its queue in setImmediate turns). */
async function settle(ready: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1000 && !ready(); turn++)
    await new Promise((resolve) => setTimeout(resolve, 5));
}

const isBinary = (values: ArrayLike<number>) => Array.from(values).every((v) => v === 0 || v === 1);

describe('augmentation invariants', () => {
  it('labels and FOV stay binary under every augmentation', () => {
    const sampler = new PatchSampler([fundusImage('a'), fundusImage('b')], samplerConfig());
    for (let k = 0; k < 5; k++) {
      const batch = sampler.batch(k);
      expect(isBinary(batch.y)).toBe(true);
      expect(isBinary(batch.fov)).toBe(true);
      expect(batch.y.some((v) => v === 1)).toBe(true);
    }
  });

  it('flips and turns move image, label and FOV together, exactly', () => {
    const source = plantedImage();
    const sampler = new PatchSampler(
      [source],
      samplerConfig({
        patchSize: 40,
        augment: { ...AUGMENT_NONE, flips: true, rotate90: true },
        batchSize: 16,
      }),
    );
    const batch = sampler.batch(0);
    const seen = new Set<string>();
    for (let n = 0; n < 16; n++) {
      const off = n * 40 * 40;
      const img = Array.from(batch.x.subarray(off, off + 1600));
      const lab = Array.from(batch.y.subarray(off, off + 1600));
      const fov = Array.from(batch.fov.subarray(off, off + 1600));
      expect(img).toEqual(lab);
      expect(fov).toEqual(lab);
      seen.add(lab.join(''));
    }
    // The L has 8 distinct flips/turns; 16 samples from different centres show several of them.
    expect(seen.size).toBeGreaterThan(3);
  });

  it('a horizontal flip mirrors the window about its centre column', () => {
    const source = plantedImage();
    const t = { ...drawTransform(AUGMENT_NONE, new SeededRandom(1)), m00: -1 };
    const size = 40;
    const target = renderPatch(source, 30, 28, t, size);
    for (let v = 0; v < size; v++) {
      for (let u = 0; u < size; u++) {
        const sx = 30 - (u - size / 2);
        const sy = 28 + (v - size / 2);
        expect(target.y![v * size + u]).toBe(source.label[sy * W + sx]);
      }
    }
  });

  it('rotation and elastic deformation move the planted pattern identically in image, label and FOV', () => {
    const source = plantedImage();
    const augment: AugmentConfig = {
      ...AUGMENT_NONE,
      rotationDegrees: 180,
      elastic: { grid: 3, sigma: 4 },
    };
    const sampler = new PatchSampler(
      [source],
      samplerConfig({ patchSize: 48, augment, batchSize: 12, centres: 'anywhere' }),
    );
    const batch = sampler.batch(3);
    for (let n = 0; n < 12; n++) {
      const off = n * 48 * 48;
      let both = 0;
      let either = 0;
      let labelCount = 0;
      for (let i = off; i < off + 48 * 48; i++) {
        const img = batch.x[i]! >= 0.5 ? 1 : 0;
        both += img & batch.y[i]!;
        either += img | batch.y[i]!;
        labelCount += batch.y[i]!;
        // label and FOV were the same array: interpolated the same way, they must agree exactly
        expect(batch.fov[i]).toBe(batch.y[i]);
      }
      // bicubic image vs thresholded bilinear label: the same shape up to edge pixels
      if (labelCount > 20) expect(both / either).toBeGreaterThan(0.8);
    }
  });

  it('renders the image alone when label and FOV outputs are null, with the same values', () => {
    const source = fundusImage('a');
    const t = drawTransform(AUGMENT_ALL, new SeededRandom(5));
    const size = 20;
    const full = renderPatch(source, 30, 25, t, size);
    const alone = renderPatch(source, 30, 25, t, size, false);
    expect(alone.x).toEqual(full.x);
  });

  it('elastic displacements have the configured standard deviation (U-Net: 10 px)', () => {
    // Source intensity = x / W, so the sampled value at the centre reveals the horizontal displacement.
    const image = new Float32Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) image[y * W + x] = x / W;
    const source: TrainingImage = {
      id: 'ramp',
      width: W,
      height: H,
      channels: 1,
      image,
      label: new Uint8Array(W * H),
      fov: new Uint8Array(W * H).fill(1),
    };
    const augment: AugmentConfig = { ...AUGMENT_NONE, elastic: { grid: 3, sigma: 10 } };
    const random = new SeededRandom(99);
    const shifts: number[] = [];
    // The middle control point sits at the image centre: the displacement there is that point's vector.
    const cx = (W - 1) / 2;
    for (let k = 0; k < 400; k++) {
      const t = drawTransform(augment, random);
      const dx = renderPatch(source, cx, (H - 1) / 2, t, 1).x[0]! * W - cx;
      expect(dx).toBeCloseTo(t.elastic![(1 * 3 + 1) * 2]!, 1);
      // only displacements that stay inside the ramp are readable
      if (Math.abs(dx) < cx - 2) shifts.push(dx);
    }
    const mean = shifts.reduce((a, b) => a + b, 0) / shifts.length;
    const std = Math.sqrt(shifts.reduce((a, b) => a + (b - mean) ** 2, 0) / shifts.length);
    expect(std).toBeGreaterThan(8.5);
    expect(std).toBeLessThan(11.5);
  });

  it('elastic displacements are the bicubic interpolation of the control grid at every pixel', () => {
    // Reference: the displacement of every pixel by bicubic (Keys, a = -0.5) interpolation of
    // the control grid, evaluated directly; the image is a ramp whose value is its x coordinate.
    const width = 400;
    const height = 300;
    const ramp = new Float32Array(width * height);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) ramp[y * width + x] = x;
    const blank = new Uint8Array(width * height);
    const source: TrainingImage = {
      id: 'ramp',
      width,
      height,
      channels: 1,
      image: ramp,
      label: blank,
      fov: blank,
    };
    const keys = (d: number) => {
      const a = Math.abs(d);
      return a < 1 ? (1.5 * a - 2.5) * a * a + 1 : a < 2 ? ((-0.5 * a + 2.5) * a - 4) * a + 2 : 0;
    };
    const exactDx = (ctrl: Float32Array, grid: number, sx: number, sy: number) => {
      const gx = (sx * (grid - 1)) / (width - 1);
      const gy = (sy * (grid - 1)) / (height - 1);
      let dx = 0;
      for (let j = Math.floor(gy) - 1; j <= Math.floor(gy) + 2; j++) {
        for (let i = Math.floor(gx) - 1; i <= Math.floor(gx) + 2; i++) {
          const ci = Math.min(grid - 1, Math.max(0, i));
          const cj = Math.min(grid - 1, Math.max(0, j));
          dx += keys(gx - i) * keys(gy - j) * ctrl[(cj * grid + ci) * 2]!;
        }
      }
      return dx;
    };
    const size = 48;
    const random = new SeededRandom(11);
    let worst = 0;
    for (let k = 0; k < 10; k++) {
      const t = drawTransform({ ...AUGMENT_NONE, elastic: { grid: 3, sigma: 10 } }, random);
      const cx = 150 + 10 * k;
      const cy = 140;
      const { x } = renderPatch(source, cx, cy, t, size, false);
      for (let v = 0; v < size; v++) {
        for (let u = 0; u < size; u++) {
          const sx = cx + u - size / 2;
          const sy = cy + v - size / 2;
          const expected = sx + exactDx(t.elastic!, 3, sx, sy);
          worst = Math.max(worst, Math.abs(x[v * size + u]! - expected));
        }
      }
    }
    expect(worst).toBeLessThan(0.001);
  });

  it('intensity jitter changes the image only, within [0, 1]', () => {
    const images = [fundusImage('a')];
    const augment: AugmentConfig = { ...AUGMENT_NONE, brightness: 0.2, contrast: 0.3, gamma: 0.3 };
    const plain = new PatchSampler(images, samplerConfig({ augment: AUGMENT_NONE })).batch(0);
    const jittered = new PatchSampler(images, samplerConfig({ augment })).batch(0);
    expect(jittered.y).toEqual(plain.y);
    expect(jittered.fov).toEqual(plain.fov);
    expect(jittered.x).not.toEqual(plain.x);
    expect(jittered.x.every((v) => v >= 0 && v <= 1)).toBe(true);
  });
});

describe('sampling', () => {
  it('the same seed gives the same batches; another seed does not', () => {
    const images = [fundusImage('a'), fundusImage('b')];
    const a = new PatchSampler(images, samplerConfig()).batch(4);
    const b = new PatchSampler(images, samplerConfig()).batch(4);
    const c = new PatchSampler(images, samplerConfig({ seed: 8 })).batch(4);
    expect(b.x).toEqual(a.x);
    expect(b.y).toEqual(a.y);
    expect(b.imageIds).toEqual(a.imageIds);
    expect(c.x).not.toEqual(a.x);
  });

  it('NHWC shapes and sizes', () => {
    const batch = new PatchSampler(
      [fundusImage('a')],
      samplerConfig({ patchSize: 16, batchSize: 5 }),
    ).batch(0);
    expect(batch.shape).toEqual([5, 16, 16, 1]);
    expect(batch.x.length).toBe(5 * 16 * 16);
    expect(batch.y.length).toBe(5 * 16 * 16);
    expect(batch.imageIds).toHaveLength(5);
  });

  it('centres in the FOV, on vessels when balanced fully, and anywhere-centred patches fit the image', () => {
    const images = [fundusImage('a')];
    const size = 9;
    const centre = Math.floor(size / 2) * size + Math.floor(size / 2);
    const inFov = new PatchSampler(
      images,
      samplerConfig({ patchSize: size, batchSize: 64, augment: AUGMENT_NONE }),
    ).batch(0);
    const onVessel = new PatchSampler(
      images,
      samplerConfig({ patchSize: size, batchSize: 64, augment: AUGMENT_NONE, vesselFraction: 1 }),
    ).batch(0);
    let vesselCentresUnbalanced = 0;
    for (let n = 0; n < 64; n++) {
      expect(inFov.fov[n * size * size + centre]).toBe(1);
      expect(onVessel.y[n * size * size + centre]).toBe(1);
      vesselCentresUnbalanced += inFov.y[n * size * size + centre]!;
    }
    expect(vesselCentresUnbalanced).toBeLessThan(40);
    const anywhere = new PatchSampler(
      images,
      samplerConfig({
        patchSize: size,
        batchSize: 200,
        augment: AUGMENT_NONE,
        centres: 'anywhere',
      }),
    ).batch(0);
    // Some centres fall outside the FOV (the image has black corners).
    let outside = 0;
    for (let n = 0; n < 200; n++) outside += 1 - anywhere.fov[n * size * size + centre]!;
    expect(outside).toBeGreaterThan(0);
  });

  it('whole-image mode without augmentation returns the images themselves', () => {
    const images = [fundusImage('a'), fundusImage('b')];
    const batch = new PatchSampler(
      images,
      samplerConfig({ mode: 'whole', batchSize: 2, augment: AUGMENT_NONE }),
    ).batch(0);
    expect(batch.shape).toEqual([2, H, W, 1]);
    expect(batch.x.subarray(0, W * H)).toEqual(images[0]!.image);
    expect(batch.y.subarray(W * H)).toEqual(Float32Array.from(images[1]!.label));
  });

  it('refuses bad configs with DATASET_BAD_CONFIG', () => {
    expect(() => new PatchSampler([], samplerConfig())).toThrow(
      expect.objectContaining({ code: 'DATASET_BAD_CONFIG' }),
    );
    expect(() => new PatchSampler([fundusImage('a')], samplerConfig({ patchSize: 0 }))).toThrow(
      expect.objectContaining({ code: 'DATASET_BAD_CONFIG' }),
    );
    const noFov = { ...fundusImage('empty'), fov: new Uint8Array(W * H) };
    expect(() => new PatchSampler([noFov], samplerConfig())).toThrow(/empty has no FOV pixel/);
  });
});

describe('PatchStream', () => {
  it('prepares batches ahead and yields the sampler batches in order, whatever the depth', async () => {
    const images = [fundusImage('a')];
    const shallow = createPatchStream(images, samplerConfig(), { prefetch: 1 });
    const deep = createPatchStream(images, samplerConfig(), { prefetch: 6 });
    await settle(() => deep.ready === 6 && shallow.ready === 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Filled up to the prefetch depth, and no further.
    expect(deep.ready).toBe(6);
    expect(shallow.ready).toBe(1);
    const reference = new PatchSampler(images, samplerConfig());
    for (let k = 0; k < 8; k++) {
      const [a, b] = [await shallow.next(), await deep.next()];
      expect(a.index).toBe(k);
      expect(b.x).toEqual(a.x);
      expect(a.x).toEqual(reference.batch(k).x);
    }
    shallow.close();
    deep.close();
    expect(deep.ready).toBe(0);
    await expect(deep.next()).rejects.toMatchObject({ code: 'DATASET_BAD_CONFIG' });
  });

  it('ends after the number of batches asked for', async () => {
    const stream = createPatchStream([fundusImage('a')], samplerConfig(), {
      batches: 3,
      prefetch: 8,
    });
    await settle(() => stream.ready === 3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stream.ready).toBe(3);
    const indices: number[] = [];
    for await (const batch of stream) indices.push(batch.index);
    expect(indices).toEqual([0, 1, 2]);
    expect(stream.done).toBe(true);
    await expect(stream.next()).rejects.toMatchObject({
      message: expect.stringContaining('3 batches'),
    });
  });

  it('resumes from a start batch and iterates with for await', async () => {
    const images = [fundusImage('a')];
    const stream = createPatchStream(images, samplerConfig(), { startBatch: 10 });
    const indices: number[] = [];
    for await (const batch of stream) {
      indices.push(batch.index);
      if (indices.length === 3) stream.close();
    }
    expect(indices).toEqual([10, 11, 12]);
  });
});
