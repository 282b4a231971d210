import { AsnConvert } from '@peculiar/asn1-schema';

/**
 * Parses DER into an ASN.1 schema class of `@peculiar/asn1-*` and refuses
 * what is not the one encoding of what it parsed: the value, encoded again,
 * must give back exactly the bytes read. This refuses trailing data, long
 * or indefinite lengths and wrong tags, which BER readers let through.
 *
 * @throws Error from the parser, or when the bytes are not the encoding.
 */
export function strictDer<T>(der: Uint8Array, schema: new () => T): T {
  const value = AsnConvert.parse(der, schema);
  const again = new Uint8Array(AsnConvert.serialize(value));
  if (!bytesEqual(again, der)) {
    throw new Error('not the distinguished encoding of its value');
  }
  return value;
}

/** Byte-wise equality; not constant-time (for public data). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
