import { afterEach, describe, expect, it } from 'vitest';
import { restoreBackup } from './backups';
import {
  startCrashTestChild,
  type CrashTestChild,
} from '../../../../test/support/project/crash-test-process';
import { openProject } from './open';
import { useScratchProjects } from '../../../../test/support/project/project-test-setup';
import { randomMaskInput } from '../../../../test/support/project/project-contents';

const { newProjectFile: projectFile, open: projects } = useScratchProjects();
const children: CrashTestChild[] = [];
// Registered after useScratchProjects, so the children die before their projects close.
afterEach(async () => {
  for (const c of children.splice(0)) await c.kill();
});

describe('one writer per project', () => {
  it('tells a second open in the same process who holds it, and lets it read', async () => {
    const file = await projectFile();
    const first = await openProject(file);
    projects.push(first);
    const error = await openProject(file).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'PROJECT_LOCKED',
      details: { owner: { pid: process.pid } },
    });
    expect((error as Error).message).toContain('open it read-only');

    const reader = await openProject(file, { readOnly: true });
    projects.push(reader);
    const saved = await first.saveMaskRevision('test/01_test', randomMaskInput(24, 20, 1));
    expect((await reader.listMaskRevisions()).map((r) => r.id)).toEqual([saved.id]);
    await expect(
      reader.saveMaskRevision('test/01_test', randomMaskInput(24, 20, 2)),
    ).rejects.toMatchObject({
      code: 'PROJECT_READ_ONLY',
    });
    await first.close();
    const next = await openProject(file);
    projects.push(next);
    expect(next.readOnly).toBe(false);
  });

  it('refuses a second process while the first holds the project, and frees it the moment that one is killed', async () => {
    const file = await projectFile();
    const holder = startCrashTestChild('hold', file);
    children.push(holder);
    expect(await holder.next('ready')).toEqual({ type: 'ready' });
    await expect(openProject(file)).rejects.toMatchObject({
      code: 'PROJECT_LOCKED',
      details: { owner: { pid: holder.process.pid } },
    });
    const contender = startCrashTestChild('hold', file);
    children.push(contender);
    expect(await contender.next('ready')).toMatchObject({ type: 'error', code: 'PROJECT_LOCKED' });

    await expect(restoreBackup(file, `${file}.bak`)).rejects.toMatchObject({
      code: 'PROJECT_LOCKED',
    });

    await holder.kill();
    // No stale lock: the OS released it with the process, so this open succeeds at once.
    const project = await openProject(file);
    projects.push(project);
    expect(await project.integrityCheck()).toEqual(['ok']);
  });
});
