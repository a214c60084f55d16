/** The dataset area's stable codes, declared in the contract (src/shared/api/errors.ts). */
import type { DATASET_ERROR_CODES } from '../../../shared/api/errors';
export {
  DATASET_ERROR_CODES as DATASET_ERRORS,
  DATASET_ERROR_CODES,
} from '../../../shared/api/errors';

export type DatasetErrorCode = (typeof DATASET_ERROR_CODES)[keyof typeof DATASET_ERROR_CODES];
