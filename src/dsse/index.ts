/**
 * DSSE: pre-authentication encoding, envelope encode and decode. No
 * Node-only imports.
 * @packageDocumentation
 */
export { preAuthEncoding } from './pae.js';
export { decodeEnvelope, encodeEnvelope } from './envelope.js';
export type { Envelope, Signature } from './envelope.js';
export { decodeBase64, encodeBase64 } from './base64.js';
