/**
 * Just enough of jasmine, and of tfjs-core's jasmine_util, to run tfjs-core's own op specs
 * (node_modules/@tensorflow/tfjs-core/dist/ops/*_test.js) under vitest. jasmine-core is not
 * installed here, and tfjs-core's jasmine_util requires it on load, so upstream-op-specs.test.ts
 * mocks jasmine_util with this module and installs these globals before importing the specs.
 *
 * The specs use describe, it, beforeAll/afterAll/beforeEach/afterEach, `jasmine` (a timeout
 * setting) and expect with toBe, toEqual, toThrow, toThrowError and nothing (test_util calls
 * `expect().nothing()`); each matcher here keeps jasmine's meaning. A failed expectation throws,
 * which fails the spec as jasmine's recorded failure would.
 */
import * as vitest from 'vitest';
import * as tf from '@tensorflow/tfjs';

/** A test environment as jasmine_util describes one. */
export interface TestEnv {
  name: string;
  backendName: string;
  flags?: Record<string, number | boolean | string>;
  isDataSync?: boolean;
}

/** Constraints a describeWithFlags block puts on the environment. */
export interface Constraints {
  flags?: Record<string, number | boolean | string>;
  predicate?: (testEnv: TestEnv) => boolean;
}

/** Decides from a spec's full name (suites and spec joined by spaces) whether it runs. */
export type SpecFilter = (fullName: string) => boolean;

/** The one environment we run: our wasm setup, under the name upstream's filters expect. */
export const WASM_TEST_ENV: TestEnv = { name: 'test-wasm', backendName: 'wasm', isDataSync: true };

const suiteNames: string[] = [];
let specFilter: SpecFilter = () => true;
const ran: string[] = [];
const skipped: string[] = [];

/** Full names of the specs this file registered to run, and of those the filter skipped. */
export function registeredSpecs(): { run: readonly string[]; skipped: readonly string[] } {
  return { run: ran, skipped };
}

type SpecFn = ((done: DoneFn) => void) | (() => unknown);
interface DoneFn {
  (): void;
  fail(message?: unknown): void;
}

/** A jasmine spec body as a vitest one: a body that takes `done` finishes when it is called. */
function asVitest(fn: SpecFn): () => unknown {
  if (fn.length === 0) return fn as () => unknown;
  return () =>
    new Promise<void>((resolve, reject) => {
      const done = (() => resolve()) as DoneFn;
      done.fail = (message?: unknown) => reject(new Error(`done.fail: ${String(message)}`));
      (fn as (done: DoneFn) => void)(done);
    });
}

function describe(name: string, body: () => void): void {
  vitest.describe(name, () => {
    suiteNames.push(name);
    try {
      body();
    } finally {
      suiteNames.pop();
    }
  });
}

function it(name: string, fn: SpecFn, timeout?: number): void {
  const fullName = [...suiteNames, name].join(' ');
  if (specFilter(fullName)) {
    ran.push(fullName);
    vitest.it(name, asVitest(fn), timeout);
  } else {
    skipped.push(fullName);
    vitest.it.skip(name, () => {});
  }
}

class ExpectationFailed extends Error {}

function fail(message: string): never {
  throw new ExpectationFailed(message);
}

/** What a call threw, or `none` when it returned. */
function thrownBy(actual: unknown): { threw: true; error: unknown } | { threw: false } {
  if (typeof actual !== 'function') fail(`Expected a function, got ${String(actual)}.`);
  try {
    (actual as () => unknown)();
    return { threw: false };
  } catch (error) {
    return { threw: true, error };
  }
}

/**
 * jasmine's toThrowError: an Error (of a type, if given) whose message equals a string or
 * matches a RegExp.
 */
function errorMatches(error: unknown, args: unknown[]): boolean {
  if (!(error instanceof Error)) return false;
  let [type, message] = args;
  if (typeof type !== 'function') [type, message] = [undefined, type];
  if (type && !(error instanceof (type as new () => Error))) return false;
  if (message === undefined) return true;
  if (message instanceof RegExp) return message.test(error.message);
  return error.message === message;
}

