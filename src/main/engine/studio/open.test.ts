import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openProject } from '../project';
import { openStudio } from './open';
import { useStudioScratch } from '../../../../test/support/studio-test-setup';
import { writeTestDataset } from './test-dataset';
import { addTinyModelWithPredictions } from '../../compute/model/test-model';

const scratch = useStudioScratch('studio-open');

describe('openStudio', () => {
  it('opens a project file alone and finds its dataset', async () => {
    const first = await scratch.open('explicit');
    await first.project.close();
    const again = await scratch.open('explicit', { datasetPath: undefined });
    expect(again.dataset.root).toBe(scratch.root);
    expect(again.created).toBe(false);
  });

  it('refuses to open neither a dataset nor a project', async () => {
    await expect(openStudio({ appVersion: '0' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it("refuses another dataset's project, and leaves that project free to open", async () => {
    const other = path.join(scratch.dir, 'OTHER');
    await writeTestDataset(other, { perSplit: 1 });
    const first = await scratch.open('belongs');
    await first.project.close();
    const refused = scratch.open('belongs', { datasetPath: other });
    await expect(refused).rejects.toMatchObject({ code: 'STUDIO_DATASET_MISMATCH' });
    await expect(refused).rejects.toThrow(`belongs to the dataset ${scratch.root}, not ${other}`);
    // The failed open closed the project again: its lock is free.
    const alone = await scratch.open('belongs', { datasetPath: undefined });
    expect(alone.dataset.root).toBe(scratch.root);
  });

  it('makes a dataset its project once, and lists images added to the dataset since', async () => {
    const root = path.join(scratch.dir, 'GROWING');
    const env = { VESSEL_PROJECTS_DIR: path.join(scratch.dir, 'projects') };
    await writeTestDataset(root, { perSplit: 1, splits: ['training'] });
    // No project file: the dataset's automatic project, under VESSEL_PROJECTS_DIR.
    const options = { datasetPath: root, projectPath: undefined, env };
    const made = await scratch.open('automatic', options);
    expect(made.created).toBe(true);
    expect(made.project.file.startsWith(env.VESSEL_PROJECTS_DIR)).toBe(true);
    expect((await made.project.listImages()).map((i) => i.key)).toEqual(['training/21_training']);
    await made.project.close();
    await writeTestDataset(root, { perSplit: 1, splits: ['test'] });
    const reopened = await scratch.open('automatic', options);
    expect(reopened.created).toBe(false);
    expect(reopened.project.file).toBe(made.project.file);
    const keys = (await reopened.project.listImages()).map((i) => i.key);
    expect(keys.sort()).toEqual(['test/01_test', 'training/21_training']);
  });

  it('makes active the version the view settings name, else the newest', async () => {
    const file = path.join(scratch.dir, 'two-models.vessel');
    const older = await addTinyModelWithPredictions(file, scratch.root);
    const newer = await addTinyModelWithPredictions(file, scratch.root);
    const opened = await scratch.open('two-models');
    expect(opened.active?.id).toBe(newer);
    await opened.project.updateViewSettings({ selectedModelVersion: older });
    await opened.project.close();
    expect((await scratch.open('two-models')).active?.id).toBe(older);
  });

  it('makes a version without predictions active and leaves predicting to the queue', async () => {
    const { modelId, project } = await scratch.openWithTinyModel('unpredicted');
    await project.clearPredictions(modelId);
    await project.close();
    const opened = await scratch.open('unpredicted');
    expect(opened.active?.id).toBe(modelId);
    // Opening predicts nothing: the session's prediction queue fills the cache afterwards.
    for (const image of await opened.project.listImages()) {
      expect(await opened.project.getPrediction(modelId, image.key)).toBeUndefined();
    }
  });

  it('opens without a model, saying why, when the bundled model folder is missing', async () => {
    const missing = path.join(scratch.dir, 'no-such-resources', 'models', 'default');
    const opened = await scratch.open('no-bundled', { bundledModelDir: missing });
    expect(opened.active).toBeNull();
    expect(opened.bundledProblem).toMatch(/is missing: reinstall the app/);
    expect((await scratch.open('plain')).bundledProblem).toBeNull();
    // The project is usable, and still free of versions.
    await opened.project.close();
    const project = await openProject(path.join(scratch.dir, 'no-bundled.vessel'));
    try {
      expect(await project.listModelVersions({ includeDeleted: true })).toEqual([]);
    } finally {
      await project.close();
    }
  });
});
