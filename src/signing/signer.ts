import { SigningError } from '../errors.js';

/**
 * Anything that signs a DSSE payload and returns a Sigstore bundle. The
 * keyless signer is one; a key-based signer or a test double can be another.
 */
export interface Signer {
  /**
   * Signs `payload` as a DSSE envelope of `payloadType`.
   *
   * @returns the serialized Sigstore bundle (v0.3 JSON object).
   * @throws SigningError with a code when signing fails.
   */
  signDsse(payload: Buffer, payloadType: string): Promise<unknown>;
}

/**
 * Refuses what a caller outside TypeScript might pass to `signDsse`.
 *
 * @throws SigningError `SIGNING_BAD_OPTIONS`.
 */
export function checkSignInput(payload: unknown, payloadType: unknown): void {
  if (!Buffer.isBuffer(payload) || typeof payloadType !== 'string') {
    throw new SigningError(
      'SIGNING_BAD_OPTIONS',
      'expected a Buffer payload and a string payload type',
    );
  }
}
