import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { StoreError } from '../errors.js';
import { readFileBounded } from '../io/bounded-read.js';
import { MAX_BUNDLE_BYTES } from '../verify/bundle-limit.js';
import { removeStaleTemps } from './atomic.js';
import { addEntry, sha256Hex, type EntryKind } from './content-address.js';

/** Name of the store folder inside a model bundle (ignored by hashing). */
export const STORE_DIR_NAME = '.mprov';
const ATTESTATIONS = 'attestations';
const SUFFIX = '.sigstore.json';

export { STALE_TEMP_MS } from './atomic.js';

/**
 * An attestation bundle is small; a larger file is refused unread. The
 * same bound as every other reader of bundles.
 */
export const MAX_ATTESTATION_BYTES = MAX_BUNDLE_BYTES;

const ATTESTATION: EntryKind = {
  what: 'attestation',
  maxBytes: MAX_ATTESTATION_BYTES,
  fileName: (sha256) => sha256 + SUFFIX,
};

/** One stored attestation: its content address and its raw bytes. */
export interface StoredAttestation {
  /** SHA-256 of the bytes, lower-case hex: the entry's stable id. */
  id: string;
  bytes: Buffer;
}

/**
 * A content-addressed folder of Sigstore bundles beside a model bundle:
 * `<model>/.mprov/attestations/<sha256>.sigstore.json`. Entries are written
 * atomically (temporary file, flush, rename), so a crash leaves either the
 * old content or the new; the same bundle written twice is one entry.
 */
export class AttestationStore {
  /** The folder holding the entries. */
  readonly dir: string;

  /** @param storeDir - the store folder, e.g. `model/.mprov`. */
  constructor(storeDir: string) {
    this.dir = join(storeDir, ATTESTATIONS);
  }

  /** The default store of a model bundle folder. */
  static forModel(modelDir: string): AttestationStore {
    return new AttestationStore(join(modelDir, STORE_DIR_NAME));
  }

  /**
   * The default store for a model that is a folder or a single file: the
   * folder's own store, or the store of the folder the file is in.
   */
  static async forPath(path: string): Promise<AttestationStore> {
    const info = await stat(path).catch(() => undefined);
    const folder = info?.isFile() ? dirname(path) : path;
    return AttestationStore.forModel(folder);
  }

  /**
   * Creates the store's folder if needed, and removes the temporary files
   * that writers killed mid-write left in it (see `removeStaleTemps`).
   *
   * @throws StoreError `STORE_WRITE_FAILED` when it cannot be created.
   */
  async prepare(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true });
    } catch (cause) {
      throw new StoreError('STORE_WRITE_FAILED', `cannot create ${this.dir}`, {
        cause,
      });
    }
    await removeStaleTemps(this.dir);
  }

  /**
   * Adds one serialized bundle; returns its id. Stale temporary files of
   * killed writers are removed first (see `removeStaleTemps`).
   *
   * @throws StoreError `STORE_WRITE_FAILED` or `STORE_ENTRY_TOO_LARGE`.
   */
  async add(bytes: Buffer): Promise<string> {
    return addEntry(this.dir, bytes, ATTESTATION);
  }

  /**
   * Reads every entry, in id order. A missing store reads as empty.
   *
   * @throws StoreError `STORE_UNREADABLE` or `STORE_ENTRY_TOO_LARGE`.
   */
  async list(): Promise<StoredAttestation[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (cause) {
      if (isNotFound(cause)) return [];
      throw new StoreError('STORE_UNREADABLE', 'cannot list the store', {
        cause,
      });
    }
    const ids = names
      .filter((n) => n.endsWith(SUFFIX) && !n.startsWith('.'))
      .map((n) => n.slice(0, -SUFFIX.length));
    const entries = await Promise.all(ids.map((n) => this.read(n)));
    return entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private async read(name: string): Promise<StoredAttestation> {
    // One open, no link followed: what is checked is what is read.
    const path = join(this.dir, name + SUFFIX);
    const read = await readFileBounded(path, MAX_ATTESTATION_BYTES);
    if (read.ok) {
      // The id is what the bytes hash to, whatever the file is called.
      return { id: sha256Hex(read.bytes), bytes: read.bytes };
    }
    switch (read.problem) {
      case 'link':
      case 'not-file':
        throw new StoreError(
          'STORE_ENTRY_INVALID',
          `store entry ${name} is not a regular file`,
        );
      case 'too-large':
        throw new StoreError(
          'STORE_ENTRY_TOO_LARGE',
          `store entry ${name} is ${read.size} bytes, limit ${MAX_ATTESTATION_BYTES}`,
        );
      default:
        throw new StoreError('STORE_UNREADABLE', `cannot read entry ${name}`, {
          cause: read.cause,
        });
    }
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
