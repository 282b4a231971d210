import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PolicyError } from '../../src/errors.js';
import { loadPolicy } from '../../src/policy/load.js';
import { parsePolicy, validatePolicy } from '../../src/policy/policy.js';

const ISSUER = 'https://oidc.site.internal';

function pair(type: 'P-256' | 'ed25519' | 'rsa') {
  const keys =
    type === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : type === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ec', { namedCurve: type });
  const der = keys.publicKey.export({ type: 'spki', format: 'der' });
  return {
    pub: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    priv: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    keyId: `sha256:${createHash('sha256').update(der).digest('hex')}`,
  };
}

const A = pair('P-256');
const B = pair('ed25519');

function doc(signers: unknown[], extra: Record<string, unknown> = {}) {
  return {
    version: 1,
    steps: { export: { signers, ...extra } },
  };
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).code;
  }
}

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

describe('#validatePolicy with key rules', () => {
  describe('when a rule gives publicKey', () => {
    it('returns the PEM and its key id', () => {
      const policy = validatePolicy(doc([{ publicKey: A.pub }]));
      expect(policy.steps.export?.signers).toEqual([
        { publicKey: A.pub, keyId: A.keyId },
      ]);
    });

    it('accepts its own output again (verifyChain re-validates)', () => {
      const policy = validatePolicy(doc([{ publicKey: B.pub }]));
      expect(validatePolicy(policy)).toEqual(policy);
    });

    it('accepts a keyId pin that is the key id', () => {
      const rule = { publicKey: A.pub, keyId: A.keyId };
      expect(codeOf(() => validatePolicy(doc([rule])))).toBeUndefined();
    });
  });

  describe.each([
    [
      'identity and key in one rule',
      { issuer: ISSUER, identity: 'x', publicKey: A.pub },
    ],
    ['issuer and key', { issuer: ISSUER, publicKey: A.pub }],
    [
      'identityPattern and keyId',
      { issuer: ISSUER, identityPattern: 'x', keyId: A.keyId },
    ],
    ['key and publicKey', { key: 'a.pub', publicKey: A.pub }],
    ['keyId alone', { keyId: A.keyId }],
    ['a keyId of another key', { publicKey: A.pub, keyId: B.keyId }],
    ['a keyId not in sha256:hex form', { publicKey: A.pub, keyId: 'abc' }],
    ['a private key', { publicKey: A.priv }],
    ['an RSA key', { publicKey: pair('rsa').pub }],
    ['text that is no key', { publicKey: 'hello' }],
    ['a key path without loadPolicy', { key: 'keys/a.pub' }],
    ['an unknown field', { publicKey: A.pub, comment: 'x' }],
  ])('when a rule has %s', (_name, rule) => {
    it('throws POLICY_INVALID', () => {
      expect(codeOf(() => validatePolicy(doc([rule])))).toBe('POLICY_INVALID');
    });
  });

  it('never quotes key material in its message', () => {
    const message = messageOf(() =>
      validatePolicy(doc([{ publicKey: A.priv }])),
    );
    expect(message).toContain('signers[0].publicKey');
    expect(message).not.toContain('PRIVATE KEY');
    expect(message).not.toContain(A.priv.split('\n')[1]);
  });

  describe('when a threshold counts keys', () => {
    it('accepts 2 of two distinct keys', () => {
      const rules = [{ publicKey: A.pub }, { publicKey: B.pub }];
      const policy = validatePolicy(doc(rules, { threshold: 2 }));
      expect(policy.steps.export?.threshold).toBe(2);
    });

    it('throws POLICY_INVALID for 2 of one key listed twice', () => {
      const rules = [{ publicKey: A.pub }, { publicKey: A.pub }];
      expect(codeOf(() => validatePolicy(doc(rules, { threshold: 2 })))).toBe(
        'POLICY_INVALID',
      );
    });

    it('accepts 2 of one key and one identity', () => {
      const rules = [{ publicKey: A.pub }, { issuer: ISSUER, identity: 'x' }];
      expect(
        codeOf(() => validatePolicy(doc(rules, { threshold: 2 }))),
      ).toBeUndefined();
    });
  });

  describe('when allowUnlogged is given', () => {
    it('returns it', () => {
      const policy = validatePolicy({
        ...doc([{ publicKey: A.pub }]),
        allowUnlogged: true,
      });
      expect(policy.allowUnlogged).toBe(true);
    });

    it('throws POLICY_INVALID for a value other than a boolean', () => {
      const bad = { ...doc([{ publicKey: A.pub }]), allowUnlogged: 'yes' };
      expect(codeOf(() => validatePolicy(bad))).toBe('POLICY_INVALID');
    });

    it('is absent by default: logs are required', () => {
      expect(validatePolicy(doc([{ publicKey: A.pub }])).allowUnlogged).toBe(
        undefined,
      );
    });
  });
});

