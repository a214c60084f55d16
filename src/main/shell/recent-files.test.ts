import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { RecentProjects } from '../engine/files/recent-projects';
import { adoptMenuList, RecentFiles } from './recent-files';

const root = mkdtempSync(path.join(os.tmpdir(), 'vessel-recent-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function project(name: string): string {
  const file = path.join(root, `${name}.vessel`);
  writeFileSync(file, '');
  return file;
}

/** What opening a project records (the engine does it on studio.opened). */
function opened(projectFile: string) {
  return { projectFile, datasetRoot: root, layout: 'drive', imageCount: 40 };
}

describe('the menu’s recent files', () => {
  it('are the recent projects’ files: most recent first, without duplicates, at most the limit', async () => {
    const onChange = vi.fn();
    const projects = new RecentProjects(path.join(root, 'a', 'recent.json'));
    const recent = new RecentFiles(projects, onChange, 3);
    const [p1, p2, p3, p4] = ['one', 'two', 'three', 'four'].map(project);
    await projects.record(opened(p1!));
    await recent.add(p2!);
    await projects.record(opened(p1!));
    expect(await recent.list()).toEqual([p1, p2]);
    expect(onChange).toHaveBeenLastCalledWith([p1, p2]);
    await recent.add(p3!);
    await projects.record(opened(p4!));
    expect(await recent.list()).toEqual([p4, p3, p1]);
    expect(onChange).toHaveBeenLastCalledWith([p4, p3, p1]);
    // The first screen sees the same list, with what opening a project told it.
    const shown = await projects.list();
    expect(shown.map((p) => p.projectFile).slice(0, 4)).toEqual([p4, p3, p1, p2]);
    expect(shown[2]).toMatchObject({ layout: 'drive', imageCount: 40 });
    // Forget on the first screen removes it from the menu too.
    await projects.forget(p3!);
    expect(onChange).toHaveBeenLastCalledWith([p4, p1, p2]);
    // Survives a restart: a new instance reads the same file.
    const again = new RecentFiles(new RecentProjects(path.join(root, 'a', 'recent.json')));
    expect(await again.list()).toEqual([p4, p1, p2]);
  });

  it('hides files that no longer exist, refuses what is not a project file, and clears', async () => {
    const projects = new RecentProjects(path.join(root, 'b', 'recent.json'));
    const recent = new RecentFiles(projects);
    const kept = project('kept');
    const gone = project('gone');
    await recent.add(gone);
    await recent.add(kept);
    rmSync(gone);
    expect(await recent.list()).toEqual([kept]);
    await expect(recent.add('relative.vessel')).rejects.toMatchObject({
      code: 'SHELL_RECENT_NOT_PROJECT',
    });
    await expect(recent.add(path.join(root, 'notes.txt'))).rejects.toThrow(/notes\.txt/);
    await recent.clear();
    expect(await recent.list()).toEqual([]);
    expect(await projects.list()).toEqual([]);
  });

  it('takes over the list earlier versions kept for the menu alone, below the recent projects', async () => {
    const old = path.join(root, 'c', 'recent-files.json');
    const [a, b, c] = ['old-a', 'old-b', 'both'].map(project);
    const projects = new RecentProjects(path.join(root, 'c', 'recent-projects.json'));
    // Also creates the folder the old list lived in.
    await projects.record(opened(c!));
    writeFileSync(old, JSON.stringify({ version: 1, paths: [a, c, b] }));
    await adoptMenuList(old, projects);
    const list = await projects.list();
    expect(list.map((p) => p.projectFile)).toEqual([c, a, b]);
    // What was known of a project is kept; the adopted ones wait for their next open.
    expect(list[0]).toMatchObject({ layout: 'drive', imageCount: 40 });
    expect(list[1]).toMatchObject({ datasetRoot: '', datasetExists: false, projectExists: true });
    expect(existsSync(old)).toBe(false);
    // Nothing to take over the second time.
    await adoptMenuList(old, projects);
    expect((await projects.list()).map((p) => p.projectFile)).toEqual([c, a, b]);
  });

  it('sets an unreadable old list aside instead of losing it', async () => {
    const file = path.join(root, 'd-recent.json');
    writeFileSync(file, '{ not json');
    const projects = new RecentProjects(path.join(root, 'd-projects.json'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await adoptMenuList(file, projects);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('d-recent.json.bad'));
    expect(readFileSync(`${file}.bad`, 'utf8')).toBe('{ not json');
    expect(existsSync(file)).toBe(false);
    expect(await projects.list()).toEqual([]);
    warn.mockRestore();
  });
});
