import { describe, expect, it } from 'vitest';
import { modelConfigSchema, modelPreset } from '../../src/shared/model-config';
import { trainOptionsSchema } from '../../src/main/compute/train/options';
import {
  ABLATION_BUDGET,
  AUGMENT_ON,
  ablationRows,
  budgetPatches,
  markdownTable,
  type RowResult,
} from './rows';

/** Keys whose values differ between two flat objects (compared as JSON). */
function differingKeys(a: object, b: object): string[] {
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  return [...keys].filter((k) => JSON.stringify(left[k]) !== JSON.stringify(right[k])).sort();
}

describe('ablation rows', () => {
  const rows = ablationRows();
  const baseline = rows[0];

  it('has the baseline first and one row per switch, with unique ids', () => {
    expect(rows.map((r) => r.ablates)).toEqual(['none', 'skip', 'block', 'augment', 'seed']);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it('the baseline is bench-unet with concat skips, plain blocks and the augmentation set on', () => {
    expect(baseline.model).toEqual(modelPreset('bench-unet'));
    expect(baseline.model).toMatchObject({ arch: 'unet', skip: 'concat', block: 'plain' });
    expect(baseline.training.augment).toEqual(AUGMENT_ON);
    expect(AUGMENT_ON).toMatchObject({
      flips: true,
      rotate90: true,
      elastic: { grid: 3, sigma: 10 },
    });
  });

  it('every row is a valid model config and valid training options', () => {
    for (const row of rows) {
      expect(modelConfigSchema.safeParse(row.model).success, row.id).toBe(true);
      expect(trainOptionsSchema.safeParse(row.training).success, row.id).toBe(true);
    }
  });

  it('each row differs from the baseline in exactly the switch it ablates', () => {
    const expected: Record<string, { model: string[]; training: string[] }> = {
      'no-skips': { model: ['skip'], training: [] },
      // LadderNet's block carries its own Dropout2d(0.25).
      'shared-residual': { model: ['block', 'blockDropout'], training: [] },
      'no-augment': { model: [], training: ['augment'] },
      'baseline-seed-2': { model: [], training: ['seed'] },
    };
    for (const row of rows.slice(1)) {
      expect(differingKeys(row.model, baseline.model), row.id).toEqual(expected[row.id].model);
      expect(differingKeys(row.training, baseline.training), row.id).toEqual(
        expected[row.id].training,
      );
    }
    const find = (id: string) => rows.find((r) => r.id === id)!;
    expect(find('no-skips').model).toMatchObject({ skip: 'none' });
    expect(find('shared-residual').model).toMatchObject({
      block: 'shared-residual',
      blockDropout: 0.25,
    });
    expect(find('no-augment').training.augment).toBe(false);
    expect(find('baseline-seed-2').training.seed).toBe(2);
  });

  it('the shared budget runs every step: no early stopping, same seed and steps', () => {
    for (const row of rows) {
      const parsed = trainOptionsSchema.parse(row.training);
      expect(parsed.earlyStopping).toBeNull();
      if (row.ablates !== 'seed') expect(parsed.seed).toBe(ABLATION_BUDGET.seed);
      expect(parsed.epochs * parsed.stepsPerEpoch).toBe(
        ABLATION_BUDGET.epochs * ABLATION_BUDGET.stepsPerEpoch,
      );
    }
  });

  it('rows are fresh copies: editing one leaves the others and the budget alone', () => {
    const first = ablationRows();
    (first[0].training.loss as { kind: string }).kind = 'dice';
    (first[0].model as { skip: string }).skip = 'add';
    expect(ablationRows()[0]).toEqual(baseline);
    expect(ABLATION_BUDGET.loss.kind).toBe('bce');
  });

  it('counts the patches of the budget', () => {
    expect(budgetPatches({ epochs: 3, stepsPerEpoch: 5, batchSize: 16 })).toBe(240);
    expect(budgetPatches(baseline.training)).toBe(
      ABLATION_BUDGET.epochs * ABLATION_BUDGET.stepsPerEpoch * ABLATION_BUDGET.batchSize,
    );
  });
});

describe('markdownTable', () => {
  const result = (over: Partial<RowResult>): RowResult => ({
    id: 'baseline',
    title: 'U-Net',
    ablates: 'none',
    preset: 'bench-unet',
    model: modelPreset('bench-unet'),
    training: { epochs: 14, stepsPerEpoch: 20, batchSize: 16 },
    parameters: 487_009,
    patches: 4480,
    status: 'completed',
    trainSeconds: 671.4,
    evalSeconds: 80,
    bestEpoch: 13,
    backend: 'wasm',
    test: {
      auc: 0.97123,
      f1: 0.8,
      recall: 0.75555,
      specificity: 0.98,
      accuracy: 0.95,
      precision: 0.85,
    },
    finishedAt: '2026-11-27T12:00:00Z',
    ...over,
  });

  it('prints a header and one line per row in the given order', () => {
    const table = markdownTable([
      result({}),
      result({
        id: 'no-skips',
        title: 'skips off',
        parameters: 400_000,
        bestEpoch: null,
        trainSeconds: 59.6,
      }),
    ]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(
      '| Row | Parameters | AUC | F1 | Se | Sp | Acc | Best epoch | Training (m:ss) |',
    );
    expect(lines[2]).toBe(
      '| U-Net | 487,009 | 0.9712 | 0.8000 | 0.7556 | 0.9800 | 0.9500 | 13/14 | 11:11 |',
    );
    expect(lines[3]).toBe(
      '| skips off | 400,000 | 0.9712 | 0.8000 | 0.7556 | 0.9800 | 0.9500 | - | 1:00 |',
    );
  });

  it('prints a dash for a figure the metrics could not define', () => {
    const table = markdownTable([
      result({
        test: { auc: 0.75, f1: 0, recall: 0, specificity: 1, accuracy: 0.87, precision: null },
      }),
      result({ test: { ...result({}).test, auc: Number.NaN } }),
    ]);
    expect(table.split('\n')[2]).toContain('| 0.7500 | 0.0000 | 0.0000 | 1.0000 | 0.8700 |');
    expect(table.split('\n')[3]).toContain('| U-Net | 487,009 | - | 0.8000 |');
  });

  it('prints only the header when no row has finished', () => {
    expect(markdownTable([]).split('\n')).toHaveLength(2);
  });
});
