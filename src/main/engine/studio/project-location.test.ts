import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultProjectFile, projectsFolder } from './project-location';

describe('project location', () => {
  it('uses VESSEL_PROJECTS_DIR, else a folder in the home directory', () => {
    expect(projectsFolder({ VESSEL_PROJECTS_DIR: '/tmp/p' })).toBe('/tmp/p');
    expect(projectsFolder({})).toBe(path.join(os.homedir(), '.vessel-studio', 'projects'));
  });

  it('never puts the project inside the dataset folder, and tells same-named folders apart', () => {
    const env = { VESSEL_PROJECTS_DIR: '/tmp/p' };
    const a = defaultProjectFile('/work/shared/datasets/DRIVE', env);
    const b = defaultProjectFile('/home/me/DRIVE', env);
    expect(a.startsWith('/tmp/p/DRIVE-')).toBe(true);
    expect(a.endsWith('.vessel')).toBe(true);
    expect(a).not.toBe(b);
    expect(defaultProjectFile('/work/shared/datasets/DRIVE/', env)).toBe(a);
  });
});
