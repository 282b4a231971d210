import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign,
  type KeyObject,
} from 'node:crypto';

import { bundleToJSON } from '@sigstore/bundle';
import {
  DSSEBundleBuilder,
  type Signer as SigstoreSigner,
} from '@sigstore/sign';

import { SigningError } from '../errors.js';
import { checkSignInput, type Signer } from './signer.js';
import {
  checkWitnessOptions,
  witnessesFor,
  type WitnessOptions,
} from './witnesses.js';
import { keyTypeOf } from './key-types.js';

/** A key-based signer's key and where its signatures are witnessed. */
export interface KeySignerOptions extends Omit<WitnessOptions, 'rekorVersion'> {
  /** PEM private key: ECDSA P-256 or P-384, or Ed25519. */
  privateKey: string | KeyObject;
  /** Passphrase of an encrypted PEM key. */
  passphrase?: string;
  /**
   * The bundle's `publicKey.hint`; default: hex SHA-256 of the public key
   * (DER SubjectPublicKeyInfo), which `mprov verify-bundle` reports too.
   */
  hint?: string;
  /** Rekor API; only 1: `@sigstore/sign` logs v2 verifiers as certificates. */
  rekorVersion?: 1;
}

const badKey = (message: string, cause?: unknown) =>
  new SigningError('SIGNING_BAD_KEY', message, { cause });

function loadPrivateKey(opts: KeySignerOptions): KeyObject {
  if (typeof opts.privateKey !== 'string') return opts.privateKey;
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(opts.privateKey)) {
    throw badKey('expected a PEM private key (BEGIN PRIVATE KEY)');
  }
  try {
    return createPrivateKey({
      key: opts.privateKey,
      format: 'pem',
      ...(opts.passphrase !== undefined && { passphrase: opts.passphrase }),
    });
  } catch (cause) {
    // OpenSSL's reasons name the decoder step, never the key material.
    throw badKey('private key does not parse (wrong passphrase?)', cause);
  }
}

/** The hash each key type signs with: SHA-384 on P-384, none on Ed25519. */
function hashFor(key: KeyObject): string | null {
  if (key.type !== 'private') throw badKey('expected a private key');
  const type = keyTypeOf(key);
  if (type === undefined) {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    throw badKey(
      `expected an ECDSA P-256, P-384 or Ed25519 key, found ${key.asymmetricKeyType ?? 'unknown'} ${curve ?? ''}`.trim(),
    );
  }
  return type.hash;
}

/** The `@sigstore/sign` signer for one key: a public-key hint, no certificate. */
function sigstoreSigner(key: KeyObject, hint: string | undefined) {
  const hash = hashFor(key);
  const publicKey = createPublicKey(key);
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const keyHint = hint ?? createHash('sha256').update(der).digest('hex');
  const signer: SigstoreSigner = {
    sign: (data) =>
      Promise.resolve({
        signature: sign(hash, data, key),
        key: { $case: 'publicKey', publicKey: pem, hint: keyHint },
      }),
  };
  return signer;
}

/**
 * A key-based signer for sites without an OIDC provider: the DSSE envelope
 * signed with the given PEM private key, in a v0.3 bundle whose
 * verification material is a public-key hint instead of a certificate.
 * With `rekorURL` the envelope is logged in Rekor (v1 API) as a `dsse`
 * entry; with `tsaServerURL` it gets an RFC 3161 timestamp. With neither,
 * signing is fully offline: the bundle holds the signature alone, and a
 * verifier needs the public key and gets no signed time.
 *
 * @throws SigningError `SIGNING_BAD_KEY` for a key that is not an ECDSA
 *   P-256, P-384 or Ed25519 private key (the message never quotes it),
 *   `SIGNING_BAD_OPTIONS` for a bad URL or Rekor v2; `signDsse` throws
 *   `SIGNING_FAILED` when a service refuses.
 * @example
 * ```ts
 * const signer = keySigner({ privateKey: await readFile('key.pem', 'utf8'),
 *   rekorURL: 'https://rekor.internal.example' });
 * ```
 */
export function keySigner(opts: KeySignerOptions): Signer {
  if ((opts.rekorVersion ?? 1) !== 1) {
    throw new SigningError(
      'SIGNING_BAD_OPTIONS',
      'expected rekorVersion 1 for key-based signing: Rekor v2 entries for keys are not supported',
    );
  }
  checkWitnessOptions(opts);
  const builder = new DSSEBundleBuilder({
    signer: sigstoreSigner(loadPrivateKey(opts), opts.hint),
    witnesses: witnessesFor(opts),
  });
  return {
    async signDsse(payload, payloadType) {
      checkSignInput(payload, payloadType);
      try {
        const bundle = await builder.create({
          data: payload,
          type: payloadType,
        });
        return bundleToJSON(bundle);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new SigningError(
          'SIGNING_FAILED',
          `key-based signing failed: ${reason}`,
          { cause: error },
        );
      }
    },
  };
}
