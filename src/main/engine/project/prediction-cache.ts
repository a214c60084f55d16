/**
 * The prediction cache: a model version's probabilities for an image under some inference
 * options, kept so the UI need not run the model again. Stored as 8-bit grey PNGs (see
 * prediction-codec.ts: about a tenth of the Float32 bytes, values within 1/510 of the exact ones);
 * anything here can be dropped and recomputed. Each map keeps the scale it was predicted at
 * (the resampling factor and the FOV diameter it matched; null for maps cached before schema 7).
 */
import { AppError } from '../../../shared/result';
import type { ProjectDatabase } from './database';
import { imageIdOf } from './images';
import { decodePrediction, encodePrediction, PREDICTION_ENCODING } from './prediction-codec';
import { now, whereEquals } from './records';
import { PROJECT_ERROR_CODES as CODES, type CachedPrediction, type PredictionScale } from './types';

/** Probabilities to cache, row-major HxW. */
export interface PredictionInput {
  width: number;
  height: number;
  probabilities: Float32Array;
  /** The scale the image was predicted at (an ImageScale fits); absent or null: unknown. */
  scale?: PredictionScale | null;
}

/** A stored scale factor: positive and finite, else a coded error. */
function checkedScale(scale: PredictionInput['scale']): {
  factor: number | null;
  fovDiameter: number | null;
} {
  if (scale === undefined || scale === null) return { factor: null, fovDiameter: null };
  const { factor, fovDiameter } = scale;
  if (!Number.isFinite(factor) || factor <= 0) {
    throw new AppError(
      CODES.BAD_INPUT,
      `The prediction's scale factor must be a positive number, got ${factor}.`,
    );
  }
  if (fovDiameter !== null && (!Number.isFinite(fovDiameter) || fovDiameter < 0)) {
    throw new AppError(
      CODES.BAD_INPUT,
      `The prediction's FOV diameter must be a non-negative number of pixels or null, got ${fovDiameter}.`,
    );
  }
  return { factor, fovDiameter };
}

/** Caches a live version's prediction for an image, replacing one for the same options. */
export async function putPrediction(
  database: ProjectDatabase,
  modelVersionId: number,
  imageKey: string,
  prediction: PredictionInput,
  optionsKey: string,
): Promise<void> {
  const { width, height, probabilities } = prediction;
  if (probabilities.length !== width * height) {
    throw new AppError(
      CODES.BAD_INPUT,
      `The prediction has ${probabilities.length} values, expected ${width}x${height}.`,
    );
  }
  const scale = checkedScale(prediction.scale);
  const bytes = await encodePrediction(probabilities, width, height);
  await database.write(async (db) => {
    const imageId = await imageIdOf(db, imageKey);
    const model = await db.get<{ deleted_at: string | null }>(
      'SELECT deleted_at FROM model_versions WHERE id = ?',
      [modelVersionId],
    );
    if (!model || model.deleted_at !== null) {
      throw new AppError(
        model ? CODES.MODEL_DELETED : CODES.UNKNOWN_MODEL,
        `Model version ${modelVersionId} is ${model ? 'deleted' : 'not in the project'}; predictions are cached only for live versions.`,
      );
    }
    await db.run(
      `INSERT OR REPLACE INTO prediction_cache (model_version_id, image_id, options_key, encoding, width, height, created_at, scale_factor, fov_diameter, bytes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        modelVersionId,
        imageId,
        optionsKey,
        PREDICTION_ENCODING,
        width,
        height,
        now(),
        scale.factor,
        scale.fovDiameter,
        bytes,
      ],
    );
  });
}

/** A cached prediction, or undefined when there is none. */
export async function getPrediction(
  database: ProjectDatabase,
  modelVersionId: number,
  imageKey: string,
  optionsKey: string,
): Promise<CachedPrediction | undefined> {
  const row = await database.read((db) =>
    db.get<{
      width: number;
      height: number;
      bytes: Buffer;
      created_at: string;
      scale_factor: number | null;
      fov_diameter: number | null;
    }>(
      `SELECT p.width, p.height, p.created_at, p.scale_factor, p.fov_diameter, p.bytes
       FROM prediction_cache p JOIN images i ON i.id = p.image_id
       WHERE p.model_version_id = ? AND i.key = ? AND p.options_key = ?`,
      [modelVersionId, imageKey, optionsKey],
    ),
  );
  if (!row) return undefined;
  const probabilities = await decodePrediction(row.bytes, row.width, row.height).catch(
    (error: unknown) => {
      throw new AppError(
        CODES.CORRUPT,
        `The cached prediction of ${imageKey} by model version ${modelVersionId} cannot be read (${(error as Error).message}); clear the cached predictions to recompute them.`,
      );
    },
  );
  return {
    width: row.width,
    height: row.height,
    probabilities,
    createdAt: row.created_at,
    scale:
      row.scale_factor === null
        ? null
        : { factor: row.scale_factor, fovDiameter: row.fov_diameter },
  };
}

/** Drops cached predictions (of one model version, or all); returns how many. */
export function clearPredictions(
  database: ProjectDatabase,
  modelVersionId?: number,
): Promise<number> {
  return database.write(async (db) => {
    const { where, params } = whereEquals('model_version_id', modelVersionId);
    const { changes } = await db.run(`DELETE FROM prediction_cache ${where}`, params);
    return changes;
  });
}
