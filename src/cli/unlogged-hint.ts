/**
 * The hint for a key-signed bundle made with no Rekor: it fails for want
 * of a log entry and a signed time, and --allow-unlogged accepts that. A
 * bundle whose entry or time is present but false gets no such hint: the
 * flag would not help, and must not be suggested for a check that failed
 * for another reason.
 */
import { parseStrictJsonBytes } from '../json/strict.js';

/** Why the flag helps, said where the failure is shown. */
export const UNLOGGED_HINT =
  'a key-signed bundle made with no Rekor has no log entry or signed ' +
  'time; pass --allow-unlogged to accept that';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isEmpty = (v: unknown): boolean =>
  v === undefined || (Array.isArray(v) && v.length === 0);

/** A bundle that carries a key hint, no log entry and no timestamp. */
function isUnloggedKeyBundle(bytes: Uint8Array): boolean {
  let bundle: unknown;
  try {
    bundle = parseStrictJsonBytes(bytes);
  } catch {
    return false;
  }
  const material = isObject(bundle) ? bundle.verificationMaterial : undefined;
  if (!isObject(material) || !isObject(material.publicKey)) return false;
  const stamps = material.timestampVerificationData;
  const timestamps = isObject(stamps) ? stamps.rfc3161Timestamps : undefined;
  return isEmpty(material.tlogEntries) && isEmpty(timestamps);
}

/**
 * The hint, when it applies: the failure is a missing log entry or signed
 * time, keys were given, the flag was not, and the bundle is a key-signed
 * one with neither.
 */
export function unloggedHint(
  code: string | undefined,
  bundle: Uint8Array,
  flags: { keysGiven: boolean; allowUnlogged: boolean },
): string | undefined {
  const unlogged =
    code === 'VERIFY_TIMESTAMP_FAILED' || code === 'VERIFY_TLOG_FAILED';
  return unlogged &&
    flags.keysGiven &&
    !flags.allowUnlogged &&
    isUnloggedKeyBundle(bundle)
    ? UNLOGGED_HINT
    : undefined;
}
