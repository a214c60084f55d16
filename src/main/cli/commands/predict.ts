/**
 * `predict`: one image through a model folder to a PNG: the vessel probability map as 16-bit
 * grey (round(p * 65535)), or a binary mask with --threshold. The model runs in the compute
 * process (`predict.image`), like every use of tfjs; this process writes the PNG.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseBackendName } from '../../compute/backends';
import { encodeMaskPng, encodeProbabilityPng } from '../../compute/infer-png';
import type { PredictImageJob } from '../../compute/predict-image';
import {
  describeScale,
  parseScaleSetting,
  SCALE_FACTOR_LIMITS,
  type ScaleSetting,
} from '../../compute/rescale';
import { openModelMeta } from '../../engine/model/files';
import { bundledModelDir } from '../../engine/studio/bundled-model';
import { flipsFor, turnsFor } from '../../../shared/model-config';
import { AppError } from '../../../shared/result';
import {
  FLIP_OPTIONS,
  intOption,
  numberOption,
  stringOption,
  UsageError,
  viewFlags,
  type CliArgs,
  type CliCommand,
  type CliOption,
} from '../command';

/** `--scale`, shared by predict and eval. */
export const SCALE_OPTIONS: Record<'scale', CliOption> = {
  scale: {
    type: 'string',
    valueName: 'auto|off|<factor>',
    description:
      "auto (default): resample each image so its FOV diameter matches the model's training images " +
      "(within 2%: not resampled), predict, and resample the probabilities back to the image's pixels; " +
      `off: predict at the image's own size; a factor from ${SCALE_FACTOR_LIMITS.min} to ${SCALE_FACTOR_LIMITS.max}: resample by it. ` +
      'A model that records no training scale predicts as off.',
  },
};

/** The --scale setting (default auto); a bad value is a usage error naming what is accepted. */
export function scaleOption(args: CliArgs): ScaleSetting {
  const text = stringOption(args, 'scale');
  if (text === undefined) return 'auto';
  try {
    return parseScaleSetting(text);
  } catch (error) {
    if (error instanceof AppError) throw new UsageError(`--scale: ${error.message}`);
    throw error;
  }
}

/** Writes beside the target and renames, so an interrupted run never leaves half a PNG. */
async function writeFileAtomically(file: string, bytes: Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const staging = `${file}.writing-${process.pid}`;
  try {
    await fs.writeFile(staging, bytes);
    await fs.rename(staging, file);
  } catch (error) {
    await fs.rm(staging, { force: true });
    throw error;
  }
}

