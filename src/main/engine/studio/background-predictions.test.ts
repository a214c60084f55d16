import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { PredictionQueueState, StudioPrediction } from '../../../shared/api/studio';
import { buildModel, saveModelDir } from '../../compute/model';
import { setupCompute } from '../../compute/setup';
import { smallGreenUnet } from '../../compute/train/fixtures';
import type { Engine } from '..';
import { allEntries, openDataset } from '../dataset';
import { writeTestDataset } from './test-dataset';
import { requestValue as call, useEngineScratch } from '../../../../test/support/engine-scratch';

/** What an engine reports of its prediction queue. */
function record(engine: Engine) {
  const ready: string[] = [];
  const states: PredictionQueueState[] = [];
  engine.events.on('studio.predictionReady', ({ id }) => ready.push(id));
  engine.events.on('studio.predictionProgress', (state) => states.push(state));
  /** Resolves with the first state (from now on) for which `done` holds. */
  const until = (done: (s: PredictionQueueState) => boolean) =>
    new Promise<PredictionQueueState>((resolve) => {
      const off = engine.events.on('studio.predictionProgress', (state) => {
        if (done(state)) {
          off();
          resolve(state);
        }
      });
    });
  return { ready, states, until };
}

// A real compute process predicts each image: slow on a loaded 2-core machine.
describe('background predictions through the contract', { timeout: 300_000 }, () => {
  const scratch = useEngineScratch('vessel-background-predictions');
  let dir: string;
  let resources: string;
  let ids: string[];

  beforeAll(async () => {
    dir = scratch.dir;
    for (const name of ['first', 'second']) {
      await writeTestDataset(path.join(dir, name), { width: 40, height: 32, perSplit: 4 });
    }
    ids = allEntries(await openDataset(path.join(dir, 'first'))).map((e) => e.id);
    await setupCompute({ name: 'cpu', by: 'flag' });
    resources = path.join(dir, 'resources');
    const config = smallGreenUnet();
    const model = buildModel(config);
    await saveModelDir(path.join(resources, 'models', 'default'), model, { config });
    model.dispose();
  });

  it('predicts the image the project last showed first, one request per image, then evaluates without predicting again', async () => {
    const datasetPath = path.join(dir, 'first');
    // A project that was on image 7 of 8 when it closed, before it had any model version.
    const before = scratch.startEngine(path.join(dir, 'no-resources'));
    await call(before, 'studio.open', { datasetPath });
    await call(before, 'studio.saveViewSettings', { settings: { selectedImage: ids[6] } });
    await before.dispose();

    const engine = scratch.startEngine(resources);
    const { ready, states, until } = record(engine);
    const host = engine.context.compute();
    const requests = vi.spyOn(host, 'call');
    const finished = until((s) => s.phase === 'done' || s.phase === 'failed');
    const info = await call<{ model: { id: number } }>(engine, 'studio.open', { datasetPath });
    const end = await finished;
    expect(end).toMatchObject({ phase: 'done', done: 8, total: 8, error: null });
    expect(ready).toEqual([6, 7, 5, 4, 3, 2, 1, 0].map((k) => ids[k]));
    // Progress counted each image, with an ETA once the first was done, and evaluated last.
    const counts = states.filter((s) => s.phase === 'predicting').map((s) => s.done);
    expect(new Set(counts)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8]));
    expect(states.find((s) => s.done === 1)?.etaSeconds).not.toBeNull();
    expect(states.map((s) => s.phase).indexOf('evaluating')).toBeGreaterThan(
      states.findIndex((s) => s.done === 8),
    );
    const predictions = requests.mock.calls.filter(([method]) => method === 'predict.dataset');
    expect(predictions.map(([, input]) => (input as { ids: string[] }).ids)).toEqual(
      ready.map((id) => [id]),
    );
    const evaluations = await call<{ evaluations: { perImage: unknown[] }[] }>(
      engine,
      'evaluation.get',
      { modelIds: [info.model.id] },
    );
    expect(evaluations.evaluations).toHaveLength(1);
    expect(evaluations.evaluations[0]!.perImage).toHaveLength(4);
    for (const id of ids) {
      const prediction = await call<StudioPrediction>(engine, 'studio.prediction', { id });
      expect(prediction).toMatchObject({ available: true, modelId: info.model.id });
    }
    requests.mockRestore();
  });

  it('pauses after the image in flight, predicts a newly focused image next, and cancels on close', async () => {
    const engine = scratch.startEngine(resources);
    const { ready, until } = record(engine);
    // Paused as soon as the first image is in flight: that one finishes, no other starts.
    const off = engine.events.on('studio.predictionProgress', (state) => {
      if (state.currentId !== null) {
        off();
        void engine.request('studio.pausePredictions', {});
      }
    });
    const idle = until((s) => s.paused && s.currentId === null);
    await call(engine, 'studio.open', { datasetPath: path.join(dir, 'second') });
    expect(await idle).toMatchObject({ phase: 'predicting', done: 1, total: 8 });
    expect(ready).toEqual([ids[0]]);
    const paused = await call<PredictionQueueState>(engine, 'studio.predictionQueue', {});
    expect(paused).toMatchObject({ paused: true, done: 1, currentId: null });
    const waiting = await call<StudioPrediction>(engine, 'studio.prediction', { id: ids[5] });
    expect(waiting.available).toBe(false);
    if (!waiting.available) expect(waiting.reason).toMatch(/paused \(1 of 8 done\)/);

    // The person goes to image 6: after resuming it is the next one predicted.
    await call(engine, 'studio.focusImage', { id: ids[5], order: ids });
    const next = until((s) => s.done === 2);
    expect(await call(engine, 'studio.resumePredictions', {})).toMatchObject({ paused: false });
    await next;
    expect(ready).toEqual([ids[0], ids[5]]);
    await expect(call(engine, 'studio.focusImage', { id: 'test/99_test' })).rejects.toThrow(
      /STUDIO_UNKNOWN_IMAGE/,
    );

    // Closing the project while an image is in flight cancels the queue and leaves nothing running.
    const inFlight = until((s) => s.currentId !== null);
    await inFlight;
    expect(await call(engine, 'studio.close', {})).toEqual({ closed: true });
    expect(engine.context.compute().pendingCount).toBe(0);
    expect(await call(engine, 'studio.predictionQueue', {})).toBeNull();
  });
});
