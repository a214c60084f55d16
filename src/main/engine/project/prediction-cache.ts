/**
 * The prediction cache: a model version's probabilities for an image under some inference
 * options, kept so the UI need not run the model again. Stored as 8-bit grey PNGs (see
 * prediction-codec.ts: about a tenth of the Float32 bytes, values within 1/510 of the exact ones);
 * anything here can be dropped and recomputed.
 */
import { AppError } from '../../../shared/result';
import type { ProjectDatabase } from './database';
import { imageIdOf } from './images';
import { decodePrediction, encodePrediction, PREDICTION_ENCODING } from './prediction-codec';
import { now } from './records';
import { PROJECT_ERROR_CODES as CODES, type CachedPrediction } from './types';

/** Probabilities to cache, row-major HxW. */
export interface PredictionInput {
  width: number;
  height: number;
  probabilities: Float32Array;
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
      `INSERT OR REPLACE INTO prediction_cache (model_version_id, image_id, options_key, encoding, width, height, bytes, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [modelVersionId, imageId, optionsKey, PREDICTION_ENCODING, width, height, bytes, now()],
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
    db.get<{ width: number; height: number; bytes: Buffer; created_at: string }>(
      `SELECT p.width, p.height, p.bytes, p.created_at FROM prediction_cache p JOIN images i ON i.id = p.image_id
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
  return { width: row.width, height: row.height, probabilities, createdAt: row.created_at };
}

/** Drops cached predictions (of one model version, or all); returns how many. */
export function clearPredictions(
  database: ProjectDatabase,
  modelVersionId?: number,
): Promise<number> {
  return database.write(async (db) => {
    const { changes } =
      modelVersionId === undefined
        ? await db.run('DELETE FROM prediction_cache')
        : await db.run('DELETE FROM prediction_cache WHERE model_version_id = ?', [modelVersionId]);
    return changes;
  });
}
