import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PredictionQueueState } from '../../../shared/api/studio';
import { ImageServing } from './image-serving';
import { PredictionServing } from './predictions';
import { decodeGrey, useStudioScratch } from '../../../../test/support/studio-test-setup';

const scratch = useStudioScratch('studio-predictions');
const id = 'test/01_test';
const centre = 24 * 64 + 32;

/** Predictions of the tiny model over a new project `name` (its version active, none pending). */
async function openPredictions(name: string) {
  const opened = await scratch.openWithTinyModel(name);
  const images = new ImageServing(opened.dataset);
  const predictions = new PredictionServing(opened.project, images, opened);
  return { ...opened, images, predictions };
}

describe('PredictionServing', () => {
  it('says why there is no prediction without a model: the bundled model problem, else training', async () => {
    const { dataset, project } = await scratch.open('no-model');
    const images = new ImageServing(dataset);
    const none = { active: null };
    const untrained = new PredictionServing(project, images, { ...none, bundledProblem: null });
    const reason = 'No model in this project yet: train one to see predictions.';
    expect(untrained.missingModelReason()).toBe(reason);
    expect(await untrained.prediction(id)).toEqual({ available: false, id, reason });
    expect(await untrained.png(id)).toBeNull();
    expect(await untrained.probabilities(images.entry(id))).toBeNull();
    const broken = new PredictionServing(project, images, { ...none, bundledProblem: 'broken' });
    expect(await broken.prediction(id)).toEqual({ available: false, id, reason: 'broken' });
    await expect(broken.prediction('test/99_test')).rejects.toMatchObject({
      code: 'STUDIO_UNKNOWN_IMAGE',
    });
  });

  it("serves the active model's cached prediction as a grey PNG, until another is active", async () => {
    const { modelId, predictions, images } = await openPredictions('serves');
    const version = predictions.active!;
    expect(version).toMatchObject({ id: modelId, name: 'tiny-green' });
    expect(predictions.missingModelReason()).toBeNull();
    const prediction = await predictions.prediction(id);
    expect(prediction).toMatchObject({ available: true, id, modelId, modelName: 'tiny-green' });
    if (!prediction.available) throw new Error(prediction.reason);
    expect([prediction.width, prediction.height]).toEqual([64, 48]);
    const grey = await decodeGrey(prediction.png);
    expect(grey.data[centre]).toBeGreaterThan(200);
    const probabilities = await predictions.probabilities(images.entry(id));
    expect(probabilities?.[centre]).toBeGreaterThan(200 / 255);
    expect(await predictions.probabilities(images.entry(id))).toBe(probabilities);
    predictions.activate(null);
    expect((await predictions.prediction(id)).available).toBe(false);
    expect(await predictions.png(id)).toBeNull();
    predictions.activate(version);
    expect((await predictions.prediction(id)).available).toBe(true);
  });

  it('keeps serving what it cached until told predictions changed', async () => {
    const { modelId, predictions, project } = await openPredictions('forgets');
    const shownAtCentre = async () => (await decodeGrey((await predictions.png(id))!)).data[centre];
    expect(await shownAtCentre()).toBeGreaterThan(200);
    const probabilities = new Float32Array(64 * 48).fill(0.25);
    await project.putPrediction(modelId, id, { width: 64, height: 48, probabilities });
    expect(await shownAtCentre()).toBeGreaterThan(200);
    predictions.forget();
    expect(await shownAtCentre()).toBe(Math.round(0.25 * 255));
  });

  it('says at which scale the shown prediction was made, null where the cache does not know', async () => {
    const { modelId, predictions, project } = await openPredictions('scale');
    // The tiny model predicted every image at its own size.
    expect(await predictions.prediction(id)).toMatchObject({ scale: 1, fovDiameter: null });
    const probabilities = new Float32Array(64 * 48).fill(0.25);
    const map = { width: 64, height: 48, probabilities };
    await project.putPrediction(modelId, id, { ...map, scale: { factor: 0.75, fovDiameter: 72 } });
    predictions.stored(id);
    expect(await predictions.prediction(id)).toMatchObject({ scale: 0.75, fovDiameter: 72 });
    // A map cached without its scale (before scales were kept) reads as unknown.
    await project.putPrediction(modelId, id, map);
    predictions.stored(id);
    expect(await predictions.prediction(id)).toMatchObject({
      available: true,
      scale: null,
      fovDiameter: null,
    });
  });

  it('says why an image has no prediction: queued, in flight, paused, failed, or newer', async () => {
    const { modelId, predictions, project } = await openPredictions('background');
    await project.clearPredictions(modelId);
    const reason = async () => {
      const prediction = await predictions.prediction(id);
      if (prediction.available) throw new Error('a prediction was served');
      return prediction.reason;
    };
    expect(await reason()).toMatch(/has no prediction for test\/01_test yet \(the image is newer/);
    const queue: PredictionQueueState = {
      modelId: modelId + 1,
      modelName: 'other',
      phase: 'predicting',
      done: 1,
      total: 4,
      currentId: null,
      etaSeconds: 3,
      paused: false,
      error: null,
    };
    let state: PredictionQueueState | null = queue;
    predictions.followQueue(() => state);
    // Another version's queue says nothing about this one.
    expect(await reason()).toMatch(/the image is newer/);
    state = { ...queue, modelId };
    expect(await reason()).toMatch(/one by one in the background \(1 of 4 done\)/);
    state = { ...queue, modelId, currentId: id };
    expect(await reason()).toMatch(/is predicting test\/01_test now in the background/);
    state = { ...queue, modelId, paused: true };
    expect(await reason()).toMatch(/are paused \(1 of 4 done\): resume them in the status bar/);
    state = { ...queue, modelId, phase: 'failed', error: 'out of memory' };
    expect(await reason()).toMatch(/Predicting with model "tiny-green" failed \(out of memory\)/);
  });

  it('serves a prediction stored after it was asked for, once told it was stored', async () => {
    const { modelId, predictions, project } = await openPredictions('stored');
    await project.clearPredictions(modelId);
    expect(await predictions.png(id)).toBeNull();
    const probabilities = new Float32Array(64 * 48).fill(0.75);
    await project.putPrediction(modelId, id, { width: 64, height: 48, probabilities });
    expect(await predictions.png(id)).toBeNull();
    predictions.stored(id);
    expect((await decodeGrey((await predictions.png(id))!)).data[centre]).toBe(191);
  });

  it("shows the previous version's prediction until the active one's exists, saying so", async () => {
    const { modelId, predictions, project } = await openPredictions('stand-in');
    const previous = predictions.active!;
    // A second version with the same files (its predictions are what the test stores).
    const folder = path.join(scratch.dir, 'stand-in-model');
    await project.writeModelDir(modelId, folder);
    const next = await project.addModelVersionFromDir(folder, {
      name: 'v2',
      config: previous.config,
      backend: 'cpu',
    });
    predictions.activate(next);
    const shown = await predictions.prediction(id);
    expect(shown).toMatchObject({
      available: true,
      modelId,
      modelName: 'tiny-green',
      standsInFor: { modelId: next.id, modelName: 'v2' },
    });
    if (!shown.available) throw new Error(shown.reason);
    expect(shown.standsInFor?.reason).toMatch(/"v2" has no prediction for test\/01_test yet/);
    expect((await decodeGrey(shown.png)).data[centre]).toBeGreaterThan(200);
    // Its own prediction, once stored, replaces the stand-in.
    const probabilities = new Float32Array(64 * 48).fill(0.25);
    await project.putPrediction(next.id, id, { width: 64, height: 48, probabilities });
    predictions.stored(id);
    const own = await predictions.prediction(id);
    expect(own).toMatchObject({ available: true, modelId: next.id, modelName: 'v2' });
    expect(own.available && own.standsInFor).toBeUndefined();
    // With no version active nothing stands in, and back to the first no stand-in is needed.
    predictions.activate(null);
    expect((await predictions.prediction('test/02_test')).available).toBe(false);
    predictions.activate(previous);
    const again = await predictions.prediction(id);
    expect(again).toMatchObject({ available: true, modelId });
    expect(again.available && again.standsInFor).toBeUndefined();
  });
});
