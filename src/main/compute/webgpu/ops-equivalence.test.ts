/**
 * Every kernel every model preset runs, checked on webgpu against the cpu backend.
 *
 * For each preset (narrowed and made shallower so it runs in seconds; its switches unchanged),
 * a training step as loop.ts takes it (forward with dropout, the BCE + Dice loss on the cropped
 * vessel probability, backward, an Adam step, the finite-weights check) and an inference as the
 * app runs it (predictProbabilities: tiles, the fast forward or model.predict, sigmoid/softmax,
 * flip averaging with tf.reverse) plus the bench's tf.mirrorPad frame run on cpu while every
 * cpu kernel is wrapped to record its inputs (values included) and attributes. Each distinct
 * call (kernel, input shapes and dtypes, attributes) is then run alone on both backends from
 * the recorded values and compared element by element within the bound op-bounds.ts derives
 * for that kernel. The webgpu side runs whatever kernels are registered for it, ours included,
 * and its own shaders even where upstream would hand small host-side inputs to its cpu code. Recorded values rather than random ones keep every
 * kernel inside its domain (log of probabilities, sqrt of second moments) and its real value
 * ranges; a kernel without a derived bound fails. tf.profile runs around the recording too, and
 * every kernel it saw must have been recorded, so a new op in a model cannot slip past.
 *
 * VESSEL_OPS_REPORT=1 prints the worst error per kernel as a fraction of its bound.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MODEL_PRESET_NAMES,
  modelPreset,
  type ModelConfig,
  type ModelPresetName,
} from '../../../shared/model-config';
import { SeededRandom } from '../../engine/dataset/random';
import { buildModel, smallestValidOutput, unetValidLayout } from '../model';
import { seedInitialWeights } from '../model/seeded-init';
import { predictProbabilities } from '../infer';
import { batchLoss, cropCentre, vesselProbability } from '../train/losses';
import {
  boundsFor,
  compareWithin,
  justBeyond,
  KERNEL_RULES,
  pairOf,
  type Bounds,
  type Comparison,
  type KernelCall,
  type TensorRecord,
  type Values,
} from './op-bounds';
import { onBackend, runKernelCall as runCall, startGpuForTests } from './test-gpu';

/** Two images per batch: some kernels (cpu's ResizeNearestNeighborGrad once) fail only then. */
const BATCH = 2;
/** Same-padding models train on 16x16 patches (a multiple of 2^depth at depth 2). */
const PATCH = 16;
/** The image tf.mirrorPad frames to the next multiple of 8 (as the bench does). */
const FRAMED = { width: 14, height: 13 };

/**
 * The preset with its switches (padding, block, skip, upsampling, dropouts, output) kept and
 * only its size cut: 4 base channels give layers of 1, 4 and 8 channels, so webgpu runs both
 * its scalar and its vec4 convolution programs; depth 2 keeps every level kind (encoder,
 * bottom, decoder) at a fraction of the time.
 */
function smallPreset(name: ModelPresetName): ModelConfig {
  const config = modelPreset(name);
  if (config.arch === 'unet') return { ...config, baseWidth: 4, depth: 2 };
  return { ...config, filters: 4, layers: 2 };
}

/** The network output of a training patch: valid U-Nets return less than their input. */
function patchOutput(config: ModelConfig): number {
  return config.arch === 'unet' && config.padding === 'valid'
    ? smallestValidOutput(config, 8)
    : PATCH;
}

/** The spatial size of a training patch for `config`: valid U-Nets need context around it. */
function patchInput(config: ModelConfig): number {
  if (config.arch !== 'unet' || config.padding !== 'valid') return PATCH;
  const layout = unetValidLayout(config, patchOutput(config));
  if (!layout) throw new Error('no valid layout');
  return layout.inputSize;
}

function seeded(length: number, stream: number, draw: (r: SeededRandom) => number): Float32Array {
  const random = new SeededRandom(1, stream);
  return Float32Array.from({ length }, () => draw(random));
}

