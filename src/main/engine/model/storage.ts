/**
 * A model folder: model.json + weights.bin (the tfjs layers format, written by our own
 * file-system IOHandler because tfjs-node's file:// handler is not available here) and
 * vessel.json (config with its preprocessing, training log, test figures).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/result';
import {
  MODEL_FORMAT_VERSION,
  modelMetaSchema,
  type ModelConfig,
  type ModelMeta,
} from '../../../shared/model-config';
// Registers our custom layers (Crop2D, SpatialDropout2D) before any model.json is deserialised.
import './layers';

export const MODEL_FILES = {
  topology: 'model.json',
  weights: 'weights.bin',
  meta: 'vessel.json',
} as const;

export const MODEL_ERROR_CODES = {
  NOT_FOUND: 'MODEL_NOT_FOUND',
  CORRUPT: 'MODEL_CORRUPT',
  TOO_NEW: 'MODEL_TOO_NEW',
  DIR_NOT_EMPTY: 'MODEL_DIR_NOT_EMPTY',
  SAVE_FAILED: 'MODEL_SAVE_FAILED',
} as const;

const BYTES_PER_DTYPE: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

function corrupt(file: string, problem: string, details?: unknown): AppError {
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
    throw corrupt(file, `cannot be read (${(error as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw corrupt(file, `is not valid JSON (${(error as Error).message})`);
  }
}

/** Bytes the weights of `specs` occupy (quantised weights count at their stored width). */
function expectedWeightBytes(specs: tf.io.WeightsManifestEntry[]): number {
  let total = 0;
  for (const spec of specs) {
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    const size = spec.shape.reduce((a, b) => a * b, 1);
    total += size * (BYTES_PER_DTYPE[dtype] ?? NaN);
  }
  return total;
}

/**
 * A tfjs IOHandler over one folder: `save` writes model.json and weights.bin, `load` reads them
 * back checking that the weight file has the size its manifest promises.
 */
export function modelFolderHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer || artifacts.modelTopology === undefined) {
        throw new AppError(
          MODEL_ERROR_CODES.SAVE_FAILED,
          'Only layers models (JSON topology) can be saved to a model folder.',
        );
      }
      const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [MODEL_FILES.weights], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(path.join(dir, MODEL_FILES.weights), new Uint8Array(weightData));
      const topologyText = JSON.stringify(modelJson);
      await fs.writeFile(path.join(dir, MODEL_FILES.topology), topologyText);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: Buffer.byteLength(JSON.stringify(artifacts.modelTopology)),
          weightSpecsBytes: Buffer.byteLength(JSON.stringify(artifacts.weightSpecs ?? [])),
          weightDataBytes: weightData.byteLength,
        },
      };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const topologyFile = path.join(dir, MODEL_FILES.topology);
      if (!(await exists(topologyFile))) {
        throw new AppError(
          MODEL_ERROR_CODES.NOT_FOUND,
          `No model at ${dir}: ${MODEL_FILES.topology} is missing. Choose a model folder.`,
        );
      }
      const json = (await readJson(topologyFile)) as Partial<tf.io.ModelJSON>;
      if (
        typeof json !== 'object' ||
        json === null ||
        typeof json.modelTopology !== 'object' ||
        !Array.isArray(json.weightsManifest)
      ) {
        throw corrupt(topologyFile, 'has no modelTopology or weightsManifest');
      }
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: ArrayBuffer[] = [];
      for (const group of json.weightsManifest) {
        specs.push(...group.weights);
        for (const name of group.paths) {
          // Weight files live beside model.json: a path that leaves the folder is refused.
          if (path.basename(name) !== name)
            throw corrupt(topologyFile, `names a weight file outside its folder ("${name}")`);
          const weightFile = path.join(dir, name);
          try {
            buffers.push(toArrayBuffer(await fs.readFile(weightFile)));
          } catch {
            throw corrupt(weightFile, 'is missing or unreadable');
          }
        }
      }
      const weightData = tf.io.CompositeArrayBuffer.join(buffers);
      const expected = expectedWeightBytes(specs);
      if (weightData.byteLength !== expected) {
        throw corrupt(
          path.join(dir, MODEL_FILES.weights),
          `holds ${weightData.byteLength} bytes, the manifest needs ${expected}`,
        );
      }
      const artifacts: tf.io.ModelArtifacts = {
        modelTopology: json.modelTopology,
        weightSpecs: specs,
        weightData,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
      };
      if (json.trainingConfig) artifacts.trainingConfig = json.trainingConfig;
      return artifacts;
    },
  };
}

