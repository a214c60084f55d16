import os from 'node:os';
import { benchmarks } from '../../../../bench';
import { GPU_CLI_OPTIONS, GpuOptionError, gpuBenchOptions } from '../../../../bench/gpu-section';
import { UsageError, type CliCommand } from '../command';

export const benchCommand: CliCommand = {
  name: 'bench',
  summary:
    'Run the benchmarks (data stream, compute, metrics, project file, GPU) and print their figures.',
  usage: '[--only <name>[,<name>...]] [--quick] [--force-software-gpu] [--gpu-* ...] [--json]',
  description: `Benchmarks: ${benchmarks.map((b) => b.name).join(', ') || '(none registered)'}.`,
  options: {
    only: {
      type: 'string',
      valueName: '<names>',
      description: 'Comma-separated benchmark names to run.',
    },
    quick: {
      type: 'boolean',
      description: 'Small sizes: checks that the benchmarks run, figures not meaningful.',
    },
    ...GPU_CLI_OPTIONS,
  },
  async run(args, io) {
    const only =
      typeof args.values.only === 'string'
        ? args.values.only.split(',').map((s) => s.trim())
        : null;
    if (only) {
      const unknown = only.filter((n) => !benchmarks.some((b) => b.name === n));
      if (unknown.length > 0) {
        throw new UsageError(
          `--only: unknown benchmark ${unknown.join(', ')}; known: ${benchmarks.map((b) => b.name).join(', ')}`,
        );
      }
    }
    const selected = benchmarks.filter((b) => only === null || only.includes(b.name));
    if (selected.some((b) => b.name === 'gpu')) {
      // Read the GPU options now, so a mistyped one fails before the other benches' minutes.
      try {
        gpuBenchOptions(args.values, process.env, args.values.quick === true);
      } catch (error) {
        if (error instanceof GpuOptionError) throw new UsageError(error.message);
        throw error;
      }
    }
    const result: Record<string, unknown> = {
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        memGb: Math.round(os.totalmem() / 2 ** 30),
        node: process.versions.node,
      },
      quick: args.values.quick === true,
    };
    for (const bench of selected) {
      io.log(`bench ${bench.name}: ${bench.summary}`);
      Object.assign(
        result,
        await bench.run({
          log: io.log,
          quick: args.values.quick === true,
          values: args.values,
          signal: io.signal,
        }),
      );
    }
    return { json: result, text: JSON.stringify(result, null, 2) };
  },
};
