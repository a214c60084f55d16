/**
 * Engines for tests that go through the request contract as the CLI does, each over a scratch
 * folder that holds its projects. Registers vitest hooks, so tests only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createEngine, type Engine } from '../../src/main/engine';
import type { EngineOptions } from '../../src/main/engine/context';

/** The value of request `name`; a failed request is thrown as an Error `CODE: message`. */
export async function requestValue<T>(engine: Engine, name: string, input: unknown): Promise<T> {
  const result = await engine.request(name, input);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

/** A test file's scratch folder and the engines it started; the folder is set once beforeAll has run. */
export interface EngineScratch {
  /** The temporary folder; VESSEL_PROJECTS_DIR points at its projects/ meanwhile. */
  readonly dir: string;
  /**
   * A CLI engine whose bundled model is the one in `resourcesDir` (none when it has none), on
   * the cpu backend: the wiring is under test, the wasm kernels have their own tests. `more`
   * overrides any option. Disposed of after the file's tests.
   */
  startEngine(resourcesDir: string, more?: Partial<EngineOptions>): Engine;
}

/**
 * Registers making the scratch folder before the tests of the calling `describe` (before its own
 * beforeAll hooks), and disposing of its engines and removing the folder after them.
 */
export function useEngineScratch(prefix: string): EngineScratch {
  let dir = '';
  const engines: Engine[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
    process.env.VESSEL_PROJECTS_DIR = path.join(dir, 'projects');
  });
  afterAll(async () => {
    for (const engine of engines.splice(0)) await engine.dispose();
    delete process.env.VESSEL_PROJECTS_DIR;
    await rm(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    startEngine(resourcesDir, more) {
      const engine = createEngine({
        mode: 'cli',
        appVersion: '0.0.0-test',
        electronVersion: null,
        resourcesDir,
        forcedBackend: { name: 'cpu', by: 'setting' },
        ...more,
      });
      engines.push(engine);
      return engine;
    },
  };
}
