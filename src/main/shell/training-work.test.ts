import { describe, expect, it, vi } from 'vitest';
import type { Result } from '../../shared/result';
import { EngineEvents } from '../engine/events';
import { runState } from './test-fixtures';
import { followTraining } from './training-work';

function progress(runId: number, epoch: number) {
  return {
    runId,
    phase: 'training' as const,
    epoch,
    epochs: 20,
    batch: 3,
    batchesPerEpoch: 50,
    loss: 0.3,
    valLoss: null,
    valF1: null,
    valAuc: null,
    etaSeconds: 100,
    evaluation: { done: 0, total: 40 },
    evaluationTimed: true,
    fraction: 0.2,
    backend: 'wasm',
  };
}

/** An engine whose training.cancel ends the run after a while, as the training service does. */
function engineThatCancels(delayMs: number, answer: { cancelled: boolean } = { cancelled: true }) {
  const events = new EngineEvents();
  const request = vi.fn(async (name: unknown, input: unknown): Promise<Result<unknown>> => {
    expect(name).toBe('training.cancel');
    const { runId } = input as { runId: number };
    if (answer.cancelled) {
      setTimeout(() => events.emit('training.state', runState(runId, 'cancelled')), delayMs);
    }
    return { ok: true, value: answer };
  });
  return { events, request };
}

describe('training as running work', () => {
  it('says nothing runs until a run starts, and names the run and its epoch while it does', () => {
    const engine = engineThatCancels(0);
    const work = followTraining(engine);
    expect(work.describe()).toBeNull();
    engine.events.emit('training.state', runState(7, 'queued'));
    expect(work.describe()).toBe('Training run 7 is queued.');
    engine.events.emit('training.state', runState(7, 'running'));
    engine.events.emit('training.progress', progress(7, 4));
    expect(work.describe()).toBe('Training run 7 is running (epoch 4 of 20).');
    engine.events.emit('training.state', runState(7, 'evaluating'));
    expect(work.describe()).toBe('Training run 7 is evaluating its new model version.');
    engine.events.emit('training.state', runState(7, 'finished'));
    expect(work.describe()).toBeNull();
  });

  it('cancels the run and resolves only once the run announced its end', async () => {
    const engine = engineThatCancels(30);
    const work = followTraining(engine);
    engine.events.emit('training.state', runState(3, 'running'));
    const order: string[] = [];
    engine.events.on('training.state', (s) => order.push(s.status));
    await work.cancel();
    order.push('cancel resolved');
    expect(engine.request).toHaveBeenCalledWith('training.cancel', { runId: 3 });
    expect(order).toEqual(['cancelled', 'cancel resolved']);
    expect(work.describe()).toBeNull();
  });

  it('does not wait when the engine had no such run, and gives up after the timeout', async () => {
    const idle = engineThatCancels(0, { cancelled: false });
    const work = followTraining(idle, 50);
    idle.events.emit('training.state', runState(4, 'running'));
    await expect(work.cancel()).resolves.toBeUndefined();

    const stuck = engineThatCancels(10_000);
    const slow = followTraining(stuck, 50);
    stuck.events.emit('training.state', runState(5, 'running'));
    await expect(slow.cancel()).rejects.toMatchObject({ code: 'TRAINING_STOP_TIMEOUT' });
  });

  it('reports a refused cancel with the engine error', async () => {
    const events = new EngineEvents();
    const request = async (): Promise<Result<unknown>> => ({
      ok: false,
      error: { code: 'STUDIO_NOT_OPEN', message: 'No dataset is open.' },
    });
    const work = followTraining({ events, request });
    events.emit('training.state', runState(1, 'running'));
    await expect(work.cancel()).rejects.toMatchObject({ code: 'STUDIO_NOT_OPEN' });
  });
});
