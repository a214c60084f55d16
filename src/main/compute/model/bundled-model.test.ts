import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelVersionSummary, TrainingRunState } from '../../../shared/api/training';
import type { StudioPrediction, StudioSessionInfo } from '../../../shared/api/studio';
import type { Engine } from '../../engine';
import { buildModel, loadModelDir, readModelMeta } from './index';
import { sha256Hex } from '../../engine/project/files';
import {
  BUNDLED_MODEL_NAME,
  bundledModelDir,
  registerBundledModel,
} from '../../engine/studio/bundled-model';
import { defaultProjectFile } from '../../engine/studio/project-location';
import { StudioSession } from '../../engine/studio/session';
import { writeTestDataset } from '../../engine/studio/test-dataset';
import { addTinyModelWithPredictions } from './test-model';
import { requestValue as call, useEngineScratch } from '../../../../test/support/engine-scratch';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const resourcesDir = path.join(repoRoot, 'resources');
const shipped = bundledModelDir(resourcesDir);

describe('the bundled model in resources/models/default', () => {
  it('loads as LadderNet (layers 4, filters 10) with the parameters its config builds', async () => {
    await tf.setBackend('cpu');
    const loaded = await loadModelDir(shipped);
    try {
      expect(loaded.config).toMatchObject({ arch: 'laddernet', layers: 4, filters: 10 });
      expect(loaded.meta.parameterCount).toBe(1_381_652);
      expect(loaded.model.countParams()).toBe(loaded.meta.parameterCount);
      const fresh = buildModel(loaded.config);
      expect(fresh.countParams()).toBe(loaded.model.countParams());
      fresh.dispose();
      // One probability map out, the size of the input (2-class softmax: the vessel channel).
      const out = tf.tidy(() => {
        const y = loaded.model.predict(tf.zeros([1, 32, 48, 1])) as tf.Tensor;
        return y.shape;
      });
      expect(out.slice(0, 3)).toEqual([1, 32, 48]);
    } finally {
      loaded.model.dispose();
    }
  });

  it('ships test-figures.json measured on exactly these weights', async () => {
    const figures = JSON.parse(await readFile(path.join(shipped, 'test-figures.json'), 'utf8'));
    const meta = await readModelMeta(shipped);
    expect(figures.weightsSha256).toBe(
      sha256Hex(await readFile(path.join(shipped, 'weights.bin'))),
    );
    expect(figures.parameterCount).toBe(meta.parameterCount);
    expect(figures.protocol).toMatchObject({
      split: 'test',
      images: 20,
      reference: '1st manual',
      threshold: 0.5,
      fovPixels: 4_538_143,
    });
    expect(figures.figures.auc).toBeGreaterThan(0.5);
    expect(figures.figures.f1).toBeGreaterThan(0);
  });
});

