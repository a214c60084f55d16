import type { EngineContext } from '../context';
import { predictPendingInBackground } from '../studio/background-predictions';
import { studioHolder } from '../studio/holder';
import { publishedRows } from '../training/evaluation-view';
import { TrainingService } from '../training/service';
import type { AreaHandlers } from './types';

type TrainingAreas = AreaHandlers<'training'> & AreaHandlers<'models'> & AreaHandlers<'evaluation'>;

/** Retrain, model versions and evaluation of the open studio session. */
export function createTrainingHandlers(ctx: EngineContext): TrainingAreas {
  const studio = () => studioHolder(ctx).current();
  const service = new TrainingService(ctx, studio, () => ctx.compute());
  // A project just given the bundled model: predict it everywhere, as training does for a version.
  ctx.events.on('studio.opened', () => {
    const session = studioHolder(ctx).peek();
    if (!session) return;
    void predictPendingInBackground(session, {
      evaluate: (id) => service.evaluate(id),
      compute: () => ctx.compute(),
      events: ctx.events,
      isCurrent: (s) => studioHolder(ctx).peek() === s,
    });
  });
  return {
    'training.split': async () => service.split(),
    'training.start': async ({ settings }) => service.start(settings),
    'training.cancel': async ({ runId }) => service.cancel(runId),
    'training.current': async () => service.current(),
    'training.runs': async () => {
      // Newest first, as the project lists them.
      const runs = await studio().project.listRuns();
      const current = service.current();
      return runs
        .filter((r) => r.kind === 'train')
        .map((r) =>
          current?.runId === r.id
            ? current
            : {
                runId: r.id,
                status: r.status,
                // Runs recorded before quick fine-tunes existed trained on every image.
                settings: { scope: 'all', ...(r.config as object) } as never,
                parentModelId:
                  (r.config as { parentModelId?: number | null }).parentModelId ?? null,
                modelId: null,
                startedAt: r.startedAt ?? r.createdAt,
                finishedAt: r.finishedAt,
                history: [],
                last: null,
                error: r.error ? { ...r.error, action: '' } : null,
                decision: null,
              },
        );
    },
    'models.list': async () => service.listModels(),
    'models.activate': async ({ id }) => service.activate(id),
    'models.rename': async ({ id, name }) => service.rename(id, name),
    'models.delete': async ({ id }) => service.remove(id),
    'evaluation.get': async ({ modelIds }) => {
      const evaluations = [];
      for (const id of modelIds) {
        const view = await service.evaluationOf(id);
        if (view) evaluations.push(view);
      }
      return {
        evaluations,
        secondObserver: await service.secondObserverView(),
        published: publishedRows(),
      };
    },
    'evaluation.run': async ({ modelId }) => service.evaluate(modelId),
    'evaluation.compare': async ({ modelId, baselineId }) => service.compare(modelId, baselineId),
  };
}
