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
  AttestationStore,
  MAX_ATTESTATION_BYTES,
  STALE_TEMP_MS,
} from '../../src/store/store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('AttestationStore', () => {
  describe('#add', () => {
    it('returns the SHA-256 of the bytes and stores them under it', async () => {
      const store = AttestationStore.forModel(dir);
      const bytes = Buffer.from('{"a":1}');
      const id = await store.add(bytes);
      expect(id).toBe(createHash('sha256').update(bytes).digest('hex'));
      const entries = await store.list();
      expect(entries).toEqual([{ id, bytes }]);
    });

    it('keeps one entry when the same bundle is added twice', async () => {
      const store = AttestationStore.forModel(dir);
      await store.add(Buffer.from('x'));
      await store.add(Buffer.from('x'));
      expect(await store.list()).toHaveLength(1);
      expect(
        (await readdir(store.dir)).filter((n) => n.endsWith('.tmp')),
      ).toEqual([]);
    });

    it('throws STORE_ENTRY_TOO_LARGE over the limit', async () => {
      const store = AttestationStore.forModel(dir);
      const big = Buffer.alloc(MAX_ATTESTATION_BYTES + 1);
      await expect(store.add(big)).rejects.toMatchObject({
        code: 'STORE_ENTRY_TOO_LARGE',
      });
    });
  });

  describe('#list', () => {
    it('returns nothing for a store that does not exist', async () => {
      expect(await new AttestationStore(join(dir, 'none')).list()).toEqual([]);
    });

    it('names each entry by its content, not by its file name', async () => {
      const store = AttestationStore.forModel(dir);
      await store.add(Buffer.from('a'));
      await writeFile(join(store.dir, `${'0'.repeat(64)}.sigstore.json`), 'b');
      const ids = (await store.list()).map((e) => e.id);
      expect(ids).toContain(createHash('sha256').update('b').digest('hex'));
      expect(ids).not.toContain('0'.repeat(64));
    });

    it('refuses an entry over the limit, by its size', async () => {
      const store = AttestationStore.forModel(dir);
      await store.add(Buffer.from('a'));
      const big = join(store.dir, `${'1'.repeat(64)}.sigstore.json`);
      await writeFile(big, '');
      await truncate(big, MAX_ATTESTATION_BYTES + 1);
      const error = await store.list().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).code).toBe('STORE_ENTRY_TOO_LARGE');
    });

    it('refuses an entry that is a folder', async () => {
      const store = AttestationStore.forModel(dir);
      await mkdir(join(store.dir, 'sub.sigstore.json'), { recursive: true });
      const error = await store.list().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).code).toBe('STORE_ENTRY_INVALID');
    });

    it('refuses an entry that is a symbolic link', async () => {
      const store = AttestationStore.forModel(dir);
      await store.add(Buffer.from('a'));
      await symlink('/etc/hostname', join(store.dir, 'link.sigstore.json'));
      const error = await store.list().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).code).toBe('STORE_ENTRY_INVALID');
    });
  });
});

describe('AttestationStore stale temporary files', () => {
  const stale = '.abc.sigstore.json.0123456789ab.tmp';
  const fresh = '.def.sigstore.json.ba9876543210.tmp';

  async function leaveTemps(store: AttestationStore): Promise<void> {
    await mkdir(store.dir, { recursive: true });
    await writeFile(join(store.dir, stale), 'half');
    await writeFile(join(store.dir, fresh), 'half');
    const old = new Date(Date.now() - STALE_TEMP_MS - 60_000);
    await utimes(join(store.dir, stale), old, old);
  }

  it('#prepare removes those a killed writer left, but not recent ones', async () => {
    const store = AttestationStore.forModel(dir);
    await leaveTemps(store);
    await store.prepare();
    const left = await readdir(store.dir);
    expect(left).toContain(fresh);
    expect(left).not.toContain(stale);
  });

  it('#add removes those a killed writer left, but not recent ones', async () => {
    const store = AttestationStore.forModel(dir);
    await leaveTemps(store);
    const id = await store.add(Buffer.from('a'));
    expect((await readdir(store.dir)).sort()).toEqual(
      [fresh, `${id}.sigstore.json`].sort(),
    );
  });
});
