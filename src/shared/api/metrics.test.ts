import { describe, expect, it } from 'vitest';
import { HEADLINE_METRIC_NAMES, METRIC_NAMES, THRESHOLD_METRIC_NAMES } from './metrics';

describe('the metric names', () => {
  it('lists every metric once: the threshold ones in table order, then AUC and AP', () => {
    expect(METRIC_NAMES).toEqual([...THRESHOLD_METRIC_NAMES, 'auc', 'ap']);
    expect(new Set(METRIC_NAMES).size).toBe(METRIC_NAMES.length);
  });

  it('takes the headline figures from the full list', () => {
    for (const name of HEADLINE_METRIC_NAMES) expect(METRIC_NAMES).toContain(name);
  });
});
