/** Early stopping: stop when the monitored loss has not improved by minDelta for `patience` epochs. */

export interface EarlyStoppingState {
  best: number;
  bestEpoch: number | null;
  epochsSinceBest: number;
}

export class EarlyStopping {
  private state: EarlyStoppingState;

  constructor(
    private readonly options: { patience: number; minDelta: number } | null,
    state?: EarlyStoppingState,
  ) {
    this.state = state ? { ...state } : { best: Infinity, bestEpoch: null, epochsSinceBest: 0 };
  }

  /** Records an epoch's loss; returns whether it is the best so far (a new checkpoint). */
  record(epoch: number, loss: number): { improved: boolean; stop: boolean } {
    const improved =
      loss < this.state.best - (this.options?.minDelta ?? 0) || this.state.bestEpoch === null;
    if (improved) {
      this.state = { best: loss, bestEpoch: epoch, epochsSinceBest: 0 };
    } else {
      this.state.epochsSinceBest += 1;
    }
    const stop = this.options !== null && this.state.epochsSinceBest >= this.options.patience;
    return { improved, stop };
  }

  get bestEpoch(): number | null {
    return this.state.bestEpoch;
  }

  snapshot(): EarlyStoppingState {
    return { ...this.state };
  }
}
