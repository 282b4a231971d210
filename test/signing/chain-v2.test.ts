import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { attestStep } from '../../src/attest/attest-step.js';
import { verifyChain } from '../../src/chain/verify-chain.js';
import { sha256File } from '../../src/digest/index.js';
import { validatePolicy } from '../../src/policy/policy.js';
import { keylessSigner, type RekorVersion } from '../../src/signing/index.js';
import { startStandIn, type StandIn } from '../../src/testing/index.js';
import { loadTrustedRoot } from '../../src/verify/index.js';

process.env.NO_PROXY = '127.0.0.1,localhost';

const EXPORTER = 'exporter@example.com';
const QUANTIZER = 'quantizer@example.com';

describe('a chain signed through Rekor v2', () => {
  let standIn: StandIn;
  let dir: string;

  async function files(folder: string, content: Record<string, string>) {
    await mkdir(join(dir, folder), { recursive: true });
    for (const [name, text] of Object.entries(content)) {
      await writeFile(join(dir, folder, name), text);
    }
  }

  async function attest(
    identity: string,
    kind: string,
    input: string,
    output: string,
    rekorVersion: RekorVersion,
    parameters: Record<string, unknown>,
  ) {
    await attestStep({
      kind,
      inputs: [{ path: join(dir, input) }],
      output: join(dir, output),
      parameters,
      builderId: 'https://ci.example.com/test',
      signer: keylessSigner({
        fulcioURL: standIn.fulcioURL,
        rekorURL: standIn.rekorURL,
        tsaServerURL: standIn.tsaURL,
        rekorVersion,
        identityToken: await standIn.mintToken(identity),
      }),
    });
  }

  beforeAll(async () => {
    standIn = await startStandIn({ rekorVersion: 2 });
    dir = await mkdtemp(join(tmpdir(), 'mprov-chain-v2-'));
    await files('upstream', { 'weights.bin': 'float32 weights' });
    await files('exported', { 'model.safetensors': 'exported weights' });
    // The first step logs to Rekor v1, the second to v2: a mixed chain.
    await attest(EXPORTER, 'export', 'upstream', 'exported', 1, {
      sourceFormat: 'tfjs-layers',
      targetFormat: 'safetensors',
    });
    await files('quantized', { 'model.safetensors': 'int8 weights' });
    await attest(QUANTIZER, 'quantize', 'exported', 'quantized', 2, {
      scheme: 'int8-symmetric-per-tensor',
      bits: 8,
    });
  });

  afterAll(async () => {
    await standIn.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('verifies through the chain verifier', async () => {
    const rule = (identity: string) => ({
      signers: [{ issuer: standIn.issuer, identity }],
      required: true,
    });
    const policy = validatePolicy({
      version: 1,
      steps: { export: rule(EXPORTER), quantize: rule(QUANTIZER) },
      roots: [{ sha256: await sha256File(join(dir, 'upstream/weights.bin')) }],
    });
    const result = await verifyChain({
      modelPath: join(dir, 'quantized'),
      policy,
      trustedRoot: loadTrustedRoot(standIn.trustedRoot),
    });
    expect(result.findings).toEqual([]);
    expect(result.verified).toBe(true);
    expect(result.steps.map((s) => s.kind)).toEqual(['export', 'quantize']);
  });
});
