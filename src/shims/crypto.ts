/**
 * The part of Node's `crypto` module that `@sigstore/core` calls, on the
 * portable crypto of src/crypto. The browser build (scripts/build-browser.js)
 * puts this module where `@sigstore/core` asks for `crypto`; nothing else
 * imports it. It follows Node's behaviour for the calls Sigstore makes, and
 * Node's tests of it compare the two (test/shims/crypto.test.ts).
 *
 * @packageDocumentation
 */
import { createPortableHash, portableHashName } from '../crypto/hash.js';
import { parseSpki, pemToDer, type PortableKey } from '../crypto/public-key.js';
import { verifySignature } from '../crypto/signature.js';

const CURVE_NAMES = { 'P-256': 'prime256v1', 'P-384': 'secp384r1' } as const;

/** A public key, shaped as far as Sigstore looks at Node's `KeyObject`. */
export class PortableKeyObject {
  readonly type = 'public';

  constructor(
    readonly key: PortableKey,
    private readonly der?: Uint8Array,
  ) {}

  /** Node's `export`, for DER SubjectPublicKeyInfo only. */
  export(options: { format?: string; type?: string }): Buffer {
    if (options.format !== 'der' || options.type !== 'spki' || !this.der) {
      throw new TypeError('only DER SubjectPublicKeyInfo can be exported');
    }
    return Buffer.from(this.der);
  }

  get asymmetricKeyType(): string | undefined {
    return this.key.type === 'unsupported' ? undefined : this.key.type;
  }

  get asymmetricKeyDetails(): { namedCurve?: string } {
    return this.key.type === 'ec'
      ? { namedCurve: CURVE_NAMES[this.key.curve] }
      : {};
  }
}

/** What `createPublicKey` takes: PEM text, or DER with its format. */
export type KeyInput =
  | string
  | Uint8Array
  | { key: string | Uint8Array; format?: string; type?: string };

/**
 * Node's `crypto.createPublicKey` for PEM `PUBLIC KEY` text and DER SPKI
 * (`{ key, format: 'der', type: 'spki' }`). An RSA PKCS#1 key is accepted
 * as a key that verifies nothing, so that a trusted root holding one loads.
 *
 * @throws VerifyError `VERIFY_KEY_INVALID` for a malformed key; TypeError
 *   for another kind of input.
 */
export function createPublicKey(input: KeyInput): PortableKeyObject {
  if (typeof input === 'string') return fromPem(input);
  if (input instanceof Uint8Array) {
    return fromPem(new TextDecoder().decode(input));
  }
  const { key, format = 'pem', type = 'spki' } = input;
  if (format === 'pem') {
    return fromPem(
      typeof key === 'string' ? key : new TextDecoder().decode(key),
    );
  }
  if (format !== 'der' || typeof key === 'string') {
    throw new TypeError(`unsupported key format ${format}`);
  }
  if (type === 'pkcs1') {
    return new PortableKeyObject({ type: 'unsupported', algorithm: 'rsa' });
  }
  if (type !== 'spki') throw new TypeError(`unsupported key type ${type}`);
  return new PortableKeyObject(parseSpki(key), key);
}

function fromPem(pem: string): PortableKeyObject {
  const der = pemToDer(pem);
  return new PortableKeyObject(parseSpki(der), der);
}

/** Node's `crypto.verify(algorithm, data, key, signature)`. */
export function verify(
  algorithm: string | null | undefined,
  data: Uint8Array,
  key: PortableKeyObject | KeyInput,
  signature: Uint8Array,
): boolean {
  const keyObject =
    key instanceof PortableKeyObject ? key : createPublicKey(key);
  return verifySignature(keyObject.key, data, signature, algorithm);
}

/** Node's hash object, for SHA-256, SHA-384 and SHA-512. */
export interface HashObject {
  update(data: string | Uint8Array, encoding?: 'utf8'): HashObject;
  digest(): Buffer;
  digest(encoding: 'hex' | 'base64'): string;
}

/**
 * Node's `crypto.createHash` for SHA-256, SHA-384 and SHA-512.
 *
 * @throws Error for any other hash, as Node does for an unknown one.
 */
export function createHash(algorithm: string): HashObject {
  const name = portableHashName(algorithm);
  if (name === undefined) throw new Error(`digest method not supported`);
  const state = createPortableHash(name);
  const hash = {
    update(data: string | Uint8Array) {
      state.update(
        typeof data === 'string' ? new TextEncoder().encode(data) : data,
      );
      return hash;
    },
    digest(encoding?: 'hex' | 'base64') {
      const out = Buffer.from(state.digest());
      return encoding === undefined ? out : out.toString(encoding);
    },
  };
  return hash as HashObject;
}

/**
 * Node's `crypto.timingSafeEqual`: time independent of where the bytes
 * differ.
 *
 * @throws RangeError when the lengths differ, as Node does.
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) {
    throw new RangeError('input buffers must have the same byte length');
  }
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export default { createHash, createPublicKey, timingSafeEqual, verify };