export const predictCommand: CliCommand = {
  name: 'predict',
  summary:
    'Predict the vessels of one image with a model: a 16-bit probability PNG, or a mask with --threshold.',
  usage:
    '--input <image> --out <png> [--model <dir>] [--threshold <t>] [--flips | --no-flips] [--turns | --no-turns] [--mode tiles|patches] [--scale auto|off|<factor>]',
  description:
    'The image is preprocessed as the model was trained (its vessel.json). Tiles: mirrored overlap tiles ' +
    "(the U-Net paper's strategy), memory bounded by --tile. Patches: LadderNet's sliding 48x48 patches " +
    'averaged, as its released code evaluates. Without --model the bundled model (resources/models/default) is used.',
  options: {
    model: {
      type: 'string',
      valueName: '<dir>',
      description: 'Model folder (model.json, weights.bin, vessel.json).',
    },
    input: {
      type: 'string',
      valueName: '<image>',
      description: 'Image file: TIFF, PNG, JPEG, GIF, PPM.',
    },
    out: {
      type: 'string',
      valueName: '<png>',
      description: 'PNG to write (replaced if it exists).',
    },
    threshold: {
      type: 'string',
      valueName: '<t>',
      description:
        'Write a 0/255 mask of probability >= t (0 < t < 1) instead of the probability map.',
    },
    ...FLIP_OPTIONS,
    ...SCALE_OPTIONS,
    mode: {
      type: 'string',
      valueName: '<tiles|patches>',
      description: 'Whole-image tiles (default) or sliding patches.',
    },
    tile: {
      type: 'string',
      valueName: '<px>',
      description: 'Tiles: largest network input side (default 768).',
    },
    stride: {
      type: 'string',
      valueName: '<px>',
      description: 'Patches: stride (default 5, LadderNet).',
    },
    patch: {
      type: 'string',
      valueName: '<px>',
      description: 'Patches: side (default 48, LadderNet).',
    },
  },
  async run(args, io) {
    const input = path.resolve(stringOption(args, 'input', true));
    const out = path.resolve(stringOption(args, 'out', true));
    if (path.extname(out).toLowerCase() !== '.png')
      throw new UsageError(`--out must name a .png file, got "${out}"`);
    const threshold =
      args.values.threshold === undefined ? null : numberOption(args, 'threshold', 0.5, 0, 1);
    if (threshold !== null && (threshold <= 0 || threshold >= 1)) {
      throw new UsageError(`--threshold must lie strictly between 0 and 1, got ${threshold}`);
    }
    const mode = stringOption(args, 'mode') ?? 'tiles';
    if (mode !== 'tiles' && mode !== 'patches')
      throw new UsageError(`--mode must be tiles or patches, got "${mode}"`);
    const views = viewFlags(args);
    const scale = scaleOption(args);
    const backendFlag = stringOption(args, 'backend');
    const backend = backendFlag === undefined ? null : parseBackendName(backendFlag);
    const modelDir = path.resolve(
      stringOption(args, 'model') ?? bundledModelDir(io.engine().context.options.resourcesDir),
    );

    const started = Date.now();
    // tfjs runs in the compute process, as everywhere else; the engine disposes of it on exit.
    const compute = io.engine().context.compute();
    const report = await compute.request('compute.setup', backend ? { backend } : {});
    io.log(`predict: backend ${report.active ?? 'none'}; model ${modelDir}`);
    const { meta } = await openModelMeta(modelDir);
    if (meta.config.preprocessing === null) {
      io.log(
        'predict: the model stores no preprocessing; using the laddernet recipe (the training default)',
      );
    }
    if (scale === 'auto' && meta.trainingScale === undefined) {
      io.log(
        'predict: the model records no training scale; --scale auto predicts the image at its own size (as --scale off)',
      );
    }
    const job: PredictImageJob = {
      modelDir,
      imagePath: input,
      mode,
      scale,
      flips: flipsFor(meta.config, views.flips),
      ...(views.turns !== undefined ? { turns: views.turns } : {}),
      ...(backend ? { backend } : {}),
    };
    if (args.values.tile !== undefined) job.tileSize = intOption(args, 'tile', 768, 16, 8192);
    if (args.values.stride !== undefined) job.stride = intOption(args, 'stride', 5, 1, 4096);
    if (args.values.patch !== undefined) job.patchSize = intOption(args, 'patch', 48, 4, 4096);
    const bar = io.progress('predict');
    const predicted = await compute.request('predict.image', job, {
      onProgress: ({ done, total }) =>
        bar.update(done, total, mode === 'tiles' ? 'tiles' : 'batches'),
      signal: io.signal,
    });
    bar.finish();
    const { width, height, probabilities } = predicted;
    io.log(`predict: scale ${describeScale(predicted.scale)}`);
    const png =
      threshold === null
        ? await encodeProbabilityPng(probabilities, width, height)
        : await encodeMaskPng(probabilities, width, height, threshold);
    await writeFileAtomically(out, png);

    let vessels = 0;
    for (const p of probabilities) if (p >= (threshold ?? 0.5)) vessels++;
    const result = {
      model: modelDir,
      input,
      out,
      width,
      height,
      output: threshold === null ? 'probability-16bit' : 'mask',
      threshold,
      mode,
      flips: job.flips,
      turns: job.flips && turnsFor(meta.config, views.turns),
      scale: predicted.scale,
      backend: report.active,
      vesselFraction: vessels / probabilities.length,
      seconds: (Date.now() - started) / 1000,
    };
    const text =
      `${out}: ${threshold === null ? '16-bit probability map' : `mask at ${threshold}`} of ${width}x${height}` +
      ` (${(result.vesselFraction * 100).toFixed(1)}% of pixels >= ${threshold ?? 0.5}) in ${result.seconds.toFixed(1)} s` +
      `, predicted at scale ${describeScale(predicted.scale)}`;
    return { json: result, text };
  },
};
