import { describe, expect, it } from 'vitest';
import { studioRequests } from './studio';
import {
  defaultStudioViewSettings,
  studioViewSettingKeys,
  studioViewSettingsSchema,
} from './view-settings';

const saveInput = studioRequests['studio.saveViewSettings'].input;

describe('the view settings contract', () => {
  it('has a default for every key, each valid under its own schema', () => {
    expect(Object.keys(defaultStudioViewSettings).sort()).toEqual(
      [...studioViewSettingKeys].sort(),
    );
    expect(studioViewSettingsSchema.safeParse(defaultStudioViewSettings).success).toBe(true);
  });

  it('takes any subset of the keys in a save', () => {
    expect(saveInput.safeParse({ settings: {} }).success).toBe(true);
    expect(saveInput.parse({ settings: { brushSize: 9, pan: { x: 1, y: -2 } } })).toEqual({
      settings: { brushSize: 9, pan: { x: 1, y: -2 } },
    });
  });

  it('refuses a save with an unknown key or a value outside its schema', () => {
    expect(saveInput.safeParse({ settings: { colour: 'red' } }).success).toBe(false);
    expect(saveInput.safeParse({ settings: { brushSize: 0 } }).success).toBe(false);
    expect(saveInput.safeParse({ settings: { referenceObserver: '3rd' } }).success).toBe(false);
    expect(saveInput.safeParse({ settings: { predictionOpacity: 1.5 } }).success).toBe(false);
  });
});
