/**
 * `train`: trains a model in the compute process (the same code the app runs), with a progress
 * bar on stderr, SIGINT as a clean cancel (the best checkpoint stays), and --json for scripts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  isWholeNumberOption,
  TRAINING_DEFAULTS,
  TRAINING_LIMITS,
  type LimitedTrainingOption,
} from '../../../shared/api/training';
import {
  MODEL_PRESET_NAMES,
  modelPreset,
  type ModelConfig,
  type ModelPresetName,
} from '../../../shared/model-config';
import { parseBackendName } from '../../compute/backends';
import { ComputeHost } from '../../compute/host';
import { checkpointDirFor } from '../../compute/train/checkpoint';
import type { ModelSource, TrainJob, TrainProgress, TrainSummary } from '../../compute/train/job';
import type { TrainOptionsInput } from '../../compute/train/options';
import {
  AUGMENT_ALL,
  AUGMENT_NONE,
  augmentConfigSchema,
  CONTRAST_RANGE_LIMITS,
  GAMMA_RANGE_LIMITS,
  INTENSITY_AUGMENT_DEFAULT,
  SCALE_AUGMENT_DEFAULT,
  SCALE_LIMITS,
  type AugmentConfig,
} from '../../engine/dataset/augment';
import { DEGRADE_AUGMENT_DEFAULT, DEGRADE_LIMITS } from '../../engine/dataset/degrade';
import { problemLines } from '../../engine/metrics/bad-files';
import { readModelMeta } from '../../engine/model/files';
import { openProject, type Project } from '../../engine/project';
import {
  intOption,
  numberOption,
  skipBadOption,
  skipBadOptions,
  stringOption,
  UsageError,
  type CliArgs,
  type CliCommand,
} from '../command';

const LOSSES = ['bce', 'dice', 'bce-dice', 'weighted-bce'] as const;

/** Training options with a CLI flag: every limited one but Retrain's correction weight. */
type FlagOption = Exclude<LimitedTrainingOption, 'correctionWeight'>;

/** A flag's help: what it is, its default and the contract's limits (the app's settings have the same). */
function limitedHelp(what: string, key: FlagOption): string {
  const { min, max } = TRAINING_LIMITS[key];
  return `${what} Default ${TRAINING_DEFAULTS[key]}; ${min} to ${max}.`;
}

/** A flag's value within the contract's limits: refused here exactly when the app would refuse it. */
function limitedFlag(args: CliArgs, name: string, key: FlagOption): number {
  const { min, max } = TRAINING_LIMITS[key];
  return isWholeNumberOption(key)
    ? intOption(args, name, TRAINING_DEFAULTS[key], min, max)
    : numberOption(args, name, TRAINING_DEFAULTS[key], min, max);
}

