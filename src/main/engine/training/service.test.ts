import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type {
  ModelVersionSummary,
  TrainingProgress,
  TrainingRunState,
} from '../../../shared/api/training';
import type { Engine } from '..';
import { writeTestDataset } from '../studio/test-dataset';
import { requestValue as call, useEngineScratch } from '../../../../test/support/engine-scratch';

/** Resolves with the first run state for which `done` holds. */
function waitForState(
  engine: Engine,
  done: (s: TrainingRunState) => boolean,
): Promise<TrainingRunState> {
  return new Promise((resolve) => {
    const off = engine.events.on('training.state', (state) => {
      if (done(state)) {
        off();
        resolve(state);
      }
    });
  });
}

/** The project's model versions. */
function listModels(engine: Engine): Promise<ModelVersionSummary[]> {
  return call<ModelVersionSummary[]>(engine, 'models.list', {});
}

/** Resolves with the state of the next run to end: finished, failed or cancelled. */
function runEnded(engine: Engine): Promise<TrainingRunState> {
  return waitForState(engine, (s) => ['finished', 'failed', 'cancelled'].includes(s.status));
}

const tiny = {
  fineTune: false,
  arch: 'bench-unet',
  epochs: 2,
  stepsPerEpoch: 2,
  batchSize: 2,
  patchSize: 16,
  learningRate: 1e-3,
  augment: true,
  correctionWeight: 5,
};

