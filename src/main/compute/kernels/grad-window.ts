/**
 * The window geometry (tfjs' Conv2DInfo) of our conv2d and max-pool gradient kernels, from the
 * attributes tfjs hands them. The forward ops may be dilated, but tfjs' gradients refuse
 * dilations above 1 before they reach a kernel, so these kernels' windows never are.
 */
import { backend_util } from '@tensorflow/tfjs';

/** The attributes that place a 2-D window, the same for convolutions and pools. */
interface WindowAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

type Shape4 = [number, number, number, number];

/** A conv2d gradient's window: x's shape (in `dataFormat`) and the filter's. */
export function convGradInfo(
  inShape: readonly number[],
  attrs: WindowAttrs & { filterShape: readonly number[]; dataFormat: 'NHWC' | 'NCHW' },
): backend_util.Conv2DInfo {
  const { filterShape, strides, pad, dimRoundingMode: rounding } = attrs;
  return backend_util.computeConv2DInfo(
    inShape as Shape4,
    filterShape as Shape4,
    strides,
    1,
    pad,
    rounding,
    false,
    backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
}

/** A 2-D pool gradient's window over NHWC x (one window per channel). */
export function poolGradInfo(
  inShape: readonly number[],
  attrs: WindowAttrs & { filterSize: number | [number, number] },
): backend_util.Conv2DInfo {
  const { filterSize, strides, pad, dimRoundingMode: rounding } = attrs;
  return backend_util.computePool2DInfo(inShape as Shape4, filterSize, strides, 1, pad, rounding);
}
