/**
 * U-Net (Ronneberger, Fischer, Brox 2015, arXiv 1505.04597) from a UnetConfig: per level two 3x3
 * convolutions with ReLU (or LadderNet's shared-weights residual block), 2x2 max pooling, 2x2
 * up-convolution halving the channels (or nearest upsampling), skips by concatenation (cropped
 * when the convolutions are valid), addition or none, dropout at the end of the contracting path.
 */
import * as tf from '@tensorflow/tfjs';
import type { UnetConfig } from '../../../shared/model-config';
import {
  applyLayer,
  blockConvolutions,
  convBlock,
  cropEverySide,
  heConv,
  type BlockOptions,
} from './layers';

export interface UnetBlockPlan {
  inChannels: number;
  channels: number;
  /** 3x3 convolutions in sequence: each trims 2 pixels when the padding is valid. */
  convolutions: number;
}

export interface UnetPlan {
  /** Channels per level, finest first: baseWidth * 2^level, the bottom last. */
  widths: number[];
  encoder: UnetBlockPlan[];
  bottom: UnetBlockPlan;
  /** Indexed by level (0 = finest), like the encoder. */
  decoder: UnetBlockPlan[];
  /** Channels of the upsampled tensor entering each decoder level, before the skip joins. */
  upChannels: number[];
}

/** Channel counts and convolution counts of every block, without building anything. */
export function planUnet(config: UnetConfig): UnetPlan {
  const widths = Array.from(
    { length: config.depth + 1 },
    (_, level) => config.baseWidth * 2 ** level,
  );
  const block = (inChannels: number, channels: number): UnetBlockPlan => ({
    inChannels,
    channels,
    convolutions: blockConvolutions(config.block, inChannels, channels),
  });
  const encoder = widths
    .slice(0, config.depth)
    .map((w, level) => block(level === 0 ? config.inputChannels : widths[level - 1], w));
  const bottom = block(widths[config.depth - 1], widths[config.depth]);
  const upChannels = widths
    .slice(0, config.depth)
    .map((w, level) => (config.upsampling === 'transpose' ? w : widths[level + 1]));
  const decoder = widths.slice(0, config.depth).map((w, level) => {
    const up = upChannels[level];
    const joined = config.skip === 'concat' ? up + w : up;
    return block(joined, w);
  });
  return { widths, encoder, bottom, decoder, upChannels };
}

export interface UnetValidLayout {
  inputSize: number;
  outputSize: number;
  /** Pixels cropped from each side of the skip at each level (0 = finest). */
  crops: number[];
}

/**
 * For valid convolutions: the input size that yields `outputSize`, and the skip crops, or null
 * when no input gives exactly that output (every upsampled map must come from a whole map).
 * Worked backwards from the output, as the paper's 572 -> 388 tile.
 */
export function unetValidLayout(config: UnetConfig, outputSize: number): UnetValidLayout | null {
  if (config.padding !== 'valid') {
    const multiple = 2 ** config.depth;
    return outputSize > 0 && outputSize % multiple === 0
      ? { inputSize: outputSize, outputSize, crops: new Array<number>(config.depth).fill(0) }
      : null;
  }
  const plan = planUnet(config);
  const upsampled: number[] = [];
  let size = outputSize;
  for (let level = 0; level < config.depth; level++) {
    const beforeBlock = size + 2 * plan.decoder[level].convolutions;
    if (beforeBlock % 2 !== 0) return null;
    upsampled.push(beforeBlock);
    size = beforeBlock / 2;
  }
  if (size < 1) return null;
  size += 2 * plan.bottom.convolutions;
  const crops = new Array<number>(config.depth).fill(0);
  for (let level = config.depth - 1; level >= 0; level--) {
    const encoderOut = size * 2;
    crops[level] = (encoderOut - upsampled[level]) / 2;
    size = encoderOut + 2 * plan.encoder[level].convolutions;
  }
  return { inputSize: size, outputSize, crops };
}

/** The smallest output size at least `atLeast` that a whole input produces. */
export function smallestValidOutput(config: UnetConfig, atLeast: number): number {
  for (let size = Math.max(1, atLeast); ; size++) {
    if (unetValidLayout(config, size)) return size;
  }
}

/** The largest output size whose input is at most `inputAtMost`, or null when none fits. */
export function largestValidOutput(config: UnetConfig, inputAtMost: number): number | null {
  for (let size = inputAtMost; size >= 1; size--) {
    const layout = unetValidLayout(config, size);
    if (layout && layout.inputSize <= inputAtMost) return size;
  }
  return null;
}

/** Builds the U-Net as a tfjs functional model; input [batch, H, W, inputChannels]. */
export function buildUnet(config: UnetConfig): tf.LayersModel {
  const plan = planUnet(config);
  const options: BlockOptions = {
    padding: config.padding,
    batchNorm: config.batchNorm,
    blockDropout: config.blockDropout,
  };
  // The skip crops do not depend on the image size, so any valid layout gives them.
  const crops =
    config.padding === 'valid'
      ? (unetValidLayout(config, smallestValidOutput(config, 1)) as UnetValidLayout).crops
      : new Array<number>(config.depth).fill(0);

  const input = tf.input({ shape: [null, null, config.inputChannels], name: 'image' });
  let x: tf.SymbolicTensor = input;
  const skips: tf.SymbolicTensor[] = [];
  for (let level = 0; level < config.depth; level++) {
    x = convBlock(config.block, x, plan.widths[level], options, `enc${level}`);
    skips.push(x);
    x = applyLayer(
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `enc${level}_pool` }),
      x,
    );
  }
  x = convBlock(config.block, x, plan.widths[config.depth], options, 'bottom');
  if (config.dropout > 0)
    x = applyLayer(tf.layers.dropout({ rate: config.dropout, name: 'bottom_dropout' }), x);

  for (let level = config.depth - 1; level >= 0; level--) {
    const width = plan.widths[level];
    x =
      config.upsampling === 'transpose'
        ? applyLayer(
            tf.layers.conv2dTranspose({
              filters: width,
              kernelSize: 2,
              strides: 2,
              padding: 'valid',
              kernelInitializer: 'heNormal',
              name: `dec${level}_upconv`,
            }),
            x,
          )
        : applyLayer(
            tf.layers.upSampling2d({
              size: [2, 2],
              interpolation: 'nearest',
              name: `dec${level}_up`,
            }),
            x,
          );
    if (config.skip !== 'none') {
      let skip = skips[level];
      if (crops[level] > 0) {
        skip = applyLayer(cropEverySide(crops[level], `dec${level}_skip_crop`), skip);
      }
      x =
        config.skip === 'concat'
          ? applyLayer(tf.layers.concatenate({ axis: -1, name: `dec${level}_concat` }), [skip, x])
          : applyLayer(tf.layers.add({ name: `dec${level}_add` }), [skip, x]);
    }
    x = convBlock(config.block, x, width, options, `dec${level}`);
  }

  const output =
    config.output === 'softmax'
      ? applyLayer(heConv(2, 'head', { kernelSize: 1, activation: 'softmax' }), x)
      : applyLayer(heConv(1, 'head', { kernelSize: 1, activation: 'sigmoid' }), x);
  return tf.model({ inputs: input, outputs: output, name: 'unet' });
}
