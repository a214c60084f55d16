import { describe, expect, it } from 'vitest';
import type { EvaluationView } from '../../../shared/api/training';
import { EngineEvents } from '../events';
import type { ModelVersion } from '../project';
import type { StudioSession } from '../studio/session';
import { describeArch, ModelVersions, summariseVersion } from './models';

function version(id: number, config: unknown = { arch: 'unet', depth: 4 }): ModelVersion {
  return {
    id,
    name: `v${id}`,
    parentId: id > 1 ? id - 1 : null,
    runId: null,
    config,
    backend: 'wasm',
    epochLog: [],
    createdAt: '2026-01-01T00:00:00Z',
    deletedAt: null,
    files: [],
    trainedOn: [
      { imageKey: 'training/21_training', revisionId: 3 },
      { imageKey: 'training/22_training', revisionId: null },
    ],
  };
}

describe('model version summaries', () => {
  it('name the architecture in words', () => {
    expect(describeArch({ arch: 'unet', depth: 4 })).toBe('U-Net depth 4');
    expect(describeArch({ arch: 'unet', depth: 3, block: 'shared-residual' })).toBe(
      'U-Net depth 3, shared residual',
    );
    expect(describeArch({ arch: 'unet' })).toBe('U-Net depth ?');
    expect(describeArch({ arch: 'other' })).toBe('other');
    expect(describeArch({})).toBe('unknown');
  });

  it('count the corrected training images and carry the pooled test figures', () => {
    const pooled = { auc: 0.9, f1: 0.8, precision: 0.7, recall: 0.6 };
    const evaluation = { pooled } as EvaluationView;
    expect(summariseVersion(version(2), 2, evaluation)).toEqual({
      id: 2,
      name: 'v2',
      parentId: 1,
      createdAt: '2026-01-01T00:00:00Z',
      backend: 'wasm',
      arch: 'U-Net depth 4',
      active: true,
      trainedOn: { images: 2, corrected: 1 },
      test: pooled,
    });
    expect(summariseVersion(version(2), null, null)).toMatchObject({ active: false, test: null });
  });
});

/** Versions over a stub project; `chosen` is the version the person picked, if any. */
function models(chosen: number | null) {
  const events = new EngineEvents();
  const changes: (number | null)[] = [];
  events.on('models.changed', ({ activeId }) => changes.push(activeId));
  const deleted: number[] = [];
  const project = {
    listModelVersions: async () => [version(1), version(2), version(3)],
    getViewSettings: async () => ({ selectedModelVersion: chosen }),
    deleteModelVersion: async (id: number) => {
      deleted.push(id);
    },
  };
  const session = () => ({ project }) as unknown as StudioSession;
  return { versions: new ModelVersions(events, session, async () => null), changes, deleted };
}

describe('ModelVersions', () => {
  it('takes the chosen version as active, else the newest', async () => {
    expect((await models(2).versions.active())?.id).toBe(2);
    expect((await models(null).versions.active())?.id).toBe(3);
    expect((await models(99).versions.active())?.id).toBe(3);
  });

  it('refuses to delete the active version, and announces a deletion', async () => {
    const { versions, changes, deleted } = models(2);
    await expect(versions.remove(2)).rejects.toMatchObject({ code: 'MODEL_ACTIVE' });
    expect(deleted).toEqual([]);
    expect(await versions.remove(1)).toEqual({ deleted: 1 });
    expect(deleted).toEqual([1]);
    expect(changes).toEqual([2]);
  });
});
