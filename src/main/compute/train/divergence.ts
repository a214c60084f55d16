/**
 * Divergence: a loss that is NaN or infinite, or a running loss that climbs far above the
 * lowest it reached (a learning rate too high, bad input values). Training stops with
 * TRAIN_DIVERGED, keeping the last good checkpoint, and says what to try.
 */
import { AppError } from '../../../shared/result';
import { TRAIN_ERROR_CODES } from './job';

/** Weight of the newest batch in the running loss. */
const RUNNING_WEIGHT = 0.1;

export interface DivergenceWhere {
  epoch: number;
  batch: number;
  learningRate: number;
  /** The folder holding the last good checkpoint, if one was written. */
  checkpointDir: string | null;
}

export class DivergenceWatch {
  private running: number | null = null;
  private lowest = Infinity;
  private batches = 0;

  /** `lowest`: the lowest epoch loss before a resume, so a run resumed into trouble is caught too. */
  constructor(
    private readonly options: { explodeFactor: number; warmupBatches: number },
    lowest = Infinity,
  ) {
    this.lowest = lowest;
  }

  /** Checks one batch loss; throws TRAIN_DIVERGED when training has gone off the rails. */
  check(loss: number, where: DivergenceWhere): void {
    if (!Number.isFinite(loss)) throw divergedError(`the loss became ${loss}`, loss, where);
    this.batches += 1;
    this.running =
      this.running === null ? loss : this.running + RUNNING_WEIGHT * (loss - this.running);
    if (this.batches <= this.options.warmupBatches) return;
    this.lowest = Math.min(this.lowest, this.running);
    if (this.lowest > 0 && this.running > this.options.explodeFactor * this.lowest) {
      throw divergedError(
        `the running loss rose to ${this.running.toPrecision(3)}, more than ${this.options.explodeFactor} times its lowest (${this.lowest.toPrecision(3)})`,
        loss,
        where,
      );
    }
  }
}

/** The weights themselves went non-finite (checked before a checkpoint is written). */
export function nonFiniteWeightsError(where: DivergenceWhere): AppError {
  return divergedError('some model weights became NaN or infinite', NaN, where);
}

function divergedError(what: string, loss: number, where: DivergenceWhere): AppError {
  const kept = where.checkpointDir
    ? `The last good checkpoint is kept in ${where.checkpointDir}.`
    : 'No epoch had finished, so there is no checkpoint.';
  return new AppError(
    TRAIN_ERROR_CODES.DIVERGED,
    `Training diverged at epoch ${where.epoch}, batch ${where.batch}: ${what}. ${kept} ` +
      `Lower the learning rate (now ${where.learningRate}; try ${(where.learningRate / 10).toPrecision(2)}), ` +
      'check that the images hold no NaN values, or use weighted-bce or bce-dice instead of an unweighted loss.',
    { ...where, loss: Number.isFinite(loss) ? loss : String(loss) },
  );
}
