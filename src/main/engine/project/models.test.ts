import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha, useScratchProjects } from '../../../../test/support/project/project-test-setup';
import { randomMaskInput } from '../../../../test/support/project/project-contents';
import { addTinyModel, tinyModelFiles } from '../../../../test/support/project/test-fixtures';

const { newProject, newProjectWithModel } = useScratchProjects();

describe('model versions', () => {
  it('stores a model version with its files, parent, backend, epoch log and training masks', async () => {
    const { project, dir } = await newProject(2);
    const rev = await project.saveMaskRevision('test/01_test', randomMaskInput(24, 20, 1));
    const run = await project.createRun({ kind: 'train', config: {} });
    const weights = new Uint8Array(4096).map((_, i) => i * 7);
    const v1 = await project.addModelVersion({
      name: 'baseline',
      config: { arch: 'unet', depth: 2 },
      files: tinyModelFiles(weights),
      backend: 'wasm',
      runId: run.id,
      epochLog: [{ epoch: 1, loss: 0.5, valAuc: 0.9 }],
      trainedOn: [
        { imageKey: 'test/01_test', revisionId: rev.id },
        { imageKey: 'test/02_test', revisionId: null },
      ],
    });
    const v2 = await project.addModelVersion({
      name: 'tuned',
      config: {},
      files: tinyModelFiles(weights),
      backend: 'cpu',
      parentId: v1.id,
    });
    expect(v1).toMatchObject({
      name: 'baseline',
      runId: run.id,
      backend: 'wasm',
      epochLog: [{ epoch: 1, loss: 0.5, valAuc: 0.9 }],
    });
    expect(v1.trainedOn).toEqual([
      { imageKey: 'test/01_test', revisionId: rev.id },
      { imageKey: 'test/02_test', revisionId: null },
    ]);
    expect(v2.parentId).toBe(v1.id);
    const files = await project.readModelFiles(v1.id);
    expect(sha(files['weights.bin'])).toBe(sha(weights));
    const out = path.join(dir, 'model-out');
    expect(await project.writeModelDir(v1.id, out)).toEqual(['model.json', 'weights.bin']);
    expect(sha(await fs.readFile(path.join(out, 'weights.bin')))).toBe(sha(weights));
  });

  it('renames and deletes versions, keeping the record for lineage and evaluations', async () => {
    const { project } = await newProject(1);
    const files = tinyModelFiles(new Uint8Array(64).fill(1));
    const parent = await project.addModelVersion({ name: 'v1', config: {}, files, backend: 'cpu' });
    const child = await project.addModelVersion({
      name: 'v2',
      config: {},
      files,
      backend: 'cpu',
      parentId: parent.id,
    });
    await project.addEvaluation({ modelVersionId: parent.id, protocol: {}, pooled: { auc: 0.9 } });
    await project.putPrediction(parent.id, 'test/01_test', {
      width: 1,
      height: 1,
      probabilities: new Float32Array([0.5]),
    });
    expect((await project.renameModelVersion(parent.id, '  baseline ')).name).toBe('baseline');
    await expect(project.renameModelVersion(parent.id, ' ')).rejects.toMatchObject({
      code: 'PROJECT_BAD_INPUT',
    });

    const deleted = await project.deleteModelVersion(parent.id);
    expect(deleted.deletedAt).not.toBeNull();
    expect(deleted.files).toEqual([]);
    expect((await project.listModelVersions()).map((v) => v.id)).toEqual([child.id]);
    expect((await project.listModelVersions({ includeDeleted: true })).map((v) => v.id)).toEqual([
      parent.id,
      child.id,
    ]);
    expect((await project.getModelVersion(child.id)).parentId).toBe(parent.id);
    expect((await project.listEvaluations(parent.id)).length).toBe(1);
    expect(await project.getPrediction(parent.id, 'test/01_test')).toBeUndefined();
    await expect(project.readModelFiles(parent.id)).rejects.toMatchObject({
      code: 'PROJECT_MODEL_DELETED',
    });
    await expect(project.deleteModelVersion(999)).rejects.toMatchObject({
      code: 'PROJECT_UNKNOWN_MODEL',
    });
  });

  it('refuses a model folder that could not be loaded again', async () => {
    const { project } = await newProject(1);
    const files = tinyModelFiles(new Uint8Array(8));
    delete (files as Record<string, Uint8Array>)['weights.bin'];
    await expect(
      project.addModelVersion({ name: 'x', config: {}, files, backend: 'cpu' }),
    ).rejects.toMatchObject({
      code: 'PROJECT_BAD_MODEL',
      message: expect.stringContaining('weights.bin'),
    });
    await expect(
      project.addModelVersion({
        name: 'x',
        config: {},
        files: tinyModelFiles(new Uint8Array(8)),
        backend: 'cpu',
        trainedOn: [{ imageKey: 'test/01_test', revisionId: 99 }],
      }),
    ).rejects.toMatchObject({ code: 'PROJECT_UNKNOWN_REVISION' });
    expect(await project.listModelVersions()).toEqual([]);
  });

  it('refuses a parent, run or image the project does not hold, and ids it never gave', async () => {
    const { project } = await newProject(1);
    await expect(addTinyModel(project, 'x', { parentId: 7 })).rejects.toMatchObject({
      code: 'PROJECT_UNKNOWN_MODEL',
    });
    await expect(addTinyModel(project, 'x', { runId: 7 })).rejects.toMatchObject({
      code: 'PROJECT_UNKNOWN_RUN',
    });
    await expect(
      addTinyModel(project, 'x', { trainedOn: [{ imageKey: 'nope', revisionId: null }] }),
    ).rejects.toMatchObject({ code: 'PROJECT_UNKNOWN_IMAGE' });
    await expect(project.getModelVersion(7)).rejects.toMatchObject({
      code: 'PROJECT_UNKNOWN_MODEL',
    });
    await expect(project.renameModelVersion(7, 'y')).rejects.toMatchObject({
      code: 'PROJECT_UNKNOWN_MODEL',
    });
    expect(await project.listModelVersions({ includeDeleted: true })).toEqual([]);
  });

  it('deletes a version once: deleting it again changes nothing', async () => {
    const { project, model } = await newProjectWithModel();
    const deleted = await project.deleteModelVersion(model.id);
    expect(await project.deleteModelVersion(model.id)).toEqual(deleted);
  });
});
