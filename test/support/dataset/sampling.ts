/** What the augmentation and sampler tests render into and sample with. */
import {
  AUGMENT_ALL,
  renderSample,
  type RenderTarget,
  type SampleTransform,
  type TrainingImage,
} from '../../../src/main/engine/dataset/augment';
import type { SamplerConfig } from '../../../src/main/engine/dataset/sampler';
import { maskImage } from '../mask-image';

/**
 * One sample of size x size centred on source pixel (cx, cy) under transform t, rendered into a
 * new target with label and FOV outputs, or (withMasks false) the image alone.
 */
export function renderPatch(
  source: TrainingImage,
  cx: number,
  cy: number,
  t: SampleTransform,
  size: number,
  withMasks = true,
): RenderTarget {
  const target = renderTarget(size, withMasks);
  renderSample(source, cx, cy, t, target);
  return target;
}

/** A one-sample render target of size x size, with or without label and FOV outputs. */
function renderTarget(size: number, withMasks: boolean): RenderTarget {
  const n = size * size;
  return {
    x: new Float32Array(n),
    y: withMasks ? new Float32Array(n) : null,
    fov: withMasks ? new Uint8Array(n) : null,
    pixelOffset: 0,
    height: size,
    width: size,
  };
}

/** 24 px patches, 8 a batch, centred in the FOV, unbalanced, every augmentation, seed 7. */
export function samplerConfig(overrides: Partial<SamplerConfig> = {}): SamplerConfig {
  return {
    mode: 'patch',
    patchSize: 24,
    batchSize: 8,
    centres: 'fov',
    vesselFraction: null,
    augment: AUGMENT_ALL,
    seed: 7,
    ...overrides,
  };
}

/**
 * A size x size image with a vertical bright bar `bar` px wide through its middle, labelled as
 * vessel, the whole image its FOV: the augmentation tests measure widths and positions on it.
 */
export function barImage(size: number, bar: number): TrainingImage {
  const start = size / 2 - bar / 2;
  return maskImage('bar', size, size, (x) => x >= start && x < start + bar, 'whole image');
}
