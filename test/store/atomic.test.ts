import {
  lstat,
  lutimes,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  removeStaleTemps,
  STALE_TEMP_MS,
  writeFileAtomic,
} from '../../src/store/atomic.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A name as writeFileAtomic makes it for `target`. */
const tempOf = (target: string, rand = '0123456789ab') =>
  `.${target}.${rand}.tmp`;

const past = () => new Date(Date.now() - STALE_TEMP_MS - 60_000);

async function oldFile(name: string, content = 'half'): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  await utimes(path, past(), past());
  return path;
}

describe('#writeFileAtomic', () => {
  it('creates the file with the mode given, replacing a wider one', async () => {
    await writeFile(join(dir, 'token'), 'old', { mode: 0o644 });
    await writeFileAtomic(join(dir, 'token'), 'secret', 0o600);
    expect((await lstat(join(dir, 'token'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, 'token'), 'utf8')).toBe('secret');
  });

  it('replaces the file and leaves no temporary file', async () => {
    await writeFile(join(dir, 'a.json'), 'old');
    await writeFileAtomic(join(dir, 'a.json'), 'new');
    expect(await readFile(join(dir, 'a.json'), 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['a.json']);
  });
});

describe('#removeStaleTemps', () => {
  describe('when a killed writer left a temporary file', () => {
    it('removes it once it is older than STALE_TEMP_MS', async () => {
      await oldFile(tempOf('a.sigstore.json'));
      await oldFile(tempOf('sha256-ff.json', 'fedcba987654'));
      expect(await removeStaleTemps(dir)).toBe(2);
      expect(await readdir(dir)).toEqual([]);
    });

    it('keeps it while it is recent: a writer may still be at work', async () => {
      const name = tempOf('a.sigstore.json');
      await writeFile(join(dir, name), 'half');
      const edge = new Date(Date.now() - STALE_TEMP_MS + 60_000);
      await utimes(join(dir, name), edge, edge);
      expect(await removeStaleTemps(dir)).toBe(0);
      expect(await readdir(dir)).toEqual([name]);
    });
  });

  describe('when a name only looks like a temporary file', () => {
    it('leaves names outside the exact pattern alone', async () => {
      const names = [
        'a.sigstore.json',
        '.a.sigstore.json.1234.tmp', // too few random digits
        '.a.0123456789abc.tmp', // too many
        '.a.0123456789AB.tmp', // upper case: never made
        'a.0123456789ab.tmp', // no leading dot
        '..0123456789ab.tmp', // no target name
        '.a.0123456789ab.tmp.bak',
        '.a.0123456789ab.TMP',
      ].sort();
      for (const name of names) await oldFile(name);
      expect(await removeStaleTemps(dir)).toBe(0);
      expect((await readdir(dir)).sort()).toEqual(names);
    });

    it('leaves a symbolic link alone, and what it points to', async () => {
      const outside = await mkdtemp(join(tmpdir(), 'mprov-atomic-out-'));
      try {
        const target = join(outside, 'precious');
        await writeFile(target, 'keep');
        await utimes(target, past(), past());
        const link = join(dir, tempOf('a.json'));
        await symlink(target, link);
        await lutimes(link, past(), past());
        expect(await removeStaleTemps(dir)).toBe(0);
        expect((await lstat(link)).isSymbolicLink()).toBe(true);
        expect(await readFile(target, 'utf8')).toBe('keep');
      } finally {
        await rm(outside, { recursive: true, force: true });
      }
    });

    it('leaves a folder alone, and what is in it', async () => {
      const folder = join(dir, tempOf('a.json'));
      await mkdir(folder);
      await writeFile(join(folder, tempOf('b.json')), 'x');
      await utimes(join(folder, tempOf('b.json')), past(), past());
      await utimes(folder, past(), past());
      expect(await removeStaleTemps(dir)).toBe(0);
      expect(await readdir(folder)).toEqual([tempOf('b.json')]);
    });
  });

  it('returns 0 for a folder that does not exist', async () => {
    expect(await removeStaleTemps(join(dir, 'none'))).toBe(0);
  });
});
