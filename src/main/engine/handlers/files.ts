import { existsSync } from 'node:fs';
import { FILES_ERROR_CODES } from '../../../shared/api/files';
import { AppError } from '../../../shared/result';
import type { EngineContext } from '../context';
import { exportPart } from '../files/export-part';
import { listFolder, resolveTypedPath } from '../files/listing';
import { resolveFolder } from '../files/paths';
import { recentProjectsOf } from '../files/recent-projects';
import { studioHolder } from '../studio/holder';
import { defaultProjectFile } from '../studio/project-location';
import type { AreaHandlers } from './types';

/**
 * The folder browser, the recent projects and Export. Every project the studio opens, from any
 * front end, goes to the top of the recent list.
 */
export function createFilesHandlers(ctx: EngineContext): AreaHandlers<'files'> {
  const recent = () => recentProjectsOf(ctx);
  ctx.events.on('studio.opened', (info) => {
    recent()
      .record(info)
      .catch((error: unknown) => {
        ctx.events.emit('app.log', {
          level: 'warn',
          message: `Not added to the recent projects: ${(error as Error).message}`,
          time: new Date().toISOString(),
        });
      });
  });
  return {
    'files.list': async ({ path }) => {
      const roots = (await recent().list())
        .filter((p) => p.datasetExists)
        .map((p) => p.datasetRoot);
      return listFolder(path, { recentDatasetRoots: roots });
    },
    'files.resolve': async ({ path }) => resolveTypedPath(path),
    'files.recentProjects': async () => ({ projects: await recent().list() }),
    'files.forgetRecentProject': async ({ projectFile }) => ({
      projects: await recent().forget(projectFile),
    }),
    'files.projectLocation': async ({ datasetPath }) => {
      const datasetRoot = await resolveFolder(datasetPath);
      const projectFile = defaultProjectFile(datasetRoot);
      return { datasetRoot, projectFile, exists: existsSync(projectFile) };
    },
    'files.export': async ({ kind, folder, modelId }) => {
      const session = studioHolder(ctx).peek();
      if (!session) {
        throw new AppError(
          FILES_ERROR_CODES.NOTHING_TO_EXPORT,
          'No project is open: open a dataset or a .vessel project first, then export.',
        );
      }
      return exportPart(session.project, {
        kind,
        folder,
        modelId,
        activeModelId: session.activeModel?.id ?? null,
      });
    },
  };
}
