import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { verifyChain } from '../../src/chain/verify-chain.js';
import { validatePolicy } from '../../src/policy/policy.js';
import { loadTrustedRoot } from '../../src/verify/index.js';
import { WHO, chainFixture, digestOf, type ChainFixture } from './fixture.js';

const AUDITOR = 'auditor@example.com';

let fx: ChainFixture;
let roots: string[];
beforeAll(async () => {
  fx = await chainFixture();
  await fx.write({ 'up/w.bin': 'w0' });
  roots = [await digestOf(fx, 'up/w.bin')];
  // export, then a release that two identities attest (two attestations).
  await fx.attest(WHO.exporter, 'export', [{ path: 'up' }], 'e', {
    'w.bin': 'w1',
  });
  await fx.attest(WHO.releaser, 'repackage', [{ path: 'e' }], 'm', {
    'w.bin': 'w1',
    'card.md': '#',
  });
  await fx.attest(AUDITOR, 'repackage', [{ path: 'e' }], 'm');
});
afterAll(async () => fx.close());

function policyWith(threshold: number, signers: string[]) {
  const base = fx.policy(roots);
  return validatePolicy({
    ...base,
    steps: {
      export: base.steps.export,
      repackage: {
        required: true,
        threshold,
        signers: signers.map((identity) => ({
          issuer: fx.standIn.issuer,
          identity,
        })),
      },
    },
  });
}

async function verify(policy: ReturnType<typeof policyWith>) {
  return verifyChain({
    modelPath: join(fx.dir, 'm'),
    policy,
    trustedRoot: loadTrustedRoot(fx.standIn.trustedRoot),
  });
}

describe('#verifyChain with k-of-n signers', () => {
  describe('when two distinct allowed signers attest the same step', () => {
    it('returns verified for a threshold of 2', async () => {
      const result = await verify(policyWith(2, [WHO.releaser, AUDITOR]));
      expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(result.verified).toBe(true);
      const signers = result.steps
        .filter((s) => s.kind === 'repackage')
        .map((s) => s.signer.identity)
        .sort();
      expect(signers).toEqual([AUDITOR, WHO.releaser]);
    });
  });

  describe('when fewer allowed signers attest it than the threshold', () => {
    it('returns TOO_FEW_SIGNERS naming the step', async () => {
      const allowed = [WHO.releaser, 'third@example.com', 'fourth@example.com'];
      const result = await verify(policyWith(2, allowed));
      const errors = result.findings.filter((f) => f.severity === 'error');
      expect(errors.map((f) => f.code)).toContain('TOO_FEW_SIGNERS');
      expect(errors.find((f) => f.code === 'TOO_FEW_SIGNERS')?.step).toBe(
        'repackage',
      );
      expect(result.verified).toBe(false);
    });
  });

  describe('when the threshold exceeds the identities allowed', () => {
    it('throws POLICY_INVALID before verifying anything', () => {
      expect(() => policyWith(3, [WHO.releaser, AUDITOR])).toThrow(
        expect.objectContaining({ code: 'POLICY_INVALID' }) as Error,
      );
    });
  });
});

describe('ChainResult.files', () => {
  it('gives each file its status and the step that made it', async () => {
    const result = await verify(policyWith(1, [WHO.releaser, AUDITOR]));
    const byName = new Map(result.files.map((f) => [f.name, f]));
    expect(byName.get('w.bin')).toMatchObject({
      status: 'ok',
      producedBy: { kind: 'export' },
    });
    expect(byName.get('card.md')).toMatchObject({
      status: 'ok',
      producedBy: { kind: 'repackage' },
    });
  });
});
