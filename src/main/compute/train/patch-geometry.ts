/**
 * Which input patch a training patch size means for a model. Padded networks map a patch to a
 * map of the same size, so input and output are the patch. A U-Net with valid convolutions
 * (Ronneberger et al. 2015) loses a border to every 3x3 convolution: there the patch size is the
 * side of the output (the labelled pixels the loss and validation see) and the input patch adds
 * the receptive border on every side, mirrored where it reaches past the image: the paper's
 * overlap-tile strategy, used for training as for inference.
 */
import { downsamplingSteps, type ModelConfig, type UnetConfig } from '../../../shared/model-config';
import { AppError } from '../../../shared/result';
import { smallestValidOutput, unetValidLayout } from '../model/unet';
import { TRAIN_ERROR_CODES } from './job';

export interface PatchGeometry {
  /** Side of the network input: the image pixels rendered per patch, context included. */
  inputSize: number;
  /** Side of the network output: the centre of the input whose labels the loss sees. */
  outputSize: number;
  /** Context pixels on each side of the output: (inputSize - outputSize) / 2. */
  border: number;
}

/** True for U-Nets whose convolutions are unpadded (their output is smaller than their input). */
export function isValidPaddingUnet(config: ModelConfig): config is UnetConfig {
  return config.arch === 'unet' && config.padding === 'valid';
}

/**
 * The input and output sides of a training patch of side `patchSize` for `config`. Throws
 * TRAIN_BAD_OPTIONS naming the nearest legal sizes when the network cannot run on it: padded
 * networks need a multiple of 2^poolings, valid U-Nets an output every pooling halves exactly.
 */
export function trainingPatchGeometry(config: ModelConfig, patchSize: number): PatchGeometry {
  if (!Number.isInteger(patchSize) || patchSize < 1) {
    throw new AppError(
      TRAIN_ERROR_CODES.BAD_OPTIONS,
      `The patch size must be a positive whole number of pixels, got ${patchSize}.`,
    );
  }
  if (isValidPaddingUnet(config)) {
    const layout = unetValidLayout(config, patchSize);
    if (layout) {
      return {
        inputSize: layout.inputSize,
        outputSize: patchSize,
        border: (layout.inputSize - patchSize) / 2,
      };
    }
    const legal = nearestLegalOutputs(config, patchSize).map((size) => {
      const input = unetValidLayout(config, size)?.inputSize ?? size;
      return `${size} (input ${input})`;
    });
    throw new AppError(
      TRAIN_ERROR_CODES.BAD_OPTIONS,
      `This U-Net has valid (unpadded) convolutions and ${config.depth} poolings: the patch size is the side of its output, with the receptive border added around it as mirrored context, and no input gives a ${patchSize}x${patchSize} output. Nearest legal patch sizes: ${legal.join(' or ')}. Set patchSize (--patch) to one of them.`,
      { patchSize, legal: nearestLegalOutputs(config, patchSize) },
    );
  }
  const multiple = 2 ** downsamplingSteps(config);
  if (patchSize % multiple !== 0) {
    const below = Math.floor(patchSize / multiple) * multiple;
    const above = below + multiple;
    const legal = below > 0 ? `${below} or ${above}` : `${above}`;
    throw new AppError(
      TRAIN_ERROR_CODES.BAD_OPTIONS,
      `This model halves the image ${downsamplingSteps(config)} times, so its patch size must be a multiple of ${multiple}; got ${patchSize}. Set patchSize (--patch) to ${legal}.`,
      { patchSize, multiple },
    );
  }
  return { inputSize: patchSize, outputSize: patchSize, border: 0 };
}

/** The legal output sides of a valid U-Net just below (when there is one) and above `size`. */
function nearestLegalOutputs(config: UnetConfig, size: number): number[] {
  const sizes: number[] = [];
  for (let below = size - 1; below >= 1; below--) {
    if (unetValidLayout(config, below)) {
      sizes.push(below);
      break;
    }
  }
  sizes.push(smallestValidOutput(config, size));
  return sizes;
}
