/**
 * The backend ladder's outcome in brief, for the compute tests that check which rungs a choice
 * rejected and why.
 */
import type { BackendName, BackendRejection } from '../../src/shared/api/app';

/** The active backend and each rejected rung, in order, as "backend: reason". */
export function ladderOutcome(choice: {
  active: BackendName | null;
  rejected: BackendRejection[];
}): { active: BackendName | null; rejected: string[] } {
  return {
    active: choice.active,
    rejected: choice.rejected.map((r) => `${r.backend}: ${r.reason}`),
  };
}
