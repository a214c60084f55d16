/**
 * The ablation table of docs/ablation.md (issue 5): which rows it has, the one training budget every row
 * shares, and how finished rows are printed. Pure (no I/O) so the test can check that each row
 * differs from the baseline in exactly the switch it ablates.
 */
import { modelPreset, type ModelConfig, type ModelPresetName } from '../../src/shared/model-config';
import type { AugmentConfig } from '../../src/main/engine/dataset/augment';
import type { TrainOptionsInput } from '../../src/main/compute/train/options';

/**
 * Augmentation of every "on" row: flips, quarter turns and the U-Net paper's elastic deformation
 * (3x3 control grid, Gaussian displacements of 10 px std, Ronneberger et al. 2015, section 3.1).
 * Free rotation and grey-value jitter stay off.
 */
export const AUGMENT_ON: AugmentConfig = {
  flips: true,
  rotate90: true,
  rotationDegrees: 0,
  elastic: { grid: 3, sigma: 10 },
  brightness: 0,
  contrast: 0,
  gamma: 0,
};

/**
 * The budget every row gets: same seed (so the same validation images, the same patch centres
 * and, where augmentation is on, the same draws), the same number of optimiser steps, batch and
 * patch size, the same cosine learning-rate decay, and no early stopping, so each row trains to
 * the end. The saved model is the epoch with the lowest validation loss, as for every model the
 * app trains. Chosen so the table (five rows) takes under an hour on this 2-core machine while
 * it is shared (measured with a 2-epoch run of the baseline first; see
 * docs/ablation.md).
 */
export const ABLATION_BUDGET = {
  seed: 1,
  epochs: 14,
  stepsPerEpoch: 20,
  batchSize: 16,
  patchSize: 48,
  validationFraction: 0.1,
  validationPatches: 256,
  loss: { kind: 'bce' },
  learningRate: 1e-3,
  schedule: { kind: 'cosine', minLearningRate: 1e-4 },
  earlyStopping: null,
} as const satisfies TrainOptionsInput;

/** Which switch a row flips relative to the baseline. */
export type AblatedSwitch = 'none' | 'skip' | 'block' | 'augment' | 'seed';

export interface AblationRow {
  /** Folder name and key in the results file. */
  id: string;
  /** What the table shows in its first column. */
  title: string;
  ablates: AblatedSwitch;
  /** The model preset it starts from (recorded so readers can find it in model-config.ts). */
  preset: ModelPresetName;
  model: ModelConfig;
  training: TrainOptionsInput;
}

function row(
  id: string,
  title: string,
  ablates: AblatedSwitch,
  preset: ModelPresetName,
  changes: { model?: Partial<ModelConfig>; augment?: boolean | AugmentConfig; seed?: number } = {},
): AblationRow {
  return {
    id,
    title,
    ablates,
    preset,
    model: { ...modelPreset(preset), ...(changes.model ?? {}) } as ModelConfig,
    training: {
      ...structuredClone(ABLATION_BUDGET),
      augment: changes.augment ?? structuredClone(AUGMENT_ON),
      ...(changes.seed === undefined ? {} : { seed: changes.seed }),
    } as TrainOptionsInput,
  };
}

/**
 * The rows, baseline first. The last one repeats the baseline with another seed (other
 * validation images, patches, draws and initial weights): not an ablation, but the yardstick
 * for how much of a row's difference one seed can explain.
 */
export function ablationRows(): AblationRow[] {
  return [
    row('baseline', 'U-Net (concat skips, plain blocks, augmentation on)', 'none', 'bench-unet'),
    row('no-skips', 'skip connections off', 'skip', 'bench-unet', { model: { skip: 'none' } }),
    row(
      'shared-residual',
      'shared-weights residual blocks',
      'block',
      // The preset swaps the block and gives it LadderNet's Dropout2d(0.25), which is part of the block.
      'unet-shared-residual',
    ),
    row('no-augment', 'augmentation off', 'augment', 'bench-unet', { augment: false }),
    row('baseline-seed-2', 'U-Net baseline again, seed 2 (seed spread)', 'seed', 'bench-unet', {
      seed: 2,
    }),
  ];
}

/** The file `train --config` reads for a row. */
export function trainConfigFile(r: AblationRow): {
  model: ModelConfig;
  training: TrainOptionsInput;
} {
  return { model: r.model, training: r.training };
}

/** DRIVE test figures under the project's protocol (FOV, pooled over 20 images, 1st manual, t = 0.5). */
export interface TestFigures {
  auc: number;
  f1: number;
  /** Sensitivity. */
  recall: number;
  specificity: number;
  accuracy: number;
  /** Null when the model calls no pixel a vessel at the threshold (0/0). */
  precision: number | null;
}

/** What the runner writes to `<out>/<row>/result.json` once a row is trained and scored. */
export interface RowResult extends AblationRow {
  parameters: number;
  /** Patches seen in training: epochs x steps x batch. */
  patches: number;
  status: string;
  /** Training time as the training loop measured it (resumed runs add up). */
  trainSeconds: number;
  evalSeconds: number;
  bestEpoch: number | null;
  backend: string;
  test: TestFigures;
  finishedAt: string;
}

/** Patches one row trains on. */
export function budgetPatches(training: TrainOptionsInput): number {
  return (training.epochs ?? 0) * (training.stepsPerEpoch ?? 0) * (training.batchSize ?? 0);
}

function minutes(seconds: number): string {
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

function figure(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '-' : value.toFixed(4);
}

/** The markdown table of docs/ablation.md: one line per finished row, in row order. */
export function markdownTable(results: readonly RowResult[]): string {
  const header =
    '| Row | Parameters | AUC | F1 | Se | Sp | Acc | Best epoch | Training (m:ss) |\n' +
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';
  const lines = results.map((r) => {
    const t = r.test;
    const cells = [
      r.title,
      r.parameters.toLocaleString('en-US'),
      ...[t.auc, t.f1, t.recall, t.specificity, t.accuracy].map(figure),
      r.bestEpoch === null ? '-' : `${r.bestEpoch}/${r.training.epochs ?? '-'}`,
      minutes(r.trainSeconds),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  return [header, ...lines].join('\n');
}
