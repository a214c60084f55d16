import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isWholeNumberOption,
  TRAINING_LIMITS,
  type LimitedTrainingOption,
} from '../../../shared/api/training';
import { MODEL_PRESETS } from '../../../shared/model-config';
import { PREPROCESS_RECIPES } from '../../engine/dataset';
import { writeDrive } from '../../engine/dataset/synthetic-datasets';
import { loadModelDir } from '../../compute/model/storage';
import { createProject, openProject } from '../../engine/project';
import type { TrainSummary } from '../../compute/train/job';
import { trainOptionsSchema } from '../../compute/train/options';
import { expectRefusal, runCliCaptured } from '../run-captured';
import { trainCommand } from './train';

let tmp: string;
let data: string;
let configFile: string;
/** Training options only, no model: the --config that --init takes. */
let trainingOnly: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vessel-train-cli-'));
  data = path.join(tmp, 'DRIVE');
  await writeDrive(data, { training: 3, test: 2 });
  configFile = path.join(tmp, 'tiny.json');
  await writeFile(
    configFile,
    JSON.stringify({
      model: {
        ...MODEL_PRESETS['bench-unet'],
        depth: 1,
        baseWidth: 4,
        dropout: 0,
        preprocessing: PREPROCESS_RECIPES.green,
      },
      training: {
        epochs: 2,
        stepsPerEpoch: 2,
        batchSize: 2,
        patchSize: 16,
        validationPatches: 8,
        validationFraction: 0.34,
      },
    }),
  );
  trainingOnly = path.join(tmp, 'training-only.json');
  await writeFile(
    trainingOnly,
    JSON.stringify({
      training: {
        epochs: 1,
        stepsPerEpoch: 3,
        batchSize: 2,
        patchSize: 16,
        learningRate: 1e-5,
        validationPatches: 8,
        validationFraction: 0.34,
      },
    }),
  );
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function cli(args: string[]) {
  return runCliCaptured([trainCommand], ['train', ...args]);
}

/** `train` on the fixture with the small test config, writing the model to `out`. */
function trainWithConfig(out: string, args: string[]) {
  return cli(['--data', data, '--out', out, '--config', configFile, ...args]);
}

