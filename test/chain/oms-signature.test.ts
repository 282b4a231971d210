/**
 * A model.sig made by attestStep beside the statement, and checked by
 * verifyChain: both hash the model once, so each reuses the digests it
 * already has; these tests pin that the signature still covers the files
 * on disk and that a change is still caught.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { verifyChain } from '../../src/chain/verify-chain.js';
// From the package's entry point, as docs/oms.md offers it.
import { verifyModelSignature } from '../../src/index.js';
import type { Policy } from '../../src/policy/policy.js';
import { loadTrustedRoot } from '../../src/verify/index.js';
import { WHO, chainFixture, type ChainFixture } from './fixture.js';
import { exportOnlyPolicy, exportWithModelSig } from './oms-fixture.js';

let fx: ChainFixture;
let policy: Policy;
let n = 0;
beforeAll(async () => {
  fx = await chainFixture();
  policy = await exportOnlyPolicy(fx);
});
afterAll(async () => fx.close());

const exported = (files: Record<string, string>) =>
  exportWithModelSig(fx, `out${++n}`, files);

const sha256 = (text: string) =>
  createHash('sha256').update(text).digest('hex');

const trustedRoot = () => loadTrustedRoot(fx.standIn.trustedRoot);

describe('#attestStep with omsSignature', () => {
  it('writes a model.sig that verifies on its own over the files', async () => {
    const { out, sig } = await exported({
      'w.bin': 'w1',
      'sub/config.json': '{}',
    });
    const verified = await verifyModelSignature(out, sig, {
      kind: 'sigstore',
      trustedRoot: trustedRoot(),
      identity: [{ identity: WHO.exporter, issuer: fx.standIn.issuer }],
    });
    expect(verified.predicate.resources.map((r) => [r.name, r.digest])).toEqual(
      [
        ['sub/config.json', sha256('{}')],
        ['w.bin', sha256('w1')],
      ],
    );
  });
});

describe('#verifyChain with omsSignature', () => {
  const verify = (out: string, sig: string) =>
    verifyChain({
      modelPath: out,
      policy,
      trustedRoot: trustedRoot(),
      omsSignature: sig,
    });

  it('returns verified for the files as attested and signed', async () => {
    const { out, sig } = await exported({ 'w.bin': 'w1', 'card.md': '#' });
    const result = await verify(out, sig);
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.verified).toBe(true);
  });

  it('returns FILE_MODIFIED and OMS_SIGNATURE_INVALID for a changed file', async () => {
    const { out, sig } = await exported({ 'w.bin': 'w1', 'card.md': '#' });
    await writeFile(join(out, 'w.bin'), 'w2');
    const result = await verify(out, sig);
    expect(result.verified).toBe(false);
    const codes = result.findings.map((f) => f.code);
    expect(codes).toContain('FILE_MODIFIED');
    expect(codes).toContain('OMS_SIGNATURE_INVALID');
    const oms = result.findings.find((f) => f.code === 'OMS_SIGNATURE_INVALID');
    expect(oms?.message).toContain('OMS_MODEL_MISMATCH');
  });

  it('names a file added after signing in both checks', async () => {
    const { out, sig } = await exported({ 'w.bin': 'w1' });
    await writeFile(join(out, 'extra.txt'), 'late');
    const result = await verify(out, sig);
    const codes = result.findings.map((f) => f.code);
    expect(codes).toContain('FILE_UNATTESTED');
    const oms = result.findings.find((f) => f.code === 'OMS_SIGNATURE_INVALID');
    expect(oms?.message).toContain('extra.txt');
  });
});
