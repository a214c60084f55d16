/**
 * Whether a run's new model version replaces the active one. The decision is taken on the
 * validation split, never on test (choosing by test figures would make them optimistic): the
 * run's best epoch against the starting model, scored on the same validation patches before the
 * first step (TrainSummary.baseline). AUC decides, being threshold-free; where either has no
 * AUC (a validation set without vessels), the validation loss does. Equal counts as at least as
 * good. A run from scratch has no comparable starting figure (its validation patches follow the
 * new model's preprocessing), so its version is activated and the message says so.
 */
import type { RunDecision } from '../../../shared/api/training';
import type { TrainSummary, ValidationFigures } from '../../compute/train/job';

function figure(value: number): string {
  return value.toFixed(4);
}

/** The decision for `summary`'s version `name`, trained from `parentName` (null: from scratch). */
export function activationDecision(
  summary: Pick<TrainSummary, 'best' | 'baseline'>,
  name: string,
  parentName: string | null,
): RunDecision {
  const best = summary.best;
  if (parentName === null) {
    return {
      activate: true,
      message: `${name} was trained from scratch: no earlier version to compare on validation; it is now active.`,
    };
  }
  const baseline: ValidationFigures | null = summary.baseline;
  if (!best || !baseline || best.valLoss === null) {
    return {
      activate: true,
      message: `${name} is now active: the run had no validation figures to compare with ${parentName}'s.`,
    };
  }
  const byAuc = best.valAuc !== null && baseline.auc !== null;
  const [now, before, metric] = byAuc
    ? [best.valAuc as number, baseline.auc as number, 'validation AUC']
    : [best.valLoss, baseline.loss, 'validation loss'];
  const atLeastAsGood = byAuc ? now >= before : now <= before;
  return atLeastAsGood
    ? {
        activate: true,
        message: `${name} is now active: ${metric} ${figure(now)}, ${parentName} had ${figure(before)}.`,
      }
    : {
        activate: false,
        message: `${name} scored ${metric} ${figure(now)}, ${byAuc ? 'below' : 'above'} ${parentName}'s ${figure(before)}: ${parentName} stays active. Activate ${name} from the models panel to use it anyway.`,
      };
}

/**
 * The decision for a version whose run was cancelled, in training (the version is its best
 * checkpoint so far, not evaluated) or during its evaluation: never made active.
 */
export function cancelledDecision(
  phase: 'training' | 'evaluation',
  name: string,
  parentName: string | null,
): RunDecision {
  const when = phase === 'training' ? 'Cancelled while training' : 'Cancelled while evaluating';
  const kept = phase === 'training' ? 'its best epoch so far' : 'the trained model';
  return {
    activate: false,
    message: `${when}: ${name} (${kept}) is kept in the models panel without test figures${parentName ? `, and ${parentName} stays active` : ''}. Evaluate or activate it there.`,
  };
}
