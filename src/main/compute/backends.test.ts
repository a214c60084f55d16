import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackendName, BackendRejection } from '../../shared/api/app';
import { ladderOutcome } from '../../../test/support/backend-ladder';
import { AppError } from '../../shared/result';
import {
  chooseBackend,
  BACKEND_ERROR_CODES,
  forcedBackendFromEnv,
  parseBackendName,
  probeGpuVisible,
  probeNativeBackend,
  probeWasmFiles,
  WASM_BINARY,
} from './backends';

type Reason = BackendRejection['reason'];

/** A ladder where the named rungs fail with `reason` and the others start. */
function probeFailing(failing: Partial<Record<BackendName, Reason>>) {
  return async (backend: BackendName): Promise<BackendRejection | null> => {
    const reason = failing[backend];
    return reason ? { backend, reason, message: `${backend}: ${reason}` } : null;
  };
}

/**
 * Expects the ladder to take `active` when exactly the rungs of `rejected` ("backend: reason",
 * in ladder order) fail, and to report those, in that order.
 */
async function expectLadder(
  active: BackendName,
  rejected: `${BackendName}: ${Reason}`[],
): Promise<void> {
  const failing = Object.fromEntries(rejected.map((rung) => rung.split(': ')));
  const choice = await chooseBackend(probeFailing(failing as Partial<Record<BackendName, Reason>>));
  expect(ladderOutcome(choice)).toEqual({ active, rejected });
}

describe('chooseBackend', () => {
  it('takes wasm when both native packages are missing and WebGPU finds only a software adapter, keeping why', async () => {
    await expectLadder('wasm', [
      'tensorflow-gpu: not-installed',
      'webgpu: software-adapter',
      'tensorflow: not-installed',
    ]);
  });

  it('takes webgpu below tfjs-node-gpu and above tfjs-node', async () => {
    const choice = await chooseBackend(probeFailing({ 'tensorflow-gpu': 'no-gpu' }));
    expect(choice.active).toBe('webgpu');
    expect(choice.rejected).toEqual([
      { backend: 'tensorflow-gpu', reason: 'no-gpu', message: 'tensorflow-gpu: no-gpu' },
    ]);
  });

  it('takes tensorflow when neither GPU rung finds a GPU', async () => {
    const choice = await chooseBackend(
      probeFailing({ 'tensorflow-gpu': 'no-gpu', webgpu: 'no-gpu' }),
    );
    expect(choice.active).toBe('tensorflow');
    expect(choice.rejected).toEqual([
      { backend: 'tensorflow-gpu', reason: 'no-gpu', message: 'tensorflow-gpu: no-gpu' },
      { backend: 'webgpu', reason: 'no-gpu', message: 'webgpu: no-gpu' },
    ]);
  });

  it('falls to cpu when wasm fails to start too', async () => {
    await expectLadder('cpu', [
      'tensorflow-gpu: not-installed',
      'webgpu: no-gpu',
      'tensorflow: load-failed',
      'wasm: init-failed',
    ]);
  });

  it('skips the rungs above a forced backend and never tries those below', async () => {
    const tried: BackendName[] = [];
    const choice = await chooseBackend(async (backend) => {
      tried.push(backend);
      return null;
    }, 'wasm');
    expect(tried).toEqual(['wasm']);
    expect(ladderOutcome(choice)).toEqual({
      active: 'wasm',
      rejected: [
        'tensorflow-gpu: skipped-by-setting',
        'webgpu: skipped-by-setting',
        'tensorflow: skipped-by-setting',
      ],
    });
  });

  it('fails with COMPUTE_NO_BACKEND, naming the reason, when a forced backend cannot start', async () => {
    const attempt = chooseBackend(probeFailing({ tensorflow: 'not-installed' }), 'tensorflow');
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({
      code: BACKEND_ERROR_CODES.NO_BACKEND,
      message: expect.stringContaining('tensorflow: not-installed'),
    });
  });
});

describe('rung probes', () => {
  it('reports both native packages as not installed on this machine', () => {
    for (const backend of ['tensorflow-gpu', 'tensorflow'] as const) {
      expect(probeNativeBackend(backend)).toMatchObject({ backend, reason: 'not-installed' });
    }
  });

  it("keeps the loader's message when a native package is there but fails to load", () => {
    const rejection = probeNativeBackend(
      'tensorflow-gpu',
      () => {
        throw new Error(
          'libcudart.so.11.0: cannot open shared object file: No such file or directory',
        );
      },
      (pkg) => `/somewhere/${pkg}/index.js`,
    );
    expect(rejection).toMatchObject({ backend: 'tensorflow-gpu', reason: 'load-failed' });
    expect(rejection?.message).toContain('libcudart.so.11.0');
  });

  it('sees a GPU only where the NVIDIA driver lists one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vessel-gpus-'));
    try {
      expect(probeGpuVisible([dir])).toMatchObject({ backend: 'tensorflow-gpu', reason: 'no-gpu' });
      expect(probeGpuVisible([path.join(dir, 'absent')])?.reason).toBe('no-gpu');
      fs.mkdirSync(path.join(dir, '0000:00:1e.0'));
      expect(probeGpuVisible([dir])).toBeNull();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds the wasm package and its SIMD binary, and says what is missing otherwise', () => {
    expect(probeWasmFiles()).toBeNull();
    expect(
      probeWasmFiles(() => {
        throw new Error('Cannot find module');
      }),
    ).toMatchObject({ backend: 'wasm', reason: 'not-installed' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vessel-wasm-'));
    try {
      const missing = probeWasmFiles(() => path.join(dir, 'index.js'));
      expect(missing).toMatchObject({ backend: 'wasm', reason: 'load-failed' });
      expect(missing?.message).toContain(WASM_BINARY);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('forced backend names', () => {
  it('parses names case- and space-insensitively', () => {
    expect(parseBackendName(' WASM ')).toBe('wasm');
    expect(parseBackendName('tpu')).toBeNull();
  });

  it('reads VESSEL_BACKEND and refuses a bad one with a code', () => {
    expect(forcedBackendFromEnv({ VESSEL_BACKEND: 'cpu' })).toEqual({ name: 'cpu', by: 'env' });
    expect(forcedBackendFromEnv({})).toBeUndefined();
    expect(forcedBackendFromEnv({ VESSEL_BACKEND: '  ' })).toBeUndefined();
    expect(() => forcedBackendFromEnv({ VESSEL_BACKEND: 'tpu' })).toThrow(
      expect.objectContaining({ code: BACKEND_ERROR_CODES.BAD_BACKEND_NAME }),
    );
  });
});
