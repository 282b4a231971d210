import { generateKeyPairSync } from 'node:crypto';
import {
  copyFile,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { stringify } from 'yaml';

import { attestStep } from '../../src/attest/attest-step.js';
import type { ChainResult } from '../../src/chain/result.js';
import { verifyChain } from '../../src/chain/verify-chain.js';
import { sha256File } from '../../src/digest/index.js';
import { keylessSigner, keySigner } from '../../src/signing/index.js';
import { loadPolicy } from '../../src/policy/load.js';
import { startStandIn, type StandIn } from '../../src/testing/index.js';
import { loadTrustedRoot } from '../../src/verify/index.js';
import { loadPublicKey } from '../../src/verify/public-key.js';
import { TESTDATA } from '../testdata.js';

/** The key types a site may sign with. */
export type KeyType = 'P-256' | 'P-384' | 'ed25519';

/** A key pair written as PEM files under the fixture's `keys/`. */
export interface TestKey {
  privatePem: string;
  /** Path of the public key relative to the fixture folder. */
  pub: string;
  keyId: string;
}

/** How a step is signed: with a key (logged or not) or keyless. */
export type HowSigned =
  { key: TestKey; logged?: boolean } | { identity: string };

const PARAMETERS: Record<string, Record<string, unknown>> = {
  export: { sourceFormat: 'tfjs-layers', targetFormat: 'safetensors' },
  repackage: { format: 'safetensors-bundle', targetRuntime: 'onnxruntime' },
};

/** A stand-in (Rekor, TSA, and Fulcio for keyless steps) and a folder. */
export interface KeyChainFixture {
  standIn: StandIn;
  dir: string;
  makeKey(name: string, type: KeyType): Promise<TestKey>;
  /**
   * Lays out `up/` (a real upstream file), then `e/` by export and `m/`
   * by repackage under `sub`, signed as given; returns the root digest.
   */
  pipeline(
    sub: string,
    exporter: HowSigned,
    ...releasers: HowSigned[]
  ): Promise<string>;
  /** Writes `sub/policy.yaml` and returns its path. */
  writePolicy(sub: string, policy: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** Starts a fixture; close it in afterAll. */
export async function keyChainFixture(): Promise<KeyChainFixture> {
  const standIn = await startStandIn();
  const dir = await mkdtemp(join(tmpdir(), 'mprov-keychain-'));
  const p = (...parts: string[]) => join(dir, ...parts);

  const sign = async (how: HowSigned) => {
    if ('identity' in how) {
      return keylessSigner({
        fulcioURL: standIn.fulcioURL,
        rekorURL: standIn.rekorURL,
        identityToken: await standIn.mintToken(how.identity),
      });
    }
    const logged = how.logged ?? true;
    return keySigner({
      privateKey: how.key.privatePem,
      ...(logged && { rekorURL: standIn.rekorURL }),
    });
  };
  const step = async (
    kind: string,
    input: string,
    output: string,
    how: HowSigned,
  ) =>
    attestStep({
      kind,
      inputs: [{ path: input }],
      output,
      parameters: PARAMETERS[kind] ?? {},
      builderId: 'https://ci.site.internal/test',
      signer: await sign(how),
    });

  return {
    standIn,
    dir,
    async makeKey(name, type) {
      const pair =
        type === 'ed25519'
          ? generateKeyPairSync('ed25519')
          : generateKeyPairSync('ec', { namedCurve: type });
      const publicPem = pair.publicKey
        .export({ type: 'spki', format: 'pem' })
        .toString();
      const pub = join('keys', `${name}.pub`);
      await mkdir(p('keys'), { recursive: true });
      await writeFile(p(pub), publicPem);
      return {
        privatePem: pair.privateKey
          .export({ type: 'pkcs8', format: 'pem' })
          .toString(),
        pub,
        keyId: loadPublicKey(publicPem).digest,
      };
    },
    async pipeline(sub, exporter, ...releasers) {
      const upstream = join(
        TESTDATA,
        'model-signing/signed/v1.0.0-elliptic-key/signme-1',
      );
      await mkdir(p(sub, 'up'), { recursive: true });
      await copyFile(upstream, p(sub, 'up', 'weights.bin'));
      await mkdir(p(sub, 'e'), { recursive: true });
      // The export converts: its output differs from its input.
      const weights = await readFile(upstream);
      await writeFile(
        p(sub, 'e', 'model.safetensors'),
        Buffer.concat([weights, weights]),
      );
      await writeFile(p(sub, 'e', 'config.json'), '{"layers":2}\n');
      await step('export', p(sub, 'up'), p(sub, 'e'), exporter);
      await mkdir(p(sub, 'm'), { recursive: true });
      await copyFile(
        p(sub, 'e', 'model.safetensors'),
        p(sub, 'm', 'model.safetensors'),
      );
      await writeFile(p(sub, 'm', 'README.md'), '# release\n');
      for (const releaser of releasers) {
        await step('repackage', p(sub, 'e'), p(sub, 'm'), releaser);
      }
      return sha256File(p(sub, 'up', 'weights.bin'));
    },
    async writePolicy(sub, policy) {
      const path = p(sub, 'policy.yaml');
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, stringify(policy));
      return path;
    },
    async close() {
      await standIn.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A signer rule naming a key file, relative to a policy one level down. */
export function keyRule(key: TestKey): { key: string } {
  return { key: join('..', key.pub) };
}

/** A policy: export then repackage, each signed by the rules given. */
export function keyPolicyOf(
  root: string,
  exporters: unknown[],
  releasers: unknown[],
  extra: Record<string, unknown> = {},
): { steps: Record<string, Record<string, unknown>> } & Record<
  string,
  unknown
> {
  return {
    version: 1,
    steps: {
      export: { required: true, after: [], signers: exporters },
      repackage: { required: true, after: ['export'], signers: releasers },
    },
    final: ['repackage'],
    roots: [{ name: 'upstream', sha256: root }],
    ...extra,
  };
}

/** Verifies `sub/m` against `sub/policy.yaml` and the stand-in's root. */
export async function verifyKeyChain(
  fx: KeyChainFixture,
  sub: string,
): Promise<ChainResult> {
  return verifyChain({
    modelPath: join(fx.dir, sub, 'm'),
    policy: await loadPolicy(join(fx.dir, sub, 'policy.yaml')),
    trustedRoot: loadTrustedRoot(fx.standIn.trustedRoot),
  });
}
