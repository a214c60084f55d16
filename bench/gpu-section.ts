/**
 * The GPU section of `bench --json`, its pure parts: the options, whether there is a GPU to
 * bench (from the backend report), the section printed when there is none, and how our figures
 * compare with the PyTorch twins' on CUDA against the targets. No tfjs and no timing here, so
 * the unit tests (gpu-section.test.ts) run anywhere.
 */
import type { BackendRejection, BackendReport, GpuAdapterReport } from '../src/shared/api/app';
import type { BenchNetwork } from './network-common';

/**
 * The targets on an NVIDIA GPU: training patches/s at batch 128 at least a quarter of
 * PyTorch-CUDA's, whole-image inference at most three times PyTorch-CUDA's time.
 */
export const GPU_TARGET = { trainRatioMin: 0.25, inferRatioMax: 3, trainBatch: 128 } as const;

export type TorchDevice = 'auto' | 'cuda' | 'cpu' | 'none';
const TORCH_DEVICES: readonly TorchDevice[] = ['auto', 'cuda', 'cpu', 'none'];
const NETWORKS: readonly BenchNetwork[] = ['bench-unet', 'laddernet'];

export interface GpuBenchOptions {
  /**
   * Run on a software adapter (lavapipe) too, which the ladder refuses: for testing the bench
   * itself; its figures are CPU figures. Set by --force-software-gpu, --backend webgpu or
   * VESSEL_BACKEND=webgpu.
   */
  forceSoftware: boolean;
  /** How the forcing was asked for, as the backend report's chosenBy says it. */
  forcedBy: 'flag' | 'env' | null;
  /** Training batch sizes, each timed on its own. */
  batches: number[];
  /** Untimed training steps per batch size, and untimed inference runs (at least one). */
  warmup: number;
  /** Timed training steps per batch size. */
  steps: number;
  /** Timed whole-image inferences; the median is reported. */
  inferRuns: number;
  /** The whole image, a DRIVE image's size by default. */
  height: number;
  width: number;
  networks: BenchNetwork[];
  /** Where the PyTorch twins run: auto (CUDA when torch sees it, else skipped), cuda, cpu, none. */
  torchDevice: TorchDevice;
}

/** A bad GPU bench option; the CLI turns it into a usage error (exit code 2). */
export class GpuOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuOptionError';
  }
}

/** The CLI values the GPU section reads (the bench command's options, and the global --backend). */
export type GpuOptionValues = Readonly<Record<string, string | boolean | string[] | undefined>>;

const DEFAULTS = {
  batches: [32, 128],
  warmup: 3,
  steps: 10,
  inferRuns: 7,
  height: 584,
  width: 565,
};
/** --quick: the smallest run that still goes through every step, for testing the bench. */
const QUICK = { warmup: 1, steps: 1, inferRuns: 1, height: 96, width: 80 };

function text(values: GpuOptionValues, name: string): string | undefined {
  const value = values[name];
  if (value === undefined || value === false) return undefined;
  if (typeof value !== 'string') throw new GpuOptionError(`--${name} takes a value`);
  return value;
}