/** One optimiser step as loop.ts's trainStep takes it, and its finite-weights check. */
function trainingStep(config: ModelConfig): void {
  const model = buildModel(config);
  seedInitialWeights(model, 1);
  const size = patchInput(config);
  const shape: [number, number, number, number] = [BATCH, size, size, config.inputChannels];
  const pixels = BATCH * size * size;
  const optimizer = tf.train.adam(1e-3, 0.9, 0.999);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  tf.tidy(() => {
    const x = tf.tensor4d(
      seeded(pixels * config.inputChannels, 1, (r) => r.next()),
      shape,
    );
    const y = tf.tensor4d(
      seeded(pixels, 2, (r) => (r.next() < 0.3 ? 1 : 0)),
      [BATCH, size, size, 1],
    );
    const weight = tf.tensor4d(
      seeded(pixels, 3, (r) => r.uniform(0.5, 2)),
      [BATCH, size, size, 1],
    );
    optimizer.minimize(
      () => {
        const probability = vesselProbability(model.apply(x, { training: true }) as tf.Tensor4D);
        const [, oh, ow] = probability.shape;
        // bce-dice: the union of the ops of every loss kind.
        return batchLoss(
          'bce-dice',
          cropCentre(y, oh, ow),
          probability,
          cropCentre(weight, oh, ow),
        );
      },
      true,
      variables,
    );
    for (const w of model.trainableWeights) tf.all(tf.isFinite(w.read()));
  });
  optimizer.dispose();
  model.dispose();
}

/**
 * An inference as the app runs it (predictProbabilities: tiles, flips), and the bench's
 * mirror-padded frame. The image is one training patch's output with no mirrored margin, so its
 * tile has the training patch's size: where and how much a tile mirrors is plain JavaScript,
 * and tiles shaped like the patches reuse their webgpu shaders, each of which lavapipe takes
 * seconds to compile when its shader cache is cold.
 */
async function inference(config: ModelConfig): Promise<void> {
  const model = buildModel(config);
  seedInitialWeights(model, 1);
  const channels = config.inputChannels;
  tf.tidy(() => {
    const { width, height } = FRAMED;
    const image = tf.tensor4d(
      seeded(width * height * channels, 4, (r) => r.next()),
      [1, height, width, channels],
    );
    const frame = (to: number) => Math.ceil(to / 8) * 8;
    for (const mode of ['reflect', 'symmetric'] as const) {
      tf.mirrorPad(
        image,
        [
          [0, 0],
          [0, frame(height) - height],
          [0, frame(width) - width],
          [0, 0],
        ],
        mode,
      );
    }
  });
  const size = patchOutput(config);
  const data = seeded(size * size * channels, 5, (r) => r.next());
  await predictProbabilities(
    model,
    { width: size, height: size, channels, data },
    { config, flips: true, margin: 0 },
  );
  model.dispose();
}

interface RecordedCall {
  key: string;
  call: KernelCall;
  /** `${preset} train` / `${preset} infer`: where it ran. */
  sites: Set<string>;
}

/** What makes two calls of a kernel distinct: input names, dtypes and shapes, attributes. */
function signature(kernelName: string, inputs: [string, tf.TensorInfo][], attrs: object): string {
  const shapes = inputs.map(([name, info]) => [name, info.dtype, info.shape]);
  return `${kernelName} ${JSON.stringify(shapes)} ${JSON.stringify(attrs)}`;
}

function copyValues(values: unknown, dtype: tf.DataType): Values {
  if (dtype === 'float32') return Float32Array.from(values as ArrayLike<number>);
  if (dtype === 'int32') return Int32Array.from(values as ArrayLike<number>);
  if (dtype === 'bool') return Uint8Array.from(values as ArrayLike<number>);
  throw new Error(`cannot record a ${dtype} tensor`);
}

/**
 * Runs `run` on cpu with every cpu kernel wrapped to record its calls into `calls` (first
 * values of each distinct call kept) under `site`; returns the kernels tf.profile saw.
 */
