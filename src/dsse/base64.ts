/**
 * Strict base64 for DSSE: standard or URL-safe alphabet (never mixed),
 * padding optional but exact when present, and no stray bits, so that one
 * byte string has exactly one accepted encoding per alphabet.
 */

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_SAFE = STD.slice(0, 62) + '-_';

const STD_FORM = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_FORM = /^[A-Za-z0-9_-]*={0,2}$/;

function lookup(alphabet: string): Int8Array {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}
const STD_TABLE = lookup(STD);
const URL_TABLE = lookup(URL_SAFE);

/**
 * Encodes bytes as standard, padded base64.
 *
 * @param bytes - Any bytes.
 * @returns The base64 text.
 */
export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n =
      ((bytes[i] ?? 0) << 16) |
      ((bytes[i + 1] ?? 0) << 8) |
      (bytes[i + 2] ?? 0);
    const left = bytes.length - i;
    out += STD[(n >> 18) & 63] ?? '';
    out += STD[(n >> 12) & 63] ?? '';
    out += left > 1 ? (STD[(n >> 6) & 63] ?? '') : '=';
    out += left > 2 ? (STD[n & 63] ?? '') : '=';
  }
  return out;
}

/**
 * Decodes standard or URL-safe base64, padded or not.
 *
 * @param text - The base64 text.
 * @returns The bytes, or `undefined` when `text` is not canonical base64.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  const table = STD_FORM.test(text)
    ? STD_TABLE
    : URL_FORM.test(text)
      ? URL_TABLE
      : undefined;
  if (table === undefined) return undefined;
  const body = text.replace(/=+$/, '');
  const padding = text.length - body.length;
  if (body.length % 4 === 1) return undefined;
  if (padding > 0 && (body.length + padding) % 4 !== 0) return undefined;
  return decodeBody(body, table);
}

function decodeBody(body: string, table: Int8Array): Uint8Array | undefined {
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < body.length; i++) {
    acc = ((acc << 6) | (table[body.charCodeAt(i)] ?? 0)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  // Leftover bits must be zero, or two texts would decode to one value.
  if ((acc & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}