function integer(values: GpuOptionValues, name: string, fallback: number, min: number): number {
  const raw = text(values, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new GpuOptionError(`--${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return value;
}

function list(values: GpuOptionValues, name: string): string[] | undefined {
  const raw = text(values, name);
  if (raw === undefined) return undefined;
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new GpuOptionError(`--${name} needs at least one value`);
  return items;
}

/** Reads the GPU section's options; throws GpuOptionError naming the bad one. */
export function gpuBenchOptions(
  values: GpuOptionValues,
  env: NodeJS.ProcessEnv,
  quick: boolean,
): GpuBenchOptions {
  const defaults = quick ? { ...DEFAULTS, ...QUICK } : DEFAULTS;
  const backendFlag = text(values, 'backend')?.trim().toLowerCase();
  const backendEnv = env.VESSEL_BACKEND?.trim().toLowerCase();
  // --backend wins over VESSEL_BACKEND, as it does for every other command.
  const forcedBy =
    values['force-software-gpu'] === true || backendFlag === 'webgpu'
      ? 'flag'
      : backendFlag === undefined && backendEnv === 'webgpu'
        ? 'env'
        : null;

  const batches = (list(values, 'gpu-batches') ?? defaults.batches.map(String)).map((b) => {
    const value = Number(b);
    if (!Number.isInteger(value) || value < 1) {
      throw new GpuOptionError(`--gpu-batches takes positive integers, got "${b}"`);
    }
    return value;
  });

  let height = defaults.height;
  let width = defaults.width;
  const image = text(values, 'gpu-image');
  if (image !== undefined) {
    const match = /^(\d+)x(\d+)$/.exec(image.trim());
    if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) {
      throw new GpuOptionError(`--gpu-image takes HEIGHTxWIDTH (e.g. 584x565), got "${image}"`);
    }
    height = Number(match[1]);
    width = Number(match[2]);
  }

  const networks = (list(values, 'gpu-networks') ?? [...NETWORKS]).map((n) => {
    if (!(NETWORKS as readonly string[]).includes(n)) {
      throw new GpuOptionError(
        `--gpu-networks: unknown network "${n}"; known: ${NETWORKS.join(', ')}`,
      );
    }
    return n as BenchNetwork;
  });

  const torchDevice = (text(values, 'gpu-torch-device') ?? 'auto') as TorchDevice;
  if (!TORCH_DEVICES.includes(torchDevice)) {
    throw new GpuOptionError(
      `--gpu-torch-device must be ${TORCH_DEVICES.join(', ')}, got "${String(torchDevice)}"`,
    );
  }

  return {
    forceSoftware: forcedBy !== null,
    forcedBy,
    batches: [...new Set(batches)],
    warmup: integer(values, 'gpu-warmup', defaults.warmup, 0),
    steps: integer(values, 'gpu-steps', defaults.steps, 1),
    inferRuns: integer(values, 'gpu-infer-runs', defaults.inferRuns, 1),
    height,
    width,
    networks: [...new Set(networks)],
    torchDevice,
  };
}

/** The command-line arguments that give `options` back (for the process that measures). */
export function gpuBenchArgs(options: GpuBenchOptions): string[] {
  return [
    ...(options.forceSoftware ? ['--force-software-gpu'] : []),
    ...['--gpu-batches', options.batches.join(',')],
    ...['--gpu-warmup', String(options.warmup)],
    ...['--gpu-steps', String(options.steps)],
    ...['--gpu-infer-runs', String(options.inferRuns)],
    ...['--gpu-image', `${options.height}x${options.width}`],
    ...['--gpu-networks', options.networks.join(',')],
    ...['--gpu-torch-device', options.torchDevice],
  ];
}

export type GpuAvailability =
  | { available: true; adapter: GpuAdapterReport }
  | { available: false; reason: string; adapter: GpuAdapterReport | null };

/**
 * Whether the backend report offers a GPU to bench: webgpu active (the ladder takes it only on
 * a hardware adapter; a forced backend takes a software one too), or why not: the webgpu rung's
 * rejection. Null when the report never asked the webgpu rung (a rung above it won, or another
 * backend was forced), so the caller must ask the rung itself.
 */
export function gpuAvailability(report: BackendReport): GpuAvailability | null {
  if (report.active === 'webgpu' && report.adapter) {
    return { available: true, adapter: report.adapter };
  }
  const rejection = report.rejected.find((r) => r.backend === 'webgpu');
  if (!rejection || rejection.reason === 'skipped-by-setting') return null;
  return { available: false, reason: rejection.message, adapter: report.adapter ?? null };
}

/** The availability when setting up the backend threw: its last webgpu rejection, or the error. */
export function gpuAvailabilityFromError(error: unknown): GpuAvailability {
  const details = (error as { details?: { rejected?: BackendRejection[] } })?.details;
  const rejection = details?.rejected?.filter((r) => r.backend === 'webgpu').pop();
  const reason = rejection?.message ?? (error instanceof Error ? error.message : String(error));
  return { available: false, reason, adapter: null };
}

/** The whole section when there is no GPU: nothing was measured. */
export function noGpuSection(availability: Extract<GpuAvailability, { available: false }>): {
  gpu: { available: false; reason: string; adapter: GpuAdapterReport | null };
} {
  return {
    gpu: { available: false, reason: availability.reason, adapter: availability.adapter },
  };
}

/** One batch size's training figures, ours or the twin's. */
export interface TrainFigure {
  batch: number;
  patchesPerSec: number;
}

/** What the comparison needs of either side. */
export interface SideFigures {
  train: TrainFigure[];
  inferMsPerImage: number;
}

/** The twin's figures, with the device they ran on. */
export interface PeerFigures extends SideFigures {
  device: string;
}

export interface Comparison {
  /** Ours / twin's training patches/s per batch size (higher is better for us). */
  ratio: { train: Record<string, number | null>; inferTime: number | null };
  /** Whether each target is met; null when it cannot be judged (see why). */
  met: { train: boolean | null; infer: boolean | null; all: boolean | null };
  why?: string;
}

function divide(ours: number | undefined, theirs: number | undefined): number | null {
  if (ours === undefined || theirs === undefined) return null;
  if (!Number.isFinite(ours) || !Number.isFinite(theirs) || theirs <= 0) return null;
  return ours / theirs;
}

/** Rounded for the JSON: three significant digits is more than the machines' noise allows. */
function rounded(value: number | null): number | null {
  return value === null ? null : Number(value.toPrecision(3));
}

/** True when all are true, false when any is false, otherwise null (not judged). */
export function allMet(values: readonly (boolean | null)[]): boolean | null {
  if (values.some((v) => v === false)) return false;
  if (values.length > 0 && values.every((v) => v === true)) return true;
  return null;
}

/**
 * Our figures against the twin's. Ratios whenever the twin ran; the targets are judged only
 * against PyTorch on CUDA and on a hardware adapter of ours, since they are GPU targets.
 */
export function compareWithPeer(
  ours: SideFigures,
  peer: PeerFigures | null,
  softwareAdapter: boolean,
): Comparison {
  if (peer === null) {
    return {
      ratio: {
        train: Object.fromEntries(ours.train.map((t) => [String(t.batch), null])),
        inferTime: null,
      },
      met: { train: null, infer: null, all: null },
      why: 'no PyTorch figures to compare with (see gpu.torch, and peer.error where the twin failed)',
    };
  }
  const train: Record<string, number | null> = {};
  for (const figure of ours.train) {
    const theirs = peer.train.find((t) => t.batch === figure.batch);
    train[String(figure.batch)] = divide(figure.patchesPerSec, theirs?.patchesPerSec);
  }
  const inferTime = divide(ours.inferMsPerImage, peer.inferMsPerImage);
  const trainAtTarget = train[String(GPU_TARGET.trainBatch)] ?? null;

  let why: string | undefined;
  if (peer.device !== 'cuda') why = `PyTorch ran on ${peer.device}, the targets are against CUDA`;
  else if (softwareAdapter) why = 'our side ran on a software adapter, not a GPU';
  let met: Comparison['met'] = { train: null, infer: null, all: null };
  if (why === undefined) {
    const trainMet = trainAtTarget === null ? null : trainAtTarget >= GPU_TARGET.trainRatioMin;
    const inferMet = inferTime === null ? null : inferTime <= GPU_TARGET.inferRatioMax;
    met = { train: trainMet, infer: inferMet, all: allMet([trainMet, inferMet]) };
    if (trainAtTarget === null)
      why = `batch ${GPU_TARGET.trainBatch} was not measured on both sides`;
  }
  return {
    ratio: {
      train: Object.fromEntries(Object.entries(train).map(([k, v]) => [k, rounded(v)])),
      inferTime: rounded(inferTime),
    },
    met,
    ...(why === undefined ? {} : { why }),
  };
}

/** What twins.py --probe says torch sees, or why it could not tell. */
export type TorchProbe =
  | {
      ok: true;
      torch: string;
      cudaAvailable: boolean;
      cudaVersion: string | null;
      gpuName: string | null;
    }
  | { ok: false; reason: string };

/** What the section says about the PyTorch side before any twin runs. */
export type TorchPlan =
  | { run: true; device: 'cuda' | 'cpu'; torch: Record<string, unknown> }
  | { run: false; torch: Record<string, unknown> };

/**
 * Where the twins run: on CUDA when torch sees it (auto or cuda), on the CPU only when asked
 * (cpu, for testing the comparison), otherwise not at all, saying why.
 */
export function torchPlan(device: TorchDevice, probe: TorchProbe): TorchPlan {
  if (device === 'none') {
    return { run: false, torch: { available: false, reason: 'not run (--gpu-torch-device none)' } };
  }
  if (!probe.ok) return { run: false, torch: { available: false, reason: probe.reason } };
  const facts = {
    version: probe.torch,
    cudaVersion: probe.cudaVersion,
    gpuName: probe.gpuName,
  };
  if (device === 'cpu') {
    return { run: true, device: 'cpu', torch: { available: true, device: 'cpu', ...facts } };
  }
  if (!probe.cudaAvailable) {
    return {
      run: false,
      torch: {
        available: false,
        ...facts,
        reason: `torch ${probe.torch} sees no CUDA GPU (torch.cuda.is_available() is false): no PyTorch-CUDA figures, no ratio`,
      },
    };
  }
  return { run: true, device: 'cuda', torch: { available: true, device: 'cuda', ...facts } };
}

/** The twin's JSON as figures to compare, or null when it failed or lacks them. */
export function peerFigures(json: Record<string, unknown>): PeerFigures | null {
  if (typeof json.inferMsPerImage !== 'number' || !Array.isArray(json.train)) return null;
  const train = (json.train as unknown[]).flatMap((entry) => {
    const e = entry as { batch?: unknown; patchesPerSec?: unknown };
    return typeof e.batch === 'number' && typeof e.patchesPerSec === 'number'
      ? [{ batch: e.batch, patchesPerSec: e.patchesPerSec }]
      : [];
  });
  return {
    train,
    inferMsPerImage: json.inferMsPerImage,
    device: typeof json.device === 'string' ? json.device : 'unknown',
  };
}

/**
 * The GPU section's command-line options: the bench command's (src/main/cli/commands/bench.ts)
 * and the standalone runner's (gpu-main.ts, the bundled bench), so both read the same flags.
 */
export const GPU_CLI_OPTIONS = {
  'force-software-gpu': {
    type: 'boolean',
    description:
      'GPU section: run on a software WebGPU adapter (lavapipe) too; for testing the bench, its figures are CPU figures. --backend webgpu and VESSEL_BACKEND=webgpu do the same.',
  },
  'gpu-batches': {
    type: 'string',
    valueName: '<n,n>',
    description: 'GPU section: training batch sizes (default 32,128).',
  },
  'gpu-warmup': {
    type: 'string',
    valueName: '<N>',
    description:
      'GPU section: untimed training steps per batch size and inference runs (default 3).',
  },
  'gpu-steps': {
    type: 'string',
    valueName: '<N>',
    description: 'GPU section: timed training steps per batch size (default 10).',
  },
  'gpu-infer-runs': {
    type: 'string',
    valueName: '<N>',
    description: 'GPU section: timed whole-image inferences, median reported (default 7).',
  },
  'gpu-image': {
    type: 'string',
    valueName: '<HxW>',
    description: 'GPU section: whole-image size (default 584x565, a DRIVE image).',
  },
  'gpu-networks': {
    type: 'string',
    valueName: '<names>',
    description: 'GPU section: networks (default bench-unet,laddernet).',
  },
  'gpu-torch-device': {
    type: 'string',
    valueName: '<dev>',
    description:
      'GPU section: where the PyTorch twins run: auto (CUDA if torch sees it, else not run; default), cuda, cpu (to test the comparison) or none.',
  },
} as const satisfies Record<
  string,
  { type: 'string' | 'boolean'; valueName?: string; description: string }
>;
