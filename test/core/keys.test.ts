/**
 * The core on key-signed chains (policy signers named by public key): the
 * same verdicts as verifyChain on the folder, for each key type.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { verifyChain } from '../../src/chain/verify-chain.js';
import {
  describeSigner,
  loadTrustedRoot,
  signerName,
  verifyChainInMemory,
} from '../../src/core/index.js';
import {
  keyChainFixture,
  type KeyChainFixture,
  type KeyType,
} from '../chain/key-fixture.js';
import { signKeyChain } from './chain.js';

let fx: KeyChainFixture;
beforeAll(async () => {
  fx = await keyChainFixture();
});
afterAll(async () => fx.close());

/** Signs a key chain; returns the core's verdict and verifyChain's. */
async function bothWays(sub: string, type: KeyType, intruder = false) {
  const { modelDir, inputs } = await signKeyChain(fx, sub, type, intruder);
  const trustedRoot = loadTrustedRoot(inputs.trustedRoot);
  const inMemory = await verifyChainInMemory({
    ...inputs,
    trustedRoot,
    modelName: 'm',
  });
  const onDisk = await verifyChain({
    modelPath: modelDir,
    policy: inputs.policy,
    trustedRoot,
  });
  return {
    inMemory,
    onDisk: { ...onDisk, model: { ...onDisk.model, path: 'm' } },
  };
}

describe('#verifyChainInMemory with key-signed steps', () => {
  describe.each(['P-256', 'P-384', 'ed25519'] as const)(
    'with %s keys',
    (type) => {
      it('returns verified, as verifyChain does', async () => {
        const { inMemory, onDisk } = await bothWays(`core-ok-${type}`, type);
        expect(inMemory.verified).toBe(true);
        expect(inMemory).toEqual(onDisk);
      });
    },
  );

  it('names each key signer with describeSigner, as docs/browser.md shows', async () => {
    const { inMemory } = await bothWays('core-names', 'P-256');
    expect(inMemory.steps.length).toBeGreaterThan(0);
    for (const step of inMemory.steps) {
      expect(step.signer.identity).toBeUndefined();
      expect(step.signer.keyId).toMatch(/\S/);
      expect(describeSigner(step.signer)).toBe(`key ${step.signer.keyId}`);
      expect(signerName(step.signer)).toBe(step.signer.keyId);
    }
  });

  it('returns SIGNER_NOT_ALLOWED for a key the policy does not name', async () => {
    const { inMemory, onDisk } = await bothWays('core-intruder', 'P-256', true);
    expect(inMemory.verified).toBe(false);
    expect(inMemory.findings.map((f) => f.code)).toContain(
      'SIGNER_NOT_ALLOWED',
    );
    expect(inMemory).toEqual(onDisk);
  });
});
