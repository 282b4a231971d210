import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { StoreError } from '../errors.js';
import { readFileBounded } from '../io/bounded-read.js';
import { addEntry, type EntryKind } from './content-address.js';
import { STORE_DIR_NAME, type AttestationStore } from './store.js';

const MANIFESTS = 'manifests';
const PREFIX = 'sha256-';
const SUFFIX = '.json';
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * A manifest of a model of a million files is about 150 MB; this bound
 * keeps a hostile store from making the verifier read without end.
 */
export const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;

const MANIFEST: EntryKind = {
  what: 'manifest',
  maxBytes: MAX_MANIFEST_BYTES,
  fileName: (sha256) => PREFIX + sha256 + SUFFIX,
};

/**
 * The content-addressed manifests that statements name in place of file
 * lists: `<model>/.mprov/manifests/sha256-<hex>.json`, beside the
 * attestations, written atomically. The store never trusts a file name:
 * readers hash the bytes and compare before parsing.
 */
export class ManifestStore {
  /** The folder holding the manifests. */
  readonly dir: string;

  /** @param storeDir - the store folder, e.g. `model/.mprov`. */
  constructor(storeDir: string) {
    this.dir = join(storeDir, MANIFESTS);
  }

  /** The manifests of a model bundle folder. */
  static forModel(modelDir: string): ManifestStore {
    return new ManifestStore(join(modelDir, STORE_DIR_NAME));
  }

  /** The manifests kept beside an attestation store's entries. */
  static beside(store: AttestationStore): ManifestStore {
    return new ManifestStore(dirname(store.dir));
  }

  /**
   * Adds a manifest's bytes; returns their SHA-256, its address. Stale
   * temporary files of killed writers are removed first (see
   * `removeStaleTemps`).
   *
   * @throws StoreError `STORE_WRITE_FAILED` or `STORE_ENTRY_TOO_LARGE`.
   */
  async add(bytes: Uint8Array): Promise<string> {
    return addEntry(this.dir, bytes, MANIFEST);
  }

  /**
   * Reads the file stored under a digest, unchecked: the caller hashes the
   * bytes. Returns `undefined` when there is none.
   *
   * @throws StoreError `STORE_ENTRY_INVALID` for a bad digest or a file
   *   that is not regular, `STORE_ENTRY_TOO_LARGE`, `STORE_UNREADABLE`.
   */
  async read(sha256: string): Promise<Uint8Array | undefined> {
    if (!SHA256_HEX.test(sha256)) {
      throw new StoreError('STORE_ENTRY_INVALID', 'expected a sha256 digest');
    }
    // No symbolic link is followed; the bound holds for what is read.
    const read = await readFileBounded(this.path(sha256), MAX_MANIFEST_BYTES);
    if (read.ok) return read.bytes;
    switch (read.problem) {
      case 'missing':
        return undefined;
      case 'link':
      case 'not-file':
        throw new StoreError('STORE_ENTRY_INVALID', 'not a regular file');
      case 'too-large':
        throw new StoreError(
          'STORE_ENTRY_TOO_LARGE',
          `manifest is ${read.size} bytes, limit ${MAX_MANIFEST_BYTES}`,
        );
      case 'unreadable':
        throw new StoreError('STORE_UNREADABLE', 'cannot read manifest', {
          cause: read.cause,
        });
    }
  }

  /** The digests the store's file names claim, sorted; none when absent. */
  async digests(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names
      .filter((n) => n.startsWith(PREFIX) && n.endsWith(SUFFIX))
      .map((n) => n.slice(PREFIX.length, -SUFFIX.length))
      .filter((d) => SHA256_HEX.test(d))
      .sort();
  }

  private path(sha256: string): string {
    return join(this.dir, MANIFEST.fileName(sha256));
  }
}
