/**
 * verifyChain with a model.sig checks it over the digests step 5 computed,
 * without reading the files again. A file changed between that hash and
 * the model.sig check is then not seen by the check itself: the final
 * re-stat of the chain must catch it. These tests change files at that
 * very moment, just before the model.sig is checked.
 */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { verifyChain } from '../../src/chain/verify-chain.js';
import * as interop from '../../src/interop/index.js';
import type { Policy } from '../../src/policy/policy.js';
import { loadTrustedRoot } from '../../src/verify/index.js';
import { chainFixture, type ChainFixture } from '../chain/fixture.js';
import { exportOnlyPolicy, exportWithModelSig } from '../chain/oms-fixture.js';

/** Runs once just before the next model.sig check. */
let beforeOmsCheck: (() => Promise<void>) | undefined;

vi.mock('../../src/interop/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof interop>();
  return {
    ...real,
    verifyModelSignature: async (
      ...args: Parameters<typeof real.verifyModelSignature>
    ) => {
      const hook = beforeOmsCheck;
      beforeOmsCheck = undefined;
      await hook?.();
      return real.verifyModelSignature(...args);
    },
  };
});

let fx: ChainFixture;
let policy: Policy;
let n = 0;
beforeAll(async () => {
  fx = await chainFixture();
  policy = await exportOnlyPolicy(fx);
});
afterAll(async () => fx.close());

const exported = (files: Record<string, string>) =>
  exportWithModelSig(fx, `reuse${++n}`, files);

const verify = (out: string, sig: string) =>
  verifyChain({
    modelPath: out,
    policy,
    trustedRoot: loadTrustedRoot(fx.standIn.trustedRoot),
    omsSignature: sig,
  });

describe('adversarial: model.sig over reused digests', () => {
  it('baseline: verifies when nothing changes meanwhile', async () => {
    const { out, sig } = await exported({ 'w.bin': 'w1', 'c.json': '{}' });
    beforeOmsCheck = () => Promise.resolve();
    const result = await verify(out, sig);
    expect(result.verified).toBe(true);
  });

  it('refuses a file rewritten, same size, after the chain hashed it', async () => {
    const { out, sig } = await exported({ 'w.bin': 'w1', 'c.json': '{}' });
    beforeOmsCheck = () => writeFile(join(out, 'w.bin'), 'XX');
    const result = await verify(out, sig);
    expect(result.verified).toBe(false);
    const changed = result.findings.filter(
      (f) => f.code === 'FILE_CHANGED_DURING_VERIFICATION',
    );
    expect(changed.map((f) => f.file)).toEqual(['w.bin']);
  });

  it('refuses two files of one size swapped after the chain hashed them', async () => {
    const { out, sig } = await exported({ 'a.bin': 'aa', 'b.bin': 'bb' });
    beforeOmsCheck = async () => {
      await rename(join(out, 'a.bin'), join(out, 't.bin'));
      await rename(join(out, 'b.bin'), join(out, 'a.bin'));
      await rename(join(out, 't.bin'), join(out, 'b.bin'));
    };
    const result = await verify(out, sig);
    expect(result.verified).toBe(false);
    const codes = result.findings.map((f) => f.code);
    expect(codes).toContain('FILE_CHANGED_DURING_VERIFICATION');
  });

  it('refuses a file added after the chain hashed the model', async () => {
    const { out, sig } = await exported({ 'w.bin': 'w1' });
    beforeOmsCheck = () => writeFile(join(out, 'late.bin'), 'late');
    const result = await verify(out, sig);
    expect(result.verified).toBe(false);
    const codes = result.findings.map((f) => f.code);
    expect(codes).toContain('OMS_SIGNATURE_INVALID');
    expect(codes).toContain('FILE_CHANGED_DURING_VERIFICATION');
  });
});
