/**
 * The projects opened lately, for the first screen: each with its dataset, layout, image count
 * and when it was opened, kept as a small JSON list in the app's data folder (browser mode:
 * ~/.vessel-studio; the desktop app: Electron's user-data folder). A list that cannot be read
 * is set aside as `.bad` rather than overwritten, so nothing a person had is silently lost.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { StudioSessionInfo } from '../../../shared/api/studio';
import type { RecentProject } from '../../../shared/api/files';
import type { EngineContext } from '../context';
import { defaultRecentProjectsFile } from '../studio/project-location';
import { readJsonList, writeJsonList } from './json-list-file';

export const RECENT_PROJECTS_LIMIT = 12;

const entrySchema = z.object({
  projectFile: z.string().min(1),
  datasetRoot: z.string(),
  layout: z.string(),
  imageCount: z.number().int().nonnegative(),
  openedAt: z.string(),
});
const listSchema = z.object({ version: z.literal(1), projects: z.array(entrySchema) });
type StoredEntry = z.infer<typeof entrySchema>;

export class RecentProjects {
  /** Writes run one after another, so two quick opens never lose one another's entry. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(projects: RecentProject[]) => void>();

  constructor(
    readonly file: string,
    private readonly limit = RECENT_PROJECTS_LIMIT,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Most recent first, each saying whether its project file and dataset folder still exist. */
  async list(): Promise<RecentProject[]> {
    await this.queue.catch(() => undefined);
    return (await this.read()).map((e) => ({
      ...e,
      projectExists: existsSync(e.projectFile),
      datasetExists: e.datasetRoot !== '' && existsSync(e.datasetRoot),
    }));
  }

  /** Puts an opened project at the top of the list (an earlier entry for it is replaced). */
  record(info: Pick<StudioSessionInfo, 'projectFile' | 'datasetRoot' | 'layout' | 'imageCount'>) {
    return this.change((entries) => [
      {
        projectFile: info.projectFile,
        datasetRoot: info.datasetRoot,
        layout: info.layout,
        imageCount: info.imageCount,
        openedAt: this.now().toISOString(),
      },
      ...entries.filter((e) => e.projectFile !== info.projectFile),
    ]);
  }

  /** Removes a project from the list; the file itself is not touched. */
  forget(projectFile: string) {
    return this.change((entries) => entries.filter((e) => e.projectFile !== projectFile));
  }

  /** Empties the list (the desktop menu's Clear Recent); no project file is touched. */
  clear() {
    return this.change(() => []);
  }

  /**
   * Puts a project file at the top by its path alone (the desktop's "add to recent" from the
   * page): an entry the list has keeps what it knows of its dataset, a new one knows nothing yet
   * (the next open fills it in).
   */
  touch(projectFile: string) {
    return this.change((entries) => {
      const known = entries.find((e) => e.projectFile === projectFile);
      const entry = known ?? { projectFile, datasetRoot: '', layout: '', imageCount: 0 };
      return [
        { ...entry, openedAt: this.now().toISOString() },
        ...entries.filter((e) => e.projectFile !== projectFile),
      ];
    });
  }

  /**
   * Adds project files another list held (oldest last) below the entries, where they are not
   * there yet and there is room; their datasets are unknown until they are opened again.
   */
  adopt(projectFiles: readonly string[], openedAt: Date) {
    return this.change((entries) => {
      const known = new Set(entries.map((e) => e.projectFile));
      const adopted = projectFiles
        .filter((file, k) => !known.has(file) && projectFiles.indexOf(file) === k)
        .map((projectFile) => ({
          projectFile,
          datasetRoot: '',
          layout: '',
          imageCount: 0,
          openedAt: openedAt.toISOString(),
        }));
      return [...entries, ...adopted];
    });
  }

  /** Calls `listener` with the list after every change (the desktop menu rebuilds itself). */
  onChange(listener: (projects: RecentProject[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private change(update: (entries: StoredEntry[]) => StoredEntry[]): Promise<RecentProject[]> {
    const run = this.queue
      .catch(() => undefined)
      .then(async () => this.write(update(await this.read()).slice(0, this.limit)));
    this.queue = run;
    return run
      .then(() => this.list())
      .then((projects) => {
        for (const listener of this.listeners) listener(projects);
        return projects;
      });
  }

  private async read(): Promise<StoredEntry[]> {
    return (await readJsonList(this.file, listSchema, 'recent-projects list'))?.projects ?? [];
  }

  private write(projects: StoredEntry[]): Promise<void> {
    return writeJsonList(this.file, { version: 1, projects });
  }
}

const stores = new WeakMap<EngineContext, RecentProjects>();

/**
 * The recent-projects list of an engine: the desktop app sets its own file (in Electron's
 * user-data folder) before the first request; elsewhere it is ~/.vessel-studio's.
 */
export function recentProjectsOf(ctx: EngineContext, file?: string): RecentProjects {
  let store = stores.get(ctx);
  if (file !== undefined && store?.file !== file) {
    store = new RecentProjects(file);
    stores.set(ctx, store);
  }
  if (!store) {
    store = new RecentProjects(defaultRecentProjectsFile());
    stores.set(ctx, store);
  }
  return store;
}
