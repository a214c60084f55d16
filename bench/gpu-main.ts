/**
 * The GPU section on its own, one process: `node --import tsx bench/gpu-main.ts [options]`
 * (the bench command runs it this way), or bundled into .gpu-bundle/gpu-bench.mjs for a machine
 * without Node's toolchain (scripts/gpu-bench/bundle.sh). Takes the bench command's GPU options
 * plus --python and --twins (where the PyTorch twins run from), and --quick. Prints one JSON
 * object, {"gpu": ...}, on stdout; progress goes to stderr.
 */
import { parseArgs } from 'node:util';
import { runGpuSection } from './gpu-run';
import { GPU_CLI_OPTIONS, GpuOptionError, gpuBenchOptions } from './gpu-section';
import { DEFAULT_PYTHON, DEFAULT_TWINS } from './gpu-torch';
import { runMain } from './run-main';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(
        Object.entries(GPU_CLI_OPTIONS).map(([name, option]) => [name, { type: option.type }]),
      ),
      backend: { type: 'string' },
      quick: { type: 'boolean' },
      python: { type: 'string' },
      twins: { type: 'string' },
    },
    strict: true,
  });
  let options;
  try {
    options = gpuBenchOptions(values, process.env, values.quick === true);
  } catch (error) {
    if (!(error instanceof GpuOptionError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    return 2;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const section = await runGpuSection(options, {
    log: (text) => process.stderr.write(`${text}\n`),
    signal: controller.signal,
    torch: {
      python: typeof values.python === 'string' ? values.python : DEFAULT_PYTHON,
      twins: typeof values.twins === 'string' ? values.twins : DEFAULT_TWINS,
    },
  });
  process.stdout.write(`${JSON.stringify(section)}\n`);
  return 0;
}

runMain(main);
