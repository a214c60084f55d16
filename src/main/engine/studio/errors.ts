/**
 * The studio's error codes, in a module of their own so that every part of the session can
 * throw them without importing the session (session.ts re-exports them for its callers).
 */
export const STUDIO_ERROR_CODES = {
  NOT_OPEN: 'STUDIO_NOT_OPEN',
  UNKNOWN_IMAGE: 'STUDIO_UNKNOWN_IMAGE',
  MASK_SIZE: 'STUDIO_MASK_SIZE',
  DATASET_MISMATCH: 'STUDIO_DATASET_MISMATCH',
} as const;