async function recordKernels(
  site: string,
  calls: Map<string, RecordedCall>,
  run: () => Promise<void>,
): Promise<Set<string>> {
  const originals = tf.getKernelsForBackend('cpu');
  for (const config of originals) {
    tf.unregisterKernel(config.kernelName, 'cpu');
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const given = Object.entries(args.inputs).filter(
          (entry): entry is [string, tf.TensorInfo] => entry[1] !== undefined,
        );
        const key = signature(config.kernelName, given, args.attrs ?? {});
        let recorded = calls.get(key);
        if (!recorded) {
          // The first call of each kind keeps its values (cpu reads them synchronously).
          const backend = args.backend as tf.KernelBackend;
          const inputs: Record<string, TensorRecord> = {};
          for (const [name, info] of given) {
            const values = copyValues(backend.readSync(info.dataId), info.dtype);
            inputs[name] = { shape: info.shape.slice(), dtype: info.dtype, values };
          }
          const attrs = structuredClone(args.attrs ?? {}) as tf.NamedAttrMap;
          const list = Array.isArray(args.inputs);
          const call = { kernelName: config.kernelName, inputs, list, attrs };
          recorded = { key, call, sites: new Set() };
          calls.set(key, recorded);
        }
        recorded.sites.add(site);
        return config.kernelFunc(args);
      },
    });
  }
  try {
    const profile = await tf.profile(async () => {
      await run();
      return tf.scalar(0);
    });
    return new Set(profile.kernels.map((k) => k.name));
  } finally {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, 'cpu');
      tf.registerKernel(config);
    }
  }
}

/**
 * Runs `fn` on webgpu with its own shaders even for small inputs still on the host (it hands
 * those to its cpu code otherwise, which would compare cpu with cpu).
 */
async function onGpuShaders<T>(fn: () => Promise<T>): Promise<T> {
  const forward = tf.env().getBool('WEBGPU_CPU_FORWARD');
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  try {
    return await onBackend('webgpu', fn);
  } finally {
    tf.env().set('WEBGPU_CPU_FORWARD', forward);
  }
}

/** A pooling window: the flat indices of its input pixels and of its output (dy) element. */
interface PoolWindow {
  output: number;
  pixels: number[];
}

/**
 * The windows of a MaxPoolGrad call whose windows tile the input without overlap or padding
 * (the presets' 2x2 pooling with stride 2); throws for others, which need a wider check.
 */
function poolWindows(call: KernelCall): PoolWindow[] {
  const [batch, height, width, channels] = call.inputs.input.shape;
  const [kh, kw] = pairOf(call.attrs.filterSize);
  const [sh, sw] = pairOf(call.attrs.strides);
  const fitsSame = call.attrs.pad === 'same' && height % kh === 0 && width % kw === 0;
  if (kh !== sh || kw !== sw || (call.attrs.pad !== 'valid' && !fitsSame)) {
    throw new Error(`MaxPoolGrad ${JSON.stringify(call.attrs)}: overlapping or padded windows`);
  }
  const [, outHeight, outWidth] = call.inputs.dy.shape;
  const windows: PoolWindow[] = [];
  for (let b = 0; b < batch; b++)
    for (let i = 0; i < outHeight; i++)
      for (let j = 0; j < outWidth; j++)
        for (let c = 0; c < channels; c++) {
          const pixels: number[] = [];
          for (let r = i * kh; r < (i + 1) * kh; r++)
            for (let q = j * kw; q < (j + 1) * kw; q++)
              pixels.push(((b * height + r) * width + q) * channels + c);
          windows.push({ output: ((b * outHeight + i) * outWidth + j) * channels + c, pixels });
        }
  return windows;
}

interface Checked {
  recorded: RecordedCall;
  /** What ran on both backends: the recorded call. */
  call: KernelCall;
  reference: Values[];
  bounds: Bounds | null;
  actual: Values[] | null;
  comparisons: Comparison[];
  /** Why the call could not be compared (no bound, webgpu threw, output count differs). */
  error: string | null;
}

function describeCall(call: KernelCall): string {
  const shapes = Object.entries(call.inputs).map(([n, t]) => `${n}[${t.shape.join(',')}]`);
  return `${call.kernelName}(${shapes.join(' ')}) ${JSON.stringify(call.attrs)}`;
}

function failureOf(checked: Checked): string | null {
  if (checked.error) return `${describeCall(checked.call)}: ${checked.error}`;
  const bad = checked.comparisons.findIndex((c) => c.violations > 0);
  if (bad < 0) return null;
  const c = checked.comparisons[bad];
  const f = c.first;
  return (
    `${describeCall(checked.call)} output ${bad}: ${c.violations} of ${c.elements} elements ` +
    `beyond the bound, worst ${c.worstRatio.toPrecision(3)}x; first at ${f?.index}: ` +
    `cpu ${f?.expected} webgpu ${f?.actual} bound ${f?.bound?.toPrecision(3)} ` +
    `(${KERNEL_RULES[checked.call.kernelName]?.why})`
  );
}

