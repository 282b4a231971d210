import { PolicyError, ProvenanceError } from '../errors.js';
import { invalid, text } from './fields.js';
import { loadPublicKey } from '../verify/public-key.js';

/** Who may sign a step: an OIDC issuer and an identity, exact or pattern. */
export interface IdentitySignerRule {
  /** OIDC issuer URL, compared exactly. */
  issuer: string;
  /** Certificate identity (URI or e-mail SAN), compared exactly. */
  identity?: string;
  /** A regular expression that must match the whole identity (anchored). */
  identityPattern?: string;
  publicKey?: undefined;
  keyId?: undefined;
}

/**
 * Who may sign a step, for sites without OIDC: the holder of one key. In a
 * policy file the key is `key: PATH` (a PEM public key, relative to the
 * policy file) or `publicKey: PEM`; a validated rule holds the PEM and its
 * id, `sha256:<hex>` of the DER SubjectPublicKeyInfo.
 */
export interface KeySignerRule {
  /** PEM public key: ECDSA P-256 or P-384, or Ed25519. */
  publicKey: string;
  /** `sha256:<hex>` of the key's DER SubjectPublicKeyInfo. */
  keyId: string;
  issuer?: undefined;
  identity?: undefined;
  identityPattern?: undefined;
}

/** One allowed signer of a step kind: an identity or a key. */
export type SignerRule = IdentitySignerRule | KeySignerRule;

/** True for a rule that names a key rather than an identity. */
export function isKeyRule(rule: SignerRule): rule is KeySignerRule {
  return rule.publicKey !== undefined;
}

/** Key files read beside the policy: path as written to PEM text. */
export type KeyFiles = ReadonlyMap<string, string>;

const KEY_ID = /^sha256:[0-9a-f]{64}$/;
const IDENTITY_FIELDS = ['issuer', 'identity', 'identityPattern'];
const KEY_FIELDS = ['key', 'publicKey', 'keyId'];

/**
 * Validates one entry of `signers`: either `issuer` with `identity` or
 * `identityPattern`, or one of `key` and `publicKey` (with an optional
 * `keyId` that must be the key's); never fields of both kinds.
 *
 * @throws PolicyError `POLICY_INVALID` naming the field.
 */
export function validateSigner(
  obj: Record<string, unknown>,
  where: string,
  keyFiles: KeyFiles | undefined,
): SignerRule {
  for (const field of Object.keys(obj)) {
    if (!IDENTITY_FIELDS.includes(field) && !KEY_FIELDS.includes(field)) {
      invalid(`${where}: unknown field "${field}"`);
    }
  }
  const keyed = KEY_FIELDS.some((f) => obj[f] !== undefined);
  const named = IDENTITY_FIELDS.some((f) => obj[f] !== undefined);
  if (keyed && named) {
    invalid(
      `${where}: expected an identity (issuer, identity) or a key ` +
        `(key, publicKey), not both`,
    );
  }
  return keyed
    ? validateKeySigner(obj, where, keyFiles)
    : validateIdentitySigner(obj, where);
}

function validateIdentitySigner(
  obj: Record<string, unknown>,
  where: string,
): IdentitySignerRule {
  const issuer = text(obj.issuer, `${where}.issuer`);
  const hasExact = obj.identity !== undefined;
  const hasPattern = obj.identityPattern !== undefined;
  if (hasExact === hasPattern) {
    invalid(`${where}: expected exactly one of identity, identityPattern`);
  }
  if (hasExact) return { issuer, identity: text(obj.identity, where) };
  const pattern = text(obj.identityPattern, `${where}.identityPattern`);
  try {
    new RegExp(pattern, 'u');
  } catch (cause) {
    throw new PolicyError(
      'POLICY_INVALID',
      `${where}.identityPattern: not a valid regular expression`,
      { cause },
    );
  }
  return { issuer, identityPattern: pattern };
}

function validateKeySigner(
  obj: Record<string, unknown>,
  where: string,
  keyFiles: KeyFiles | undefined,
): KeySignerRule {
  if ((obj.key === undefined) === (obj.publicKey === undefined)) {
    invalid(`${where}: expected exactly one of key, publicKey`);
  }
  const publicKey =
    obj.key === undefined
      ? text(obj.publicKey, `${where}.publicKey`)
      : keyFile(text(obj.key, `${where}.key`), `${where}.key`, keyFiles);
  const keyId = keyIdOf(
    publicKey,
    obj.key === undefined ? 'publicKey' : 'key',
    where,
  );
  if (obj.keyId !== undefined) {
    const pinned = text(obj.keyId, `${where}.keyId`);
    if (!KEY_ID.test(pinned)) {
      invalid(`${where}.keyId: expected sha256: and 64 lower-case hex digits`);
    }
    if (pinned !== keyId) {
      invalid(`${where}.keyId: expected ${pinned}, the key is ${keyId}`);
    }
  }
  return { publicKey, keyId };
}

function keyFile(path: string, where: string, keyFiles?: KeyFiles): string {
  const pem = keyFiles?.get(path);
  if (pem === undefined) {
    invalid(
      `${where}: a key file needs the policy's location: load the ` +
        `policy with loadPolicy(path), or give publicKey`,
    );
  }
  return pem;
}

function keyIdOf(pem: string, field: string, where: string): string {
  try {
    return loadPublicKey(pem).digest;
  } catch (cause) {
    // The reason names the expected form, never the key material.
    const reason = cause instanceof ProvenanceError ? cause.message : 'invalid';
    throw new PolicyError('POLICY_INVALID', `${where}.${field}: ${reason}`, {
      cause,
    });
  }
}

/** What makes two signers distinct, for thresholds: a key id or identity. */
export function signerRuleKey(rule: SignerRule): string | undefined {
  if (isKeyRule(rule)) return rule.keyId;
  return rule.identity === undefined
    ? undefined
    : `${rule.issuer} ${rule.identity}`;
}
