/**
 * Where a dataset's project file goes when the person opened only a dataset folder: never
 * inside the dataset (it may be read-only, like a shared DRIVE copy), but in a projects
 * folder of the user, one file per dataset folder.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

/** The folder for automatic projects: VESSEL_PROJECTS_DIR, else ~/.vessel-studio/projects. */
export function projectsFolder(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.VESSEL_PROJECTS_DIR;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return path.resolve(fromEnv);
  return path.join(os.homedir(), '.vessel-studio', 'projects');
}

/**
 * The automatic project file of a dataset folder: `<folder name>-<8 hex of its absolute
 * path>.vessel`, so two folders of the same name (two DRIVE copies) do not share a project.
 */
export function defaultProjectFile(
  datasetRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const root = path.resolve(datasetRoot);
  const base = path.basename(root).replace(/[^A-Za-z0-9._-]+/g, '_') || 'dataset';
  const digest = createHash('sha256').update(root).digest('hex').slice(0, 8);
  return path.join(projectsFolder(env), `${base}-${digest}.vessel`);
}

/**
 * The engine's own data folder outside Electron (the recent projects of browser mode):
 * ~/.vessel-studio, the folder that holds the default projects folder. The desktop app keeps
 * its data in Electron's user-data folder instead and hands the engine that path.
 */
export function appDataFolder(): string {
  return path.join(os.homedir(), '.vessel-studio');
}

/** The recent-projects list of browser mode: `recent-projects.json` in appDataFolder(). */
export function defaultRecentProjectsFile(): string {
  return path.join(appDataFolder(), 'recent-projects.json');
}
