/**
 * `mprov inspect` given a hostile bundle file: whatever the file, a typed
 * error or a FAILED line, never an INTERNAL error, and never a read of
 * more than a bundle can hold.
 */
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MAX_ATTESTATION_BYTES } from '../../src/store/store.js';
import { runCaptured as cli } from '../cli/capture.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-inspect-attack-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('adversarial: mprov inspect of one bundle file', () => {
  it('exits 2 for a file larger than a bundle may be (3 GiB, sparse)', async () => {
    const path = join(dir, 'huge.sigstore.json');
    await writeFile(path, '');
    await truncate(path, 3 * 1024 ** 3);
    const run = await cli('inspect', path);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('USAGE_INPUT_UNREADABLE');
    expect(run.stderr).not.toContain('INTERNAL');
  });

  it('exits 2 for a file just over the bundle limit', async () => {
    const path = join(dir, 'over.sigstore.json');
    await writeFile(path, '');
    await truncate(path, MAX_ATTESTATION_BYTES + 1);
    const run = await cli('inspect', path);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `USAGE_INPUT_UNREADABLE: ${path}: expected at most ` +
        `${MAX_ATTESTATION_BYTES} bytes`,
    );
  });

  it('still reads a bundle file of exactly the limit', async () => {
    const path = join(dir, 'full.sigstore.json');
    await writeFile(path, '{}'.padEnd(MAX_ATTESTATION_BYTES, ' '));
    const run = await cli('inspect', path);
    // Read and parsed whole: refused for what it says, not for its size.
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `mprov: error USAGE_INPUT_UNREADABLE: ${path}: payload type ""\n`,
    );
  });
});
