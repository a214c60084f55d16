/**
 * The training settings the scripts pass to `train --config` are valid options, the degradation
 * fine-tune differs from the rescaling one by its degradation alone, and the weight-averaging
 * run keeps every epoch at one learning rate.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainOptionsSchema } from '../src/main/compute/train/options';
import { DEGRADE_AUGMENT_DEFAULT } from '../src/main/engine/dataset/degrade';
import { repoRoot } from '../test/support/drive';

type ConfigFile = { model?: unknown; training: { augment: Record<string, unknown> } };

const read = (name: string) =>
  JSON.parse(readFileSync(path.join(repoRoot, 'scripts', name), 'utf8')) as ConfigFile;

describe('the training configs in scripts/', () => {
  it.each([
    'train-default.json',
    'finetune-scale.json',
    'finetune-degrade.json',
    'finetune-swa.json',
  ])('%s holds valid training options', (name) => {
    const parsed = trainOptionsSchema.safeParse(read(name).training);
    expect(parsed.success, parsed.success ? '' : parsed.error.message).toBe(true);
  });

  it('fine-tunes name no model (they start from --init) and the default recipe names LadderNet', () => {
    expect(read('finetune-scale.json').model).toBeUndefined();
    expect(read('finetune-degrade.json').model).toBeUndefined();
    expect(read('finetune-swa.json').model).toBeUndefined();
    expect(read('train-default.json').model).toMatchObject({ arch: 'laddernet' });
  });

  it('finetune-degrade.json is finetune-scale.json with the default degradation added', () => {
    const scale = read('finetune-scale.json');
    const degrade = read('finetune-degrade.json');
    expect(degrade.training.augment.degrade).toEqual(DEGRADE_AUGMENT_DEFAULT);
    const { degrade: _added, ...augment } = degrade.training.augment;
    expect({ ...degrade.training, augment }).toEqual(scale.training);
  });

  it('finetune-swa.json keeps every epoch at a constant rate, with the recipe augmentation and split', () => {
    const swa = trainOptionsSchema.parse(read('finetune-swa.json').training);
    expect(swa).toMatchObject({
      keepEpochs: true,
      schedule: { kind: 'constant' },
      earlyStopping: null,
      seed: 1,
      augment: { flips: true, rotate90: true },
    });
    // The recipe of the weights it starts from: no rescaling, no degradation, no intensity jitter.
    const augment = swa.augment as Record<string, unknown>;
    expect(augment.scale ?? null).toBeNull();
    expect(augment.degrade ?? null).toBeNull();
    expect(augment.intensity ?? null).toBeNull();
  });
});
