/**
 * A three-step chain signed through the stand-in, and what the in-memory
 * core needs to verify it: the bundles as stored, the digests of the model's
 * files, the policy and the trusted root. Shared by the Node and the
 * Chromium tests of the core.
 */
import { join } from 'node:path';

import { digestModel } from '../../src/digest/index.js';
import { loadPolicy } from '../../src/policy/load.js';
import type { Policy } from '../../src/policy/policy.js';
import { AttestationStore } from '../../src/store/store.js';
import {
  WHO,
  chainFixture,
  digestOf,
  type ChainFixture,
} from '../chain/fixture.js';
import {
  keyRule,
  type KeyChainFixture,
  type KeyType,
} from '../chain/key-fixture.js';

/** The inputs of `verifyChainInMemory`, as a web page would fetch them. */
export interface ChainInputs {
  /** The stored bundles, as JSON text. */
  bundles: string[];
  /** Path in the model -> SHA-256 hex. */
  files: Record<string, string>;
  policy: Policy;
  /** The stand-in's trusted_root.json, parsed. */
  trustedRoot: unknown;
}

/** A signed chain in a fixture folder, with its in-memory inputs. */
export interface SignedChain {
  fx: ChainFixture;
  /** The model folder whose store holds the whole chain. */
  modelDir: string;
  inputs: ChainInputs;
}

// upstream/ -> export -> exported/ -> quantize -> quantized/ -> repackage -> model/
export async function signChain(): Promise<SignedChain> {
  const fx = await chainFixture();
  await fx.write({ 'upstream/weights.bin': 'float32 weights' });
  await fx.attest(WHO.exporter, 'export', [{ path: 'upstream' }], 'exported', {
    'model.safetensors': 'exported weights',
  });
  await fx.attest(
    WHO.quantizer,
    'quantize',
    [{ path: 'exported' }],
    'quantized',
    {
      'model.safetensors': 'int8 weights',
    },
  );
  await fx.attest(WHO.releaser, 'repackage', [{ path: 'quantized' }], 'model', {
    'model.safetensors': 'int8 weights',
    'config.json': '{"bits":8}',
  });
  const modelDir = join(fx.dir, 'model');
  const policy = fx.policy([await digestOf(fx, 'upstream/weights.bin')]);
  const inputs = await inputsOf(modelDir, policy, fx.standIn.trustedRoot);
  return { fx, modelDir, inputs };
}

/**
 * Export then repackage under `fx.dir/sub`, signed with keys of `type` (the
 * releaser's key, or with `intruder` one the policy does not name).
 */
export async function signKeyChain(
  fx: KeyChainFixture,
  sub: string,
  type: KeyType,
  intruder = false,
): Promise<{ modelDir: string; inputs: ChainInputs }> {
  const exporter = await fx.makeKey(`${sub}-export`, type);
  const releaser = await fx.makeKey(`${sub}-release`, type);
  const other = await fx.makeKey(`${sub}-other`, type);
  const signer = intruder ? other : releaser;
  const root = await fx.pipeline(sub, { key: exporter }, { key: signer });
  await fx.writePolicy(sub, {
    version: 1,
    steps: {
      export: { required: true, signers: [keyRule(exporter)] },
      repackage: { required: true, signers: [keyRule(releaser)] },
    },
    roots: [{ sha256: root }],
  });
  const modelDir = join(fx.dir, sub, 'm');
  return {
    modelDir,
    inputs: await inputsOf(
      modelDir,
      await loadPolicy(join(fx.dir, sub, 'policy.yaml')),
      fx.standIn.trustedRoot,
    ),
  };
}

/** What the core needs to verify the chain in `modelDir`'s store. */
async function inputsOf(
  modelDir: string,
  policy: Policy,
  trustedRoot: unknown,
): Promise<ChainInputs> {
  const stored = await AttestationStore.forModel(modelDir).list();
  const manifest = await digestModel(modelDir);
  return {
    bundles: stored.map((s) => s.bytes.toString('utf8')),
    files: Object.fromEntries(manifest.entries.map((e) => [e.path, e.sha256])),
    policy,
    trustedRoot,
  };
}

/** The same bundle with one bit of its DSSE signature flipped. */
export function withBadSignature(bundle: string): string {
  const json = JSON.parse(bundle) as {
    dsseEnvelope: { signatures: { sig: string }[] };
  };
  const sig = json.dsseEnvelope.signatures[0];
  if (!sig) throw new Error('expected a DSSE signature');
  const bytes = Buffer.from(sig.sig, 'base64');
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
  sig.sig = bytes.toString('base64');
  return JSON.stringify(json);
}

/** The digest with its last hex digit changed. */
export function changedDigest(hex: string): string {
  return hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');
}
