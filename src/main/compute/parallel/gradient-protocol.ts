/** Messages between GradientWorkerPool and its gradient-worker threads. */
import type { BackendName } from '../../../shared/api/app';
import type { ModelConfig } from '../../../shared/model-config';
import type { ErrorInfo } from '../../../shared/result';
import type { TrainOptions } from '../train/options';
import type { ShardBatch, ShardResult } from './shard-gradients';

export type GradientWorkerRequest =
  | {
      kind: 'init';
      config: ModelConfig;
      lossKind: TrainOptions['loss']['kind'];
      backend: BackendName;
    }
  | { kind: 'step'; id: number; weights: Float32Array; batch: ShardBatch };

export type GradientWorkerReply =
  | { kind: 'ready' }
  | ({ kind: 'shard'; id: number } & ShardResult)
  | { kind: 'error'; id: number | null; error: ErrorInfo };
