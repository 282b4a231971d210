/**
 * Keys, tokens and trusted roots named on the command line: a device that
 * never ends, or a file far larger than any of them, is refused with a
 * usage error after a bounded read, never read without end.
 */
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MAX_INPUT_BYTES } from '../../src/cli/io.js';
import { runCaptured as cli } from '../cli/capture.js';

let dir: string;
let huge: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-cli-input-'));
  huge = join(dir, 'huge.json');
  await writeFile(huge, '');
  await truncate(huge, 2 * 1024 ** 3); // sparse: costs no disk
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const tooLarge = `expected at most ${MAX_INPUT_BYTES} bytes, found`;

describe('adversarial: files named on the command line', () => {
  it.each([
    ['inspect --key', ['inspect', '.', '--key', '/dev/zero']],
    ['inspect --trusted-root', ['inspect', '.', '--trusted-root', '/dev/zero']],
    [
      'verify-bundle --key',
      ['verify-bundle', '--bundle', 'b.json', '--key', '/dev/zero', 'x'],
    ],
  ])('%s /dev/zero exits 2 with USAGE_INPUT_UNREADABLE', async (_, args) => {
    const run = await cli(...args);
    expect(run.code).toBe(2);
    const what = args.includes('--key') ? 'public key' : 'trusted root';
    expect(run.stderr).toMatch(
      new RegExp(
        `^mprov: error USAGE_INPUT_UNREADABLE: cannot read ${what} ` +
          `/dev/zero: ${tooLarge} \\d+ or more\n$`,
      ),
    );
  });

  it('refuses a 2 GiB trusted root by its size, naming the bound', async () => {
    const run = await cli('inspect', dir, '--trusted-root', huge);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `cannot read trusted root ${huge}: ${tooLarge}`,
    );
  });

  it('verify-bundle exits 1 with VERIFY_BUNDLE_MALFORMED for a 2 GiB bundle file', async () => {
    const run = await cli(
      'verify-bundle',
      ...['--bundle', huge],
      ...['--certificate-identity', 'a@example.com'],
      ...['--certificate-oidc-issuer', 'https://issuer.example.com'],
      `sha256:${'a'.repeat(64)}`,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('VERIFY_BUNDLE_MALFORMED');
    expect(run.stdout).toContain('expected at most');
  });

  it('refuses a 2 GiB public key for inspect', async () => {
    const run = await cli('inspect', dir, '--key', huge);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`cannot read public key ${huge}: ${tooLarge}`);
  });
});
