import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startStandIn, type StandIn } from '../../src/testing/index.js';
import { runCaptured as cli } from '../cli/capture.js';

process.env.NO_PROXY = '127.0.0.1,localhost';

let work: string;
let standIn: StandIn;

async function step(name: string) {
  await mkdir(join(work, name, 'in'), { recursive: true });
  await mkdir(join(work, name, 'out'), { recursive: true });
  await writeFile(join(work, name, 'in', 'w.bin'), `input of ${name}`);
  await writeFile(join(work, name, 'out', 'w.bin'), `output of ${name}`);
  return [
    'attest',
    '--kind',
    'custom-step',
    '--input',
    join(work, name, 'in'),
    '--output',
    join(work, name, 'out'),
    '--builder-id',
    'https://ci.example.com/test',
  ];
}

async function storeOf(name: string): Promise<string[]> {
  return readdir(join(work, name, 'out', '.mprov'), { recursive: true });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mprov-attest-cli-'));
  standIn = await startStandIn({ rekorVersion: 2 });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  await writeFile(join(work, 'key.pem'), pem);
});

afterAll(async () => {
  await standIn.close();
  await rm(work, { recursive: true, force: true });
});

describe('mprov attest', () => {
  describe('with --key and a Rekor URL', () => {
    it('attests with the key, exit 0', async () => {
      const args = await step('logged');
      const run = await cli(
        ...args,
        '--key',
        join(work, 'key.pem'),
        '--rekor-url',
        standIn.rekorURL,
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect((await storeOf('logged')).length).toBeGreaterThan(0);
    });
  });

  describe('with --key alone', () => {
    it('attests offline, exit 0', async () => {
      const args = await step('offline');
      const run = await cli(...args, '--key', join(work, 'key.pem'));
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    });
  });

  describe('with --key and --rekor-version 2', () => {
    it('exits 2', async () => {
      const args = await step('key-v2');
      const run = await cli(
        ...args,
        '--key',
        join(work, 'key.pem'),
        '--rekor-version',
        '2',
      );
      expect(run.code).toBe(2);
    });
  });

  describe('with --rekor-version 2 keyless', () => {
    it('attests through Rekor v2 and the TSA, exit 0', async () => {
      const args = await step('v2');
      const tokenFile = join(work, 'token');
      await writeFile(tokenFile, await standIn.mintToken('ci@example.com'));
      const run = await cli(
        ...args,
        '--fulcio-url',
        standIn.fulcioURL,
        '--rekor-url',
        standIn.rekorURL,
        '--tsa-url',
        standIn.tsaURL,
        '--rekor-version',
        '2',
        '--identity-token-file',
        tokenFile,
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    });

    it('exits 2 without --tsa-url', async () => {
      const args = await step('v2-no-tsa');
      const run = await cli(
        ...args,
        '--fulcio-url',
        standIn.fulcioURL,
        '--rekor-url',
        standIn.rekorURL,
        '--rekor-version',
        '2',
        '--identity-token-file',
        join(work, 'token'),
      );
      expect(run.code).toBe(2);
    });
  });
});
