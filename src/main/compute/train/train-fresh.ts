/**
 * Test support for the training tests: one run of trainModel on a freshly built model whose
 * initial weights are seeded, so runs differ only where a test says.
 */
import type * as tf from '@tensorflow/tfjs';
import { buildModel } from '../model/build';
import { seedInitialWeights } from '../model/seeded-init';
import type { TrainSummary } from './job';
import { trainModel, type TrainModelInput } from './loop';

/**
 * Trains a model built from `input.config`, its initial weights seeded with `seed`, on generated
 * images, and disposes it; `inspect` sees the trained model just before (to read its weights).
 */
export async function trainFresh(
  seed: number,
  input: Omit<TrainModelInput, 'model' | 'dataSource'>,
  inspect?: (model: tf.LayersModel) => Promise<void>,
): Promise<TrainSummary> {
  const model = buildModel(input.config);
  seedInitialWeights(model, seed);
  try {
    const summary = await trainModel({ ...input, model, dataSource: 'generated' });
    await inspect?.(model);
    return summary;
  } finally {
    model.dispose();
  }
}