/** A --config file: a model config, or `{ model, training }` with a model config or preset name. */
function readConfigFile(file: string): {
  model: ModelConfig | null;
  training: TrainOptionsInput;
} {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--config ${file} cannot be read as JSON: ${(error as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object')
    throw new UsageError(`--config ${file} must hold a JSON object`);
  const object = raw as Record<string, unknown>;
  if ('arch' in object) return { model: object as unknown as ModelConfig, training: {} };
  const model = object.model;
  const resolved =
    typeof model === 'string'
      ? presetOrUsage(model, `--config ${file}: model`)
      : ((model as ModelConfig | undefined) ?? null);
  if (resolved === null && !('training' in object))
    throw new UsageError(
      `--config ${file} names no model: give "arch" (a model config) or "model" (a config or one of ${MODEL_PRESET_NAMES.join(', ')})`,
    );
  return { model: resolved, training: (object.training ?? {}) as TrainOptionsInput };
}

function presetOrUsage(name: string, where: string): ModelConfig {
  if (!(MODEL_PRESET_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(
      `${where}: unknown architecture "${name}"; choose one of ${MODEL_PRESET_NAMES.join(', ')}`,
    );
  }
  return modelPreset(name as ModelPresetName);
}

/** `0.7:1.5` as a range within `limits`; a UsageError names the flag otherwise. */
function parseRange(
  flag: string,
  text: string,
  limits: { min: number; max: number },
): { min: number; max: number } {
  const parts = text.split(':');
  const [min, max] = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
  if (parts.length !== 2 || !Number.isFinite(min) || !Number.isFinite(max)) {
    throw new UsageError(`${flag} takes a range MIN:MAX such as 0.7:1.5, got "${text}"`);
  }
  if (min! < limits.min || max! > limits.max || min! > max!) {
    throw new UsageError(
      `${flag}: the range ${text} must lie within ${limits.min}:${limits.max} with MIN not above MAX`,
    );
  }
  return { min: min!, max: max! };
}

/** The ranges `--intensity-aug` asks for: `default`, or `gamma=LO:HI` and/or `contrast=LO:HI`. */
function parseIntensity(text: string): NonNullable<AugmentConfig['intensity']> {
  if (text === 'default') return structuredClone(INTENSITY_AUGMENT_DEFAULT);
  // A range left out stays at 1 (no change).
  const chosen = { gamma: { min: 1, max: 1 }, contrast: { min: 1, max: 1 } };
  for (const part of text.split(',')) {
    const [key, range] = part.split('=');
    if (key === 'gamma' && range !== undefined)
      chosen.gamma = parseRange('--intensity-aug gamma', range, GAMMA_RANGE_LIMITS);
    else if (key === 'contrast' && range !== undefined)
      chosen.contrast = parseRange('--intensity-aug contrast', range, CONTRAST_RANGE_LIMITS);
    else
      throw new UsageError(
        `--intensity-aug takes "default", "off", or gamma=LO:HI and/or contrast=LO:HI separated by a comma (e.g. gamma=0.7:1.5,contrast=0.7:1.3), got "${text}"`,
      );
  }
  return chosen;
}

/** The degradation `--degrade-aug` asks for: `default`, or MIN:MAX on DEGRADE_AUGMENT_DEFAULT's share of the patches. */
function parseDegrade(text: string): NonNullable<AugmentConfig['degrade']> {
  if (text === 'default') return { ...DEGRADE_AUGMENT_DEFAULT };
  return {
    ...parseRange('--degrade-aug', text, DEGRADE_LIMITS),
    probability: DEGRADE_AUGMENT_DEFAULT.probability,
  };
}

/** The augmentation flags, as the messages name them. */
const AUGMENT_FLAGS = '--scale-aug, --intensity-aug and --degrade-aug';

/**
 * The augmentation that --scale-aug, --intensity-aug and --degrade-aug make of the config file's
 * (or the default, every augmentation of AUGMENT_ALL): undefined when no such flag is given.
 */
export function augmentFromFlags(
  args: CliArgs,
  base: TrainOptionsInput['augment'],
): AugmentConfig | undefined {
  const scale = stringOption(args, 'scale-aug');
  const intensity = stringOption(args, 'intensity-aug');
  const degrade = stringOption(args, 'degrade-aug');
  if (scale === undefined && intensity === undefined && degrade === undefined) return undefined;
  if (args.values['no-augment'] === true)
    throw new UsageError(
      `--no-augment turns every augmentation off: drop it, or drop ${AUGMENT_FLAGS}`,
    );
  const start = base ?? TRAINING_DEFAULTS.augment;
  const parsedBase = augmentConfigSchema.safeParse(
    start === true ? AUGMENT_ALL : start === false ? AUGMENT_NONE : start,
  );
  if (!parsedBase.success)
    throw new UsageError(
      `the "augment" of --config is invalid: ${parsedBase.error.issues[0]?.message ?? 'see the options'}`,
    );
  const augment: AugmentConfig = { ...parsedBase.data };
  if (scale !== undefined)
    augment.scale = scale === 'off' ? null : parseRange('--scale-aug', scale, SCALE_LIMITS);
  if (degrade !== undefined) augment.degrade = degrade === 'off' ? null : parseDegrade(degrade);
  if (intensity === 'off') augment.intensity = null;
  else if (intensity !== undefined) {
    // The ranges replace the symmetric gamma and contrast jitter.
    augment.intensity = parseIntensity(intensity);
    augment.gamma = 0;
    augment.contrast = 0;
  }
  return augment;
}

function formatFigure(value: number | null | undefined, digits = 4): string {
  return value === null || value === undefined ? '-' : value.toFixed(digits);
}

function describeSummary(summary: TrainSummary): string {
  const best = summary.best;
  const lines = [
    `training ${summary.status} after ${summary.epochsRun} epoch(s) in ${Math.round(summary.seconds)} s on ${summary.backend}${summary.workers > 1 ? ` with ${summary.workers} gradient workers` : ''} (${summary.parameters.toLocaleString('en')} parameters)`,
    best
      ? `best epoch ${best.epoch}: loss ${formatFigure(best.loss)}, validation loss ${formatFigure(best.valLoss)}, AUC ${formatFigure(best.valAuc)}, F1 ${formatFigure(best.valF1)}`
      : 'no epoch finished: nothing was saved',
    summary.modelDir ? `model: ${summary.modelDir}` : '',
    `checkpoint (for --resume): ${summary.checkpointDir}`,
    summary.epochsDir ? `every epoch's weights (for average): ${summary.epochsDir}` : '',
    `split (seed ${summary.split.seed}): ${summary.split.train.length} training, ${summary.split.validation.length} validation images (${summary.split.validation.join(', ') || 'none'}); ${summary.split.excluded.length} test images left out`,
    ...skippedLines(summary),
  ];
  return lines.filter((l) => l !== '').join('\n');
}

/** The files --skip-bad trained without, each with what is wrong with it; none: no lines. */
function skippedLines(summary: TrainSummary): string[] {
  const { images, problems } = summary.skipped;
  if (problems.length === 0) return [];
  return [
    `LEFT OUT (--skip-bad): ${images.length} image(s)${images.length > 0 ? `: ${images.join(', ')}` : ''}; ${problems.length} file problem(s):`,
    ...problemLines(problems),
  ];
}

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'Train (or fine-tune, or resume) a vessel segmentation model in the compute process.',
  usage:
    '--data <folder> --out <model-dir> [--config <file> | --arch <name> | --init <model-dir>] [--epochs N] [--seed N] [--resume] [--skip-bad]',
  description:
    'Trains on the images of the dataset folder outside its test split, holding out a seeded share of them (by image) ' +
    'for validation. The best model by validation loss is written to --out after every improving epoch; ' +
    '<out>.checkpoint holds the state --resume continues from. Ctrl+C stops after the current batch and keeps both. ' +
    'A file outside the test split that the dataset check cannot use (truncated, empty, of another size, a label or mask missing) is refused with exit code 2 and named, as eval refuses: ' +
    'a model trained on fewer images, or on a derived FOV, is another experiment, and its split and figures would not reproduce from the same folder once the file is fixed. ' +
    '--skip-bad trains without such files and names each in the output and the JSON summary (skipped). ' +
    `Architectures: ${MODEL_PRESET_NAMES.join(', ')}.`,
  options: {
    data: {
      type: 'string',
      valueName: '<folder>',
      description: 'Dataset folder (DRIVE layout and others openDataset knows).',
    },
    out: {
      type: 'string',
      valueName: '<model-dir>',
      description:
        'Folder for the best model (created; must be new unless --resume or --overwrite).',
    },
    config: {
      type: 'string',
      valueName: '<file>',
      description:
        'JSON: a model config, or {"model": <config or preset name>, "training": <options>}; with --init, {"training": <options>} alone.',
    },
    arch: {
      type: 'string',
      valueName: '<name>',
      description: `Model preset: ${MODEL_PRESET_NAMES.join(', ')} (default laddernet).`,
    },
    init: {
      type: 'string',
      valueName: '<model-dir>',
      description: 'Fine-tune this model folder instead of starting from random weights.',
    },
    resume: {
      type: 'boolean',
      description: 'Continue the run whose output is --out from its checkpoint.',
    },
    overwrite: {
      type: 'boolean',
      description: 'Replace an existing --out folder and its checkpoint.',
    },
    epochs: {
      type: 'string',
      valueName: '<N>',
      description: limitedHelp('Epochs (with --resume: raise it to train longer).', 'epochs'),
    },
    steps: {
      type: 'string',
      valueName: '<N>',
      description: limitedHelp('Batches per epoch.', 'stepsPerEpoch'),
    },
    batch: {
      type: 'string',
      valueName: '<N>',
      description: limitedHelp('Patches per batch.', 'batchSize'),
    },
    patch: {
      type: 'string',
      valueName: '<N>',
      description: limitedHelp(
        'Side of the output patch in pixels (valid-padding U-Nets read a larger input around it).',
        'patchSize',
      ),
    },
    lr: {
      type: 'string',
      valueName: '<rate>',
      description: limitedHelp('Initial Adam learning rate.', 'learningRate'),
    },
    loss: { type: 'string', valueName: '<kind>', description: `Loss: ${LOSSES.join(', ')}.` },
    seed: {
      type: 'string',
      valueName: '<N>',
      description: limitedHelp('Seed of the split, the patches and the augmentation.', 'seed'),
    },
    'no-augment': { type: 'boolean', description: 'Train without augmentation.' },
    'scale-aug': {
      type: 'string',
      valueName: '<MIN:MAX|off>',
      description: `Random rescaling: each patch shows a region 1/s of its size, s drawn log-uniformly from MIN to MAX (within ${SCALE_LIMITS.min}:${SCALE_LIMITS.max}), added to the other augmentations; the default recipe (scripts/train-default.json) uses ${SCALE_AUGMENT_DEFAULT.min}:${SCALE_AUGMENT_DEFAULT.max}.`,
    },
    'intensity-aug': {
      type: 'string',
      valueName: '<spec|default|off>',
      description: `Intensity augmentation for darker and washed-out images: gamma=LO:HI (exponent, log-uniform, within ${GAMMA_RANGE_LIMITS.min}:${GAMMA_RANGE_LIMITS.max}) and/or contrast=LO:HI (factor about mid-grey, within ${CONTRAST_RANGE_LIMITS.min}:${CONTRAST_RANGE_LIMITS.max}), comma-separated; "default" is gamma=${INTENSITY_AUGMENT_DEFAULT.gamma.min}:${INTENSITY_AUGMENT_DEFAULT.gamma.max},contrast=${INTENSITY_AUGMENT_DEFAULT.contrast.min}:${INTENSITY_AUGMENT_DEFAULT.contrast.max}.`,
    },
    'keep-epochs': {
      type: 'boolean',
      description:
        "Also keep every epoch's weights in <out>.epochs/epoch-NNN, for weight averaging (see average).",
    },
    'degrade-aug': {
      type: 'string',
      valueName: '<MIN:MAX|default|off>',
      description: `Resolution degradation, for cameras of lower resolution: on ${DEGRADE_AUGMENT_DEFAULT.probability * 100}% of the patches the image is reduced to a factor drawn uniformly from MIN to MAX (within ${DEGRADE_LIMITS.min}:${DEGRADE_LIMITS.max}) and enlarged back, bicubic; the labels stay sharp. "default" is ${DEGRADE_AUGMENT_DEFAULT.min}:${DEGRADE_AUGMENT_DEFAULT.max}.`,
    },
    workers: {
      type: 'string',
      valueName: '<N|auto>',
      description:
        'Gradient workers, one core each: every batch is split between them (default auto: one per core on wasm and cpu, 1 for Dice losses).',
    },
    project: {
      type: 'string',
      valueName: '<file>',
      description:
        'Record the run (and the trained model as a new version) in this .vessel project file.',
    },
    observer: {
      type: 'string',
      valueName: '<1st|2nd>',
      description: 'Which manual segmentation to learn (default 1st).',
    },
    ...skipBadOptions(
      'Train without the unusable files outside the test split instead of refusing; the output and --json name every one.',
    ),
  },
  async run(args, io) {
    const out = path.resolve(stringOption(args, 'out', true));
    const resume = args.values.resume === true;
    const dataFolder = stringOption(args, 'data', true);
    const data = path.resolve(dataFolder);
    if (!existsSync(data)) throw new UsageError(`--data ${dataFolder} does not exist`);
    const observer = stringOption(args, 'observer') ?? '1st';
    if (observer !== '1st' && observer !== '2nd')
      throw new UsageError(`--observer must be 1st or 2nd, got "${observer}"`);

    // A model comes from one of --config, --arch and --init; --init may take its training
    // options from a --config that names no model.
    const sources = ['config', 'arch', 'init'].filter((k) => args.values[k] !== undefined);
    const trainingOnlyConfig =
      sources.length === 2 && sources[0] === 'config' && sources[1] === 'init';
    if (sources.length > 1 && !trainingOnlyConfig)
      throw new UsageError(
        `give only one of --config, --arch and --init (got ${sources.map((s) => `--${s}`).join(', ')}); --config may join --init when it holds training options only`,
      );
    if (resume && sources.length > 0)
      throw new UsageError('--resume continues the recorded run: drop --config, --arch and --init');
    if (resume && !existsSync(path.join(checkpointDirFor(out), 'state.json'))) {
      throw new UsageError(
        `--resume: there is no checkpoint at ${checkpointDirFor(out)}; start the run without --resume`,
      );
    }
    if (
      !resume &&
      existsSync(out) &&
      readdirSync(out).length > 0 &&
      args.values.overwrite !== true
    ) {
      throw new UsageError(
        `--out ${out} already exists; choose a new folder, add --resume to continue its run, or --overwrite to replace it`,
      );
    }

    let training: TrainOptionsInput = {};
    let model: ModelSource;
    const configFile = stringOption(args, 'config');
    const init = stringOption(args, 'init');
    const read = configFile ? readConfigFile(path.resolve(configFile)) : null;
    if (read) training = read.training;
    if (init) {
      if (read && read.model !== null)
        throw new UsageError(
          `--config ${configFile} names a model, and --init gives one too: keep only "training" in the file to fine-tune ${init}`,
        );
      model = { kind: 'dir', dir: path.resolve(init) };
    } else if (read) {
      if (read.model === null)
        throw new UsageError(
          `--config ${configFile} holds training options but no model: add "model" (a config or one of ${MODEL_PRESET_NAMES.join(', ')}), or give --init <model-dir>`,
        );
      model = { kind: 'config', config: read.model };
    } else {
      model = {
        kind: 'config',
        config: presetOrUsage(stringOption(args, 'arch') ?? 'laddernet', '--arch'),
      };
    }
    const flags: TrainOptionsInput = {};
    if (args.values.epochs !== undefined) flags.epochs = limitedFlag(args, 'epochs', 'epochs');
    if (args.values.steps !== undefined)
      flags.stepsPerEpoch = limitedFlag(args, 'steps', 'stepsPerEpoch');
    if (args.values.batch !== undefined) flags.batchSize = limitedFlag(args, 'batch', 'batchSize');
    if (args.values.patch !== undefined) flags.patchSize = limitedFlag(args, 'patch', 'patchSize');
    if (args.values.lr !== undefined) flags.learningRate = limitedFlag(args, 'lr', 'learningRate');
    if (args.values.seed !== undefined) flags.seed = limitedFlag(args, 'seed', 'seed');
    if (args.values['no-augment'] === true) flags.augment = false;
    if (args.values['keep-epochs'] === true) flags.keepEpochs = true;
    const augment = augmentFromFlags(args, training.augment);
    if (augment !== undefined) {
      if (resume)
        throw new UsageError(
          `--resume continues with the recorded augmentation: drop ${AUGMENT_FLAGS}`,
        );
      flags.augment = augment;
    }
    const loss = stringOption(args, 'loss');
    if (loss !== undefined) {
      if (!(LOSSES as readonly string[]).includes(loss))
        throw new UsageError(`--loss must be one of ${LOSSES.join(', ')}, got "${loss}"`);
      flags.loss = {
        ...(typeof training.loss === 'object' ? training.loss : {}),
        kind: loss as (typeof LOSSES)[number],
      };
    }
    const backendFlag = stringOption(args, 'backend');
    const backend = backendFlag === undefined ? null : parseBackendName(backendFlag);
    const workersFlag = stringOption(args, 'workers');
    const workers =
      workersFlag === undefined || workersFlag === 'auto'
        ? 'auto'
        : intOption(args, 'workers', 1, 1, 64);

    const job: TrainJob = {
      data: { kind: 'folder', root: data, observer, skipBad: skipBadOption(args) },
      outDir: out,
      options: { ...training, ...flags },
      ...(resume ? { resume: true } : { model }),
      ...(backend ? { backend } : {}),
      workers,
    };

    const projectFile = stringOption(args, 'project');
    const project = projectFile ? await openProject(path.resolve(projectFile)) : null;
    try {
      const run = project ? await project.createRun({ kind: 'train', config: job }) : null;
      if (project && run) await project.startRun(run.id);
      let summary: TrainSummary;
      try {
        summary = await runInComputeProcess(job, io);
      } catch (error) {
        if (project && run) {
          const info = error as { code?: string; message?: string };
          await project.failRun(run.id, {
            code: info.code ?? 'INTERNAL',
            message: info.message ?? String(error),
          });
        }
        throw error;
      }
      const recorded = project && run ? await recordInProject(project, run.id, job, summary) : null;
      const text =
        describeSummary(summary) +
        (recorded ? `\nrecorded in ${projectFile}: run ${run?.id}, model version ${recorded}` : '');
      return {
        json: { ...summary, ...(run ? { projectRunId: run.id, modelVersionId: recorded } : {}) },
        text,
      };
    } finally {
      await project?.close();
    }
  },
};

/** Runs the job in a compute process with progress on stderr; SIGINT becomes a cancel message. */
async function runInComputeProcess(
  job: TrainJob,
  io: Parameters<CliCommand['run']>[1],
): Promise<TrainSummary> {
  const host = new ComputeHost();
  const bar = io.progress('train');
  const plainLines = !(process.stderr as { isTTY?: boolean }).isTTY;
  const onProgress = (p: TrainProgress) => {
    if (p.phase === 'preparing') {
      io.log(`train: ${p.message ?? 'preparing'}`);
      return;
    }
    const total = p.epochs * p.batchesPerEpoch;
    const done = (p.epoch - 1) * p.batchesPerEpoch + p.batch;
    const figures = `epoch ${p.epoch}/${p.epochs} batch ${p.batch}/${p.batchesPerEpoch} loss ${formatFigure(p.loss)}`;
    if (p.phase === 'epoch') {
      const line = `${figures} val loss ${formatFigure(p.valLoss)} AUC ${formatFigure(p.valAuc)} F1 ${formatFigure(p.valF1)} lr ${p.learningRate.toPrecision(2)}${p.message ? ` (${p.message})` : ''}`;
      if (plainLines) io.log(`train: ${line}`);
      bar.update(done, total, line);
      return;
    }
    bar.update(done, total, figures);
  };
  try {
    const summary = await host.request('train.run', job, { onProgress, signal: io.signal });
    bar.finish(summary.status);
    return summary;
  } finally {
    await host.dispose();
  }
}

/** Ends the project's run and stores the trained model as a version; returns the version id. */
async function recordInProject(
  project: Project,
  runId: number,
  job: TrainJob,
  summary: TrainSummary,
): Promise<number | null> {
  let versionId: number | null = null;
  if (summary.modelDir) {
    const version = await project.addModelVersionFromDir(summary.modelDir, {
      name: path.basename(summary.modelDir),
      config: (await readModelMeta(summary.modelDir)).config,
      backend: summary.backend,
      runId,
      epochLog: summary.history.map((r) => ({ ...r })),
    });
    versionId = version.id;
  }
  if (summary.status === 'cancelled') await project.cancelRun(runId);
  else await project.finishRun(runId);
  return versionId;
}