describe('webgpu kernels against cpu, as the model presets run them', () => {
  let skipReason: string | null = null;
  const recorded = new Map<string, RecordedCall>();
  /** Per site: kernels tf.profile saw that are registered cpu kernels but were not recorded. */
  const unrecorded = new Map<string, string[]>();
  const checked: Checked[] = [];

  beforeAll(async () => {
    const gpu = await startGpuForTests();
    if (!gpu.ok) {
      skipReason = gpu.reason;
      return;
    }
    await onBackend('cpu', async () => {
      for (const name of MODEL_PRESET_NAMES) {
        const config = smallPreset(name);
        for (const [phase, run] of [
          ['train', async () => trainingStep(config)],
          ['infer', () => inference(config)],
        ] as const) {
          const site = `${name} ${phase}`;
          const seen = await recordKernels(site, recorded, run);
          const names = new Set(
            [...recorded.values()].filter((r) => r.sites.has(site)).map((r) => r.call.kernelName),
          );
          unrecorded.set(
            site,
            [...seen].filter((k) => tf.getKernel(k, 'cpu') !== undefined && !names.has(k)),
          );
        }
      }
      for (const r of recorded.values()) {
        const entry: Checked = {
          recorded: r,
          call: r.call,
          reference: [],
          bounds: null,
          actual: null,
          comparisons: [],
          error: null,
        };
        try {
          entry.reference = await runCall(entry.call);
          entry.bounds = await boundsFor({
            call: entry.call,
            reference: entry.reference,
            runCpu: runCall,
          });
        } catch (error) {
          entry.error = (error as Error).message;
        }
        checked.push(entry);
      }
    });
    await onGpuShaders(async () => {
      for (const entry of checked) {
        if (entry.error || !entry.bounds) continue;
        try {
          entry.actual = await runCall(entry.call);
        } catch (error) {
          entry.error = `webgpu threw: ${(error as Error).message}`;
          continue;
        }
        if (entry.actual.length !== entry.reference.length) {
          entry.error = `webgpu returned ${entry.actual.length} outputs, cpu ${entry.reference.length}`;
          continue;
        }
        const bounds = entry.bounds;
        const actual = entry.actual;
        entry.comparisons = entry.reference.map((ref, k) =>
          compareWithin(ref, actual[k], bounds[k]),
        );
      }
    });
    if (process.env.VESSEL_OPS_REPORT === '1') console.log(report(checked));
  }, 600_000);

  it.for(MODEL_PRESET_NAMES)(
    '%s: every kernel of a training step and an inference matches cpu within its bound',
    (name, context) => {
      if (skipReason) context.skip(skipReason);
      const sites = [`${name} train`, `${name} infer`];
      for (const site of sites)
        expect(unrecorded.get(site), `${site}: kernels not recorded`).toEqual([]);
      const mine = checked.filter((c) => sites.some((s) => c.recorded.sites.has(s)));
      expect(mine.length).toBeGreaterThan(0);
      const failures = mine.map(failureOf).filter((f): f is string => f !== null);
      expect(failures).toEqual([]);
    },
  );

  it('has a derived bound for every kernel the presets run', (context) => {
    if (skipReason) context.skip(skipReason);
    const kernels = new Set([...recorded.values()].map((r) => r.call.kernelName));
    expect([...kernels].filter((k) => !KERNEL_RULES[k])).toEqual([]);
  });

  it('rejects each compared output moved one float32 step beyond its bound at one element', (context) => {
    if (skipReason) context.skip(skipReason);
    let perturbed = 0;
    for (const entry of checked) {
      if (!entry.bounds) continue;
      entry.reference.forEach((ref, k) => {
        const bound = (entry.bounds as Bounds)[k];
        // The element where the bound is widest: the hardest one to step beyond.
        let at = -1;
        for (let i = 0; i < bound.length; i++) {
          if (
            Number.isFinite(bound[i]) &&
            Number.isFinite(ref[i]) &&
            (at < 0 || bound[i] > bound[at])
          ) {
            at = i;
          }
        }
        if (at < 0) return;
        const moved = Float64Array.from(ref);
        // Integer and boolean outputs must match exactly: one more is beyond.
        moved[at] = ref instanceof Float32Array ? justBeyond(ref[at], bound[at]) : ref[at] + 1;
        const result = compareWithin(ref, moved, bound);
        expect(result.violations, describeCall(entry.call)).toBe(1);
        perturbed += 1;
      });
    }
    expect(perturbed).toBeGreaterThan(0);
  });

  it("MaxPoolGrad with tied maxima: both put each window's gradient on its first maximum", async (context) => {
    if (skipReason) context.skip(skipReason);
    const calls = [...recorded.values()]
      .map((r) => r.call)
      .filter((c) => c.kernelName === 'MaxPoolGrad');
    expect(calls.length).toBeGreaterThan(0);
    let tied = 0;
    let tiedPositive = 0;
    for (const call of calls) {
      const [cpu] = await onBackend('cpu', () => runCall(call));
      const [gpu] = await onGpuShaders(() => runCall(call));
      const x = call.inputs.input.values;
      const dy = call.inputs.dy.values;
      const covered = new Set<number>();
      for (const { output, pixels } of poolWindows(call)) {
        const max = Math.max(...pixels.map((p) => x[p]));
        // Row-major window order: cpu's (and wasm's) tie rule gives the first maximum all of it.
        const first = pixels.find((p) => x[p] === max);
        for (const dx of [cpu, gpu]) {
          // Exactly: one value moved, no sum (these windows do not overlap); 0 + dy as the
          // kernels' sums start at +0.
          expect(pixels.map((p) => dx[p])).toEqual(
            pixels.map((p) => (p === first ? 0 + dy[output] : 0)),
          );
        }
        pixels.forEach((p) => covered.add(p));
        if (pixels.filter((p) => x[p] === max).length > 1) {
          tied += 1;
          // Below a ReLU the zeros' gradient dies anyway; a positive tie's does not.
          if (max > 0) tiedPositive += 1;
        }
      }
      // Pixels in no window (an odd edge) get no gradient.
      for (let p = 0; p < cpu.length; p++)
        if (!covered.has(p)) expect([cpu[p], gpu[p]]).toEqual([0, 0]);
    }
    // The recorded inputs (ReLU outputs) must really tie, or this checks nothing.
    expect(tied).toBeGreaterThan(0);
    if (process.env.VESSEL_OPS_REPORT === '1') {
      console.log(
        `MaxPoolGrad: ${tied} windows with tied maxima (${tiedPositive} at a positive maximum)`,
      );
    }
  });
});

