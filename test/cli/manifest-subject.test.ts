import { createHash } from 'node:crypto';
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MANIFEST_MEDIA_TYPE } from '../../src/steps/index.js';
import { startStandIn, type StandIn } from '../../src/testing/index.js';
import { runCaptured as cli } from './capture.js';

let dir: string;
let standIn: StandIn;
const p = (...parts: string[]) => join(dir, ...parts);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-cli-manifest-'));
  standIn = await startStandIn();
  await mkdir(p('in'));
  await mkdir(p('out', 'tok'), { recursive: true });
  await writeFile(p('in', 'w.bin'), 'float weights');
  await writeFile(p('out', 'w.bin'), 'int8 weights');
  await writeFile(p('out', 'tok', 'vocab.json'), '{"a":1}');
  await writeFile(p('token'), await standIn.mintToken('q@example.com'));
  await writeFile(p('root.json'), JSON.stringify(standIn.trustedRoot));
  const root = createHash('sha256').update('float weights').digest('hex');
  await writeFile(
    p('policy.json'),
    JSON.stringify({
      version: 1,
      steps: {
        quantize: {
          signers: [{ issuer: standIn.issuer, identity: 'q@example.com' }],
        },
      },
      roots: [{ sha256: root }],
    }),
  );
});
afterAll(async () => {
  await standIn.close();
  await rm(dir, { recursive: true, force: true });
});

function attest(mode: string) {
  return cli(
    'attest',
    '--kind',
    'quantize',
    '--input',
    p('in'),
    '--output',
    p('out'),
    '--param',
    'scheme=int8',
    '--param',
    'bits=8',
    '--builder-id',
    'https://ci.example.com/q',
    '--fulcio-url',
    standIn.fulcioURL,
    '--rekor-url',
    standIn.rekorURL,
    '--identity-token-file',
    p('token'),
    '--manifest-subject',
    mode,
    '--json',
  );
}

const verify = () =>
  cli(
    'verify',
    p('out'),
    '--policy',
    p('policy.json'),
    '--trusted-root',
    p('root.json'),
  );

describe('mprov attest --manifest-subject', () => {
  it('exits 2 for a mode it does not know', async () => {
    const { code, stderr } = await attest('sometimes');
    expect(code).toBe(2);
    expect(stderr).toContain('USAGE_INVALID');
  });

  it('names a stored manifest under always; verify exits 0, then 1', async () => {
    const { code, stdout, stderr } = await attest('always');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const { statement } = JSON.parse(stdout) as {
      statement: {
        subject: { mediaType?: string; digest: { sha256: string } }[];
      };
    };
    const [manifest] = statement.subject;
    expect(manifest?.mediaType).toBe(MANIFEST_MEDIA_TYPE);
    const stored = await readdir(p('out', '.mprov', 'manifests'));
    expect(stored).toContain(`sha256-${manifest?.digest.sha256}.json`);
    const bytes = await readFile(
      p('out', '.mprov', 'manifests', `sha256-${manifest?.digest.sha256}.json`),
    );
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      manifest?.digest.sha256,
    );

    const shown = await cli(
      'inspect',
      p('out'),
      '--trusted-root',
      p('root.json'),
    );
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(
      `out      manifest sha256:${manifest?.digest.sha256}`,
    );

    const good = await verify();
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('VERIFIED');
    expect(good.stdout).toContain(`trusted root sha256:`);
    expect(good.stdout).toContain(`(${p('root.json')})`);

    // Without --trusted-root, the embedded public-good root, and it says so.
    const publicGood = await cli(
      'verify',
      p('out'),
      '--policy',
      p('policy.json'),
    );
    expect(publicGood.code).toBe(1);
    expect(publicGood.stdout).toContain('(embedded public-good root');

    await writeFile(p('out', 'tok', 'vocab.json'), '{"a":2}');
    const bad = await verify();
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('FILE_MODIFIED');
    expect(bad.stdout).toContain('tok/vocab.json');
  });
});
