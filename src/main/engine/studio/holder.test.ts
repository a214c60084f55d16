import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioHolder } from './holder';
import { writeTestDataset } from './test-dataset';

describe('StudioHolder', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'studio-holder-'));
    await writeTestDataset(path.join(dir, 'a'), { perSplit: 1 });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses requests before an open, and reopening the same project releases its lock', async () => {
    const holder = new StudioHolder();
    expect(() => holder.current()).toThrow(/No dataset is open/);
    const projectPath = path.join(dir, 'a.vessel');
    const options = { datasetPath: path.join(dir, 'a'), projectPath, appVersion: '0' };
    // Two opens at once: the second waits for the first and then takes over.
    const [first, second] = await Promise.all([holder.open(options), holder.open(options)]);
    expect(first).not.toBe(second);
    expect(holder.current()).toBe(second);
    expect(await holder.close()).toBe(true);
    expect(holder.peek()).toBeNull();
    expect(await holder.close()).toBe(false);
  });

  it('keeps the open session when opening a bad path fails', async () => {
    const holder = new StudioHolder();
    const projectPath = path.join(dir, 'b.vessel');
    const session = await holder.open({
      datasetPath: path.join(dir, 'a'),
      projectPath,
      appVersion: '0',
    });
    await expect(
      holder.open({ datasetPath: path.join(dir, 'missing'), appVersion: '0' }),
    ).rejects.toThrow(/missing/);
    expect(holder.current()).toBe(session);
    expect((await session.listImages()).images).toHaveLength(2);
    await holder.close();
  });
});
