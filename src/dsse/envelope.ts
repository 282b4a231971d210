import { DsseError } from '../errors.js';
import { decodeBase64, encodeBase64 } from './base64.js';

/** One signature over the envelope's pre-authentication encoding. */
export interface Signature {
  /** Optional, unauthenticated hint of which key signed. */
  keyid?: string;
  /** The raw signature bytes. */
  sig: Uint8Array;
}

/** A DSSE envelope with its binary fields decoded. */
export interface Envelope {
  /** The payload bytes exactly as signed. */
  payload: Uint8Array;
  /** The payload's media type, e.g. `application/vnd.in-toto+json`. */
  payloadType: string;
  /** At least one signature. */
  signatures: Signature[];
}

/**
 * Encodes an envelope as DSSE JSON with standard base64 fields.
 *
 * @param e - The envelope.
 * @returns The JSON text.
 * @throws {@link DsseError} `DSSE_MALFORMED` when there is no signature.
 */
export function encodeEnvelope(e: Envelope): string {
  if (e.signatures.length === 0) {
    throw new DsseError('DSSE_MALFORMED', 'expected at least one signature');
  }
  return JSON.stringify({
    payload: encodeBase64(e.payload),
    payloadType: e.payloadType,
    signatures: e.signatures.map((s) =>
      s.keyid === undefined
        ? { sig: encodeBase64(s.sig) }
        : { keyid: s.keyid, sig: encodeBase64(s.sig) },
    ),
  });
}

/**
 * Decodes a DSSE envelope from JSON text or an already parsed value.
 * Base64 fields may use the standard or the URL-safe alphabet, as DSSE
 * allows. Unknown fields are ignored.
 *
 * @param json - JSON text (a string), or the already parsed JSON value.
 * @returns The envelope with decoded payload and signatures.
 * @throws {@link DsseError} `DSSE_MALFORMED` for anything that is not a
 *   well-formed envelope with at least one signature.
 * @example
 * const { payload, payloadType } = decodeEnvelope(text);
 */
export function decodeEnvelope(json: unknown): Envelope {
  const v = typeof json === 'string' ? parseJson(json) : json;
  if (!isObject(v)) throw malformed('expected an object');

  const { payload, payloadType, signatures } = v;
  if (typeof payloadType !== 'string') {
    throw malformed('expected payloadType to be a string');
  }
  if (!Array.isArray(signatures) || signatures.length === 0) {
    throw malformed('expected a non-empty signatures array');
  }
  return {
    payload: bytesField(payload, 'payload'),
    payloadType,
    signatures: signatures.map((s: unknown, i) => signature(s, i)),
  };
}

function signature(v: unknown, i: number): Signature {
  if (!isObject(v))
    throw malformed(`expected signatures[${i}] to be an object`);
  const sig = bytesField(v.sig, `signatures[${i}].sig`);
  if (v.keyid === undefined) return { sig };
  if (typeof v.keyid !== 'string') {
    throw malformed(`expected signatures[${i}].keyid to be a string`);
  }
  return { keyid: v.keyid, sig };
}

function bytesField(v: unknown, at: string): Uint8Array {
  if (typeof v !== 'string') throw malformed(`expected ${at} to be base64`);
  const bytes = decodeBase64(v);
  if (bytes === undefined) throw malformed(`expected ${at} to be base64`);
  return bytes;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new DsseError('DSSE_MALFORMED', 'expected JSON', { cause });
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function malformed(message: string): DsseError {
  return new DsseError('DSSE_MALFORMED', message);
}
