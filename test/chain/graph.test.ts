import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { verifyChain } from '../../src/chain/verify-chain.js';
import { loadTrustedRoot } from '../../src/verify/index.js';
import { WHO, chainFixture, digestOf, type ChainFixture } from './fixture.js';

let fx: ChainFixture;
beforeAll(async () => {
  fx = await chainFixture();
});
afterAll(async () => fx.close());

async function verify(model: string, roots: string[]) {
  return verifyChain({
    modelPath: join(fx.dir, model),
    policy: fx.policy(roots, {}),
    trustedRoot: loadTrustedRoot(fx.standIn.trustedRoot),
  });
}

const errorCodes = (r: Awaited<ReturnType<typeof verify>>) =>
  r.findings.filter((f) => f.severity === 'error').map((f) => f.code);

describe('#verifyChain on graph shapes', () => {
  describe('when a file passes through every step unchanged', () => {
    it('returns verified, tracing it to the root it came from', async () => {
      const config = { 'config.json': '{"unchanged":true}' };
      await fx.write({
        'p/up/w.bin': 'w0',
        'p/up/config.json': config['config.json'],
      });
      await fx.attest(WHO.exporter, 'export', [{ path: 'p/up' }], 'p/e', {
        ...config,
        'w.bin': 'w1',
      });
      await fx.attest(WHO.quantizer, 'quantize', [{ path: 'p/e' }], 'p/q', {
        ...config,
        'w.bin': 'w2',
      });
      await fx.attest(WHO.releaser, 'repackage', [{ path: 'p/q' }], 'p/m', {
        ...config,
        'w.bin': 'w2',
      });
      const roots = [
        await digestOf(fx, 'p/up/w.bin'),
        await digestOf(fx, 'p/up/config.json'),
      ];
      const result = await verify('p/m', roots);
      expect(errorCodes(result)).toEqual([]);
      expect(result.verified).toBe(true);
      expect(result.steps.map((s) => s.kind)).toEqual([
        'export',
        'quantize',
        'repackage',
      ]);
      const quantize = result.steps[1];
      const configInput = quantize?.inputs.find(
        (i) => i.name === 'config.json',
      );
      expect(configInput?.from.kind).toBe('root');
    });
  });

  describe('when two trusted steps claim one output from different inputs', () => {
    it('returns CONFLICTING_PRODUCERS naming the digest', async () => {
      await fx.write({ 'c/up1/a': 'one', 'c/up2/a': 'two' });
      await fx.attest(WHO.exporter, 'export', [{ path: 'c/up1' }], 'c/e1', {
        'w.bin': 'same',
      });
      await fx.attest(WHO.exporter, 'export', [{ path: 'c/up2' }], 'c/e2', {
        'w.bin': 'same',
      });
      await fx.attest(
        WHO.releaser,
        'repackage',
        [{ path: 'c/e1' }, { path: 'c/e2' }],
        'c/m',
        {
          'out.bin': 'released',
        },
      );
      const roots = [
        await digestOf(fx, 'c/up1/a'),
        await digestOf(fx, 'c/up2/a'),
      ];
      const result = await verify('c/m', roots);
      const conflict = result.findings.find(
        (f) => f.code === 'CONFLICTING_PRODUCERS',
      );
      expect(conflict?.expected).toBe(await digestOf(fx, 'c/e1/w.bin'));
      expect(result.verified).toBe(false);
    });
  });

  describe("when two steps consume each other's outputs", () => {
    it('returns CHAIN_CYCLE and fails', async () => {
      // B: a-out -> b-out; A: b-out -> a-out; C: a-out -> model. B is
      // attested first so that A's store carries it on to C's.
      await fx.write({ 'y/b/f': 'b-out', 'y/a/f': 'a-out' });
      await fx.attest(WHO.quantizer, 'quantize', [{ path: 'y/a' }], 'y/b');
      await fx.attest(WHO.quantizer, 'quantize', [{ path: 'y/b' }], 'y/a');
      await fx.attest(WHO.releaser, 'repackage', [{ path: 'y/a' }], 'y/m', {
        m: 'final',
      });
      const result = await verify('y/m', []);
      expect(errorCodes(result)).toContain('CHAIN_CYCLE');
      expect(result.verified).toBe(false);
    });
  });

  describe('when an optional step kind of the policy does not occur', () => {
    it('returns verified', async () => {
      await fx.write({ 'opt/up/w.bin': 'o0' });
      await fx.attest(WHO.exporter, 'export', [{ path: 'opt/up' }], 'opt/e', {
        'w.bin': 'o1',
      });
      await fx.attest(WHO.releaser, 'repackage', [{ path: 'opt/e' }], 'opt/m', {
        'w.bin': 'o1',
        'card.md': '#',
      });
      const base = fx.policy([await digestOf(fx, 'opt/up/w.bin')]);
      // quantize is allowed but not required, and absent.
      const quantize = { ...base.steps.quantize, required: false };
      const result = await verifyChain({
        modelPath: join(fx.dir, 'opt/m'),
        policy: { ...base, steps: { ...base.steps, quantize } },
        trustedRoot: loadTrustedRoot(fx.standIn.trustedRoot),
      });
      expect(errorCodes(result)).toEqual([]);
      expect(result.steps.map((s) => s.kind)).toEqual(['export', 'repackage']);
      expect(result.verified).toBe(true);
    });
  });
});
