/**
 * Which of tfjs-core's op specs run against our wasm setup.
 *
 * UPSTREAM_WASM_FILTERS is tfjs-backend-wasm's own list (its src/setup_test.ts, which the npm
 * package does not ship; copied from github.com/mattsoulanille/tfjs, a fork by a tfjs
 * maintainer, at b32460299bcbcff5f0732a88241126716c3e6b73), cut to the entries that match a
 * spec of the files upstream-op-specs.test.ts loads, in upstream's order and with its reasons.
 * Upstream's rule, kept here: a spec of a describeWithFlags suite runs when the first entry
 * whose `include` it contains (or whose `startsWith` it starts with) excludes none of its
 * substrings; a spec no entry includes does not run; a spec outside describeWithFlags runs.
 *
 * OUR_LIFTS undoes the exclusions that only say stock wasm lacked a kernel that we now
 * register: those specs are the ones that reach our kernels, so they run.
 */

/** One entry of upstream's list. */
export interface SpecFilterEntry {
  include?: string;
  startsWith?: string;
  excludes?: string[];
}

export const UPSTREAM_WASM_FILTERS: readonly SpecFilterEntry[] = [
  {
    include: 'relu',
    excludes: [
      'derivative', // Not yet implemented.
      'gradient', // Not yet implemented.
      'valueAndGradients', // Not yet implemented.
      'broadcasted bias', // Not yet implemented.
      'fused A x B with 2d bias', // Fused matMul with 2D bias not yet supported.
    ],
  },
  {
    include: 'maxPool',
    excludes: [
      'maxPoolBackprop', // Not yet implemented.
      'maxPool3d', // Not yet implemented.
      'maxPool3dBackprop', // Not yet implemented.
      'ignores NaNs', // Actual != expected.
      'maxPoolWithArgmax', // Not yet implemented.
    ],
  },
  {
    include: 'resizeNearestNeighbor',
    excludes: [
      'gradients', // Not yet implemented.
    ],
  },
  {
    include: 'conv2d ',
    excludes: [
      'broadcasted bias', // Broadcasted bias not yet supported.
      'gradient', // Gradients not defined yet.
      'backProp input x=[2,3,3,1] f=[2,2,1,1] s=1 p=0', // Gradients not defined.
      'NCHW', // xnn pack does not support channels first.
      // Issue: https://github.com/tensorflow/tfjs/issues/3104. Actual != expected.
      'relu bias stride 2 x=[1,8,8,16] f=[3,3,16,1] s=[2,2] d=8 p=same',
      'prelu bias stride 2 x=[1,8,8,16] f=[3,3,16,1] s=[2,2] d=8 p=same',
    ],
  },
  { include: 'conv2dTranspose ', excludes: ['gradient'] },
  {
    include: 'concat',
    excludes: [
      'complex', // Complex numbers not supported yet
      'gradient', // Split is not yet implemented
    ],
  },
  { include: 'split' },
  { startsWith: 'sum ' },
];

/** Upstream exclusions we lift for the specs of one suite, and why. */
export interface SpecLift {
  /** The suite's full name as describeWithFlags gives it ("conv2d test-wasm {}"). */
  suite: string;
  lift: string[];
  reason: string;
}

export const OUR_LIFTS: readonly SpecLift[] = [
  {
    suite: 'conv2d test-wasm {} ',
    lift: ['gradient'],
    reason: 'our Conv2DBackpropFilter (stock wasm has none) and Conv2DBackpropInput, NHWC',
  },
  {
    suite: 'conv2dTranspose test-wasm {} ',
    lift: ['gradient'],
    reason: 'its gradients are our Conv2DBackpropFilter and Conv2D (stock wasm lacks the first)',
  },
  {
    suite: 'maxPoolBackprop test-wasm {} ',
    lift: ['maxPoolBackprop'],
    reason: 'MaxPoolGrad: our module for 2x2 stride 2, else stock wasm, which has one since',
  },
  {
    suite: 'resizeNearestNeighbor test-wasm {} ',
    lift: ['gradients'],
    reason: 'our ResizeNearestNeighborGrad (stock wasm has one since)',
  },
  {
    suite: 'concat3d test-wasm {} ',
    lift: ['gradient'],
    reason: "concat's gradient is SplitV: our module's fast path, stock wasm has one since",
  },
];

/** upstream's setupTestFilters with OUR_LIFTS applied: whether the spec `fullName` runs. */
export function runsOnOurWasm(fullName: string): boolean {
  // upstream's customInclude: specs outside describeWithFlags (no env in the name) all run.
  if (!fullName.includes('test-wasm')) return true;
  const entry = UPSTREAM_WASM_FILTERS.find(
    (f) =>
      (f.include !== undefined && fullName.includes(f.include)) ||
      (f.startsWith !== undefined && fullName.startsWith(f.startsWith)),
  );
  if (!entry) return false;
  const lifted = OUR_LIFTS.filter((l) => fullName.startsWith(l.suite)).flatMap((l) => l.lift);
  return !(entry.excludes ?? []).some((e) => !lifted.includes(e) && fullName.includes(e));
}
