import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RecentProjects } from './recent-projects';

describe('the recent projects', () => {
  let dir: string;
  let clock: number;
  const now = () => new Date(Date.UTC(2026, 11, 5, 3, 0, clock++));

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vessel-recent-'));
    clock = 0;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const opened = (name: string, datasetRoot: string) => ({
    projectFile: path.join(dir, `${name}.vessel`),
    datasetRoot,
    layout: 'drive',
    imageCount: 40,
  });

  it('keeps what was opened, most recent first, with when and whether it still exists', async () => {
    const dataset = path.join(dir, 'DRIVE');
    await mkdir(dataset);
    await writeFile(path.join(dir, 'a.vessel'), 'x');
    const store = new RecentProjects(path.join(dir, 'data', 'recent-projects.json'), 3, now);
    await store.record(opened('a', dataset));
    await store.record(opened('b', path.join(dir, 'gone')));
    const list = await store.record(opened('a', dataset));
    expect(list.map((p) => path.basename(p.projectFile))).toEqual(['a.vessel', 'b.vessel']);
    expect(list[0]).toMatchObject({
      datasetRoot: dataset,
      layout: 'drive',
      imageCount: 40,
      openedAt: '2026-12-05T03:00:02.000Z',
      projectExists: true,
      datasetExists: true,
    });
    expect(list[1]).toMatchObject({ projectExists: false, datasetExists: false });
    // A new store over the same file reads what the first wrote.
    const again = new RecentProjects(store.file);
    expect((await again.list()).map((p) => p.projectFile)).toEqual(list.map((p) => p.projectFile));
  });

  it('keeps at most its limit and forgets a project on request', async () => {
    const store = new RecentProjects(path.join(dir, 'recent.json'), 2, now);
    await store.record(opened('a', dir));
    await store.record(opened('b', dir));
    await store.record(opened('c', dir));
    expect((await store.list()).map((p) => path.basename(p.projectFile))).toEqual([
      'c.vessel',
      'b.vessel',
    ]);
    const left = await store.forget(path.join(dir, 'c.vessel'));
    expect(left.map((p) => path.basename(p.projectFile))).toEqual(['b.vessel']);
  });

  it('records opens that arrive together without losing one', async () => {
    const store = new RecentProjects(path.join(dir, 'recent.json'), 10, now);
    await Promise.all(['a', 'b', 'c', 'd'].map((n) => store.record(opened(n, dir))));
    expect((await store.list()).length).toBe(4);
  });

  it('sets a damaged list aside as .bad instead of overwriting it', async () => {
    const file = path.join(dir, 'recent.json');
    await writeFile(file, '{ not json');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const store = new RecentProjects(file, 10, now);
    expect(await store.list()).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('.bad'));
    warn.mockRestore();
    expect(await readFile(`${file}.bad`, 'utf8')).toBe('{ not json');
    await store.record(opened('a', dir));
    expect(existsSync(file)).toBe(true);
  });
});