describe('#loadPolicy', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mprov-policy-keys-'));
    await mkdir(join(dir, 'keys'));
    await mkdir(join(dir, 'policies'));
    await writeFile(join(dir, 'keys', 'a.pub'), A.pub);
    await writeFile(join(dir, 'keys', 'rsa.pub'), pair('rsa').pub);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  async function load(text: string): Promise<unknown> {
    const path = join(dir, 'policies', 'policy.yaml');
    await writeFile(path, text);
    return loadPolicy(path);
  }

  async function loadCode(text: string): Promise<string | undefined> {
    return load(text).then(
      () => undefined,
      (error: unknown) => (error as PolicyError).code,
    );
  }

  const yaml = (key: string) =>
    `version: 1\nsteps:\n  export:\n    signers:\n      - key: ${key}\n`;

  /** The export step's signers of the policy naming the key file `key`. */
  async function signersOf(key: string): Promise<unknown> {
    const policy = (await load(yaml(key))) as ReturnType<typeof parsePolicy>;
    return policy.steps.export?.signers;
  }

  describe('when a rule names a key file relative to the policy', () => {
    it('returns the key read from beside the policy', async () => {
      expect(await signersOf('../keys/a.pub')).toEqual([
        { publicKey: A.pub, keyId: A.keyId },
      ]);
    });
  });

  describe('when the key file does not exist', () => {
    it('throws POLICY_UNREADABLE', async () => {
      expect(await loadCode(yaml('../keys/missing.pub'))).toBe(
        'POLICY_UNREADABLE',
      );
    });
  });

  describe('when the key file is larger than any key', () => {
    it('throws POLICY_INVALID without reading it all', async () => {
      await writeFile(join(dir, 'keys', 'big.pub'), Buffer.alloc(1 << 20, 65));
      expect(await loadCode(yaml('../keys/big.pub'))).toBe('POLICY_INVALID');
    });
  });

  describe('when the key file is a symbolic link to a key', () => {
    it('returns the key it points to', async () => {
      await symlink(join(dir, 'keys', 'a.pub'), join(dir, 'keys', 'link.pub'));
      expect(await signersOf('../keys/link.pub')).toEqual([
        { publicKey: A.pub, keyId: A.keyId },
      ]);
    });
  });

  describe('when the key file is an endless device', () => {
    it('throws POLICY_INVALID after reading no more than the bound', async () => {
      expect(await loadCode(yaml('/dev/zero'))).toBe('POLICY_INVALID');
    });
  });

  describe('when the key file is a folder', () => {
    it('throws POLICY_UNREADABLE', async () => {
      expect(await loadCode(yaml('../keys'))).toBe('POLICY_UNREADABLE');
    });
  });

  describe('when the key file holds an RSA key', () => {
    it('throws POLICY_INVALID', async () => {
      expect(await loadCode(yaml('../keys/rsa.pub'))).toBe('POLICY_INVALID');
    });
  });

  describe('when the policy file does not exist', () => {
    it('throws POLICY_UNREADABLE', async () => {
      const code = await loadPolicy(join(dir, 'none.yaml')).then(
        () => undefined,
        (error: unknown) => (error as PolicyError).code,
      );
      expect(code).toBe('POLICY_UNREADABLE');
    });
  });

  describe('when a key rule also names an identity', () => {
    it('throws POLICY_INVALID', async () => {
      const text = yaml('../keys/a.pub') + `        issuer: ${ISSUER}\n`;
      expect(await loadCode(text)).toBe('POLICY_INVALID');
    });
  });
});
