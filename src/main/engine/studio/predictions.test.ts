import { describe, expect, it } from 'vitest';
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
    const none = { active: null, pending: null };
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

  it('says why an image has no prediction: predicting in the background, failed, or newer', async () => {
    const { modelId, predictions, project } = await openPredictions('background');
    await project.clearPredictions(modelId);
    const reason = async () => {
      const prediction = await predictions.prediction(id);
      if (prediction.available) throw new Error('a prediction was served');
      return prediction.reason;
    };
    expect(await reason()).toMatch(/has no prediction for test\/01_test yet \(the image is newer/);
    // Another version's background work says nothing about this one.
    predictions.track(modelId + 1, new Promise(() => undefined), () => undefined);
    expect(await reason()).toMatch(/the image is newer/);
    let done = 0;
    let finish: () => void = () => undefined;
    predictions.track(modelId, new Promise<void>((r) => (finish = r)), () => done++);
    expect(await reason()).toMatch(/is predicting every image in the background/);
    finish();
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(1);
    expect(await reason()).toMatch(/the image is newer/);
    predictions.track(modelId, Promise.reject(new Error('out of memory')), () => done++);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await reason()).toMatch(/Predicting with model "tiny-green" failed \(out of memory\)/);
    expect(done).toBe(1);
  });

  it('hands out the pending version once, and only while it is the active one', async () => {
    const { project, images, active } = await openPredictions('pending');
    const state = { active, pending: active, bundledProblem: null };
    const first = new PredictionServing(project, images, state);
    expect(first.takePending()).toBe(active);
    expect(first.takePending()).toBeNull();
    const replaced = new PredictionServing(project, images, state);
    replaced.activate(null);
    expect(replaced.takePending()).toBeNull();
  });
});
