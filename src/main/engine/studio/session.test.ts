import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMaskRuns } from '../../../shared/mask-runs';
import { loadLabel } from '../dataset';
import { StudioSession } from './session';
import { maskPng } from './png';
import { decodeGrey } from '../../../../test/support/studio-test-setup';
import { writeTestDataset } from './test-dataset';
import { addTinyModelWithPredictions } from '../../compute/model/test-model';

describe('StudioSession', () => {
  let dir: string;
  let datasetRoot: string;
  let projects: string;
  let ids: string[];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'studio-session-'));
    datasetRoot = path.join(dir, 'DRIVE');
    projects = path.join(dir, 'projects');
    ids = await writeTestDataset(datasetRoot);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A session on a new project `name` that holds the tiny model and its predictions. */
  const openWithTinyModel = async (name: string) => {
    const file = path.join(dir, `${name}.vessel`);
    const modelId = await addTinyModelWithPredictions(file, datasetRoot);
    return { modelId, session: await StudioSession.open({ projectPath: file, appVersion: '0' }) };
  };

  it('opens a dataset, creates its project outside it, and serves images, labels and masks', async () => {
    const env = { VESSEL_PROJECTS_DIR: projects };
    const session = await StudioSession.open({
      datasetPath: datasetRoot,
      appVersion: '0.0.0',
      env,
    });
    try {
      const info = session.info();
      expect(info.projectCreated).toBe(true);
      expect(info.projectFile.startsWith(projects)).toBe(true);
      expect(info.imageCount).toBe(4);
      expect(info.model).toBeNull();
      expect((await readdir(datasetRoot)).sort()).toEqual(['test', 'training']);

      const list = await session.listImages();
      expect(list.images.map((i) => i.id).sort()).toEqual([...ids].sort());
      expect(list.images.every((i) => !i.corrected && i.f1 === null)).toBe(true);

      const id = 'test/01_test';
      const image = await decodeGrey((await session.image(id)).png);
      expect([image.width, image.height]).toEqual([64, 48]);
      const labels = await session.labels(id);
      expect(labels.secondObserver).not.toBeNull();
      const mask = await session.mask(id);
      expect(mask.source).toBe('label');
      expect(mask.runs).toEqual(labels.firstObserver);
      expect(decodeMaskRuns(labels.firstObserver, 64 * 48)).toEqual(
        await loadLabel(session.entry(id), '1st'),
      );

      const prediction = await session.prediction(id);
      expect(prediction.available).toBe(false);
      if (!prediction.available) expect(prediction.reason).toMatch(/No model/);
    } finally {
      await session.close();
    }
  });

  it('saves revisions, lists them newest first, restores, and finds them after reopening', async () => {
    const env = { VESSEL_PROJECTS_DIR: projects };
    const id = 'training/21_training';
    let session = await StudioSession.open({ datasetPath: datasetRoot, appVersion: '0.0.0', env });
    const painted = new Uint8Array(64 * 48);
    painted[5 * 64 + 7] = 1;
    let first;
    try {
      expect(session.info().projectCreated).toBe(false);
      first = await session.saveMask(id, await maskPng(painted, 64, 48), null, 'stroke');
      painted[6 * 64 + 7] = 1;
      const second = await session.saveMask(id, await maskPng(painted, 64, 48), first.id, 'stroke');
      expect(second.parentId).toBe(first.id);
      expect((await session.revisions(id)).map((r) => r.id)).toEqual([second.id, first.id]);
      await expect(session.saveMask(id, await maskPng(painted, 32, 96), null, '')).rejects.toThrow(
        /64x48/,
      );
      const listed = (await session.listImages()).images.find((i) => i.id === id);
      expect(listed?.corrected).toBe(true);
      const current = await session.currentMaskData(id);
      expect([...current.data].filter((v) => v === 1)).toHaveLength(2);
      const other = await session.currentMaskData('test/01_test');
      const label = decodeMaskRuns((await session.labels('test/01_test')).firstObserver, 64 * 48);
      expect(other.data).toEqual(label);
    } finally {
      await session.close();
    }
    session = await StudioSession.open({ datasetPath: datasetRoot, appVersion: '0.0.0', env });
    try {
      const mask = await session.mask(id);
      expect(mask.source).toBe('revision');
      const saved = decodeMaskRuns(mask.runs, 64 * 48);
      expect(saved[5 * 64 + 7]).toBe(1);
      expect(saved[6 * 64 + 7]).toBe(1);
      expect(saved.filter((v) => v > 0).length).toBe(2);
      const restored = await session.restoreRevision(id, first.id);
      expect(restored.revision.parentId).toBe(first.id);
      const back = decodeMaskRuns(restored.mask.runs, 64 * 48);
      expect(back.filter((v) => v > 0).length).toBe(1);
      await expect(session.image('test/99_test')).rejects.toThrow(/no image/);
    } finally {
      await session.close();
    }
  });

  it('serves the active model prediction and ranks images by uncertainty and disagreement', async () => {
    const { modelId, session } = await openWithTinyModel('with-model');
    try {
      expect(session.info().model).toEqual({ id: modelId, name: 'tiny-green' });
      const prediction = await session.prediction('test/01_test');
      expect(prediction.available).toBe(true);
      if (prediction.available) {
        const grey = await decodeGrey(prediction.png);
        const label = decodeMaskRuns((await session.labels('test/01_test')).firstObserver, 64 * 48);
        // The synthetic vessels are dark green: the model is sure there, and sure outside.
        const centre = 24 * 64 + 32;
        expect(label[centre]).toBe(1);
        expect(grey.data[centre]).toBeGreaterThan(200);
        expect(grey.data[24 * 64 + 20]).toBeLessThan(60);
      }
      const list = await session.listImages();
      expect(list.orderNote).toMatch(/tiny-green/);
      for (const image of list.images) {
        expect(image.f1).toBeGreaterThan(0.9);
        expect(image.auc).toBeGreaterThan(0.9);
      }
      expect(new Set(list.images.map((i) => i.correctNextRank))).toEqual(new Set([0, 1, 2, 3]));
    } finally {
      await session.close();
    }
  });

  it('serves a newly stored prediction once told predictions changed, and none without a model', async () => {
    const { modelId, session } = await openWithTinyModel('repredicted');
    const id = 'test/01_test';
    const centre = 24 * 64 + 32;
    const shownAtCentre = async (): Promise<number> => {
      const prediction = await session.prediction(id);
      if (!prediction.available) throw new Error(prediction.reason);
      return (await decodeGrey(prediction.png)).data[centre]!;
    };
    try {
      // Viewing its neighbours prepares this image's prediction ahead of time.
      for (const other of ids.filter((i) => i !== id)) await session.image(other);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await shownAtCentre()).toBeGreaterThan(200);
      await session.project.putPrediction(modelId, id, {
        width: 64,
        height: 48,
        probabilities: new Float32Array(64 * 48).fill(0.25),
      });
      session.forgetPredictions();
      expect(await shownAtCentre()).toBe(Math.round(0.25 * 255));
      const model = session.activeModel;
      await session.setActiveModel(null);
      expect((await session.prediction(id)).available).toBe(false);
      await session.setActiveModel(model);
      expect(await shownAtCentre()).toBe(Math.round(0.25 * 255));
    } finally {
      await session.close();
    }
  });

  it('serves a prediction stored by the queue at once, and drops figures when the model changes', async () => {
    const { modelId, session } = await openWithTinyModel('background-done');
    const id = 'test/02_test';
    const store = (p: number) =>
      session.project.putPrediction(modelId, id, {
        width: 64,
        height: 48,
        probabilities: new Float32Array(64 * 48).fill(p),
      });
    const uncertainty = async () =>
      (await session.listImages()).images.find((i) => i.id === id)!.uncertainty;
    try {
      await session.project.clearPredictions(modelId);
      expect(await uncertainty()).toBeNull();
      expect((await session.prediction(id)).available).toBe(false);
      await store(0.5);
      session.predictionStored(id);
      // The cache keeps 8 bits: 0.5 comes back as 128/255.
      expect(await uncertainty()).toBeCloseTo(1, 2);
      const prediction = await session.prediction(id);
      if (!prediction.available) throw new Error(prediction.reason);
      expect((await decodeGrey(prediction.png)).data[24 * 64 + 32]).toBe(Math.round(0.5 * 255));
      await store(0);
      await session.setActiveModel(session.activeModel);
      expect(await uncertainty()).toBe(0);
    } finally {
      await session.close();
    }
  });
});
