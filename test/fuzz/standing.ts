/**
 * The standing mutation run of the default test suite, in two files that
 * vitest runs side by side (one a core): no mutation that changes signed
 * content or files may verify, and nothing but a ProvenanceError may be
 * thrown. `npm run test:fuzz` runs the same with many more mutations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { verifyChain } from '../../src/chain/verify-chain.js';
import { buildCorpus, type Corpus } from './corpus.js';
import { runMutations } from './runner.js';

/** Declares one half of the standing run: `runs` mutations from `seed`. */
export function standingRun(seed: number, runs: number): void {
  let corpus: Corpus;
  beforeAll(async () => {
    corpus = await buildCorpus();
  });
  afterAll(async () => corpus.lab.close());

  describe('verifyChain under random mutations', () => {
    it('verifies every unmutated chain (the oracle starts from true)', async () => {
      for (const chain of corpus.chains) {
        const result = await verifyChain({
          modelPath: chain.dir,
          policy: chain.policy,
          trustedRoot: corpus.lab.root,
        });
        expect(result.findings).toEqual([]);
        expect(result.verified).toBe(true);
      }
    });

    it(`accepts no changed content and never crashes (${runs} mutations, seed ${seed})`, async () => {
      const tally = await runMutations(corpus, {
        runs,
        seed,
        stopOnFailure: true,
      });
      expect(tally.crashes).toEqual([]);
      expect(tally.wrongAccepts).toEqual([]);
      expect(tally.tried).toBe(runs);
      // The oracle is not vacuous: most mutations had to be rejected.
      expect(tally.mustReject).toBeGreaterThan(runs * 0.6);
    }, 120_000);
  });
}
