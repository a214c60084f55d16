/**
 * The model configuration stored with every model version, and the metadata file (vessel.json)
 * beside its weights. Pure (zod only) so the renderer can validate, show and edit both.
 */
import { z } from 'zod';

/**
 * Preprocessing is owned by the dataset area; a model stores the object it was trained with
 * verbatim so inference can repeat it. Kept opaque here so this file stays pure.
 */
export const preprocessingSchema = z.record(z.string(), z.unknown());

/**
 * How the model is run when the caller does not say. `flips`: each prediction is the mean over
 * the four flips (4x the time); `turns`, with flips: over the transposed image's four flips too,
 * the eight symmetries of the square (8x the time). Fine-tuning keeps its model's setting; its
 * figures are measured so.
 */
export const inferenceSettingsSchema = z
  .object({ flips: z.boolean(), turns: z.boolean().optional() })
  .strict();

const outputSchema = z
  .enum(['sigmoid', 'softmax'])
  .describe('sigmoid: one vessel-probability channel; softmax: two channels (background, vessel)');

/** The fields every architecture has, with the same limits (last in each config, in this order). */
const sharedConfigFields = {
  /** Whole-channel dropout inside shared-residual blocks (LadderNet: 0.25). */
  blockDropout: z.number().min(0).max(0.9),
  /**
   * Batch normalisation after every 3x3 convolution of a block. LadderNet's released code has
   * none; the paper's figure shows it.
   */
  batchNorm: z.boolean(),
  output: outputSchema,
  inputChannels: z.number().int().min(1).max(4),
  preprocessing: preprocessingSchema.nullable(),
  inference: inferenceSettingsSchema.optional(),
};

/** U-Net (Ronneberger et al. 2015) with the ablation switches docs/ablation.md's table runs. */
export const unetConfigSchema = z
  .object({
    arch: z.literal('unet'),
    /** Number of 2x2 poolings (the paper: 4). */
    depth: z.number().int().min(1).max(6),
    /** Channels at the finest level; they double per level (the paper: 64, so 64..1024). */
    baseWidth: z.number().int().min(1).max(1024),
    /** 'valid': unpadded convolutions as in the paper (output smaller than input); 'same' keeps the size. */
    padding: z.enum(['valid', 'same']),
    /** 'shared-residual': LadderNet's block (one 3x3 conv applied twice, plus the input) at every level. */
    block: z.enum(['plain', 'shared-residual']),
    skip: z.enum(['concat', 'add', 'none']),
    /** 'transpose': the paper's 2x2 up-convolution halving the channels; 'nearest': parameter-free. */
    upsampling: z.enum(['transpose', 'nearest']),
    /** Dropout rate at the end of the contracting path (0 disables it). */
    dropout: z.number().min(0).max(0.9),
    ...sharedConfigFields,
  })
  .refine((c) => !(c.skip === 'add' && c.upsampling === 'nearest'), {
    message:
      "skip 'add' needs upsampling 'transpose': nearest upsampling keeps twice the skip's channels, so they cannot be added",
    path: ['skip'],
  });

/** LadderNet (Zhuang 2018): two U-Nets chained, as in the released code (LadderNetv65.py). */
export const ladderNetConfigSchema = z.object({
  arch: z.literal('laddernet'),
  /** Number of stride-2 downsamplings per U-Net (released: 4). */
  layers: z.number().int().min(1).max(6),
  /** Channels at the finest level, doubling per level (released: 10). */
  filters: z.number().int().min(1).max(256),
  ...sharedConfigFields,
});

export const modelConfigSchema = z.discriminatedUnion('arch', [
  unetConfigSchema,
  ladderNetConfigSchema,
]);

export type UnetConfig = z.infer<typeof unetConfigSchema>;
export type LadderNetConfig = z.infer<typeof ladderNetConfigSchema>;
export type ModelConfig = z.infer<typeof modelConfigSchema>;

/** The paper's U-Net: 4 poolings, 64..1024, valid convolutions, 2 softmax outputs (31,030,658 parameters). */
const unetPaper: UnetConfig = {
  arch: 'unet',
  depth: 4,
  baseWidth: 64,
  padding: 'valid',
  block: 'plain',
  skip: 'concat',
  upsampling: 'transpose',
  dropout: 0.5,
  blockDropout: 0,
  batchNorm: false,
  output: 'softmax',
  inputChannels: 1,
  preprocessing: null,
};