describe('a project and the bundled model', () => {
  let dir: string;
  let datasetRoot: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'studio-bundled-'));
    datasetRoot = path.join(dir, 'DRIVE');
    env = { VESSEL_PROJECTS_DIR: path.join(dir, 'projects') };
    await writeTestDataset(datasetRoot);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The studio on a dataset folder, with the given bundled model folder (or none). */
  const openStudio = (root: string, bundled?: string) =>
    StudioSession.open({ datasetPath: root, appVersion: '0.0.0', env, bundledModelDir: bundled });

  it('a new project gets it as its first version, once, with its files and training log', async () => {
    const open = () => openStudio(datasetRoot, shipped);
    const session = await open();
    let bundledId: number;
    try {
      const info = session.info();
      expect(info.model?.name).toBe(BUNDLED_MODEL_NAME);
      expect(info.modelMissingReason).toBeNull();
      const versions = await session.project.listModelVersions();
      expect(versions).toHaveLength(1);
      const [version] = versions;
      bundledId = version!.id;
      const meta = await readModelMeta(shipped);
      expect(version!.config).toEqual(meta.config);
      expect(version!.parentId).toBeNull();
      expect(version!.backend).toBe('wasm');
      expect(version!.epochLog).toHaveLength(meta.trainingLog.length);
      for (const name of ['model.json', 'weights.bin', 'vessel.json']) {
        const file = version!.files.find((f) => f.name === name);
        expect(file?.sha256).toBe(sha256Hex(await readFile(path.join(shipped, name))));
      }
      // Not predicted yet: the engine's background queue predicts it (background-predictions.ts).
      const waiting = await session.prediction('test/01_test');
      expect(waiting.available).toBe(false);
      if (!waiting.available) expect(waiting.reason).toMatch(/has no prediction for test/);
    } finally {
      await session.close();
    }
    // Reopened: still the one version (never added twice), still waiting for its predictions.
    const again = await open();
    try {
      expect(await again.project.listModelVersions()).toHaveLength(1);
      expect(again.activeModel?.id).toBe(bundledId);
      expect((await again.prediction('test/01_test')).available).toBe(false);
    } finally {
      await again.close();
    }
  });

  it('a project that has a model keeps it and does not get the bundled one', async () => {
    const root = path.join(dir, 'with-model');
    await writeTestDataset(root);
    await addTinyModelWithPredictions(defaultProjectFile(root, env), root);
    const session = await openStudio(root, shipped);
    try {
      expect((await session.project.listModelVersions()).map((v) => v.name)).toEqual([
        'tiny-green',
      ]);
      expect((await session.prediction('test/01_test')).available).toBe(true);
    } finally {
      await session.close();
    }
  });

  it('a missing or broken bundled folder: the project opens without a model and says why', async () => {
    const missing = path.join(dir, 'no-such-resources', 'models', 'default');
    const broken = path.join(dir, 'broken');
    await mkdir(broken);
    for (const name of ['model.json', 'vessel.json']) {
      await copyFile(path.join(shipped, name), path.join(broken, name));
    }
    await writeFile(path.join(broken, 'weights.bin'), new Uint8Array(1000));
    const cases = [
      { folder: missing, data: 'missing-data', says: /is missing: reinstall the app/ },
      {
        folder: broken,
        data: 'broken-data',
        says: /cannot be used \(.*weights\.bin.*\): reinstall/,
      },
    ];
    for (const { folder, data, says } of cases) {
      const root = path.join(dir, data);
      await writeTestDataset(root);
      const session = await openStudio(root, folder);
      try {
        const info = session.info();
        expect(info.model).toBeNull();
        expect(info.modelMissingReason).toMatch(says);
        expect(info.modelMissingReason).toContain(folder);
        expect(await session.project.listModelVersions()).toEqual([]);
        const prediction = await session.prediction('test/01_test');
        expect(prediction).toMatchObject({ available: false, reason: info.modelMissingReason });
        expect((await session.listImages()).images).toHaveLength(4);
      } finally {
        await session.close();
      }
    }
    // The error itself, as the registration reports it.
    const session = await openStudio(path.join(dir, 'missing-data'));
    try {
      await expect(registerBundledModel(session.project, missing)).rejects.toMatchObject({
        code: 'MODEL_BUNDLED_MISSING',
      });
      await expect(registerBundledModel(session.project, broken)).rejects.toMatchObject({
        code: 'MODEL_BUNDLED_BROKEN',
      });
      expect(await session.project.listModelVersions()).toEqual([]);
    } finally {
      await session.close();
    }
  });
});

// The real compute process predicts, evaluates and fine-tunes LadderNet: slow on 2 loaded cores.
describe('the studio with the bundled model, through the contract', { timeout: 300_000 }, () => {
  const scratch = useEngineScratch('studio-bundled-engine');
  let engine: Engine;

  beforeAll(async () => {
    await writeTestDataset(path.join(scratch.dir, 'data'), { width: 40, height: 32, perSplit: 3 });
    engine = scratch.startEngine(resourcesDir);
  });

  it('shows its predictions in a new project, evaluates it, and fine-tunes from it', async () => {
    const changed = new Promise<void>((resolve) => {
      const off = engine.events.on('models.changed', () => {
        off();
        resolve();
      });
    });
    const info = await call<StudioSessionInfo>(engine, 'studio.open', {
      datasetPath: path.join(scratch.dir, 'data'),
    });
    expect(info.model?.name).toBe(BUNDLED_MODEL_NAME);
    const early = await call<StudioPrediction>(engine, 'studio.prediction', { id: 'test/01_test' });
    expect(early.available).toBe(false);
    if (!early.available) expect(early.reason).toMatch(/in the background/);

    await changed;
    const prediction = await call<StudioPrediction>(engine, 'studio.prediction', {
      id: 'test/01_test',
    });
    expect(prediction).toMatchObject({ available: true, modelName: BUNDLED_MODEL_NAME });
    if (prediction.available) expect([prediction.width, prediction.height]).toEqual([40, 32]);
    const [bundled] = await call<ModelVersionSummary[]>(engine, 'models.list', {});
    expect(bundled).toMatchObject({ name: BUNDLED_MODEL_NAME, active: true, parentId: null });
    expect(bundled!.test?.auc).toBeGreaterThan(0);

    const finished = new Promise<TrainingRunState>((resolve) => {
      const off = engine.events.on('training.state', (s) => {
        if (s.status === 'finished' || s.status === 'failed') {
          off();
          resolve(s);
        }
      });
    });
    await call(engine, 'training.start', {
      settings: { fineTune: true, epochs: 1, stepsPerEpoch: 1, batchSize: 2, patchSize: 16 },
    });
    const state = await finished;
    expect(state.error).toBeNull();
    expect(state.parentModelId).toBe(bundled!.id);
    const models = await call<ModelVersionSummary[]>(engine, 'models.list', {});
    expect(models).toHaveLength(2);
    expect(models[1]).toMatchObject({ parentId: bundled!.id, active: true });
    const comparison = await call<{ baselineId: number }>(engine, 'evaluation.compare', {
      modelId: models[1]!.id,
    });
    expect(comparison.baselineId).toBe(bundled!.id);
  });
});
