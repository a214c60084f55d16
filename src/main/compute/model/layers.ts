/**
 * Building blocks shared by the U-Net and LadderNet factories: He-initialised convolutions,
 * whole-channel dropout, and LadderNet's shared-weights residual block.
 */
import * as tf from '@tensorflow/tfjs';

type Kwargs = Record<string, unknown>;

interface SpatialDropout2DArgs {
  rate: number;
  seed?: number;
  name?: string;
}

/**
 * Dropout of whole feature maps (PyTorch's Dropout2d, Keras' SpatialDropout2D): tfjs-layers 4.22
 * only ships spatialDropout1d, so this draws one keep/drop decision per (example, channel), the
 * noise shape [batch, 1, 1, channels], and scales the kept maps by 1 / (1 - rate).
 */
export class SpatialDropout2D extends tf.layers.Layer {
  static readonly className = 'SpatialDropout2D';
  readonly rate: number;
  readonly seed?: number;

  constructor(args: SpatialDropout2DArgs) {
    super({ name: args.name });
    this.rate = args.rate;
    this.seed = args.seed;
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const input = Array.isArray(inputs) ? inputs[0] : inputs;
      if (kwargs.training !== true || this.rate <= 0) return input;
      const [batch, , , channels] = input.shape;
      return tf.dropout(input, this.rate, [batch, 1, 1, channels], this.seed);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { rate: this.rate };
    if (this.seed !== undefined) config.seed = this.seed;
    return { ...config, ...super.getConfig() };
  }
}
tf.serialization.registerClass(SpatialDropout2D);

interface Crop2DArgs {
  /** [[top, bottom], [left, right]] pixels removed. */
  cropping: [[number, number], [number, number]];
  name?: string;
}

/**
 * Removes fixed borders from an NHWC map. tfjs' cropping2D computes `null - crop` for the
 * unknown spatial sizes of a fully convolutional model (giving -8 and failing the concat's
 * shape check), so this layer keeps unknown sizes unknown.
 */
export class Crop2D extends tf.layers.Layer {
  static readonly className = 'Crop2D';
  readonly cropping: [[number, number], [number, number]];

