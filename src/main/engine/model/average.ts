/**
 * Weight averaging: one model whose every weight is the mean of that weight over several models
 * of the same network, in plain Node (no tfjs). Averaging the weights a run passes through late
 * in training, at a constant learning rate, is stochastic weight averaging (Izmailov et al.,
 * "Averaging Weights Leads to Wider Optima and Better Generalization", UAI 2018): the mean lies
 * nearer the middle of the wide low-loss region the run wanders in than any one of its epochs.
 * It is only meaningful for models that share one run's history (epochs of a run, or fine-tunes
 * of one model); that is the caller's choice, and the output records what went into it.
 *
 * The networks must match exactly: the same topology, the same config and training scale, and
 * float32 weights of the same names and shapes. Networks with batch normalisation are refused,
 * since their running statistics would have to be measured again on the averaged weights.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  MODEL_FORMAT_VERSION,
  modelMetaSchema,
  type ModelMeta,
} from '../../../shared/model-config';
import { AppError } from '../../../shared/result';
import { MODEL_ERROR_CODES } from '../../../shared/api/errors';
import { sha256Hex } from '../project/files';
import {
  checkModelTarget,
  MODEL_FILES,
  openModelMeta,
  readModelFolder,
  type ModelFolderContents,
  writeModelFolder,
} from './files';

/** What went into an averaged model, recorded in its vessel.json under `training.averagedFrom`. */
export interface AveragedSource {
  /** The model folder, resolved. */
  dir: string;
  /** SHA-256 of its weights.bin, so the record names the exact weights. */
  weightsSha256: string;
  /** The epoch its weights are from, as its own record says (a kept epoch's, else the best), when it says. */
  epoch: number | null;
}

export interface AverageResult {
  outDir: string;
  sources: AveragedSource[];
  parameterCount: number;
  meta: ModelMeta;
}

function mismatch(message: string): AppError {
  return new AppError(
    MODEL_ERROR_CODES.MISMATCH,
    `${message} Only models of one network (epochs of one run, or fine-tunes of one model) can be averaged.`,
  );
}

function recordedEpoch(meta: ModelMeta): number | null {
  const epoch = meta.training?.epoch ?? meta.training?.bestEpoch;
  return typeof epoch === 'number' ? epoch : null;
}

interface Source {
  dir: string;
  meta: ModelMeta;
  folder: ModelFolderContents;
}

/** Checks that every source is the same network as the first; names the first difference. */
function checkSameNetwork(sources: readonly Source[]): void {
  const [first, ...rest] = sources;
  if (first!.meta.config.batchNorm) {
    throw mismatch(
      `${first!.dir} uses batch normalisation, whose running statistics would not match averaged weights.`,
    );
  }
  for (const spec of first!.folder.specs) {
    if (spec.dtype !== 'float32' || spec.quantization) {
      throw mismatch(
        `${first!.dir}: weight ${spec.name} is stored as ${spec.quantization?.dtype ?? spec.dtype}, not float32.`,
      );
    }
  }
  for (const other of rest) {
    const differs = (what: string) => mismatch(`${other.dir} and ${first!.dir} differ in ${what}.`);
    if (!isDeepStrictEqual(other.meta.config, first!.meta.config)) throw differs('their config');
    if (!isDeepStrictEqual(other.meta.trainingScale, first!.meta.trainingScale))
      throw differs('their training scale');
    if (!isDeepStrictEqual(other.folder.json.modelTopology, first!.folder.json.modelTopology))
      throw differs('their layers (model.json topology)');
    const a = first!.folder.specs;
    const b = other.folder.specs;
    const same =
      a.length === b.length &&
      a.every(
        (spec, i) =>
          spec.name === b[i]!.name &&
          spec.dtype === b[i]!.dtype &&
          !b[i]!.quantization &&
          isDeepStrictEqual(spec.shape, b[i]!.shape),
      );
    if (!same) throw differs('their weights (names, shapes or types)');
  }
}

/** The element-wise mean of float32 buffers of one length, summed in float64. */
function meanOf(buffers: readonly ArrayBuffer[]): Float32Array {
  const length = buffers[0]!.byteLength / 4;
  const sum = new Float64Array(length);
  for (const buffer of buffers) {
    const values = new Float32Array(buffer);
    for (let i = 0; i < length; i++) sum[i]! += values[i]!;
  }
  const mean = new Float32Array(length);
  for (let i = 0; i < length; i++) mean[i] = sum[i]! / buffers.length;
  return mean;
}

/**
 * Writes to `outDir` the model whose weights are the mean of `dirs`' weights, with their common
 * topology, config, preprocessing and training scale; vessel.json's training log and `training`
 * are the last model's (for a run's epochs in order, the whole run), the record with
 * `averagedFrom` (every source, with the SHA-256 of its weights); its name and test figures are
 * dropped, since they described other weights. Written beside and swapped
 * in, like every model save; refuses an output folder that holds something other than a model,
 * or that is one of the sources.
 */
export async function averageModels(
  dirs: readonly string[],
  outDir: string,
): Promise<AverageResult> {
  if (dirs.length < 2) {
    throw new AppError(
      MODEL_ERROR_CODES.MISMATCH,
      `Averaging needs at least two model folders; got ${dirs.length}.`,
    );
  }
  const target = path.resolve(outDir);
  const sources: Source[] = [];
  for (const dir of dirs) {
    const opened = await openModelMeta(dir);
    if (opened.dir === target) {
      throw new AppError(
        MODEL_ERROR_CODES.DIR_NOT_EMPTY,
        `The output folder ${target} is also one of the models to average; write the average to a new folder.`,
      );
    }
    sources.push({ ...opened, folder: await readModelFolder(opened.dir) });
  }
  checkSameNetwork(sources);

  await checkModelTarget(target);

  const weights = meanOf(sources.map((s) => s.folder.weightData));
  for (let i = 0; i < weights.length; i++) {
    if (!Number.isFinite(weights[i]!)) {
      throw mismatch('The average holds a non-finite weight: one of the models is damaged.');
    }
  }
  const records: AveragedSource[] = sources.map((s) => ({
    dir: s.dir,
    weightsSha256: sha256Hex(new Uint8Array(s.folder.weightData)),
    epoch: recordedEpoch(s.meta),
  }));
  const first = sources[0]!;
  // The record of the last model: for a run's epochs in order, the whole run's log. Not under
  // its name: the average is a model of its own.
  const { name: _lastName, ...lastMeta } = sources[sources.length - 1]!.meta;
  const meta = modelMetaSchema.parse({
    ...lastMeta,
    format: 'vessel-studio-model',
    formatVersion: MODEL_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    figures: {},
    training: { ...lastMeta.training, averagedFrom: records },
  } satisfies ModelMeta);

  const modelJson = {
    ...first.folder.json,
    weightsManifest: [{ paths: [MODEL_FILES.weights], weights: first.folder.specs }],
  };
  await writeModelFolder(target, 'the averaged model', async (staging) => {
    await fs.mkdir(staging);
    await fs.writeFile(path.join(staging, MODEL_FILES.topology), JSON.stringify(modelJson));
    await fs.writeFile(path.join(staging, MODEL_FILES.weights), new Uint8Array(weights.buffer));
    await fs.writeFile(path.join(staging, MODEL_FILES.meta), `${JSON.stringify(meta, null, 2)}\n`);
  });
  return { outDir: target, sources: records, parameterCount: meta.parameterCount, meta };
}
