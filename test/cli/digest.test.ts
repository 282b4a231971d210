import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { makeDigestCommand } from '../../src/cli/digest.js';
import { runCli } from '../../src/cli/run.js';
import type { CliIO } from '../../src/cli/io.js';

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');
const SAMPLE = join(
  import.meta.dirname,
  '../../../shared/testdata/model-signing/fixture-models/sample_model_folder/sample_model',
);
/** OMS subject digests of the sample model (files; shards of 8 bytes). */
const FILES_ROOT =
  '143cc682e555951649f18e2761c3d526d2502996f5e32dc187ef7f8a614f8df7';
const SHARDS_8_ROOT =
  '2139af57fd2a4f324ac7cd0fc04898cce73d0871b363c8eb3fc07ab7da4c8445';

function buffers(): CliIO & { out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    out: () => stdout,
    err: () => stderr,
  };
}

async function cli(...args: string[]) {
  const io = buffers();
  const code = await runCli(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

describe('mprov digest', () => {
  describe('when given a model folder', () => {
    it('prints one line a file and the OMS root digest', async () => {
      const { code, stdout } = await cli('digest', SAMPLE);
      expect(code).toBe(0);
      const lines = stdout.trim().split('\n');
      expect(lines[0]).toBe(
        '# files serialization, sha256, ignoring .mprov .git',
      );
      expect(lines[1]).toMatch(/^[0-9a-f]{64} {2}d0\/f00$/);
      expect(lines.at(-1)).toBe(`root sha256:${FILES_ROOT}  sample_model`);
    });

    it('prints the manifest as JSON with OMS field names', async () => {
      const { stdout } = await cli(
        'digest',
        SAMPLE,
        '--serialization',
        'shards',
        '--shard-size',
        '8',
        '--json',
      );
      const json = JSON.parse(stdout) as {
        subject: { digest: { sha256: string } };
        serialization: Record<string, unknown>;
        resources: { name: string; algorithm: string }[];
      };
      expect(json.subject.digest.sha256).toBe(SHARDS_8_ROOT);
      expect(json.serialization).toMatchObject({
        method: 'shards',
        hash_type: 'sha256',
        shard_size: 8,
      });
      expect(json.resources[0]).toMatchObject({
        name: 'd0/f00:0:8',
        algorithm: 'sha256-sharded-8',
      });
    });
  });

  describe('when the arguments are wrong', () => {
    it.each([
      [['digest']],
      [['digest', SAMPLE, '--serialization', 'tensors']],
      [['digest', SAMPLE, '--shard-size', '8']],
      [['digest', SAMPLE, '--serialization', 'shards', '--shard-size', '0']],
      [['digest', SAMPLE, '--hash', 'md5']],
    ])('exits 2 for %j', async (args) => {
      const { code, stderr } = await cli(...args);
      expect(code).toBe(2);
      expect(stderr).toMatch(
        /^mprov: error (USAGE_INVALID|DIGEST_BAD_OPTIONS)/,
      );
    });
  });

  describe('when stderr is a terminal', () => {
    it('draws a progress bar and clears it', async () => {
      const io = buffers();
      const code = await makeDigestCommand(() => true).run([SAMPLE], io);
      expect(code).toBe(0);
      expect(io.err()).toContain('100%');
      expect(io.err().endsWith('\r\x1b[K')).toBe(true);
    });
  });

  describe('when stderr is not a terminal', () => {
    it('draws nothing', async () => {
      const io = buffers();
      await makeDigestCommand(() => false).run([SAMPLE], io);
      expect(io.err()).toBe('');
    });
  });
});

describe('mprov digest (built)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mprov-cli-digest-'));
    await mkdir(join(dir, 'm'));
    await writeFile(join(dir, 'm/w.bin'), Buffer.alloc(3 * 1024 * 1024, 7));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('hashes in the dist worker and prints no progress when piped', async () => {
    const { stdout, stderr } = await run(process.execPath, [
      MAIN,
      'digest',
      join(dir, 'm'),
      '--hash',
      'blake2b',
    ]);
    expect(stdout).toMatch(/^[0-9a-f]{128} {2}w\.bin$/m);
    expect(stderr).toBe('');
  });
});
