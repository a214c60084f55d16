/**
 * Where a run's time goes, per tfjs kernel, from tf.profile. On wasm and cpu a kernel's time is
 * its wall time; on webgpu it is the GPU's own timestamp of each program when the device has
 * the timestamp-query feature, and 0 without it (tfjs then warns once), so callers say which.
 */
import * as tf from '@tensorflow/tfjs';

export type KernelTimes = Record<string, { ms: number | null; calls: number }>;

/**
 * Kernel times of one profiled run, summed per kernel name, largest first, rounded to
 * `decimals`. A kernel whose backend gave no number for any call (an error object from the
 * timer) has ms null rather than a made-up 0.
 */
export async function profileKernels(
  run: () => Promise<void> | void,
  decimals = 1,
): Promise<KernelTimes> {
  const profile = await tf.profile(async () => {
    await run();
  });
  const times: Record<string, { ms: number; timed: number; calls: number }> = {};
  for (const kernel of profile.kernels) {
    const entry = (times[kernel.name] ??= { ms: 0, timed: 0, calls: 0 });
    // tf.profile awaits each kernelTimeMs; a backend timer that failed leaves {error} here.
    const ms = kernel.kernelTimeMs as unknown;
    if (typeof ms === 'number' && Number.isFinite(ms)) {
      entry.ms += ms;
      entry.timed += 1;
    }
    entry.calls += 1;
  }
  const scale = 10 ** decimals;
  return Object.fromEntries(
    Object.entries(times)
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(([name, t]) => [
        name,
        { ms: t.timed > 0 ? Math.round(t.ms * scale) / scale : null, calls: t.calls },
      ]),
  );
}