/** What the caller supplies when saving; the rest of vessel.json is filled in. */
export interface SaveModelMeta {
  config: ModelConfig;
  name?: string;
  trainingLog?: ModelMeta['trainingLog'];
  figures?: ModelMeta['figures'];
  training?: ModelMeta['training'];
  /** Defaults to now. */
  createdAt?: string;
}

export interface LoadedModel {
  dir: string;
  model: tf.LayersModel;
  meta: ModelMeta;
  config: ModelConfig;
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
    throw corrupt(
      metaFile,
      'is missing (the folder has tfjs weights but not the Vessel Studio description)',
    );
  }
  const raw = await readJson(metaFile);
  const head = raw as { format?: unknown; formatVersion?: unknown };
  if (typeof head !== 'object' || head === null || head.format !== 'vessel-studio-model') {
    throw corrupt(
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
    const where = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw corrupt(
      metaFile,
      `does not match the model description schema (${where})`,
      parsed.error.issues,
    );
  }
  return parsed.data;
}

/**
 * Writes `model` and its description to `dir`. Everything is written to a sibling folder first
 * and swapped in at the end, so a failure leaves the previous model there untouched. Refuses a
 * non-empty folder that is not a model folder (it would be replaced).
 */
export async function saveModelDir(
  dir: string,
  model: tf.LayersModel,
  meta: SaveModelMeta,
): Promise<ModelMeta> {
  const target = path.resolve(dir);
  if (await exists(target)) {
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
  const full: ModelMeta = {
    format: 'vessel-studio-model',
    formatVersion: MODEL_FORMAT_VERSION,
    config: meta.config,
    parameterCount: model.countParams(),
    createdAt: meta.createdAt ?? new Date().toISOString(),
    trainingLog: meta.trainingLog ?? [],
    figures: meta.figures ?? {},
    ...(meta.name !== undefined ? { name: meta.name } : {}),
    ...(meta.training !== undefined ? { training: meta.training } : {}),
  };
  const checked = modelMetaSchema.safeParse(full);
  if (!checked.success) {
    const where = checked.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new AppError(
      MODEL_ERROR_CODES.SAVE_FAILED,
      `Cannot save to ${target}: the model description is invalid (${where}).`,
    );
  }

  await fs.mkdir(path.dirname(target), { recursive: true });
  const staging = `${target}.saving-${process.pid}-${Date.now()}`;
  try {
    await model.save(modelFolderHandler(staging));
    await fs.writeFile(
      path.join(staging, MODEL_FILES.meta),
      `${JSON.stringify(checked.data, null, 2)}\n`,
    );
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
      `Cannot save the model to ${target}: ${(error as Error).message}`,
    );
  }
  return checked.data;
}

/**
 * Loads a model folder: vessel.json first (so a newer or damaged description is reported before
 * the weights are read), then the tfjs model; checks the parameter count against the description.
 */
export async function loadModelDir(dir: string): Promise<LoadedModel> {
  const target = path.resolve(dir);
  if (!(await exists(target))) {
    throw new AppError(
      MODEL_ERROR_CODES.NOT_FOUND,
      `No model at ${target}: the folder does not exist. Choose a model folder.`,
    );
  }
  const meta = await readModelMeta(target);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(modelFolderHandler(target));
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw corrupt(
      path.join(target, MODEL_FILES.topology),
      `cannot be turned into a model (${(error as Error).message})`,
    );
  }
  if (model.countParams() !== meta.parameterCount) {
    const found = model.countParams();
    model.dispose();
    throw corrupt(
      path.join(target, MODEL_FILES.topology),
      `has ${found} parameters but ${MODEL_FILES.meta} records ${meta.parameterCount}`,
    );
  }
  return { dir: target, model, meta, config: meta.config };
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
