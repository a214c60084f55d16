/**
 * The prediction queue: predicts a model version image by image, the image on screen first and
 * then its neighbours in the order the list shows, storing each as it comes so the canvas shows
 * it at once. It reports its progress (done of total, the image in flight, an ETA from the
 * measured time per image), can be paused between images and cancelled, and runs the work that
 * needs every image (the test-set evaluation) only after the last one.
 */
import type { PredictionQueueState } from '../../../shared/api/studio';
import { COMMON_ERROR_CODES, toErrorInfo } from '../../../shared/result';
import type { PredictedImage } from '../../compute/predict-dataset';

/** The image on screen and the order of the list as shown (null: none named yet). */
export interface QueueFocus {
  id: string | null;
  order: readonly string[] | null;
}

/** What a queue predicts, where it puts each image, and whom it tells. */
export interface PredictionQueueWork {
  modelId: number;
  modelName: string;
  /** Every image id, in dataset order (the order used where the list order does not say). */
  ids: readonly string[];
  /** Runs first (e.g. writing the model folder); a failure ends the queue as failed. */
  prepare?(): Promise<void>;
  /** Runs last, whatever the end (e.g. removing the model folder). */
  release?(): Promise<void>;
  /** True when an image already has this version's prediction: it is not predicted again. */
  has(id: string): Promise<boolean>;
  /** Predicts one image; rejects (with CANCELLED) once `signal` aborts. */
  predict(id: string, signal: AbortSignal): Promise<PredictedImage>;
  /** Stores one image's prediction where the canvas reads it. */
  store(image: PredictedImage): Promise<void>;
  /** The image on screen and the list order, read again before each image. */
  focus(): QueueFocus;
  /**
   * Asked once every image is predicted (unless cancelled first): the work that needs them all
   * (the test-set evaluation), run in the `evaluating` phase, or null for none.
   */
  followUp?(): (() => Promise<void>) | null;
  /** Every change of the queue's state. */
  onState(state: PredictionQueueState): void;
  /** An image's prediction was stored. */
  onReady(id: string): void;
  /** Seconds on a monotonic clock, for the ETA (default: performance.now()). */
  now?(): number;
}

/** Weight of the newest image in the moving average of seconds per image. */
const ETA_SMOOTHING = 0.3;

/**
 * The next image to predict of `pending`: the focused one, else the nearest to it along the
 * list order (the next one before the previous one at equal distance), else the first pending
 * one in that order. Ids the order leaves out follow it in dataset order.
 */
export function nextImage(
  pending: ReadonlySet<string>,
  focus: QueueFocus,
  datasetOrder: readonly string[],
): string | null {
  if (pending.size === 0) return null;
  const known = new Set(datasetOrder);
  const list: string[] = [];
  const seen = new Set<string>();
  for (const id of [...(focus.order ?? []), ...datasetOrder]) {
    if (seen.has(id) || !known.has(id)) continue;
    seen.add(id);
    list.push(id);
  }
  const at = focus.id === null ? -1 : list.indexOf(focus.id);
  if (at < 0) return list.find((id) => pending.has(id)) ?? null;
  for (let distance = 0; distance < list.length; distance++) {
    const after = list[at + distance];
    if (after !== undefined && pending.has(after)) return after;
    const before = list[at - distance];
    if (before !== undefined && pending.has(before)) return before;
  }
  return null;
}

