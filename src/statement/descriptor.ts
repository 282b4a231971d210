import type { StatementErrorCode } from '../errors.js';
import {
  fail,
  isObject,
  kindOf,
  optionalObject,
  optionalString,
  type JsonObject,
} from './json.js';
import type { ResourceDescriptor } from './types.js';

/**
 * Digest sizes in bytes of the algorithms the in-toto DigestSet spec knows.
 * Git object ids may be SHA-1 or SHA-256. Other algorithm names are allowed
 * and their values are not checked.
 */
const KNOWN_DIGEST_BYTES: Readonly<Record<string, readonly number[]>> = {
  md5: [16],
  sha1: [20],
  sha224: [28],
  sha512_224: [28],
  sha256: [32],
  sha512_256: [32],
  sha384: [48],
  sha512: [64],
  sha3_224: [28],
  sha3_256: [32],
  sha3_384: [48],
  sha3_512: [64],
  dirHash: [32],
  gitBlob: [20, 32],
  gitCommit: [20, 32],
  gitTag: [20, 32],
  gitTree: [20, 32],
};

/** Standard or URL-safe base64, padded or not, as protobuf JSON accepts. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2,3}={0,2})?$/;
const BASE64URL = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3}={0,2})?$/;

const LOWER_HEX = /^(?:[0-9a-f]{2})*$/;

const STRING_FIELDS = ['name', 'uri', 'content', 'downloadLocation'] as const;

/**
 * Validates an in-toto v1 ResourceDescriptor.
 *
 * At least one of `name`, `uri`, `digest` or `content` must be non-empty
 * (the reference validator's rule, which also accepts a bare name). Digests
 * of known algorithms must be lower-case hex of the algorithm's length.
 * Unknown fields are dropped, as the spec tells consumers to ignore them.
 *
 * @param v - A parsed JSON value.
 * @param at - JSON path used in error messages.
 * @returns A copy holding only the known fields.
 * @throws {@link StatementError} `STATEMENT_DESCRIPTOR_INVALID` for a wrong
 *   shape or no identifying field; `STATEMENT_DIGEST_INVALID` for a digest
 *   of a known algorithm with bad encoding or length.
 */
export function validateResourceDescriptor(
  v: unknown,
  at = 'resourceDescriptor',
): ResourceDescriptor {
  const code: StatementErrorCode = 'STATEMENT_DESCRIPTOR_INVALID';
  if (!isObject(v)) {
    throw fail(code, at, `expected an object, found ${kindOf(v)}`);
  }
  const rd: ResourceDescriptor = {};
  for (const key of [...STRING_FIELDS, 'mediaType'] as const) {
    const s = optionalString(v, key, at, code);
    if (s !== undefined) rd[key] = s;
  }
  const digest = optionalObject(v, 'digest', at, code);
  if (digest !== undefined) rd.digest = validateDigestSet(digest, at);
  const annotations = optionalObject(v, 'annotations', at, code);
  if (annotations !== undefined) rd.annotations = annotations;

  const identified =
    STRING_FIELDS.some(
      (k) => k !== 'downloadLocation' && rd[k] !== '' && rd[k] !== undefined,
    ) || Object.keys(rd.digest ?? {}).length > 0;
  if (!identified) {
    throw fail(code, at, 'expected one of name, uri, digest or content');
  }
  if (rd.content !== undefined && !isBase64(rd.content)) {
    throw fail(code, `${at}.content`, 'expected base64');
  }
  return rd;
}

function validateDigestSet(
  digest: JsonObject,
  at: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [alg, value] of Object.entries(digest)) {
    const where = `${at}.digest.${alg}`;
    if (typeof value !== 'string') {
      throw fail(
        'STATEMENT_DESCRIPTOR_INVALID',
        where,
        `expected a string, found ${kindOf(value)}`,
      );
    }
    checkKnownDigest(alg, value, where);
    out[alg] = value;
  }
  return out;
}

function checkKnownDigest(alg: string, value: string, where: string): void {
  const sizes = Object.hasOwn(KNOWN_DIGEST_BYTES, alg)
    ? KNOWN_DIGEST_BYTES[alg]
    : undefined;
  if (sizes === undefined) return;
  if (!LOWER_HEX.test(value)) {
    throw fail('STATEMENT_DIGEST_INVALID', where, 'expected lower-case hex');
  }
  if (!sizes.includes(value.length / 2)) {
    throw fail(
      'STATEMENT_DIGEST_INVALID',
      where,
      `expected ${sizes.map((n) => n * 2).join(' or ')} hex characters, ` +
        `found ${value.length}`,
    );
  }
}

function isBase64(s: string): boolean {
  return s.length % 4 !== 1 && (BASE64.test(s) || BASE64URL.test(s));
}
