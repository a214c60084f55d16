import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILES_ERROR_CODES } from '../../../shared/api/files';
import { decodePngMask } from '../project/mask-codec';
import { useScratchProjects } from '../../../../test/support/project/project-test-setup';
import {
  addEvaluatedBaseline,
  randomMaskInput,
} from '../../../../test/support/project/project-contents';
import { randomMask } from '../../../../test/support/project/test-fixtures';
import { exportPart } from './export-part';

const { newProject, scratchFolder } = useScratchProjects();
const now = new Date(Date.UTC(2026, 11, 5, 3, 21, 13));

describe('exporting a part of the project', () => {
  it('refuses to export what the project does not hold yet, saying what to do', async () => {
    const { project } = await newProject(1);
    await expect(exportPart(project, { kind: 'masks', now })).rejects.toMatchObject({
      code: FILES_ERROR_CODES.NOTHING_TO_EXPORT,
      message: expect.stringContaining('paint a correction'),
    });
    await expect(exportPart(project, { kind: 'metrics', now })).rejects.toMatchObject({
      code: FILES_ERROR_CODES.NOTHING_TO_EXPORT,
    });
    await expect(
      exportPart(project, { kind: 'model', activeModelId: null, now }),
    ).rejects.toMatchObject({ code: FILES_ERROR_CODES.NOTHING_TO_EXPORT });
  });

  it('writes the corrected masks beside the project by default, in a new folder each time', async () => {
    const { file, project } = await newProject(2);
    const latest = randomMask(24, 20, 2);
    await project.saveMaskRevision('test/02_test', randomMaskInput(24, 20, 1));
    await project.saveMaskRevision('test/02_test', { kind: 'binary', ...latest });
    const first = await exportPart(project, { kind: 'masks', now });
    const stem = path.basename(file, '.vessel');
    expect(first.dir).toBe(path.join(path.dirname(file), `${stem}-masks-2026-12-05T03-21-13`));
    expect(first.files).toEqual(['test/1st_manual/02_manual1.png']);
    const written = await decodePngMask(await fs.readFile(path.join(first.dir, first.files[0]!)));
    expect(Array.from(written.data)).toEqual(Array.from(latest.data));
    const second = await exportPart(project, { kind: 'masks', now });
    expect(second.dir).toBe(`${first.dir}-2`);
  });

  it('writes into a typed folder (~ expanded) and refuses one that does not exist', async () => {
    const { project } = await newProject(1);
    await project.saveMaskRevision('test/01_test', randomMaskInput(24, 20, 3));
    const home = scratchFolder();
    await fs.mkdir(path.join(home, 'exports'));
    const report = await exportPart(project, { kind: 'masks', folder: '~/exports', home, now });
    expect(path.dirname(report.dir)).toBe(await fs.realpath(path.join(home, 'exports')));
    await expect(
      exportPart(project, { kind: 'masks', folder: '~/nowhere', home, now }),
    ).rejects.toMatchObject({ code: FILES_ERROR_CODES.NOT_FOUND });
  });

  it('writes the evaluations as CSV, JSON and ROC/PR plots, and a model version as a tfjs folder', async () => {
    const { project } = await newProject(1);
    const model = await addEvaluatedBaseline(project, 'test', 'test/01_test');
    const metrics = await exportPart(project, { kind: 'metrics', now });
    expect(metrics.files).toEqual(
      expect.arrayContaining([
        'evaluations.csv',
        'evaluations.json',
        'evaluation-1-roc.csv',
        'evaluation-1-roc.svg',
        'evaluation-1-roc.png',
        'evaluation-1-pr.svg',
      ]),
    );
    const json = JSON.parse(await fs.readFile(path.join(metrics.dir, 'evaluations.json'), 'utf8'));
    expect(json.evaluations[0]).toMatchObject({
      modelName: 'U-Net baseline',
      pooled: { auc: 0.97 },
    });
    expect(await fs.readFile(path.join(metrics.dir, 'evaluation-1-roc.svg'), 'utf8')).toContain(
      'U-Net baseline',
    );

    const exported = await exportPart(project, { kind: 'model', activeModelId: model.id, now });
    expect(path.basename(exported.dir)).toMatch(new RegExp(`-model-${model.id}-`));
    expect(exported.files).toContain('weights.bin');
    expect(existsSync(path.join(exported.dir, 'model.json'))).toBe(true);
  });
});
