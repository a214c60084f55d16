import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ablationRows } from './rows';
import { checkDrive, finishedResults, planRow, rowPaths } from './run';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'ablation-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const touch = (file: string, text = '{}') => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
};

describe('planRow: what a rerun does with a row folder', () => {
  it('trains a row that has no folder yet', () => {
    expect(planRow(root, 'baseline')).toEqual({ step: 'train', mode: 'fresh' });
  });

  it('starts over (overwrite) when only an empty or partial model folder is left', () => {
    const p = rowPaths(root, 'baseline');
    mkdirSync(p.model, { recursive: true });
    expect(planRow(root, 'baseline')).toEqual({ step: 'train', mode: 'fresh' });
    touch(path.join(p.model, 'model.json'));
    expect(planRow(root, 'baseline')).toEqual({ step: 'train', mode: 'overwrite' });
  });

  it('resumes from the checkpoint a killed training left', () => {
    const p = rowPaths(root, 'baseline');
    touch(path.join(p.model, 'model.json'));
    touch(p.checkpointState);
    expect(p.checkpointState).toBe(path.join(root, 'baseline', 'model.checkpoint', 'state.json'));
    expect(planRow(root, 'baseline')).toEqual({ step: 'train', mode: 'resume' });
  });

  it('only scores a row whose training finished', () => {
    const p = rowPaths(root, 'baseline');
    touch(p.checkpointState);
    touch(p.train);
    expect(planRow(root, 'baseline')).toEqual({ step: 'evaluate' });
  });

  it('skips a row with a result', () => {
    touch(rowPaths(root, 'baseline').result);
    expect(planRow(root, 'baseline')).toEqual({ step: 'done' });
    expect(planRow(root, 'no-skips')).toEqual({ step: 'train', mode: 'fresh' });
  });
});

describe('finishedResults', () => {
  it('reads the rows that have a result, in table order', () => {
    const rows = ablationRows();
    touch(rowPaths(root, 'no-augment').result, JSON.stringify({ id: 'no-augment' }));
    touch(rowPaths(root, 'baseline').result, JSON.stringify({ id: 'baseline' }));
    touch(rowPaths(root, 'no-skips').train);
    expect(finishedResults(root, rows).map((r) => r.id)).toEqual(['baseline', 'no-augment']);
  });
});

describe('checkDrive', () => {
  it('refuses a folder without both DRIVE splits, naming it and what is missing', () => {
    const drive = path.join(root, 'DRIVE');
    expect(() => checkDrive(drive)).toThrow(
      `DRIVE not found at ${drive}: training/images and test/images missing`,
    );
    mkdirSync(path.join(drive, 'training', 'images'), { recursive: true });
    expect(() => checkDrive(drive)).toThrow(/test\/images missing.*--data/);
    mkdirSync(path.join(drive, 'test', 'images'), { recursive: true });
    expect(() => checkDrive(drive)).not.toThrow();
  });
});
