import { describe, expect, it } from 'vitest';
import type { BackendRejection } from './api/app';
import { describeGpu, formatBytes, gpuName, REJECTION_WORDS } from './backend-text';
import { H200_ADAPTER } from '../../test/support/gpu-adapters';

const h200 = H200_ADAPTER;

describe('backend text', () => {
  it('names a GPU by its device, else its description or vendor', () => {
    expect(gpuName(h200)).toBe('NVIDIA H200');
    expect(gpuName({ ...h200, device: '' })).toBe('NVIDIA: 580.95.05');
    expect(gpuName({ ...h200, device: '', description: '' })).toBe('nvidia');
    expect(gpuName({ ...h200, device: '', description: '', vendor: '' })).toBe('unnamed GPU');
  });

  it('describes an adapter in one line, hardware or software, with its buffer limits', () => {
    expect(describeGpu(h200)).toBe(
      'NVIDIA H200, hardware (vendor nvidia, architecture hopper, driver NVIDIA: 580.95.05; buffers up to 4 GiB, storage bindings up to 2 GiB)',
    );
    // No facts, no limits: the name and kind alone; a description used as the name is not repeated.
    expect(
      describeGpu({
        vendor: '',
        architecture: '',
        device: '',
        description: 'SwiftShader Device',
        software: true,
        maxBufferSize: 0,
        maxStorageBufferBindingSize: 0,
      }),
    ).toBe('SwiftShader Device, software, runs on the CPU');
  });

  it('formats bytes in binary units', () => {
    expect(formatBytes(2 ** 32 - 1)).toBe('4 GiB');
    expect(formatBytes(128 * 2 ** 20)).toBe('128 MiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(12)).toBe('12 B');
  });

  it('has words for every rejection reason', () => {
    const reasons: BackendRejection['reason'][] = [
      'not-installed',
      'load-failed',
      'no-gpu',
      'software-adapter',
      'device-lost',
      'skipped-by-setting',
      'init-failed',
    ];
    for (const reason of reasons) expect(REJECTION_WORDS[reason]).toMatch(/\w/);
  });
});
