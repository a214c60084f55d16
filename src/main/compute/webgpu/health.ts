/**
 * Where training and inference meet the GPU's faults. device.ts records a lost device or an
 * uncaptured error as it arrives (asynchronously, from Dawn's event loop); the runs check after
 * every step, tile or batch, so a fault ends the run with its coded error instead of letting it
 * go on with garbage. A read on a destroyed device rejects with an empty error, usually before
 * the loss is recorded: catch blocks put the fault in its place (gpuFaultOr).
 */
import * as tf from '@tensorflow/tfjs';
import { assertGpuHealthy, clearGpuFault, gpuFault } from './device';

/**
 * Throws the GPU's fault as its coded AppError (GPU_ERROR_CODES) while the webgpu backend is
 * active, and forgets it once thrown, so the next run on the same device starts clean (a lost
 * device stays lost: setupCompute walks the ladder again).
 */
export function throwIfGpuFault(): void {
  // A lost device stays recorded after the ladder fell back to wasm: only a run on webgpu is hit.
  if (tf.getBackend() !== 'webgpu') return;
  try {
    assertGpuHealthy();
  } catch (error) {
    clearGpuFault();
    throw error;
  }
}

/**
 * For catch blocks of code that ran on the GPU: the GPU's coded fault when there is one (the
 * error itself is then only its symptom), else `error` unchanged.
 */
export async function gpuFaultOr(error: unknown): Promise<unknown> {
  if (tf.getBackend() !== 'webgpu') return error;
  // Dawn rejects pending reads before it resolves the device's lost promise: let that through.
  if (!gpuFault()) await new Promise((resolve) => setImmediate(resolve));
  try {
    throwIfGpuFault();
  } catch (fault) {
    return fault;
  }
  return error;
}
