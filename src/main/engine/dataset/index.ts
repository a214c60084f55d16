/**
 * The dataset area: open a retinal dataset folder, decode and preprocess its images, and stream
 * augmented training batches. Typical use by training:
 *
 * ```ts
 * const dataset = await openDataset(folder);             // throws AppError DATASET_... if unusable
 * const entries = dataset.splits.training ?? [];         // ImageEntry[]; dataset.problems lists skips
 * const images = await loadTrainingImages(entries, PREPROCESS_RECIPES.laddernet);
 * const stream = createPatchStream(images, {
 *   mode: 'patch', patchSize: 48, batchSize: 32, centres: 'fov', vesselFraction: null,
 *   augment: AUGMENT_ALL, seed: 1,
 * }, { prefetch: 4 });                 // { batches: n } ends it after n batches (an epoch)
 * const batch = await stream.next();   // { x: NHWC Float32Array, y: NHW1 0/1, fov, shape }
 * // tf.tensor4d(batch.x, batch.shape), tf.tensor4d(batch.y, [...batch.shape.slice(0, 3), 1])
 * stream.close();
 * ```
 *
 * `new PatchSampler(images, config).batch(k)` gives batch k synchronously (the same batch the
 * stream gives for that index): use another seed, or other images, for a validation stream.
 * Lower level, for samplers of their own (e.g. with loss-weight maps): `drawTransform(augment,
 * random)` draws one sample's augmentation and `renderSample(image, cx, cy, transform, target)`
 * renders it; rendering a second image (a weight map) with the same transform keeps it aligned.
 * Whole-image inference uses `loadRgb` + `preprocessImages` with the model's stored config.
 */
export type {
  DatasetIndex,
  DatasetProblem,
  ImageEntry,
  LayoutName,
  Observer,
  RgbImage,
  SplitName,
} from './types';
export { DATASET_ERRORS, type DatasetErrorCode } from './errors';
export { openDataset, allEntries, type OpenOptions, type VerifyLevel } from './open';
export { LAYOUTS_LOOKED_FOR } from './discover';
export {
  loadRgb,
  loadLabel,
  loadFov,
  decodeFile,
  readImageSize,
  binarise,
  imageLimits,
  MAX_IMAGE_PIXELS,
  MAX_IMAGE_PIXELS_ENV,
} from './decode';
export { deriveFov } from './fov';
export {
  PREPROCESS_RECIPES,
  preprocessConfigSchema,
  parsePreprocessConfig,
  preprocessImages,
  type PreprocessConfig,
  type PreprocessRecipeName,
} from './preprocess';
export { claheEqualize, type ClaheOptions } from './clahe';
export {
  AUGMENT_ALL,
  AUGMENT_NONE,
  augmentConfigSchema,
  type AugmentConfig,
  type TrainingImage,
} from './augment';
export {
  PatchSampler,
  PatchStream,
  createPatchStream,
  samplerConfigSchema,
  type Batch,
  type SamplerConfig,
  type StreamOptions,
} from './sampler';
export { loadTrainingImages } from './training-images';
export { summariseDataset, type DatasetSummary, type SplitSummary } from './summary';
export { SeededRandom } from './random';
