import { describe, expect, it } from 'vitest';
import type { EpochRecord, TrainSummary } from '../../compute/train/job';
import { activationDecision, cancelledDecision } from './activation';

function best(valAuc: number | null, valLoss: number | null = 0.2): EpochRecord {
  return { epoch: 2, loss: 0.3, valLoss, valAuc, valF1: 0.7, learningRate: 1e-4, seconds: 1 };
}

/** The decision on v3, trained from v2, given v3's best epoch and v2's validation figures. */
function v3FromV2(bestOfV3: EpochRecord, baseline: TrainSummary['baseline']) {
  return activationDecision({ best: bestOfV3, baseline }, 'v3', 'v2');
}

describe('activationDecision', () => {
  it('activates a version at least as good on validation AUC as the one it started from', () => {
    const better = v3FromV2(best(0.975), { loss: 0.25, auc: 0.97, f1: 0.7 });
    expect(better.activate).toBe(true);
    expect(better.message).toContain('0.9750');
    const equal = v3FromV2(best(0.97), { loss: 0.1, auc: 0.97, f1: 0.7 });
    expect(equal.activate).toBe(true);
  });

  it('keeps the old version active when the new one scored worse, and says how to switch', () => {
    const worse = v3FromV2(best(0.96), { loss: 0.25, auc: 0.97, f1: 0.7 });
    expect(worse.activate).toBe(false);
    expect(worse.message).toMatch(/v2 stays active/);
    expect(worse.message).toMatch(/Activate v3 from the models panel/);
  });

  it('falls back to the validation loss where either AUC is missing', () => {
    const lossWorse = v3FromV2(best(null, 0.3), { loss: 0.25, auc: 0.97, f1: null });
    expect(lossWorse.activate).toBe(false);
    expect(lossWorse.message).toContain('validation loss');
    const lossBetter = v3FromV2(best(null, 0.2), { loss: 0.25, auc: null, f1: null });
    expect(lossBetter.activate).toBe(true);
  });

  it('activates a run from scratch or one without validation figures, saying why', () => {
    expect(activationDecision({ best: best(0.9), baseline: null }, 'v1', null)).toMatchObject({
      activate: true,
      message: expect.stringMatching(/from scratch/),
    });
    expect(v3FromV2(best(0.9), null)).toMatchObject({
      activate: true,
      message: expect.stringMatching(/no validation figures/),
    });
  });

  it('never activates a cancelled run, saying in which phase it stopped and what is kept', () => {
    expect(cancelledDecision('training', 'v3', 'v2')).toEqual({
      activate: false,
      message: expect.stringMatching(
        /^Cancelled while training: v3 \(its best epoch so far\).*v2 stays active/,
      ),
    });
    expect(cancelledDecision('evaluation', 'v3', null).message).toMatch(
      /^Cancelled while evaluating: v3 \(the trained model\) is kept/,
    );
  });
});
