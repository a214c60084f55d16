/**
 * The backend ladder, best first: tensorflow through tfjs-node-gpu (with a GPU visible),
 * tensorflow through tfjs-node, wasm with our training kernels, cpu. Every rung that is not
 * used keeps why, so the UI and `info` can tell the person.
 */
import { createRequire } from 'node:module';
import type { BackendName, BackendRejection, BackendReport } from '../../../shared/api/app';

export const BACKEND_LADDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

const NATIVE_PACKAGES: Partial<Record<BackendName, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

const require = createRequire(import.meta.url);

/** Parses VESSEL_BACKEND-style names; returns null for anything that is not a backend. */
export function parseBackendName(value: string | undefined): BackendName | null {
  if (value === undefined) return null;
  const name = value.trim().toLowerCase();
  return (BACKEND_LADDER as readonly string[]).includes(name) ? (name as BackendName) : null;
}

function isModuleNotFound(error: unknown, pkg: string): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(pkg);
}

/**
 * Checks one native rung without initialising TensorFlow: is the package there, and does its
 * binding load. Returns null when the rung is usable, or why it is not.
 */
export function probeNativeBackend(
  backend: 'tensorflow-gpu' | 'tensorflow',
  load: (pkg: string) => unknown = require,
): BackendRejection | null {
  const pkg = NATIVE_PACKAGES[backend] as string;
  try {
    require.resolve(pkg);
  } catch {
    return {
      backend,
      reason: 'not-installed',
      message: `${pkg} is not installed (its install downloads libtensorflow, which needs network access beyond the npm registry).`,
    };
  }
  try {
    load(pkg);
  } catch (error) {
    if (isModuleNotFound(error, pkg)) {
      return { backend, reason: 'not-installed', message: `${pkg} is not installed.` };
    }
    return {
      backend,
      reason: 'load-failed',
      message: `${pkg} failed to load: ${(error as Error).message ?? String(error)}`,
    };
  }
  return null;
}

export interface LadderChoice {
  active: BackendName;
  rejected: BackendRejection[];
}

/**
 * Walks the ladder from the top. `probe` answers for each rung (null = usable); a forced
 * backend skips the rungs above it with `skipped-by-setting`.
 */
export async function chooseBackend(
  probe: (backend: BackendName) => Promise<BackendRejection | null>,
  forced?: BackendName,
): Promise<LadderChoice> {
  const rejected: BackendRejection[] = [];
  for (const backend of BACKEND_LADDER) {
    if (forced !== undefined && backend !== forced) {
      if (BACKEND_LADDER.indexOf(backend) < BACKEND_LADDER.indexOf(forced)) {
        rejected.push({
          backend,
          reason: 'skipped-by-setting',
          message: `Not tried: the backend was forced to ${forced}.`,
        });
      }
      continue;
    }
    const rejection = await probe(backend);
    if (rejection === null) return { active: backend, rejected };
    rejected.push(rejection);
    if (forced !== undefined) break;
  }
  const last = rejected[rejected.length - 1];
  throw new Error(
    `No compute backend could start${forced ? ` (forced: ${forced})` : ''}: ${last?.message ?? 'unknown reason'}`,
  );
}

/** The report `app.info` shows, from a ladder choice. */
export function toBackendReport(
  choice: LadderChoice,
  chosenBy: BackendReport['chosenBy'],
  threads: number,
): BackendReport {
  return { active: choice.active, chosenBy, rejected: choice.rejected, threads };
}
