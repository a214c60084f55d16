import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PredictionQueueState, StudioPrediction } from '../../../shared/api/studio';
import { buildModel, saveModelDir } from '../../compute/model';
import { fovDiameter } from '../../compute/rescale';
import { setupCompute } from '../../compute/setup';
import { smallGreenUnet } from '../../compute/train/fixtures';
import { allEntries, loadFov, openDataset } from '../dataset';
import { writeTestDataset } from './test-dataset';
import { requestValue as call, useEngineScratch } from '../../../../test/support/engine-scratch';

// A real compute process predicts each image: slow on a loaded 2-core machine.
describe('the scale of the studio predictions', { timeout: 300_000 }, () => {
  const scratch = useEngineScratch('vessel-prediction-scale');

  beforeAll(async () => {
    await setupCompute({ name: 'cpu', by: 'flag' });
  });

  it('stores the factor each image was resampled by and serves it with the prediction', async () => {
    const datasetPath = path.join(scratch.dir, 'data');
    await writeTestDataset(datasetPath, { width: 64, height: 48, perSplit: 2 });
    const entries = allEntries(await openDataset(datasetPath));
    const diameters = new Map(
      await Promise.all(
        entries.map(async (e) => [e.id, fovDiameter(await loadFov(e), e.width, e.height)] as const),
      ),
    );
    const imageDiameter = Math.max(...diameters.values());
    expect(imageDiameter).toBeGreaterThan(20);
    // A bundled model trained on images of about half this scale: auto resamples each image.
    const trainingDiameter = Math.round(imageDiameter / 2);
    const resources = path.join(scratch.dir, 'resources');
    const config = smallGreenUnet();
    const model = buildModel(config);
    await saveModelDir(path.join(resources, 'models', 'default'), model, {
      config,
      trainingScale: { fovDiameter: trainingDiameter, images: 2, resample: 'bicubic' },
    });
    model.dispose();

    const engine = scratch.startEngine(resources);
    const finished = new Promise<PredictionQueueState>((resolve) => {
      engine.events.on('studio.predictionProgress', (state) => {
        if (state.phase === 'done' || state.phase === 'failed') resolve(state);
      });
    });
    const info = await call<{ model: { id: number } }>(engine, 'studio.open', { datasetPath });
    expect(await finished).toMatchObject({ phase: 'done', error: null });
    for (const entry of entries) {
      const measured = diameters.get(entry.id)!;
      const prediction = await call<StudioPrediction>(engine, 'studio.prediction', {
        id: entry.id,
      });
      expect(prediction).toMatchObject({
        available: true,
        modelId: info.model.id,
        width: entry.width,
        height: entry.height,
        fovDiameter: measured,
      });
      if (!prediction.available) throw new Error(prediction.reason);
      expect(prediction.scale).toBeCloseTo(trainingDiameter / measured, 10);
      expect(prediction.scale).toBeLessThan(0.6);
    }
  });
});
