import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  mkdir,
  mkdtemp,
  readdir,
  rm,
  symlink,
  truncate,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { StoreError } from '../../src/errors.js';
import {
  ManifestStore,
  MAX_MANIFEST_BYTES,
} from '../../src/store/manifests.js';
import { STALE_TEMP_MS } from '../../src/store/atomic.js';
import { AttestationStore } from '../../src/store/store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-manifests-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const codeOf = (e: unknown) => (e instanceof StoreError ? e.code : e);

describe('ManifestStore', () => {
  it('sits beside the attestations of the same store', () => {
    const store = ManifestStore.beside(AttestationStore.forModel(dir));
    expect(store.dir).toBe(join(dir, '.mprov', 'manifests'));
    expect(ManifestStore.forModel(dir).dir).toBe(store.dir);
  });

  describe('#add', () => {
    it('stores the bytes under their SHA-256 and returns it', async () => {
      const store = ManifestStore.forModel(dir);
      const bytes = Buffer.from('{"files":[]}');
      const sha = await store.add(bytes);
      expect(sha).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(await readdir(store.dir)).toEqual([`sha256-${sha}.json`]);
      expect(await store.read(sha)).toEqual(bytes);
      expect(await store.digests()).toEqual([sha]);
    });

    it('removes temporary files a killed writer left, not recent ones', async () => {
      const store = ManifestStore.forModel(dir);
      const stale = `.sha256-${'d'.repeat(64)}.json.0123456789ab.tmp`;
      const fresh = `.sha256-${'e'.repeat(64)}.json.ba9876543210.tmp`;
      await mkdir(store.dir, { recursive: true });
      await writeFile(join(store.dir, stale), 'half');
      await writeFile(join(store.dir, fresh), 'half');
      const old = new Date(Date.now() - STALE_TEMP_MS - 60_000);
      await utimes(join(store.dir, stale), old, old);
      const sha = await store.add(Buffer.from('{"files":[]}'));
      expect((await readdir(store.dir)).sort()).toEqual(
        [fresh, `sha256-${sha}.json`].sort(),
      );
    });
  });

  describe('#read', () => {
    it('returns undefined when nothing is stored under the digest', async () => {
      const store = ManifestStore.forModel(dir);
      expect(await store.read('a'.repeat(64))).toBeUndefined();
      expect(await store.digests()).toEqual([]);
    });

    it('throws STORE_ENTRY_INVALID for a digest that is no digest', async () => {
      const store = ManifestStore.forModel(dir);
      const error = await store.read('../../x').catch((e: unknown) => e);
      expect(codeOf(error)).toBe('STORE_ENTRY_INVALID');
    });

    it('throws STORE_ENTRY_INVALID for a symbolic link', async () => {
      const store = ManifestStore.forModel(dir);
      const sha = await store.add(Buffer.from('x'));
      const link = join(store.dir, `sha256-${'b'.repeat(64)}.json`);
      await symlink(join(store.dir, `sha256-${sha}.json`), link);
      const error = await store.read('b'.repeat(64)).catch((e: unknown) => e);
      expect(codeOf(error)).toBe('STORE_ENTRY_INVALID');
    });

    it('throws STORE_ENTRY_INVALID for a folder', async () => {
      const store = ManifestStore.forModel(dir);
      await mkdir(join(store.dir, `sha256-${'f'.repeat(64)}.json`), {
        recursive: true,
      });
      const error = await store.read('f'.repeat(64)).catch((e: unknown) => e);
      expect(codeOf(error)).toBe('STORE_ENTRY_INVALID');
    });

    it('throws STORE_ENTRY_INVALID for a FIFO, without hanging', async () => {
      const store = ManifestStore.forModel(dir);
      await mkdir(store.dir, { recursive: true });
      execFileSync('mkfifo', [
        join(store.dir, `sha256-${'9'.repeat(64)}.json`),
      ]);
      const error = await store.read('9'.repeat(64)).catch((e: unknown) => e);
      expect(codeOf(error)).toBe('STORE_ENTRY_INVALID');
    }, 5_000);

    it('throws STORE_ENTRY_TOO_LARGE past the limit, unread', async () => {
      const store = ManifestStore.forModel(dir);
      const sha = 'c'.repeat(64);
      await mkdir(store.dir, { recursive: true });
      const path = join(store.dir, `sha256-${sha}.json`);
      await writeFile(path, '');
      await truncate(path, MAX_MANIFEST_BYTES + 1);
      const error = await store.read(sha).catch((e: unknown) => e);
      expect(codeOf(error)).toBe('STORE_ENTRY_TOO_LARGE');
    });
  });
});
