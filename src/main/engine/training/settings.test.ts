/**
 * Retrain's settings at the engine: the contract's limits at `training.start`, and the defaults
 * the service fills for its backend and the model it trains (no compute process: it is a stub
 * that fails the run at once, after the settings are decided).
 */
import { describe, expect, it } from 'vitest';
import type { BackendReport, GpuAdapterReport } from '../../../shared/api/app';
import {
  isWholeNumberOption,
  RETRAIN_DEFAULTS,
  retrainSettingsSchema,
  TRAINING_LIMITS,
  type LimitedTrainingOption,
  type TrainingRunState,
} from '../../../shared/api/training';
import { modelPreset } from '../../../shared/model-config';
import { defaultRetrainSettings, quickRetrainSettings } from '../../../shared/retrain-defaults';
import { AppError } from '../../../shared/result';
import type { ComputeHost } from '../../compute/host';
import { createEngine } from '..';
import type { EngineContext } from '../context';
import { EngineEvents } from '../events';
import type { StudioSession } from '../studio/session';
import { TrainingService } from './service';
import { resolveRunSettings } from './settings';
import { H200_ADAPTER } from '../../../../test/support/gpu-adapters';

const RETRAIN_LIMITED = (Object.keys(TRAINING_LIMITS) as LimitedTrainingOption[]).filter(
  (key) => key in retrainSettingsSchema.shape,
);

/** Limits as large as Dawn allows, so no batch is capped by memory here. */
const h200: GpuAdapterReport = { ...H200_ADAPTER, maxStorageBufferBindingSize: 2 ** 32 - 1 };

describe('training.start at the engine', () => {
  it('refuses exactly the values outside TRAINING_LIMITS, before anything runs', async () => {
    const engine = createEngine({
      mode: 'cli',
      appVersion: '0.0.0-test',
      electronVersion: null,
      resourcesDir: '/nonexistent',
    });
    try {
      for (const key of RETRAIN_LIMITED) {
        const { min, max } = TRAINING_LIMITS[key];
        const step = isWholeNumberOption(key) ? 1 : max / 2;
        for (const value of [min - (isWholeNumberOption(key) ? 1 : min / 2), max + step]) {
          const result = await engine.request('training.start', { settings: { [key]: value } });
          expect(result, `${key} ${value}`).toMatchObject({
            ok: false,
            error: { code: 'BAD_INPUT' },
          });
        }
        for (const value of [min, max]) {
          // Valid: it gets past the contract and fails only for want of an open studio.
          const result = await engine.request('training.start', { settings: { [key]: value } });
          expect(result.ok, `${key} ${value}`).toBe(false);
          if (!result.ok) expect(result.error.code, `${key} ${value}`).toBe('STUDIO_NOT_OPEN');
        }
      }
    } finally {
      await engine.dispose();
    }
  });
});

/** A service over a stub project; the compute process refuses, so each run fails right away. */
function service(report: BackendReport, parentConfig: unknown = null) {
  const events = new EngineEvents();
  const ctx = {
    options: {
      mode: 'cli',
      appVersion: '0.0.0-test',
      electronVersion: null,
      resourcesDir: '/nonexistent',
    },
    events,
    backendReport: async () => report,
    compute: () => {
      throw new AppError('COMPUTE_STUB', 'No compute process in this test.');
    },
  } satisfies EngineContext;
  const versions =
    parentConfig === null ? [] : [{ id: 7, name: 'v1', config: parentConfig, parentId: null }];
  const project = {
    listModelVersions: async () => versions,
    getViewSettings: async () => ({ selectedModelVersion: null }),
    createRun: async () => ({ id: 1 }),
    startRun: async () => undefined,
    failRun: async () => undefined,
    cancelRun: async () => undefined,
    latestMaskRevisions: async () => [],
    writeModelDir: async () => undefined,
  };
  const session = {
    project,
    dataset: { root: '/nonexistent', splits: {} },
    secondsPerPrediction: () => null,
  };
  const done = new Promise<TrainingRunState>((resolve) =>
    events.on('training.state', (s) => {
      if (s.status === 'failed') resolve(s);
    }),
  );
  const training = new TrainingService(
    ctx,
    () => session as unknown as StudioSession,
    () => ctx.compute() as ComputeHost,
  );
  return { training, done };
}

