/**
 * Attacks on chains of key-signed steps by someone who writes the store
 * (`.mprov/` beside the model) but holds no allowed private key, and on
 * the key files a policy names.
 */
import { generateKeyPairSync } from 'node:crypto';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ChainResult } from '../../src/chain/result.js';
import { PolicyError } from '../../src/errors.js';
import { loadPolicy } from '../../src/policy/load.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderText } from '../../src/report/text.js';
import { AttestationStore } from '../../src/store/store.js';
import {
  keyChainFixture,
  keyPolicyOf,
  keyRule,
  verifyKeyChain,
  type KeyChainFixture,
  type TestKey,
} from '../chain/key-fixture.js';
import { reencoded } from './key-encodings.js';

process.env.NO_PROXY = '127.0.0.1,localhost';

let fx: KeyChainFixture;
beforeAll(async () => {
  fx = await keyChainFixture();
});
afterAll(async () => fx.close());

const codes = (r: ChainResult) =>
  r.findings.filter((f) => f.severity === 'error').map((f) => f.code);

type Bundle = { verificationMaterial: Record<string, unknown> };

/** Adds a changed copy of every key-signed bundle of the model's store. */
async function addCopies(sub: string, change: (b: Bundle) => void) {
  const store = AttestationStore.forModel(join(fx.dir, sub, 'm'));
  for (const entry of await store.list()) {
    const bundle = JSON.parse(entry.bytes.toString()) as Bundle;
    if (bundle.verificationMaterial.publicKey === undefined) continue;
    change(bundle);
    await store.add(Buffer.from(JSON.stringify(bundle)));
  }
}

async function policyError(path: Promise<unknown>): Promise<PolicyError> {
  const error = await path.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PolicyError);
  return error as PolicyError;
}

describe('#verifyChain against a hostile store', () => {
  let e: TestKey;
  let r: TestKey;
  let s: TestKey;
  beforeAll(async () => {
    e = await fx.makeKey('att-export', 'P-256');
    r = await fx.makeKey('att-release', 'P-256');
    s = await fx.makeKey('att-second', 'ed25519');
  });

  it('counts one signature once, whatever hints its copies carry (2 of 2)', async () => {
    const root = await fx.pipeline('hints', { key: e }, { key: r });
    const policy = keyPolicyOf(root, [keyRule(e)], [keyRule(r), keyRule(s)]);
    policy.steps.repackage = { ...policy.steps.repackage, threshold: 2 };
    await fx.writePolicy('hints', policy);
    await addCopies('hints', (b) => {
      b.verificationMaterial.publicKey = { hint: s.keyId.slice(7) };
    });
    const result = await verifyKeyChain(fx, 'hints');
    expect(result.verified).toBe(false);
    expect(codes(result)).toContain('TOO_FEW_SIGNERS');
  });

  it('refuses a policy that lists one key twice, compressed and not, for 2 of 2', async () => {
    const root = await fx.pipeline('enc', { key: e }, { key: r });
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const twice = [
      { publicKey: reencoded(pair.publicKey, 'compressed') },
      { publicKey: reencoded(pair.publicKey, 'hybrid') },
    ];
    const policy = keyPolicyOf(root, [keyRule(e)], twice);
    policy.steps.repackage = { ...policy.steps.repackage, threshold: 2 };
    const path = await fx.writePolicy('enc', policy);
    expect((await policyError(loadPolicy(path))).code).toBe('POLICY_INVALID');
  });

  it('refuses a keyless step where the policy names only keys', async () => {
    const root = await fx.pipeline(
      'kl',
      { identity: 'mallory@example.net' },
      {
        key: r,
      },
    );
    await fx.writePolicy('kl', keyPolicyOf(root, [keyRule(e)], [keyRule(r)]));
    const result = await verifyKeyChain(fx, 'kl');
    expect(result.verified).toBe(false);
    expect(codes(result)).toContain('SIGNER_NOT_ALLOWED');
  });

  it('refuses a key-signed step where the policy names only identities', async () => {
    const root = await fx.pipeline('id', { key: e }, { key: r });
    const identity = { issuer: fx.standIn.issuer, identity: 'x@example.com' };
    await fx.writePolicy('id', keyPolicyOf(root, [identity], [keyRule(r)]));
    const result = await verifyKeyChain(fx, 'id');
    expect(codes(result)).toContain('SIGNER_NOT_ALLOWED');
  });

  it('without allowUnlogged, refuses a logged step whose log entry was stripped', async () => {
    const root = await fx.pipeline('strip', { key: e }, { key: r });
    await fx.writePolicy(
      'strip',
      keyPolicyOf(root, [keyRule(e)], [keyRule(r)]),
    );
    await addCopies('strip', (b) => {
      b.verificationMaterial.tlogEntries = [];
    });
    const result = await verifyKeyChain(fx, 'strip');
    expect(result.verified).toBe(false);
    expect(codes(result)).toContain('ATTESTATION_UNVERIFIED');
  });

  it('with allowUnlogged, reports an unlogged step as having no time, and no key', async () => {
    const root = await fx.pipeline('ul', { key: e, logged: false }, { key: r });
    const policy = keyPolicyOf(root, [keyRule(e)], [keyRule(r)], {
      allowUnlogged: true,
    });
    await fx.writePolicy('ul', policy);
    const result = await verifyKeyChain(fx, 'ul');
    expect(codes(result)).toEqual([]);
    const exported = result.steps.find((x) => x.kind === 'export');
    expect(exported?.signedAt).toBeUndefined();
    const reports = renderText(result) + renderJson(result);
    const all = reports + renderMarkdown(result);
    expect(all).not.toMatch(/BEGIN|PUBLIC KEY|\u001b/);
    expect(renderText(result)).toContain('no signed time');
  });
});

