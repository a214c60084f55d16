/**
 * Retrain's default settings per compute backend: the contract's CPU-speed defaults
 * (RETRAIN_DEFAULTS in api/training.ts) where training runs on the CPU, bigger batches and more
 * patches on a GPU, with the batch capped so the largest activation buffer fits the adapter.
 * Pure, so the engine (which fills what a caller leaves out) and the settings panel (which shows
 * the defaults for the backend app.info reports) compute the same numbers.
 *
 * The arithmetic, in patches (one 48x48 training sample each):
 *
 * - wasm, cpu, tensorflow, a software adapter (unchanged): 5 epochs x 50 steps x 16 = 4,000
 *   patches; at wasm's 20-30 patches/s on the 2-core machine that is 133-200 s, "minutes".
 * - GPU (webgpu on a hardware adapter, tensorflow-gpu): 2 epochs x 56 steps x 128 = 14,336
 *   patches, 3.6x the wasm default's 4,000. At the planning rate of 300 patches/s that is
 *   14,336 / 300 = 47.8 s, under 60 s with 12 s left for shader compilation on the first
 *   batches, the two validation passes (1,024 patches each, forward only) and checkpoints.
 *   Measured with tfjs-webgpu on an NVIDIA H200: LadderNet ~400 patches/s (35.8 s), bench-unet
 *   ~650 patches/s (22.1 s). More steps per epoch than wasm's 50 leaves room for 2 epochs only:
 *   3 x 56 x 128 = 21,504 patches would take 71.7 s at 300 patches/s.
 * - The learning rate follows the square-root scaling rule for Adam (Malladi et al. 2022, "On
 *   the SDEs and Scaling Rules for Adaptive Gradient Algorithms"): 1e-4 x sqrt(128 / 16) =
 *   2.8e-4. Adam moves each weight by about the rate per step, so 112 steps at 2.8e-4 move the
 *   weights about as far as wasm's 250 at 1e-4 (31e-3 against 25e-3), with less noise per step.
 */
import type { BackendName, GpuAdapterReport } from './api/app';
import {
  RETRAIN_ARCHS,
  RETRAIN_DEFAULTS,
  TRAINING_LIMITS,
  type RetrainSettings,
  type RetrainSettingsInput,
} from './api/training';
import { MODEL_PRESETS, type ModelConfig } from './model-config';

/** Patches per second the GPU defaults are planned for: below every rate measured on a GPU. */
export const GPU_PLANNING_PATCHES_PER_SECOND = 300;

/** The batch on a GPU when the adapter's buffers allow it. */
export const GPU_BATCH_SIZE = 128;

/** Epochs of a GPU fine-tune: two validation points to keep the better of. */
const GPU_EPOCHS = 2;

/** Patches per epoch on a GPU: 56 steps of 128. A smaller (memory-capped) batch takes more steps. */
const GPU_PATCHES_PER_EPOCH = 56 * GPU_BATCH_SIZE;

/**
 * WebGPU's guaranteed limits (the spec's defaults), for an adapter that reports none: a storage
 * binding of 128 MiB and a buffer of 256 MiB.
 */
const WEBGPU_DEFAULT_BINDING_BYTES = 128 * 2 ** 20;
const WEBGPU_DEFAULT_BUFFER_BYTES = 256 * 2 ** 20;

/**
 * The estimate below counts one tensor; its gradient, a padded copy or a concatenation's
 * output can be as large, so a batch may fill only half the limit.
 */
export const BUFFER_HEADROOM = 2;

/**
 * Bytes of the largest activation a single patch makes: side^2 x channels x 4 (float32) at full
 * resolution, where every network here is largest (each level down quarters the area and at
 * most doubles the channels).
 *
 * - U-Net encoder: the input side (the patch, plus for valid padding the receptive border
 *   4 x (3 x 2^depth - 2): two unpadded 3x3 convolutions per level down, at the bottom and per
 *   level up, 184 px for depth 4 as in the paper's 572 -> 388) times `baseWidth` channels.
 * - U-Net decoder, finest level: the patch side times the concatenation of the skip
 *   (`baseWidth`) and the upsampled tensor (nearest upsampling keeps the level below's
 *   2 x `baseWidth`, a transposed convolution halves it to `baseWidth`); add or no skips: the
 *   upsampled tensor alone.
 * - LadderNet: the patch side times `filters` (its skips add, so no level is wider).
 */
export function activationBytesPerPatch(model: ModelConfig, patchSize: number): number {
  const floats = 4;
  if (model.arch === 'laddernet') return patchSize ** 2 * model.filters * floats;
  const width = model.baseWidth;
  const upsampled = model.upsampling === 'nearest' ? 2 * width : width;
  const decoderChannels = model.skip === 'concat' ? width + upsampled : upsampled;
  const border = model.padding === 'valid' ? 4 * (3 * 2 ** model.depth - 2) : 0;
  const encoder = (patchSize + border) ** 2 * width;
  const decoder = patchSize ** 2 * decoderChannels;
  return Math.max(encoder, decoder) * floats;
}

