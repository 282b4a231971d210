/**
 * The long mutation run behind `npm run test:fuzz` (FUZZ_RUNS mutations,
 * default 20,000; FUZZ_SEED to replay). It runs every mutation, prints the
 * figures, and fails when any mutation was wrongly accepted or crashed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';

import { buildCorpus, type Corpus } from './corpus.js';
import { formatTally, runMutations } from './runner.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 20_000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

let corpus: Corpus;
beforeAll(async () => {
  corpus = await buildCorpus();
});
afterAll(async () => corpus?.lab.close());

it(`verifyChain under ${RUNS} random mutations`, async () => {
  const tally = await runMutations(corpus, {
    runs: RUNS,
    seed: SEED,
    stopOnFailure: false,
  });
  process.stdout.write(`\nseed:              ${SEED}\n${formatTally(tally)}\n`);
  for (const w of tally.wrongAccepts.slice(0, 5)) {
    process.stdout.write(`wrong accept: ${JSON.stringify(w.mutation)}\n`);
  }
  for (const c of tally.crashes.slice(0, 5)) {
    process.stdout.write(`crash: ${JSON.stringify(c.mutation)}\n`);
  }
  expect(tally.wrongAccepts.length + tally.crashes.length).toBe(0);
}, 0);
