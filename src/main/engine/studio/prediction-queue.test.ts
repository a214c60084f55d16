import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PredictionQueueState } from '../../../shared/api/studio';
import { buildModel, saveModelDir } from '../../compute/model';
import { predictDataset, type PredictedImage } from '../../compute/predict-dataset';
import { setupCompute } from '../../compute/setup';
import { smallGreenUnet } from '../../compute/train/fixtures';
import { allEntries, openDataset } from '../dataset';
import { nextImage, PredictionQueue, type PredictionQueueWork } from './prediction-queue';
import { writeTestDataset } from './test-dataset';

let dir: string;
let root: string;
let modelDir: string;
/** The eight images in dataset order: four training, then four test. */
let ids: string[];

beforeAll(async () => {
  await setupCompute({ name: 'cpu', by: 'flag' });
  dir = await mkdtemp(path.join(os.tmpdir(), 'vessel-prediction-queue-'));
  root = path.join(dir, 'DRIVE');
  await writeTestDataset(root, { width: 40, height: 32, perSplit: 4 });
  ids = allEntries(await openDataset(root)).map((e) => e.id);
  const config = smallGreenUnet();
  const model = buildModel(config);
  modelDir = path.join(dir, 'model');
  await saveModelDir(modelDir, model, { config });
  model.dispose();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Predicts one image in this process with the real inference code, as the compute process does. */
async function predictOne(id: string, signal: AbortSignal): Promise<PredictedImage> {
  const [image] = await predictDataset(
    { modelDir, root, ids: [id] },
    { signal, progress: () => undefined, log: () => undefined },
  );
  return image as PredictedImage;
}

/** A queue over the test dataset that stores into a map and records what it reports. */
function queueOver(more: Partial<PredictionQueueWork> = {}) {
  const stored = new Map<string, PredictedImage>();
  const ready: string[] = [];
  const states: PredictionQueueState[] = [];
  const focus = { id: null as string | null, order: null as string[] | null };
  const hooks = { onReady: (_id: string) => {}, onState: (_s: PredictionQueueState) => {} };
  const queue = new PredictionQueue({
    modelId: 7,
    modelName: 'small',
    ids,
    has: async () => false,
    predict: predictOne,
    store: async (image) => void stored.set(image.id, image),
    focus: () => focus,
    onState: (state) => {
      states.push(state);
      hooks.onState(state);
    },
    onReady: (id) => {
      ready.push(id);
      hooks.onReady(id);
    },
    ...more,
  });
  return { queue, stored, ready, states, focus, hooks };
}

describe('nextImage', () => {
  const all = ['a', 'b', 'c', 'd', 'e'];
  it('takes the focused image, then the nearest along the list, the next before the previous', () => {
    const pending = new Set(all);
    expect(nextImage(pending, { id: 'c', order: null }, all)).toBe('c');
    pending.delete('c');
    expect(nextImage(pending, { id: 'c', order: null }, all)).toBe('d');
    pending.delete('d');
    expect(nextImage(pending, { id: 'c', order: null }, all)).toBe('b');
    expect(nextImage(pending, { id: null, order: null }, all)).toBe('a');
  });

  it('follows the order the list shows, with images it leaves out after it in dataset order', () => {
    const pending = new Set(['a', 'b', 'e']);
    // Shown as e, c, a (b and d not in the order given): b comes after a.
    const focus = { id: 'c', order: ['e', 'c', 'a', 'unknown'] };
    expect(nextImage(pending, focus, all)).toBe('a');
    pending.delete('a');
    expect(nextImage(pending, focus, all)).toBe('e');
    pending.delete('e');
    expect(nextImage(pending, focus, all)).toBe('b');
    expect(nextImage(new Set(), focus, all)).toBeNull();
  });
});

describe('PredictionQueue', { timeout: 120_000 }, () => {
  it('predicts the image on screen first, then its neighbours, and follows a change of focus', async () => {
    const { queue, stored, ready, states, focus, hooks } = queueOver();
    focus.id = ids[5]!;
    focus.order = ids;
    // The person moves to another image while the second prediction is stored.
    hooks.onReady = (id) => {
      if (id === ids[6]) focus.id = ids[1]!;
    };
    await queue.start();
    expect(ready).toEqual([5, 6, 1, 2, 0, 3, 4, 7].map((k) => ids[k]));
    expect([...stored.keys()].sort()).toEqual([...ids].sort());
    for (const id of ids) expect(stored.get(id)?.probabilities).toHaveLength(40 * 32);
    const last = queue.state();
    expect(last).toMatchObject({ phase: 'done', done: 8, total: 8, currentId: null });
    // Each image is announced as in flight before it is counted done.
    const inFlight = states.filter((s) => s.currentId !== null).map((s) => s.currentId);
    expect(inFlight).toEqual(ready);
    expect(states.map((s) => s.done)).toEqual([...states.map((s) => s.done)].sort((a, b) => a - b));
  });

  it('pauses after the image in flight and resumes where it stopped', async () => {
    const { queue, stored, states, hooks } = queueOver();
    // Paused while the third image is in flight: it is still stored, the fourth does not start.
    hooks.onState = (state) => {
      if (state.currentId === ids[2]) queue.pause();
    };
    void queue.start();
    const idle = await queue.whenIdle();
    expect(idle).toMatchObject({ phase: 'predicting', paused: true, done: 3, currentId: null });
    expect([...stored.keys()]).toEqual(ids.slice(0, 3));
    expect(states.at(-1)).toMatchObject({ paused: true, done: 3, currentId: null });
    hooks.onState = () => undefined;
    expect(queue.resume()).toMatchObject({ paused: false });
    const end = await queue.whenFinished();
    expect(end).toMatchObject({ phase: 'done', done: 8, paused: false });
    expect([...stored.keys()]).toEqual(ids);
  });

  it('cancels: the image in flight is not stored and the work after the predictions never runs', async () => {
    let followedUp = false;
    const { queue, stored, ready, hooks } = queueOver({
      followUp: () => async () => void (followedUp = true),
    });
    let cancelled = null as Promise<void> | null;
    hooks.onState = (state) => {
      if (state.currentId === ids[1] && !cancelled) cancelled = queue.cancel();
    };
    const finished = queue.start();
    await finished;
    await cancelled;
    expect(queue.state()).toMatchObject({ phase: 'cancelled', done: 1, currentId: null });
    expect(ready).toEqual([ids[0]]);
    expect([...stored.keys()]).toEqual([ids[0]]);
    expect(followedUp).toBe(false);
    expect(queue.running).toBe(false);
  });

  it('gives an ETA from the measured seconds per image (a moving average), none before the first', async () => {
    let clock = 100;
    const seconds = [2, 4, 4, 4, 4, 4, 4, 4];
    let k = 0;
    const { queue, states } = queueOver({
      now: () => clock,
      predict: async (id, signal) => {
        const image = await predictOne(id, signal);
        clock += seconds[k++]!;
        return image;
      },
    });
    await queue.start();
    const done = (n: number) => states.find((s) => s.done === n)!;
    expect(states.filter((s) => s.done === 0).every((s) => s.etaSeconds === null)).toBe(true);
    expect(done(1).etaSeconds).toBe(2 * 7);
    // 0.3 * 4 + 0.7 * 2 = 2.6 seconds per image, six images left.
    expect(done(2).etaSeconds).toBe(Math.round(2.6 * 6));
    expect(done(8).etaSeconds).toBe(0);
    expect(queue.state().etaSeconds).toBeNull();
  });

  it('skips images that have a prediction, and runs the follow-up only after the last image', async () => {
    const cached = new Set(ids.slice(0, 3));
    let storedWhenFollowedUp = -1;
    const phases: string[] = [];
    const { queue, stored, states } = queueOver({
      has: async (id) => cached.has(id),
      followUp: () => async () => {
        storedWhenFollowedUp = stored.size;
        phases.push(...states.map((s) => s.phase));
      },
    });
    await queue.start();
    expect([...stored.keys()].sort()).toEqual(ids.slice(3).sort());
    expect(storedWhenFollowedUp).toBe(5);
    expect(phases.at(-1)).toBe('evaluating');
    expect(queue.state()).toMatchObject({ phase: 'done', done: 5, total: 5 });
  });

  it('ends as failed with the reason when an image cannot be predicted', async () => {
    const { queue, stored } = queueOver({ ids: [ids[0]!, 'test/99_test', ids[1]!] });
    await queue.start();
    expect(queue.state()).toMatchObject({ phase: 'failed', done: 1, currentId: null });
    expect(queue.state().error).toMatch(/no image test\/99_test/);
    expect([...stored.keys()]).toEqual([ids[0]]);
  });
});