describe('#loadPolicy with hostile key files', () => {
  const pem = (label: string, der: Buffer) =>
    `-----BEGIN ${label}-----\n${der.toString('base64')}\n-----END ${label}-----\n`;

  async function refuse(name: string, content: string | null) {
    const path = join(fx.dir, 'keys', name);
    if (content === null) await symlink('/dev/zero', path);
    else await writeFile(path, content);
    const policy = await fx.writePolicy('kf', {
      version: 1,
      steps: { export: { signers: [{ key: join('..', 'keys', name) }] } },
    });
    const error = await policyError(loadPolicy(policy));
    const body = content?.split('\n')[1] ?? '';
    if (body) expect(error.message).not.toContain(body.slice(0, 24));
    return error.code;
  }

  it.each([
    ['a symlink to an endless device', 'zero.pub', null],
    [
      'a private key',
      'priv.pem',
      generateKeyPairSync('ed25519')
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
    ],
    [
      'an RSA key',
      'rsa.pub',
      generateKeyPairSync('rsa', { modulusLength: 1024 })
        .publicKey.export({ type: 'spki', format: 'pem' })
        .toString(),
    ],
    ['a certificate', 'cert.pem', pem('CERTIFICATE', Buffer.alloc(64, 1))],
    [
      'a public key followed by its private key (a key pair file)',
      'pair.pem',
      ((k) =>
        [k.publicKey, k.privateKey]
          .map((x, i) =>
            x.export({ type: i ? 'pkcs8' : 'spki', format: 'pem' }),
          )
          .join(''))(generateKeyPairSync('ed25519')),
    ],
  ])('refuses %s with POLICY_INVALID', async (_what, name, content) => {
    expect(await refuse(name, content)).toBe('POLICY_INVALID');
  });

  it('refuses a key id pinned in upper case or for another key', async () => {
    const k = await fx.makeKey('pin', 'ed25519');
    for (const keyId of [k.keyId.toUpperCase(), `sha256:${'0'.repeat(64)}`]) {
      const path = await fx.writePolicy('pin', {
        version: 1,
        steps: { export: { signers: [{ ...keyRule(k), keyId }] } },
      });
      expect((await policyError(loadPolicy(path))).code).toBe('POLICY_INVALID');
    }
  });
});
