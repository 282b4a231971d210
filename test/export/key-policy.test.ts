/**
 * exportChain with a policy that names signers by key file: the core reads
 * no file, so policy.json must hold each key as publicKey PEM.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { validatePolicy, verifyChainInMemory } from '../../src/core/index.js';
import { exportChain } from '../../src/export/export-chain.js';
import {
  keyChainFixture,
  keyRule,
  type KeyChainFixture,
  type TestKey,
} from '../chain/key-fixture.js';
import { loadExport } from './load.js';

let fx: KeyChainFixture;
let exporter: TestKey;
let releaser: TestKey;
let policyPath: string;
let out: string;

beforeAll(async () => {
  fx = await keyChainFixture();
  exporter = await fx.makeKey('export', 'P-256');
  releaser = await fx.makeKey('release', 'ed25519');
  const root = await fx.pipeline('k', { key: exporter }, { key: releaser });
  policyPath = await fx.writePolicy('k', {
    version: 1,
    steps: {
      export: { required: true, signers: [keyRule(exporter)] },
      repackage: { required: true, signers: [keyRule(releaser)] },
    },
    roots: [{ sha256: root }],
  });
  const trustedRootPath = join(fx.dir, 'trusted_root.json');
  await writeFile(trustedRootPath, JSON.stringify(fx.standIn.trustedRoot));
  out = join(fx.dir, 'out');
  await exportChain({
    modelPath: join(fx.dir, 'k', 'm'),
    outDir: out,
    policyPath,
    trustedRootPath,
  });
});
afterAll(async () => fx.close());

describe('#exportChain with key: rules', () => {
  it('is needed: the core refuses the policy file as written', async () => {
    const written: unknown = parse(await readFile(policyPath, 'utf8'));
    expect(() => validatePolicy(written)).toThrow(
      expect.objectContaining({ code: 'POLICY_INVALID' }),
    );
  });

  it('writes each key file as publicKey PEM with its key id', async () => {
    const policy = JSON.parse(
      await readFile(join(out, 'policy.json'), 'utf8'),
    ) as { steps: Record<string, { signers: Record<string, unknown>[] }> };
    const signers = (kind: string) => policy.steps[kind]?.signers;
    for (const [kind, key] of [
      ['export', exporter],
      ['repackage', releaser],
    ] as const) {
      expect(signers(kind)).toEqual([
        {
          publicKey: await readFile(join(fx.dir, key.pub), 'utf8'),
          keyId: key.keyId,
        },
      ]);
    }
  });

  it('writes what verifyChainInMemory verifies', async () => {
    const { options } = await loadExport(out);
    const result = await verifyChainInMemory(options);
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.verified).toBe(true);
    expect(result.steps.map((s) => s.signer.keyId)).toEqual([
      exporter.keyId,
      releaser.keyId,
    ]);
  });
});
