import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/result';
import { modelPreset, type ModelConfig, type UnetConfig } from '../../../shared/model-config';
import { buildModel } from './build';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Layer class name -> how many layers of it the model has. */
function layerCounts(model: tf.LayersModel): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const layer of model.layers)
    counts[layer.getClassName()] = (counts[layer.getClassName()] ?? 0) + 1;
  return counts;
}

/** Conv2D layers applied more than once (weight sharing). */
function sharedConvs(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.filter((l) => l.getClassName() === 'Conv2D' && l.inboundNodes.length > 1);
}

const small: UnetConfig = {
  ...(modelPreset('bench-unet') as UnetConfig),
  baseWidth: 4,
  depth: 2,
};

describe('parameter counts', () => {
  it("the paper's U-Net has 31,030,658 parameters", () => {
    const model = buildModel(modelPreset('unet-paper'));
    try {
      expect(model.countParams()).toBe(31_030_658);
      // 23 convolutional layers (Ronneberger et al. 2015): 18 3x3, 4 up-convolutions, 1 1x1.
      const counts = layerCounts(model);
      expect((counts.Conv2D ?? 0) + (counts.Conv2DTranspose ?? 0)).toBe(23);
    } finally {
      model.dispose();
    }
  });

  it('bench-unet has 487,009 parameters', () => {
    const model = buildModel(modelPreset('bench-unet'));
    expect(model.countParams()).toBe(487_009);
    model.dispose();
  });

  it('LadderNet (layers 4, filters 10) has the released code structure: 1,381,652 parameters', () => {
    const model = buildModel(modelPreset('laddernet'));
    // Counted from LadderNetv65.py: blocks 9C^2+C, stride-2 convs 18C^2+2C, transposed convs
    // 18C^2+C for C = 10..80, input conv 100, head 22: 690,410 + 691,220 + 22.
    expect(model.countParams()).toBe(1_381_652);
    // 2 U-Nets x (4 down + 1 bottom + 4 up) blocks + the second U-Net's opening block = 19.
    expect(sharedConvs(model)).toHaveLength(19);
    model.dispose();
  });

  it('the shared-residual U-Net has as many parameters as its plain twin (one conv per block is reused)', () => {
    const shared = buildModel(modelPreset('unet-shared-residual'));
    expect(shared.countParams()).toBe(487_009);
    expect(sharedConvs(shared)).toHaveLength(7);
    shared.dispose();
  });

  it('softmax heads have 2 channels, sigmoid heads 1', () => {
    const sigmoid = buildModel(small);
    const softmax = buildModel({ ...small, output: 'softmax' });
    expect(sigmoid.outputs[0].shape).toEqual([null, null, null, 1]);
    expect(softmax.outputs[0].shape).toEqual([null, null, null, 2]);
    expect(softmax.countParams() - sigmoid.countParams()).toBe(small.baseWidth + 1);
    sigmoid.dispose();
    softmax.dispose();
  });
});

describe('ablation switches change the graph', () => {
  const build = (changes: Partial<UnetConfig>) => {
    const model = buildModel({ ...small, ...changes } as ModelConfig);
    const counts = layerCounts(model);
    const shared = sharedConvs(model).length;
    const params = model.countParams();
    model.dispose();
    return { counts, shared, params };
  };

  it('skip: concat, add and none', () => {
    const concat = build({ skip: 'concat', upsampling: 'transpose' });
    const add = build({ skip: 'add', upsampling: 'transpose' });
    const none = build({ skip: 'none', upsampling: 'transpose' });
    expect(concat.counts.Concatenate).toBe(2);
    expect(concat.counts.Add).toBeUndefined();
    expect(add.counts.Add).toBe(2);
    expect(add.counts.Concatenate).toBeUndefined();
    expect(none.counts.Add).toBeUndefined();
    expect(none.counts.Concatenate).toBeUndefined();
    // Concatenation widens each decoder's first conv; add and none keep it.
    expect(concat.params).toBeGreaterThan(add.params);
    expect(add.params).toBe(none.params);
  });

  it('block: plain or shared-residual', () => {
    const plain = build({ block: 'plain' });
    const shared = build({ block: 'shared-residual', blockDropout: 0.25 });
    expect(plain.shared).toBe(0);
    expect(shared.shared).toBe(5);
    expect(shared.counts.Add).toBe(5);
    expect(shared.counts.SpatialDropout2D).toBe(5);
    expect(
      build({ block: 'shared-residual', blockDropout: 0 }).counts.SpatialDropout2D,
    ).toBeUndefined();
  });

  it('upsampling: transpose or nearest', () => {
    const transpose = build({ upsampling: 'transpose' });
    const nearest = build({ upsampling: 'nearest' });
    expect(transpose.counts.Conv2DTranspose).toBe(2);
    expect(transpose.counts.UpSampling2D).toBeUndefined();
    expect(nearest.counts.UpSampling2D).toBe(2);
    expect(nearest.counts.Conv2DTranspose).toBeUndefined();
  });

  it('batch norm, dropout and valid padding', () => {
    expect(build({ batchNorm: false }).counts.BatchNormalization).toBeUndefined();
    expect(build({ batchNorm: true }).counts.BatchNormalization).toBe(10);
    expect(build({ batchNorm: true, block: 'shared-residual' }).counts.BatchNormalization).toBe(15);
    expect(build({ dropout: 0 }).counts.Dropout).toBeUndefined();
    expect(build({ dropout: 0.5 }).counts.Dropout).toBe(1);
    expect(build({ padding: 'same' }).counts.Crop2D).toBeUndefined();
    expect(build({ padding: 'valid' }).counts.Crop2D).toBe(2);
  });
});

describe('config validation', () => {
  it('refuses a bad config with MODEL_CONFIG_INVALID naming the field', () => {
    const bad = { ...small, depth: 0 } as ModelConfig;
    expect(() => buildModel(bad)).toThrowError(AppError);
    try {
      buildModel(bad);
    } catch (error) {
      expect((error as AppError).code).toBe('MODEL_CONFIG_INVALID');
      expect((error as AppError).message).toContain('depth');
    }
  });

  it("refuses skip 'add' with nearest upsampling (channel counts differ)", () => {
    expect(() => buildModel({ ...small, skip: 'add', upsampling: 'nearest' })).toThrowError(
      /skip 'add' needs upsampling 'transpose'/,
    );
  });
});
