const encoder = new TextEncoder();

/**
 * Builds the DSSE v1 pre-authentication encoding, the bytes that are
 * actually signed: `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`,
 * lengths being ASCII decimal counts of UTF-8 bytes.
 *
 * @param payloadType - The payload's media type.
 * @param payload - The payload bytes.
 * @returns The bytes to sign or verify.
 * @example
 * const pae = preAuthEncoding(
 *   'http://example.com/HelloWorld',
 *   new TextEncoder().encode('hello world'),
 * ); // "DSSEv1 29 http://example.com/HelloWorld 11 hello world"
 */
export function preAuthEncoding(
  payloadType: string,
  payload: Uint8Array,
): Uint8Array {
  const type = encoder.encode(payloadType);
  const head = encoder.encode(
    `DSSEv1 ${type.length} ${payloadType} ${payload.length} `,
  );
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}
