import { describe, expect, it } from 'vitest';
import {
  HELD_OUT_SEED,
  heldOutRank,
  isHeldOut,
  isTestImage,
  splitByImage,
  splitWithValidation,
} from './split';

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

  it('keeps at least one training image', () => {
    const unsplit = [
      { id: 'training/a', split: 'training' },
      { id: 'training/b', split: 'training' },
    ];
    expect(splitByImage(unsplit, 0.9, 1)).toMatchObject({ excluded: [] });
    expect(splitByImage(unsplit, 0.9, 1).train).toHaveLength(1);
    expect(splitByImage([{ id: 'training/a', split: 'training' }], 0.5, 1)).toMatchObject({
      train: ['training/a'],
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

describe('the held-out rule of sets without a test split', () => {
  const stare = [
    1, 2, 3, 4, 5, 44, 77, 81, 82, 139, 162, 163, 235, 236, 239, 240, 255, 291, 319, 324,
  ].map((n) => `im${String(n).padStart(4, '0')}`);
  const chase = Array.from(
    { length: 28 },
    (_, k) => `Image_${String(Math.floor(k / 2) + 1).padStart(2, '0')}${k % 2 ? 'R' : 'L'}`,
  );
  const hrf = ['dr', 'g', 'h'].flatMap((t) =>
    Array.from({ length: 15 }, (_, i) => `${String(i + 1).padStart(2, '0')}_${t}`),
  );
  const all = (names: string[]) => names.map((name) => ({ id: `all/${name}`, split: 'all' }));

  it('holds out about a quarter of the public sets that ship no split', () => {
    expect(all(stare).filter(isHeldOut)).toHaveLength(5);
    expect(all(chase).filter(isHeldOut)).toHaveLength(6);
    expect(all(hrf).filter(isHeldOut)).toHaveLength(8);
  });

  it('decides by the name alone: the same with other images around, never for split sets', () => {
    const held = all(stare)
      .filter(isHeldOut)
      .map((i) => i.id);
    const withMore = all([...stare, 'im0400', 'im0401'])
      .filter(isHeldOut)
      .map((i) => i.id);
    expect(withMore.filter((id) => stare.includes(id.slice(4)))).toEqual(held);
    // A DRIVE training image with the same name is never held out.
    for (const name of stare)
      expect(isHeldOut({ id: `training/${name}`, split: 'training' })).toBe(false);
    // Another seed gives another choice: the seed is what fixes it.
    const other = stare.filter((n) => heldOutRank(n, HELD_OUT_SEED + 1) < 0.25);
    expect(other).not.toEqual(held.map((id) => id.slice(4)));
  });

  it('keeps held-out images out of training and validation', () => {
    const split = splitByImage(all(chase), 0.1, 1);
    expect(split.excluded).toEqual(
      all(chase)
        .filter(isHeldOut)
        .map((i) => i.id)
        .sort(),
    );
    expect([...split.train, ...split.validation].some((id) => split.excluded.includes(id))).toBe(
      false,
    );
    expect(split.train.length + split.validation.length + split.excluded.length).toBe(28);
  });
});