/** Worst error per kernel as a fraction of its bound, and the calls compared. */
function report(entries: Checked[]): string {
  const byKernel = new Map<
    string,
    { calls: number; worst: number; elements: number; failures: number }
  >();
  for (const e of entries) {
    const row = byKernel.get(e.call.kernelName) ?? { calls: 0, worst: 0, elements: 0, failures: 0 };
    row.calls += 1;
    for (const c of e.comparisons) {
      row.worst = Math.max(row.worst, c.worstRatio);
      row.elements += c.elements;
    }
    if (failureOf(e)) row.failures += 1;
    byKernel.set(e.call.kernelName, row);
  }
  const lines = [...byKernel.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([k, r]) =>
        `${k.padEnd(28)} calls ${String(r.calls).padStart(4)} elements ${String(r.elements).padStart(9)} ` +
        `worst/bound ${r.worst.toPrecision(3).padStart(9)} failures ${r.failures}`,
    );
  const sites = new Map<string, Set<string>>();
  for (const e of entries) {
    for (const site of e.recorded.sites) {
      const kernels = sites.get(site) ?? new Set<string>();
      kernels.add(e.call.kernelName);
      sites.set(site, kernels);
    }
  }
  const perSite = [...sites.entries()].map(
    ([site, kernels]) => `${site}: ${[...kernels].sort().join(' ')}`,
  );
  const failures = entries.map(failureOf).filter((f) => f !== null);
  return [...lines, ...perSite, ...failures].join('\n');
}
