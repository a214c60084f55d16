/**
 * The backend report in words, for `info`, the status bar and the Retrain settings: the GPU's
 * name and description, and why a rung of the ladder was not used. Pure, so every front end
 * says the same thing.
 */
import type { BackendRejection, GpuAdapterReport } from './api/app';

/** Each rejection reason in a few words, to put before the loader's own message. */
export const REJECTION_WORDS: Record<BackendRejection['reason'], string> = {
  'not-installed': 'not installed',
  'load-failed': 'failed to load',
  'no-gpu': 'no GPU found',
  'software-adapter': 'only a software adapter',
  'device-lost': 'the GPU was lost in an earlier run',
  'skipped-by-setting': 'skipped: another backend is forced',
  'init-failed': 'failed to start',
};

/** The GPU's name: its device name (Dawn: "NVIDIA H200"), else its description or vendor. */
export function gpuName(adapter: GpuAdapterReport): string {
  return adapter.device || adapter.description || adapter.vendor || 'unnamed GPU';
}

/** `4 GiB`, `128 MiB`, `512 KiB`: binary units, at most one decimal. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  // 4 GiB - 1 byte (a common maxBufferSize) reads as 4 GiB.
  const rounded = Math.round(value * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded : rounded.toFixed(1)} ${units[unit]}`;
}

/**
 * One line about an adapter: `NVIDIA H200, hardware (vendor nvidia, architecture hopper,
 * driver NVIDIA: 580.95.05; buffers up to 4 GiB, storage bindings up to 2 GiB)`.
 */
export function describeGpu(adapter: GpuAdapterReport): string {
  const kind = adapter.software ? 'software, runs on the CPU' : 'hardware';
  const facts = [
    adapter.vendor && `vendor ${adapter.vendor}`,
    adapter.architecture && `architecture ${adapter.architecture}`,
    // Dawn's description is the driver's; unless it already served as the name.
    adapter.description &&
      adapter.description !== gpuName(adapter) &&
      `driver ${adapter.description}`,
  ].filter((f): f is string => Boolean(f));
  const limits =
    adapter.maxBufferSize > 0 && adapter.maxStorageBufferBindingSize > 0
      ? `buffers up to ${formatBytes(adapter.maxBufferSize)}, storage bindings up to ${formatBytes(adapter.maxStorageBufferBindingSize)}`
      : '';
  const detail = [facts.join(', '), limits].filter((p) => p !== '').join('; ');
  return `${gpuName(adapter)}, ${kind}${detail ? ` (${detail})` : ''}`;
}
