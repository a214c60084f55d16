import type { EngineContext } from '../context';
import { StudioSession, STUDIO_ERROR_CODES } from '../studio/session';
import { AppError } from '../../../shared/result';
import type { AreaHandlers } from './types';

/** The studio requests, over one session per engine (one open dataset and project at a time). */
export function createStudioHandlers(ctx: EngineContext): AreaHandlers<'studio'> {
  let session: StudioSession | null = null;
  let opening: Promise<StudioSession> | null = null;

  const current = (): StudioSession => {
    if (!session) {
      throw new AppError(
        STUDIO_ERROR_CODES.NOT_OPEN,
        'No dataset is open: open a dataset folder or a project file first.',
      );
    }
    return session;
  };

  return {
    'studio.open': async ({ datasetPath, projectPath }) => {
      // Opening twice at once would lock the same project twice: wait for the first.
      await opening?.catch(() => undefined);
      const previous = session;
      session = null;
      await previous?.close();
      opening = StudioSession.open({
        datasetPath,
        projectPath,
        appVersion: ctx.options.appVersion,
      });
      session = await opening;
      const info = session.info();
      ctx.events.emit('studio.opened', info);
      return info;
    },
    'studio.session': async () => session?.info() ?? null,
    'studio.close': async () => {
      const previous = session;
      session = null;
      await previous?.close();
      return { closed: previous !== null };
    },
    'studio.listImages': async () => current().listImages(),
    'studio.image': async ({ id }) => current().image(id),
    'studio.labels': async ({ id }) => current().labels(id),
    'studio.prediction': async ({ id }) => current().prediction(id),
    'studio.mask': async ({ id }) => current().mask(id),
    'studio.saveMask': async ({ id, png, parentRevisionId, note }) => {
      const revision = await current().saveMask(id, png, parentRevisionId, note);
      ctx.events.emit('studio.revisionSaved', revision);
      return revision;
    },
    'studio.revisions': async ({ id }) => ({ revisions: await current().revisions(id) }),
    'studio.restoreRevision': async ({ id, revisionId }) => {
      const restored = await current().restoreRevision(id, revisionId);
      ctx.events.emit('studio.revisionSaved', restored.revision);
      return restored;
    },
    'studio.viewSettings': async () => current().project.getViewSettings(),
    'studio.saveViewSettings': async ({ settings }) =>
      current().project.updateViewSettings(settings),
  };
}
