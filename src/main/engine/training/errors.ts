/** Retrain's refusals, and what the person should do when a run fails. */
import { COMPUTE_ERROR_CODES, TRAIN_ERROR_CODES } from '../../../shared/api/errors';

export { TRAINING_ERROR_CODES } from '../../../shared/api/errors';

/** What the person should do about a failed run, by error code. */
export function actionFor(code: string): string {
  if (code === TRAIN_ERROR_CODES.DIVERGED)
    return 'Lower the learning rate in the settings (for example by 10x) and retrain.';
  if (code === COMPUTE_ERROR_CODES.CRASHED)
    return 'The compute process was restarted. Retrain; if it crashes again, use a smaller batch or patch size.';
  if (code === TRAIN_ERROR_CODES.NO_IMAGES) return 'Open a dataset with a training split.';
  return 'Check the message above, adjust the settings, and retrain.';
}
