/**
 * The recently opened project files, kept as a small JSON list in the user's data folder.
 * Listing drops files that no longer exist; a list that cannot be read is set aside (kept as
 * `.bad`) rather than overwritten, so nothing a person had is silently lost.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../shared/result';
import { readJsonList, writeJsonList } from '../engine/files/json-list-file';
import { SHELL_ERROR_CODES } from '../../shared/api/errors';

const recentListSchema = z.object({ version: z.literal(1), paths: z.array(z.string()) });

export const RECENT_FILES_LIMIT = 10;

export class RecentFiles {
  constructor(
    private readonly file: string,
    /** Called after every change with the new list (main rebuilds the menu, tells the OS). */
    private readonly onChange: (paths: string[]) => void = () => {},
    private readonly limit = RECENT_FILES_LIMIT,
  ) {}

  /** The list, most recent first, without files that no longer exist. */
  async list(): Promise<string[]> {
    return (await this.read()).filter((file) => existsSync(file));
  }

  /** Puts a project file at the top of the list. */
  async add(projectFile: string): Promise<string[]> {
    if (!path.isAbsolute(projectFile) || path.extname(projectFile).toLowerCase() !== '.vessel') {
      throw new AppError(
        SHELL_ERROR_CODES.RECENT_NOT_PROJECT,
        `${projectFile} is not an absolute path to a .vessel project file, so it was not added to Open Recent.`,
      );
    }
    const current = await this.read();
    const next = [projectFile, ...current.filter((file) => file !== projectFile)].slice(
      0,
      this.limit,
    );
    await this.write(next);
    this.onChange(next);
    return next.filter((file) => existsSync(file));
  }

  async clear(): Promise<void> {
    await this.write([]);
    this.onChange([]);
  }

  private async read(): Promise<string[]> {
    return (await readJsonList(this.file, recentListSchema, 'recent-files list'))?.paths ?? [];
  }

  private write(paths: string[]): Promise<void> {
    return writeJsonList(this.file, { version: 1, paths });
  }
}
