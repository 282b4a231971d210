/**
 * Nothing verified is not verified: each way of having nothing to check
 * fails with its own code, through the library and the CLI.
 */
import { mkdir, writeFile } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  ChainNotVerifiedError,
  requireVerifiedModel,
} from '../../src/chain/require-verified.js';
import { verifyChain } from '../../src/chain/verify-chain.js';
import type { Policy } from '../../src/policy/policy.js';
import { verifyBundle } from '../../src/verify/bundle.js';
import { runCaptured } from '../cli/capture.js';
import {
  ID,
  QUANTIZED,
  RELEASED,
  ROOTS,
  descs,
  errors,
  legitChain,
  startLab,
  statement,
  type Lab,
} from '../adversarial/helpers.js';

let lab: Lab;
let policy: Policy;
let n = 0;
beforeAll(async () => {
  lab = await startLab();
  policy = lab.policy(ROOTS);
});
afterAll(async () => lab.close());

const model = async (): Promise<string> => {
  const name = `m${++n}`;
  await mkdir(lab.path(name), { recursive: true });
  return name;
};

const repackage = (outputs = descs(RELEASED)) =>
  statement({ kind: 'repackage', inputs: descs(QUANTIZED), outputs });

describe('verifyChain when there is nothing to verify', () => {
  it('returns MODEL_EMPTY for a folder with no file', async () => {
    const m = await model();
    await mkdir(lab.path(`${m}/empty/deeper`), { recursive: true });
    const result = await lab.verify(m, policy);
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toEqual(['MODEL_EMPTY']);
    expect(result.model.files).toBe(0);
  });

  it('returns MODEL_ALL_FILES_IGNORED when only the store and .git hold files', async () => {
    const m = await model();
    await lab.attest(m, ID.releaser, repackage());
    await lab.write(m, { '.git/HEAD': 'ref: refs/heads/main' });
    const result = await lab.verify(m, policy);
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toEqual(['MODEL_ALL_FILES_IGNORED']);
  });

  it('returns MODEL_EMPTY for a manifest of no file', async () => {
    const m = await model();
    await legitChain(lab, m);
    const result = await verifyChain({
      modelPath: lab.path(m),
      policy,
      trustedRoot: lab.root,
      manifest: { entries: [], rootDigest: '0'.repeat(64) },
    });
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toEqual(['MODEL_EMPTY']);
  });

  it('returns STATEMENT_NO_SUBJECT for a signed statement with no subject', async () => {
    const m = await model();
    await lab.attest(m, ID.releaser, repackage([]));
    await lab.write(m, RELEASED);
    const result = await lab.verify(m, policy);
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toEqual([
      'STATEMENT_NO_SUBJECT',
      'NO_ATTESTATION_FOR_MODEL',
    ]);
  });

  it('returns NO_ATTESTATION_FOR_MODEL for a store with no attestation', async () => {
    const m = await model();
    await lab.write(m, RELEASED);
    const result = await lab.verify(m, policy);
    expect(errors(result.findings)).toEqual(['NO_ATTESTATION_FOR_MODEL']);
    expect(result.findings[0]?.message).toContain('holds no attestation');
  });

  it('returns ATTESTATION_EMPTY for an empty attestation file', async () => {
    const m = await model();
    await legitChain(lab, m);
    await lab.addRaw(m, '');
    await lab.addRaw(m, ' \n');
    const result = await lab.verify(m, policy);
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toEqual([
      'ATTESTATION_EMPTY',
      'ATTESTATION_EMPTY',
    ]);
  });

  it('returns NO_ARTIFACT_MATCHED when trusted attestations name no file', async () => {
    const m = await model();
    await lab.attest(m, ID.releaser, repackage());
    await lab.write(m, { 'other.bin': 'a file no step made' });
    const result = await lab.verify(m, policy);
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toEqual(['NO_ARTIFACT_MATCHED']);
    expect(result.findings[0]?.message).toContain('names a file');
  });
});

describe('requireVerifiedModel when the model is empty', () => {
  it('throws ChainNotVerifiedError with MODEL_EMPTY, not a DigestError', async () => {
    const m = await model();
    const error = await requireVerifiedModel({
      modelPath: lab.path(m),
      policy,
      trustedRoot: lab.root,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChainNotVerifiedError);
    expect((error as ChainNotVerifiedError).code).toBe('CHAIN_NOT_VERIFIED');
    expect(errors((error as ChainNotVerifiedError).findings)).toEqual([
      'MODEL_EMPTY',
    ]);
  });
});

describe('mprov verify when the model is empty', () => {
  it('exits 1 (not verified) and names MODEL_EMPTY', async () => {
    const m = await model();
    const policyFile = lab.path(`${m}-policy.json`);
    const rootFile = lab.path(`${m}-root.json`);
    await writeFile(policyFile, JSON.stringify(policy));
    await writeFile(rootFile, JSON.stringify(lab.standIn.trustedRoot));
    const out = await runCaptured(
      'verify',
      lab.path(m),
      '--policy',
      policyFile,
      '--trusted-root',
      rootFile,
      '--json',
    );
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout) as { findings: { code: string }[] };
    expect(report.findings.map((f) => f.code)).toEqual(['MODEL_EMPTY']);
  });
});

describe('verifyBundle when the bundle file is empty', () => {
  it.each([[''], ['\n \t'], [Buffer.alloc(0)]])(
    'throws VERIFY_BUNDLE_EMPTY for %j',
    async (bundle) => {
      await expect(
        verifyBundle({
          bundle,
          artifact: { digest: `sha256:${'0'.repeat(64)}` },
          policy: { certificate: { identity: ID.releaser, issuer: 'x' } },
          trustedRoot: lab.root,
        }),
      ).rejects.toMatchObject({ code: 'VERIFY_BUNDLE_EMPTY' });
    },
  );
});
