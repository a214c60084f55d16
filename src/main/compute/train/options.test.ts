import { describe, expect, it } from 'vitest';
import {
  isWholeNumberOption,
  TRAINING_DEFAULTS,
  TRAINING_LIMITS,
  type LimitedTrainingOption,
} from '../../../shared/api/training';
import { AUGMENT_NONE } from '../../engine/dataset/augment';
import { trainOptionsSchema } from './options';

describe('trainOptionsSchema', () => {
  it('has the contract’s limits for every option it shares with it', () => {
    const shared = (Object.keys(TRAINING_LIMITS) as LimitedTrainingOption[]).filter(
      (key) => key in trainOptionsSchema.shape,
    );
    expect(shared.sort()).toEqual(
      ['batchSize', 'epochs', 'learningRate', 'patchSize', 'seed', 'stepsPerEpoch'].sort(),
    );
    for (const key of shared) {
      const { min, max } = TRAINING_LIMITS[key];
      const whole = isWholeNumberOption(key);
      for (const value of [min, max])
        expect(trainOptionsSchema.safeParse({ [key]: value }).success, `${key} ${value}`).toBe(
          true,
        );
      for (const value of [whole ? min - 1 : min / 2, whole ? max + 1 : max * 1.5])
        expect(trainOptionsSchema.safeParse({ [key]: value }).success, `${key} ${value}`).toBe(
          false,
        );
    }
  });

  it('takes its run defaults from the contract and adds the compute process’s own', () => {
    const parsed = trainOptionsSchema.parse({});
    expect(parsed).toMatchObject(TRAINING_DEFAULTS);
    expect(parsed).toMatchObject({
      validationFraction: 0.1,
      validationPatches: 1024,
      loss: { kind: 'bce' },
      schedule: { kind: 'constant' },
      threshold: 0.5,
    });
    // Augmentation may still be a config of its own, and unknown keys are still refused.
    const augment = { ...AUGMENT_NONE, flips: true };
    expect(trainOptionsSchema.safeParse({ augment }).success).toBe(true);
    expect(trainOptionsSchema.safeParse({ epochz: 3 }).success).toBe(false);
  });
});
