/** Fixed test data's generator (mulberry32), kept with the others in src/shared/random.ts. */
export { seededRandom } from '../../src/shared/random';
