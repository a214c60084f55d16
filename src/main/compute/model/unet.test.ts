import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelPreset, type UnetConfig } from '../../../shared/model-config';
import {
  buildUnet,
  largestValidOutput,
  planUnet,
  smallestValidOutput,
  unetValidLayout,
} from './unet';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const paper = modelPreset('unet-paper') as UnetConfig;

describe('valid-padding geometry', () => {
  it("reproduces the paper's tile: 572x572 in, 388x388 out, skips cropped by 88, 40, 16, 4", () => {
    expect(unetValidLayout(paper, 388)).toEqual({
      inputSize: 572,
      outputSize: 388,
      crops: [88, 40, 16, 4],
    });
    expect(unetValidLayout(paper, 389)).toBeNull();
    expect(smallestValidOutput(paper, 380)).toBe(388);
    expect(largestValidOutput(paper, 572)).toBe(388);
    expect(largestValidOutput(paper, 571)).toBe(372);
  });

  it('the built network maps a valid input to the predicted output size', () => {
    const config: UnetConfig = {
      ...paper,
      depth: 2,
      baseWidth: 2,
      block: 'shared-residual',
      blockDropout: 0.25,
    };
    const layout = unetValidLayout(config, smallestValidOutput(config, 10));
    expect(layout).not.toBeNull();
    const model = buildUnet(config);
    const size = layout?.inputSize ?? 0;
    const out = model.predict(tf.zeros([1, size, size + 4, 1])) as tf.Tensor;
    const wide = unetValidLayout(config, (layout?.outputSize ?? 0) + 4);
    expect(wide?.inputSize).toBe(size + 4);
    expect(out.shape).toEqual([1, layout?.outputSize, (layout?.outputSize ?? 0) + 4, 2]);
    model.dispose();
  });

  it('same padding keeps the size for multiples of 2^depth only', () => {
    const bench = modelPreset('bench-unet') as UnetConfig;
    expect(unetValidLayout(bench, 64)?.inputSize).toBe(64);
    expect(unetValidLayout(bench, 60)).toBeNull();
  });
});

describe('plan', () => {
  it('doubles the widths per level and widens decoder inputs by the skip', () => {
    const plan = planUnet(paper);
    expect(plan.widths).toEqual([64, 128, 256, 512, 1024]);
    expect(plan.decoder.map((b) => b.inChannels)).toEqual([128, 256, 512, 1024]);
    const nearest = planUnet(modelPreset('bench-unet') as UnetConfig);
    expect(nearest.decoder.map((b) => b.inChannels)).toEqual([48, 96, 192]);
  });
});
