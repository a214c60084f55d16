import { describe, expect, it } from 'vitest';
import type { EpochRecord } from '../../compute/train/job';
import { activationDecision, cancelledDecision } from './activation';

function best(valAuc: number | null, valLoss: number | null = 0.2): EpochRecord {
  return { epoch: 2, loss: 0.3, valLoss, valAuc, valF1: 0.7, learningRate: 1e-4, seconds: 1 };
}

describe('activationDecision', () => {
  it('activates a version at least as good on validation AUC as the one it started from', () => {
    const better = activationDecision(
      { best: best(0.975), baseline: { loss: 0.25, auc: 0.97, f1: 0.7 } },
      'v3',
      'v2',
    );
    expect(better.activate).toBe(true);
    expect(better.message).toContain('0.9750');
    const equal = activationDecision(
      { best: best(0.97), baseline: { loss: 0.1, auc: 0.97, f1: 0.7 } },
      'v3',
      'v2',
    );
    expect(equal.activate).toBe(true);
  });

  it('keeps the old version active when the new one scored worse, and says how to switch', () => {
    const worse = activationDecision(
      { best: best(0.96), baseline: { loss: 0.25, auc: 0.97, f1: 0.7 } },
      'v3',
      'v2',
    );
    expect(worse.activate).toBe(false);
    expect(worse.message).toMatch(/v2 stays active/);
    expect(worse.message).toMatch(/Activate v3 from the models panel/);
  });

  it('falls back to the validation loss where either AUC is missing', () => {
    const lossWorse = activationDecision(
      { best: best(null, 0.3), baseline: { loss: 0.25, auc: 0.97, f1: null } },
      'v3',
      'v2',
    );
    expect(lossWorse.activate).toBe(false);
    expect(lossWorse.message).toContain('validation loss');
    const lossBetter = activationDecision(
      { best: best(null, 0.2), baseline: { loss: 0.25, auc: null, f1: null } },
      'v3',
      'v2',
    );
    expect(lossBetter.activate).toBe(true);
  });

  it('activates a run from scratch or one without validation figures, saying why', () => {
    expect(activationDecision({ best: best(0.9), baseline: null }, 'v1', null)).toMatchObject({
      activate: true,
      message: expect.stringMatching(/from scratch/),
    });
    expect(activationDecision({ best: best(0.9), baseline: null }, 'v3', 'v2')).toMatchObject({
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
