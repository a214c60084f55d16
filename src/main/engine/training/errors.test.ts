import { describe, expect, it } from 'vitest';
import { actionFor } from './errors';

describe('actionFor', () => {
  it('says what to do about each known failure, and something useful about the rest', () => {
    expect(actionFor('TRAIN_DIVERGED')).toMatch(/Lower the learning rate/);
    expect(actionFor('COMPUTE_CRASHED')).toMatch(/restarted\. Retrain/);
    expect(actionFor('TRAIN_NO_IMAGES')).toMatch(/training split/);
    expect(actionFor('SOMETHING_ELSE')).toBe(
      'Check the message above, adjust the settings, and retrain.',
    );
  });
});
