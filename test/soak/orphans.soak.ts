/** `npm run soak`: every orphan scenario, SOAK_RUNS times (default 100). Not part of `npm test`. */
import { describe, it } from 'vitest';
import { orphanScenario, WAYS } from '../helpers/orphans.js';

const RUNS = Number(process.env.SOAK_RUNS ?? 100);

describe.each(WAYS)('no orphan after %s', (way) => {
  it(`${RUNS} times`, async () => {
    for (let i = 0; i < RUNS; i++) await orphanScenario(way);
  });
});
