/**
 * Training options: JSON-serialisable, validated by zod, stored with every trained model so a
 * run can be repeated. The options every front end sets (seed, epochs, steps, batch, patch,
 * learning rate), their limits and defaults come from the contract's trainingOptionsSchema
 * (src/shared/api/training.ts); this file adds what only the compute process knows about.
 */
import { z } from 'zod';
import { TRAINING_DEFAULTS, trainingOptionsSchema } from '../../../shared/api/training';
import { augmentConfigSchema } from '../../engine/dataset/augment';

export const lossSchema = z
  .object({
    kind: z.enum(['bce', 'dice', 'bce-dice', 'weighted-bce']).default('bce'),
    /**
     * Weight of vessel pixels in `weighted-bce`; omitted: the background/vessel pixel ratio of
     * the training labels (capped at 10), so both classes weigh the same in total.
     */
    positiveWeight: z.number().positive().optional(),
    /**
     * U-Net's border weight map (Ronneberger et al. 2015): w0 * exp(-(d1 + d2)^2 / (2 sigma^2))
     * added to the weight of background pixels between two vessel segments. The paper uses
     * w0 = 10, sigma = 5 px.
     */
    borderWeight: z
      .object({ w0: z.number().min(0).default(10), sigma: z.number().positive().default(5) })
      .optional(),
  })
  .strict();

export const scheduleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('constant') }).strict(),
  /** Multiply the rate by `factor` every `everyEpochs` epochs. */
  z
    .object({
      kind: z.literal('step'),
      everyEpochs: z.number().int().min(1),
      factor: z.number().positive().max(1),
    })
    .strict(),
  /** Cosine decay from the initial rate to `minLearningRate` over all epochs. */
  z.object({ kind: z.literal('cosine'), minLearningRate: z.number().min(0).default(0) }).strict(),
  /** Multiply by `factor` when the monitored loss has not improved for `patience` epochs. */
  z
    .object({
      kind: z.literal('plateau'),
      factor: z.number().positive().max(1).default(0.1),
      patience: z.number().int().min(1).default(5),
      minLearningRate: z.number().min(0).default(1e-6),
    })
    .strict(),
]);

/** Every option of a training job: the contract's shared ones plus the compute process's own. */
export const trainOptionsSchema = trainingOptionsSchema.extend({
  /** Share of the training images held out for validation (by image, never by patch). */
  validationFraction: z.number().min(0).max(0.9).default(0.1),
  /** Fixed validation patches drawn once from the validation images. */
  validationPatches: z.number().int().min(0).default(1024),
  /**
   * Augmentation of training patches: true = all of the dataset area's (flips, turns,
   * rotation, elastic deformation, grey-value jitter), false = none, or its own config
   * (which alone can add rescaling and intensity ranges: `scale`, `intensity`).
   */
  augment: z.union([z.boolean(), augmentConfigSchema]).default(TRAINING_DEFAULTS.augment),
  loss: lossSchema.default({ kind: 'bce' }),
  schedule: scheduleSchema.default({ kind: 'constant' }),
  /** Stop when the validation loss has not improved by `minDelta` for `patience` epochs; null: never. */
  earlyStopping: z
    .object({
      patience: z.number().int().min(1).default(10),
      minDelta: z.number().min(0).default(1e-4),
    })
    .strict()
    .nullable()
    .default({ patience: 10, minDelta: 1e-4 }),
  /**
   * The loss is said to explode when its running mean exceeds `explodeFactor` times the lowest
   * running mean seen (after the first `warmupBatches` batches).
   */
  divergence: z
    .object({
      explodeFactor: z.number().min(1).default(10),
      warmupBatches: z.number().int().min(0).default(20),
    })
    .strict()
    .default({ explodeFactor: 10, warmupBatches: 20 }),
  /** Threshold for the validation F1. */
  threshold: z.number().min(0).max(1).default(0.5),
  /**
   * Keep every epoch's weights as a model folder in `<out>.epochs/epoch-NNN` (for weight
   * averaging: `average`), beside the best model in `<out>`.
   */
  keepEpochs: z.boolean().default(false),
});

export type TrainOptions = z.output<typeof trainOptionsSchema>;
export type TrainOptionsInput = z.input<typeof trainOptionsSchema>;
export type LossOptions = z.output<typeof lossSchema>;
export type ScheduleOptions = z.output<typeof scheduleSchema>;
