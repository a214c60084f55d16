/**
 * LadderNet (Zhuang 2018, arXiv 1810.07810) with the topology of its released code
 * (juntang-zhuang/LadderNet, src/LadderNetv65.py): two U-Nets chained, the shared-weights
 * residual block throughout, stride-2 convolutions down, 3x3 transposed convolutions up, skips
 * by addition, and the second U-Net adding the first one's decoder outputs at every level.
 */
import * as tf from '@tensorflow/tfjs';
import type { LadderNetConfig } from '../../../shared/model-config';
import { applyLayer, Crop2D, heConv, sharedResidualBlock, type BlockOptions } from './layers';

/**
 * PyTorch's Conv2d(k=3, stride=2, padding=1): zero-pad one pixel on every side, then a valid
 * stride-2 convolution. tfjs 'same' would pad only the bottom/right and shift the sampling grid.
 */
export function strideTwoDown(
  x: tf.SymbolicTensor,
  channels: number,
  name: string,
): tf.SymbolicTensor {
  const padded = applyLayer(tf.layers.zeroPadding2d({ padding: 1, name: `${name}_pad` }), x);
  return applyLayer(
    heConv(channels, name, { strides: 2, padding: 'valid', activation: 'relu' }),
    padded,
  );
}

/**
 * PyTorch's ConvTranspose2d(k=3, stride=2, padding=1, output_padding=1): the full (valid)
 * transposed convolution is 2H+1 wide; PyTorch's output is it without the first row and column.
 */
export function strideTwoUp(
  x: tf.SymbolicTensor,
  channels: number,
  name: string,
): tf.SymbolicTensor {
  const full = applyLayer(
    tf.layers.conv2dTranspose({
      filters: channels,
      kernelSize: 3,
      strides: 2,
      padding: 'valid',
      kernelInitializer: 'heNormal',
      name,
    }),
    x,
  );
  return applyLayer(
    new Crop2D({
      cropping: [
        [1, 0],
        [1, 0],
      ],
      name: `${name}_crop`,
    }),
    full,
  );
}

function add(a: tf.SymbolicTensor, b: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  return applyLayer(tf.layers.add({ name }), [a, b]);
}

/**
 * One U-Net of the ladder. `start` is the finest-level input (already `filters` wide);
 * `incoming` (second U-Net only) holds the previous U-Net's decoder outputs per level, finest
 * first, added before each encoder block. Returns the decoder outputs per level, finest first.
 */
function ladderUnet(
  start: tf.SymbolicTensor,
  config: LadderNetConfig,
  options: BlockOptions,
  prefix: string,
  incoming: tf.SymbolicTensor[] | null,
): tf.SymbolicTensor[] {
  const width = (level: number) => config.filters * 2 ** level;
  let x = start;
  if (incoming) {
    // The released LadderBlock opens with a block on the first U-Net's finest output.
    x = sharedResidualBlock(x, width(0), options, `${prefix}_in`);
  }
  const skips: tf.SymbolicTensor[] = [];
  for (let level = 0; level < config.layers; level++) {
    if (incoming) x = add(x, incoming[level], `${prefix}_enc${level}_join`);
    x = sharedResidualBlock(x, width(level), options, `${prefix}_enc${level}`);
    skips.push(x);
    x = strideTwoDown(x, width(level + 1), `${prefix}_enc${level}_down`);
  }
  x = sharedResidualBlock(x, width(config.layers), options, `${prefix}_bottom`);
  const decoded: tf.SymbolicTensor[] = new Array<tf.SymbolicTensor>(config.layers);
  for (let level = config.layers - 1; level >= 0; level--) {
    x = strideTwoUp(x, width(level), `${prefix}_dec${level}_up`);
    x = add(x, skips[level], `${prefix}_dec${level}_skip`);
    x = sharedResidualBlock(x, width(level), options, `${prefix}_dec${level}`);
    decoded[level] = x;
  }
  return decoded;
}

/** Builds LadderNet; input [batch, H, W, inputChannels] with H and W multiples of 2^layers. */
export function buildLadderNet(config: LadderNetConfig): tf.LayersModel {
  const options: BlockOptions = {
    padding: 'same',
    batchNorm: config.batchNorm,
    blockDropout: config.blockDropout,
  };
  const input = tf.input({ shape: [null, null, config.inputChannels], name: 'image' });
  const stem = applyLayer(heConv(config.filters, 'stem', { activation: 'relu' }), input);
  const first = ladderUnet(stem, config, options, 'u1', null);
  const second = ladderUnet(first[0], config, options, 'u2', first);
  const output =
    config.output === 'softmax'
      ? applyLayer(heConv(2, 'head', { kernelSize: 1, activation: 'softmax' }), second[0])
      : applyLayer(heConv(1, 'head', { kernelSize: 1, activation: 'sigmoid' }), second[0]);
  return tf.model({ inputs: input, outputs: output, name: 'laddernet' });
}
