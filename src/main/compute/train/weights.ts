/**
 * Per-pixel loss weights: class weights (vessels are about an eighth of a DRIVE image, so an
 * unweighted loss favours background), U-Net's border weight map, and the caller's own weight
 * map (corrected pixels weighted up when fine-tuning). The map of an image is
 * caller weight x (class weight + border weight).
 */
import type { LossOptions } from './options';
import type { TrainImage } from './job';

/** Cap on the automatic vessel weight, so a nearly empty label cannot blow up the loss. */
const MAX_AUTO_POSITIVE_WEIGHT = 10;

/** Background/vessel pixel ratio over the images (inside their FOV), capped at 10. */
export function balancedPositiveWeight(
  images: ReadonlyArray<Pick<TrainImage, 'label' | 'fov'>>,
): number {
  let positives = 0;
  let negatives = 0;
  for (const image of images) {
    for (let i = 0; i < image.label.length; i++) {
      if (image.fov && !image.fov[i]) continue;
      if (image.label[i]) positives++;
      else negatives++;
    }
  }
  if (positives === 0) return 1;
  return Math.min(MAX_AUTO_POSITIVE_WEIGHT, Math.max(1, negatives / positives));
}

/**
 * U-Net's border term w0 * exp(-(d1 + d2)^2 / (2 sigma^2)) for each background pixel, where d1
 * and d2 are the distances to the nearest and second nearest vessel segment (8-connected
 * components). Distances are followed up to 3 sigma: a pixel whose second segment is further
 * away gets at most w0 * e^-4.5 (about 1% of w0), which is dropped.
 */
export function borderWeightMap(
  label: Uint8Array,
  width: number,
  height: number,
  w0: number,
  sigma: number,
): Float32Array {
  const components = labelComponents(label, width, height);
  const radius = Math.ceil(3 * sigma);
  const d1 = new Float32Array(width * height).fill(Infinity);
  const d2 = new Float32Array(width * height).fill(Infinity);
  const c1 = new Int32Array(width * height).fill(-1);
  const c2 = new Int32Array(width * height).fill(-1);
  const offsets: Array<[number, number, number]> = [];
  for (let dy = -radius; dy <= radius; dy++) {
    for (let dx = -radius; dx <= radius; dx++) {
      const d = Math.hypot(dx, dy);
      if (d <= radius && d > 0) offsets.push([dy, dx, d]);
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const k = components[i] as number;
      if (k < 0 || !isBoundary(components, width, height, x, y)) continue;
      for (const [dy, dx, d] of offsets) {
        const ty = y + dy;
        const tx = x + dx;
        if (ty < 0 || ty >= height || tx < 0 || tx >= width) continue;
        const t = ty * width + tx;
        if ((components[t] as number) >= 0) continue;
        // Keep the two nearest distinct components of each background pixel.
        if (c1[t] === k) {
          if (d < (d1[t] as number)) d1[t] = d;
        } else if (d < (d1[t] as number)) {
          d2[t] = d1[t] as number;
          c2[t] = c1[t] as number;
          d1[t] = d;
          c1[t] = k;
        } else if (c2[t] === k) {
          if (d < (d2[t] as number)) d2[t] = d;
        } else if (d < (d2[t] as number)) {
          d2[t] = d;
          c2[t] = k;
        }
      }
    }
  }
  const map = new Float32Array(width * height);
  const twoSigmaSquared = 2 * sigma * sigma;
  for (let i = 0; i < map.length; i++) {
    const sum = (d1[i] as number) + (d2[i] as number);
    if (Number.isFinite(sum)) map[i] = w0 * Math.exp(-(sum * sum) / twoSigmaSquared);
  }
  return map;
}

/** 8-connected components of the vessel pixels: component index per pixel, -1 for background. */
export function labelComponents(label: Uint8Array, width: number, height: number): Int32Array {
  const components = new Int32Array(width * height).fill(-1);
  const stack: number[] = [];
  let next = 0;
  for (let start = 0; start < components.length; start++) {
    if (!label[start] || (components[start] as number) >= 0) continue;
    components[start] = next;
    stack.push(start);
    while (stack.length > 0) {
      const i = stack.pop() as number;
      const y = Math.floor(i / width);
      const x = i - y * width;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const ny = y + dy;
          const nx = x + dx;
          if (ny < 0 || ny >= height || nx < 0 || nx >= width) continue;
          const j = ny * width + nx;
          if (label[j] && components[j] === -1) {
            components[j] = next;
            stack.push(j);
          }
        }
      }
    }
    next++;
  }
  return components;
}

function isBoundary(
  components: Int32Array,
  width: number,
  height: number,
  x: number,
  y: number,
): boolean {
  if (x === 0 || y === 0 || x === width - 1 || y === height - 1) return true;
  const i = y * width + x;
  return (
    components[i - 1] === -1 ||
    components[i + 1] === -1 ||
    components[i - width] === -1 ||
    components[i + width] === -1
  );
}

/** The loss weight of every pixel of one image. */
export function lossWeightMap(
  image: TrainImage,
  loss: LossOptions,
  positiveWeight: number,
): Float32Array {
  const size = image.width * image.height;
  const weights = new Float32Array(size);
  const vesselWeight = loss.kind === 'weighted-bce' ? positiveWeight : 1;
  const border = loss.borderWeight
    ? borderWeightMap(
        image.label,
        image.width,
        image.height,
        loss.borderWeight.w0,
        loss.borderWeight.sigma,
      )
    : null;
  for (let i = 0; i < size; i++) {
    const classWeight = image.label[i] ? vesselWeight : 1;
    const userWeight = image.weight ? (image.weight[i] as number) : 1;
    weights[i] = userWeight * (classWeight + (border ? (border[i] as number) : 0));
  }
  return weights;
}
