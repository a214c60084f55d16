/**
 * An engine as the studio's front ends drive it, for the benchmarks that time the studio: the
 * bundled model from resources/, projects written under `scratch`, the backend the ladder picks
 * (VESSEL_BACKEND overrides, as for the app).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendName } from '../src/shared/api/app';
import { createEngine, type Engine } from '../src/main/engine';

const here = path.dirname(fileURLToPath(import.meta.url));

export function studioEngine(scratch: string): Engine {
  process.env.VESSEL_PROJECTS_DIR = path.join(scratch, 'projects');
  const forced = process.env.VESSEL_BACKEND as BackendName | undefined;
  return createEngine({
    mode: 'cli',
    appVersion: 'bench',
    electronVersion: null,
    resourcesDir: path.join(here, '..', 'resources'),
    ...(forced ? { forcedBackend: { name: forced, by: 'env' as const } } : {}),
  });
}
