/**
 * Hashes for code that must run without Node: `@noble/hashes`, pure
 * JavaScript. Bulk file hashing stays on `node:crypto` (src/digest), which
 * is about ten times faster; these serve small inputs such as bundles,
 * trusted roots and digests of digests.
 */
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** The hashes that signature checks of Sigstore material use. */
export type PortableHashName = 'sha256' | 'sha384' | 'sha512';

/** An incremental hash: feed bytes, then take the digest once. */
export interface PortableHash {
  update(data: Uint8Array): PortableHash;
  digest(): Uint8Array;
}

const CONSTRUCTORS = { sha256, sha384, sha512 } as const;

/**
 * The portable name of a hash as OpenSSL or Node spell it (`SHA256`,
 * `sha-256`, `sha256`), or `undefined` for any other hash.
 *
 * @param name - A hash name; case and one hyphen do not matter.
 */
export function portableHashName(name: string): PortableHashName | undefined {
  const plain = name.toLowerCase().replace(/^sha-/, 'sha');
  return Object.hasOwn(CONSTRUCTORS, plain)
    ? (plain as PortableHashName)
    : undefined;
}

/**
 * Starts an incremental hash.
 *
 * @param name - From {@link portableHashName}.
 */
export function createPortableHash(name: PortableHashName): PortableHash {
  const state = CONSTRUCTORS[name].create();
  const hash: PortableHash = {
    update(data) {
      state.update(data);
      return hash;
    },
    digest: () => state.digest(),
  };
  return hash;
}

/**
 * Lower-case hex SHA-256 of bytes, or of a string's UTF-8 encoding.
 *
 * @example
 * ```ts
 * sha256Hex('abc'); // 'ba7816bf...'
 * ```
 */
export function sha256Hex(data: Uint8Array | string): string {
  const bytes = typeof data === 'string' ? utf8ToBytes(data) : data;
  return bytesToHex(sha256(bytes));
}
