/**
 * Attacks on the lock that makes refreshes of one TUF cache take turns.
 *
 * Breaking a stale lock must never remove a fresh one. A file system that
 * reuses a freed inode at once (ext4 does, for a file made right after one
 * is removed in the same folder) gives the fresh lock of a refresh that
 * broke the stale one the stale one's inode: the inode alone cannot tell
 * them apart. The fresh lock is made here by rewriting the stale file in
 * place, which leaves the same state (same inode, new holder, new times)
 * without relying on the allocator.
 */
import * as fs from 'node:fs/promises';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { TrustError } from '../../src/errors.js';
import { withLock } from '../../src/trust/lock.js';

/** Runs once before the lock module's next rename, then lets it through. */
let beforeRename: (() => Promise<void>) | undefined;

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof fs>();
  return {
    ...real,
    rename: async (from: string, to: string) => {
      const hook = beforeRename;
      beforeRename = undefined;
      await hook?.();
      return real.rename(from, to);
    },
  };
});

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-lock-attack-'));
  path = join(dir, 'mirror@lock');
});
afterEach(async () => {
  beforeRename = undefined;
  await rm(dir, { recursive: true, force: true });
});

const holderText = (pid: number, nonce: string) =>
  JSON.stringify({ pid, host: hostname(), nonce });

describe('adversarial: TUF cache lock', () => {
  it('keeps a fresh lock that took the stale one’s inode', async () => {
    // Stale by age: its holder (this process, alive) is long gone from it.
    await writeFile(path, holderText(process.pid, 'stale'));
    const old = new Date(Date.now() - 60_000);
    await utimes(path, old, old);
    // Another refresh breaks the stale lock and takes its own, in the
    // same inode, between our reading the stale holder and moving it.
    beforeRename = () => writeFile(path, holderText(process.pid, 'fresh'));

    let ran = false;
    const error = await withLock(path, { waitMs: 100, staleMs: 30_000 }, () => {
      ran = true;
      return Promise.resolve();
    }).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(ran).toBe(false);
    expect(error).toBeInstanceOf(TrustError);
    expect((error as TrustError).code).toBe('TRUST_CACHE_LOCKED');
    expect(await readFile(path, 'utf8')).toContain('"fresh"');
  });
});
