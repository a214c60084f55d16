import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FILES_ERROR_CODES } from '../../../shared/api/files';
import { createEngine, type Engine } from '..';
import { recentProjectsOf } from '../files/recent-projects';
import { writeTestDataset } from '../studio/test-dataset';

describe('the files requests', () => {
  let dir: string;
  let root: string;
  let engine: Engine;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vessel-files-'));
    root = path.join(dir, 'DRIVE');
    await writeTestDataset(root, { perSplit: 1, width: 32, height: 24 });
    vi.stubEnv('VESSEL_PROJECTS_DIR', path.join(dir, 'projects'));
    engine = createEngine({
      mode: 'browser',
      appVersion: '9.9.9',
      electronVersion: null,
      resourcesDir: path.join(dir, 'no-resources'),
    });
    recentProjectsOf(engine.context, path.join(dir, 'data', 'recent-projects.json'));
  });

  afterAll(async () => {
    await engine.dispose();
    vi.unstubAllEnvs();
    await rm(dir, { recursive: true, force: true });
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
