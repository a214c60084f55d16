/** Adapter reports as Dawn gives them, for tests of what the app says and does about a GPU. */
import type { GpuAdapterReport } from '../../src/shared/api/app';

/** An NVIDIA H200 through its Vulkan driver (the limits Dawn reported on the lent machine). */
export const H200_ADAPTER: GpuAdapterReport = {
  vendor: 'nvidia',
  architecture: 'hopper',
  device: 'NVIDIA H200',
  description: 'NVIDIA: 580.95.05',
  software: false,
  maxBufferSize: 2 ** 32 - 1,
  maxStorageBufferBindingSize: 2 ** 31,
};

/** Mesa's lavapipe, the software Vulkan driver CI runs the webgpu tests on. */
export const LAVAPIPE_ADAPTER: GpuAdapterReport = {
  vendor: 'mesa',
  architecture: 'software',
  device: 'llvmpipe-llvm-15-0-6-256-bits-',
  description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1',
  software: true,
  maxBufferSize: 2 ** 32 - 1,
  maxStorageBufferBindingSize: 2 ** 27,
};
