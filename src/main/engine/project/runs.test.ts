import { describe, expect, it } from 'vitest';
import { useScratchProjects } from '../../../../test/support/project/project-test-setup';

const { newProject } = useScratchProjects();

describe('runs', () => {
  it('moves runs only along queued -> running -> finished/cancelled/failed', async () => {
    const { project } = await newProject(1);
    const run = await project.createRun({ kind: 'train', config: { lr: 0.001 } });
    expect(run).toMatchObject({ status: 'queued', config: { lr: 0.001 }, startedAt: null });
    await expect(project.finishRun(run.id)).rejects.toMatchObject({
      code: 'PROJECT_BAD_RUN_STATE',
    });
    expect((await project.startRun(run.id)).startedAt).not.toBeNull();
    const done = await project.finishRun(run.id);
    expect(done.status).toBe('finished');
    await expect(project.cancelRun(run.id)).rejects.toMatchObject({
      code: 'PROJECT_BAD_RUN_STATE',
    });
    const other = await project.createRun({ kind: 'eval', config: {} });
    expect(
      await project.failRun(other.id, { code: 'MODEL_NAN', message: 'loss became NaN' }),
    ).toMatchObject({
      status: 'failed',
      error: { code: 'MODEL_NAN', message: 'loss became NaN' },
    });
    expect((await project.listRuns()).map((r) => r.id)).toEqual([other.id, run.id]);
  });

  it('refuses runs it does not hold and configs JSON cannot hold, and cancels a queued run', async () => {
    const { project } = await newProject(1);
    await expect(project.getRun(99)).rejects.toMatchObject({ code: 'PROJECT_UNKNOWN_RUN' });
    await expect(project.startRun(99)).rejects.toMatchObject({ code: 'PROJECT_UNKNOWN_RUN' });
    await expect(project.createRun({ kind: 'train', config: () => 1 })).rejects.toMatchObject({
      code: 'PROJECT_BAD_INPUT',
    });
    const run = await project.createRun({ kind: 'predict', config: undefined });
    expect(run.config).toBeNull();
    const cancelled = await project.cancelRun(run.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', startedAt: null, error: null });
    expect(cancelled.finishedAt).not.toBeNull();
    expect(await project.listRuns()).toEqual([cancelled]);
  });
});
