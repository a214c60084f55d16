import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FILES_ERROR_CODES } from '../../../shared/api/files';
import type { Engine } from '..';
import { recentProjectsOf } from '../files/recent-projects';
import { writeTestDataset } from '../studio/test-dataset';
import { useEngineScratch } from '../../../../test/support/engine-scratch';

describe('the files requests', () => {
  const scratch = useEngineScratch('vessel-files');
  let dir: string;
  let root: string;
  let engine: Engine;

  beforeAll(async () => {
    dir = scratch.dir;
    root = path.join(dir, 'DRIVE');
    await writeTestDataset(root, { perSplit: 1, width: 32, height: 24 });
    engine = scratch.startEngine(path.join(dir, 'no-resources'), {
      mode: 'browser',
      appVersion: '9.9.9',
      forcedBackend: undefined,
    });
    recentProjectsOf(engine.context, path.join(dir, 'data', 'recent-projects.json'));
  });

  it('refuses a relative path at the contract, saying what to type', async () => {
    const result = await engine.request('files.list', { path: 'datasets/DRIVE' });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'BAD_INPUT', message: expect.stringContaining('start with ~') },
    });
  });

  it('says where a dataset project will be written, then lists the opened project as recent', async () => {
    const before = await engine.request('files.projectLocation', { datasetPath: root });
    expect(before).toMatchObject({ ok: true, value: { datasetRoot: root, exists: false } });
    const where = before.ok ? (before.value as { projectFile: string }).projectFile : '';
    expect(path.dirname(where)).toBe(path.join(dir, 'projects'));

    const opened = await engine.request('studio.open', { datasetPath: root });
    expect(opened).toMatchObject({ ok: true, value: { projectFile: where, projectCreated: true } });
    const recent = await engine.request('files.recentProjects', {});
    expect(recent).toMatchObject({
      ok: true,
      value: {
        projects: [{ projectFile: where, datasetRoot: root, layout: 'drive', imageCount: 2 }],
      },
    });
    expect(await engine.request('files.projectLocation', { datasetPath: root })).toMatchObject({
      ok: true,
      value: { exists: true },
    });
    // The places offer the folder of the recent dataset.
    const listing = await engine.request('files.list', { path: dir });
    expect(listing).toMatchObject({
      ok: true,
      value: {
        places: expect.arrayContaining([{ kind: 'recent', label: path.basename(dir), path: dir }]),
      },
    });
  });

  it('exports only from an open project with something to export, with a coded error otherwise', async () => {
    const result = await engine.request('files.export', { kind: 'masks' });
    expect(result).toMatchObject({
      ok: false,
      error: { code: FILES_ERROR_CODES.NOTHING_TO_EXPORT },
    });
  });
});
