/** Learning-rate schedules: constant, step decay, cosine decay and reduce-on-plateau. */
import type { ScheduleOptions } from './options';

/** The schedule's state that a checkpoint keeps, so a resumed run continues where it stopped. */
export interface ScheduleState {
  learningRate: number;
  /** Best monitored loss seen (plateau). */
  best: number;
  /** Epochs since the best (plateau). */
  epochsSinceBest: number;
}

/** Learning rate per epoch, driven by the monitored loss for reduce-on-plateau. */
export class LearningRateSchedule {
  private state: ScheduleState;

  constructor(
    private readonly options: ScheduleOptions,
    private readonly initialRate: number,
    private readonly epochs: number,
    state?: ScheduleState,
  ) {
    this.state = state
      ? { ...state }
      : { learningRate: initialRate, best: Infinity, epochsSinceBest: 0 };
  }

  /** The rate for a 0-based epoch (plateau: the rate its last report left). */
  rateForEpoch(epoch: number): number {
    const o = this.options;
    switch (o.kind) {
      case 'constant':
        return this.initialRate;
      case 'step':
        return this.initialRate * o.factor ** Math.floor(epoch / o.everyEpochs);
      case 'cosine': {
        const progress = this.epochs <= 1 ? 0 : Math.min(1, epoch / (this.epochs - 1));
        return (
          o.minLearningRate +
          0.5 * (this.initialRate - o.minLearningRate) * (1 + Math.cos(Math.PI * progress))
        );
      }
      case 'plateau':
        return this.state.learningRate;
    }
  }

  /** Reports the monitored loss at the end of an epoch (only reduce-on-plateau listens). */
  endEpoch(monitoredLoss: number): void {
    const o = this.options;
    if (o.kind !== 'plateau') return;
    if (monitoredLoss < this.state.best) {
      this.state.best = monitoredLoss;
      this.state.epochsSinceBest = 0;
      return;
    }
    this.state.epochsSinceBest += 1;
    if (this.state.epochsSinceBest >= o.patience) {
      this.state.learningRate = Math.max(o.minLearningRate, this.state.learningRate * o.factor);
      this.state.epochsSinceBest = 0;
    }
  }

  snapshot(): ScheduleState {
    return { ...this.state };
  }
}
