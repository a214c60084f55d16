import { describe, expect, it } from 'vitest';
import { createProgress } from './progress';

describe('createProgress', () => {
  it('redraws one bar with ETA on a terminal', () => {
    const writes: string[] = [];
    let t = 0;
    const bar = createProgress(
      'train',
      { write: (s: string) => writes.push(s), isTTY: true, columns: 100 },
      () => t,
    );
    t = 10_000;
    bar.update(1, 4, 'loss 0.5');
    const line = writes[0] ?? '';
    expect(line.startsWith('\r\u001b[2K')).toBe(true);
    expect(line.slice(5)).toMatch(/^train \[#+\.+\] 1\/4 {2}25% ETA 00:30 {2}loss 0\.5$/);
    bar.finish();
    expect(writes[1]).toMatch(/train: done in 00:10\n$/);
  });

  it('prints throttled plain lines when not a terminal, always the last one', () => {
    const writes: string[] = [];
    let t = 0;
    const bar = createProgress('eval', { write: (s: string) => writes.push(s) }, () => t, 1000);
    bar.update(1, 10);
    t = 100;
    bar.update(2, 10);
    t = 1200;
    bar.update(3, 10);
    t = 1300;
    bar.update(10, 10);
    expect(writes.map((w) => w.trim().split(':')[1]?.trim().split(' ')[0])).toEqual([
      '1/10',
      '3/10',
      '10/10',
    ]);
    expect(writes.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
  });
});
