/**
 * A model folder's files, in plain Node: model.json + weights.bin (the tfjs layers format) and
 * vessel.json (config with its preprocessing, training log, test figures). The engine reads and
 * checks them here without tfjs; turning them into a model is the compute process's part
 * (src/main/compute/model/storage.ts).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError, describeIssues } from '../../../shared/result';
import {
  MODEL_FORMAT_VERSION,
  modelMetaSchema,
  type ModelMeta,
} from '../../../shared/model-config';
import { MODEL_ERROR_CODES } from '../../../shared/api/errors';
import { exists } from '../files/exists';

/** The file names of a model folder. */
export const MODEL_FILES = {
  topology: 'model.json',
  weights: 'weights.bin',
  meta: 'vessel.json',
} as const;

export { MODEL_ERROR_CODES } from '../../../shared/api/errors';

const BYTES_PER_DTYPE: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** One weight of a manifest, as far as this module reads it (tfjs' WeightsManifestEntry). */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}

/** model.json as stored: the topology and manifest, kept opaque beyond what is checked. */
export interface ModelJsonFile {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: object;
}

/** What model.json and its weight files hold, read and checked against each other. */
export interface ModelFolderContents {
  json: ModelJsonFile;
  /** Every weight of every manifest group, in order. */
  specs: WeightSpec[];
  /** The weight files' bytes, concatenated in manifest order. */
  weightData: ArrayBuffer;
}

/** MODEL_CORRUPT naming the damaged file and what to do. */
export function corruptModel(file: string, problem: string, details?: unknown): AppError {
  return new AppError(
    MODEL_ERROR_CODES.CORRUPT,
    `${file}: ${problem}. The model folder is damaged; save or train the model again, or choose another model.`,
    details,
  );
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw corruptModel(file, `cannot be read (${(error as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw corruptModel(file, `is not valid JSON (${(error as Error).message})`);
  }
}

/** Bytes the weights of `specs` occupy (quantised weights count at their stored width). */
function expectedWeightBytes(specs: readonly WeightSpec[]): number {
  let total = 0;
  for (const spec of specs) {
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    const size = spec.shape.reduce((a, b) => a * b, 1);
    total += size * (BYTES_PER_DTYPE[dtype] ?? NaN);
  }
  return total;
}

/**
 * Reads model.json and its weight files, checking that the weights have the size the manifest
 * promises: what loading a model reads, without building it.
 */
export async function readModelFolder(dir: string): Promise<ModelFolderContents> {
  const topologyFile = path.join(dir, MODEL_FILES.topology);
  if (!(await exists(topologyFile))) {
    throw new AppError(
      MODEL_ERROR_CODES.NOT_FOUND,
      `No model at ${dir}: ${MODEL_FILES.topology} is missing. Choose a model folder.`,
    );
  }
  const json = (await readJson(topologyFile)) as Partial<ModelJsonFile>;
  if (
    typeof json !== 'object' ||
    json === null ||
    typeof json.modelTopology !== 'object' ||
    !Array.isArray(json.weightsManifest)
  ) {
    throw corruptModel(topologyFile, 'has no modelTopology or weightsManifest');
  }
  const specs: WeightSpec[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const name of group.paths) {
      // Weight files live beside model.json: a path that leaves the folder is refused.
      if (path.basename(name) !== name)
        throw corruptModel(topologyFile, `names a weight file outside its folder ("${name}")`);
      const weightFile = path.join(dir, name);
      try {
        buffers.push(await fs.readFile(weightFile));
      } catch {
        throw corruptModel(weightFile, 'is missing or unreadable');
      }
    }
  }
  const joined = Buffer.concat(buffers);
  const weightData = joined.buffer.slice(
    joined.byteOffset,
    joined.byteOffset + joined.byteLength,
  ) as ArrayBuffer;
  const expected = expectedWeightBytes(specs);
  if (weightData.byteLength !== expected) {
    throw corruptModel(
      path.join(dir, MODEL_FILES.weights),
      `holds ${weightData.byteLength} bytes, the manifest needs ${expected}`,
    );
  }
  return { json: json as ModelJsonFile, specs, weightData };
}

/**
 * Refuses to save into `target` (resolved) when it is a non-empty folder holding no model: saving
 * replaces the folder, and its files would be lost.
 */
export async function checkModelTarget(target: string): Promise<void> {
  if (!(await exists(target))) return;
  const entries = await fs.readdir(target);
  const isModelFolder =
    entries.includes(MODEL_FILES.meta) || entries.includes(MODEL_FILES.topology);
  if (entries.length > 0 && !isModelFolder) {
    throw new AppError(
      MODEL_ERROR_CODES.DIR_NOT_EMPTY,
      `${target} is not empty and holds no model; saving would replace its files. Choose an empty or new folder.`,
    );
  }
}

/**
 * Writes a model folder at `target` (resolved) as one step: `write` fills a sibling staging folder,
 * which is then swapped in; a model already at `target` is moved aside first and put back if the
 * swap fails, so a failure at any point leaves the previous model there untouched. A failure is
 * reported as MODEL_SAVE_FAILED, "Cannot save <what> to <target>: <cause>" (an AppError from
 * `write` passes unchanged). Callers check the target with checkModelTarget first.
 */
export async function writeModelFolder(
  target: string,
  what: string,
  write: (staging: string) => Promise<void>,
): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const staging = `${target}.saving-${process.pid}-${Date.now()}`;
  try {
    await write(staging);
    if (await exists(target)) {
      const previous = `${target}.previous-${process.pid}-${Date.now()}`;
      await fs.rename(target, previous);
      try {
        await fs.rename(staging, target);
      } catch (error) {
        await fs.rename(previous, target);
        throw error;
      }
      await fs.rm(previous, { recursive: true, force: true });
    } else {
      await fs.rename(staging, target);
    }
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    if (error instanceof AppError) throw error;
    throw new AppError(
      MODEL_ERROR_CODES.SAVE_FAILED,
      `Cannot save ${what} to ${target}: ${(error as Error).message}`,
    );
  }
}

/** Reads and checks vessel.json without loading the weights (for model lists). */
export async function readModelMeta(dir: string): Promise<ModelMeta> {
  const metaFile = path.join(dir, MODEL_FILES.meta);
  if (!(await exists(metaFile))) {
    if (!(await exists(path.join(dir, MODEL_FILES.topology)))) {
      throw new AppError(
        MODEL_ERROR_CODES.NOT_FOUND,
        `No model at ${dir}: neither ${MODEL_FILES.meta} nor ${MODEL_FILES.topology} is there. Choose a model folder.`,
      );
    }
    throw corruptModel(
      metaFile,
      'is missing (the folder has tfjs weights but not the Vessel Studio description)',
    );
  }
  const raw = await readJson(metaFile);
  const head = raw as { format?: unknown; formatVersion?: unknown };
  if (typeof head !== 'object' || head === null || head.format !== 'vessel-studio-model') {
    throw corruptModel(
      metaFile,
      'is not a Vessel Studio model description (format is not "vessel-studio-model")',
    );
  }
  if (typeof head.formatVersion === 'number' && head.formatVersion > MODEL_FORMAT_VERSION) {
    throw new AppError(
      MODEL_ERROR_CODES.TOO_NEW,
      `${metaFile} has format version ${head.formatVersion}; this Vessel Studio reads up to ${MODEL_FORMAT_VERSION}. Update Vessel Studio to open this model.`,
    );
  }
  const parsed = modelMetaSchema.safeParse(raw);
  if (!parsed.success) {
    const where = describeIssues(parsed.error.issues);
    throw corruptModel(
      metaFile,
      `does not match the model description schema (${where})`,
      parsed.error.issues,
    );
  }
  return parsed.data;
}

/**
 * The description of the model folder `dir` (resolved), with the same errors as loading the
 * model gives: MODEL_NOT_FOUND naming the folder when it does not exist.
 */
export async function openModelMeta(dir: string): Promise<{ dir: string; meta: ModelMeta }> {
  const target = path.resolve(dir);
  if (!(await exists(target))) {
    throw new AppError(
      MODEL_ERROR_CODES.NOT_FOUND,
      `No model at ${target}: the folder does not exist. Choose a model folder.`,
    );
  }
  return { dir: target, meta: await readModelMeta(target) };
}

/** Rewrites vessel.json with some fields changed (e.g. test figures added after evaluation). */
export async function updateModelMeta(
  dir: string,
  changes: Partial<Pick<ModelMeta, 'name' | 'trainingLog' | 'figures' | 'training'>>,
): Promise<ModelMeta> {
  const target = path.resolve(dir);
  const current = await readModelMeta(target);
  const next = modelMetaSchema.parse({ ...current, ...changes });
  const metaFile = path.join(target, MODEL_FILES.meta);
  const staging = `${metaFile}.saving-${process.pid}`;
  await fs.writeFile(staging, `${JSON.stringify(next, null, 2)}\n`);
  await fs.rename(staging, metaFile);
  return next;
}
