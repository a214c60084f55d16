import { canvasBenchmark } from './canvas';
import { computeBenchmark } from './compute.bench';
import { datasetBenchmark } from './dataset.bench';
import { gpuBenchmark } from './gpu.bench';
import { metricsBenchmark } from './metrics.bench';
import { projectBenchmark } from './project.bench';

/**
 * Every benchmark, run by `npm run cli -- bench`. Each returns a JSON object whose keys are
 * merged into the one JSON object the command prints; keep the keys distinct.
 */
export interface BenchContext {
  /** Logs progress to stderr (stdout is reserved for the JSON). */
  log(text: string): void;
  /** Quick mode: smaller sizes, for smoke tests of the benchmark itself. */
  quick: boolean;
  /** The bench command's option values (and the global --backend), for benches with their own. */
  values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  signal: AbortSignal;
}

export interface Benchmark {
  name: string;
  summary: string;
  run(ctx: BenchContext): Promise<Record<string, unknown>>;
}

/**
 * Registered benchmarks, in the order they run. gpu runs last: where there is a GPU it keeps it
 * busy, and where there is none it only asks Dawn for an adapter.
 */
export const benchmarks: Benchmark[] = [
  datasetBenchmark,
  metricsBenchmark,
  projectBenchmark,
  computeBenchmark,
  canvasBenchmark,
  gpuBenchmark,
];
