/** The model area of the compute process: configs, tfjs factories, geometry and model folders. */
export {
  MODEL_PRESETS,
  MODEL_PRESET_NAMES,
  modelPreset,
  modelConfigSchema,
  downsamplingSteps,
  type ModelConfig,
  type UnetConfig,
  type LadderNetConfig,
  type ModelMeta,
  type ModelPresetName,
} from '../../../shared/model-config';
export { buildModel } from './build';
export {
  buildUnet,
  planUnet,
  unetValidLayout,
  smallestValidOutput,
  largestValidOutput,
  type UnetPlan,
  type UnetValidLayout,
} from './unet';
export { buildLadderNet } from './laddernet';
export {
  SpatialDropout2D,
  Crop2D,
  sharedResidualBlock,
  plainBlock,
  type BlockOptions,
} from './layers';
export {
  saveModelDir,
  loadModelDir,
  modelFolderHandler,
  type SaveModelMeta,
  type LoadedModel,
} from './storage';
export {
  readModelMeta,
  updateModelMeta,
  MODEL_FILES,
  MODEL_ERROR_CODES,
} from '../../engine/model/files';