/** One version's predictions, image by image; start() runs it, cancel() stops it. */
export class PredictionQueue {
  private readonly abort = new AbortController();
  private current: PredictionQueueState;
  private secondsPerImage: number | null = null;
  private wake: (() => void) | null = null;
  private idleWaiters: (() => void)[] = [];
  private predicting: Promise<void> = Promise.resolve();
  private finished: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly work: PredictionQueueWork) {
    this.now = work.now ?? (() => performance.now() / 1000);
    this.current = {
      modelId: work.modelId,
      modelName: work.modelName,
      phase: 'predicting',
      done: 0,
      // Every image until the check of which ones already have a prediction says otherwise.
      total: work.ids.length,
      currentId: null,
      etaSeconds: null,
      paused: false,
      error: null,
    };
  }

  /** Seconds one image took, a moving average; null until an image was predicted. */
  get measuredSecondsPerImage(): number | null {
    return this.secondsPerImage;
  }

  /** The version this queue predicts. */
  get modelId(): number {
    return this.work.modelId;
  }

  /** A copy of the queue's state. */
  state(): PredictionQueueState {
    return { ...this.current };
  }

  /** True until the queue has ended (done, failed or cancelled). */
  get running(): boolean {
    return this.current.phase === 'predicting' || this.current.phase === 'evaluating';
  }

  /** Starts the work; the promise settles when it has ended, and never rejects. */
  start(): Promise<void> {
    let predicted: () => void = () => undefined;
    this.predicting = new Promise<void>((resolve) => (predicted = resolve));
    this.finished = this.run(predicted)
      .finally(predicted)
      .then(() => this.work.release?.())
      .catch(() => undefined);
    return this.finished;
  }

  /** Pauses after the image in flight; nothing else starts until resume(). */
  pause(): PredictionQueueState {
    if (this.running && !this.current.paused) this.update({ paused: true });
    return this.state();
  }

  /** Resumes a paused queue. */
  resume(): PredictionQueueState {
    if (this.current.paused) {
      this.update({ paused: false });
      this.wake?.();
    }
    return this.state();
  }

  /**
   * Stops the queue: the image in flight is cancelled and not stored, and the work after the
   * predictions does not start. Resolves once no prediction is in flight or being stored (the
   * evaluation, if it already began, is not waited for).
   */
  cancel(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    return this.predicting;
  }

  /** Resolves once nothing is in flight: paused between images, or ended. */
  whenIdle(): Promise<PredictionQueueState> {
    if (!this.running || (this.current.paused && this.current.currentId === null)) {
      return Promise.resolve(this.state());
    }
    return new Promise((resolve) => this.idleWaiters.push(() => resolve(this.state())));
  }

  /** Resolves once the queue has ended. */
  whenFinished(): Promise<PredictionQueueState> {
    return this.finished.then(() => this.state());
  }

  private update(change: Partial<PredictionQueueState>): void {
    this.current = { ...this.current, ...change };
    this.work.onState(this.state());
    if (!this.running || (this.current.paused && this.current.currentId === null)) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private get cancelled(): boolean {
    return this.abort.signal.aborted;
  }

  /** Waits while paused; false once cancelled. */
  private async proceed(): Promise<boolean> {
    while (this.current.paused && !this.cancelled) {
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
    return !this.cancelled;
  }

  private eta(remaining: number): number | null {
    return this.secondsPerImage === null ? null : Math.round(this.secondsPerImage * remaining);
  }

  private async run(predicted: () => void): Promise<void> {
    try {
      await this.work.prepare?.();
      const pending = new Set<string>();
      for (const id of this.work.ids) {
        if (this.cancelled) break;
        if (!(await this.work.has(id))) pending.add(id);
      }
      this.update({ total: pending.size });
      while (pending.size > 0) {
        if (!(await this.proceed())) return this.end('cancelled');
        const id = nextImage(pending, this.work.focus(), this.work.ids) as string;
        this.update({ currentId: id });
        const started = this.now();
        const image = await this.work.predict(id, this.abort.signal);
        if (this.cancelled) return this.end('cancelled');
        await this.work.store(image);
        pending.delete(id);
        const seconds = this.now() - started;
        this.secondsPerImage =
          this.secondsPerImage === null
            ? seconds
            : ETA_SMOOTHING * seconds + (1 - ETA_SMOOTHING) * this.secondsPerImage;
        this.update({
          done: this.current.done + 1,
          currentId: null,
          etaSeconds: this.eta(pending.size),
        });
        this.work.onReady(id);
      }
      if (!(await this.proceed())) return this.end('cancelled');
      predicted();
      const followUp = this.work.followUp?.() ?? null;
      if (followUp) {
        this.update({ phase: 'evaluating', etaSeconds: null });
        await followUp();
      }
      this.end('done');
    } catch (error) {
      const info = toErrorInfo(error);
      if (this.cancelled && info.code === COMMON_ERROR_CODES.CANCELLED) this.end('cancelled');
      else this.end('failed', info.message);
    }
  }

  private end(phase: 'done' | 'failed' | 'cancelled', error: string | null = null): void {
    this.update({ phase, currentId: null, etaSeconds: null, paused: false, error });
  }
}