describe('train command', () => {
  it('trains in the compute process, prints one JSON object, records the run in a project, and resumes', async () => {
    const out = path.join(tmp, 'model');
    const projectFile = path.join(tmp, 'study.vessel');
    await (await createProject(projectFile, { datasetRoot: data })).close();
    const first = await trainWithConfig(out, ['--seed', '3', '--project', projectFile, '--json']);
    expect(first.stderr).toMatch(/2 training and 1 validation images/);
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n')).toHaveLength(1);
    const summary = JSON.parse(first.stdout) as TrainSummary & {
      projectRunId: number;
      modelVersionId: number;
    };
    expect(summary).toMatchObject({ status: 'completed', epochsRun: 2, modelDir: out });
    expect(summary.split.excluded).toEqual(['test/01_test', 'test/02_test']);
    expect(summary.split.seed).toBe(3);
    const saved = await loadModelDir(out);
    expect(saved.config.preprocessing).toEqual(PREPROCESS_RECIPES.green);
    saved.model.dispose();
    const project = await openProject(projectFile, { readOnly: true });
    const run = await project.getRun(summary.projectRunId);
    const version = await project.getModelVersion(summary.modelVersionId);
    await project.close();
    expect(run.status).toBe('finished');
    expect(version).toMatchObject({ runId: summary.projectRunId, backend: summary.backend });

    // The same folder again is refused; --resume trains on to the new epoch count.
    expect((await cli(['--data', data, '--out', out, '--config', configFile])).code).toBe(2);
    const resumed = await cli([
      '--data',
      data,
      '--out',
      out,
      '--resume',
      '--epochs',
      '3',
      '--json',
    ]);
    expect(resumed.code).toBe(0);
    const after = JSON.parse(resumed.stdout) as TrainSummary;
    expect(after.epochsRun).toBe(3);
    expect(after.history.slice(0, 2)).toEqual(summary.history);

    // Fine-tuning takes its training options from a --config that names no model.
    const tuned = path.join(tmp, 'tuned');
    const fineTune = await cli([
      '--data',
      data,
      '--out',
      tuned,
      '--init',
      out,
      '--config',
      trainingOnly,
      '--json',
    ]);
    expect(fineTune.code).toBe(0);
    const tunedSummary = JSON.parse(fineTune.stdout) as TrainSummary;
    expect(tunedSummary.history).toHaveLength(1);
    expect(tunedSummary.history[0]!.learningRate).toBe(1e-5);
    const tunedModel = await loadModelDir(tuned);
    expect(tunedModel.config.preprocessing).toEqual(PREPROCESS_RECIPES.green);
    tunedModel.model.dispose();
  });

  it('refuses unusable files outside the test split naming each, and with --skip-bad names every one it left out', async () => {
    const synthetic = path.join(tmp, 'with-bad-files');
    await writeDrive(synthetic, { training: 4, test: 2 });
    // An empty training image, a training image without its label, and a truncated test
    // image: training never reads the test split, so only the first two concern it.
    const empty = path.join(synthetic, 'training', 'images', '23_training.tif');
    await writeFile(empty, new Uint8Array(0));
    const unlabelled = path.join(synthetic, 'training', 'images', '24_training.tif');
    await unlink(path.join(synthetic, 'training', '1st_manual', '24_manual1.gif'));
    const truncatedTest = path.join(synthetic, 'test', 'images', '02_test.tif');
    await truncate(truncatedTest, 100);
    const base = ['--data', synthetic, '--config', configFile, '--epochs', '1'];

    const out = path.join(tmp, 'bad-files-model');
    const refused = await cli([...base, '--out', out, '--json']);
    expectRefusal(
      refused,
      'TRAIN_BAD_FILES',
      [empty, unlabelled, /no first-observer label/, /--skip-bad/],
      [truncatedTest],
    );
    expect(existsSync(path.join(out, 'model.json'))).toBe(false);

    const skipped = await cli([...base, '--out', out, '--skip-bad', '--json']);
    expect(skipped.stderr).not.toMatch(/error/);
    expect(skipped.code).toBe(0);
    const summary = JSON.parse(skipped.stdout) as TrainSummary;
    expect(summary.skipped.images).toEqual([empty, unlabelled]);
    expect(summary.skipped.problems.map((p) => p.file).sort()).toEqual([empty, unlabelled]);
    expect(summary.skipped.problems.map((p) => p.code).sort()).toEqual([
      'DATASET_FILE_CORRUPT',
      'DATASET_LABEL_MISSING',
    ]);
    expect([...summary.split.train, ...summary.split.validation].sort()).toEqual([
      'training/21_training',
      'training/22_training',
    ]);

    const text = await cli([...base, '--out', path.join(tmp, 'bad-files-text'), '--skip-bad']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/LEFT OUT \(--skip-bad\): 2 image\(s\)/);
    expect(text.stdout).toContain(empty);
    expect(text.stdout).toContain(unlabelled);
    expect(text.stdout).not.toContain(truncatedTest);
  });

  it('refuses bad input with exit code 2 and a reason naming the option', async () => {
    const out = path.join(tmp, 'never');
    const arch = await cli(['--data', data, '--out', out, '--arch', 'resnet']);
    expect(arch.code).toBe(2);
    expect(arch.stderr).toMatch(/unknown architecture "resnet"; choose one of/);
    const both = await cli([
      '--data',
      data,
      '--out',
      out,
      '--arch',
      'laddernet',
      '--config',
      configFile,
    ]);
    expect(both.stderr).toMatch(/only one of --config, --arch and --init/);
    // A config that names a model cannot join --init; one without a model needs --init.
    const init = ['--init', path.join(tmp, 'model')];
    const twoModels = await cli(['--data', data, '--out', out, ...init, '--config', configFile]);
    expect(twoModels.code).toBe(2);
    expect(twoModels.stderr).toMatch(/names a model, and --init gives one too/);
    const noModel = await cli(['--data', data, '--out', out, '--config', trainingOnly]);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/holds training options but no model: add "model"/);
    const noData = await cli(['--data', path.join(tmp, 'missing'), '--out', out]);
    expect(noData.stderr).toMatch(/--data .*missing does not exist/);
    const resume = await cli(['--data', data, '--out', out, '--resume']);
    expect(resume.stderr).toMatch(/no checkpoint at .*never\.checkpoint/);
  });

  it('refuses flags outside the contract’s training limits, as the app’s settings do', async () => {
    const out = path.join(tmp, 'never');
    const flags: [string, LimitedTrainingOption][] = [
      ['--epochs', 'epochs'],
      ['--steps', 'stepsPerEpoch'],
      ['--batch', 'batchSize'],
      ['--patch', 'patchSize'],
      ['--lr', 'learningRate'],
      ['--seed', 'seed'],
    ];
    for (const [flag, key] of flags) {
      const { min, max } = TRAINING_LIMITS[key];
      const beyond = isWholeNumberOption(key) ? max + 1 : max * 1.5;
      const refused = await cli(['--data', data, '--out', out, flag, String(beyond)]);
      expect(refused.code, `${flag}: ${refused.stderr}`).toBe(2);
      expect(refused.stderr, flag).toContain(`${flag} must be a`);
      expect(refused.stderr, flag).toContain(`from ${min} to ${max}`);
      // A --config file's training options are refused at the same value.
      expect(trainOptionsSchema.safeParse({ [key]: beyond }).success, flag).toBe(false);
    }
  });

  it('keeps every epoch with --keep-epochs, says where, and records the option', async () => {
    const out = path.join(tmp, 'kept');
    const run = await trainWithConfig(out, ['--epochs', '2', '--keep-epochs']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`every epoch's weights (for average): ${out}.epochs`);
    for (const epoch of [1, 2]) {
      const kept = JSON.parse(
        await readFile(path.join(`${out}.epochs`, `epoch-00${epoch}`, 'vessel.json'), 'utf8'),
      ) as { training: { epoch: number; options: { keepEpochs: boolean } } };
      expect(kept.training.epoch).toBe(epoch);
      expect(kept.training.options.keepEpochs).toBe(true);
    }
    const plain = path.join(tmp, 'not-kept');
    const without = await trainWithConfig(plain, ['--epochs', '1']);
    expect(without.code, without.stderr).toBe(0);
    expect(without.stdout).not.toContain('every epoch');
  });

  it('records --scale-aug, --intensity-aug and --degrade-aug in the model, and refuses bad ranges naming the flag', async () => {
    const out = path.join(tmp, 'augmented');
    const run = await trainWithConfig(out, [
      '--epochs',
      '1',
      '--scale-aug',
      '0.7:1.5',
      '--intensity-aug',
      'gamma=0.8:1.25,contrast=0.9:1.1',
      '--degrade-aug',
      '0.5:0.9',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const meta = JSON.parse(await readFile(path.join(out, 'vessel.json'), 'utf8')) as {
      training: { options: { augment: Record<string, unknown> } };
    };
    expect(meta.training.options.augment).toMatchObject({
      flips: true,
      scale: { min: 0.7, max: 1.5 },
      intensity: { gamma: { min: 0.8, max: 1.25 }, contrast: { min: 0.9, max: 1.1 } },
      degrade: { min: 0.5, max: 0.9, probability: 0.5 },
      gamma: 0,
      contrast: 0,
    });

    const never = path.join(tmp, 'never');
    const bad: [string[], RegExp][] = [
      [['--scale-aug', '1.5:0.7'], /--scale-aug: the range 1.5:0.7 must lie within 0.25:4/],
      [['--scale-aug', '0.1:1.5'], /--scale-aug: the range 0.1:1.5 must lie within/],
      [['--scale-aug', 'big'], /--scale-aug takes a range MIN:MAX/],
      [['--intensity-aug', 'gamma=2:1'], /--intensity-aug gamma: the range 2:1 must lie within/],
      [['--intensity-aug', 'bright=1:2'], /--intensity-aug takes "default", "off", or gamma=LO:HI/],
      [['--degrade-aug', '0.2:0.9'], /--degrade-aug: the range 0.2:0.9 must lie within 0.3:1/],
      [['--degrade-aug', 'blurry'], /--degrade-aug takes a range MIN:MAX/],
      [['--scale-aug', '0.7:1.5', '--no-augment'], /--no-augment turns every augmentation off/],
      [
        ['--degrade-aug', 'default', '--no-augment'],
        /drop --scale-aug, --intensity-aug and --degrade-aug/,
      ],
    ];
    for (const [flags, message] of bad) {
      const refused = await cli(['--data', data, '--out', never, ...flags]);
      expect(refused.code, flags.join(' ')).toBe(2);
      expect(refused.stderr).toMatch(message);
    }
  });
});
