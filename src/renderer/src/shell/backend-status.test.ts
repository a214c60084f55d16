import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { BackendReport } from '../../../shared/api/app';
import { backendLabel, backendTooltip } from './backend-status';
import { BackendStatus } from './StatusBar';
import { H200_ADAPTER } from '../../../../test/support/gpu-adapters';

const h200 = H200_ADAPTER;

const notInstalled = {
  backend: 'tensorflow-gpu' as const,
  reason: 'not-installed' as const,
  message: '@tensorflow/tfjs-node-gpu is not installed.',
};

const onWebGpu: BackendReport = {
  active: 'webgpu',
  chosenBy: 'ladder',
  threads: 1,
  adapter: h200,
  rejected: [notInstalled],
};

describe('the status bar’s backend', () => {
  it('names the GPU on webgpu and keeps the thread count elsewhere', () => {
    expect(backendLabel(onWebGpu)).toBe('webgpu · NVIDIA H200');
    expect(
      backendLabel({ ...onWebGpu, adapter: { ...h200, device: 'llvmpipe', software: true } }),
    ).toBe('webgpu · llvmpipe (software)');
    expect(backendLabel({ active: 'wasm', chosenBy: 'ladder', threads: 2, rejected: [] })).toBe(
      'wasm ×2',
    );
    expect(backendLabel({ active: 'cpu', chosenBy: 'flag', threads: 1, rejected: [] })).toBe('cpu');
    // An adapter WebGPU found but did not use is not the backend.
    expect(backendLabel({ ...onWebGpu, active: 'wasm', threads: 2 })).toBe('wasm ×2');
    expect(backendLabel({ ...onWebGpu, active: null })).toBe('none');
    expect(backendLabel(null)).toBe('…');
  });

  it('puts the adapter in full, then the rejections, in the tooltip', () => {
    expect(backendTooltip(onWebGpu).split('\n')).toEqual([
      'GPU: NVIDIA H200, hardware (vendor nvidia, architecture hopper, driver NVIDIA: 580.95.05; buffers up to 4 GiB, storage bindings up to 2 GiB)',
      'tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed.',
    ]);
    const software = {
      ...h200,
      device: 'llvmpipe',
      description: 'llvmpipe: Mesa 25',
      software: true,
    };
    expect(backendTooltip({ ...onWebGpu, active: 'wasm', adapter: software }).split('\n')[0]).toBe(
      'GPU (not used): llvmpipe, software, runs on the CPU (vendor nvidia, architecture hopper, driver llvmpipe: Mesa 25; buffers up to 4 GiB, storage bindings up to 2 GiB)',
    );
    expect(
      backendTooltip({ active: 'wasm', chosenBy: 'ladder', threads: 2, rejected: [notInstalled] }),
    ).toBe('tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed.');
    expect(backendTooltip(null)).toBe('');
  });

  it('renders "Backend: webgpu · NVIDIA H200" with the details as its title', () => {
    const html = renderToStaticMarkup(createElement(BackendStatus, { report: onWebGpu }));
    expect(html).toContain('data-testid="backend"');
    expect(html.replace(/<[^>]+>/g, '')).toBe('Backend: webgpu · NVIDIA H200');
    expect(html).toContain(
      'title="GPU: NVIDIA H200, hardware (vendor nvidia, architecture hopper, driver NVIDIA: 580.95.05; buffers up to 4 GiB, storage bindings up to 2 GiB)\ntensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed."',
    );
  });
});
