/**
 * Saving and loading tfjs models as model folders: model.json + weights.bin (the tfjs layers
 * format, written by our own file-system IOHandler because tfjs-node's file:// handler is not
 * available here) and vessel.json. Reading and checking the files without tfjs is the engine's
 * part (src/main/engine/model/files.ts), which the engine uses on its own.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AppError, describeIssues } from '../../../shared/result';
import {
  MODEL_FORMAT_VERSION,
  modelMetaSchema,
  type ModelConfig,
  type ModelMeta,
} from '../../../shared/model-config';
import {
  checkModelTarget,
  corruptModel as corrupt,
  MODEL_ERROR_CODES,
  MODEL_FILES,
  openModelMeta,
  readModelFolder,
  writeModelFolder,
} from '../../engine/model/files';
// Registers our custom layers (Crop2D, SpatialDropout2D) before any model.json is deserialised.
import './layers';

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
      const { json, specs, weightData } = await readModelFolder(dir);
      const artifacts: tf.io.ModelArtifacts = {
        modelTopology: json.modelTopology,
        weightSpecs: specs as tf.io.WeightsManifestEntry[],
        weightData,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
      };
      if (json.trainingConfig)
        artifacts.trainingConfig = json.trainingConfig as tf.io.TrainingConfig;
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
  trainingScale?: ModelMeta['trainingScale'];
  /** Defaults to now. */
  createdAt?: string;
}

export interface LoadedModel {
  dir: string;
  model: tf.LayersModel;
  meta: ModelMeta;
  config: ModelConfig;
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
  await checkModelTarget(target);
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
    ...(meta.trainingScale !== undefined ? { trainingScale: meta.trainingScale } : {}),
  };
  const checked = modelMetaSchema.safeParse(full);
  if (!checked.success) {
    const where = describeIssues(checked.error.issues);
    throw new AppError(
      MODEL_ERROR_CODES.SAVE_FAILED,
      `Cannot save to ${target}: the model description is invalid (${where}).`,
    );
  }

  await writeModelFolder(target, 'the model', async (staging) => {
    await model.save(modelFolderHandler(staging));
    await fs.writeFile(
      path.join(staging, MODEL_FILES.meta),
      `${JSON.stringify(checked.data, null, 2)}\n`,
    );
  });
  return checked.data;
}

/**
 * Loads a model folder: vessel.json first (so a newer or damaged description is reported before
 * the weights are read), then the tfjs model; checks the parameter count against the description.
 */
export async function loadModelDir(dir: string): Promise<LoadedModel> {
  const { dir: target, meta } = await openModelMeta(dir);
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
