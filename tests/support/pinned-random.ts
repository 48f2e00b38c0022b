/**
 * A pinned stand-in for Math.random (NodeComponents.random, RouterDeps.random): the same seed gives the
 * same dial order, jitter and flood targets on every run. The generator is server/sim's (mulberry32).
 */
import { SeededRandom } from '../../server/sim/seeded-random';

export function pinnedRandom(seed = 1): () => number {
  const generator = new SeededRandom(seed);
  return () => generator.next();
}
