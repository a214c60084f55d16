import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { RecentFiles } from './recent-files';

const root = mkdtempSync(path.join(os.tmpdir(), 'vessel-recent-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function project(name: string): string {
  const file = path.join(root, `${name}.vessel`);
  writeFileSync(file, '');
  return file;
}

describe('recent files', () => {
  it('keeps the most recent first, without duplicates, at most the limit', async () => {
    const onChange = vi.fn();
    const recent = new RecentFiles(path.join(root, 'a', 'recent.json'), onChange, 3);
    const [p1, p2, p3, p4] = ['one', 'two', 'three', 'four'].map(project);
    await recent.add(p1);
    await recent.add(p2);
    await recent.add(p1);
    expect(await recent.list()).toEqual([p1, p2]);
    await recent.add(p3);
    await recent.add(p4);
    expect(await recent.list()).toEqual([p4, p3, p1]);
    expect(onChange).toHaveBeenLastCalledWith([p4, p3, p1]);
    // Survives a restart: a new instance reads the same file.
    expect(await new RecentFiles(path.join(root, 'a', 'recent.json')).list()).toEqual([p4, p3, p1]);
  });

  it('hides files that no longer exist and refuses what is not a project file', async () => {
    const recent = new RecentFiles(path.join(root, 'b', 'recent.json'));
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
  });

  it('sets an unreadable list aside instead of losing it', async () => {
    const file = path.join(root, 'c-recent.json');
    writeFileSync(file, '{ not json');
    const recent = new RecentFiles(file);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(await recent.list()).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('c-recent.json.bad'));
    expect(readFileSync(`${file}.bad`, 'utf8')).toBe('{ not json');
    expect(existsSync(file)).toBe(false);
    warn.mockRestore();
  });
});
