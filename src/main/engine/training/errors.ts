/** Retrain's refusals, and what the person should do when a run fails. */

/** Error codes of the training, models and evaluation requests. */
export const TRAINING_ERROR_CODES = {
  BUSY: 'TRAINING_BUSY',
  MODEL_ACTIVE: 'MODEL_ACTIVE',
  NO_EVALUATION: 'EVALUATION_MISSING',
  /** A quick fine-tune with no corrected training image, or no model to fine-tune. */
  NOTHING_TO_FINE_TUNE: 'TRAINING_NOTHING_TO_FINE_TUNE',
} as const;

/** What the person should do about a failed run, by error code. */
export function actionFor(code: string): string {
  if (code === 'TRAIN_DIVERGED')
    return 'Lower the learning rate in the settings (for example by 10x) and retrain.';
  if (code === 'COMPUTE_CRASHED')
    return 'The compute process was restarted. Retrain; if it crashes again, use a smaller batch or patch size.';
  if (code === 'TRAIN_NO_IMAGES') return 'Open a dataset with a training split.';
  return 'Check the message above, adjust the settings, and retrain.';
}
