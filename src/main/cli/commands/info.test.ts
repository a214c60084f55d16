import { describe, expect, it } from 'vitest';
import type {
  AppInfo,
  BackendRejection,
  BackendReport,
  GpuAdapterReport,
} from '../../../shared/api/app';
import type { Engine } from '../../engine';
import { runCli } from '../run';
import { describeInfo, infoCommand } from './info';
import { H200_ADAPTER, LAVAPIPE_ADAPTER } from '../../../../test/support/gpu-adapters';

const h200 = H200_ADAPTER;

const lavapipe = LAVAPIPE_ADAPTER;

const NO_TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu is not installed.';

function info(backend: BackendReport): AppInfo {
  return {
    name: 'Vessel Studio',
    version: '9.9.9',
    platform: { os: 'Linux 6.1', arch: 'x64', node: '20.19.0', electron: null },
    mode: 'cli',
    backend,
  };
}

const onWebGpu = info({
  active: 'webgpu',
  chosenBy: 'ladder',
  threads: 1,
  adapter: h200,
  rejected: [{ backend: 'tensorflow-gpu', reason: 'not-installed', message: NO_TFJS_NODE_GPU }],
});

/** An app on wasm, chosen by the ladder with 2 threads, past the `rejected` rungs. */
function onWasm(rejected: BackendRejection[], adapter?: GpuAdapterReport): AppInfo {
  return info({
    active: 'wasm',
    chosenBy: 'ladder',
    threads: 2,
    rejected,
    ...(adapter && { adapter }),
  });
}

/** Runs `info` against an engine that answers app.info with `answer`. */
async function run(answer: AppInfo, args: string[] = []) {
  let stdout = '';
  let stderr = '';
  const engine = {
    request: async (name: string) =>
      name === 'app.info'
        ? { ok: true, value: answer }
        : { ok: false, error: { code: 'UNKNOWN_REQUEST', message: name } },
    dispose: async () => undefined,
  } as unknown as Engine;
  const code = await runCli(['info', ...args], {
    commands: [infoCommand],
    makeEngine: () => engine,
    streams: {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
    },
  });
  return { code, stdout, stderr };
}

describe('info', () => {
  it('names the adapter in use and says why each rung was or was not taken', async () => {
    const { code, stdout } = await run(onWebGpu);
    expect(code).toBe(0);
    expect(stdout).toContain('compute backend: webgpu (chosen by ladder, 1 thread)');
    expect(stdout).toContain(
      'GPU adapter: NVIDIA H200, hardware (vendor nvidia, architecture hopper, driver NVIDIA: 580.95.05; buffers up to 4 GiB, storage bindings up to 2 GiB)',
    );
    const ladder = stdout.slice(stdout.indexOf('ladder, best first:')).trim().split('\n');
    expect(ladder).toEqual([
      'ladder, best first:',
      `  tensorflow-gpu  not used, not installed: ${NO_TFJS_NODE_GPU}`,
      '  webgpu          in use on NVIDIA H200, a hardware adapter',
      '  tensorflow      not needed: webgpu ranks above it and is in use',
      '  wasm            not needed: webgpu ranks above it and is in use',
      '  cpu             not needed: webgpu ranks above it and is in use',
    ]);
  });

  it('says a software adapter was found but not used, and why', () => {
    const message =
      'WebGPU found only a software adapter (mesa llvmpipe-llvm-15-0-6-256-bits-), which runs on the CPU more slowly than wasm; force it with --backend webgpu to use it anyway.';
    const text = describeInfo(
      onWasm(
        [
          { backend: 'tensorflow-gpu', reason: 'not-installed', message: NO_TFJS_NODE_GPU },
          { backend: 'webgpu', reason: 'software-adapter', message },
          { backend: 'tensorflow', reason: 'not-installed', message: 'no tfjs-node' },
        ],
        lavapipe,
      ),
    );
    expect(text).toContain('compute backend: wasm (chosen by ladder, 2 threads)');
    expect(text).toContain(
      'GPU adapter (not used): llvmpipe-llvm-15-0-6-256-bits-, software, runs on the CPU (vendor mesa, architecture software, driver llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1; buffers up to 4 GiB, storage bindings up to 128 MiB)',
    );
    expect(text).toContain(`  webgpu          not used, only a software adapter: ${message}`);
    expect(text).toContain('  wasm            in use\n');
    expect(text).toContain('  cpu             not needed: wasm ranks above it and is in use');
  });

  it('says which rungs a forced backend skipped, and names a forced software adapter', () => {
    const text = describeInfo(
      info({
        active: 'webgpu',
        chosenBy: 'flag',
        threads: 1,
        adapter: lavapipe,
        rejected: [
          {
            backend: 'tensorflow-gpu',
            reason: 'skipped-by-setting',
            message: 'Not tried: the backend was forced to webgpu.',
          },
        ],
      }),
    );
    expect(text).toContain('  tensorflow-gpu  not tried: webgpu is forced by flag');
    expect(text).toContain(
      '  webgpu          in use on llvmpipe-llvm-15-0-6-256-bits-, a software adapter (forced by flag)',
    );
    expect(text).toContain(
      'GPU adapter: llvmpipe-llvm-15-0-6-256-bits-, software, runs on the CPU',
    );
  });

  it('reads well without an adapter and after a lost device', () => {
    const text = describeInfo(
      onWasm([
        { backend: 'tensorflow-gpu', reason: 'not-installed', message: NO_TFJS_NODE_GPU },
        { backend: 'webgpu', reason: 'device-lost', message: 'The GPU device was lost (unknown).' },
      ]),
    );
    expect(text).not.toContain('GPU adapter:');
    expect(text).toContain(
      '  webgpu          not used, the GPU was lost in an earlier run: The GPU device was lost (unknown).',
    );
  });

  it('prints app.info as is with --json, the adapter included', async () => {
    const { code, stdout } = await run(onWebGpu, ['--json']);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const json = JSON.parse(stdout) as AppInfo;
    expect(json).toEqual(onWebGpu);
    expect(json.backend.adapter).toEqual(h200);
  });
});
