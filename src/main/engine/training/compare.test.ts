import { describe, expect, it } from 'vitest';
import { compareViews } from './compare';

describe('compareViews', () => {
  const metrics = (f1: number, auc: number) => ({
    auc,
    ap: null,
    precision: 0.5,
    recall: 0.5,
    specificity: null,
    accuracy: null,
    f1,
    iou: null,
    mcc: null,
  });
  const view = (rows: [string, number, number][]) =>
    ({
      modelId: 1,
      label: 'x',
      protocol: {} as never,
      pooled: metrics(0.8, 0.9),
      perImageMean: metrics(0, 0),
      perImageStd: metrics(0, 0),
      perImage: rows.map(([imageId, f1, auc]) => ({ imageId, metrics: metrics(f1, auc) })),
      roc: null,
      pr: null,
      trainingThreshold: null,
      createdAt: '',
    }) as const;

  it('flags an image whose F1 or AUC fell by more than the tolerance', () => {
    const before = view([
      ['a', 0.8, 0.9],
      ['b', 0.8, 0.9],
      ['c', 0.8, 0.9],
    ]);
    const after = view([
      ['a', 0.7, 0.9],
      ['b', 0.8, 0.8995],
      ['c', 0.85, 0.95],
    ]);
    const c = compareViews(2, 1, before, after);
    expect(c.perImage.map((i) => i.regressed)).toEqual([true, false, false]);
    expect(c.perImage[0]?.deltas.find((d) => d.name === 'f1')?.delta).toBeCloseTo(-0.1, 9);
  });

  it('gives no delta where either side has no figure, and judges no image new to the version', () => {
    const before = { ...view([['a', 0.8, 0.9]]), pooled: { ...metrics(0.8, 0.9), auc: null } };
    const after = view([
      ['a', 0.8, 0.9],
      ['new', 0.1, 0.1],
    ]);
    const c = compareViews(2, 1, before, after);
    expect(c).toMatchObject({ modelId: 2, baselineId: 1 });
    expect(c.pooled.find((d) => d.name === 'auc')).toEqual({
      name: 'auc',
      before: null,
      after: 0.9,
      delta: null,
    });
    expect(c.pooled.find((d) => d.name === 'f1')?.delta).toBeCloseTo(0, 9);
    const added = c.perImage.find((i) => i.imageId === 'new');
    expect(added?.regressed).toBe(false);
    expect(added?.deltas.every((d) => d.before === null && d.delta === null)).toBe(true);
  });
});
