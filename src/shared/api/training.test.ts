import { describe, expect, it } from 'vitest';
import {
  isWholeNumberOption,
  RETRAIN_DEFAULTS,
  retrainSettingsInputSchema,
  retrainSettingsSchema,
  TRAINING_DEFAULTS,
  TRAINING_LIMITS,
  trainingOptionsSchema,
  trainingRequests,
  type LimitedTrainingOption,
} from './training';

const LIMITED = Object.keys(TRAINING_LIMITS) as LimitedTrainingOption[];

/** Values just inside and just outside an option's limits. */
function boundaryValues(key: LimitedTrainingOption) {
  const { min, max } = TRAINING_LIMITS[key];
  const whole = isWholeNumberOption(key);
  return {
    inside: [min, max],
    outside: [whole ? min - 1 : min / 2, whole ? max + 1 : max * 1.5],
  };
}

describe('the training options contract', () => {
  it('takes every limit from TRAINING_LIMITS, in the run options and the Retrain settings alike', () => {
    const retrainKeys = Object.keys(retrainSettingsSchema.shape);
    const runKeys = Object.keys(trainingOptionsSchema.shape);
    for (const key of LIMITED) {
      const { inside, outside } = boundaryValues(key);
      const schemas = [
        ...(runKeys.includes(key) ? [trainingOptionsSchema] : []),
        ...(retrainKeys.includes(key) ? [retrainSettingsInputSchema] : []),
      ];
      expect(schemas.length, key).toBeGreaterThan(0);
      for (const schema of schemas) {
        for (const value of inside)
          expect(schema.safeParse({ [key]: value }).success, key).toBe(true);
        for (const value of outside)
          expect(schema.safeParse({ [key]: value }).success, `${key} ${value}`).toBe(false);
      }
    }
    expect(trainingOptionsSchema.safeParse({ epochs: 2.5 }).success).toBe(false);
    expect(retrainSettingsInputSchema.safeParse({ batchSize: 16.5 }).success).toBe(false);
  });

  it('fills a run’s defaults from TRAINING_DEFAULTS', () => {
    expect(trainingOptionsSchema.parse({})).toEqual(TRAINING_DEFAULTS);
  });

  it('keeps Retrain’s defaults within the limits, and training.start fills none itself', () => {
    expect(retrainSettingsSchema.parse(RETRAIN_DEFAULTS)).toEqual(RETRAIN_DEFAULTS);
    // The engine fills what is left out, for its backend and model (defaultRetrainSettings).
    expect(trainingRequests['training.start'].input.parse({})).toEqual({ settings: {} });
    expect(trainingRequests['training.start'].input.parse({ settings: { epochs: 3 } })).toEqual({
      settings: { epochs: 3 },
    });
    expect(
      trainingRequests['training.start'].input.safeParse({
        settings: { epochs: TRAINING_LIMITS.epochs.max + 1 },
      }).success,
    ).toBe(false);
    expect(retrainSettingsInputSchema.safeParse({ unknown: 1 }).success).toBe(false);
  });
});
