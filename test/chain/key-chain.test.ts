import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ChainResult } from '../../src/chain/result.js';
import { renderJson } from '../../src/report/json.js';
import { renderText } from '../../src/report/text.js';
import {
  keyChainFixture,
  keyPolicyOf,
  keyRule,
  verifyKeyChain,
  type KeyChainFixture,
  type KeyType,
} from './key-fixture.js';

process.env.NO_PROXY = '127.0.0.1,localhost';

let fx: KeyChainFixture;
beforeAll(async () => {
  fx = await keyChainFixture();
});
afterAll(async () => fx.close());

const errors = (r: ChainResult) =>
  r.findings.filter((f) => f.severity === 'error');

describe('#verifyChain with key-signed steps', () => {
  const types: KeyType[] = ['P-256', 'P-384', 'ed25519'];
  describe.each(types)('when both steps are signed with %s keys', (type) => {
    it('returns verified, naming each step by its key id', async () => {
      const sub = `ok-${type}`;
      const exporter = await fx.makeKey(`${sub}-export`, type);
      const releaser = await fx.makeKey(`${sub}-release`, type);
      const root = await fx.pipeline(sub, { key: exporter }, { key: releaser });
      await fx.writePolicy(
        sub,
        keyPolicyOf(root, [keyRule(exporter)], [keyRule(releaser)]),
      );

      const result = await verifyKeyChain(fx, sub);
      expect(errors(result)).toEqual([]);
      expect(result.verified).toBe(true);
      expect(result.steps.map((s) => [s.kind, s.signer])).toEqual([
        ['export', { keyId: exporter.keyId }],
        ['repackage', { keyId: releaser.keyId }],
      ]);
      expect(result.steps.every((s) => s.signedAt !== undefined)).toBe(true);
      const report = renderJson(result) + renderText(result);
      expect(report).not.toContain('PUBLIC KEY');
      expect(renderText(result)).toContain(`key ${releaser.keyId}`);
    });
  });

  describe('when a step is signed by a key the policy does not list', () => {
    it('returns SIGNER_NOT_ALLOWED naming the claimed step in words only', async () => {
      const sub = 'unlisted';
      const exporter = await fx.makeKey(`${sub}-export`, 'P-256');
      const releaser = await fx.makeKey(`${sub}-release`, 'P-256');
      const intruder = await fx.makeKey(`${sub}-intruder`, 'P-256');
      const root = await fx.pipeline(sub, { key: exporter }, { key: intruder });
      await fx.writePolicy(
        sub,
        keyPolicyOf(root, [keyRule(exporter)], [keyRule(releaser)]),
      );

      const result = await verifyKeyChain(fx, sub);
      expect(result.verified).toBe(false);
      const denied = errors(result).find(
        (f) => f.code === 'SIGNER_NOT_ALLOWED',
      );
      // Unverified: the kind is a claim, so it is no structured fact.
      expect(denied?.step).toBeUndefined();
      expect(denied?.message).toContain('claims to be a repackage step');
    });
  });

  describe("when a step is signed by another step's key", () => {
    it('returns SIGNER_NOT_ALLOWED with the verified key id', async () => {
      const sub = 'swapped';
      const exporter = await fx.makeKey(`${sub}-export`, 'ed25519');
      const releaser = await fx.makeKey(`${sub}-release`, 'ed25519');
      const root = await fx.pipeline(sub, { key: exporter }, { key: exporter });
      await fx.writePolicy(
        sub,
        keyPolicyOf(root, [keyRule(exporter)], [keyRule(releaser)]),
      );

      const result = await verifyKeyChain(fx, sub);
      expect(result.verified).toBe(false);
      const denied = errors(result).find(
        (f) => f.code === 'SIGNER_NOT_ALLOWED',
      );
      expect(denied).toMatchObject({
        step: 'repackage',
        signer: { keyId: exporter.keyId },
      });
    });
  });

  describe('when a deployed file was changed after the last step', () => {
    it('returns FILE_MODIFIED naming the file', async () => {
      const sub = 'changed';
      const exporter = await fx.makeKey(`${sub}-export`, 'P-384');
      const releaser = await fx.makeKey(`${sub}-release`, 'P-384');
      const root = await fx.pipeline(sub, { key: exporter }, { key: releaser });
      await fx.writePolicy(
        sub,
        keyPolicyOf(root, [keyRule(exporter)], [keyRule(releaser)]),
      );
      await appendFile(join(fx.dir, sub, 'm', 'README.md'), 'edited\n');

      const result = await verifyKeyChain(fx, sub);
      expect(result.verified).toBe(false);
      const modified = errors(result).filter((f) => f.code === 'FILE_MODIFIED');
      expect(modified.map((f) => f.file)).toEqual(['README.md']);
    });
  });
});

