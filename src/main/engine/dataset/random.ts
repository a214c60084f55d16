/** The dataset area's seeded generator: the code base's one, in src/shared/random.ts. */
export { mix32, SeededRandom } from '../../../shared/random';
