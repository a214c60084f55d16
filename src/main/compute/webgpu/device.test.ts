import { describe, expect, it } from 'vitest';
import {
  assertGpuHealthy,
  clearGpuFault,
  describeAdapter,
  deviceDescriptor,
  faultFromError,
  gpuDeviceLost,
  gpuFault,
  GPU_ERROR_CODES,
  probeAdapter,
  watchDevice,
  type GpuAdapterLike,
  type GpuDeviceLike,
} from './device';

function adapter(info: Record<string, unknown>, features: string[] = []): GpuAdapterLike {
  return {
    info,
    features: new Set(features),
    limits: {
      maxBufferSize: 4294967295,
      maxStorageBufferBindingSize: 134217728,
      maxComputeWorkgroupSizeX: 256,
      maxTextureDimension2D: 8192,
    },
    requestDevice: () => Promise.reject(new Error('no device')),
  };
}

/** A device whose loss and errors the test triggers. */
function fakeDevice() {
  let lose: (info: { reason?: string; message?: string }) => void = () => {};
  const listeners: ((event: { error: unknown }) => void)[] = [];
  const device: GpuDeviceLike = {
    lost: new Promise((resolve) => (lose = resolve)),
    addEventListener: (_type, listener) => listeners.push(listener),
    destroy: () => lose({ reason: 'destroyed', message: 'Device was destroyed.' }),
  };
  return { device, emit: (error: unknown) => listeners.forEach((l) => l({ error })) };
}

describe('describeAdapter', () => {
  it("classes lavapipe, SwiftShader and WARP as software and a vendor's GPU as hardware", () => {
    const lavapipe = describeAdapter(
      adapter({
        vendor: 'mesa',
        architecture: 'software',
        device: 'llvmpipe-llvm-15-0-6-256-bits-',
        description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1',
        isFallbackAdapter: true,
      }),
    );
    expect(lavapipe).toMatchObject({ vendor: 'mesa', software: true, maxBufferSize: 4294967295 });
    // Older Dawn builds put isFallbackAdapter on the adapter, or say nothing: the name decides.
    expect(
      describeAdapter(adapter({ vendor: 'google', device: 'SwiftShader Device' })).software,
    ).toBe(true);
    expect(
      describeAdapter(
        adapter({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' }),
      ).software,
    ).toBe(true);
    const nvidia = describeAdapter(
      adapter({
        vendor: 'nvidia',
        architecture: 'hopper',
        device: 'NVIDIA H200',
        description: 'NVIDIA: 580.95.05',
      }),
    );
    expect(nvidia).toMatchObject({ vendor: 'nvidia', device: 'NVIDIA H200', software: false });
  });

  it('asks for the limits tfjs needs, at the adapter’s values, and timestamps where offered', () => {
    const withTimestamps = deviceDescriptor(
      adapter({ vendor: 'nvidia' }, ['timestamp-query', 'shader-f16']),
    );
    expect(withTimestamps.requiredFeatures).toEqual(['timestamp-query']);
    expect(withTimestamps.requiredLimits).toEqual({
      maxBufferSize: 4294967295,
      maxStorageBufferBindingSize: 134217728,
      maxComputeWorkgroupSizeX: 256,
    });
    expect(deviceDescriptor(adapter({ vendor: 'amd' })).requiredFeatures).toEqual([]);
  });
});

describe('probeAdapter', () => {
  const loader = (found: GpuAdapterLike | null, fail?: Error) => ({
    resolve: () => '/opt/fake/webgpu/index.js',
    load: async () => {
      if (fail) throw fail;
      return { globals: {}, create: () => ({ requestAdapter: async () => found }) };
    },
  });

  it('refuses a software adapter unless allowed, and takes it when forced', async () => {
    const swift = adapter({
      vendor: 'google',
      device: 'SwiftShader Device',
      isFallbackAdapter: true,
    });
    const refused = await probeAdapter(false, loader(swift));
    expect(refused).toMatchObject({
      rejection: { backend: 'webgpu', reason: 'software-adapter' },
      report: { software: true },
    });
    const forced = await probeAdapter(true, loader(swift));
    expect('adapter' in forced && forced.adapter).toBe(swift);
  });

  it('says what to install when no driver answers, and keeps the loader’s words when Dawn fails', async () => {
    const none = await probeAdapter(false, loader(null));
    expect(none).toMatchObject({ rejection: { reason: 'no-gpu' } });
    expect('rejection' in none && none.rejection.message).toContain('libvulkan1');
    const broken = await probeAdapter(false, loader(null, new Error('GLIBC_2.38 not found')));
    expect(broken).toMatchObject({
      rejection: { reason: 'load-failed', message: expect.stringContaining('GLIBC_2.38') },
    });
  });
});

describe('device faults', () => {
  it('turns an out-of-memory error into its own code and anything else into a GPU error', () => {
    class GPUOutOfMemoryError extends Error {}
    expect(faultFromError(new GPUOutOfMemoryError('')).code).toBe(GPU_ERROR_CODES.OUT_OF_MEMORY);
    expect(faultFromError({ message: 'Out of memory allocating buffer' }).code).toBe(
      GPU_ERROR_CODES.OUT_OF_MEMORY,
    );
    const validation = faultFromError(new Error('Binding size is larger than the buffer'));
    expect(validation.code).toBe(GPU_ERROR_CODES.GPU_ERROR);
    expect(validation.message).toContain('--backend wasm');
  });

  it('remembers an uncaptured error until cleared, and a lost device for good', async () => {
    const { device, emit } = fakeDevice();
    watchDevice(device);
    expect(gpuFault()).toBeNull();
    expect(() => assertGpuHealthy()).not.toThrow();
    emit(new Error('Buffer is too large'));
    emit(new Error('a second error does not replace the first'));
    expect(gpuFault()?.message).toContain('Buffer is too large');
    expect(() => assertGpuHealthy()).toThrow(
      expect.objectContaining({ code: GPU_ERROR_CODES.GPU_ERROR }),
    );
    clearGpuFault();
    expect(gpuFault()).toBeNull();

    device.destroy();
    await Promise.resolve();
    await Promise.resolve();
    expect(gpuDeviceLost()).toBe(true);
    expect(() => assertGpuHealthy()).toThrow(
      expect.objectContaining({
        code: GPU_ERROR_CODES.DEVICE_LOST,
        message: expect.stringContaining('destroyed'),
      }),
    );
    clearGpuFault();
    expect(gpuFault()?.code).toBe(GPU_ERROR_CODES.DEVICE_LOST);

    // A new device (the next setup) starts healthy, and the device it replaced going away
    // later (tfjs destroys it when the backend is removed) is not a fault of the new one.
    const old = fakeDevice();
    watchDevice(old.device);
    watchDevice(fakeDevice().device);
    old.device.destroy();
    old.emit(new Error('late error from the old device'));
    await Promise.resolve();
    await Promise.resolve();
    expect(gpuDeviceLost()).toBe(false);
    expect(gpuFault()).toBeNull();
  });
});
