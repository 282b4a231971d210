import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TESTDATA } from '../testdata.js';
import { runCaptured as cli } from './capture.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-inspect-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('mprov inspect', () => {
  describe('when PATH is not an attestation', () => {
    it.each([
      ['policy.yaml', 'version: 1\nsteps: {}\n'],
      ['empty-object.json', '{}'],
    ])('exits 2 for %s, with one coded line on stderr', async (name, text) => {
      await writeFile(join(dir, name), text);
      const { code, stdout, stderr } = await cli('inspect', join(dir, name));
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^mprov: error USAGE_INPUT_UNREADABLE: .*\n$/);
      expect(stderr.split('\n')).toHaveLength(2);
    });
  });

  describe('when PATH is a real Sigstore bundle of another kind', () => {
    it('exits 2 saying it is no step of this project', async () => {
      const bundle = join(
        TESTDATA,
        'npm-provenance',
        'sigstore-js-2.1.0-bundle.json',
      );
      const { code, stderr } = await cli('inspect', bundle);
      expect(code).toBe(2);
      expect(stderr).toContain('STATEMENT_PREDICATE_INVALID');
    });
  });
});
