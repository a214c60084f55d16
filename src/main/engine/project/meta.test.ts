import { promises as fs } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION } from './migrations';
import { openProject } from './open';
import {
  addTinyModel,
  useScratchProjects,
} from '../../../../test/support/project/project-test-setup';
import { randomMask } from '../../../../test/support/project/test-fixtures';

const { newProject, open } = useScratchProjects();

describe('project facts', () => {
  it('counts what the project holds, live model versions only', async () => {
    const { file, root, project } = await newProject(2);
    const mask = { kind: 'binary' as const, ...randomMask(24, 20, 1) };
    await project.saveMaskRevision('test/01_test', mask);
    await project.saveMaskRevision('test/01_test', mask);
    const model = await addTinyModel(project, 'a');
    const gone = await addTinyModel(project, 'b');
    await project.deleteModelVersion(gone.id);
    const run = await project.createRun({ kind: 'train', config: {} });
    await project.startRun(run.id);
    await project.createRun({ kind: 'eval', config: {} });
    await project.addEvaluation({ modelVersionId: model.id, protocol: {}, pooled: {} });
    await project.putPrediction(model.id, 'test/02_test', {
      width: 1,
      height: 1,
      probabilities: new Float32Array([1]),
    });
    const info = await project.info();
    expect(info).toMatchObject({
      file,
      readOnly: false,
      schemaVersion: LATEST_SCHEMA_VERSION,
      appVersion: '0.0.0',
      datasetRoot: root,
      images: 2,
      maskRevisions: 2,
      correctedImages: 1,
      modelVersions: 1,
      runs: { queued: 1, running: 1, finished: 0, cancelled: 0, failed: 0 },
      evaluations: 1,
      cachedPredictions: 1,
      fileBytes: (await fs.stat(file)).size,
    });
    expect(Date.parse(info.createdAt ?? '')).not.toBeNaN();

    await project.close();
    const reader = await openProject(file, { readOnly: true });
    open.push(reader);
    expect(await reader.info()).toMatchObject({ readOnly: true, datasetRoot: root, images: 2 });
  });
});
