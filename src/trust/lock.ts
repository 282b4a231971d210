import { randomBytes } from 'node:crypto';
import { constants, readlinkSync } from 'node:fs';
import {
  link,
  open,
  rename,
  unlink,
  utimes,
  type FileHandle,
} from 'node:fs/promises';
import { hostname } from 'node:os';

import { TrustError } from '../errors.js';

/**
 * A lock file not touched for this long is stale, whoever holds it: its
 * holder touches it every {@link HEARTBEAT_MS} while it runs.
 */
export const STALE_LOCK_MS = 10 * 60_000;

/** How often a holder touches its lock file, so that it never goes stale. */
export const HEARTBEAT_MS = 60_000;

/** How long a refresh waits for another to finish, by default. */
export const DEFAULT_LOCK_WAIT_MS = 60_000;

const POLL_MS = 50;

/** A lock file is a line of JSON; anything larger is not one of ours. */
const MAX_LOCK_BYTES = 1024;

/** Who holds a lock, as far as its file says. */
interface Holder {
  /** Inode of the lock file: tells one lock file from the next. */
  ino: number;
  mtimeMs: number;
  pid?: number;
  host?: string;
  nonce?: string;
}

/** How long to wait, and after how long a lock counts as abandoned. */
export interface LockOptions {
  waitMs: number;
  staleMs?: number;
}

function cacheError(message: string, cause?: unknown): TrustError {
  return new TrustError('TRUST_CACHE_FAILED', message, { cause });
}

/**
 * Runs `fn` holding the lock file at `path`, so that two refreshes of one
 * mirror's cache (parallel jobs on one runner) never write it at once:
 * tuf-js writes its metadata files in place. The lock is taken by creating
 * the file exclusively; a lock whose holder has died on this host (in this
 * pid namespace), or that was not touched for {@link STALE_LOCK_MS}, is
 * broken.
 *
 * @throws TrustError `TRUST_CACHE_LOCKED` when another refresh still holds
 *   the lock after `waitMs`; `TRUST_CACHE_FAILED` when the lock file cannot
 *   be made or is not a regular file.
 */
export async function withLock<T>(
  path: string,
  opts: LockOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const nonce = await acquire(path, opts);
  const touch = (): void => {
    const now = new Date();
    utimes(path, now, now).catch(() => undefined);
  };
  const heartbeat = setInterval(touch, HEARTBEAT_MS);
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    await release(path, nonce);
  }
}

/**
 * This host, and this process's pid namespace where there is one: two
 * containers may share a host name, never a pid namespace, and a pid is
 * only tested for life inside its own namespace.
 */
export function hostId(): string {
  try {
    return `${hostname()} ${readlinkSync('/proc/self/ns/pid')}`;
  } catch {
    return hostname();
  }
}

async function acquire(path: string, opts: LockOptions): Promise<string> {
  const nonce = randomBytes(12).toString('hex');
  const host = hostId();
  const body = JSON.stringify({ pid: process.pid, host, nonce });
  const deadline = Date.now() + opts.waitMs;
  for (;;) {
    if (await tryCreate(path, body)) return nonce;
    const holder = await readHolder(path);
    if (holder === undefined) continue; // released meanwhile: try again
    if (isStale(holder, host, opts.staleMs ?? STALE_LOCK_MS)) {
      await breakLock(path, holder);
    } else if (Date.now() >= deadline) {
      throw new TrustError(
        'TRUST_CACHE_LOCKED',
        `another refresh holds ${path}` +
          (holder.pid === undefined ? '' : ` (process ${holder.pid})`) +
          `; waited ${opts.waitMs} ms`,
      );
    } else {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}

async function tryCreate(path: string, body: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    // O_EXCL: never opens an existing file, nor follows a link planted here.
    handle = await open(path, 'wx', 0o644);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw cacheError(`cannot create the lock file ${path}`, cause);
  }
  try {
    await handle.writeFile(body);
    await handle.close();
  } catch (cause) {
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw cacheError(`cannot write the lock file ${path}`, cause);
  }
  return true;
}

/** The lock file's holder, or `undefined` when there is no lock file. */
async function readHolder(path: string): Promise<Holder | undefined> {
  let handle: FileHandle;
  try {
    // Never follow a link, never block on a FIFO planted here.
    const flags =
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
    handle = await open(path, flags);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw cacheError(`expected a lock file at ${path}`, cause);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw cacheError(`expected a lock file at ${path}`);
    const holder: Holder = { ino: stats.ino, mtimeMs: stats.mtimeMs };
    if (stats.size > MAX_LOCK_BYTES) return holder;
    return { ...holder, ...parseHolder(await handle.readFile('utf8')) };
  } finally {
    await handle.close();
  }
}

/** What a lock file says; nothing for a file still being written. */
function parseHolder(text: string): Partial<Holder> {
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    const { pid, host, nonce } = json;
    return {
      ...(Number.isSafeInteger(pid) && { pid: pid as number }),
      ...(typeof host === 'string' && { host }),
      ...(typeof nonce === 'string' && { nonce }),
    };
  } catch {
    return {};
  }
}

/** Abandoned: not touched for `staleMs`, or its holder died on `host`. */
function isStale(holder: Holder, host: string, staleMs: number): boolean {
  if (Date.now() - holder.mtimeMs > staleMs) return true;
  if (holder.host !== host || holder.pid === undefined) return false;
  return !isAlive(holder.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a stale lock file, taking care not to remove a fresh one made
 * meanwhile by another process: the file is first moved aside, then
 * compared with the one judged stale, and put back if it is not that one.
 */
async function breakLock(path: string, stale: Holder): Promise<void> {
  const aside = `${path}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw cacheError(`cannot remove the stale lock file ${path}`, cause);
  }
  const moved = await readHolder(aside).catch(() => undefined);
  if (moved === undefined || !sameLock(moved, stale)) {
    // A fresh lock: put it back, unless yet another has been made since.
    await link(aside, path).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
}

/**
 * Whether two reads saw one lock file. The inode alone does not tell:
 * ext4 gives a file made just after another is removed the freed inode,
 * so a fresh lock often has the stale one's; its times and nonce differ.
 */
function sameLock(a: Holder, b: Holder): boolean {
  return a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.nonce === b.nonce;
}

async function release(path: string, nonce: string): Promise<void> {
  const holder = await readHolder(path).catch(() => undefined);
  // Ours only: a lock broken as stale may be another's by now.
  if (holder?.nonce === nonce) await unlink(path).catch(() => undefined);
}
