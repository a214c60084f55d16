import type { EngineContext } from '../context';
import { bundledModelDir } from '../studio/bundled-model';
import { studioHolder } from '../studio/holder';
import { exportProject } from '../project/export';
import type { AreaHandlers } from './types';

/** The studio requests, over the engine's one session (one open dataset and project). */
export function createStudioHandlers(ctx: EngineContext): AreaHandlers<'studio'> {
  const holder = studioHolder(ctx);
  const current = () => holder.current();
  return {
    'studio.open': async ({ datasetPath, projectPath }) => {
      const session = await holder.open({
        datasetPath,
        projectPath,
        appVersion: ctx.options.appVersion,
        bundledModelDir: bundledModelDir(ctx.options.resourcesDir),
      });
      const info = session.info();
      ctx.events.emit('studio.opened', info);
      return info;
    },
    'studio.session': async () => holder.peek()?.info() ?? null,
    'studio.close': async () => ({ closed: await holder.close() }),
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
    'studio.export': async ({ dir }) => exportProject(current().project, dir),
  };
}
