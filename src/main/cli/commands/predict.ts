/**
 * `predict`: one image through a model folder to a PNG: the vessel probability map as 16-bit
 * grey (round(p * 65535)), or a binary mask with --threshold. Runs in this process: the CLI is
 * its own process already, so nothing else waits on it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseBackendName } from '../../compute/backends';
import { predictProbabilities, type InferenceOptions } from '../../compute/infer';
import { encodeMaskPng, encodeProbabilityPng } from '../../compute/infer-png';
import { setupCompute } from '../../compute/setup';
import {
  loadRgb,
  parsePreprocessConfig,
  PREPROCESS_RECIPES,
  preprocessImages,
} from '../../engine/dataset';
import { loadModelDir } from '../../engine/model/storage';
import { bundledModelDir } from '../../engine/studio/bundled-model';
import { flipsFor } from '../../../shared/model-config';
import {
  FLIP_OPTIONS,
  flipsOption,
  intOption,
  numberOption,
  stringOption,
  UsageError,
  type CliCommand,
} from '../command';

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
    '--input <image> --out <png> [--model <dir>] [--threshold <t>] [--flips | --no-flips] [--mode tiles|patches]',
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
    const backendFlag = stringOption(args, 'backend');
    const backend = backendFlag === undefined ? null : parseBackendName(backendFlag);
    const modelDir = path.resolve(
      stringOption(args, 'model') ?? bundledModelDir(io.engine().context.options.resourcesDir),
    );

    const started = Date.now();
    // One wasm thread: the threaded build's pthread workers would keep this process alive after
    // the command returns (the training command avoids that by running in the compute process).
    const report = await setupCompute(backend ? { name: backend, by: 'flag' } : undefined, {
      wasmThreads: 1,
    });
    io.log(`predict: backend ${report.active ?? 'none'}; model ${modelDir}`);
    const loaded = await loadModelDir(modelDir);
    try {
      const rgb = await loadRgb({ imagePath: input });
      if (loaded.config.preprocessing === null) {
        io.log(
          'predict: the model stores no preprocessing; using the laddernet recipe (the training default)',
        );
      }
      const preprocessing = parsePreprocessConfig(
        loaded.config.preprocessing ?? PREPROCESS_RECIPES.laddernet,
      );
      const [pixels] = await preprocessImages([rgb], preprocessing);
      const bar = io.progress('predict');
      const options: InferenceOptions = {
        config: loaded.config,
        mode,
        flips: flipsFor(loaded.config, flipsOption(args)),
        onProgress: (done, total) =>
          bar.update(done, total, mode === 'tiles' ? 'tiles' : 'batches'),
        signal: io.signal,
      };
      if (args.values.tile !== undefined) options.tileSize = intOption(args, 'tile', 768, 16, 8192);
      if (args.values.stride !== undefined) options.stride = intOption(args, 'stride', 5, 1, 4096);
      if (args.values.patch !== undefined)
        options.patchSize = intOption(args, 'patch', 48, 4, 4096);
      const probabilities = await predictProbabilities(
        loaded.model,
        { width: rgb.width, height: rgb.height, channels: 1, data: pixels },
        options,
      );
      bar.finish();
      const png =
        threshold === null
          ? await encodeProbabilityPng(probabilities, rgb.width, rgb.height)
          : await encodeMaskPng(probabilities, rgb.width, rgb.height, threshold);
      await writeFileAtomically(out, png);

      let vessels = 0;
      for (const p of probabilities) if (p >= (threshold ?? 0.5)) vessels++;
      const result = {
        model: modelDir,
        input,
        out,
        width: rgb.width,
        height: rgb.height,
        output: threshold === null ? 'probability-16bit' : 'mask',
        threshold,
        mode,
        flips: options.flips,
        backend: report.active,
        vesselFraction: vessels / probabilities.length,
        seconds: (Date.now() - started) / 1000,
      };
      const text =
        `${out}: ${threshold === null ? '16-bit probability map' : `mask at ${threshold}`} of ${rgb.width}x${rgb.height}` +
        ` (${(result.vesselFraction * 100).toFixed(1)}% of pixels >= ${threshold ?? 0.5}) in ${result.seconds.toFixed(1)} s`;
      return { json: result, text };
    } finally {
      loaded.model.dispose();
    }
  },
};