describe('#verifyChain with unlogged key-signed steps', () => {
  let sub: string;
  let root: string;
  let keys: { export: unknown; release: unknown };
  beforeAll(async () => {
    sub = 'offline';
    const exporter = await fx.makeKey(`${sub}-export`, 'P-256');
    const releaser = await fx.makeKey(`${sub}-release`, 'ed25519');
    root = await fx.pipeline(
      sub,
      { key: exporter, logged: false },
      { key: releaser, logged: false },
    );
    keys = { export: keyRule(exporter), release: keyRule(releaser) };
  });

  describe('when the policy does not allow unlogged steps', () => {
    it('returns ATTESTATION_UNVERIFIED saying a log entry is required', async () => {
      await fx.writePolicy(
        sub,
        keyPolicyOf(root, [keys.export], [keys.release]),
      );
      const result = await verifyKeyChain(fx, sub);
      expect(result.verified).toBe(false);
      const unverified = errors(result).filter(
        (f) => f.code === 'ATTESTATION_UNVERIFIED',
      );
      expect(unverified).toHaveLength(2);
      expect(unverified[0]?.message).toContain('allowUnlogged');
    });
  });

  describe('when the policy sets allowUnlogged', () => {
    it('returns verified, with no signed time for the steps', async () => {
      const extra = { allowUnlogged: true };
      await fx.writePolicy(
        sub,
        keyPolicyOf(root, [keys.export], [keys.release], extra),
      );
      const result = await verifyKeyChain(fx, sub);
      expect(errors(result)).toEqual([]);
      expect(result.verified).toBe(true);
      expect(result.steps.map((s) => s.signedAt)).toEqual([
        undefined,
        undefined,
      ]);
      expect(renderText(result)).toContain('no signed time');
      const unchecked = result.findings.filter(
        (f) => f.code === 'STEP_TIME_UNCHECKED',
      );
      expect(unchecked).toEqual([
        expect.objectContaining({ severity: 'info', step: 'repackage' }),
      ]);
    });
  });
});

describe('#verifyChain with a mixed chain', () => {
  describe('when export is keyless and repackage is key-signed', () => {
    it('returns verified, with each kind of signer', async () => {
      const sub = 'mixed';
      const releaser = await fx.makeKey(`${sub}-release`, 'P-256');
      const identity = 'export-pipeline@site.internal';
      const root = await fx.pipeline(sub, { identity }, { key: releaser });
      const exporters = [{ issuer: fx.standIn.issuer, identity }];
      await fx.writePolicy(
        sub,
        keyPolicyOf(root, exporters, [keyRule(releaser)]),
      );

      const result = await verifyKeyChain(fx, sub);
      expect(errors(result)).toEqual([]);
      expect(result.steps.map((s) => s.signer)).toEqual([
        { identity, issuer: fx.standIn.issuer },
        { keyId: releaser.keyId },
      ]);
    });
  });
});

describe('#verifyChain with k-of-n keys', () => {
  /** Export by one key, repackage by `signers`; policy needs 2 of 3. */
  async function cosigned(sub: string, signers: ('a' | 'b')[]) {
    const exporter = await fx.makeKey(`${sub}-export`, 'P-256');
    const keys = {
      a: await fx.makeKey(`${sub}-a`, 'P-256'),
      b: await fx.makeKey(`${sub}-b`, 'ed25519'),
      c: await fx.makeKey(`${sub}-c`, 'P-384'),
    };
    const releasers = signers.map((name) => ({ key: keys[name] }));
    const root = await fx.pipeline(sub, { key: exporter }, ...releasers);
    const allowed = [keyRule(keys.a), keyRule(keys.b), keyRule(keys.c)];
    const policy = keyPolicyOf(root, [keyRule(exporter)], allowed);
    policy.steps.repackage = { ...policy.steps.repackage, threshold: 2 };
    await fx.writePolicy(sub, policy);
    return verifyKeyChain(fx, sub);
  }

  describe('when one key signs the step twice and the threshold is 2', () => {
    it('returns TOO_FEW_SIGNERS: one key counts once', async () => {
      const result = await cosigned('twice', ['a', 'a']);
      expect(errors(result).map((f) => f.code)).toEqual(['TOO_FEW_SIGNERS']);
    });
  });

  describe('when two distinct allowed keys sign it', () => {
    it('returns verified for a threshold of 2', async () => {
      const result = await cosigned('cosigned', ['a', 'b']);
      expect(errors(result)).toEqual([]);
      expect(result.verified).toBe(true);
      const signers = result.steps.filter((s) => s.kind === 'repackage');
      expect(signers).toHaveLength(2);
    });
  });
});
