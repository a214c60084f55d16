import { canvasBenchmark } from './canvas';
import { computeBenchmark } from './compute.bench';
import { datasetBenchmark } from './dataset.bench';
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
  signal: AbortSignal;
}

export interface Benchmark {
  name: string;
  summary: string;
  run(ctx: BenchContext): Promise<Record<string, unknown>>;
}

/** Registered benchmarks, in the order they run. */
export const benchmarks: Benchmark[] = [datasetBenchmark, metricsBenchmark, projectBenchmark, computeBenchmark, canvasBenchmark];