/**
 * vitest's recursive equality: the same verdicts as jasmine's toEqual for what the specs
 * compare (shapes, dtypes, arrays of numbers and strings).
 */
function deepEqual(actual: unknown, expected: unknown): boolean {
  try {
    vitest.expect(actual).toEqual(expected);
    return true;
  } catch {
    return false;
  }
}

interface Matchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toThrow(expected?: unknown): void;
  toThrowError(...args: unknown[]): void;
  nothing(): void;
}

function matchers(actual: unknown, negated: boolean): Matchers {
  const check = (pass: boolean, what: string) => {
    if (pass === negated) fail(`Expected ${String(actual)} ${negated ? 'not ' : ''}${what}.`);
  };
  return {
    toBe: (expected) => check(actual === expected, `to be ${String(expected)}`),
    toEqual: (expected) => check(deepEqual(actual, expected), `to equal ${String(expected)}`),
    toThrow: (...args: unknown[]) => {
      const result = thrownBy(actual);
      const pass = result.threw && (args.length === 0 || deepEqual(result.error, args[0]));
      check(pass, `to throw ${args.length ? String(args[0]) : 'anything'}`);
    },
    toThrowError: (...args: unknown[]) => {
      const result = thrownBy(actual);
      const detail = result.threw ? ` (threw ${String(result.error)})` : ' (threw nothing)';
      check(
        result.threw && errorMatches(result.error, args),
        `to throw ${args.join(' ')}${detail}`,
      );
    },
    nothing: () => undefined,
  };
}

function expect(actual?: unknown): Matchers & { not: Matchers } {
  return Object.assign(matchers(actual, false), { not: matchers(actual, true) });
}

/** Installs the jasmine globals the specs use; `filter` picks the specs that run. */
export function installJasmineGlobals(filter: SpecFilter): void {
  specFilter = filter;
  Object.assign(globalThis, {
    describe,
    it,
    expect,
    fail,
    beforeAll: vitest.beforeAll,
    afterAll: vitest.afterAll,
    beforeEach: vitest.beforeEach,
    afterEach: vitest.afterEach,
    jasmine: { DEFAULT_TIMEOUT_INTERVAL: 20_000 },
  });
}

// What the specs import from jasmine_util.

export const ALL_ENVS: Constraints = {};
export const NODE_ENVS: Constraints = { predicate: () => tf.env().platformName === 'node' };
export const BROWSER_ENVS: Constraints = { predicate: () => tf.env().platformName === 'browser' };
export const SYNC_BACKEND_ENVS: Constraints = { predicate: (env) => env.isDataSync === true };

/** jasmine_util's envSatisfiesConstraints. */
function satisfies(testEnv: TestEnv, constraints: Constraints | undefined): boolean {
  if (!constraints) return true;
  for (const [flag, value] of Object.entries(constraints.flags ?? {})) {
    if (tf.env().get(flag) !== value) return false;
  }
  return !constraints.predicate || constraints.predicate(testEnv);
}

/**
 * jasmine_util's describeWithFlags for our one environment: the suite is named as upstream
 * names it ("<name> test-wasm {}"), runs on the wasm backend our setup registered, and each
 * spec runs in its own engine scope with variables disposed after it. Unlike upstream it does
 * not reset the engine between suites: that would dispose the backend setupCompute started.
 */
export function describeWithFlags(
  name: string,
  constraints: Constraints,
  tests: (env: TestEnv) => void,
): void {
  const testEnv = WASM_TEST_ENV;
  tf.env().set('IS_TEST', true);
  if (!satisfies(testEnv, constraints)) return;
  describe(`${name} ${testEnv.name} ${JSON.stringify(testEnv.flags ?? {})}`, () => {
    vitest.beforeAll(async () => {
      tf.env().set('IS_TEST', true);
      await tf.setBackend(testEnv.backendName);
    });
    vitest.beforeEach(() => tf.engine().startScope());
    vitest.afterEach(() => {
      tf.engine().endScope();
      tf.engine().disposeVariables();
    });
    tests(testEnv);
  });
}
