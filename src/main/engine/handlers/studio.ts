import type { StudioRevision } from '../../../shared/api/studio';
import type { EngineContext } from '../context';
import { bundledModelDir } from '../studio/bundled-model';
import { studioHolder } from '../studio/holder';
import { titleRevisions } from '../studio/revision-titles';
import { exportProject } from '../project/export';
import { absoluteTypedPath } from '../files/paths';
import type { AreaHandlers } from './types';

/** The studio requests, over the engine's one session (one open dataset and project). */
export function createStudioHandlers(ctx: EngineContext): AreaHandlers<'studio'> {
  const holder = studioHolder(ctx);
  const current = () => holder.current();
  /** A revision of image `id` with its title (what it did to the mask). */
  const titled = async (id: string, revision: StudioRevision) =>
    (await titleRevisions(current().project, current().entry(id), [revision]))[0]!;
  return {
    'studio.open': async ({ datasetPath, projectPath }) => {
      // A typed path: `~` is the user's home; a relative path is refused with what to type.
      const session = await holder.open({
        datasetPath: datasetPath === undefined ? undefined : absoluteTypedPath(datasetPath),
        projectPath: projectPath === undefined ? undefined : absoluteTypedPath(projectPath),
        appVersion: ctx.options.appVersion,
        bundledModelDir: bundledModelDir(ctx.options.resourcesDir),
      });
      const info = session.info();
      ctx.events.emit('studio.opened', info);
      return info;
    },
    'studio.session': async () => holder.peek()?.info() ?? null,
    'studio.close': async () => ({ closed: await holder.close() }),
    'studio.listImages': async ({ threshold }) => current().listImages(threshold),
    'studio.thumbnail': async ({ id }) => current().thumbnail(id),
    'studio.image': async ({ id }) => current().image(id),
    'studio.labels': async ({ id }) => current().labels(id),
    'studio.prediction': async ({ id }) => current().prediction(id),
    'studio.focusImage': async ({ id, order }) => current().focusImage(id, order ?? null),
    'studio.predictionQueue': async () => holder.peek()?.predictionQueue() ?? null,
    'studio.pausePredictions': async () => current().pausePredictions(),
    'studio.resumePredictions': async () => current().resumePredictions(),
    'studio.mask': async ({ id }) => current().mask(id),
    'studio.saveMask': async ({ id, png, parentRevisionId, note }) => {
      const saved = await current().saveMask(id, png, parentRevisionId, note);
      const revision = await titled(id, saved);
      ctx.events.emit('studio.revisionSaved', revision);
      return revision;
    },
    'studio.revisions': async ({ id }) => ({
      revisions: await titleRevisions(
        current().project,
        current().entry(id),
        await current().revisions(id),
      ),
    }),
    'studio.restoreRevision': async ({ id, revisionId }) => {
      const restored = await current().restoreRevision(id, revisionId);
      const revision = await titled(id, restored.revision);
      ctx.events.emit('studio.revisionSaved', revision);
      return { ...restored, revision };
    },
    'studio.viewSettings': async () => current().project.getViewSettings(),
    'studio.saveViewSettings': async ({ settings }) =>
      current().project.updateViewSettings(settings),
    'studio.export': async ({ dir }) => exportProject(current().project, dir),
  };
}
