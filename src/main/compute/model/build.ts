/** The one entry point from a stored ModelConfig to a tfjs model. */
import type * as tf from '@tensorflow/tfjs';
import { parseOrThrow } from '../../../shared/result';
import { modelConfigSchema, type ModelConfig } from '../../../shared/model-config';
import { buildLadderNet } from './laddernet';
import { buildUnet } from './unet';
import { MODEL_ERROR_CODES } from '../../../shared/api/errors';

/**
 * Validates `config` and builds its network with freshly initialised weights. Throws
 * MODEL_CONFIG_INVALID naming the offending fields when the config does not parse.
 */
export function buildModel(config: ModelConfig): tf.LayersModel {
  const parsed = parseOrThrow(
    modelConfigSchema,
    config,
    MODEL_ERROR_CODES.CONFIG_INVALID,
    (where) => `The model configuration is invalid: ${where}.`,
  );
  return parsed.arch === 'unet' ? buildUnet(parsed) : buildLadderNet(parsed);
}