  constructor(args: Crop2DArgs) {
    super({ name: args.name });
    this.cropping = args.cropping;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const [[top, bottom], [left, right]] = this.cropping;
    const height = shape[1] == null ? null : shape[1] - top - bottom;
    const width = shape[2] == null ? null : shape[2] - left - right;
    return [shape[0], height, width, shape[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const input = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [[top, bottom], [left, right]] = this.cropping;
      const [batch, height, width, channels] = input.shape;
      return tf.slice(
        input,
        [0, top, left, 0],
        [batch, height - top - bottom, width - left - right, channels],
      );
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { cropping: this.cropping, ...super.getConfig() };
  }
}
tf.serialization.registerClass(Crop2D);

/** A Crop2D removing `pixels` from every side. */
export function cropEverySide(pixels: number, name: string): Crop2D {
  return new Crop2D({
    cropping: [
      [pixels, pixels],
      [pixels, pixels],
    ],
    name,
  });
}

/** What every block of one network shares. */
export interface BlockOptions {
  /** 'valid' shrinks every 3x3 convolution's output by 2 (the paper's unpadded convolutions). */
  padding: 'same' | 'valid';
  batchNorm: boolean;
  /** Whole-channel dropout between the two uses of a shared convolution. */
  blockDropout: number;
}

/** Applies a layer to symbolic tensors (the functional API's `layer.apply`, typed). */
export function applyLayer(
  layer: tf.layers.Layer,
  input: tf.SymbolicTensor | tf.SymbolicTensor[],
): tf.SymbolicTensor {
  return layer.apply(input) as tf.SymbolicTensor;
}

/** The channel count of a symbolic NHWC tensor. */
export function channelsOf(x: tf.SymbolicTensor): number {
  const channels = x.shape[x.shape.length - 1];
  if (channels == null) throw new Error(`tensor ${x.name} has no static channel count`);
  return channels;
}

/** A 3x3 (or kxk) convolution with bias and He-normal initialisation (the paper's std sqrt(2/N)). */
export function heConv(
  filters: number,
  name: string,
  options: {
    kernelSize?: number;
    strides?: number;
    padding?: 'same' | 'valid';
    activation?: 'relu' | 'sigmoid' | 'softmax';
  } = {},
): tf.layers.Layer {
  return tf.layers.conv2d({
    filters,
    kernelSize: options.kernelSize ?? 3,
    strides: options.strides ?? 1,
    padding: options.padding ?? 'same',
    activation: options.activation ?? 'linear',
    useBias: true,
    kernelInitializer: 'heNormal',
    biasInitializer: 'zeros',
    name,
  });
}

/** Optional batch normalisation, then ReLU. */
function normaliseAndRelu(
  x: tf.SymbolicTensor,
  options: BlockOptions,
  name: string,
): tf.SymbolicTensor {
  const normalised = options.batchNorm
    ? applyLayer(tf.layers.batchNormalization({ axis: -1, name: `${name}_bn` }), x)
    : x;
  return applyLayer(tf.layers.reLU({ name: `${name}_relu` }), normalised);
}

/** conv (BN) ReLU, conv (BN) ReLU: the paper's level. */
export function plainBlock(
  x: tf.SymbolicTensor,
  channels: number,
  options: BlockOptions,
  name: string,
): tf.SymbolicTensor {
  let out = x;
  for (const step of [1, 2]) {
    const convName = `${name}_conv${step}`;
    if (options.batchNorm) {
      out = applyLayer(heConv(channels, convName, { padding: options.padding }), out);
      out = normaliseAndRelu(out, options, convName);
    } else {
      out = applyLayer(
        heConv(channels, convName, { padding: options.padding, activation: 'relu' }),
        out,
      );
    }
  }
  return out;
}

/** How many 3x3 convolutions a block applies in sequence (each trims 2 pixels when valid). */
export function blockConvolutions(
  block: 'plain' | 'shared-residual',
  inChannels: number,
  outChannels: number,
): number {
  if (block === 'plain') return 2;
  return inChannels === outChannels ? 2 : 3;
}

/**
 * LadderNet's shared-weights residual block, as in its released code: when the channel count
 * changes, a 3x3 conv + ReLU first (its `conv0`); then ONE 3x3 convolution layer applied twice:
 * conv, ReLU, Dropout2d, the same conv, plus the block's input, ReLU. Batch normalisation (after
 * each use, with its own statistics per use) is optional because the released code has none.
 */
export function sharedResidualBlock(
  x: tf.SymbolicTensor,
  channels: number,
  options: BlockOptions,
  name: string,
): tf.SymbolicTensor {
  let input = x;
  if (channelsOf(x) !== channels) {
    input = applyLayer(heConv(channels, `${name}_conv0`, { padding: options.padding }), x);
    input = normaliseAndRelu(input, options, `${name}_conv0`);
  }
  const shared = heConv(channels, `${name}_shared`, { padding: options.padding });
  let out = applyLayer(shared, input);
  out = normaliseAndRelu(out, options, `${name}_use1`);
  if (options.blockDropout > 0) {
    out = applyLayer(
      new SpatialDropout2D({ rate: options.blockDropout, name: `${name}_drop` }),
      out,
    );
  }
  out = applyLayer(shared, out);
  if (options.batchNorm)
    out = applyLayer(tf.layers.batchNormalization({ axis: -1, name: `${name}_use2_bn` }), out);
  // Valid convolutions trimmed 2 pixels per side over the two uses: trim the residual to match.
  const residual =
    options.padding === 'valid'
      ? applyLayer(cropEverySide(2, `${name}_residual_crop`), input)
      : input;
  out = applyLayer(tf.layers.add({ name: `${name}_add` }), [out, residual]);
  return applyLayer(tf.layers.reLU({ name: `${name}_relu` }), out);
}

/** Applies the chosen block type. */
export function convBlock(
  block: 'plain' | 'shared-residual',
  x: tf.SymbolicTensor,
  channels: number,
  options: BlockOptions,
  name: string,
): tf.SymbolicTensor {
  return block === 'plain'
    ? plainBlock(x, channels, options, name)
    : sharedResidualBlock(x, channels, options, name);
}