// Real training in a forked compute process: slow on a loaded 2-core machine.
describe('retrain and evaluate through the contract', { timeout: 240_000 }, () => {
  const scratch = useEngineScratch('vessel-training');
  let engine: Engine;
  const progress: TrainingProgress[] = [];

  beforeAll(async () => {
    await writeTestDataset(path.join(scratch.dir, 'data'), { width: 40, height: 32, perSplit: 3 });
    engine = scratch.startEngine(scratch.dir);
    engine.events.on('training.progress', (p) => progress.push(p));
    await call(engine, 'studio.open', { datasetPath: path.join(scratch.dir, 'data') });
  });

  it('keeps one fixed split: validation from training images, test never trained on', async () => {
    const split = await call<{ training: string[]; validation: string[]; test: string[] }>(
      engine,
      'training.split',
      {},
    );
    expect(split.validation).toHaveLength(1);
    expect(split.training).toHaveLength(2);
    expect(split.test).toEqual(['test/01_test', 'test/02_test', 'test/03_test']);
    expect([...split.training, ...split.validation].every((id) => id.startsWith('training/'))).toBe(
      true,
    );
    const again = await call<{ validation: string[] }>(engine, 'training.split', {});
    expect(again.validation).toEqual(split.validation);
  });

  it('trains from scratch, makes a version, evaluates it on the test split and caches predictions', async () => {
    const finished = waitForState(engine, (s) => s.status === 'finished' || s.status === 'failed');
    const announced: (number | null)[] = [];
    const offChanged = engine.events.on('models.changed', ({ activeId }) =>
      announced.push(activeId),
    );
    const started = await call<TrainingRunState>(engine, 'training.start', { settings: tiny });
    expect(['queued', 'running']).toContain(started.status);
    const state = await finished;
    offChanged();
    // Twice: when the version is recorded (the project's first, so already the one shown), and
    // at the end with its figures.
    expect(announced).toEqual([state.modelId, state.modelId]);
    expect(state.error).toBeNull();
    expect(state.status).toBe('finished');
    expect(state.modelId).not.toBeNull();
    const ofRun = progress.filter((p) => p.runId === state.runId);
    expect(ofRun.filter((p) => p.phase === 'training').length).toBeGreaterThanOrEqual(tiny.epochs);
    // One progress line for the whole run: training (no image was predicted in this session
    // before, so the evaluation's time is not known yet), then every image of the evaluation.
    expect(ofRun.find((p) => p.phase === 'training')).toMatchObject({
      evaluation: { done: 0, total: 6 },
      evaluationTimed: false,
    });
    const evaluating = ofRun.filter((p) => p.phase === 'evaluating');
    expect(evaluating.map((p) => p.evaluation?.done)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(evaluating.at(-1)).toMatchObject({ evaluationTimed: true, etaSeconds: 0, fraction: 1 });
    expect(ofRun.map((p) => p.phase).lastIndexOf('training')).toBeLessThan(
      ofRun.map((p) => p.phase).indexOf('evaluating'),
    );

    const models = await listModels(engine);
    expect(models).toHaveLength(1);
    expect(models[0]?.active).toBe(true);
    expect(state.decision).toMatchObject({
      activate: true,
      message: expect.stringMatching(/from scratch/),
    });
    expect(models[0]?.trainedOn.images).toBe(3);
    expect(models[0]?.test?.auc).toBeGreaterThanOrEqual(0);

    const evals = await call<{
      evaluations: {
        perImage: unknown[];
        roc: { fpr: Float32Array } | null;
        protocol: { region: string };
      }[];
      secondObserver: { pooled: { recall: number } } | null;
    }>(engine, 'evaluation.get', { modelIds: [state.modelId] });
    expect(evals.evaluations).toHaveLength(1);
    expect(evals.evaluations[0]?.perImage).toHaveLength(3);
    expect(evals.evaluations[0]?.protocol.region).toBe('fov');
    expect(evals.evaluations[0]?.roc?.fpr).toBeInstanceOf(Float32Array);
    expect(evals.secondObserver?.pooled.recall).toBeGreaterThan(0);

    const prediction = await call<{ available: boolean }>(engine, 'studio.prediction', {
      id: 'test/01_test',
    });
    expect(prediction.available).toBe(true);
  });

  it('fine-tunes on a corrected mask, weighs the correction, and compares with the parent', async () => {
    const mask = Buffer.alloc(40 * 32).fill(0);
    for (let x = 5; x < 35; x++) mask[16 * 40 + x] = 255;
    const png = new Uint8Array(
      await sharp(mask, { raw: { width: 40, height: 32, channels: 1 } })
        .png()
        .toBuffer(),
    );
    await call(engine, 'studio.saveMask', {
      id: 'training/21_training',
      png,
      parentRevisionId: null,
      note: 'test correction',
    });

    const finished = waitForState(engine, (s) => s.status === 'finished' || s.status === 'failed');
    await call(engine, 'training.start', { settings: { ...tiny, fineTune: true, epochs: 1 } });
    const state = await finished;
    expect(state.error).toBeNull();
    expect(state.parentModelId).not.toBeNull();

    const models = await listModels(engine);
    expect(models).toHaveLength(2);
    const child = models.find((m) => m.id === state.modelId);
    expect(child?.parentId).toBe(state.parentModelId);
    // Active only if its validation AUC is at least its parent's on the same patches; the
    // decision says which it was, and the other version is active otherwise.
    expect(state.decision?.message).toMatch(/validation (AUC|loss)/);
    expect(child?.active).toBe(state.decision?.activate);
    expect(models.find((m) => m.id === state.parentModelId)?.active).toBe(
      !state.decision?.activate,
    );
    if (!state.decision?.activate) await call(engine, 'models.activate', { id: state.modelId });
    expect(child?.trainedOn.corrected).toBe(1);

    const comparison = await call<{
      pooled: { name: string; delta: number | null }[];
      perImage: unknown[];
    }>(engine, 'evaluation.compare', { modelId: state.modelId });
    expect(comparison.pooled.map((d) => d.name)).toEqual(['auc', 'f1', 'precision', 'recall']);
    expect(comparison.perImage).toHaveLength(3);

    // The active version cannot be deleted; another can, after a rename and a roll back.
    const refused = await engine.request('models.delete', { id: state.modelId });
    expect(refused).toMatchObject({ ok: false, error: { code: 'MODEL_ACTIVE' } });
    const parentId = state.parentModelId as number;
    await call(engine, 'models.rename', { id: parentId, name: 'first' });
    await call(engine, 'models.activate', { id: parentId });
    await call(engine, 'models.delete', { id: state.modelId });
    const after = await listModels(engine);
    expect(after.map((m) => [m.name, m.active])).toEqual([['first', true]]);
  });

  it('exports the project (File > Export) into a new folder, refusing a relative path', async () => {
    const out = path.join(scratch.dir, 'export');
    const report = await call<{ masks: string[]; metrics: string[]; models: string[] }>(
      engine,
      'studio.export',
      { dir: out },
    );
    expect(report.masks).toHaveLength(1);
    expect(report.masks[0]).toMatch(/training\/1st_manual\/21_manual1\.png$/);
    expect(report.models.length).toBeGreaterThanOrEqual(1);
    expect(report.metrics.length).toBeGreaterThanOrEqual(1);
    const relative = await engine.request('studio.export', { dir: 'export-here' });
    expect(relative).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
  });

  it('quick fine-tunes on the corrected training images only, then predicts and evaluates in the background', async () => {
    const fromScratch = await engine.request('training.start', {
      settings: { ...tiny, scope: 'corrections' },
    });
    expect(fromScratch).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    const split = await call<{ training: string[] }>(engine, 'training.split', {});
    const mask = Buffer.alloc(40 * 32).fill(0);
    for (let y = 4; y < 28; y++) mask[y * 40 + 20] = 255;
    const png = new Uint8Array(
      await sharp(mask, { raw: { width: 40, height: 32, channels: 1 } })
        .png()
        .toBuffer(),
    );
    const other = split.training.find((id) => id !== 'training/21_training') as string;
    await call(engine, 'studio.saveMask', {
      id: other,
      png,
      parentRevisionId: null,
      note: 'quick',
    });
    const corrected = ['training/21_training', other].filter((id) => split.training.includes(id));

    const statuses: string[] = [];
    const off = engine.events.on('training.state', (s) => statuses.push(s.status));
    const finished = runEnded(engine);
    const run = await call<TrainingRunState>(engine, 'training.start', {
      settings: { ...tiny, fineTune: true, scope: 'corrections', epochs: 1, stepsPerEpoch: 2 },
    });
    expect(run.settings).toMatchObject({ scope: 'corrections', epochs: 1, stepsPerEpoch: 2 });
    const state = await finished;
    off();
    expect(state.error).toBeNull();
    expect(state.status).toBe('finished');
    // No evaluation inside the run: its progress never counts one.
    expect(statuses).not.toContain('evaluating');
    const ofRun = progress.filter((p) => p.runId === run.runId);
    expect(ofRun.length).toBeGreaterThan(0);
    expect(ofRun.every((p) => p.phase === 'training' && p.evaluation === null)).toBe(true);
    const models = await listModels(engine);
    const version = models.find((m) => m.id === state.modelId);
    expect(version?.trainedOn).toEqual({ images: corrected.length, corrected: corrected.length });
    expect(state.decision?.message).toMatch(
      state.decision?.activate ? /follow in the background/ : /once it is made active/,
    );
    if (!state.decision?.activate) await call(engine, 'models.activate', { id: state.modelId });
    // Active, the background predictions evaluate it after predicting every image.
    await expect
      .poll(
        async () => (await listModels(engine)).find((m) => m.id === state.modelId)?.test ?? null,
        { timeout: 120_000, interval: 500 },
      )
      .not.toBeNull();
  });

  it('refuses a second run while one is going, and cancels a run on request', async () => {
    const ended = runEnded(engine);
    const run = await call<TrainingRunState>(engine, 'training.start', {
      settings: { ...tiny, epochs: 50 },
    });
    const second = await engine.request('training.start', { settings: tiny });
    expect(second).toMatchObject({ ok: false, error: { code: 'TRAINING_BUSY' } });
    expect(await call(engine, 'training.cancel', { runId: run.runId })).toEqual({
      cancelled: true,
    });
    const state = await ended;
    expect(state.status).toBe('cancelled');
    expect(state.runId).toBe(run.runId);
    // Cancelled in training: whatever was kept is not evaluated and not made active.
    if (state.modelId !== null) {
      expect(state.decision).toMatchObject({
        activate: false,
        message: expect.stringMatching(/Cancelled while training/),
      });
      const kept = await listModels(engine);
      expect(kept.find((m) => m.id === state.modelId)).toMatchObject({ active: false, test: null });
    }
    expect(await call(engine, 'training.cancel', { runId: run.runId })).toEqual({
      cancelled: false,
    });
    const runs = await call<TrainingRunState[]>(engine, 'training.runs', {});
    expect(runs[0]).toMatchObject({ runId: run.runId, status: 'cancelled' });
  });
  it('cancels during the evaluation: the version is kept unevaluated, the active one stays', async () => {
    const before = await listModels(engine);
    const activeBefore = before.find((m) => m.active)?.id;
    const ended = runEnded(engine);
    const evaluating = waitForState(engine, (s) => s.status === 'evaluating');
    const run = await call<TrainingRunState>(engine, 'training.start', {
      settings: { ...tiny, fineTune: true, epochs: 1 },
    });
    await evaluating;
    expect(await call(engine, 'training.cancel', { runId: run.runId })).toEqual({
      cancelled: true,
    });
    const state = await ended;
    expect(state.status).toBe('cancelled');
    expect(state.modelId).not.toBeNull();
    expect(state.decision).toMatchObject({
      activate: false,
      message: expect.stringMatching(/Cancelled while evaluating/),
    });
    const after = await listModels(engine);
    expect(after.find((m) => m.id === state.modelId)).toMatchObject({ active: false, test: null });
    expect(after.find((m) => m.active)?.id).toBe(activeBefore);
  });

  it('reports a crash of the compute process as a failed run with what to do', async () => {
    const failed = runEnded(engine);
    const run = await call<TrainingRunState>(engine, 'training.start', {
      settings: { ...tiny, epochs: 200 },
    });
    // Kill the compute process once the run has reached it.
    await new Promise<void>((resolve) => {
      const off = engine.events.on('training.progress', (p) => {
        if (p.runId === run.runId) {
          off();
          resolve();
        }
      });
    });
    const pid = engine.context.compute().pid;
    expect(pid).toBeDefined();
    process.kill(pid as number, 'SIGKILL');
    const state = await failed;
    expect(state.status).toBe('failed');
    expect(state.error?.code).toBe('COMPUTE_CRASHED');
    expect(state.error?.action).toMatch(/Retrain/);
    // The host restarted the process: the next run works.
    const next = waitForState(engine, (s) => ['finished', 'failed'].includes(s.status));
    await call(engine, 'training.start', { settings: { ...tiny, epochs: 1 } });
    expect((await next).status).toBe('finished');
  });
});
