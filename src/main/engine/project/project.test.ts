/**
 * The Project facade end to end: a training run recorded the way `train` and `eval` do it
 * (index.ts), read back by another open. Each domain's own rules are tested beside its module.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openProject } from './open';
import { sha, useScratchProjects } from '../../../../test/support/project/project-test-setup';
import { SqliteDatabase } from './sqlite';
import { tinyModelFiles } from '../../../../test/support/project/test-fixtures';

const { newProject, open } = useScratchProjects();

describe('Project', () => {
  it('records a training run as train and eval do, and hands it all back on the next open', async () => {
    const { dir, file, project } = await newProject(2);
    expect(project.file).toBe(file);
    const config = { arch: 'unet' };
    const run = await project.createRun({ kind: 'train', config });
    await project.startRun(run.id);
    const trainedOn = await project.currentTrainingMasks(['test/01_test', 'test/02_test']);
    const modelDir = path.join(dir, 'trained');
    await fs.mkdir(modelDir);
    const weights = new Uint8Array(32).fill(9);
    for (const [name, bytes] of Object.entries(tinyModelFiles(weights)))
      await fs.writeFile(path.join(modelDir, name), bytes);
    const version = await project.addModelVersionFromDir(modelDir, {
      name: 'v1',
      config,
      backend: 'cpu',
      runId: run.id,
      epochLog: [{ epoch: 1, loss: 0.4 }],
      trainedOn,
    });
    const evaluation = await project.addEvaluation({
      modelVersionId: version.id,
      runId: run.id,
      name: 'DRIVE test',
      protocol: { split: 'test' },
      pooled: { auc: 0.97 },
      perImage: [{ imageKey: 'test/01_test', metrics: { auc: 0.96 } }],
    });
    await project.finishRun(run.id);
    await project.close();
    expect(project.isClosed).toBe(true);
    await project.close();
    await expect(project.listImages()).rejects.toMatchObject({ code: 'PROJECT_CLOSED' });

    const reader = await openProject(file, { readOnly: true });
    open.push(reader);
    expect(reader.readOnly).toBe(true);
    expect(await reader.getRun(run.id)).toMatchObject({ status: 'finished', config });
    expect(await reader.getModelVersion(version.id)).toMatchObject({
      runId: run.id,
      epochLog: [{ epoch: 1, loss: 0.4 }],
      trainedOn: [
        { imageKey: 'test/01_test', revisionId: null },
        { imageKey: 'test/02_test', revisionId: null },
      ],
    });
    expect(await reader.listEvaluations(version.id)).toEqual([evaluation]);
    expect(sha((await reader.readModelFiles(version.id))['weights.bin'])).toBe(sha(weights));
    await expect(reader.createRun({ kind: 'eval', config: {} })).rejects.toMatchObject({
      code: 'PROJECT_READ_ONLY',
    });
  });

  it('writes a sound copy where asked', async () => {
    const { dir, project } = await newProject(1);
    await project.updateViewSettings({ brushSize: 7 });
    const target = path.join(dir, 'copy.vessel');
    expect(await project.backup(target)).toBe(target);
    expect(await project.integrityCheck()).toEqual(['ok']);
    const copy = await SqliteDatabase.open(target, { readOnly: true });
    expect(await copy.get("SELECT value FROM view_settings WHERE key = 'brushSize'")).toEqual({
      value: '7',
    });
    await copy.close();
  });
});
