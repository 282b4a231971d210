/**
 * What `mprov verify-bundle --key` prints about a key signer when the
 * bundle's unauthenticated hint is hostile: no terminal escape, no key.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { keySigner } from '../../src/signing/index.js';
import { startStandIn, type StandIn } from '../../src/testing/index.js';
import { loadPublicKey } from '../../src/verify/public-key.js';
import { runCaptured as cli } from '../cli/capture.js';

process.env.NO_PROXY = '127.0.0.1,localhost';

const HOSTILE = '\u001b]0;owned\u0007\u001b[2J-----BEGIN PUBLIC KEY-----';

let standIn: StandIn;
let dir: string;
let keyId: string;
const p = (name: string) => join(dir, name);

beforeAll(async () => {
  standIn = await startStandIn();
  dir = await mkdtemp(join(tmpdir(), 'mprov-key-report-'));
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pub = pair.publicKey.export({ type: 'spki', format: 'pem' });
  await writeFile(p('key.pub'), pub);
  keyId = loadPublicKey(pub.toString()).digest;
  await writeFile(p('a.txt'), 'artifact\n');
  const sha256 = createHash('sha256').update('artifact\n').digest('hex');
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'a.txt', digest: { sha256 } }],
    predicateType: 'https://example.com/test/v1',
    predicate: {},
  };
  const bundle = (await keySigner({
    privateKey: pair.privateKey
      .export({ type: 'pkcs8', format: 'pem' })
      .toString(),
  }).signDsse(
    Buffer.from(JSON.stringify(statement)),
    'application/vnd.in-toto+json',
  )) as { verificationMaterial: Record<string, unknown> };
  bundle.verificationMaterial.publicKey = { hint: HOSTILE };
  await writeFile(p('a.sigstore.json'), JSON.stringify(bundle));
  await writeFile(p('root.json'), JSON.stringify(standIn.trustedRoot));
});
afterAll(async () => {
  await standIn.close();
  await rm(dir, { recursive: true, force: true });
});

describe('mprov verify-bundle --key with a hostile hint', () => {
  it.each([[[]], [['--json']]])(
    'verifies and prints no escape or key text (%j)',
    async (extra) => {
      const run = await cli(
        'verify-bundle',
        ...['--bundle', p('a.sigstore.json'), '--key', p('key.pub')],
        ...['--trusted-root', p('root.json'), '--allow-unlogged'],
        ...extra,
        p('a.txt'),
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
      // The hint is echoed only as an escaped JSON string, labelled hint.
      if (extra.length === 0) expect(run.stdout).not.toContain('BEGIN');
      expect(run.stdout).toContain(keyId);
    },
  );
});
