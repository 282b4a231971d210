/**
 * The lock that makes refreshes of one TUF cache take turns: taken by
 * creating a file exclusively, broken only when its holder is gone.
 */
import { spawnSync } from 'node:child_process';
import {
  mkdir,
  mkdtemp,
  readdir,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { TrustError } from '../../src/errors.js';
import { HEARTBEAT_MS, hostId, withLock } from '../../src/trust/lock.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-lock-'));
  path = join(dir, 'mirror@lock');
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TrustError);
  return (error as TrustError).code;
}

/** A process id that no process has now: one that just ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.exit(0)']);
  return child.pid ?? 0x3fffffff;
}

const holderText = (pid: number, host = hostId()) =>
  JSON.stringify({ pid, host, nonce: 'theirs' });

describe('#withLock', () => {
  it('runs one holder at a time and removes the lock after', async () => {
    const order: string[] = [];
    const run = (name: string) =>
      withLock(path, { waitMs: 5000 }, async () => {
        order.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, 30));
        order.push(`${name} out`);
        return name;
      });
    const results = await Promise.all([run('a'), run('b'), run('c')]);
    expect(results).toEqual(['a', 'b', 'c']);
    // Never two inside: every "in" is followed by its own "out".
    for (let i = 0; i < order.length; i += 2) {
      expect(order[i + 1]).toBe(order[i]?.replace(' in', ' out'));
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('removes the lock when the work throws', async () => {
    await expect(
      withLock(path, { waitMs: 0 }, () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    expect(await readdir(dir)).toEqual([]);
  });

  it('throws TRUST_CACHE_LOCKED while a live process holds it', async () => {
    await writeFile(path, holderText(process.pid));
    let ran = false;
    const code = await codeOf(
      withLock(path, { waitMs: 120 }, () => {
        ran = true;
        return Promise.resolve();
      }),
    );
    expect(code).toBe('TRUST_CACHE_LOCKED');
    expect(ran).toBe(false);
    // Not ours: left in place.
    expect(await readdir(dir)).toEqual(['mirror@lock']);
  });

  it('breaks a lock whose holder died on this host', async () => {
    await writeFile(path, holderText(deadPid()));
    const out = await withLock(path, { waitMs: 0 }, () =>
      Promise.resolve('ran'),
    );
    expect(out).toBe('ran');
    expect(await readdir(dir)).toEqual([]);
  });

  it('waits for a holder on another host, however dead its pid', async () => {
    await writeFile(path, holderText(deadPid(), `not-${hostname()}`));
    const code = await codeOf(
      withLock(path, { waitMs: 60 }, () => Promise.resolve()),
    );
    expect(code).toBe('TRUST_CACHE_LOCKED');
  });

  it('waits for a holder in another pid namespace of this host', async () => {
    // Containers may share a host name; a pid means nothing across them.
    await writeFile(path, holderText(deadPid(), `${hostname()} pid:[1]`));
    const code = await codeOf(
      withLock(path, { waitMs: 60 }, () => Promise.resolve()),
    );
    expect(code).toBe('TRUST_CACHE_LOCKED');
  });

  it('touches its lock while it holds it, so that it never goes stale', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const old = new Date(Date.now() - 5 * 60_000);
      await withLock(path, { waitMs: 0 }, async () => {
        await utimes(path, old, old);
        vi.advanceTimersByTime(HEARTBEAT_MS);
        // The touch is a file system call: let it land.
        await new Promise((resolve) => setTimeout(resolve, 50));
        const { mtimeMs } = await stat(path);
        expect(Date.now() - mtimeMs).toBeLessThan(60_000);
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it('breaks a lock older than the stale age, even a live one', async () => {
    await writeFile(path, holderText(process.pid, `not-${hostname()}`));
    const old = new Date(Date.now() - 60_000);
    await utimes(path, old, old);
    const out = await withLock(path, { waitMs: 0, staleMs: 30_000 }, () =>
      Promise.resolve('ran'),
    );
    expect(out).toBe('ran');
  });

  it('waits on a lock file still being written (empty)', async () => {
    await writeFile(path, '');
    const code = await codeOf(
      withLock(path, { waitMs: 60 }, () => Promise.resolve()),
    );
    expect(code).toBe('TRUST_CACHE_LOCKED');
  });

  it('throws TRUST_CACHE_FAILED for a link at the lock path', async () => {
    await writeFile(join(dir, 'elsewhere'), holderText(deadPid()));
    await symlink(join(dir, 'elsewhere'), path);
    const code = await codeOf(
      withLock(path, { waitMs: 0 }, () => Promise.resolve(1)),
    );
    expect(code).toBe('TRUST_CACHE_FAILED');
    expect((await readdir(dir)).sort()).toEqual(['elsewhere', 'mirror@lock']);
  });

  it('throws TRUST_CACHE_FAILED for a folder at the lock path', async () => {
    await mkdir(path);
    const code = await codeOf(
      withLock(path, { waitMs: 0 }, () => Promise.resolve(1)),
    );
    expect(code).toBe('TRUST_CACHE_FAILED');
  });
});