/** The largest buffer tfjs-webgpu may bind: the smaller of the adapter's two limits. */
export function adapterBufferLimit(adapter: GpuAdapterReport | undefined): number {
  const binding = adapter?.maxStorageBufferBindingSize || WEBGPU_DEFAULT_BINDING_BYTES;
  const buffer = adapter?.maxBufferSize || WEBGPU_DEFAULT_BUFFER_BYTES;
  return Math.min(binding, buffer);
}

/** Whether training on this backend runs on a GPU (a software WebGPU adapter runs on the CPU). */
export function trainsOnGpu(backend: BackendName | null, adapter?: GpuAdapterReport): boolean {
  if (backend === 'tensorflow-gpu') return true;
  return backend === 'webgpu' && adapter !== undefined && !adapter.software;
}

/** Largest power of two not above `value` (at least 1). */
function powerOfTwoAtMost(value: number): number {
  return value < 2 ? 1 : 2 ** Math.floor(Math.log2(value));
}

/** Two significant digits: learning rates read 2.8e-4, not 2.8284271247461903e-4. */
function twoDigits(value: number): number {
  return Number(value.toPrecision(2));
}

/**
 * Retrain's default settings for a backend. On a GPU: batch 128 (less when the adapter's buffer
 * limit cannot hold the largest activation of `model`'s batch), 7,168 patches per epoch,
 * 2 epochs, a square-root-scaled learning rate; elsewhere RETRAIN_DEFAULTS. Without `model`
 * the largest of the studio's architectures is assumed, so the batch fits whichever is trained.
 */
export function defaultRetrainSettings(
  backend: BackendName | null,
  adapter?: GpuAdapterReport,
  model?: ModelConfig,
): RetrainSettings {
  const base = { ...RETRAIN_DEFAULTS };
  if (!trainsOnGpu(backend, adapter)) return base;
  let batchSize = GPU_BATCH_SIZE;
  // Only WebGPU reports per-buffer limits; CUDA allocates without one.
  if (backend === 'webgpu') {
    const models = model ? [model] : RETRAIN_ARCHS.map((name) => MODEL_PRESETS[name]);
    const perPatch = Math.max(...models.map((m) => activationBytesPerPatch(m, base.patchSize)));
    const fits = Math.floor(adapterBufferLimit(adapter) / BUFFER_HEADROOM / perPatch);
    batchSize = Math.min(GPU_BATCH_SIZE, powerOfTwoAtMost(fits));
  }
  const { stepsPerEpoch, learningRate } = TRAINING_LIMITS;
  return {
    ...base,
    epochs: GPU_EPOCHS,
    batchSize,
    // A smaller batch takes more steps, so every epoch still sees 7,168 patches.
    stepsPerEpoch: Math.min(stepsPerEpoch.max, Math.ceil(GPU_PATCHES_PER_EPOCH / batchSize)),
    learningRate: Math.min(
      learningRate.max,
      twoDigits(RETRAIN_DEFAULTS.learningRate * Math.sqrt(batchSize / RETRAIN_DEFAULTS.batchSize)),
    ),
  };
}

/** The settings a run uses: those given, the rest from `defaults` (undefined counts as not given). */
export function withRetrainDefaults(
  given: RetrainSettingsInput,
  defaults: RetrainSettings,
): RetrainSettings {
  const chosen = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { ...defaults, ...chosen };
}

/** Patches a run trains on: epochs x steps x batch. */
export function patchesSeen(
  settings: Pick<RetrainSettings, 'epochs' | 'stepsPerEpoch' | 'batchSize'>,
): number {
  return settings.epochs * settings.stepsPerEpoch * settings.batchSize;
}

/**
 * Patches the quick fine-tune trains on, in one epoch: 640, 21-32 s at wasm's 20-30 patches/s
 * on two cores; on a GPU a few seconds.
 */
export const QUICK_PATCHES = 640;

/**
 * Validation patches of the quick fine-tune, scored twice (the starting model, then the one
 * epoch): half the full run's 1,024, as scoring them costs about as much as the training itself
 * on the CPU. Both scores use the same patches, so the activation decision stays like for like.
 */
export const QUICK_VALIDATION_PATCHES = 512;

/**
 * The quick fine-tune: `defaults` (the backend's Retrain defaults, whose batch and learning
 * rate it keeps) narrowed to the corrected images and their neighbourhoods, one short epoch.
 */
export function quickRetrainSettings(defaults: RetrainSettings): RetrainSettings {
  return {
    ...defaults,
    fineTune: true,
    scope: 'corrections',
    epochs: 1,
    stepsPerEpoch: Math.max(1, Math.ceil(QUICK_PATCHES / defaults.batchSize)),
  };
}
