/** Reproducible float32 test data (xorshift32), kept with the others in src/shared/random.ts. */
export { seededUniform } from '../../../shared/random';