/** A small U-Net for this machine: 3 poolings, 16..128, same padding, nearest upsampling (487,009 parameters). */
const benchUnet: UnetConfig = {
  arch: 'unet',
  depth: 3,
  baseWidth: 16,
  padding: 'same',
  block: 'plain',
  skip: 'concat',
  upsampling: 'nearest',
  dropout: 0.2,
  blockDropout: 0,
  batchNorm: false,
  output: 'sigmoid',
  inputChannels: 1,
  preprocessing: null,
};

export const MODEL_PRESETS = {
  'unet-paper': unetPaper,
  'bench-unet': benchUnet,
  /** bench-unet with LadderNet's shared-weights residual block at every level (the ablation's pair). */
  'unet-shared-residual': { ...benchUnet, block: 'shared-residual', blockDropout: 0.25 },
  /** The released LadderNet configuration (run_training.py: layers 4, filters 10). */
  laddernet: {
    arch: 'laddernet',
    layers: 4,
    filters: 10,
    blockDropout: 0.25,
    batchNorm: false,
    output: 'softmax',
    inputChannels: 1,
    preprocessing: null,
  },
} as const satisfies Record<string, ModelConfig>;

export type ModelPresetName = keyof typeof MODEL_PRESETS;

export const MODEL_PRESET_NAMES = Object.keys(MODEL_PRESETS) as ModelPresetName[];

/** A fresh copy of a named preset (callers may edit it, e.g. to attach preprocessing). */
export function modelPreset(name: ModelPresetName): ModelConfig {
  return structuredClone(MODEL_PRESETS[name]) as ModelConfig;
}

/** Poolings (U-Net) or stride-2 steps (LadderNet): whole-image sizes must be multiples of 2^this. */
export function downsamplingSteps(config: ModelConfig): number {
  return config.arch === 'unet' ? config.depth : config.layers;
}

/** The newest vessel.json layout this code reads and writes. */
export const MODEL_FORMAT_VERSION = 1;

/**
 * The scale of the images a model was trained on: the median FOV diameter in pixels (the most
 * FOV pixels in any row or column of a mask; compute/rescale.ts) over `images` training images,
 * and the kernel inference resamples other images with to match it.
 */
export const trainingScaleSchema = z
  .object({
    fovDiameter: z.number().positive(),
    images: z.number().int().min(1),
    resample: z.literal('bicubic'),
  })
  .strict();

export type TrainingScale = z.infer<typeof trainingScaleSchema>;

/** vessel.json: what a model folder knows about itself besides the tfjs files. */
export const modelMetaSchema = z.object({
  format: z.literal('vessel-studio-model'),
  formatVersion: z.number().int().min(1),
  config: modelConfigSchema,
  parameterCount: z.number().int().min(0),
  createdAt: z.string(),
  /** Free-form label shown in the models panel. */
  name: z.string().optional(),
  /** One entry per epoch (owned by training: loss, validation loss, AUC, F1, seconds...). */
  trainingLog: z.array(z.record(z.string(), z.unknown())),
  /** Test-set figures (owned by evaluation: AUC, F1, protocol...). */
  figures: z.record(z.string(), z.unknown()),
  /** Anything else training wants to keep (data folder, seed, wall time, parent version...). */
  training: z.record(z.string(), z.unknown()).optional(),
  /** The training images' scale; absent: inference never resamples by itself (--scale auto acts as off). */
  trainingScale: trainingScaleSchema.optional(),
});

export type ModelMeta = z.infer<typeof modelMetaSchema>;

/** Whether to average flips: what the caller asked, else the model's own setting, else no. */
export function flipsFor(config: Pick<ModelConfig, 'inference'>, asked?: boolean): boolean {
  return asked ?? config.inference?.flips ?? false;
}

/** Whether flips also take quarter turns: what the caller asked, else the model's own setting, else no. */
export function turnsFor(config: Pick<ModelConfig, 'inference'>, asked?: boolean): boolean {
  return asked ?? config.inference?.turns ?? false;
}

/**
 * The views each prediction averages, in words for reports: null for one prediction, else "four
 * flips" or, with turns, "eight flips and quarter turns" (turns count only with flips).
 */
export function viewsText(flips: boolean, turns: boolean): string | null {
  if (!flips) return null;
  return turns ? 'eight flips and quarter turns' : 'four flips';
}
