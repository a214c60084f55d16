import { describe, expect, it } from 'vitest';
import { isTestImage, splitByImage, splitWithValidation } from './split';

const drive = [
  ...Array.from({ length: 20 }, (_, i) => ({
    id: `training/${21 + i}_training`,
    split: 'training',
  })),
  ...Array.from({ length: 20 }, (_, i) => ({
    id: `test/${String(i + 1).padStart(2, '0')}_test`,
    split: 'test',
  })),
];

describe('splitByImage', () => {
  it('never puts a test image in training or validation, whatever the seed', () => {
    for (let seed = 0; seed < 50; seed++) {
      const split = splitByImage(drive, 0.1, seed);
      expect([...split.train, ...split.validation].some((id) => id.startsWith('test/'))).toBe(
        false,
      );
      expect(split.excluded).toHaveLength(20);
      expect(split.validation).toHaveLength(2);
      expect(split.train).toHaveLength(18);
    }
  });

  it('is fixed by its seed and changes with it', () => {
    expect(splitByImage(drive, 0.1, 3)).toEqual(splitByImage([...drive].reverse(), 0.1, 3));
    const validations = new Set(
      Array.from({ length: 10 }, (_, s) => splitByImage(drive, 0.1, s).validation.join()),
    );
    expect(validations.size).toBeGreaterThan(1);
  });

  it('keeps at least one training image and treats unsplit sets as usable', () => {
    const unsplit = [
      { id: 'all/a', split: 'all' },
      { id: 'all/b', split: 'all' },
    ];
    expect(splitByImage(unsplit, 0.9, 1)).toMatchObject({ excluded: [] });
    expect(splitByImage(unsplit, 0.9, 1).train).toHaveLength(1);
    expect(splitByImage([{ id: 'all/a', split: 'all' }], 0.5, 1)).toMatchObject({
      train: ['all/a'],
      validation: [],
    });
  });

  it('recognises test images by split or by id', () => {
    expect(isTestImage({ id: 'test/01_test', split: 'all' })).toBe(true);
    expect(isTestImage({ id: 'x', split: 'testing' })).toBe(true);
    expect(isTestImage({ id: 'training/21_training', split: 'training' })).toBe(false);
  });
});

describe('splitWithValidation', () => {
  it('uses the caller validation images and refuses test images', () => {
    const split = splitWithValidation(drive, ['training/30_training'], 1);
    expect(split.validation).toEqual(['training/30_training']);
    expect(split.train).toHaveLength(19);
    expect(() => splitWithValidation(drive, ['test/01_test'], 1)).toThrow(/test split/);
    expect(() => splitWithValidation(drive, ['nope'], 1)).toThrow(/nope is not among/);
  });
});
