/**
 * Is there a GPU to bench? Asked the way the app asks (predictBackendReport: the ladder's cheap
 * checks, Dawn's adapter without a device, no tfjs), so the answer on a CPU-only machine costs a
 * fraction of a second and the rest of the bench runs as before.
 */
import { predictBackendReport } from '../src/main/compute/setup';
import { probeAdapter } from '../src/main/compute/webgpu/device';
import {
  gpuAvailability,
  gpuAvailabilityFromError,
  type GpuAvailability,
  type GpuBenchOptions,
} from './gpu-section';

export async function probeGpu(
  options: Pick<GpuBenchOptions, 'forcedBy'>,
): Promise<GpuAvailability> {
  try {
    if (options.forcedBy !== null) {
      // Forced: the rung takes a software adapter too (lavapipe), for testing the bench.
      const report = await predictBackendReport({ name: 'webgpu', by: options.forcedBy });
      return gpuAvailability(report) ?? gpuAvailabilityFromError(new Error('webgpu did not start'));
    }
    const known = gpuAvailability(await predictBackendReport());
    if (known) return known;
    // The ladder never asked webgpu (tfjs-node-gpu won above it, or VESSEL_BACKEND forced
    // another backend): ask the rung itself, refusing a software adapter as the ladder does.
    const probe = await probeAdapter(false);
    return 'rejection' in probe
      ? { available: false, reason: probe.rejection.message, adapter: probe.report ?? null }
      : { available: true, adapter: probe.report };
  } catch (error) {
    return gpuAvailabilityFromError(error);
  }
}
