/**
 * The desktop menu's Open Recent: the project files of the one recent-projects list that the
 * first screen shows too (engine/files/recent-projects.ts), those that still exist, most recent
 * first. Every change of that list, whoever makes it (opening a project, Forget on the first
 * screen, Clear Recent here), reaches `onChange`, so the menu and the OS list follow it.
 */
import { existsSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { RecentProject } from '../../shared/api/files';
import { SHELL_ERROR_CODES } from '../../shared/api/errors';
import { AppError } from '../../shared/result';
import { readJsonList } from '../engine/files/json-list-file';
import type { RecentProjects } from '../engine/files/recent-projects';

export const RECENT_FILES_LIMIT = 10;

/** The project files of a recent-projects list that still exist, at most `limit`. */
function existing(projects: readonly RecentProject[], limit: number): string[] {
  return projects
    .filter((p) => existsSync(p.projectFile))
    .map((p) => p.projectFile)
    .slice(0, limit);
}

export class RecentFiles {
  constructor(
    private readonly projects: RecentProjects,
    /** Called after every change of the list with the menu's paths (main rebuilds the menu). */
    onChange: (paths: string[]) => void = () => {},
    private readonly limit = RECENT_FILES_LIMIT,
  ) {
    projects.onChange((list) => onChange(existing(list, limit)));
  }

  /** The list, most recent first, without files that no longer exist. */
  async list(): Promise<string[]> {
    return existing(await this.projects.list(), this.limit);
  }

  /** Puts a project file at the top of the list. */
  async add(projectFile: string): Promise<string[]> {
    if (!path.isAbsolute(projectFile) || path.extname(projectFile).toLowerCase() !== '.vessel') {
      throw new AppError(
        SHELL_ERROR_CODES.RECENT_NOT_PROJECT,
        `${projectFile} is not an absolute path to a .vessel project file, so it was not added to Open Recent.`,
      );
    }
    return existing(await this.projects.touch(projectFile), this.limit);
  }

  async clear(): Promise<void> {
    await this.projects.clear();
  }
}

const menuListSchema = z.object({ version: z.literal(1), paths: z.array(z.string()) });

/**
 * Takes over the menu's own list that earlier versions kept (`file`, recent-files.json): its
 * project files join the recent projects below the entries there, and the file is removed once
 * they are written. An unreadable file is set aside as `.bad`, as every list here is.
 */
export async function adoptMenuList(file: string, projects: RecentProjects): Promise<void> {
  const old = await readJsonList(file, menuListSchema, 'recent-files list');
  if (!old) return;
  const { mtime } = await stat(file);
  await projects.adopt(old.paths, mtime);
  await rm(file, { force: true });
}