function report(active: BackendReport['active'], adapter?: GpuAdapterReport): BackendReport {
  return { active, chosenBy: 'ladder', rejected: [], threads: 1, ...(adapter ? { adapter } : {}) };
}

describe('TrainingService.start fills Retrain’s defaults', () => {
  it('for wasm: the CPU-speed defaults, with what the caller gave kept', async () => {
    const { training, done } = service(report('wasm'));
    const state = await training.start({ fineTune: false, epochs: 3 });
    expect(state.settings).toEqual({ ...RETRAIN_DEFAULTS, fineTune: false, epochs: 3 });
    await done;
  });

  it('for webgpu on a hardware adapter: the GPU defaults', async () => {
    const { training, done } = service(report('webgpu', h200));
    const state = await training.start({});
    expect(state.settings).toEqual(defaultRetrainSettings('webgpu', h200));
    expect(state.settings).toMatchObject({ batchSize: 128, stepsPerEpoch: 56, epochs: 2 });
    await done;
  });

  it('sizes the batch for the model the run fine-tunes', async () => {
    const small = { ...h200, maxStorageBufferBindingSize: 128 * 2 ** 20 };
    const { training, done } = service(report('webgpu', small), modelPreset('unet-paper'));
    const state = await training.start({ fineTune: true });
    expect(state.parentModelId).toBe(7);
    // 64 MiB / 13.8 MB per patch of the paper's U-Net: a batch of 4.
    expect(state.settings.batchSize).toBe(4);
    const failed = await done;
    expect(failed.error?.code).toBe('COMPUTE_STUB');
  });

  it('refuses a quick fine-tune with nothing to fine-tune before recording a run', async () => {
    const none = service(report('wasm'));
    await expect(none.training.start({ scope: 'corrections' })).rejects.toMatchObject({
      code: 'TRAINING_NOTHING_TO_FINE_TUNE',
      message: expect.stringMatching(/starts from the active model version, and there is none/),
    });
    // A version to start from, but no correction on any training image.
    const uncorrected = service(report('wasm'), modelPreset('laddernet'));
    await expect(uncorrected.training.start({ scope: 'corrections' })).rejects.toMatchObject({
      code: 'TRAINING_NOTHING_TO_FINE_TUNE',
      message: expect.stringMatching(/no training image has one/),
    });
    expect(none.training.current()).toBeNull();
  });
});

describe('resolveRunSettings', () => {
  /** Sources that count how often the active model is asked for. */
  function sources(parent: unknown = null) {
    const asked = { activeModel: 0 };
    return {
      asked,
      activeModel: async () => {
        asked.activeModel++;
        return parent as never;
      },
      backendReport: async () => report('wasm'),
    };
  }

  it('refuses an unknown architecture from scratch with BAD_INPUT, before asking anything', async () => {
    const s = sources();
    await expect(resolveRunSettings({ fineTune: false, arch: 'nope' }, s)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/Unknown architecture "nope"/),
    });
    expect(s.asked.activeModel).toBe(0);
  });

  it('fills a quick fine-tune from the quick preset, keeping what the caller gave', async () => {
    const parent = { id: 7, name: 'v1', config: modelPreset('laddernet'), parentId: null };
    const quick = await resolveRunSettings(
      { scope: 'corrections', learningRate: 3e-4 },
      sources(parent),
    );
    expect(quick.settings).toEqual({
      ...quickRetrainSettings(RETRAIN_DEFAULTS),
      learningRate: 3e-4,
    });
    expect(quick.settings).toMatchObject({ scope: 'corrections', fineTune: true, epochs: 1 });
    await expect(
      resolveRunSettings({ scope: 'corrections', fineTune: false }, sources(parent)),
    ).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/quick fine-tune/),
    });
  });

  it('asks for the version to fine-tune only when fine-tuning', async () => {
    const parent = { id: 7, name: 'v1', config: modelPreset('unet-paper'), parentId: null };
    const scratch = sources(parent);
    const fromScratch = await resolveRunSettings({ fineTune: false }, scratch);
    expect(fromScratch.parent).toBeNull();
    expect(scratch.asked.activeModel).toBe(0);
    const tuned = sources(parent);
    const fineTuned = await resolveRunSettings({ fineTune: true, arch: 'nope' }, tuned);
    expect(fineTuned.parent).toBe(parent);
    expect(fineTuned.settings).toMatchObject({ fineTune: true, arch: 'nope' });
    expect(tuned.asked.activeModel).toBe(1);
  });
});
