import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { StoreError } from '../../src/errors.js';
import { addEntry, type EntryKind } from '../../src/store/content-address.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-content-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const KIND: EntryKind = {
  what: 'thing',
  maxBytes: 8,
  fileName: (sha256) => `x-${sha256}.bin`,
};
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('#addEntry', () => {
  it('writes the bytes under the name their SHA-256 gives', async () => {
    const bytes = Buffer.from('12345678');
    const id = await addEntry(join(dir, 'new'), bytes, KIND);
    expect(id).toBe(sha256(bytes));
    expect(await readdir(join(dir, 'new'))).toEqual([`x-${id}.bin`]);
    expect(await readFile(join(dir, 'new', `x-${id}.bin`))).toEqual(bytes);
  });

  it('keeps one file when the same bytes are added twice', async () => {
    await addEntry(dir, Buffer.from('a'), KIND);
    await addEntry(dir, Buffer.from('a'), KIND);
    expect(await readdir(dir)).toHaveLength(1);
  });

  it('throws STORE_ENTRY_TOO_LARGE above the limit, writing nothing', async () => {
    const error = await addEntry(join(dir, 'new'), Buffer.alloc(9), KIND).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('STORE_ENTRY_TOO_LARGE');
    expect(await readdir(dir)).toEqual([]);
  });

  it('throws STORE_WRITE_FAILED, with the cause, when it cannot write', async () => {
    await writeFile(join(dir, 'file'), 'not a folder');
    const error = await addEntry(
      join(dir, 'file'),
      Buffer.from('a'),
      KIND,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('STORE_WRITE_FAILED');
    expect((error as StoreError).cause).toBeInstanceOf(Error);
  });
});
