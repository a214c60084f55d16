import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/result';
import { DivergenceWatch } from './divergence';
import { EarlyStopping } from './early-stopping';
import { TRAIN_ERROR_CODES } from './job';
import { LearningRateSchedule } from './schedule';

const where = { epoch: 3, batch: 7, learningRate: 0.01, checkpointDir: '/runs/a.checkpoint' };

describe('learning-rate schedules', () => {
  it('step multiplies every N epochs; cosine runs from the initial rate to the minimum', () => {
    const step = new LearningRateSchedule({ kind: 'step', everyEpochs: 2, factor: 0.1 }, 1e-3, 10);
    expect([0, 1, 2, 3, 4].map((e) => step.rateForEpoch(e))).toEqual([
      1e-3,
      1e-3,
      1e-4,
      1e-4,
      expect.closeTo(1e-5, 12),
    ]);
    const cosine = new LearningRateSchedule({ kind: 'cosine', minLearningRate: 1e-5 }, 1e-3, 5);
    expect(cosine.rateForEpoch(0)).toBeCloseTo(1e-3, 12);
    expect(cosine.rateForEpoch(2)).toBeCloseTo((1e-3 + 1e-5) / 2, 12);
    expect(cosine.rateForEpoch(4)).toBeCloseTo(1e-5, 12);
  });

  it('reduce-on-plateau lowers the rate after `patience` epochs without improvement, and resumes from its state', () => {
    const plateau = new LearningRateSchedule(
      { kind: 'plateau', factor: 0.5, patience: 2, minLearningRate: 0.2 },
      1,
      10,
    );
    plateau.endEpoch(1.0);
    plateau.endEpoch(1.1);
    expect(plateau.rateForEpoch(2)).toBe(1);
    plateau.endEpoch(1.05);
    expect(plateau.rateForEpoch(3)).toBe(0.5);
    const resumed = new LearningRateSchedule(
      { kind: 'plateau', factor: 0.5, patience: 2, minLearningRate: 0.2 },
      1,
      10,
      plateau.snapshot(),
    );
    resumed.endEpoch(2);
    resumed.endEpoch(2);
    resumed.endEpoch(2);
    resumed.endEpoch(2);
    expect(resumed.rateForEpoch(7)).toBe(0.2);
  });
});

describe('early stopping', () => {
  it('marks improvements by more than minDelta and stops after `patience` epochs without one', () => {
    const early = new EarlyStopping({ patience: 2, minDelta: 0.01 });
    expect(early.record(1, 0.5)).toEqual({ improved: true, stop: false });
    expect(early.record(2, 0.495)).toEqual({ improved: false, stop: false });
    expect(early.record(3, 0.4)).toEqual({ improved: true, stop: false });
    expect(early.record(4, 0.45)).toEqual({ improved: false, stop: false });
    expect(early.record(5, 0.41)).toEqual({ improved: false, stop: true });
    expect(early.bestEpoch).toBe(3);
    const never = new EarlyStopping(null);
    for (let e = 1; e < 20; e++) expect(never.record(e, 1).stop).toBe(false);
  });
});

describe('divergence', () => {
  it('throws TRAIN_DIVERGED for a NaN or infinite loss, naming the checkpoint and a lower rate', () => {
    const watch = new DivergenceWatch({ explodeFactor: 10, warmupBatches: 5 });
    for (const bad of [NaN, Infinity]) {
      try {
        watch.check(bad, where);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe(TRAIN_ERROR_CODES.DIVERGED);
        expect((error as AppError).message).toContain('/runs/a.checkpoint');
        expect((error as AppError).message).toContain('try 0.0010');
      }
    }
  });

  it('detects a running loss exploding past its lowest, but not ordinary noise', () => {
    const watch = new DivergenceWatch({ explodeFactor: 10, warmupBatches: 5 });
    for (let i = 0; i < 200; i++) watch.check(0.3 + 0.2 * Math.sin(i), where);
    expect(() => {
      for (let i = 0; i < 200; i++) watch.check(50, where);
    }).toThrow(/running loss rose to .* more than 10 times its lowest/);
  });
});
